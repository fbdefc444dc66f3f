// Removing OSDs through upstream's removal queue (GetOsdRemovalStatus, `ceph orch osd rm
// status`): each OSD is marked out, drained until it is safe to destroy (unless forced),
// stopped, then purged (or destroyed, keeping its id for a replacement), and its devices
// zapped when asked. RemoveOsds, ReplaceOsds and DrainHost share removeOne.
import { Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { type OsdRemoval, OsdRemoval_State } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import {
  type GetOsdRemovalStatusResponse,
  OsdServiceService,
  RemoveOsdsRequest,
  ReplaceOsdsRequest,
} from "../../gen/ts/ceph_orchestrator/v1/osd_service.js";
import { type DaemonDescription, ServiceAction, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { StepContext } from "../backend/backend.js";
import { typeName } from "../backend/ceph-names.js";
import { nowTimestamp, timestampMs } from "../backend/timestamps.js";
import type { OperationRun, WritePlan } from "../operations/engine.js";
import { type Deps, settleAll, writePlan } from "./context.js";
import { CancelledError, NotFoundError } from "./errors.js";
import { Violations, validateRequestId } from "./fields.js";
import type { RemovalEntry } from "./orchestrator-state.js";
import { type WriteUseCase, fullName } from "./registry-types.js";

const MAX_OSD_IDS = 1000;
/** How often a removal looks again whether its OSD is safe to destroy. */
const SAFETY_POLL_MS = 200;
/** Finished removals stay visible in the queue this long. */
const FINISHED_REMOVAL_TTL_MS = 60 * 60 * 1000;

export async function osdDaemons(deps: Deps): Promise<DaemonDescription[]> {
  return (await deps.backend.listDaemons!(false)).filter((d) => d.daemonType === ServiceType.SERVICE_TYPE_OSD);
}

/** How one OSD goes. */
export interface RemovalOptions {
  replace: boolean;
  force: boolean;
  zap: boolean;
}

function queue(deps: Deps): Map<number, RemovalEntry> {
  return deps.state.removals;
}

export const removeOsds: WriteUseCase<RemoveOsdsRequest> = {
  validate: (deps, req) => {
    const v = new Violations();
    v.check(!req.zap || (deps.backend.zapDevice !== undefined && deps.backend.getInventory !== undefined), "zap", `backend '${deps.backend.name}' cannot zap devices`);
    v.check(req.osdIds.length > 0, "osd_ids", "at least one OSD id is required");
    v.check(req.osdIds.length <= MAX_OSD_IDS, "osd_ids", `at most ${MAX_OSD_IDS} ids`);
    req.osdIds.forEach((id, i) => v.check(Number.isInteger(id) && id >= 0, `osd_ids[${i}]`, "must be 0 or more"));
    v.check(new Set(req.osdIds).size === req.osdIds.length, "osd_ids", "ids must be unique");
    v.addAll(validateRequestId(req.requestId));
    v.throwIfAny();
  },
  plan: async (deps, req) => {
    const osds = await osdDaemons(deps);
    const targets = req.osdIds.map((id) => {
      const d = osds.find((o) => o.daemonId === String(id));
      if (!d) throw new NotFoundError("osd", `osd.${id}`);
      return d;
    });
    return removeOsdsPlan(deps, req, [...new Set(targets.map((d) => d.hostname))]);
  },
  rebuild: (deps, req, op) => removeOsdsPlan(deps, req, op.hosts),
};

function removeOsdsPlan(deps: Deps, req: RemoveOsdsRequest, hosts: string[]): WritePlan {
  return writePlan(
    fullName(OsdServiceService.removeOsds),
    req,
    `Remove OSDs ${req.osdIds.join(", ")}${req.replace ? " for replacement" : ""}${req.zap ? ", zapping their devices" : ""}${req.force ? " (forced)" : ""}`,
    hosts,
    async (run) => {
      const osds = await osdDaemons(deps);
      const done = await settleAll(
        req.osdIds.map((id) => {
          const daemon = osds.find((d) => d.daemonId === String(id));
          // Gone already: removed before a restart, when this operation runs again.
          return daemon ? removeOne(deps, run, daemon, req) : Promise.resolve(alreadyRemoved(id, run.id, req));
        }),
      );
      return { result: { $case: "osdRemovals", value: { removals: done } } };
    },
  );
}

function alreadyRemoved(osdId: number, operationId: string, opts: RemovalOptions): OsdRemoval {
  return {
    osdId,
    hostname: "",
    state: OsdRemoval_State.STATE_DONE,
    replace: opts.replace,
    force: opts.force,
    zap: opts.zap,
    pgCount: 0,
    started: nowTimestamp(),
    message: "already removed",
    operationId,
  };
}

/** Out, wait until safe to destroy (unless forced), stop, then purge or destroy. */
export async function removeOne(
  deps: Deps,
  run: OperationRun,
  daemon: DaemonDescription,
  opts: RemovalOptions,
): Promise<OsdRemoval> {
  const id = Number(daemon.daemonId);
  const entry: RemovalEntry = {
    osdId: id,
    hostname: daemon.hostname,
    state: OsdRemoval_State.STATE_PENDING,
    replace: opts.replace,
    force: opts.force,
    zap: opts.zap,
    pgCount: 0,
    started: nowTimestamp(),
    message: "waiting to start",
    operationId: run.id,
  };
  queue(deps).set(id, entry);
  const set = (state: OsdRemoval_State, message: string) => Object.assign(entry, { state, message });
  try {
    await run.onHost(daemon.hostname, daemon.daemonName, async (ctx: StepContext) => {
      set(OsdRemoval_State.STATE_DRAINING, "marking out");
      await deps.backend.markOsdOut!(ctx, id);
      for (;;) {
        const safety = await deps.backend.osdSafety!(id);
        entry.pgCount = safety.pgCount;
        // The backend's word, and no placement group left on it: either alone may be stale.
        if ((safety.safeToDestroy && safety.pgCount === 0) || opts.force) break;
        set(OsdRemoval_State.STATE_DRAINING, `draining: ${safety.pgCount} PGs left`);
        ctx.progress(0.2, entry.message);
        if (ctx.signal.aborted) throw new CancelledError();
        await new Promise((r) => setTimeout(r, SAFETY_POLL_MS));
      }
      if (ctx.signal.aborted) throw new CancelledError();
      set(OsdRemoval_State.STATE_STOPPING, "stopping the daemon");
      ctx.progress(0.6, entry.message);
      await deps.backend.daemonAction!(ctx, daemon, ServiceAction.SERVICE_ACTION_STOP);
      // Its devices, found while it still has them.
      const devices = opts.zap ? await devicesOf(deps, daemon.hostname, id) : [];
      if (opts.replace) await deps.backend.destroyOsd!(ctx, id);
      else await deps.backend.purgeOsd!(ctx, id);
      for (const path of devices) {
        set(OsdRemoval_State.STATE_STOPPING, `zapping ${path}`);
        await deps.backend.zapDevice!(ctx, daemon.hostname, path);
      }
    });
    const gone = opts.replace ? "destroyed; its id is kept for a replacement" : "purged";
    set(OsdRemoval_State.STATE_DONE, opts.zap ? `${gone}; its devices zapped` : gone);
    return { ...entry };
  } catch (err) {
    if (err instanceof CancelledError) set(OsdRemoval_State.STATE_CANCELLED, "removal stopped");
    else set(OsdRemoval_State.STATE_FAILED, err instanceof Error ? err.message : String(err));
    throw err;
  } finally {
    entry.finishedAt = Date.now();
  }
}

export async function getOsdRemovalStatus(deps: Deps): Promise<GetOsdRemovalStatusResponse> {
  const q = queue(deps);
  const now = Date.now();
  for (const [id, r] of q) if (r.finishedAt !== undefined && now - r.finishedAt > FINISHED_REMOVAL_TTL_MS) q.delete(id);
  const removals = new Map<number, OsdRemoval>([...q].map(([id, { finishedAt: _f, ...r }]) => [id, r]));
  // The queue lives in memory: removals that ended before a restart come back from the journal.
  for (const r of journaledRemovals(deps, now)) if (!removals.has(r.osdId)) removals.set(r.osdId, r);
  return { removals: [...removals.values()].sort((a, b) => a.osdId - b.osdId) };
}

const TASK_TO_REMOVAL: Partial<Record<Operation_State, OsdRemoval_State>> = {
  [Operation_State.STATE_SUCCEEDED]: OsdRemoval_State.STATE_DONE,
  [Operation_State.STATE_FAILED]: OsdRemoval_State.STATE_FAILED,
  [Operation_State.STATE_CANCELLED]: OsdRemoval_State.STATE_CANCELLED,
};

/**
 * The removals of RemoveOsds and ReplaceOsds operations that ended within the queue's time,
 * newest first: a succeeded RemoveOsds' result, else each OSD's task (how it ended, and why),
 * with the OSDs and options of the operation's journaled request.
 */
function journaledRemovals(deps: Deps, now: number): OsdRemoval[] {
  const out: OsdRemoval[] = [];
  const methods = [fullName(OsdServiceService.removeOsds), fullName(OsdServiceService.replaceOsds)];
  for (const op of deps.engine.list({ states: [], method: "", hostname: "" })) {
    if (!methods.includes(op.method) || !op.done || now - (timestampMs(op.endTime) ?? 0) > FINISHED_REMOVAL_TTL_MS) continue;
    const result =
      op.outcome?.$case === "result" && op.outcome.value.result?.$case === "osdRemovals" ? op.outcome.value.result.value : undefined;
    if (result) {
      out.push(...result.removals);
      continue;
    }
    const removal = removalOf(op.method, deps.engine.requestOf(op.id));
    if (!removal) continue;
    for (const osdId of removal.osdIds) {
      const task = op.tasks.find((t) => t.target === `${typeName(ServiceType.SERVICE_TYPE_OSD)}.${osdId}`);
      const state = task && TASK_TO_REMOVAL[task.state];
      if (!task || state === undefined) continue;
      const { replace, force, zap } = removal;
      out.push({
        osdId,
        hostname: task.hostname,
        state,
        replace,
        force,
        zap,
        pgCount: 0,
        started: op.createTime,
        message: task.message,
        operationId: op.id,
      });
    }
  }
  return out;
}

/** The OSDs a journaled RemoveOsds or ReplaceOsds request removes, and how. */
function removalOf(method: string, request: unknown): ({ osdIds: number[] } & RemovalOptions) | undefined {
  if (request === undefined) return undefined;
  if (method === fullName(OsdServiceService.removeOsds)) {
    const r = RemoveOsdsRequest.fromPartial(request as RemoveOsdsRequest);
    return { osdIds: r.osdIds, replace: r.replace, force: r.force, zap: r.zap };
  }
  const r = ReplaceOsdsRequest.fromPartial(request as ReplaceOsdsRequest);
  return { osdIds: Object.values(r.spec?.osdIdClaims ?? {}).flatMap((c) => c.osdIds), replace: true, force: false, zap: false };
}

/**
 * The devices that hold only this OSD's volumes (data, DB, WAL), from its host's inventory. A
 * device it shares with other OSDs (a DB device) keeps theirs: it is not zapped.
 */
async function devicesOf(deps: Deps, hostname: string, osdId: number): Promise<string[]> {
  const [host] = await deps.backend.getInventory!([hostname], true);
  return (host?.devices ?? []).filter((d) => d.lvs.length > 0 && d.lvs.every((lv) => lv.osdId === osdId)).map((d) => d.path);
}
