// The stateless services: those AddStatelessService may create.
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";

export const STATELESS_TYPES: ReadonlySet<ServiceType> = new Set([
  ServiceType.SERVICE_TYPE_MDS,
  ServiceType.SERVICE_TYPE_RGW,
  ServiceType.SERVICE_TYPE_NFS,
  ServiceType.SERVICE_TYPE_ISCSI,
  ServiceType.SERVICE_TYPE_RBD_MIRROR,
]);
