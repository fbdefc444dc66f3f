// Placing a service's daemons: the difference between where placement puts them and where
// they run becomes deploy and remove steps (applyPlan, through reconcile.ts's convergeDaemons),
// for UpdateMons, UpdateMgrs and the stateless services (stateless-services.ts).
import { type DaemonDescription, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import {
  ServiceServiceService,
  type UpdateMgrsRequest,
  type UpdateMonsRequest,
} from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import type { ServiceRecord } from "../backend/backend.js";
import { typeName } from "../backend/ceph-names.js";
import { nowTimestamp } from "../backend/timestamps.js";
import type { WritePlan } from "../operations/engine.js";
import { type Deps, stepContext, writePlan } from "./context.js";
import { ValidationError } from "./errors.js";
import { Violations, validateRequestId } from "./fields.js";
import { resolvePlacement, validatePlacement } from "./placement.js";
import { convergeDaemons } from "./reconcile.js";
import { type WriteUseCase, fullName } from "./registry-types.js";
import { describe, summarize } from "./service-descriptions.js";

const MAX_MONS = 15;

/** The hosts of daemons (or planned daemons), each once, sorted. */
export function hostsOf(placed: { hostname: string }[]): string[] {
  return [...new Set(placed.map((d) => d.hostname))].sort();
}

/** The hosts a placement write works on: where the service runs now and where it will. */
export async function placementHosts(deps: Deps, record: ServiceRecord): Promise<string[]> {
  const current = await daemonsOf(deps, record.serviceName);
  return hostsOf([...current, ...resolvePlacement(record.placement!, await deps.backend.listHosts(), current)]);
}

export const updateMons = updateCoreService(ServiceType.SERVICE_TYPE_MON);
export const updateMgrs = updateCoreService(ServiceType.SERVICE_TYPE_MGR);

type CoreServiceType = ServiceType.SERVICE_TYPE_MON | ServiceType.SERVICE_TYPE_MGR;

function updateCoreService(type: CoreServiceType): WriteUseCase<UpdateMonsRequest | UpdateMgrsRequest> {
  return {
    validate: async (deps, req) => {
      const hosts = await deps.backend.listHosts();
      const v = new Violations();
      v.check(req.placement !== undefined, "placement", "is required");
      if (req.placement) {
        v.addAll(validatePlacement(req.placement, "placement", { hosts, requireCount: true, maxCount: MAX_MONS }));
      }
      v.addAll(validateRequestId(req.requestId));
      v.throwIfAny();
    },
    plan: (deps, req) => planCoreService(deps, req, type),
    rebuild: (deps, req, op) => coreServicePlan(deps, req, type, op.hosts),
  };
}

async function planCoreService(deps: Deps, req: UpdateMonsRequest | UpdateMgrsRequest, type: CoreServiceType): Promise<WritePlan> {
  const hosts = await deps.backend.listHosts();
  const placement = req.placement!;
  const name = typeName(type);
  const planned = resolvePlacement(placement, hosts, await daemonsOf(deps, name));
  if (placement.count > 0 && planned.length < placement.count) {
    throw new ValidationError([
      { field: "placement.count", description: `${placement.count} ${name}s requested but only ${planned.length} hosts are eligible` },
    ]);
  }
  const current = await daemonsOf(deps, name);
  return coreServicePlan(deps, req, type, hostsOf([...current, ...planned]));
}

function coreServicePlan(deps: Deps, req: UpdateMonsRequest | UpdateMgrsRequest, type: CoreServiceType, hosts: string[]): WritePlan {
  const name = typeName(type);
  const record: ServiceRecord = {
    serviceType: type,
    serviceId: "",
    serviceName: name,
    placement: req.placement,
    created: nowTimestamp(),
    radosConfigLocation: "",
    serviceUrl: "",
    details: undefined,
    unmanaged: req.unmanaged,
  };
  const count = req.placement?.count ?? 0;
  const method = type === ServiceType.SERVICE_TYPE_MON ? ServiceServiceService.updateMons : ServiceServiceService.updateMgrs;
  return applyPlan(deps, fullName(method), req, record, `Place ${count > 0 ? `${count} ` : ""}${name}s`, hosts);
}

/**
 * Records the service, then brings its daemons to the placement (convergeDaemons), unless
 * the spec is unmanaged: then only the spec changes.
 */
export function applyPlan(
  deps: Deps,
  method: string,
  req: { requestId: string },
  spec: ServiceRecord,
  description: string,
  hosts: string[],
): WritePlan {
  return writePlan(method, req, description, hosts, async (run) => {
    const existing = (await deps.backend.listServices!()).find((s) => s.serviceName === spec.serviceName);
    const record = { ...spec, created: existing?.created ?? spec.created };
    await deps.backend.saveService!(stepContext(run), record);
    if (!record.unmanaged) await convergeDaemons(deps, run, record);
    const after = summarize(await deps.backend.listDaemons!(false)).byService.get(record.serviceName);
    return { result: { $case: "service", value: describe(record, after, nowTimestamp()) } };
  });
}

export async function daemonsOf(deps: Deps, name: string): Promise<DaemonDescription[]> {
  return (await deps.backend.listDaemons!(false)).filter((d) => d.serviceName === name);
}
