// Rebuilds the operation of a journaled write that had not ended when the service stopped,
// so the engine can run it again under the same id. The run functions are idempotent:
// they look at the cluster as it is now and skip what already happened.
import type { AddHostLabelRequest, AddHostRequest, RemoveHostLabelRequest, RemoveHostRequest } from "../../gen/ts/ceph_orchestrator/v1/host_service.js";
import type { BlinkDeviceLightRequest } from "../../gen/ts/ceph_orchestrator/v1/inventory_service.js";
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { CreateOsdsRequest, RemoveOsdsRequest, ReplaceOsdsRequest } from "../../gen/ts/ceph_orchestrator/v1/osd_service.js";
import type {
  AddStatelessServiceRequest,
  DaemonActionRequest,
  RemoveStatelessServiceRequest,
  ServiceActionRequest,
  UpdateMgrsRequest,
  UpdateMonsRequest,
  UpdateStatelessServiceRequest,
} from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import type { StartUpgradeRequest } from "../../gen/ts/ceph_orchestrator/v1/upgrade_service.js";
import type { WritePlan } from "../operations/engine.js";
import { isSupported, rpcName } from "./capabilities.js";
import {
  coreServicePlan,
  daemonActionPlan,
  removeStatelessPlan,
  serviceActionPlan,
  statelessPlan,
} from "./ceph-services.js";
import type { Deps } from "./context.js";
import { addHostPlan, labelPlan, removeHostPlan } from "./hosts.js";
import { blinkDeviceLightPlan } from "./inventory.js";
import { createOsdsPlan, removeOsdsPlan, replaceOsdsPlan } from "./osds.js";
import { controlPlan, startUpgradePlan } from "./upgrades.js";

type Rebuild = (deps: Deps, request: never, op: Operation) => WritePlan;

const REBUILDERS: Record<string, Rebuild> = {
  [rpcName("HostService", "AddHost")]: (d, r: AddHostRequest) => addHostPlan(d, r),
  [rpcName("HostService", "RemoveHost")]: (d, r: RemoveHostRequest) => removeHostPlan(d, r),
  [rpcName("HostService", "AddHostLabel")]: (d, r: AddHostLabelRequest) => labelPlan(d, r, "AddHostLabel"),
  [rpcName("HostService", "RemoveHostLabel")]: (d, r: RemoveHostLabelRequest) => labelPlan(d, r, "RemoveHostLabel"),
  [rpcName("InventoryService", "BlinkDeviceLight")]: (d, r: BlinkDeviceLightRequest) => blinkDeviceLightPlan(d, r),
  [rpcName("ServiceService", "ServiceAction")]: (d, r: ServiceActionRequest, op) => serviceActionPlan(d, r, op.hosts),
  [rpcName("ServiceService", "DaemonAction")]: (d, r: DaemonActionRequest, op) => daemonActionPlan(d, r, op.hosts),
  [rpcName("ServiceService", "UpdateMons")]: (d, r: UpdateMonsRequest, op) => coreServicePlan(d, r, "UpdateMons", op.hosts),
  [rpcName("ServiceService", "UpdateMgrs")]: (d, r: UpdateMgrsRequest, op) => coreServicePlan(d, r, "UpdateMgrs", op.hosts),
  [rpcName("ServiceService", "AddStatelessService")]: (d, r: AddStatelessServiceRequest, op) =>
    statelessPlan(d, r, "AddStatelessService", op.hosts),
  [rpcName("ServiceService", "UpdateStatelessService")]: (d, r: UpdateStatelessServiceRequest, op) =>
    statelessPlan(d, r, "UpdateStatelessService", op.hosts),
  [rpcName("ServiceService", "RemoveStatelessService")]: (d, r: RemoveStatelessServiceRequest, op) => removeStatelessPlan(d, r, op.hosts),
  [rpcName("OsdService", "CreateOsds")]: (d, r: CreateOsdsRequest, op) => createOsdsPlan(d, r, op.hosts),
  [rpcName("OsdService", "ReplaceOsds")]: (d, r: ReplaceOsdsRequest) => replaceOsdsPlan(d, r),
  [rpcName("OsdService", "RemoveOsds")]: (d, r: RemoveOsdsRequest, op) => removeOsdsPlan(d, r, op.hosts),
  [rpcName("UpgradeService", "StartUpgrade")]: (d, r: StartUpgradeRequest, op) => startUpgradePlan(d, r, op.hosts),
  [rpcName("UpgradeService", "PauseUpgrade")]: (d, r: { requestId: string }) => controlPlan(d, r, "PauseUpgrade"),
  [rpcName("UpgradeService", "ResumeUpgrade")]: (d, r: { requestId: string }) => controlPlan(d, r, "ResumeUpgrade"),
  [rpcName("UpgradeService", "StopUpgrade")]: (d, r: { requestId: string }) => controlPlan(d, r, "StopUpgrade"),
};

/**
 * The spec to run a journaled, unfinished operation again, or undefined when it cannot be
 * resumed (an unknown method, or one the backend no longer supports): the engine then marks
 * it failed.
 */
export function resumePlan(deps: Deps, op: Operation, request: unknown): WritePlan | undefined {
  const rebuild = REBUILDERS[op.method];
  if (!rebuild || !isSupported(deps.backend, op.method) || typeof request !== "object" || request === null) return undefined;
  return rebuild(deps, request as never, op);
}
