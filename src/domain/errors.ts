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
  /** The first VIOLATION_LIMITS.count violations. */
  readonly violations: FieldViolation[];
  constructor(violations: readonly FieldViolation[]) {
    const kept = violations.slice(0, VIOLATION_LIMITS.count).map((v) => ({
      field: clipText(v.field, VIOLATION_LIMITS.field),
      description: clipText(v.description, VIOLATION_LIMITS.description),
    }));
    const more = violations.length - kept.length;
    super(
      Code.INVALID_ARGUMENT,
      "INVALID_FIELD",
      kept.map((v) => `${v.field}: ${v.description}`).join("; ") + (more > 0 ? `; and ${more} more` : ""),
    );
    this.violations = kept;
  }

  override statusDetail(): Any {
    return badRequest(this.violations, "");
  }
}

/** An option of the request that this backend does not support. */
export class UnsupportedOptionError extends OrchestratorError {
  constructor(
    readonly field: string,
    backend: string,
  ) {
    super(Code.INVALID_ARGUMENT, "UNSUPPORTED_OPTION", `${field}: the ${backend} backend does not support this option`, { backend, field });
  }

  override statusDetail(): Any {
    return badRequest([{ field: this.field, description: this.message }], this.reason);
  }
}

/** The backend lacks the RPC (upstream NotImplementedError). */
export class NotImplementedError extends OrchestratorError {
  constructor(backend: string, method: string) {
    super(Code.UNIMPLEMENTED, "BACKEND_UNSUPPORTED", `This orchestrator backend (${backend}) does not support ${method}`, {
      backend,
      method,
    });
  }
}

/** No backend configured or loaded (upstream NoOrchestrator). */
export class NoBackendError extends OrchestratorError {
  constructor(message = "No orchestrator backend is configured") {
    super(Code.FAILED_PRECONDITION, "NO_BACKEND", message);
  }

  override statusDetail(): Any {
    return preconditionFailure(this.reason, "backend", this.message);
  }
}

/** The caller could not be identified: no credentials, or credentials the service does not know. */
export class UnauthenticatedError extends OrchestratorError {
  constructor(message: string, reason = "UNAUTHENTICATED") {
    super(Code.UNAUTHENTICATED, reason, message);
  }
}

/** The caller is known, but its role does not allow the RPC. */
export class PermissionDeniedError extends OrchestratorError {
  constructor(message: string, caller: string, role: string, requiredRole: string, method: string) {
    super(Code.PERMISSION_DENIED, "PERMISSION_DENIED", message, { caller, role, requiredRole, method });
  }
}

/**
 * A limit was hit: a rate, or how long a call may last. `retryAfterMs` (if given) says
 * when a retry may succeed; it becomes google.rpc.RetryInfo.
 */
export class ResourceExhaustedError extends OrchestratorError {
  constructor(
    reason: string,
    message: string,
    readonly retryAfterMs?: number,
    metadata: Record<string, string> = {},
  ) {
    super(Code.RESOURCE_EXHAUSTED, reason, message, metadata);
  }

  override statusDetail(): Any | undefined {
    return this.retryAfterMs === undefined ? undefined : retryInfo(this.retryAfterMs);
  }
}
