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
  type FieldViolation,
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
 * Bounds, in UTF-8 bytes, on what a status carries. Messages and details may quote client
 * input, and they travel in HTTP/2 trailers (grpc-message percent-encoded, the details
 * base64): gRPC's C core (grpcio) refuses metadata beyond 8 KiB by default, and a client
 * that gets too large a trailer block may never see the call end. So longer texts are cut,
 * and a BadRequest lists the first violations that fit in its budget; the whole status
 * stays under about 6 KiB on the wire.
 */
export const STATUS_LIMITS = { message: 600, metadataValue: 100, violationBytes: 2048 } as const;

/** `text` cut to at most `maxBytes` of UTF-8 (on a character boundary), with a note. */
export function clipBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const note = "… (cut)";
  let out = "";
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes - note.length) break;
    out += ch;
    bytes += n;
  }
  return out + note;
}

/**
 * The google.rpc.Status for an error: code, message and details (always an ErrorInfo, plus
 * the detail type that fits the error), within STATUS_LIMITS. An unexpected error becomes
 * INTERNAL "internal error" without its message or stack; the caller logs the real error.
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
  const metadata = Object.fromEntries(Object.entries(err.metadata).map(([k, v]) => [k, clipBytes(v, STATUS_LIMITS.metadataValue)]));
  const details = [pack("google.rpc.ErrorInfo", ErrorInfo, { reason: err.reason, domain: ERROR_DOMAIN, metadata })];
  const extra = extraDetail(err);
  if (extra) details.push(extra);
  return { code, message: clipBytes(err.message, STATUS_LIMITS.message), details };
}

function extraDetail(err: OrchestratorError): Any | undefined {
  if (err instanceof ValidationError) {
    return pack("google.rpc.BadRequest", BadRequest, {
      fieldViolations: fitting(err.violations).map((v) => ({ field: v.field, description: v.description, reason: "", localizedMessage: undefined })),
    });
  }
  if (err instanceof UnsupportedOptionError) {
    return pack("google.rpc.BadRequest", BadRequest, {
      fieldViolations: fitting([{ field: err.field, description: err.message }]).map((v) => ({ ...v, reason: err.reason, localizedMessage: undefined })),
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

/** The first violations that fit in STATUS_LIMITS.violationBytes (at least one, cut to fit). */
function fitting(violations: readonly FieldViolation[]): FieldViolation[] {
  const out: FieldViolation[] = [];
  let bytes = 0;
  for (const v of violations) {
    const one = { field: clipBytes(v.field, 256), description: clipBytes(v.description, 512) };
    const n = Buffer.byteLength(one.field) + Buffer.byteLength(one.description) + 8;
    if (out.length > 0 && bytes + n > STATUS_LIMITS.violationBytes) break;
    out.push(one);
    bytes += n;
  }
  return out;
}

function retryInfo(retryAfterMs: number): Any {
  const ms = Math.max(0, Math.ceil(retryAfterMs));
  return pack("google.rpc.RetryInfo", RetryInfo, {
    retryDelay: { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 },
  });
}
