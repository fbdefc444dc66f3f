// The backend plugin interface. A backend knows how to read and change one kind of
// cluster (simulated, over SSH, ...). It implements primitives only; the rules of the
// orchestrator (validation, device selection, placement, upgrade order, sequencing,
// progress) live in src/domain and call these primitives. Every write primitive must be
// idempotent: running a step that already happened again changes nothing.
import type { Logger } from "pino";
import type { Host } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import type { DeviceLightLocation, InventoryHost, LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import type { CreatedOsd, PlannedOsd } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import type {
  DaemonDescription,
  ServiceAction,
  ServiceDescription,
  ServiceType,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";

/** What a backend is given while it carries out part of an operation. */
export interface StepContext {
  readonly operationId: string;
  /** A child logger whose every line carries the operation id. */
  readonly log: Logger;
  /** Aborted when the operation is cancelled or the service shuts down. */
  readonly signal: AbortSignal;
  /** Report progress of this step, 0..1, with a short message. */
  progress(fraction: number, message?: string): void;
}

export interface BackendStatus {
  available: boolean;
  /** Why not available; empty when available. */
  reason: string;
  details: Record<string, string>;
}

/** A service as the backend records it; `running` and `size` are computed from daemons. */
export type ServiceRecord = Omit<ServiceDescription, "running" | "size" | "lastRefresh">;

/** A daemon to create on a host. */
export interface DaemonDeployment {
  serviceType: ServiceType;
  serviceName: string;
  daemonId: string;
  hostname: string;
  /** For a mon: the address or network it binds to. */
  network: string;
  /** The service record, with its type-specific settings (RGW port, NFS pool, ...). */
  service: ServiceRecord;
}

/** An OSD of the cluster's OSD map, as `ceph osd tree` lists it. */
export interface OsdRecord {
  osdId: number;
  hostname: string;
  /** Destroyed: its id is kept for a replacement. */
  destroyed: boolean;
}

/** How far an OSD is from being safe to destroy. */
export interface OsdSafety {
  safeToDestroy: boolean;
  /** Placement groups still mapped to the OSD. */
  pgCount: number;
}

/**
 * A backend plugin. Optional methods are capabilities: an RPC whose primitives a backend
 * lacks answers UNIMPLEMENTED (see src/domain/capabilities.ts).
 */
export interface Backend {
  readonly name: string;
  readonly version: string;
  /**
   * Request fields this backend does not support, per RPC full name
   * (e.g. {"ceph_orchestrator.v1.OsdService.CreateOsds": ["spec.encrypted"]}).
   */
  readonly unsupportedOptions?: Readonly<Record<string, readonly string[]>>;
  /** The service types whose daemons it can deploy; absent: every type. */
  readonly serviceTypes?: readonly ServiceType[];

  /** Cheap: may be called on every request. */
  status(): Promise<BackendStatus>;
  /** Release connections and timers. */
  close(): Promise<void>;

  // Hosts
  /**
   * The hosts; with `hostnames`, only those that exist among them, so that a query for one
   * host does not grow with the cluster. A backend may ignore the filter (the domain filters
   * again).
   */
  listHosts(hostnames?: readonly string[]): Promise<Host[]>;
  addHost?(ctx: StepContext, host: Host): Promise<Host>;
  removeHost?(ctx: StepContext, hostname: string): Promise<void>;
  setHostLabels?(ctx: StepContext, hostname: string, labels: string[]): Promise<Host>;
  /** Reach the host at `addr` from now on; fails (and keeps the old address) unless it answers there as itself. */
  setHostAddr?(ctx: StepContext, hostname: string, addr: string): Promise<Host>;
  /**
   * Record that a host is in maintenance (listHosts then reports STATUS_MAINTENANCE) or no
   * longer is, and keep its OSDs from being marked out meanwhile (noout for them) or let them
   * be again. The domain stops the host's daemons after entering and starts them before exiting.
   */
  setHostMaintenance?(ctx: StepContext, hostname: string, on: boolean): Promise<Host>;

  // Inventory. `hostnames` empty means every host. `refresh` rescans before answering.
  getInventory?(hostnames: string[], refresh: boolean): Promise<InventoryHost[]>;
  setDeviceLight?(ctx: StepContext, location: DeviceLightLocation, light: LightType, on: boolean): Promise<void>;
  /** Erase a device (partitions, LVM volumes, signatures) so that it is available again; the domain has checked no OSD uses it. */
  zapDevice?(ctx: StepContext, hostname: string, path: string): Promise<void>;

  // Services and daemons
  listServices?(): Promise<ServiceRecord[]>;
  /**
   * Every daemon. The list may be shared (callers never change it): a backend that hands out
   * the same array until something changes lets the domain keep what it derives from it.
   */
  listDaemons?(refresh: boolean): Promise<readonly DaemonDescription[]>;
  /** Record (create or replace) a service's spec. */
  saveService?(ctx: StepContext, service: ServiceRecord): Promise<void>;
  /** Forget a service's spec (its daemons are removed first, one by one). */
  deleteService?(ctx: StepContext, serviceName: string): Promise<void>;
  /** Create and start one daemon; resolves when the cluster reports it up. */
  deployDaemon?(ctx: StepContext, daemon: DaemonDeployment): Promise<DaemonDescription>;
  /** Stop and remove one daemon. */
  removeDaemon?(ctx: StepContext, daemon: DaemonDescription): Promise<void>;
  /** Start, stop, restart, reload or redeploy one daemon. */
  daemonAction?(ctx: StepContext, daemon: DaemonDescription, action: ServiceAction): Promise<void>;
  /**
   * Why stopping these daemons (all at once) now would make data unavailable or lose a
   * quorum, one reason each, as the cluster's `ok-to-stop` checks say; empty when it is safe.
   */
  okToStop?(daemons: readonly DaemonDescription[]): Promise<string[]>;

  // OSDs
  /** Every OSD in the OSD map, destroyed ones included. */
  listOsds?(): Promise<OsdRecord[]>;
  /** Create one planned OSD on a host; resolves when it is up and in. */
  createOsd?(ctx: StepContext, hostname: string, osd: PlannedOsd, serviceName: string, encrypted: boolean): Promise<CreatedOsd>;
  markOsdOut?(ctx: StepContext, osdId: number): Promise<void>;
  osdSafety?(osdId: number): Promise<OsdSafety>;
  /** Remove the OSD from the cluster for good (the daemon is stopped already). */
  purgeOsd?(ctx: StepContext, osdId: number): Promise<void>;
  /** Mark the OSD destroyed, keeping its id for a replacement. */
  destroyOsd?(ctx: StepContext, osdId: number): Promise<void>;

  // Upgrades
  /** The versions the cluster can move to, oldest first. */
  availableVersions?(): Promise<string[]>;
  /** Restart one daemon on the given version; resolves when it is back up on it. */
  upgradeDaemon?(ctx: StepContext, daemon: DaemonDescription, version: string): Promise<void>;
}

/** What a backend module exports: `export default createBackend`. */
export type BackendFactory = (options: BackendOptions) => Promise<Backend>;

export interface BackendOptions {
  /** The backend's own configuration, from the service's configuration file or flags. */
  config: Record<string, unknown>;
  log: Logger;
  /**
   * Where the backend may keep state across restarts, in the service's database, committed
   * together with the operations journal. Absent when the service runs without a journal.
   */
  store?: BackendStore;
}

/** Durable key-value state of a backend (JSON values), kept with the operations journal. */
export interface BackendStore {
  /** Where the state is kept, for messages (a file path). */
  readonly location: string;
  /** The state last saved under `key`, or undefined. */
  load(key: string): unknown;
  /**
   * Saves the value `state()` returns under `key`, at the service's next commit: `state` is
   * called then, so that changes made meanwhile are saved together in one write. Resolves
   * once that commit is on disk, in order with the operation records queued before it.
   */
  save(key: string, state: () => unknown): Promise<void>;
}
