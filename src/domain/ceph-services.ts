// Services and daemons: describe, act, place mons and mgrs, add/update/remove stateless
// services. Placement decides where daemons run; this file turns the difference between
// that and the running daemons into deploy and remove steps.
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import {
  type DaemonDescription,
  DaemonDescription_Status,
  ServiceAction,
  type ServiceDescription,
  type StatelessServiceSpec,
  ServiceType,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type {
  AddStatelessServiceRequest,
  DaemonActionRequest,
  DescribeServicesRequest,
  DescribeServicesResponse,
  ListDaemonsRequest,
  ListDaemonsResponse,
  RemoveStatelessServiceRequest,
  ServiceActionRequest,
  UpdateMgrsRequest,
  UpdateMonsRequest,
  UpdateStatelessServiceRequest,
} from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import type { ServiceRecord } from "../backend/backend.js";
import type { OperationRun, WritePlan } from "../operations/engine.js";
import { ensureOptionsSupported, rpcName } from "./capabilities.js";
import { type Deps, settleAll, writePlan } from "./context.js";
import { AlreadyExistsError, FailedPreconditionError, NotFoundError, ValidationError } from "./errors.js";
import {
  Violations,
  validateEnum,
  validateHostname,
  validatePageSize,
  validateRequestId,
  validateServiceId,
  validateString,
} from "./fields.js";
import { paginate, validatePageToken } from "./pagination.js";
import { daemonIdFor } from "../backend/daemon-ids.js";
import { resolvePlacement, validatePlacement } from "./placement.js";
import { serviceName, typeName } from "../backend/ceph-names.js";
import { nowTimestamp } from "../backend/timestamps.js";
import { compareStrings } from "../backend/versions.js";
import { STATELESS_TYPES } from "./service-types.js";

const MAX_MONS = 15;

export async function describeServices(deps: Deps, req: DescribeServicesRequest): Promise<DescribeServicesResponse> {
  const v = new Violations();
  v.addAll(validateEnum(req.serviceType, ServiceType, "service_type", false));
  v.addAll(validateString(req.serviceName, "service_name", 128));
  if (req.hostname !== "") v.addAll(validateHostname(req.hostname, "hostname"));
  v.addAll(validatePageSize(req.pageSize));
  v.addAll(validatePageToken(req.pageToken));
  v.throwIfAny();
  const summary = summarize(await deps.backend.listDaemons!(req.refresh));
  const onHost = req.hostname === "" ? undefined : (summary.servicesOnHost.get(req.hostname) ?? new Set<string>());
  const services = (await describeAll(deps, summary.byService))
    .filter((s) => req.serviceType === ServiceType.SERVICE_TYPE_UNSPECIFIED || s.serviceType === req.serviceType)
    .filter((s) => req.serviceName === "" || s.serviceName === req.serviceName)
    .filter((s) => onHost === undefined || onHost.has(s.serviceName));
  const query = `services:${req.serviceType}:${req.serviceName}:${req.hostname}:${req.refresh}`;
  const { page, nextPageToken, totalSize } = paginate(services, req.pageSize, req.pageToken, query);
  return { services: page, nextPageToken, totalSize };
}

/** What a service's description takes from its daemons. */
interface ServiceDaemons {
  total: number;
  running: number;
  /** The first daemon's that has one. */
  lastRefresh: DaemonDescription["lastRefresh"];
}

interface DaemonSummary {
  byService: Map<string, ServiceDaemons>;
  servicesOnHost: Map<string, Set<string>>;
}

/**
 * Kept per daemon list: a backend that hands out the same list until something changes (the
 * sim) pays one pass over its daemons (a big cluster has 200,000) per change, not per call.
 */
const summaries = new WeakMap<readonly DaemonDescription[], DaemonSummary>();

function summarize(daemons: readonly DaemonDescription[]): DaemonSummary {
  const known = summaries.get(daemons);
  if (known) return known;
  const summary: DaemonSummary = { byService: new Map(), servicesOnHost: new Map() };
  for (const d of daemons) {
    let s = summary.byService.get(d.serviceName);
    if (!s) summary.byService.set(d.serviceName, (s = { total: 0, running: 0, lastRefresh: undefined }));
    s.total++;
    if (d.status === DaemonDescription_Status.STATUS_RUNNING) s.running++;
    s.lastRefresh ??= d.lastRefresh;
    let onHost = summary.servicesOnHost.get(d.hostname);
    if (!onHost) summary.servicesOnHost.set(d.hostname, (onHost = new Set()));
    onHost.add(d.serviceName);
  }
  summaries.set(daemons, summary);
  return summary;
}

async function describeAll(deps: Deps, byService: Map<string, ServiceDaemons>): Promise<ServiceDescription[]> {
  const now = nowTimestamp();
  return (await deps.backend.listServices!())
    .map((s) => describe(s, byService.get(s.serviceName), now))
    .sort((a, b) => compareStrings(a.serviceName, b.serviceName));
}

/** `own`: what its daemons say (none: undefined). */
function describe(record: ServiceRecord, own: ServiceDaemons | undefined, now: ServiceDescription["lastRefresh"]): ServiceDescription {
  const size = record.placement?.count || (own?.total ?? 0);
  return { ...record, details: withoutSecrets(record.details), running: own?.running ?? 0, size, lastRefresh: own?.lastRefresh ?? now };
}

/** Secrets go in with a spec but never come back out (see the proto's field comments). */
function withoutSecrets(details: ServiceRecord["details"]): ServiceRecord["details"] {
  if (details?.$case === "rgw") return { $case: "rgw", value: { ...details.value, systemAccessKey: "", systemSecretKey: "" } };
  if (details?.$case === "iscsi") return { $case: "iscsi", value: { ...details.value, apiPassword: "" } };
  return details;
}

export async function listDaemons(deps: Deps, req: ListDaemonsRequest): Promise<ListDaemonsResponse> {
  const v = new Violations();
  v.addAll(validateEnum(req.daemonType, ServiceType, "daemon_type", false));
  v.addAll(validateString(req.serviceName, "service_name", 128));
  v.addAll(validateString(req.daemonId, "daemon_id", 128));
  if (req.hostname !== "") v.addAll(validateHostname(req.hostname, "hostname"));
  v.addAll(validatePageSize(req.pageSize));
  v.addAll(validatePageToken(req.pageToken));
  v.throwIfAny();
  const daemons = (await deps.backend.listDaemons!(req.refresh))
    .filter((d) => req.daemonType === ServiceType.SERVICE_TYPE_UNSPECIFIED || d.daemonType === req.daemonType)
    .filter((d) => req.serviceName === "" || d.serviceName === req.serviceName)
    .filter((d) => req.daemonId === "" || d.daemonId === req.daemonId || d.daemonName === req.daemonId)
    .filter((d) => req.hostname === "" || d.hostname === req.hostname)
    .sort((a, b) => compareStrings(a.daemonName, b.daemonName));
  const query = `daemons:${req.daemonType}:${req.serviceName}:${req.daemonId}:${req.hostname}:${req.refresh}`;
  const { page, nextPageToken, totalSize } = paginate(daemons, req.pageSize, req.pageToken, query);
  return { daemons: page, nextPageToken, totalSize };
}

export async function serviceAction(deps: Deps, req: ServiceActionRequest): Promise<Operation> {
  const v = new Violations();
  v.addAll(validateEnum(req.action, ServiceAction, "action", true));
  v.check(req.serviceName !== "", "service_name", "is required");
  v.addAll(validateString(req.serviceName, "service_name", 128));
  v.addAll(validateRequestId(req.requestId));
  v.throwIfAny();
  const daemons = (await deps.backend.listDaemons!(false)).filter((d) => d.serviceName === req.serviceName);
  const known = deps.backend.listServices ? (await deps.backend.listServices()).some((s) => s.serviceName === req.serviceName) : false;
  if (daemons.length === 0 && !known) throw new NotFoundError("service", req.serviceName);
  return deps.engine.submit(serviceActionPlan(deps, req, hostsOf(daemons)));
}

export async function daemonAction(deps: Deps, req: DaemonActionRequest): Promise<Operation> {
  const v = new Violations();
  v.addAll(validateEnum(req.action, ServiceAction, "action", true));
  v.check(req.daemonName !== "", "daemon_name", "is required");
  v.addAll(validateString(req.daemonName, "daemon_name", 128));
  v.addAll(validateRequestId(req.requestId));
  v.throwIfAny();
  const daemon = (await deps.backend.listDaemons!(false)).find((d) => d.daemonName === req.daemonName);
  if (!daemon) throw new NotFoundError("daemon", req.daemonName);
  return deps.engine.submit(daemonActionPlan(deps, req, [daemon.hostname]));
}

export function serviceActionPlan(deps: Deps, req: ServiceActionRequest, hosts: string[]): WritePlan {
  return actionPlan(
    deps,
    req,
    rpcName("ServiceService", "ServiceAction"),
    `${actionName(req.action)} service '${req.serviceName}'`,
    hosts,
    (d) => d.serviceName === req.serviceName,
  );
}

export function daemonActionPlan(deps: Deps, req: DaemonActionRequest, hosts: string[]): WritePlan {
  return actionPlan(
    deps,
    req,
    rpcName("ServiceService", "DaemonAction"),
    `${actionName(req.action)} daemon '${req.daemonName}'`,
    hosts,
    (d) => d.daemonName === req.daemonName,
  );
}

/** Acts on the matching daemons as they are when the operation runs. */
function actionPlan(
  deps: Deps,
  req: ServiceActionRequest | DaemonActionRequest,
  method: string,
  description: string,
  hosts: string[],
  matches: (d: DaemonDescription) => boolean,
): WritePlan {
  return writePlan(method, req, description, hosts, async (run) => {
    const daemons = (await deps.backend.listDaemons!(false)).filter(matches);
    await settleAll(daemons.map((d) => run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.daemonAction!(ctx, d, req.action))));
    return { result: { $case: "daemons", value: { daemonNames: daemons.map((d) => d.daemonName) } } };
  });
}

