// The OperationService use cases: validation in front of the engine's queries.
import { Operation_Origin, Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type {
  CancelOperationRequest,
  CancelOperationResponse,
  GetOperationRequest,
  GetOperationResponse,
  ListOperationsRequest,
  ListOperationsResponse,
  WaitOperationsRequest,
  WaitOperationsResponse,
  WatchOperationRequest,
} from "../../gen/ts/ceph_orchestrator/v1/operation_service.js";
import type { Deps } from "./context.js";
import { ResourceExhaustedError } from "./errors.js";
import { Violations, validateEnum, validateHostname, validatePageSize, validateString } from "./fields.js";
import { paginate, validatePageToken } from "./pagination.js";

const MAX_WAIT_IDS = 1000;
/** The longest wait unless configured otherwise (--max-wait). */
export const MAX_WAIT_MS = 3600 * 1000;

function checkOperationId(id: string, field = "id"): void {
  const v = new Violations();
  v.check(id !== "", field, "is required");
  v.check(/^[0-9a-fA-F-]{0,64}$/.test(id), field, "must be an operation id (a UUID)");
  v.throwIfAny();
}

export function getOperation(deps: Deps, req: GetOperationRequest): GetOperationResponse {
  checkOperationId(req.id);
  return { operation: deps.engine.get(req.id) };
}

export function cancelOperation(deps: Deps, req: CancelOperationRequest): CancelOperationResponse {
  checkOperationId(req.id);
  return { operation: deps.engine.cancel(req.id) };
}

/** The operation a WatchOperation follows. */
export function watchedOperation(_deps: Deps, req: WatchOperationRequest): string {
  checkOperationId(req.id);
  return req.id;
}

export function listOperations(deps: Deps, req: ListOperationsRequest): ListOperationsResponse {
  const v = new Violations();
  req.states.forEach((s, i) => v.addAll(validateEnum(s, Operation_State, `states[${i}]`, true)));
  v.addAll(validateString(req.method, "method", 256));
  v.addAll(validateEnum(req.origin, Operation_Origin, "origin", false));
  if (req.hostname !== "") v.addAll(validateHostname(req.hostname, "hostname"));
  v.addAll(validatePageSize(req.pageSize));
  v.addAll(validatePageToken(req.pageToken));
  v.throwIfAny();
  const all = deps.engine.list({ states: req.states, method: req.method, hostname: req.hostname, origin: req.origin });
  const query = `operations:${[...req.states].sort().join(",")}:${req.method}:${req.hostname}:${req.origin}`;
  const { page, nextPageToken, totalSize } = paginate(all, req.pageSize, req.pageToken, query);
  return { operations: page, nextPageToken, totalSize };
}

/**
 * Waits up to the request's timeout, and at most `maxWaitMs`. A longer timeout whose wait
 * reaches `maxWaitMs` with operations still running answers RESOURCE_EXHAUSTED with
 * RetryInfo: calling again goes on waiting.
 */
export async function waitOperations(deps: Deps, req: WaitOperationsRequest, signal: AbortSignal): Promise<WaitOperationsResponse> {
  const maxWaitMs = deps.maxWaitMs ?? MAX_WAIT_MS;
  const v = new Violations();
  v.check(req.ids.length > 0, "ids", "at least one operation id is required");
  v.check(req.ids.length <= MAX_WAIT_IDS, "ids", `at most ${MAX_WAIT_IDS} ids`);
  const seconds = Number(req.timeout?.seconds ?? "0");
  const nanos = req.timeout?.nanos ?? 0;
  v.check(Number.isFinite(seconds) && seconds >= 0 && nanos >= 0 && nanos < 1e9, "timeout", "must be a non-negative duration");
  v.throwIfAny();
  req.ids.forEach((id, i) => checkOperationId(id, `ids[${i}]`));
  const requestedMs = seconds * 1000 + nanos / 1e6;
  const result = await deps.engine.wait(req.ids, Math.min(requestedMs, maxWaitMs), signal);
  if (!result.allDone && requestedMs > maxWaitMs && !signal.aborted) {
    throw new ResourceExhaustedError(
      "WAIT_LIMIT",
      `a wait lasts at most ${maxWaitMs / 1000} s and these operations are still running: call WaitOperations again to go on waiting`,
      0,
      { maxWaitSeconds: String(maxWaitMs / 1000) },
    );
  }
  return result;
}
