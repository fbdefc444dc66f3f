// The errors a backend plugin throws, one class per upstream error case, beside the plugin
// interface so that backends need nothing from the layers above. The domain adds the rest
// (src/domain/errors.ts). Each error says what its google.rpc.Status carries (code, reason,
// extra detail), so that src/operations/error-status.ts needs only the base class.
import type { Any } from "../../gen/ts/google/protobuf/any.js";
import { Code } from "../../gen/ts/google/rpc/code.js";
import { preconditionFailure, resourceInfo, retryInfo } from "./error-details.js";

/**
 * Base of every expected error; its message is meant for clients. `reason` becomes
 * google.rpc.ErrorInfo.reason and `metadata` its metadata.
 */
export abstract class OrchestratorError extends Error {
  abstract readonly reason: string;
  /** The google.rpc code of its status (the gRPC status code). */
  abstract readonly code: Code;
  constructor(
    message: string,
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The google.rpc detail its status carries beside the ErrorInfo, if any. */
  statusDetail(): Any | undefined {
    return undefined;
  }
}

/** The backend cannot reach its cluster right now; retrying later may help. */
export class BackendUnavailableError extends OrchestratorError {
  readonly reason = "BACKEND_UNAVAILABLE";
  readonly code = Code.UNAVAILABLE;
  constructor(
    message: string,
    readonly retryAfterMs = 1000,
  ) {
    super(message);
  }

  override statusDetail(): Any {
    return retryInfo(this.retryAfterMs);
  }
}

/** A named resource does not exist. */
export class NotFoundError extends OrchestratorError {
  readonly reason = "NOT_FOUND";
  readonly code = Code.NOT_FOUND;
  constructor(
    readonly resourceType: string,
    readonly resourceName: string,
    message = `${resourceType} '${resourceName}' not found`,
  ) {
    super(message, { resourceType, resourceName });
  }

  override statusDetail(): Any {
    return resourceInfo(this.resourceType, this.resourceName, this.message);
  }
}

/** A resource of that name exists and differs from the request. */
export class AlreadyExistsError extends OrchestratorError {
  readonly reason: string = "ALREADY_EXISTS";
  readonly code = Code.ALREADY_EXISTS;
  constructor(
    readonly resourceType: string,
    readonly resourceName: string,
    message = `${resourceType} '${resourceName}' already exists`,
  ) {
    super(message, { resourceType, resourceName });
  }

  override statusDetail(): Any {
    return resourceInfo(this.resourceType, this.resourceName, this.message);
  }
}

/** The cluster's state forbids the request, e.g. a host still has daemons. */
export class FailedPreconditionError extends OrchestratorError {
  readonly reason = "FAILED_PRECONDITION";
  readonly code = Code.FAILED_PRECONDITION;
  constructor(
    readonly subject: string,
    message: string,
  ) {
    super(message, { subject });
  }

  override statusDetail(): Any {
    return preconditionFailure("STATE", this.subject, this.message);
  }
}

/**
 * A failure while an operation executes (upstream "failed execution"): the operation ends
 * FAILED with this as its error. `hostname` names the host whose part failed, if one did.
 */
export class ExecutionError extends OrchestratorError {
  readonly reason = "BACKEND_FAILED";
  readonly code = Code.ABORTED;
  constructor(
    message: string,
    readonly hostname?: string,
  ) {
    super(message, hostname ? { hostname } : {});
  }
}

/** The operation was cancelled at a safe point. */
export class CancelledError extends OrchestratorError {
  readonly reason = "CANCELLED";
  readonly code = Code.CANCELLED;
  constructor(message = "cancelled") {
    super(message);
  }
}
