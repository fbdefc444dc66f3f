// Runs an RPC's use case from its registry entry, the same way for every RPC: validation,
// then the backend's unsupported options, then the answer or the write's plan. Also rebuilds
// the plan of a journaled write that had not ended when the service stopped, so that the
// engine can run it again under the same id (plans are idempotent: they look at the cluster
// as it is now and skip what already happened).
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { WritePlan } from "../operations/engine.js";
import { ensureRequestOptionsSupported, isSupported } from "./capabilities.js";
import type { Deps } from "./context.js";
import { type RegisteredRpc, rpcByName } from "./registry.js";
import type { ReadEntry, WriteEntry } from "./registry-types.js";

async function checkRequest(deps: Deps, rpc: RegisteredRpc, req: object): Promise<void> {
  await (rpc.entry.validate as ((d: Deps, r: object) => void | Promise<void>) | undefined)?.(deps, req);
  ensureRequestOptionsSupported(deps.backend, rpc, req);
}

/** The answer of a read or a command, once the request is checked. */
export async function answer<Res>(deps: Deps, rpc: RegisteredRpc, req: object, signal: AbortSignal): Promise<Res> {
  await checkRequest(deps, rpc, req);
  return (rpc.entry as unknown as ReadEntry<object, Res>).call(deps, req, signal);
}

/** Checks and plans a write and submits the plan: the operation that answers the request. */
export async function submitWrite(deps: Deps, rpc: RegisteredRpc, req: { requestId: string }): Promise<Operation> {
  await checkRequest(deps, rpc, req);
  const planned = await (rpc.entry as unknown as WriteEntry<{ requestId: string }>).plan(deps, req);
  if (!("run" in planned)) return planned;
  const op = deps.engine.submit(planned);
  planned.accepted?.(op);
  return op;
}

/**
 * The plan to run a journaled, unfinished operation again, or undefined when it cannot be
 * resumed (an unknown method, or one the backend no longer supports): the engine then marks
 * it failed.
 */
export function resumePlan(deps: Deps, op: Operation, request: unknown): WritePlan | undefined {
  const rpc = rpcByName(op.method);
  if (rpc?.entry.kind !== "write" || !isSupported(deps.backend, rpc) || typeof request !== "object" || request === null) return undefined;
  return (rpc.entry as unknown as WriteEntry<{ requestId: string }>).rebuild(deps, request as { requestId: string }, op);
}
