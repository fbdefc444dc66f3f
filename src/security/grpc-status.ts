// An error as grpc-js sends it: code, message and the google.rpc.Status in the
// `grpc-status-details-bin` trailer. Shared by the security interceptor (a refused call) and
// the transport's handlers, so both answer the same way.
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import { Code } from "../../gen/ts/google/rpc/code.js";
import { Status } from "../../gen/ts/google/rpc/status.js";
import { errorToStatus } from "../operations/error-status.js";

export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/**
 * The gRPC error for a handler's callback or a stream's 'error' event. An unexpected error
 * is logged here, since the client only sees "internal error".
 */
export function toServiceError(err: unknown, log: Logger): Partial<grpc.StatusObject> {
  const status = errorToStatus(err);
  if (status.code === Code.INTERNAL) log.error({ err }, "unexpected error");
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(Status.encode(status).finish()));
  const code: grpc.status = status.code;
  return { code, details: status.message, metadata };
}
