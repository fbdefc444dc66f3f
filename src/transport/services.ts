// The gRPC handlers, derived from the RPC registry (src/domain/registry.ts): one handler per
// kind of entry (read, command, write, watch), never one per RPC. They decode nothing
// themselves (ts-proto does), run the entry's use case, and map results and errors onto
// grpc-js calls. No domain rules here.
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { ensureSupported } from "../domain/capabilities.js";
import { type Deps, fingerprint } from "../domain/context.js";
import { answer, submitWrite } from "../domain/dispatch.js";
import { NoBackendError, RequestIdReusedError, ResourceExhaustedError } from "../domain/errors.js";
import { REGISTRY, type RegisteredRpc, rpcByPath } from "../domain/registry.js";
import type { ReadEntry, WatchEntry } from "../domain/registry-types.js";
import type { Auditor } from "../security/audit.js";
import { toServiceError } from "../security/grpc-status.js";
import { callerOf } from "../security/interceptor.js";
import { type StreamLimit, streamOperations } from "./operation-stream.js";
import { ensureDecoded, withCheckedRequests } from "./wire-check.js";

export interface ServiceOptions {
  /** Gets a line for every write (src/security/audit.ts). */
  audit?: Auditor;
  /** The longest a WatchOperation stream lasts; then it ends RESOURCE_EXHAUSTED (re-attach). */
  maxWatchMs?: number;
}

type Request = Record<string, unknown>;
type Handler = grpc.UntypedHandleCall;

/** `deps` undefined means no backend is configured: every RPC but status answers NO_BACKEND. */
export function addOrchestratorServices(server: grpc.Server, deps: Deps | undefined, log: Logger, opts: ServiceOptions = {}): void {
  const { audit } = opts;
  /** The dependencies of a call, once it is known the backend has what the RPC needs. */
  const ready = (rpc: RegisteredRpc): Deps => {
    if (!deps) throw new NoBackendError("No orchestrator backend is configured (set --backend)");
    ensureSupported(deps.backend, rpc);
    return deps;
  };

  function unary(rpc: RegisteredRpc, answer: (call: grpc.ServerUnaryCall<Request, unknown>) => unknown, audited = false): Handler {
    const handler: grpc.handleUnaryCall<Request, unknown> = (call, callback) => {
      Promise.resolve()
        .then(() => answer(call))
        .then(
          (res) => {
            if (audited) audit?.answered(callerOf(call.metadata), rpc.fullName, call.request, (res as { operation?: Operation }).operation?.id);
            callback(null, res);
          },
          (err: unknown) => {
            if (audited) audit?.refused(callerOf(call.metadata), rpc.fullName, call.request, err);
            callback(toServiceError(err, log));
          },
        );
    };
    return handler as Handler;
  }

  function read(rpc: RegisteredRpc, entry: ReadEntry<never, unknown>): Handler {
    return unary(rpc, (call) => {
      if (!deps && entry.withoutBackend) return entry.withoutBackend();
      const d = ready(rpc);
      ensureDecoded(call.request);
      const gone = new AbortController();
      call.on("cancelled", () => gone.abort());
      return answer(d, rpc, call.request, gone.signal);
    });
  }

  function command(rpc: RegisteredRpc): Handler {
    return unary(
      rpc,
      (call) => {
        const d = ready(rpc);
        ensureDecoded(call.request);
        return answer(d, rpc, call.request, new AbortController().signal);
      },
      true,
    );
  }

  /** A write: run the use case, then stream its operation from the ACCEPTED snapshot on. */
  function write(rpc: RegisteredRpc): Handler {
    const handler: grpc.handleServerStreamingCall<Request, unknown> = (call) => {
      void streamOperations(
        call,
        async function* (signal) {
          const caller = callerOf(call.metadata);
          let d: Deps;
          let op: Operation;
          let known: Operation | undefined;
          try {
            d = ready(rpc);
            ensureDecoded(call.request);
            // A retry returns its operation before any check that the operation itself may
            // have made fail (e.g. "the host exists"). A request_id reused for another
            // request is refused by the engine's submit, after the use case has validated
            // the request: invalid input is INVALID_ARGUMENT whatever its request_id.
            const { requestId } = call.request as { requestId?: string };
            try {
              known = requestId ? d.engine.byRequest(requestId, rpc.fullName, fingerprint(call.request)) : undefined;
            } catch (err) {
              if (!(err instanceof RequestIdReusedError)) throw err;
            }
            op = known ?? (await submitWrite(d, rpc, call.request as Request & { requestId: string }));
          } catch (err) {
            audit?.refused(caller, rpc.fullName, call.request, err);
            throw err;
          }
          audit?.accepted(caller, rpc.fullName, call.request, op, d.engine.whenDone(op.id), known !== undefined);
          yield* d.engine.watch(op.id, signal);
        },
        (operation) => ({ operation }),
        log,
      );
    };
    return handler as Handler;
  }

  function watch(rpc: RegisteredRpc, entry: WatchEntry<never>): Handler {
    const maxMs = opts.maxWatchMs;
    const limit: StreamLimit | undefined =
      maxMs === undefined
        ? undefined
        : {
            maxMs,
            error: () =>
              new ResourceExhaustedError("WATCH_LIMIT", `a watch lasts at most ${maxMs / 1000} s: call WatchOperation again to go on`, 0, {
                maxWatchSeconds: String(maxMs / 1000),
              }),
          };
    const handler: grpc.handleServerStreamingCall<Request, unknown> = (call) => {
      void streamOperations(
        call,
        async function* (signal) {
          const d = ready(rpc);
          ensureDecoded(call.request);
          yield* d.engine.watch((entry.operationId as (d: Deps, r: Request) => string)(d, call.request), signal);
        },
        (operation) => ({ operation }),
        log,
        limit,
      );
    };
    return handler as Handler;
  }

  function handlerFor(rpc: RegisteredRpc): Handler {
    const { entry } = rpc;
    switch (entry.kind) {
      case "read":
        return read(rpc, entry);
      case "command":
        return command(rpc);
      case "write":
        return write(rpc);
      case "watch":
        return watch(rpc, entry);
    }
  }

  for (const service of REGISTRY) {
    const handlers: Record<string, Handler> = {};
    for (const [key, method] of Object.entries(service.definition)) {
      handlers[key] = handlerFor(rpcByPath(method.path)!);
    }
    // Each request's bytes are checked before they are decoded (wire-check.ts).
    server.addService(withCheckedRequests(service.definition as unknown as grpc.ServiceDefinition), handlers);
  }
}
