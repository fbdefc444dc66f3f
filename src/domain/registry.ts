// The RPC registry: one entry per RPC of the API, keyed by the generated service definitions
// (a method without an entry does not compile; test/domain/registry.test.ts checks the
// descriptor set too). Each entry names the role that may call the RPC, the backend
// primitives it needs, the request options a backend may refuse, and its use case: how it
// is validated and answered, or for a write how it is planned, run and rebuilt on resume.
// Adding an RPC is one entry here plus its use case.
import { HostServiceService } from "../../gen/ts/ceph_orchestrator/v1/host_service.js";
import { InventoryServiceService } from "../../gen/ts/ceph_orchestrator/v1/inventory_service.js";
import { OperationServiceService } from "../../gen/ts/ceph_orchestrator/v1/operation_service.js";
import { OrchestratorServiceService } from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import { OsdServiceService } from "../../gen/ts/ceph_orchestrator/v1/osd_service.js";
import { ServiceServiceService } from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import { UpgradeServiceService } from "../../gen/ts/ceph_orchestrator/v1/upgrade_service.js";
import { API_PACKAGE } from "../contract/descriptors.js";
import * as daemonAdd from "./daemon-add.js";
import * as actions from "./daemon-actions.js";
import * as maintenance from "./host-maintenance.js";
import * as hosts from "./hosts.js";
import * as inventory from "./inventory.js";
import * as operations from "./operations.js";
import { getCapabilities, getStatus, statusWithoutBackend } from "./capabilities.js";
import * as removal from "./osd-removal.js";
import * as osds from "./osds.js";
import { type AnyEntry, type MethodDefinition, type Primitive, type ServiceEntries, fullName, read, write } from "./registry-types.js";
import * as reconcile from "./reconcile.js";
import * as reconciliation from "./reconciliation.js";
import * as placement from "./service-placement.js";
import * as descriptions from "./service-descriptions.js";
import * as stateless from "./stateless-services.js";
import * as upgrades from "./upgrades.js";

const PLACE: readonly Primitive[] = ["listServices", "listDaemons", "saveService", "deployDaemon", "removeDaemon"];
/** What removing an OSD calls; the removal queue exists only where removals can run. */
const REMOVE_OSD: readonly Primitive[] = ["listDaemons", "markOsdOut", "osdSafety", "daemonAction", "purgeOsd", "destroyOsd"];

/** Options of a stateless service's spec that a backend may not support. */
const STATELESS_OPTIONS = [
  "spec.rgw",
  "spec.rgw.rgw_realm",
  "spec.rgw.rgw_zone",
  "spec.rgw.rgw_zonegroup",
  "spec.rgw.rgw_frontend_port",
  "spec.rgw.ssl",
  "spec.rgw.rgw_multisite",
  "spec.rgw.rgw_zonemaster",
  "spec.rgw.rgw_zonesecondary",
  "spec.rgw.rgw_multisite_proto",
  "spec.rgw.rgw_zone_user",
  "spec.rgw.system_access_key",
  "spec.rgw.system_secret_key",
  "spec.nfs",
  "spec.nfs.namespace",
  "spec.nfs.port",
  "spec.iscsi",
  "spec.iscsi.trusted_ip_list",
];

const orchestrator: ServiceEntries<typeof OrchestratorServiceService> = {
  getStatus: read("reader", [], (deps) => getStatus(deps.backend, deps.reconciler?.paused ?? false), { withoutBackend: statusWithoutBackend }),
  getCapabilities: read("reader", [], (deps) => getCapabilities(deps.backend, allRegisteredRpcs())),
  // Stops or restarts everything the service does by itself: an admin's.
  pauseReconciliation: { kind: "command", role: "admin", needs: [], options: [], call: reconciliation.pause },
  resumeReconciliation: { kind: "command", role: "admin", needs: [], options: [], call: reconciliation.resume },
};

