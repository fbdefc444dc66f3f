// Who may call what: the role each RPC needs, and which RPCs are writes (audited and
// rate-limited). One table for every RPC of the API; test/security/roles.test.ts checks it
// against the generated service definitions, so a new RPC cannot be left out.
const PKG = "ceph_orchestrator.v1";

/** The roles, each allowed everything the ones before it are. */
export const ROLES = ["reader", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` may do what `required` may. */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

export interface RpcAccess {
  /** The least role that may call it. */
  role: Role;
  /** It changes the cluster or an operation: audited, and counted by the write rate limit. */
  write: boolean;
}

const read: RpcAccess = { role: "reader", write: false };
const operate: RpcAccess = { role: "operator", write: true };
const administer: RpcAccess = { role: "admin", write: true };

/** Every RPC of the API, by full name ("package.Service.Method"). */
export const RPC_ACCESS: Readonly<Record<string, RpcAccess>> = {
  [`${PKG}.OrchestratorService.GetStatus`]: read,
  [`${PKG}.OrchestratorService.GetCapabilities`]: read,
  // Hosts: admin.
  [`${PKG}.HostService.AddHost`]: administer,
  [`${PKG}.HostService.RemoveHost`]: administer,
  [`${PKG}.HostService.ListHosts`]: read,
  [`${PKG}.HostService.AddHostLabel`]: administer,
  [`${PKG}.HostService.RemoveHostLabel`]: administer,
  [`${PKG}.InventoryService.GetInventory`]: read,
  // Device lights: operator.
  [`${PKG}.InventoryService.BlinkDeviceLight`]: operate,
  [`${PKG}.ServiceService.DescribeServices`]: read,
  [`${PKG}.ServiceService.ListDaemons`]: read,
  // Service and daemon actions (start, stop, restart, ...): operator.
  [`${PKG}.ServiceService.ServiceAction`]: operate,
  [`${PKG}.ServiceService.DaemonAction`]: operate,
  // Mons and mgrs, stateless services: admin.
  [`${PKG}.ServiceService.UpdateMons`]: administer,
  [`${PKG}.ServiceService.UpdateMgrs`]: administer,
  [`${PKG}.ServiceService.AddStatelessService`]: administer,
  [`${PKG}.ServiceService.UpdateStatelessService`]: administer,
  [`${PKG}.ServiceService.RemoveStatelessService`]: administer,
  // OSDs: admin; a preview changes nothing.
  [`${PKG}.OsdService.CreateOsds`]: administer,
  [`${PKG}.OsdService.PreviewOsds`]: read,
  [`${PKG}.OsdService.ReplaceOsds`]: administer,
  [`${PKG}.OsdService.RemoveOsds`]: administer,
  [`${PKG}.OsdService.GetOsdRemovalStatus`]: read,
  // Upgrades: admin.
  [`${PKG}.UpgradeService.GetAvailableUpgrades`]: read,
  [`${PKG}.UpgradeService.StartUpgrade`]: administer,
  [`${PKG}.UpgradeService.GetUpgradeStatus`]: read,
  [`${PKG}.UpgradeService.PauseUpgrade`]: administer,
  [`${PKG}.UpgradeService.ResumeUpgrade`]: administer,
  [`${PKG}.UpgradeService.StopUpgrade`]: administer,
  // Operations: reading, watching and waiting are reads; Cancel is an operator's.
  [`${PKG}.OperationService.GetOperation`]: read,
  [`${PKG}.OperationService.ListOperations`]: read,
  [`${PKG}.OperationService.WatchOperation`]: read,
  [`${PKG}.OperationService.WaitOperations`]: read,
  [`${PKG}.OperationService.CancelOperation`]: operate,
};

/** "ceph_orchestrator.v1.HostService.AddHost" for "/ceph_orchestrator.v1.HostService/AddHost". */
export function fullNameOfPath(path: string): string {
  return path.replace(/^\//, "").replace("/", ".");
}

/** The access rule of a gRPC path, or undefined for a path outside the API (health, reflection). */
export function accessOfPath(path: string): RpcAccess | undefined {
  return RPC_ACCESS[fullNameOfPath(path)];
}