function hostsOf(placed: { hostname: string }[]): string[] {
  return [...new Set(placed.map((d) => d.hostname))].sort();
}

/** The hosts a placement write works on: where the service runs now and where it will. */
async function placementHosts(deps: Deps, record: ServiceRecord): Promise<string[]> {
  const current = await daemonsOf(deps, record.serviceName);
  return hostsOf([...current, ...resolvePlacement(record.placement!, await deps.backend.listHosts(), current)]);
}

function actionName(action: ServiceAction): string {
  const name = ServiceAction[action] ?? "act on";
  return name
    .replace("SERVICE_ACTION_", "")
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase());
}

export function updateMons(deps: Deps, req: UpdateMonsRequest): Promise<Operation> {
  return updateCoreService(deps, req, "UpdateMons");
}

export function updateMgrs(deps: Deps, req: UpdateMgrsRequest): Promise<Operation> {
  return updateCoreService(deps, req, "UpdateMgrs");
}

async function updateCoreService(
  deps: Deps,
  req: UpdateMonsRequest | UpdateMgrsRequest,
  method: "UpdateMons" | "UpdateMgrs",
): Promise<Operation> {
  const rpc = rpcName("ServiceService", method);
  const type = method === "UpdateMons" ? ServiceType.SERVICE_TYPE_MON : ServiceType.SERVICE_TYPE_MGR;
  const hosts = await deps.backend.listHosts();
  const v = new Violations();
  v.check(req.placement !== undefined, "placement", "is required");
  if (req.placement) {
    v.addAll(validatePlacement(req.placement, "placement", { hosts, requireCount: true, maxCount: MAX_MONS }));
  }
  v.addAll(validateRequestId(req.requestId));
  v.throwIfAny();
  ensureOptionsSupported(deps.backend, rpc, req);
  const placement = req.placement!;
  const name = typeName(type);
  const planned = resolvePlacement(placement, hosts, await daemonsOf(deps, name));
  if (placement.count > 0 && planned.length < placement.count) {
    throw new ValidationError([
      { field: "placement.count", description: `${placement.count} ${name}s requested but only ${planned.length} hosts are eligible` },
    ]);
  }
  const current = await daemonsOf(deps, name);
  return deps.engine.submit(coreServicePlan(deps, req, method, hostsOf([...current, ...planned])));
}

