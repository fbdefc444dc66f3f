// OSDs: create from drive groups (and preview), replace (removal: osd-removal.ts).
import type { DriveGroupSpec, OsdHostPlan } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import {
  type CreateOsdsRequest,
  OsdServiceService,
  type PreviewOsdsRequest,
  type PreviewOsdsResponse,
  type ReplaceOsdsRequest,
} from "../../gen/ts/ceph_orchestrator/v1/osd_service.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { OperationRun, WritePlan } from "../operations/engine.js";
import { nowTimestamp } from "../backend/timestamps.js";
import { type Deps, settleAll, stepContext, writePlan } from "./context.js";
import { matchHosts, planOsds, plannedOsd, validateDriveGroup } from "./drive-group.js";
import { layoutOf } from "./osd-layout.js";
import { schedulable } from "./placement.js";
import { CancelledError, NotFoundError, ValidationError } from "./errors.js";
import { Violations, validateRequestId } from "./fields.js";
import { serviceName } from "../backend/ceph-names.js";
import { osdDaemons, removeOne } from "./osd-removal.js";
import { type WriteUseCase, fullName } from "./registry-types.js";

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
  "spec.block_db_size",
  "spec.block_wal_size",
  "spec.journal_size",
  "spec.data_allocate_fraction",
  "spec.crush_device_class",
  "spec.method",
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
  // Kept when the spec is saved again (a backend without listServices keeps it itself, if at all).
  const existing = (await deps.backend.listServices?.())?.find((s) => s.serviceName === name);
  await deps.backend.saveService!(stepContext(run), {
    serviceType: ServiceType.SERVICE_TYPE_OSD,
    serviceId: spec.serviceId || "default",
    serviceName: name,
    placement: { label: "", hosts: [], count: 0, hostPattern: spec.hostPattern },
    created: existing?.created ?? nowTimestamp(),
    radosConfigLocation: "",
    serviceUrl: "",
    details: { $case: "driveGroup", value: { ...spec, osdIdClaims: {} } },
    unmanaged: spec.unmanaged,
  });
  if (spec.unmanaged) return [];
  const plans = await planDriveGroup(deps, spec);
  await addUnstarted(deps, plans, spec);
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
async function addUnstarted(deps: Deps, plans: OsdHostPlan[], spec: DriveGroupSpec): Promise<void> {
  const serviceId = spec.serviceId || "default";
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
        plan.osds.push({ ...plannedOsd(layoutOf(spec), device.path, device.sizeBytes), osdId: lv.osdId });
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
      await settleAll(targets.map((d) => removeOne(deps, run, d, { replace: true, force: false, zap: false })));
      return { result: { $case: "osds", value: { osds: await runCreate(deps, run, spec) } } };
    },
  );
}

