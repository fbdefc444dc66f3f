// Reconciling one service: how far its daemons are from its stored spec (its drift), and the
// ReconcileService write that closes the gap. The reconciler (reconciler.ts) starts the same
// write by itself whenever a service drifts; both look at the cluster again when they run,
// so a resumed or repeated reconciliation does nothing twice.
import { Host_Status, type Host } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { Operation_Origin } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { DriveGroupSpec } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import {
  type DaemonDescription,
  DaemonDescription_Status,
  type HostPlacement,
  ServiceAction,
  ServiceType,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { type ReconcileServiceRequest, ServiceServiceService } from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import type { ServiceRecord } from "../backend/backend.js";
import { typeName } from "../backend/ceph-names.js";
import { daemonIdFor } from "../backend/daemon-ids.js";
import { nowTimestamp } from "../backend/timestamps.js";
import type { OperationRun, WritePlan } from "../operations/engine.js";
import { type Deps, settleAll, writePlan } from "./context.js";
import { FailedPreconditionError } from "./errors.js";
import { validateServiceWrite } from "./fields.js";
import { planDriveGroup, runCreate } from "./osds.js";
import { resolvePlacement } from "./placement.js";
import { type WriteUseCase, fullName } from "./registry-types.js";
import { describe, findService, summarize } from "./service-descriptions.js";

/** What a service lacks or has too much of. */
export interface Drift {
  /** Placements without a daemon. */
  missing: HostPlacement[];
  /** Daemons the placement no longer takes. */
  surplus: DaemonDescription[];
  /** Daemons that failed (not stopped by a client): redeployed. */
  failed: DaemonDescription[];
  /** OSDs its drive group would create on available devices. */
  osds: number;
  /** The hosts closing the drift works on, sorted. */
  hosts: string[];
}

/** Services whose daemons go one at a time, to keep mon quorum and a mgr. */
const ONE_AT_A_TIME: ReadonlySet<ServiceType> = new Set([ServiceType.SERVICE_TYPE_MON, ServiceType.SERVICE_TYPE_MGR]);

/** A host whose daemons can be changed now (a `_no_schedule` one can). Daemons on the others are left as they are. */
function reachable(h: Host | undefined): boolean {
  return h !== undefined && h.status !== Host_Status.STATUS_OFFLINE && h.status !== Host_Status.STATUS_MAINTENANCE;
}

/** The daemon part of a service's drift: placements without a daemon, daemons out of place, failed daemons. */
export function daemonDrift(record: ServiceRecord, hosts: readonly Host[], daemons: readonly DaemonDescription[]): Omit<Drift, "osds" | "hosts"> {
  const current = daemons.filter((d) => d.serviceName === record.serviceName);
  const planned = resolvePlacement(record.placement!, hosts, current);
  const plannedHosts = new Set(planned.map((p) => p.hostname));
  const byName = new Map(hosts.map((h) => [h.hostname, h]));
  const onReachable = current.filter((d) => reachable(byName.get(d.hostname)));
  // A host that is down or in maintenance keeps its daemons: they cannot be removed, and
  // they come back with it. Placement leaves such hosts out, so with a count the service
  // gets its daemons elsewhere meanwhile, as cephadm does.
  const surplus = onReachable.filter((d) => !plannedHosts.has(d.hostname));
  const haveHosts = new Set(current.map((d) => d.hostname));
  return {
    missing: planned.filter((p) => !haveHosts.has(p.hostname)),
    surplus,
    failed: onReachable.filter((d) => plannedHosts.has(d.hostname) && d.status === DaemonDescription_Status.STATUS_ERROR),
  };
}

/** The drive group an OSD service keeps, or undefined. */
export function driveGroupOf(record: ServiceRecord): DriveGroupSpec | undefined {
  return record.details?.$case === "driveGroup" ? record.details.value : undefined;
}

/** Whether the reconciler looks after the service: managed, with a placement or a drive group to keep. */
export function isReconciled(record: ServiceRecord): boolean {
  if (record.unmanaged) return false;
  return record.serviceType === ServiceType.SERVICE_TYPE_OSD ? driveGroupOf(record) !== undefined : record.placement !== undefined;
}

/** The service's whole drift as the cluster is now. */
export async function driftOf(deps: Deps, record: ServiceRecord, hosts: readonly Host[], daemons: readonly DaemonDescription[]): Promise<Drift> {
  const group = driveGroupOf(record);
  if (record.serviceType === ServiceType.SERVICE_TYPE_OSD) {
    // Devices that became available: data directories are planned every time (the inventory
    // does not say which hold an OSD), so they never count as drift.
    const plans = group && deps.backend.createOsd ? await planDriveGroup(deps, group) : [];
    const onDevices = plans.map((p) => ({ hostname: p.hostname, osds: p.osds.filter((o) => !group!.dataDirectories.includes(o.data)).length }));
    const osds = onDevices.reduce((n, p) => n + p.osds, 0);
    return { missing: [], surplus: [], failed: [], osds, hosts: onDevices.filter((p) => p.osds > 0).map((p) => p.hostname).sort() };
  }
  const d = daemonDrift(record, hosts, daemons);
  return { ...d, osds: 0, hosts: [...new Set([...d.missing, ...d.surplus, ...d.failed].map((x) => x.hostname))].sort() };
}

export function hasDrift(d: Drift): boolean {
  return d.missing.length + d.surplus.length + d.failed.length + d.osds > 0;
}

/**
 * Brings a recorded service's daemons to its placement as the cluster is now: deploys the
 * missing ones, then removes the extra ones, then redeploys failed ones. Mons and mgrs go
 * one at a time, to keep quorum and a mgr; the others all at once.
 */
export async function convergeDaemons(deps: Deps, run: OperationRun, record: ServiceRecord): Promise<void> {
  const daemons = await deps.backend.listDaemons!(false);
  const drift = daemonDrift(record, await deps.backend.listHosts(), daemons);
  const ids = new Set(daemons.filter((d) => d.serviceName === record.serviceName).map((d) => d.daemonId));
  const deploy = (p: HostPlacement) => deployOne(deps, run, record, p, ids);
  const remove = (d: DaemonDescription) => run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.removeDaemon!(ctx, d));
  const redeploy = (d: DaemonDescription) =>
    run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.daemonAction!(ctx, d, ServiceAction.SERVICE_ACTION_REDEPLOY));
  const steps: (() => Promise<unknown>)[] = [
    ...drift.missing.map((p) => () => deploy(p)),
    ...drift.surplus.map((d) => () => remove(d)),
    ...(deps.backend.daemonAction ? drift.failed.map((d) => () => redeploy(d)) : []),
  ];
  let done = 0;
  const step = async (s: () => Promise<unknown>) => {
    await s();
    run.progress(++done / steps.length, `${done} of ${steps.length} daemons changed`);
  };
  if (ONE_AT_A_TIME.has(record.serviceType)) {
    for (const s of steps) {
      run.throwIfCancelled();
      await step(s);
    }
  } else {
    // Deploy before removing, so that a moving service keeps running.
    await settleAll(drift.missing.map((_, i) => step(steps[i]!)));
    run.throwIfCancelled();
    await settleAll(steps.slice(drift.missing.length).map((s) => step(s)));
  }
}