export function coreServicePlan(
  deps: Deps,
  req: UpdateMonsRequest | UpdateMgrsRequest,
  method: "UpdateMons" | "UpdateMgrs",
  hosts: string[],
): WritePlan {
  const type = method === "UpdateMons" ? ServiceType.SERVICE_TYPE_MON : ServiceType.SERVICE_TYPE_MGR;
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
  };
  const count = req.placement?.count ?? 0;
  return applyPlan(deps, rpcName("ServiceService", method), req, record, `Place ${count > 0 ? `${count} ` : ""}${name}s`, hosts, true);
}

export async function addStatelessService(deps: Deps, req: AddStatelessServiceRequest): Promise<Operation> {
  const rpc = rpcName("ServiceService", "AddStatelessService");
  const spec = await validateStatelessSpec(deps, req.spec, req.requestId);
  ensureOptionsSupported(deps.backend, rpc, req);
  const record = toRecord(spec);
  const existing = (await deps.backend.listServices!()).find((s) => s.serviceName === record.serviceName);
  if (existing && !sameSpec(existing, record)) {
    throw new AlreadyExistsError(
      "service",
      record.serviceName,
      `service '${record.serviceName}' exists with another spec; use UpdateStatelessService`,
    );
  }
  return deps.engine.submit(statelessPlan(deps, req, "AddStatelessService", await placementHosts(deps, record)));
}

