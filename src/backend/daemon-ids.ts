// How daemons of a service are named on a host, as cephadm names them. Here, beside the
// plugin interface, so that both the domain (placement) and a backend that creates daemons
// on its own (the ssh backend's bootstrap) use the one rule.
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { typeName } from "./ceph-names.js";
import { AlreadyExistsError } from "./errors.js";

// cephadm names these after the host alone: there is one per host.
const NAMED_BY_HOST = new Set<ServiceType>([
  ServiceType.SERVICE_TYPE_MON,
  ServiceType.SERVICE_TYPE_CRASH,
  ServiceType.SERVICE_TYPE_NODE_EXPORTER,
  ServiceType.SERVICE_TYPE_PROMETHEUS,
  ServiceType.SERVICE_TYPE_GRAFANA,
  ServiceType.SERVICE_TYPE_ALERTMANAGER,
]);
const MAX_ATTEMPTS = 100;

/**
 * A new daemon id as cephadm's get_unique_name makes it: the short hostname (up to the first
 * '.') for mon, crash and the monitoring stack; `[<service_id>.]<short hostname>.<6 random lowercase letters>` for
 * the others (mgr too: upstream names mgrs "host.abcdef"). `random` returns [0, 1) like
 * Math.random; pass a seeded one in tests. Throws AlreadyExistsError when a mon or crash id
 * is taken, or when no free id turns up.
 */
export function daemonIdFor(
  serviceType: ServiceType,
  serviceId: string,
  hostname: string,
  existingIds: ReadonlySet<string>,
  random: () => number = Math.random,
): string {
  if (serviceType === ServiceType.SERVICE_TYPE_OSD) throw new Error("OSD ids are assigned by the cluster");
  const host = hostname.split(".")[0] ?? hostname;
  const type = typeName(serviceType);
  if (NAMED_BY_HOST.has(serviceType)) {
    if (existingIds.has(host)) throw new AlreadyExistsError("daemon", `${type}.${host}`);
    return host;
  }
  const prefix = serviceId === "" ? "" : `${serviceId}.`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let suffix = "";
    for (let k = 0; k < 6; k++) suffix += String.fromCharCode(97 + Math.min(25, Math.floor(random() * 26)));
    const id = `${prefix}${host}.${suffix}`;
    if (!existingIds.has(id)) return id;
  }
  throw new AlreadyExistsError("daemon", `${type}.${prefix}${host}`, `no free daemon id for ${type} on ${hostname}`);
}
