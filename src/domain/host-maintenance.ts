// Taking a host out of service: whether its daemons may stop (HostOkToStop), maintenance
// (enter and exit), and draining it for good (DrainHost), as cephadm does them.
import type { Host } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import {
  type DrainHostRequest,
  type EnterHostMaintenanceRequest,
  type ExitHostMaintenanceRequest,
  type HostOkToStopRequest,
  type HostOkToStopResponse,
  HostServiceService,
} from "../../gen/ts/ceph_orchestrator/v1/host_service.js";
import { type DaemonDescription, DaemonDescription_Status as Status, ServiceAction, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { compareStrings } from "../backend/versions.js";
import type { WritePlan } from "../operations/engine.js";
import { type Deps, settleAll, writePlan } from "./context.js";
import { FailedPreconditionError } from "./errors.js";
import { Violations, validateHostname, validateRequestId } from "./fields.js";
import { findHost } from "./hosts.js";
import { removeOne } from "./osd-removal.js";
import { NO_SCHEDULE_LABEL } from "./placement.js";
import { type WriteUseCase, fullName } from "./registry-types.js";

const UP = new Set([Status.STATUS_RUNNING, Status.STATUS_STARTING]);

function validateHostRequest(req: { hostname: string; requestId?: string }): void {
  const v = new Violations();
  v.addAll(validateHostname(req.hostname, "hostname"));
  if (req.requestId !== undefined) v.addAll(validateRequestId(req.requestId));
  v.throwIfAny();
}

/** The host's daemons, by name. */
async function daemonsOn(deps: Deps, hostname: string): Promise<DaemonDescription[]> {
  return (await deps.backend.listDaemons!(false)).filter((d) => d.hostname === hostname).sort((a, b) => compareStrings(a.daemonName, b.daemonName));
}

/**
 * Why stopping `stopping` now would be unsafe: the orchestrator's own rule (the last running
 * mgr), then the cluster's checks through the backend.
 */
async function stopProblems(deps: Deps, stopping: readonly DaemonDescription[]): Promise<string[]> {
  const up = stopping.filter((d) => UP.has(d.status));
  if (up.length === 0) return [];
  const reasons: string[] = [];
  const mgrs = (await deps.backend.listDaemons!(false)).filter((d) => d.daemonType === ServiceType.SERVICE_TYPE_MGR && UP.has(d.status));
  if (mgrs.length > 0 && mgrs.every((m) => up.includes(m))) {
    reasons.push(`${mgrs.map((m) => m.daemonName).join(", ")}: no other mgr runs; the cluster would have no mgr`);
  }
  reasons.push(...(await deps.backend.okToStop!(up)));
  return reasons;
}

export async function hostOkToStop(deps: Deps, req: HostOkToStopRequest): Promise<HostOkToStopResponse> {
  validateHostRequest(req);
  await findHost(deps, req.hostname);
  const daemons = await daemonsOn(deps, req.hostname);
  const reasons = await stopProblems(deps, daemons);
  return { ok: reasons.length === 0, reasons, daemonNames: daemons.map((d) => d.daemonName) };
}

/** FAILED_PRECONDITION naming the host and every reason, unless it is safe. */
async function ensureSafeToStop(deps: Deps, hostname: string, daemons: DaemonDescription[], what: string, hint: string): Promise<void> {
  const reasons = await stopProblems(deps, daemons);
  if (reasons.length > 0) {
    throw new FailedPreconditionError(`host/${hostname}`, `${what} host '${hostname}' is not safe: ${reasons.join("; ")}${hint}`);
  }
}

export const enterHostMaintenance: WriteUseCase<EnterHostMaintenanceRequest> = {
  validate: (_deps, req) => validateHostRequest(req),
  plan: async (deps, req) => {
    await findHost(deps, req.hostname);
    if (!req.force) await ensureSafeToStop(deps, req.hostname, await daemonsOn(deps, req.hostname), "stopping", " (force overrides)");
    return maintenancePlan(deps, req, true);
  },
  rebuild: (deps, req) => maintenancePlan(deps, req, true),
};

export const exitHostMaintenance: WriteUseCase<ExitHostMaintenanceRequest> = {
  validate: (_deps, req) => validateHostRequest(req),
  plan: async (deps, req) => {
    await findHost(deps, req.hostname);
    return maintenancePlan(deps, req, false);
  },
  rebuild: (deps, req) => maintenancePlan(deps, req, false),
};

/**
 * Entering: recorded first (noout for its OSDs, before any stops), then every daemon that
 * runs is stopped. Exiting: every daemon that does not run is started, then the record goes.
 */
function maintenancePlan(deps: Deps, req: { hostname: string; requestId: string }, entering: boolean): WritePlan {
  const method = entering ? HostServiceService.enterHostMaintenance : HostServiceService.exitHostMaintenance;
  const record = (host: string) => `host ${host}`;
  return writePlan(fullName(method), req, `${entering ? "Enter" : "Exit"} maintenance of host '${req.hostname}'`, [req.hostname], async (run) => {
    const { hostname } = req;
    if (entering) await run.onHost(hostname, record(hostname), (ctx) => deps.backend.setHostMaintenance!(ctx, hostname, true));
    const daemons = (await daemonsOn(deps, hostname)).filter((d) => (entering ? d.status !== Status.STATUS_STOPPED : !UP.has(d.status)));
    const action = entering ? ServiceAction.SERVICE_ACTION_STOP : ServiceAction.SERVICE_ACTION_START;
    let done = 0;
    for (const d of daemons) {
      run.throwIfCancelled();
      await run.onHost(hostname, d.daemonName, (ctx) => deps.backend.daemonAction!(ctx, d, action));
      run.progress(++done / daemons.length, `${done} of ${daemons.length} daemons ${entering ? "stopped" : "started"}`);
    }
    let host: Host | undefined;
    if (!entering) host = await run.onHost(hostname, record(hostname), (ctx) => deps.backend.setHostMaintenance!(ctx, hostname, false));
    return { result: { $case: "host", value: host ?? (await findHost(deps, hostname)) } };
  });
}

export const drainHost: WriteUseCase<DrainHostRequest> = {
  validate: (_deps, req) => validateHostRequest(req),
  plan: async (deps, req) => {
    await findHost(deps, req.hostname);
    // OSDs drain their data before they go; the other daemons stop at once.
    const others = (await daemonsOn(deps, req.hostname)).filter((d) => d.daemonType !== ServiceType.SERVICE_TYPE_OSD);
    await ensureSafeToStop(deps, req.hostname, others, "draining", "");
    return drainPlan(deps, req);
  },
  rebuild: (deps, req) => drainPlan(deps, req),
};

/** The label first, so that no placement picks the host again; then every daemon goes. */
function drainPlan(deps: Deps, req: DrainHostRequest): WritePlan {
  return writePlan(fullName(HostServiceService.drainHost), req, `Drain host '${req.hostname}'`, [req.hostname], async (run) => {
    const { hostname } = req;
    await run.onHost(hostname, `host ${hostname}`, async (ctx) => {
      const host = await findHost(deps, hostname);
      if (!host.labels.includes(NO_SCHEDULE_LABEL)) await deps.backend.setHostLabels!(ctx, hostname, [...host.labels, NO_SCHEDULE_LABEL].sort());
    });
    const daemons = await daemonsOn(deps, hostname);
    const osds = daemons.filter((d) => d.daemonType === ServiceType.SERVICE_TYPE_OSD);
    const others = daemons.filter((d) => d.daemonType !== ServiceType.SERVICE_TYPE_OSD);
    let done = 0;
    const step = async (p: Promise<unknown>) => {
      await p;
      run.progress(++done / daemons.length, `${done} of ${daemons.length} daemons removed`);
    };
    for (const d of others) {
      run.throwIfCancelled();
      await step(run.onHost(hostname, d.daemonName, (ctx) => deps.backend.removeDaemon!(ctx, d)));
    }
    await settleAll(osds.map((d) => step(removeOne(deps, run, d, { replace: false, force: false, zap: false }))));
    return { result: { $case: "daemons", value: { daemonNames: daemons.map((d) => d.daemonName) } } };
  });
}
