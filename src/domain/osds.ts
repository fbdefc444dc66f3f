// OSDs: create from drive groups (and preview), replace, remove through a removal queue.
import { Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { type DriveGroupSpec, type OsdHostPlan, type OsdRemoval, OsdRemoval_State } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import {
  type CreateOsdsRequest,
  type GetOsdRemovalStatusResponse,
  OsdServiceService,
  type PreviewOsdsRequest,
  type PreviewOsdsResponse,
  RemoveOsdsRequest,
  ReplaceOsdsRequest,
} from "../../gen/ts/ceph_orchestrator/v1/osd_service.js";
import { type DaemonDescription, ServiceAction, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { StepContext } from "../backend/backend.js";
import type { OperationRun, WritePlan } from "../operations/engine.js";
import { nowTimestamp, timestampMs } from "../backend/timestamps.js";
import { type Deps, settleAll, stepContext, writePlan } from "./context.js";
import { matchHosts, planOsds, validateDriveGroup } from "./drive-group.js";
import { schedulable } from "./placement.js";
import { CancelledError, NotFoundError, ValidationError } from "./errors.js";
import { Violations, validateRequestId } from "./fields.js";
import { serviceName, typeName } from "../backend/ceph-names.js";
import type { RemovalEntry } from "./orchestrator-state.js";
import { type WriteUseCase, fullName } from "./registry-types.js";

const MAX_OSD_IDS = 1000;
/** How often a removal looks again whether its OSD is safe to destroy. */
const SAFETY_POLL_MS = 200;
/** Finished removals stay visible in the queue this long. */
const FINISHED_REMOVAL_TTL_MS = 60 * 60 * 1000;

/** The options of a drive group that a backend may not support. */
export const DRIVE_GROUP_OPTIONS = [
  "spec.db_devices",
  "spec.wal_devices",
  "spec.journal_devices",
  "spec.data_directories",
  "spec.osds_per_device",
  "spec.objectstore",
  "spec.encrypted",
  "spec.db_slots",
  "spec.wal_slots",
] as const;

/**
 * Validates a drive group against the cluster. A claimed id must be an OSD of the host it is
 * claimed for: for CreateOsds a destroyed one (or a free id), for ReplaceOsds (`replacing`)
 * any existing one, which it destroys first if needed.
 */
async function validateDriveGroupSpec(deps: Deps, spec: DriveGroupSpec | undefined, replacing = false): Promise<void> {
  if (!spec) throw new ValidationError([{ field: "spec", description: "is required" }]);
  const hostnames = (await deps.backend.listHosts()).map((h) => h.hostname);
  const violations = validateDriveGroup(spec, hostnames, "spec");
  if (replacing && Object.keys(spec.osdIdClaims).length === 0) {
    violations.push({ field: "spec.osd_id_claims", description: "name the OSDs to replace, per host" });
  }
  if (violations.length > 0) throw new ValidationError(violations);
  const claims = Object.entries(spec.osdIdClaims);
  const osds = claims.length > 0 ? await deps.backend.listOsds!() : [];
  for (const [host, list] of claims) {
    list.osdIds.forEach((id, i) => {
      const field = `spec.osd_id_claims["${host}"].osd_ids[${i}]`;
      const osd = osds.find((o) => o.osdId === id);
      if (replacing && !osd) throw new NotFoundError("osd", `osd.${id}`);
      if (osd && osd.hostname !== host) {
        violations.push({ field, description: `osd.${id} is on host '${osd.hostname}', not '${host}'` });
      } else if (!replacing && osd && !osd.destroyed) {
        violations.push({ field, description: `osd.${id} is in use; only the ids of destroyed OSDs can be claimed` });
      }
    });
  }
  if (violations.length > 0) throw new ValidationError(violations);
}

/**
 * The OSDs a drive group creates per host. As cephadm does, the ids of a host's destroyed
 * OSDs (`osd rm --replace`) go to its next OSDs, lowest first, unless the spec claims ids for
 * that host itself.
 */
export async function planDriveGroup(deps: Deps, spec: DriveGroupSpec): Promise<OsdHostPlan[]> {
  const hosts = matchHosts(
    spec.hostPattern,
    (await deps.backend.listHosts()).filter(schedulable).map((h) => h.hostname),
  );
  const claims = { ...(await destroyedByHost(deps)), ...spec.osdIdClaims };
  return planOsds({ ...spec, osdIdClaims: claims }, await deps.backend.getInventory!(hosts, false));
}

/** The ids of each host's destroyed OSDs, ascending; none where the backend cannot list OSDs. */
async function destroyedByHost(deps: Deps): Promise<Record<string, { osdIds: number[] }>> {
  const out: Record<string, { osdIds: number[] }> = {};
  if (!deps.backend.listOsds) return out;
  for (const osd of (await deps.backend.listOsds()).filter((o) => o.destroyed).sort((a, b) => a.osdId - b.osdId)) {
    (out[osd.hostname] ??= { osdIds: [] }).osdIds.push(osd.osdId);
  }
  return out;
}

export async function validatePreviewOsds(deps: Deps, req: PreviewOsdsRequest): Promise<void> {
  await validateDriveGroupSpec(deps, req.spec);
}

export async function previewOsds(deps: Deps, req: PreviewOsdsRequest): Promise<PreviewOsdsResponse> {
  return { hosts: await planDriveGroup(deps, req.spec!) };
}

export const createOsds: WriteUseCase<CreateOsdsRequest> = {
  validate: async (deps, req) => {
    await validateDriveGroupSpec(deps, req.spec);
    new Violations().addAll(validateRequestId(req.requestId)).throwIfAny();
  },
  plan: async (deps, req) =>
    createOsdsPlan(
      deps,
      req,
      (await planDriveGroup(deps, req.spec!)).map((p) => p.hostname),
    ),
  rebuild: (deps, req, op) => createOsdsPlan(deps, req, op.hosts),
};

function createOsdsPlan(deps: Deps, req: CreateOsdsRequest, hosts: string[]): WritePlan {
  const spec = req.spec!;
  return writePlan(
    fullName(OsdServiceService.createOsds),
    req,
    `Create OSDs from drive group '${spec.serviceId || "default"}' on ${hosts.length} host(s)`,
    hosts,
    async (run) => ({ result: { $case: "osds", value: { osds: await runCreate(deps, run, spec) } } }),
  );
}

/**
 * Records the drive group as its OSD service's spec (the reconciler applies it to devices
 * that become available later; ids claimed once are not kept), then creates its OSDs unless
 * it is unmanaged. Plans again when it runs, so a repeated or resumed request skips
 * consumed devices.
 */
export async function runCreate(deps: Deps, run: OperationRun, spec: DriveGroupSpec) {
  const name = serviceName(ServiceType.SERVICE_TYPE_OSD, spec.serviceId || "default");
  await deps.backend.saveService!(stepContext(run), {
    serviceType: ServiceType.SERVICE_TYPE_OSD,
    serviceId: spec.serviceId || "default",
    serviceName: name,
    placement: { label: "", hosts: [], count: 0, hostPattern: spec.hostPattern },
    created: nowTimestamp(),
    radosConfigLocation: "",
    serviceUrl: "",
    details: { $case: "driveGroup", value: { ...spec, osdIdClaims: {} } },
    unmanaged: spec.unmanaged,
  });
  if (spec.unmanaged) return [];
  const plans = await planDriveGroup(deps, spec);
  await addUnstarted(deps, plans, spec.serviceId || "default");
  const total = plans.reduce((n, p) => n + p.osds.length, 0);
  let done = 0;
  const perHost = await settleAll(
    plans
      .filter((p) => p.osds.length > 0)
      .map((p) =>
        run.onHost(p.hostname, `host ${p.hostname}`, async (ctx) => {
          const created = [];
          for (const [i, osd] of p.osds.entries()) {
            if (ctx.signal.aborted) throw new CancelledError();
            ctx.progress(i / p.osds.length, `creating OSD on ${osd.data}`);
            created.push(await deps.backend.createOsd!(ctx, p.hostname, osd, name, spec.encrypted));
            run.progress(++done / total, `${done} of ${total} OSDs created`);
          }
          return created;
        }),
      ),
  );
  return perHost.flat();
}

/**
 * An earlier attempt of this drive group (cancelled, failed, or cut by a restart) may have
 * prepared an OSD that never started: its device already carries the OSD's block LV, so the
 * planner passes it over. Such OSDs are planned again by their id, and the backend starts
 * them.
 */
async function addUnstarted(deps: Deps, plans: OsdHostPlan[], serviceId: string): Promise<void> {
  if (plans.length === 0) return;
  const running = new Set((await osdDaemons(deps)).map((d) => d.daemonId));
  for (const host of await deps.backend.getInventory!(
    plans.map((p) => p.hostname),
    false,
  )) {
    const plan = plans.find((p) => p.hostname === host.hostname)!;
    for (const device of host.devices) {
      const lv = device.lvs.find((l) => l.type === "block" && l.osdspecAffinity === serviceId && !running.has(String(l.osdId)));
      if (lv && !plan.osds.some((o) => o.data === device.path)) {
        plan.osds.push({ data: device.path, db: "", wal: "", journal: "", osdId: lv.osdId, sizeBytes: device.sizeBytes });
      }
    }
  }
}

export const replaceOsds: WriteUseCase<ReplaceOsdsRequest> = {
  validate: async (deps, req) => {
    await validateDriveGroupSpec(deps, req.spec, true);
    new Violations().addAll(validateRequestId(req.requestId)).throwIfAny();
  },
  plan: (deps, req) => Promise.resolve(replaceOsdsPlan(deps, req)),
  rebuild: (deps, req) => replaceOsdsPlan(deps, req),
};

function replaceOsdsPlan(deps: Deps, req: ReplaceOsdsRequest): WritePlan {
  const spec = req.spec!;
  const claimed = Object.values(spec.osdIdClaims).flatMap((c) => c.osdIds);
  return writePlan(
    fullName(OsdServiceService.replaceOsds),
    req,
    `Replace OSDs ${claimed.join(", ")}`,
    Object.keys(spec.osdIdClaims),
    async (run) => {
      // Those already destroyed (e.g. before a restart) are left alone.
      const osds = await osdDaemons(deps);
      const targets = claimed.flatMap((id) => osds.filter((d) => d.daemonId === String(id)));
      await settleAll(targets.map((d) => removeOne(deps, run, d, { replace: true, force: false })));
      return { result: { $case: "osds", value: { osds: await runCreate(deps, run, spec) } } };
    },
  );
}

function queue(deps: Deps): Map<number, RemovalEntry> {
  return deps.state.removals;
}

export const removeOsds: WriteUseCase<RemoveOsdsRequest> = {
  validate: (_deps, req) => {
    const v = new Violations();
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
    `Remove OSDs ${req.osdIds.join(", ")}${req.replace ? " for replacement" : ""}${req.force ? " (forced)" : ""}`,
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

function alreadyRemoved(osdId: number, operationId: string, opts: { replace: boolean; force: boolean }): OsdRemoval {
  return {
    osdId,
    hostname: "",
    state: OsdRemoval_State.STATE_DONE,
    replace: opts.replace,
    force: opts.force,
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
  opts: { replace: boolean; force: boolean },
): Promise<OsdRemoval> {
  const id = Number(daemon.daemonId);
  const entry: RemovalEntry = {
    osdId: id,
    hostname: daemon.hostname,
    state: OsdRemoval_State.STATE_PENDING,
    replace: opts.replace,
    force: opts.force,
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
      if (opts.replace) await deps.backend.destroyOsd!(ctx, id);
      else await deps.backend.purgeOsd!(ctx, id);
    });
    set(OsdRemoval_State.STATE_DONE, opts.replace ? "destroyed; its id is kept for a replacement" : "purged");
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
      const { replace, force } = removal;
      out.push({
        osdId,
        hostname: task.hostname,
        state,
        replace,
        force,
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
function removalOf(method: string, request: unknown): { osdIds: number[]; replace: boolean; force: boolean } | undefined {
  if (request === undefined) return undefined;
  if (method === fullName(OsdServiceService.removeOsds)) {
    const r = RemoveOsdsRequest.fromPartial(request as RemoveOsdsRequest);
    return { osdIds: r.osdIds, replace: r.replace, force: r.force };
  }
  const r = ReplaceOsdsRequest.fromPartial(request as ReplaceOsdsRequest);
  return { osdIds: Object.values(r.spec?.osdIdClaims ?? {}).flatMap((c) => c.osdIds), replace: true, force: false };
}

async function osdDaemons(deps: Deps): Promise<DaemonDescription[]> {
  return (await deps.backend.listDaemons!(false)).filter((d) => d.daemonType === ServiceType.SERVICE_TYPE_OSD);
}
