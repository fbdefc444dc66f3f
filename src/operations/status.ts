// Domain error → google.rpc.Status, in one place. The engine uses it for a FAILED
// operation's `error`; the gRPC edge uses the same function for the
// `grpc-status-details-bin` trailer, so both carry identical details.
import { Any } from "../../gen/ts/google/protobuf/any.js";
import { Code } from "../../gen/ts/google/rpc/code.js";
import {
  BadRequest,
  ErrorInfo,
  PreconditionFailure,
  ResourceInfo,
  RetryInfo,
} from "../../gen/ts/google/rpc/error_details.js";
import { Status } from "../../gen/ts/google/rpc/status.js";
import {
  AlreadyExistsError,
  BackendUnavailableError,
  CancelledError,
  ExecutionError,
  FailedPreconditionError,
  NoBackendError,
  NotFoundError,
  NotImplementedError,
  OrchestratorError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnsupportedOptionError,
  ValidationError,
} from "../domain/errors.js";

/** google.rpc.ErrorInfo.domain of every error this service reports. */
export const ERROR_DOMAIN = "orchestrator.ceph.io";

/** ErrorInfo.reason of an unexpected error. */
export const INTERNAL_REASON = "INTERNAL";

const TYPE_URL_PREFIX = "type.googleapis.com/";

interface MessageType<T> {
  encode(message: T): { finish(): Uint8Array };
}

function pack<T>(typeName: string, type: MessageType<T>, message: T): Any {
  return { typeUrl: TYPE_URL_PREFIX + typeName, value: Buffer.from(type.encode(message).finish()) };
}

/** The google.rpc code for an error; anything unexpected is INTERNAL. */
export function statusCodeFor(err: unknown): Code {
  if (err instanceof ValidationError || err instanceof UnsupportedOptionError) return Code.INVALID_ARGUMENT;
  if (err instanceof NotImplementedError) return Code.UNIMPLEMENTED;
  if (err instanceof NoBackendError || err instanceof FailedPreconditionError) return Code.FAILED_PRECONDITION;
  if (err instanceof BackendUnavailableError) return Code.UNAVAILABLE;
  if (err instanceof NotFoundError) return Code.NOT_FOUND;
  // Covers RequestIdReusedError, a subclass.
  if (err instanceof AlreadyExistsError) return Code.ALREADY_EXISTS;
  if (err instanceof ExecutionError) return Code.ABORTED;
  if (err instanceof CancelledError) return Code.CANCELLED;
  if (err instanceof UnauthenticatedError) return Code.UNAUTHENTICATED;
  if (err instanceof PermissionDeniedError) return Code.PERMISSION_DENIED;
  if (err instanceof ResourceExhaustedError) return Code.RESOURCE_EXHAUSTED;
  // An expected error of a kind added later: its message is meant for clients.
  if (err instanceof OrchestratorError) return Code.UNKNOWN;
  return Code.INTERNAL;
}

/**
 * The google.rpc.Status for an error: code, message and details (always an ErrorInfo, plus
 * the detail type that fits the error). An unexpected error becomes INTERNAL "internal
 * error" without its message or stack; the caller logs the real error.
 */
export function errorToStatus(err: unknown): Status {
  const code = statusCodeFor(err);
  if (!(err instanceof OrchestratorError)) {
    return {
      code,
      message: "internal error",
      details: [pack("google.rpc.ErrorInfo", ErrorInfo, { reason: INTERNAL_REASON, domain: ERROR_DOMAIN, metadata: {} })],
    };
  }
  const details = [
    pack("google.rpc.ErrorInfo", ErrorInfo, { reason: err.reason, domain: ERROR_DOMAIN, metadata: { ...err.metadata } }),
  ];
  const extra = extraDetail(err);
  if (extra) details.push(extra);
  return { code, message: err.message, details };
}

function extraDetail(err: OrchestratorError): Any | undefined {
  if (err instanceof ValidationError) {
    return pack("google.rpc.BadRequest", BadRequest, {
      fieldViolations: err.violations.map((v) => ({ field: v.field, description: v.description, reason: "", localizedMessage: undefined })),
    });
  }
  if (err instanceof UnsupportedOptionError) {
    return pack("google.rpc.BadRequest", BadRequest, {
      fieldViolations: [{ field: err.field, description: err.message, reason: err.reason, localizedMessage: undefined }],
    });
  }
  if (err instanceof NoBackendError) {
    return pack("google.rpc.PreconditionFailure", PreconditionFailure, {
      violations: [{ type: err.reason, subject: "backend", description: err.message }],
    });
  }
  if (err instanceof FailedPreconditionError) {
    return pack("google.rpc.PreconditionFailure", PreconditionFailure, {
      violations: [{ type: "STATE", subject: err.subject, description: err.message }],
    });
  }
  if (err instanceof BackendUnavailableError) return retryInfo(err.retryAfterMs);
  if (err instanceof ResourceExhaustedError && err.retryAfterMs !== undefined) return retryInfo(err.retryAfterMs);
  if (err instanceof NotFoundError || err instanceof AlreadyExistsError) {
    return pack("google.rpc.ResourceInfo", ResourceInfo, {
      resourceType: err.resourceType,
      resourceName: err.resourceName,
      owner: "",
      description: err.message,
    });
  }
  return undefined;
}

function retryInfo(retryAfterMs: number): Any {
  const ms = Math.max(0, Math.ceil(retryAfterMs));
  return pack("google.rpc.RetryInfo", RetryInfo, {
    retryDelay: { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 },
  });
}
