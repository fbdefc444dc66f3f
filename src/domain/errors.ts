// Domain errors: one class per upstream error case. Those a backend may throw live beside the
// plugin interface (src/backend/errors.ts) and are exported here too. The gRPC edge
// (src/operations/status.ts, used by src/transport) maps each to a status code and
// google.rpc details; nothing else needs to know the codes.
import { AlreadyExistsError, OrchestratorError } from "../backend/errors.js";

export {
  AlreadyExistsError,
  BackendUnavailableError,
  CancelledError,
  ExecutionError,
  FailedPreconditionError,
  NotFoundError,
  OrchestratorError,
} from "../backend/errors.js";

/** One invalid field of a request, named by its path, e.g. "spec.data_devices.size". */
export interface FieldViolation {
  field: string;
  description: string;
}

/** `text`, cut to `max` characters with a note of how much was cut. */
export function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * How many violations a ValidationError keeps (the first ones; its message says how many
 * more there were), and how long each field path and description may be: they may quote
 * client input, which can be huge.
 */
export const VIOLATION_LIMITS = { count: 50, field: 256, description: 512 } as const;

/** Invalid input (upstream OrchestratorValidationError): nothing was changed. */
export class ValidationError extends OrchestratorError {
  readonly reason = "INVALID_FIELD";
  /** The first VIOLATION_LIMITS.count violations. */
  readonly violations: FieldViolation[];
  constructor(violations: readonly FieldViolation[]) {
    const kept = violations.slice(0, VIOLATION_LIMITS.count).map((v) => ({
      field: clipText(v.field, VIOLATION_LIMITS.field),
      description: clipText(v.description, VIOLATION_LIMITS.description),
    }));
    const more = violations.length - kept.length;
    super(kept.map((v) => `${v.field}: ${v.description}`).join("; ") + (more > 0 ? `; and ${more} more` : ""));
    this.violations = kept;
  }
}

/** An option of the request that this backend does not support. */
export class UnsupportedOptionError extends OrchestratorError {
  readonly reason = "UNSUPPORTED_OPTION";
  constructor(
    readonly field: string,
    readonly backend: string,
  ) {
    super(`${field}: the ${backend} backend does not support this option`, { backend, field });
  }
}

/** The backend lacks the RPC (upstream NotImplementedError). */
export class NotImplementedError extends OrchestratorError {
  readonly reason = "BACKEND_UNSUPPORTED";
  constructor(
    readonly backend: string,
    readonly method: string,
  ) {
    super(`This orchestrator backend (${backend}) does not support ${method}`, { backend, method });
  }
}

/** No backend configured or loaded (upstream NoOrchestrator). */
export class NoBackendError extends OrchestratorError {
  readonly reason = "NO_BACKEND";
  constructor(message = "No orchestrator backend is configured") {
    super(message);
  }
}

/** A request_id was used before for a different request. */
export class RequestIdReusedError extends AlreadyExistsError {
  override readonly reason = "REQUEST_ID_REUSED";
  constructor(requestId: string, operationId: string) {
    super("operation", operationId, `request_id '${requestId}' was used for a different request (operation ${operationId})`);
    this.metadata.operation = operationId;
  }
}

/** The caller could not be identified: no credentials, or credentials the service does not know. */
export class UnauthenticatedError extends OrchestratorError {
  readonly reason: string;
  constructor(message: string, reason = "UNAUTHENTICATED") {
    super(message);
    this.reason = reason;
  }
}

/** The caller is known, but its role does not allow the RPC. */
export class PermissionDeniedError extends OrchestratorError {
  readonly reason = "PERMISSION_DENIED";
  constructor(
    message: string,
    readonly caller: string,
    readonly role: string,
    readonly requiredRole: string,
    readonly method: string,
  ) {
    super(message, { caller, role, requiredRole, method });
  }
}

/**
 * A limit was hit: a rate, or how long a call may last. `retryAfterMs` (if given) says
 * when a retry may succeed; it becomes google.rpc.RetryInfo.
 */
export class ResourceExhaustedError extends OrchestratorError {
  readonly reason: string;
  constructor(
    reason: string,
    message: string,
    readonly retryAfterMs?: number,
    metadata: Record<string, string> = {},
  ) {
    super(message, metadata);
    this.reason = reason;
  }
}
