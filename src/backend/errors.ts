// The errors a backend plugin throws, one class per upstream error case, beside the plugin
// interface so that backends need nothing from the layers above. The domain adds the rest
// (src/domain/errors.ts); the gRPC edge (src/operations/status.ts) maps them all to status
// codes and google.rpc details.

/** Base of every expected error; `reason` becomes google.rpc.ErrorInfo.reason. */
export abstract class OrchestratorError extends Error {
  abstract readonly reason: string;
  constructor(
    message: string,
    readonly metadata: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The backend cannot reach its cluster right now; retrying later may help. */
export class BackendUnavailableError extends OrchestratorError {
  readonly reason = "BACKEND_UNAVAILABLE";
  constructor(
    message: string,
    readonly retryAfterMs = 1000,
  ) {
    super(message);
  }
}

/** A named resource does not exist. */
export class NotFoundError extends OrchestratorError {
  readonly reason = "NOT_FOUND";
  constructor(
    readonly resourceType: string,
    readonly resourceName: string,
    message = `${resourceType} '${resourceName}' not found`,
  ) {
    super(message, { resourceType, resourceName });
  }
}

/** A resource of that name exists and differs from the request. */
export class AlreadyExistsError extends OrchestratorError {
  readonly reason: string = "ALREADY_EXISTS";
  constructor(
    readonly resourceType: string,
    readonly resourceName: string,
    message = `${resourceType} '${resourceName}' already exists`,
  ) {
    super(message, { resourceType, resourceName });
  }
}

/** The cluster's state forbids the request, e.g. a host still has daemons. */
export class FailedPreconditionError extends OrchestratorError {
  readonly reason = "FAILED_PRECONDITION";
  constructor(
    readonly subject: string,
    message: string,
  ) {
    super(message, { subject });
  }
}

/**
 * A failure while an operation executes (upstream "failed execution"): the operation ends
 * FAILED with this as its error. `hostname` names the host whose part failed, if one did.
 */
export class ExecutionError extends OrchestratorError {
  readonly reason = "BACKEND_FAILED";
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
  constructor(message = "cancelled") {
    super(message);
  }
}