/** Deploys one daemon of the service where `p` says, under a new id (added to `ids`), as a task of the run. */
export function deployOne(deps: Deps, run: OperationRun, record: ServiceRecord, p: HostPlacement, ids: Set<string>): Promise<DaemonDescription> {
  const daemonId = p.name || daemonIdFor(record.serviceType, record.serviceId, p.hostname, ids);
  ids.add(daemonId);
  return run.onHost(p.hostname, `${typeName(record.serviceType)}.${daemonId}`, (ctx) =>
    deps.backend.deployDaemon!(ctx, {
      serviceType: record.serviceType,
      serviceName: record.serviceName,
      daemonId,
      hostname: p.hostname,
      network: p.network,
      service: record,
    }),
  );
}

export const reconcileService: WriteUseCase<ReconcileServiceRequest> = {
  validate: (_deps, req) => validateServiceWrite(req),
  plan: async (deps, req) => {
    const record = await findService(deps, req.serviceName);
    if (record.unmanaged) {
      throw new FailedPreconditionError(`service/${req.serviceName}`, `service '${req.serviceName}' is unmanaged; apply it managed first`);
    }
    if (!isReconciled(record)) {
      throw new FailedPreconditionError(`service/${req.serviceName}`, `service '${req.serviceName}' has no stored spec to reconcile with`);
    }
    const [hosts, daemons] = await Promise.all([deps.backend.listHosts(), deps.backend.listDaemons!(false)]);
    return reconcilePlan(deps, req, (await driftOf(deps, record, hosts, daemons)).hosts);
  },
  rebuild: (deps, req, op) => reconcilePlan(deps, req, op.hosts),
};

/** The write the reconciler submits for a service that drifted so. */
export function reconcilerPlan(deps: Deps, record: ServiceRecord, drift: Drift): WritePlan {
  return { ...reconcilePlan(deps, { serviceName: record.serviceName, requestId: "" }, drift.hosts), origin: Operation_Origin.ORIGIN_RECONCILER };
}

function reconcilePlan(deps: Deps, req: ReconcileServiceRequest, hosts: string[]): WritePlan {
  return writePlan(fullName(ServiceServiceService.reconcileService), req, `Reconcile service '${req.serviceName}'`, hosts, async (run) => {
    // The spec as it is now: it may have changed or gone since the drift was seen.
    const record = await findService(deps, req.serviceName);
    if (record.unmanaged) {
      run.progress(1, "unmanaged: left alone");
    } else {
      const group = driveGroupOf(record);
      if (group) await runCreate(deps, run, group);
      else if (record.placement) await convergeDaemons(deps, run, record);
    }
    const own = summarize(await deps.backend.listDaemons!(false)).byService.get(record.serviceName);
    return { result: { $case: "service", value: describe(record, own, nowTimestamp()) } };
  });
}
