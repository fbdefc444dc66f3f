// Stateless services (MDS, RGW, NFS, iSCSI, rbd-mirror): add, update and remove, placed by
// applyPlan (service-placement.ts).
import { type StatelessServiceSpec, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import {
  type AddStatelessServiceRequest,
  type RemoveStatelessServiceRequest,
  ServiceServiceService,
  type UpdateStatelessServiceRequest,
} from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import type { ServiceRecord } from "../backend/backend.js";
import { serviceName, typeFromName, typeName } from "../backend/ceph-names.js";
import { nowTimestamp } from "../backend/timestamps.js";
import type { WritePlan } from "../operations/engine.js";
import { type Deps, settleAll, stepContext, writePlan } from "./context.js";
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from "./errors.js";
import { Violations, validateEnum, validateRequestId, validateServiceId, validateServiceWrite, validateString } from "./fields.js";
import { findService } from "./service-descriptions.js";
import { validatePlacement } from "./placement.js";
import { type WriteUseCase, fullName } from "./registry-types.js";
import { applyPlan, daemonsOf, hostsOf, placementHosts } from "./service-placement.js";

/** Services without an id: one service of the type (placed on hosts, one daemon each). */
const WITHOUT_ID: ReadonlySet<ServiceType> = new Set([
  ServiceType.SERVICE_TYPE_CRASH,
  ServiceType.SERVICE_TYPE_NODE_EXPORTER,
  ServiceType.SERVICE_TYPE_PROMETHEUS,
  ServiceType.SERVICE_TYPE_GRAFANA,
  ServiceType.SERVICE_TYPE_ALERTMANAGER,
]);

/** The stateless services: those AddStatelessService may create. */
export const STATELESS_TYPES: ReadonlySet<ServiceType> = new Set([
  ServiceType.SERVICE_TYPE_MDS,
  ServiceType.SERVICE_TYPE_RGW,
  ServiceType.SERVICE_TYPE_NFS,
  ServiceType.SERVICE_TYPE_ISCSI,
  ServiceType.SERVICE_TYPE_RBD_MIRROR,
  ...WITHOUT_ID,
]);

/** Whether the backend can deploy daemons of the type. */
export function deployable(deps: Deps, type: ServiceType): boolean {
  return deps.backend.serviceTypes === undefined || deps.backend.serviceTypes.includes(type);
}

export const addStatelessService: WriteUseCase<AddStatelessServiceRequest> = {
  validate: (deps, req) => validateStatelessSpec(deps, req.spec, req.requestId),
  plan: async (deps, req) => {
    const record = toRecord(req.spec!);
    const existing = (await deps.backend.listServices!()).find((s) => s.serviceName === record.serviceName);
    if (existing && !sameSpec(existing, record)) {
      throw new AlreadyExistsError(
        "service",
        record.serviceName,
        `service '${record.serviceName}' exists with another spec; use UpdateStatelessService`,
      );
    }
    return statelessPlan(deps, req, true, await placementHosts(deps, record));
  },
  rebuild: (deps, req, op) => statelessPlan(deps, req, true, op.hosts),
};

export const updateStatelessService: WriteUseCase<UpdateStatelessServiceRequest> = {
  validate: (deps, req) => validateStatelessSpec(deps, req.spec, req.requestId),
  plan: async (deps, req) => {
    const record = toRecord(req.spec!);
    const existing = (await deps.backend.listServices!()).find((s) => s.serviceName === record.serviceName);
    if (!existing) throw new NotFoundError("service", record.serviceName);
    return statelessPlan(deps, req, false, await placementHosts(deps, record));
  },
  rebuild: (deps, req, op) => statelessPlan(deps, req, false, op.hosts),
};

function statelessPlan(
  deps: Deps,
  req: AddStatelessServiceRequest | UpdateStatelessServiceRequest,
  adding: boolean,
  hosts: string[],
): WritePlan {
  const record = toRecord(req.spec!);
  const method = adding ? ServiceServiceService.addStatelessService : ServiceServiceService.updateStatelessService;
  return applyPlan(deps, fullName(method), req, record, `${adding ? "Add" : "Update"} service '${record.serviceName}'`, hosts);
}

export const removeStatelessService: WriteUseCase<RemoveStatelessServiceRequest> = {
  validate: (_deps, req) => validateServiceWrite(req),
  plan: async (deps, req) => {
    const existing = await findService(deps, req.serviceName);
    if (existing.serviceType === ServiceType.SERVICE_TYPE_MON || existing.serviceType === ServiceType.SERVICE_TYPE_MGR) {
      throw new FailedPreconditionError(
        `service/${req.serviceName}`,
        `the ${req.serviceName} service cannot be removed: the cluster always needs it (place it with UpdateMons or UpdateMgrs, or make it unmanaged)`,
      );
    }
    return removeStatelessPlan(deps, req, isOsdService(req.serviceName) ? [] : hostsOf(await daemonsOf(deps, req.serviceName)));
  },
  rebuild: (deps, req, op) => removeStatelessPlan(deps, req, op.hosts),
};

/** An OSD service goes as a spec only: its OSDs hold data, and go with RemoveOsds. */
function isOsdService(name: string): boolean {
  return typeFromName(name.split(".")[0]!) === ServiceType.SERVICE_TYPE_OSD;
}

function removeStatelessPlan(deps: Deps, req: RemoveStatelessServiceRequest, hosts: string[]): WritePlan {
  return writePlan(
    fullName(ServiceServiceService.removeStatelessService),
    req,
    `Remove service '${req.serviceName}'`,
    hosts,
    async (run) => {
      // By its name: a resumed removal may find the spec gone already.
      const current = isOsdService(req.serviceName) ? [] : await daemonsOf(deps, req.serviceName);
      await settleAll(current.map((d) => run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.removeDaemon!(ctx, d))));
      run.throwIfCancelled();
      await deps.backend.deleteService!(stepContext(run), req.serviceName);
      return {
        result: { $case: "removedService", value: { serviceName: req.serviceName, daemonNames: current.map((d) => d.daemonName) } },
      };
    },
  );
}

