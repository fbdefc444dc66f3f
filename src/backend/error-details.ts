// The google.rpc details an error carries in its status (beside the ErrorInfo every status
// has), and the bounds on their size. The errors build their own (src/backend/errors.ts,
// src/domain/errors.ts) with these helpers; src/operations/error-status.ts puts the status
// together from the base class alone.
import type { Any } from "../../gen/ts/google/protobuf/any.js";
import { BadRequest, PreconditionFailure, ResourceInfo, RetryInfo } from "../../gen/ts/google/rpc/error_details.js";

/**
 * Bounds, in UTF-8 bytes, on what a status carries. Messages and details may quote client
 * input, and they travel in HTTP/2 trailers (grpc-message percent-encoded, the details
 * base64): gRPC's C core (grpcio) refuses metadata beyond 8 KiB by default, and a client
 * that gets too large a trailer block may never see the call end. So longer texts are cut,
 * and a BadRequest lists the first violations that fit in its budget; the whole status
 * stays under about 6 KiB on the wire.
 */
export const STATUS_LIMITS = { message: 600, metadataValue: 100, violationBytes: 2048 } as const;

/** One invalid field of a request, named by its path, e.g. "spec.data_devices.size". */
export interface FieldViolation {
  field: string;
  description: string;
}

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

const TYPE_URL_PREFIX = "type.googleapis.com/";

interface MessageType<T> {
  encode(message: T): { finish(): Uint8Array };
}

/** `message` as a google.protobuf.Any of the google type `typeName`, e.g. "google.rpc.ErrorInfo". */
export function packDetail<T>(typeName: string, type: MessageType<T>, message: T): Any {
  return { typeUrl: TYPE_URL_PREFIX + typeName, value: Buffer.from(type.encode(message).finish()) };
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

/** A google.rpc.BadRequest of the violations that fit, each with `reason`. */
export function badRequest(violations: readonly FieldViolation[], reason: string): Any {
  return packDetail("google.rpc.BadRequest", BadRequest, {
    fieldViolations: fitting(violations).map((v) => ({ field: v.field, description: v.description, reason, localizedMessage: undefined })),
  });
}

/** A google.rpc.PreconditionFailure of one violation. */
export function preconditionFailure(type: string, subject: string, description: string): Any {
  return packDetail("google.rpc.PreconditionFailure", PreconditionFailure, { violations: [{ type, subject, description }] });
}

/** A google.rpc.ResourceInfo naming the resource. */
export function resourceInfo(resourceType: string, resourceName: string, description: string): Any {
  return packDetail("google.rpc.ResourceInfo", ResourceInfo, { resourceType, resourceName, owner: "", description });
}

/** A google.rpc.RetryInfo: retry after that many ms (rounded up). */
export function retryInfo(retryAfterMs: number): Any {
  const ms = Math.max(0, Math.ceil(retryAfterMs));
  return packDetail("google.rpc.RetryInfo", RetryInfo, {
    retryDelay: { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 },
  });
}
