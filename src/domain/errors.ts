// Domain errors: one class per upstream error case. Those a backend may throw live beside the
// plugin interface (src/backend/errors.ts), the engine's in src/operations/errors.ts; all are
// exported here too. Each says what its google.rpc.Status carries (code, reason, extra
// detail); src/operations/error-status.ts puts the status together.
import type { Any } from "../../gen/ts/google/protobuf/any.js";
import { Code } from "../../gen/ts/google/rpc/code.js";
import { badRequest, type FieldViolation, preconditionFailure, retryInfo } from "../backend/error-details.js";
import { OrchestratorError } from "../backend/errors.js";

export type { FieldViolation } from "../backend/error-details.js";
export {
  AlreadyExistsError,
  BackendUnavailableError,
  CancelledError,
  ExecutionError,
  FailedPreconditionError,
  NotFoundError,
  OrchestratorError,
} from "../backend/errors.js";
export { RequestIdReusedError } from "../operations/errors.js";

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
  readonly code = Code.INVALID_ARGUMENT;
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

  override statusDetail(): Any {
    return badRequest(this.violations, "");
  }
}

/** An option of the request that this backend does not support. */
export class UnsupportedOptionError extends OrchestratorError {
  readonly reason = "UNSUPPORTED_OPTION";
  readonly code = Code.INVALID_ARGUMENT;
  constructor(
    readonly field: string,
    readonly backend: string,
  ) {
    super(`${field}: the ${backend} backend does not support this option`, { backend, field });
  }

  override statusDetail(): Any {
    return badRequest([{ field: this.field, description: this.message }], this.reason);
  }
}

/** The backend lacks the RPC (upstream NotImplementedError). */
export class NotImplementedError extends OrchestratorError {
  readonly reason = "BACKEND_UNSUPPORTED";
  readonly code = Code.UNIMPLEMENTED;
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
  readonly code = Code.FAILED_PRECONDITION;
  constructor(message = "No orchestrator backend is configured") {
    super(message);
  }

  override statusDetail(): Any {
    return preconditionFailure(this.reason, "backend", this.message);
  }
}

/** The caller could not be identified: no credentials, or credentials the service does not know. */
export class UnauthenticatedError extends OrchestratorError {
  readonly reason: string;
  readonly code = Code.UNAUTHENTICATED;
  constructor(message: string, reason = "UNAUTHENTICATED") {
    super(message);
    this.reason = reason;
  }
}

/** The caller is known, but its role does not allow the RPC. */
export class PermissionDeniedError extends OrchestratorError {
  readonly reason = "PERMISSION_DENIED";
  readonly code = Code.PERMISSION_DENIED;
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
  readonly code = Code.RESOURCE_EXHAUSTED;
  constructor(
    reason: string,
    message: string,
    readonly retryAfterMs?: number,
    metadata: Record<string, string> = {},
  ) {
    super(message, metadata);
    this.reason = reason;
  }

  override statusDetail(): Any | undefined {
    return this.retryAfterMs === undefined ? undefined : retryInfo(this.retryAfterMs);
  }
}
