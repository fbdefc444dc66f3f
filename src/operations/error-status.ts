// Error → google.rpc.Status, in one place. The engine uses it for a FAILED operation's
// `error`; the gRPC edge uses the same function for the `grpc-status-details-bin` trailer,
// so both carry identical details. Each expected error (an OrchestratorError) says its code
// and extra detail itself; anything else is INTERNAL.
import { Code } from "../../gen/ts/google/rpc/code.js";
import { ErrorInfo } from "../../gen/ts/google/rpc/error_details.js";
import type { Status } from "../../gen/ts/google/rpc/status.js";
import { clipBytes, packDetail, STATUS_LIMITS } from "../backend/error-details.js";
import { OrchestratorError } from "../backend/errors.js";

/** google.rpc.ErrorInfo.domain of every error this service reports. */
export const ERROR_DOMAIN = "orchestrator.ceph.io";

/** ErrorInfo.reason of an unexpected error. */
export const INTERNAL_REASON = "INTERNAL";

/** The google.rpc code for an error; anything unexpected is INTERNAL. */
export function statusCodeFor(err: unknown): Code {
  return err instanceof OrchestratorError ? err.code : Code.INTERNAL;
}

/**
 * The google.rpc.Status for an error: code, message and details (always an ErrorInfo, plus
 * the error's own detail if it has one), within STATUS_LIMITS. An unexpected error becomes
 * INTERNAL "internal error" without its message or stack; the caller logs the real error.
 */
export function errorToStatus(err: unknown): Status {
  const code = statusCodeFor(err);
  if (!(err instanceof OrchestratorError)) {
    return {
      code,
      message: "internal error",
      details: [packDetail("google.rpc.ErrorInfo", ErrorInfo, { reason: INTERNAL_REASON, domain: ERROR_DOMAIN, metadata: {} })],
    };
  }
  const metadata = Object.fromEntries(Object.entries(err.metadata).map(([k, v]) => [k, clipBytes(v, STATUS_LIMITS.metadataValue)]));
  const details = [packDetail("google.rpc.ErrorInfo", ErrorInfo, { reason: err.reason, domain: ERROR_DOMAIN, metadata })];
  const extra = err.statusDetail();
  if (extra) details.push(extra);
  return { code, message: clipBytes(err.message, STATUS_LIMITS.message), details };
}
