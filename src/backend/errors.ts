// The errors a backend plugin throws, one class per upstream error case, beside the plugin
// interface so that backends need nothing from the layers above. The domain adds the rest
// (src/domain/errors.ts). Each error says what its google.rpc.Status carries (code, reason,
// extra detail), so that src/operations/error-status.ts needs only the base class.
import type { Any } from "../../gen/ts/google/protobuf/any.js";
import { Code } from "../../gen/ts/google/rpc/code.js";
import { preconditionFailure, resourceInfo, retryInfo } from "./error-details.js";

/**
 * Base of every expected error; its message is meant for clients. `code` is the google.rpc
 * code of its status (the gRPC status code), `reason` becomes google.rpc.ErrorInfo.reason and
 * `metadata` its metadata.
 */
export abstract class OrchestratorError extends Error {
  constructor(
    readonly code: Code,
    readonly reason: string,
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
  constructor(
    message: string,
    readonly retryAfterMs = 1000,
  ) {
    super(Code.UNAVAILABLE, "BACKEND_UNAVAILABLE", message);
  }

  override statusDetail(): Any {
    return retryInfo(this.retryAfterMs);
  }
}

/** An error about one named resource (google.rpc.ResourceInfo). */
abstract class ResourceError extends OrchestratorError {
  constructor(code: Code, reason: string, resourceType: string, resourceName: string, message: string) {
    super(code, reason, message, { resourceType, resourceName });
  }

  override statusDetail(): Any {
    return resourceInfo(this.metadata.resourceType ?? "", this.metadata.resourceName ?? "", this.message);
  }
}

/** A named resource does not exist. */
export class NotFoundError extends ResourceError {
  constructor(resourceType: string, resourceName: string, message = `${resourceType} '${resourceName}' not found`) {
    super(Code.NOT_FOUND, "NOT_FOUND", resourceType, resourceName, message);
  }
}

/** A resource of that name exists and differs from the request; `reason` tells why when it is more than that. */
export class AlreadyExistsError extends ResourceError {
  constructor(
    resourceType: string,
    resourceName: string,
    message = `${resourceType} '${resourceName}' already exists`,
    reason = "ALREADY_EXISTS",
  ) {
    super(Code.ALREADY_EXISTS, reason, resourceType, resourceName, message);
  }
}

/** The cluster's state forbids the request, e.g. a host still has daemons. */
export class FailedPreconditionError extends OrchestratorError {
  constructor(subject: string, message: string) {
    super(Code.FAILED_PRECONDITION, "FAILED_PRECONDITION", message, { subject });
  }

  override statusDetail(): Any {
    return preconditionFailure("STATE", this.metadata.subject ?? "", this.message);
  }
}

/**
 * A failure while an operation executes (upstream "failed execution"): the operation ends
 * FAILED with this as its error. `hostname` names the host whose part failed, if one did.
 */
export class ExecutionError extends OrchestratorError {
  constructor(
    message: string,
    readonly hostname?: string,
  ) {
    super(Code.ABORTED, "BACKEND_FAILED", message, hostname ? { hostname } : {});
  }
}

/** The operation was cancelled at a safe point. */
export class CancelledError extends OrchestratorError {
  constructor(message = "cancelled") {
    super(Code.CANCELLED, "CANCELLED", message);
  }
}