export async function validateStatelessSpec(deps: Deps, spec: StatelessServiceSpec | undefined, requestId: string): Promise<void> {
  const hosts = await deps.backend.listHosts();
  const v = new Violations();
  v.check(spec !== undefined, "spec", "is required");
  v.addAll(validateRequestId(requestId));
  if (!spec) v.throwIfAny();
  const s = spec!;
  v.addAll(validateEnum(s.serviceType, ServiceType, "spec.service_type", true));
  const stateless = STATELESS_TYPES.has(s.serviceType);
  v.check(stateless || s.serviceType <= 0, "spec.service_type", `must be one of ${[...STATELESS_TYPES].map(typeName).join(", ")}`);
  if (stateless && !deployable(deps, s.serviceType)) {
    v.check(false, "spec.service_type", `the ${deps.backend.name} backend cannot run ${typeName(s.serviceType)} daemons`);
  }
  if (s.serviceType === ServiceType.SERVICE_TYPE_RBD_MIRROR) {
    if (s.serviceId !== "") v.addAll(validateServiceId(s.serviceId, "spec.service_id"));
  } else if (WITHOUT_ID.has(s.serviceType)) {
    v.check(s.serviceId === "", "spec.service_id", `must be empty: there is one ${typeName(s.serviceType)} service`);
  } else if (stateless) {
    v.check(s.serviceId !== "", "spec.service_id", "is required");
    if (s.serviceId !== "") v.addAll(validateServiceId(s.serviceId, "spec.service_id"));
  }
  v.addAll(validatePlacement(s.placement, "spec.placement", { hosts }));
  const details = s.details;
  if (details?.$case === "rgw") {
    v.check(s.serviceType === ServiceType.SERVICE_TYPE_RGW, "spec.rgw", "only for RGW services");
    const port = details.value.rgwFrontendPort;
    v.check(port >= 0 && port <= 65535, "spec.rgw.rgw_frontend_port", "must be 0 to 65535");
    v.addAll(validateString(details.value.rgwRealm, "spec.rgw.rgw_realm", 64));
    v.addAll(validateString(details.value.rgwZone, "spec.rgw.rgw_zone", 64));
    v.addAll(validateString(details.value.rgwZonegroup, "spec.rgw.rgw_zonegroup", 64));
    v.addAll(validateString(details.value.rgwZoneUser, "spec.rgw.rgw_zone_user", 64));
    v.check(["", "http", "https"].includes(details.value.rgwMultisiteProto), "spec.rgw.rgw_multisite_proto", "must be http or https");
    v.addAll(validateString(details.value.systemAccessKey, "spec.rgw.system_access_key", 256));
    v.addAll(validateString(details.value.systemSecretKey, "spec.rgw.system_secret_key", 256));
  }
  // NFS and iSCSI keep their configuration in a pool: required.
  for (const [type, kind, name] of [
    [ServiceType.SERVICE_TYPE_NFS, "nfs", "NFS"],
    [ServiceType.SERVICE_TYPE_ISCSI, "iscsi", "iSCSI"],
  ] as const) {
    if (s.serviceType === type)
      v.check(details?.$case === kind && details.value.pool !== "", `spec.${kind}.pool`, `is required for ${name}`);
    if (details?.$case === kind) {
      v.check(s.serviceType === type, `spec.${kind}`, `only for ${name} services`);
      v.addAll(validateString(details.value.pool, `spec.${kind}.pool`, 128));
    }
  }
  if (details?.$case === "nfs") {
    v.addAll(validateString(details.value.namespace, "spec.nfs.namespace", 128));
    v.check(details.value.port >= 0 && details.value.port <= 65535, "spec.nfs.port", "must be 0 to 65535");
  }
  if (details?.$case === "iscsi") {
    v.addAll(validateString(details.value.apiUser, "spec.iscsi.api_user", 64));
    v.addAll(validateString(details.value.apiPassword, "spec.iscsi.api_password", 256));
    details.value.trustedIpList.forEach((ip, i) => v.addAll(validateString(ip, `spec.iscsi.trusted_ip_list[${i}]`, 64)));
  }
  v.throwIfAny();
}

export function toRecord(spec: StatelessServiceSpec): ServiceRecord {
  return {
    serviceType: spec.serviceType,
    serviceId: spec.serviceId,
    serviceName: serviceName(spec.serviceType, spec.serviceId),
    placement: spec.placement ?? { label: "", hosts: [], count: 1, hostPattern: "" },
    created: nowTimestamp(),
    radosConfigLocation:
      spec.details?.$case === "nfs"
        ? `rados://${spec.details.value.pool}/${spec.details.value.namespace ? `${spec.details.value.namespace}/` : ""}conf-nfs.${spec.serviceId}`
        : "",
    serviceUrl: "",
    details: spec.details,
    unmanaged: spec.unmanaged,
  };
}

function sameSpec(a: ServiceRecord, b: ServiceRecord): boolean {
  return JSON.stringify([a.placement, a.details, a.unmanaged]) === JSON.stringify([b.placement, b.details, b.unmanaged]);
}
