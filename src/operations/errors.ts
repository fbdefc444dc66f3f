// The engine's own error; the domain exports it with the others (src/domain/errors.ts).
import { AlreadyExistsError } from "../backend/errors.js";

/** A request_id was used before for a different request. */
export class RequestIdReusedError extends AlreadyExistsError {
  constructor(requestId: string, operationId: string) {
    super(
      "operation",
      operationId,
      `request_id '${requestId}' was used for a different request (operation ${operationId})`,
      "REQUEST_ID_REUSED",
    );
    this.metadata.operation = operationId;
  }
}
