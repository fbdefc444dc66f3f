// Which backend primitives each RPC needs. One table: it decides both what
// GetCapabilities reports and which RPCs answer UNIMPLEMENTED, so the two never disagree.
import type { Backend } from "../backend/backend.js";
import { NotImplementedError, UnsupportedOptionError } from "./errors.js";

type Primitive = Exclude<keyof Backend, "name" | "version" | "unsupportedOptions" | "status" | "close">;

const PKG = "ceph_orchestrator.v1";

/** Every RPC of the API (full name "package.Service.Method") and the primitives it calls. */
export const RPC_PRIMITIVES: Readonly<Record<string, readonly Primitive[]>> = {
  [`${PKG}.OrchestratorService.GetStatus`]: [],
  [`${PKG}.OrchestratorService.GetCapabilities`]: [],
  [`${PKG}.HostService.AddHost`]: ["addHost"],
  [`${PKG}.HostService.RemoveHost`]: ["removeHost", "listDaemons"],
  [`${PKG}.HostService.ListHosts`]: ["listHosts"],
  [`${PKG}.HostService.AddHostLabel`]: ["setHostLabels"],
  [`${PKG}.HostService.RemoveHostLabel`]: ["setHostLabels"],
  [`${PKG}.InventoryService.GetInventory`]: ["getInventory"],
  [`${PKG}.InventoryService.BlinkDeviceLight`]: ["setDeviceLight"],
  [`${PKG}.ServiceService.DescribeServices`]: ["listServices", "listDaemons"],
  [`${PKG}.ServiceService.ListDaemons`]: ["listDaemons"],
  [`${PKG}.ServiceService.ServiceAction`]: ["listDaemons", "daemonAction"],
  [`${PKG}.ServiceService.DaemonAction`]: ["listDaemons", "daemonAction"],
  [`${PKG}.ServiceService.UpdateMons`]: ["listServices", "listDaemons", "saveService", "deployDaemon", "removeDaemon"],
  [`${PKG}.ServiceService.UpdateMgrs`]: ["listServices", "listDaemons", "saveService", "deployDaemon", "removeDaemon"],
  [`${PKG}.ServiceService.AddStatelessService`]: ["listServices", "listDaemons", "saveService", "deployDaemon"],
  [`${PKG}.ServiceService.UpdateStatelessService`]: ["listServices", "listDaemons", "saveService", "deployDaemon", "removeDaemon"],
  [`${PKG}.ServiceService.RemoveStatelessService`]: ["listServices", "listDaemons", "deleteService", "removeDaemon"],
  [`${PKG}.OsdService.CreateOsds`]: ["getInventory", "listDaemons", "listOsds", "saveService", "createOsd"],
  [`${PKG}.OsdService.PreviewOsds`]: ["getInventory", "listDaemons"],
  [`${PKG}.OsdService.ReplaceOsds`]: ["getInventory", "listDaemons", "listOsds", "markOsdOut", "osdSafety", "daemonAction", "destroyOsd", "createOsd"],
  [`${PKG}.OsdService.RemoveOsds`]: ["listDaemons", "markOsdOut", "osdSafety", "daemonAction", "purgeOsd", "destroyOsd"],
  // The queue exists only where removals can run.
  [`${PKG}.OsdService.GetOsdRemovalStatus`]: ["listDaemons", "markOsdOut", "osdSafety", "daemonAction", "purgeOsd", "destroyOsd"],
  [`${PKG}.UpgradeService.GetAvailableUpgrades`]: ["availableVersions", "listDaemons"],
  [`${PKG}.UpgradeService.StartUpgrade`]: ["availableVersions", "listDaemons", "upgradeDaemon"],
  [`${PKG}.UpgradeService.GetUpgradeStatus`]: ["upgradeDaemon"],
  [`${PKG}.UpgradeService.PauseUpgrade`]: ["upgradeDaemon"],
  [`${PKG}.UpgradeService.ResumeUpgrade`]: ["upgradeDaemon"],
  [`${PKG}.UpgradeService.StopUpgrade`]: ["upgradeDaemon"],
  [`${PKG}.OperationService.GetOperation`]: [],
  [`${PKG}.OperationService.ListOperations`]: [],
  [`${PKG}.OperationService.WatchOperation`]: [],
  [`${PKG}.OperationService.WaitOperations`]: [],
  [`${PKG}.OperationService.CancelOperation`]: [],
};

export function rpcName(service: string, method: string): string {
  return `${PKG}.${service}.${method}`;
}

export function isSupported(backend: Backend, rpc: string): boolean {
  const needed = RPC_PRIMITIVES[rpc];
  if (!needed) throw new Error(`unknown RPC ${rpc}`);
  return needed.every((p) => typeof backend[p] === "function");
}

/** Throws NotImplementedError (UNIMPLEMENTED) when the backend lacks a primitive of the RPC. */
export function ensureSupported(backend: Backend, rpc: string): void {
  if (!isSupported(backend, rpc)) throw new NotImplementedError(backend.name, rpc);
}

/**
 * Throws UnsupportedOptionError for the first option the request sets that the backend
 * does not support. Options are snake_case field paths ("spec.encrypted"); a field counts
 * as set when it differs from its proto3 default.
 */
export function ensureOptionsSupported(backend: Backend, rpc: string, request: object): void {
  for (const path of backend.unsupportedOptions?.[rpc] ?? []) {
    if (isSet(valueAt(request, path))) throw new UnsupportedOptionError(path, backend.name);
  }
}

function valueAt(obj: object, snakePath: string): unknown {
  let value: unknown = obj;
  for (const part of snakePath.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    const key = part.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "" || value === "0") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}