const host: ServiceEntries<typeof HostServiceService> = {
  addHost: write("admin", ["addHost"], hosts.addHost),
  updateHostAddr: write("admin", ["setHostAddr"], hosts.updateHostAddr),
  removeHost: write("admin", ["removeHost", "listDaemons"], hosts.removeHost),
  listHosts: read("reader", ["listHosts"], hosts.listHosts),
  addHostLabel: write("admin", ["setHostLabels"], hosts.addHostLabel),
  removeHostLabel: write("admin", ["setHostLabels"], hosts.removeHostLabel),
  hostOkToStop: read("reader", ["listHosts", "listDaemons", "okToStop"], maintenance.hostOkToStop),
  enterHostMaintenance: write("admin", ["listDaemons", "okToStop", "setHostMaintenance", "daemonAction"], maintenance.enterHostMaintenance),
  exitHostMaintenance: write("admin", ["listDaemons", "setHostMaintenance", "daemonAction"], maintenance.exitHostMaintenance),
  drainHost: write("admin", ["listDaemons", "okToStop", "setHostLabels", "removeDaemon", ...REMOVE_OSD], maintenance.drainHost),
};

const inv: ServiceEntries<typeof InventoryServiceService> = {
  getInventory: read("reader", ["getInventory"], inventory.getInventory),
  blinkDeviceLight: write("operator", ["setDeviceLight"], inventory.blinkDeviceLight),
  // Erases data: an admin's.
  zapDevice: write("admin", ["getInventory", "listDaemons", "zapDevice"], inventory.zapDevice),
};

const service: ServiceEntries<typeof ServiceServiceService> = {
  describeServices: read("reader", ["listServices", "listDaemons"], descriptions.describeServices),
  listDaemons: read("reader", ["listDaemons"], descriptions.listDaemons),
  serviceAction: write("operator", ["listDaemons", "daemonAction"], actions.serviceAction),
  // A version to redeploy on needs the backend's upgrade primitives; a backend without them refuses it.
  daemonAction: write("operator", ["listDaemons", "daemonAction"], actions.daemonAction, { options: ["version"] }),
  removeDaemons: write("admin", ["listDaemons", "removeDaemon"], actions.removeDaemons),
  updateMons: write("admin", PLACE, placement.updateMons),
  updateMgrs: write("admin", PLACE, placement.updateMgrs),
  addStatelessService: write("admin", ["listServices", "listDaemons", "saveService", "deployDaemon"], stateless.addStatelessService, {
    options: STATELESS_OPTIONS,
  }),
  updateStatelessService: write("admin", PLACE, stateless.updateStatelessService, { options: STATELESS_OPTIONS }),
  removeStatelessService: write(
    "admin",
    ["listServices", "listDaemons", "deleteService", "removeDaemon"],
    stateless.removeStatelessService,
  ),
  reconcileService: write("admin", ["listServices", "listDaemons", "deployDaemon", "removeDaemon"], reconcile.reconcileService),
  addDaemons: write("admin", ["listServices", "listDaemons", "deployDaemon"], daemonAdd.addDaemons, { options: STATELESS_OPTIONS }),
};

const osd: ServiceEntries<typeof OsdServiceService> = {
  createOsds: write("admin", ["getInventory", "listDaemons", "listOsds", "saveService", "createOsd"], osds.createOsds, {
    options: osds.DRIVE_GROUP_OPTIONS,
  }),
  // A preview changes nothing: a reader's.
  previewOsds: read("reader", ["getInventory", "listDaemons"], osds.previewOsds, {
    validate: osds.validatePreviewOsds,
    options: osds.DRIVE_GROUP_OPTIONS,
  }),
  replaceOsds: write(
    "admin",
    ["getInventory", "listDaemons", "listOsds", "markOsdOut", "osdSafety", "daemonAction", "destroyOsd", "saveService", "createOsd"],
    osds.replaceOsds,
    { options: osds.DRIVE_GROUP_OPTIONS },
  ),
  // Zapping needs the backend's zapDevice: a backend without it refuses the option.
  removeOsds: write("admin", REMOVE_OSD, removal.removeOsds, { options: ["zap"] }),
  getOsdRemovalStatus: read("reader", REMOVE_OSD, removal.getOsdRemovalStatus),
};

