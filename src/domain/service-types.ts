// Ceph's names for service types, and how service and daemon names are formed.
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
]);

/** The stateless services: those AddStatelessService may create. */
export const STATELESS_TYPES: ReadonlySet<ServiceType> = new Set([
  ServiceType.SERVICE_TYPE_MDS,
  ServiceType.SERVICE_TYPE_RGW,
  ServiceType.SERVICE_TYPE_NFS,
  ServiceType.SERVICE_TYPE_ISCSI,
  ServiceType.SERVICE_TYPE_RBD_MIRROR,
]);

export function typeName(type: ServiceType): string {
  const name = NAMES.get(type);
  if (!name) throw new Error(`no name for service type ${type}`);
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