export async function updateStatelessService(deps: Deps, req: UpdateStatelessServiceRequest): Promise<Operation> {
  const rpc = rpcName("ServiceService", "UpdateStatelessService");
  const spec = await validateStatelessSpec(deps, req.spec, req.requestId);
  ensureOptionsSupported(deps.backend, rpc, req);
  const record = toRecord(spec);
  const existing = (await deps.backend.listServices!()).find((s) => s.serviceName === record.serviceName);
  if (!existing) throw new NotFoundError("service", record.serviceName);
  return deps.engine.submit(statelessPlan(deps, req, "UpdateStatelessService", await placementHosts(deps, record)));
}

export function statelessPlan(
  deps: Deps,
  req: AddStatelessServiceRequest | UpdateStatelessServiceRequest,
  method: "AddStatelessService" | "UpdateStatelessService",
  hosts: string[],
): WritePlan {
  const record = toRecord(req.spec!);
  const verb = method === "AddStatelessService" ? "Add" : "Update";
  return applyPlan(deps, rpcName("ServiceService", method), req, record, `${verb} service '${record.serviceName}'`, hosts, false);
}

export async function removeStatelessService(deps: Deps, req: RemoveStatelessServiceRequest): Promise<Operation> {
  const v = new Violations();
  v.check(req.serviceName !== "", "service_name", "is required");
  v.addAll(validateString(req.serviceName, "service_name", 128));
  v.addAll(validateRequestId(req.requestId));
  v.throwIfAny();
  const existing = (await deps.backend.listServices!()).find((s) => s.serviceName === req.serviceName);
  if (!existing) throw new NotFoundError("service", req.serviceName);
  if (!STATELESS_TYPES.has(existing.serviceType)) {
    throw new FailedPreconditionError(
      `service/${req.serviceName}`,
      `'${req.serviceName}' is not a stateless service; it cannot be removed this way`,
    );
  }
  return deps.engine.submit(removeStatelessPlan(deps, req, hostsOf(await daemonsOf(deps, req.serviceName))));
}

export function removeStatelessPlan(deps: Deps, req: RemoveStatelessServiceRequest, hosts: string[]): WritePlan {
  return writePlan(rpcName("ServiceService", "RemoveStatelessService"), req, `Remove service '${req.serviceName}'`, hosts, async (run) => {
    const current = await daemonsOf(deps, req.serviceName);
    await settleAll(current.map((d) => run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.removeDaemon!(ctx, d))));
    run.throwIfCancelled();
    await deps.backend.deleteService!(stepContext(run), req.serviceName);
    return { result: { $case: "removedService", value: { serviceName: req.serviceName, daemonNames: current.map((d) => d.daemonName) } } };
  });
}

