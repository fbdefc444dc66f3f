// Bridges the operations engine to grpc-js: operation snapshots onto a server stream, ended
// by OK or by the error's gRPC status (src/security/grpc-status.ts).
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { toServiceError } from "../security/grpc-status.js";

/**
 * Writes each operation snapshot to the stream, honouring back-pressure, and ends it with
 * OK after the last one. A client cancel (or deadline) aborts the signal given to
 * `updates`, which detaches the watcher; the operation itself goes on. An error from the
 * updates becomes the stream's status.
 */
export async function streamOperations<Res>(
  call: grpc.ServerWritableStream<unknown, Res>,
  updates: (signal: AbortSignal) => AsyncIterable<Operation>,
  wrap: (op: Operation) => Res,
  log: Logger,
  limit?: StreamLimit,
): Promise<void> {
  const detach = new AbortController();
  const onCancelled = () => detach.abort();
  call.on("cancelled", onCancelled);
  if (call.cancelled) detach.abort();
  let limited = false;
  const timer = limit
    ? setTimeout(() => {
        limited = true;
        detach.abort();
      }, limit.maxMs)
    : undefined;
  timer?.unref();
  try {
    for await (const op of updates(detach.signal)) {
      if (detach.signal.aborted) break;
      if (!call.write(wrap(op))) await drained(call, detach.signal);
    }
    if (limited && !call.cancelled) call.emit("error", toServiceError(limit!.error(), log));
    else if (!detach.signal.aborted) call.end();
  } catch (err) {
    // After a cancel nobody is listening; the status could not be delivered.
    if (!detach.signal.aborted) call.emit("error", toServiceError(err, log));
  } finally {
    clearTimeout(timer);
    call.off("cancelled", onCancelled);
  }
}

/** The longest a stream may last; then it ends with `error()` (RESOURCE_EXHAUSTED). */
export interface StreamLimit {
  maxMs: number;
  error: () => unknown;
}

/** Resolves on 'drain', or at once when the call goes away. */
function drained(call: NodeJS.EventEmitter, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      call.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    call.on("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}
