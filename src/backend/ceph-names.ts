// Ceph's names for service types, and how service names are formed ("mds.cephfs"): one table
// for the domain and every backend.
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";

const NAMES: ReadonlyMap<ServiceType, string> = new Map([
  [ServiceType.SERVICE_TYPE_MON, "mon"],
  [ServiceType.SERVICE_TYPE_MGR, "mgr"],
  [ServiceType.SERVICE_TYPE_OSD, "osd"],
  [ServiceType.SERVICE_TYPE_MDS, "mds"],
  [ServiceType.SERVICE_TYPE_RGW, "rgw"],
  [ServiceType.SERVICE_TYPE_NFS, "nfs"],
  [ServiceType.SERVICE_TYPE_ISCSI, "iscsi"],
  [ServiceType.SERVICE_TYPE_RBD_MIRROR, "rbd-mirror"],
  [ServiceType.SERVICE_TYPE_CRASH, "crash"],
  [ServiceType.SERVICE_TYPE_NODE_EXPORTER, "node-exporter"],
  [ServiceType.SERVICE_TYPE_PROMETHEUS, "prometheus"],
  [ServiceType.SERVICE_TYPE_GRAFANA, "grafana"],
  [ServiceType.SERVICE_TYPE_ALERTMANAGER, "alertmanager"],
]);

/** Every Ceph service type name ("mon", "rbd-mirror", ...). */
export const SERVICE_TYPE_NAMES: readonly string[] = [...NAMES.values()];

/** "rbd-mirror" for SERVICE_TYPE_RBD_MIRROR; throws for a type without a Ceph name. */
export function typeName(type: ServiceType): string {
  const name = NAMES.get(type);
  if (!name) throw new Error(`no Ceph name for service type ${type}`);
  return name;
}

export function typeFromName(name: string): ServiceType | undefined {
  for (const [type, n] of NAMES) if (n === name) return type;
  return undefined;
}

/** "mon", "mds.cephfs": the service's name. */
export function serviceName(type: ServiceType, serviceId: string): string {
  return serviceId === "" ? typeName(type) : `${typeName(type)}.${serviceId}`;
}

/** The part of a service name after "<type>.", e.g. "cephfs" for "mds.cephfs"; "" for "mon". */
export function serviceIdOf(serviceName: string): string {
  const dot = serviceName.indexOf(".");
  return dot < 0 ? "" : serviceName.slice(dot + 1);
}
