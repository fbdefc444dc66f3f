// ServiceService's reads: services as their specs and daemons describe them, and the daemons.
import {
  type DaemonDescription,
  DaemonDescription_Status,
  type ServiceDescription,
  ServiceType,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type {
  DescribeServicesRequest,
  DescribeServicesResponse,
  ListDaemonsRequest,
  ListDaemonsResponse,
} from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import type { ServiceRecord } from "../backend/backend.js";
import { nowTimestamp } from "../backend/timestamps.js";
import { compareStrings } from "../backend/versions.js";
import { withoutSecrets } from "../contract/secrets.js";
import type { Deps } from "./context.js";
import { NotFoundError } from "./errors.js";
import { Violations, validateEnum, validateHostname, validatePageSize, validateString } from "./fields.js";
import { paginate, validatePageToken } from "./pagination.js";

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

export function summarize(daemons: readonly DaemonDescription[]): DaemonSummary {
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

/** `own`: what its daemons say (none: undefined). Secrets go in with a spec but never come back out. */
export function describe(
  record: ServiceRecord,
  own: ServiceDaemons | undefined,
  now: ServiceDescription["lastRefresh"],
): ServiceDescription {
  const size = record.placement?.count || (own?.total ?? 0);
  return { ...record, details: withoutSecrets(record.details), running: own?.running ?? 0, size, lastRefresh: own?.lastRefresh ?? now };
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

/** The service's record; NOT_FOUND when the backend has none. */
export async function findService(deps: Deps, serviceName: string): Promise<ServiceRecord> {
  const record = (await deps.backend.listServices!()).find((s) => s.serviceName === serviceName);
  if (!record) throw new NotFoundError("service", serviceName);
  return record;
}