const upgrade: ServiceEntries<typeof UpgradeServiceService> = {
  getAvailableUpgrades: read("reader", ["availableVersions", "listDaemons"], upgrades.getAvailableUpgrades),
  startUpgrade: write("admin", ["availableVersions", "listDaemons", "upgradeDaemon"], upgrades.startUpgrade),
  getUpgradeStatus: read("reader", ["upgradeDaemon"], upgrades.getUpgradeStatus),
  pauseUpgrade: write("admin", ["upgradeDaemon"], upgrades.pauseUpgrade),
  resumeUpgrade: write("admin", ["upgradeDaemon"], upgrades.resumeUpgrade),
  stopUpgrade: write("admin", ["upgradeDaemon"], upgrades.stopUpgrade),
};

const operation: ServiceEntries<typeof OperationServiceService> = {
  getOperation: read("reader", [], operations.getOperation),
  listOperations: read("reader", [], operations.listOperations),
  watchOperation: { kind: "watch", role: "reader", needs: [], options: [], operationId: operations.watchedOperation },
  waitOperations: read("reader", [], operations.waitOperations),
  // Cancelling changes an operation: an operator's, audited like a write.
  cancelOperation: { kind: "command", role: "operator", needs: [], options: [], call: operations.cancelOperation },
};

type MethodNames<Service extends string, S> = `${Service}.${Capitalize<keyof S & string>}`;

/** Every RPC's name without the package ("HostService.AddHost"): a table keyed by it lists every RPC, or does not compile. */
export type RpcName =
  | MethodNames<"OrchestratorService", typeof OrchestratorServiceService>
  | MethodNames<"HostService", typeof HostServiceService>
  | MethodNames<"InventoryService", typeof InventoryServiceService>
  | MethodNames<"ServiceService", typeof ServiceServiceService>
  | MethodNames<"OsdService", typeof OsdServiceService>
  | MethodNames<"UpgradeService", typeof UpgradeServiceService>
  | MethodNames<"OperationService", typeof OperationServiceService>;

/** A generated service definition and its entries. */
export interface RegisteredService {
  readonly definition: Readonly<Record<string, MethodDefinition<unknown, unknown>>>;
  readonly entries: Readonly<Record<string, AnyEntry>>;
}

function registered<S extends Record<string, { readonly path: string }>>(definition: S, entries: ServiceEntries<S>): RegisteredService {
  return {
    definition: definition as unknown as RegisteredService["definition"],
    entries: entries as unknown as RegisteredService["entries"],
  };
}

/** Every service of the API with its entries. */
export const REGISTRY: readonly RegisteredService[] = [
  registered(OrchestratorServiceService, orchestrator),
  registered(HostServiceService, host),
  registered(InventoryServiceService, inv),
  registered(ServiceServiceService, service),
  registered(OsdServiceService, osd),
  registered(UpgradeServiceService, upgrade),
  registered(OperationServiceService, operation),
];

/** One RPC: its full name ("ceph_orchestrator.v1.HostService.AddHost"), gRPC path, generated method and entry. */
export interface RegisteredRpc {
  readonly fullName: string;
  readonly path: string;
  readonly method: MethodDefinition<unknown, unknown>;
  readonly entry: AnyEntry;
}

const BY_NAME: ReadonlyMap<string, RegisteredRpc> = new Map(
  REGISTRY.flatMap((s) =>
    Object.entries(s.definition).map(([key, method]) => {
      const rpc = { fullName: fullName(method), path: method.path, method, entry: s.entries[key]! };
      return [rpc.fullName, rpc] as const;
    }),
  ),
);

/** Every RPC of the API, in the order of the services and their methods. */
export function allRegisteredRpcs(): RegisteredRpc[] {
  return [...BY_NAME.values()];
}

/** The RPC of a full name ("ceph_orchestrator.v1.HostService.AddHost"), or undefined. */
export function rpcByName(name: string): RegisteredRpc | undefined {
  return BY_NAME.get(name);
}

/** The RPC at a gRPC path ("/ceph_orchestrator.v1.HostService/AddHost"), or undefined (health, reflection). */
export function rpcByPath(path: string): RegisteredRpc | undefined {
  return path.startsWith(`/${API_PACKAGE}.`) ? BY_NAME.get(fullName({ path })) : undefined;
}

/** Whether a call of the RPC changes the cluster or an operation: audited, and counted by the write rate limit. */
export function isWrite(entry: AnyEntry): boolean {
  return entry.kind === "write" || entry.kind === "command";
}