async function validateStatelessSpec(deps: Deps, spec: StatelessServiceSpec | undefined, requestId: string): Promise<StatelessServiceSpec> {
  const hosts = await deps.backend.listHosts();
  const v = new Violations();
  v.check(spec !== undefined, "spec", "is required");
  v.addAll(validateRequestId(requestId));
  if (!spec) v.throwIfAny();
  const s = spec!;
  v.addAll(validateEnum(s.serviceType, ServiceType, "spec.service_type", true));
  const stateless = STATELESS_TYPES.has(s.serviceType);
  v.check(stateless || s.serviceType <= 0, "spec.service_type", "must be one of MDS, RGW, NFS, ISCSI, RBD_MIRROR");
  if (s.serviceType === ServiceType.SERVICE_TYPE_RBD_MIRROR) {
    if (s.serviceId !== "") v.addAll(validateServiceId(s.serviceId, "spec.service_id"));
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
  if (s.serviceType === ServiceType.SERVICE_TYPE_NFS) {
    v.check(details?.$case === "nfs" && details.value.pool !== "", "spec.nfs.pool", "is required for NFS");
  }
  if (details?.$case === "nfs") {
    v.check(s.serviceType === ServiceType.SERVICE_TYPE_NFS, "spec.nfs", "only for NFS services");
    v.addAll(validateString(details.value.pool, "spec.nfs.pool", 128));
    v.addAll(validateString(details.value.namespace, "spec.nfs.namespace", 128));
    v.check(details.value.port >= 0 && details.value.port <= 65535, "spec.nfs.port", "must be 0 to 65535");
  }
  if (s.serviceType === ServiceType.SERVICE_TYPE_ISCSI) {
    v.check(details?.$case === "iscsi" && details.value.pool !== "", "spec.iscsi.pool", "is required for iSCSI");
  }
  if (details?.$case === "iscsi") {
    v.check(s.serviceType === ServiceType.SERVICE_TYPE_ISCSI, "spec.iscsi", "only for iSCSI services");
    v.addAll(validateString(details.value.pool, "spec.iscsi.pool", 128));
    v.addAll(validateString(details.value.apiUser, "spec.iscsi.api_user", 64));
    v.addAll(validateString(details.value.apiPassword, "spec.iscsi.api_password", 256));
    details.value.trustedIpList.forEach((ip, i) => v.addAll(validateString(ip, `spec.iscsi.trusted_ip_list[${i}]`, 64)));
  }
  v.throwIfAny();
  return s;
}

function toRecord(spec: StatelessServiceSpec): ServiceRecord {
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
  };
}

function sameSpec(a: ServiceRecord, b: ServiceRecord): boolean {
  return JSON.stringify([a.placement, a.details]) === JSON.stringify([b.placement, b.details]);
}

/**
 * Records the service, then brings its daemons to the placement: deploys the missing ones,
 * then removes the extra ones. `oneAtATime` keeps mon quorum (and mgr failover) safe.
 */
function applyPlan(
  deps: Deps,
  method: string,
  req: { requestId: string },
  spec: ServiceRecord,
  description: string,
  hosts: string[],
  oneAtATime: boolean,
): WritePlan {
  return writePlan(method, req, description, hosts, async (run) => {
    const existing = (await deps.backend.listServices!()).find((s) => s.serviceName === spec.serviceName);
    const record = { ...spec, created: existing?.created ?? spec.created };
    await deps.backend.saveService!(stepContext(run), record);
    const hosts = await deps.backend.listHosts();
    const current = await daemonsOf(deps, record.serviceName);
    const planned = resolvePlacement(record.placement!, hosts, current);
    const plannedHosts = new Set(planned.map((p) => p.hostname));
    const toRemove = current.filter((d) => !plannedHosts.has(d.hostname));
    const haveHosts = new Set(current.map((d) => d.hostname));
    const toAdd = planned.filter((p) => !haveHosts.has(p.hostname));
    const ids = new Set(current.map((d) => d.daemonId));
    const deploy = (p: (typeof toAdd)[number]) => {
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
    };
    const remove = (d: DaemonDescription) => run.onHost(d.hostname, d.daemonName, (ctx) => deps.backend.removeDaemon!(ctx, d));
    const total = toAdd.length + toRemove.length;
    let done = 0;
    const step = async <T>(p: Promise<T>) => {
      const r = await p;
      run.progress(++done / Math.max(total, 1), `${done} of ${total} daemons changed`);
      return r;
    };
    if (oneAtATime) {
      for (const p of toAdd) {
        run.throwIfCancelled();
        await step(deploy(p));
      }
      for (const d of toRemove) {
        run.throwIfCancelled();
        await step(remove(d));
      }
    } else {
      await settleAll(toAdd.map((p) => step(deploy(p))));
      run.throwIfCancelled();
      await settleAll(toRemove.map((d) => step(remove(d))));
    }
    const after = summarize(await deps.backend.listDaemons!(false)).byService.get(record.serviceName);
    return { result: { $case: "service", value: describe(record, after, nowTimestamp()) } };
  });
}

async function daemonsOf(deps: Deps, name: string): Promise<DaemonDescription[]> {
  return (await deps.backend.listDaemons!(false)).filter((d) => d.serviceName === name);
}

/** A StepContext for steps that belong to the operation as a whole, not to one host. */
export function stepContext(run: OperationRun) {
  return { operationId: run.id, log: run.log, signal: run.signal, progress: (f: number, m?: string) => run.progress(f, m) };
}
