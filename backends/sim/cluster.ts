// A simulated Ceph cluster held in memory. It applies primitive changes and reports state
// the way a real cluster would (delays, intermediate states, failures); every rule of the
// orchestrator itself (validation, device selection, placement, upgrade order) lives in
// src/domain. Sizes stay bigint throughout. With a store (the service's database), each
// step saves the cluster once its effect is complete, and a step resolves only once that is
// on disk: a crash never leaves a half-applied step, and a restart keeps the cluster.
//
// SimBackend only composes the parts: the state (state.ts, saved by persistence.ts), the
// failures and delays (faults.ts), and one part per concern, to which each call goes.
import type {
  Backend,
  BackendStatus,
  BackendStore,
  DaemonDeployment,
  OsdRecord,
  OsdSafety,
  ServiceRecord,
  StepContext,
} from "../../src/backend/backend.js";
import type { Host } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import type { DeviceLightLocation, InventoryHost, LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import type { CreatedOsd, PlannedOsd } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import type { DaemonDescription, ServiceAction } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { SimConfig } from "./config.js";
import { SimDaemons } from "./daemons.js";
import { Faults } from "./faults.js";
import type { Fixture } from "./fixture.js";
import { SimHosts } from "./hosts.js";
import { SimOsds } from "./osds.js";
import { type SimState, saveState, useStore } from "./persistence.js";
import { SimCluster } from "./state.js";
import { SimUpgrades } from "./upgrades.js";

export class SimBackend implements Backend {
  readonly name = "sim";
  readonly version = "0.1.0";
  // The sim can pretend to do anything a request asks for, FileStore and encryption included.
  readonly unsupportedOptions = {};

  private readonly cluster: SimCluster;
  private readonly faults: Faults;
  private readonly hosts: SimHosts;
  private readonly daemons: SimDaemons;
  private readonly osds: SimOsds;
  private readonly upgrades: SimUpgrades;

  constructor(fixture: Fixture, config: SimConfig) {
    this.cluster = new SimCluster(fixture, config.version);
    this.faults = new Faults(config, fixture);
    this.hosts = new SimHosts(this.cluster, this.faults);
    this.daemons = new SimDaemons(this.cluster, this.faults);
    this.osds = new SimOsds(this.cluster, this.faults);
    this.upgrades = new SimUpgrades(this.cluster, this.faults, this.daemons, config.availableVersions);
  }

  // --- Cluster ---

  async status(): Promise<BackendStatus> {
    if (this.faults.clusterUnreachable) {
      return { available: false, reason: "the simulated cluster is unreachable (failures.clusterUnreachable)", details: {} };
    }
    return {
      available: true,
      reason: "",
      details: { fsid: this.cluster.fsid, hosts: String(this.cluster.hosts.size), version: this.cluster.oldestVersion() },
    };
  }

  /** Nothing to release: the only timers are the sleeps of running steps, which their signals end. */
  async close(): Promise<void> {}

  // --- Persistence ---

  /**
   * Keeps the cluster in `store`: the state saved there replaces the fixture's (true), or,
   * when there is none yet, the fixture's state is saved as the first (false).
   */
  useStore(store: BackendStore): Promise<boolean> {
    return useStore(this.cluster, store);
  }

  /** Hosts and OSDs (not destroyed), for the start-up log: without copying the cluster as toState() does. */
  counts(): { hosts: number; osds: number } {
    let osds = 0;
    for (const o of this.cluster.osds.values()) if (!o.destroyed) osds++;
    return { hosts: this.cluster.hosts.size, osds };
  }

  /** The cluster as it is after the last completed step. */
  toState(): SimState {
    return saveState(this.cluster);
  }

  okToStop(daemons: readonly DaemonDescription[]): Promise<string[]> {
    return Promise.resolve(this.daemons.okToStop(daemons));
  }

  setHostMaintenance(ctx: StepContext, hostname: string, on: boolean): Promise<Host> {
    return this.hosts.setHostMaintenance(ctx, hostname, on);
  }

  // --- Events outside the orchestrator (tests and demos) ---

  /** A daemon's process dies by itself, as a real one can: it shows as failed (STATUS_ERROR) until it is started again. */
  crashDaemon(name: string): void {
    this.daemons.crash(name);
  }

  // --- Hosts and inventory ---

  listHosts(hostnames?: readonly string[]): Promise<Host[]> {
    return this.hosts.listHosts(hostnames);
  }

  addHost(ctx: StepContext, host: Host): Promise<Host> {
    return this.hosts.addHost(ctx, host);
  }

  removeHost(ctx: StepContext, hostname: string): Promise<void> {
    return this.hosts.removeHost(ctx, hostname);
  }

  setHostLabels(ctx: StepContext, hostname: string, labels: string[]): Promise<Host> {
    return this.hosts.setHostLabels(ctx, hostname, labels);
  }

  setHostAddr(ctx: StepContext, hostname: string, addr: string): Promise<Host> {
    return this.hosts.setHostAddr(ctx, hostname, addr);
  }

  getInventory(hostnames: string[], refresh: boolean): Promise<InventoryHost[]> {
    return this.hosts.getInventory(hostnames, refresh);
  }

  setDeviceLight(ctx: StepContext, location: DeviceLightLocation, light: LightType, on: boolean): Promise<void> {
    return this.hosts.setDeviceLight(ctx, location, light, on);
  }

  /** The lights of one device, which no RPC reports; for tests and demos. */
  zapDevice(ctx: StepContext, hostname: string, path: string): Promise<void> {
    return this.osds.zapDevice(ctx, hostname, path);
  }

  deviceLights(hostname: string, path: string): { ident: boolean; fault: boolean } | undefined {
    return this.hosts.deviceLights(hostname, path);
  }

  // --- Services and daemons ---

  listServices(): Promise<ServiceRecord[]> {
    return this.daemons.listServices();
  }

  listDaemons(refresh: boolean): Promise<readonly DaemonDescription[]> {
    return this.daemons.listDaemons(refresh);
  }

  saveService(ctx: StepContext, service: ServiceRecord): Promise<void> {
    return this.daemons.saveService(ctx, service);
  }

  deleteService(ctx: StepContext, serviceName: string): Promise<void> {
    return this.daemons.deleteService(ctx, serviceName);
  }

  deployDaemon(ctx: StepContext, deployment: DaemonDeployment): Promise<DaemonDescription> {
    return this.daemons.deployDaemon(ctx, deployment);
  }

  removeDaemon(ctx: StepContext, daemon: DaemonDescription): Promise<void> {
    return this.daemons.removeDaemon(ctx, daemon);
  }

  daemonAction(ctx: StepContext, daemon: DaemonDescription, action: ServiceAction): Promise<void> {
    return this.daemons.daemonAction(ctx, daemon, action);
  }

  // --- OSDs ---

  createOsd(ctx: StepContext, hostname: string, planned: PlannedOsd, serviceName: string, encrypted: boolean): Promise<CreatedOsd> {
    return this.osds.createOsd(ctx, hostname, planned, serviceName, encrypted);
  }

  markOsdOut(ctx: StepContext, osdId: number): Promise<void> {
    return this.osds.markOsdOut(ctx, osdId);
  }

  listOsds(): Promise<OsdRecord[]> {
    return this.osds.listOsds();
  }

  osdSafety(osdId: number): Promise<OsdSafety> {
    return this.osds.osdSafety(osdId);
  }

  purgeOsd(ctx: StepContext, osdId: number): Promise<void> {
    return this.osds.purgeOsd(ctx, osdId);
  }

  destroyOsd(ctx: StepContext, osdId: number): Promise<void> {
    return this.osds.destroyOsd(ctx, osdId);
  }

  // --- Upgrades ---

  availableVersions(): Promise<string[]> {
    return this.upgrades.availableVersions();
  }

  upgradeDaemon(ctx: StepContext, daemon: DaemonDescription, version: string): Promise<void> {
    return this.upgrades.upgradeDaemon(ctx, daemon, version);
  }
}
