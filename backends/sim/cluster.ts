// A simulated Ceph cluster held in memory. It applies primitive changes and reports state
// the way a real cluster would (delays, intermediate states, failures); every rule of the
// orchestrator itself (validation, device selection, placement, upgrade order) lives in
// src/domain. Sizes stay bigint throughout. With a store (the service's database), each
// step saves the cluster once its effect is complete, and a step resolves only once that is
// on disk: a crash never leaves a half-applied step, and a restart keeps the cluster.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
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
import {
  AlreadyExistsError,
  BackendUnavailableError,
  CancelledError,
  ExecutionError,
  FailedPreconditionError,
  NotFoundError,
} from "../../src/backend/errors.js";
import { type Host, Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import {
  type Device,
  type DeviceLightLocation,
  type InventoryHost,
  LightType,
} from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import type { CreatedOsd, PlannedOsd } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import {
  type DaemonDescription,
  DaemonDescription_Status as Status,
  ServiceAction,
  ServiceType,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { Delays, SimConfig } from "./config.js";
import { serviceIdOf, typeName } from "../../src/backend/ceph-names.js";
import { sameSet } from "../../src/backend/sets.js";
import { toTimestamp } from "../../src/backend/timestamps.js";
import { compareCephVersions } from "../../src/backend/versions.js";
import { lvName, lvmUuid } from "./lvm.js";
import type { Fixture } from "./fixture.js";
import type { FixtureDevice } from "./fixture-hosts.js";

/** The store key of the saved cluster. */
export const STATE_KEY = "cluster";
const STATE_FORMAT = 1;

interface SimDevice extends FixtureDevice {
  ident: boolean;
  fault: boolean;
}

interface SimHost {
  hostname: string;
  addr: string;
  labels: string[];
  devices: SimDevice[];
  /** When the devices were last scanned. */
  refreshedAt: number;
}

interface SimDaemon {
  type: ServiceType;
  id: string;
  name: string;
  serviceName: string;
  hostname: string;
  status: Status;
  statusDesc: string;
  version: string;
  /** 0 while not running. */
  pid: number;
  created: number;
  started: number | undefined;
  lastRefresh: number;
}

interface SimOsd {
  id: number;
  hostname: string;
  /** Empty once destroyed. */
  data: string;
  db: string;
  wal: string;
  journal: string;
  serviceName: string;
  osdFsid: string;
  in: boolean;
  /** When it was marked out: its placement groups drain from then on. */
  outSince: number | undefined;
  destroyed: boolean;
}

type LvType = "block" | "db" | "wal" | "journal";

type SavedDevice = Omit<SimDevice, "sizeBytes"> & { sizeBytes: string };
type SavedMachine = { addr: string; devices: SavedDevice[] };

/** The cluster as saved in the store: JSON, sizes as decimal strings. */
export interface SimState {
  format: typeof STATE_FORMAT;
  fsid: string;
  pgsPerOsd: number;
  lastPid: number;
  hosts: (Omit<SimHost, "devices"> & { devices: SavedDevice[] })[];
  spares: (SavedMachine & { hostname: string })[];
  services: ServiceRecord[];
  daemons: SimDaemon[];
  osds: SimOsd[];
}

function saveDevice(d: SimDevice): SavedDevice {
  return { ...d, sizeBytes: d.sizeBytes.toString() };
}

function loadDevice(d: SavedDevice): SimDevice {
  return { ...d, sizeBytes: BigInt(d.sizeBytes), sysApi: frozen(d.sysApi) };
}

/**
 * Freezes a JSON value deeply. A device's sys_api is frozen, so that inventories hand it
 * out without a deep copy per device and request (a page of 100 hosts has 2,400); a change
 * replaces it.
 */
function frozen<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}

/** A Map that counts the changes made to it (see SimBackend.daemonList). */
class CountingMap<K, V> extends Map<K, V> {
  changes = 0;

  override set(key: K, value: V): this {
    this.changes++;
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.changes++;
    return super.delete(key);
  }

  override clear(): void {
    this.changes++;
    super.clear();
  }
}

function checkSignal(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}

export class SimBackend implements Backend {
  readonly name = "sim";
  readonly version = "0.1.0";
  // The sim can pretend to do anything a request asks for, FileStore and encryption included.
  readonly unsupportedOptions = {};

  private fsid: string;
  private pgsPerOsd: number;
  private readonly delays: Delays;
  private readonly clusterUnreachable: boolean;
  private readonly unreachable: Set<string>;
  private readonly failingDevices: Set<string>;
  private readonly baseVersion: string;
  private readonly versions: string[];

  private readonly hosts = new Map<string, SimHost>();
  /**
   * Every host's description (frozen), until a host is added, removed or relabelled: a page
   * of ListHosts or GetInventory lists them all, 10,000 in a big cluster, on every call.
   */
  private hostList: readonly Host[] | undefined;
  /** Machines outside the cluster, by hostname: their disks wait there until AddHost. */
  private readonly spares = new Map<string, { addr: string; devices: SimDevice[] }>();
  private readonly services = new CountingMap<string, ServiceRecord>();
  /** Every change to a daemon, not only to the map, counts (see daemonChanged). */
  private readonly daemons = new CountingMap<string, SimDaemon>();
  /**
   * Every daemon's description (frozen) and the services of daemons without a spec, as of
   * `changes` changes to the daemons and services: DescribeServices and ListDaemons go
   * through every daemon of the cluster (210,000 in one of 10,000 hosts) on every call.
   */
  private daemonList:
    | { changes: number; daemons: readonly DaemonDescription[]; implicit: readonly Pick<SimDaemon, "type" | "serviceName" | "created">[] }
    | undefined;
  private readonly osds = new Map<number, SimOsd>();
  private lastPid = 4100;
  /**
   * Daemons in the middle of a (re)start, by name, with the state they had before it (null:
   * being deployed): what is saved for them until the step completes.
   */
  private readonly settled = new Map<string, SimDaemon | null>();
  /**
   * OSDs prepared but not yet started, by id: not saved (nor their LVs), so that after a
   * crash the device is as it was before the step, and a resumed step prepares it afresh.
   */
  private readonly unstarted = new Set<number>();
  private store: BackendStore | undefined;

  constructor(fixture: Fixture, config: SimConfig) {
    const now = Date.now();
    this.fsid = fixture.fsid;
    this.pgsPerOsd = fixture.pgsPerOsd;
    this.delays = config.delays;
    this.clusterUnreachable = config.failures.clusterUnreachable || fixture.unreachable;
    this.unreachable = new Set([
      ...config.failures.unreachableHosts,
      ...[...fixture.hosts, ...fixture.spareHosts].filter((h) => h.unreachable).map((h) => h.hostname),
    ]);
    this.failingDevices = new Set(config.failures.failingDevices);
    this.baseVersion = config.version;
    this.versions = config.availableVersions;

    const simDevices = (devices: FixtureDevice[]) => devices.map((d) => ({ ...d, sysApi: frozen(d.sysApi), ident: false, fault: false }));
    for (const h of fixture.hosts) {
      this.hosts.set(h.hostname, { hostname: h.hostname, addr: h.addr, labels: h.labels, devices: simDevices(h.devices), refreshedAt: now });
    }
    for (const h of fixture.spareHosts) this.spares.set(h.hostname, { addr: h.addr, devices: simDevices(h.devices) });
    for (const s of fixture.services) this.services.set(s.serviceName, { ...s, created: s.created ?? toTimestamp(now) });
    for (const d of fixture.daemons) {
      const running = d.status === Status.STATUS_RUNNING || d.status === Status.STATUS_STARTING;
      const created = d.created ?? now;
      const name = `${typeName(d.daemonType)}.${d.daemonId}`;
      this.daemons.set(name, {
        type: d.daemonType,
        id: d.daemonId,
        name,
        serviceName: d.serviceName,
        hostname: d.hostname,
        status: d.status,
        statusDesc: d.statusDesc,
        version: d.version ?? config.version,
        pid: running ? this.nextPid() : 0,
        created,
        started: d.started ?? (running ? created : undefined),
        lastRefresh: now,
      });
    }
    for (const { osdId, ...o } of fixture.osds) {
      this.osds.set(osdId, { id: osdId, ...o, in: true, outSince: undefined, destroyed: false });
    }
    for (const o of fixture.destroyedOsds) {
      this.osds.set(o.osdId, {
        id: o.osdId,
        hostname: o.hostname,
        data: "",
        db: "",
        wal: "",
        journal: "",
        serviceName: "",
        osdFsid: "",
        in: false,
        outSince: undefined,
        destroyed: true,
      });
    }
  }

  // --- Cluster ---

  async status(): Promise<BackendStatus> {
    if (this.clusterUnreachable) {
      return { available: false, reason: "the simulated cluster is unreachable (failures.clusterUnreachable)", details: {} };
    }
    return {
      available: true,
      reason: "",
      details: { fsid: this.fsid, hosts: String(this.hosts.size), version: this.oldestVersion() },
    };
  }

  /** Nothing to release: the only timers are the sleeps of running steps, which their signals end. */
  async close(): Promise<void> {}

  // --- Persistence ---

  /**
   * Keeps the cluster in `store`: the state saved there replaces the fixture's (true), or,
   * when there is none yet, the fixture's state is saved as the first (false).
   */
  async useStore(store: BackendStore): Promise<boolean> {
    this.store = store;
    const saved = store.load(STATE_KEY);
    if (saved === undefined) {
      await this.persist();
      return false;
    }
    this.restore(saved, store.location);
    return true;
  }

  /** Hosts and OSDs (not destroyed), for the start-up log: without copying the cluster as toState() does. */
  counts(): { hosts: number; osds: number } {
    let osds = 0;
    for (const o of this.osds.values()) if (!o.destroyed) osds++;
    return { hosts: this.hosts.size, osds };
  }

  /** The cluster as it is after the last completed step. */
  toState(): SimState {
    const daemons: SimDaemon[] = [];
    for (const d of this.daemons.values()) {
      const before = this.settled.get(d.name);
      if (before === undefined) daemons.push({ ...d });
      else if (before !== null) daemons.push({ ...before });
    }
    const device = (d: SimDevice): SavedDevice => {
      const saved = saveDevice(d);
      if (this.unstarted.size === 0 || !d.lvs.some((lv) => this.unstarted.has(lv.osdId))) return saved;
      // As release() would leave it: without the unstarted OSDs' LVs.
      const lvs = d.lvs.filter((lv) => !this.unstarted.has(lv.osdId));
      if (lvs.length > 0) return { ...saved, lvs };
      return { ...saved, lvs, available: true, rejectedReasons: [], sysApi: { ...d.sysApi, locked: 0 } };
    };
    return {
      format: STATE_FORMAT,
      fsid: this.fsid,
      pgsPerOsd: this.pgsPerOsd,
      lastPid: this.lastPid,
      hosts: [...this.hosts.values()].map((h) => ({ ...h, devices: h.devices.map(device) })),
      spares: [...this.spares].map(([hostname, m]) => ({ hostname, addr: m.addr, devices: m.devices.map(device) })),
      services: [...this.services.values()],
      daemons,
      osds: [...this.osds.values()].filter((o) => !this.unstarted.has(o.id)),
    };
  }

  private restore(raw: unknown, location: string): void {
    const state = raw as SimState;
    if (typeof raw !== "object" || raw === null || state.format !== STATE_FORMAT) {
      throw new Error(`sim backend: the cluster saved in ${location} has an unknown format`);
    }
    this.fsid = state.fsid;
    this.pgsPerOsd = state.pgsPerOsd;
    this.lastPid = state.lastPid;
    this.hosts.clear();
    this.hostList = undefined;
    for (const h of state.hosts) this.hosts.set(h.hostname, { ...h, devices: h.devices.map(loadDevice) });
    this.spares.clear();
    for (const m of state.spares) this.spares.set(m.hostname, { addr: m.addr, devices: m.devices.map(loadDevice) });
    this.services.clear();
    for (const s of state.services) this.services.set(s.serviceName, s);
    this.daemons.clear();
    for (const d of state.daemons) this.daemons.set(d.name, d);
    this.osds.clear();
    for (const o of state.osds) this.osds.set(o.id, o);
  }

  /** Saves the cluster (with the store); resolves once it is on disk. */
  private persist(): Promise<void> {
    return this.store ? this.store.save(STATE_KEY, () => this.toState()) : Promise.resolve();
  }

  /**
   * Runs a write step, then saves the cluster as the step left it, done or failed: the step
   * resolves (or rejects) only once that is on disk.
   */
  private async step<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      await this.persist();
    }
  }

  /** For changes no step waits for (refresh times): saved with the next commit. */
  private persistLater(): void {
    this.persist().catch(() => undefined);
  }

  // --- Hosts ---

  async listHosts(hostnames?: readonly string[]): Promise<Host[]> {
    this.ensureUp();
    if (hostnames) return [...new Set(hostnames)].flatMap((n) => (this.hosts.has(n) ? [this.hostOut(this.hosts.get(n)!)] : []));
    this.hostList ??= [...this.hosts.values()].map((h) => frozen(this.hostOut(h)));
    return [...this.hostList];
  }

  async addHost(ctx: StepContext, host: Host): Promise<Host> {
    return this.step(async () => {
      this.ensureUp();
      const matches = (h: SimHost) => (host.addr === "" || host.addr === h.addr) && sameSet(h.labels, host.labels);
      const existing = () => {
        const h = this.hosts.get(host.hostname);
        if (h && !matches(h)) throw new AlreadyExistsError("host", host.hostname, `host '${host.hostname}' already exists with another address or labels`);
        return h;
      };
      const before = existing();
      if (before) return this.hostOut(before);
      await this.failIfUnreachable(ctx, host.hostname, this.delays.addHost, "add host");
      await this.wait(ctx.signal, this.delays.addHost);
      // Another step may have added it while this one waited.
      const now = existing();
      if (now) return this.hostOut(now);
      const spare = this.spares.get(host.hostname);
      this.spares.delete(host.hostname);
      const added: SimHost = {
        hostname: host.hostname,
        // An empty address means the hostname, which "resolves" to the spare machine's address.
        addr: host.addr || spare?.addr || host.hostname,
        labels: [...new Set(host.labels)],
        devices: spare?.devices ?? [],
        refreshedAt: Date.now(),
      };
      this.hosts.set(added.hostname, added);
      this.hostList = undefined;
      ctx.log.info({ hostname: added.hostname, devices: added.devices.length }, "sim: host added");
      return this.hostOut(added);
    });
  }

  async removeHost(ctx: StepContext, hostname: string): Promise<void> {
    return this.step(async () => {
      this.ensureUp();
      if (!this.hosts.has(hostname)) return;
      // Removal is bookkeeping on the mgr, so it works for an unreachable host too. Whether a
      // host with daemons may go (RemoveHost's `force`) is the domain's call, not the sim's.
      await this.wait(ctx.signal, this.delays.removeHost);
      const host = this.hosts.get(hostname);
      if (!host) return;
      this.hosts.delete(hostname);
      this.hostList = undefined;
      // Its daemons are no longer managed; its OSDs stay in the OSD map, down, until purged.
      for (const d of [...this.daemons.values()]) if (d.hostname === hostname) this.daemons.delete(d.name);
      // The machine keeps its disks, LVs and all; adding it again brings them back.
      this.spares.set(hostname, { addr: host.addr, devices: host.devices });
    });
  }

  async setHostLabels(ctx: StepContext, hostname: string, labels: string[]): Promise<Host> {
    return this.step(async () => {
      this.ensureUp();
      checkSignal(ctx.signal);
      const host = this.host(hostname);
      host.labels = [...new Set(labels)];
      this.hostList = undefined;
      return this.hostOut(host);
    });
  }

  // --- Inventory ---

  async getInventory(hostnames: string[], refresh: boolean): Promise<InventoryHost[]> {
    this.ensureUp();
    const hosts = hostnames.length > 0 ? hostnames.map((n) => this.host(n)) : [...this.hosts.values()];
    if (refresh) {
      // All hosts are scanned in parallel; an unreachable one keeps its last scan.
      if (this.delays.inventoryRefresh > 0) await sleep(this.delays.inventoryRefresh);
      const now = Date.now();
      for (const h of hosts) if (!this.unreachable.has(h.hostname)) h.refreshedAt = now;
      this.persistLater();
    }
    return hosts.map((h) => ({
      hostname: h.hostname,
      addr: h.addr,
      labels: [...h.labels],
      devices: h.devices.map((d) => this.deviceOut(d)),
      lastRefresh: toTimestamp(h.refreshedAt),
    }));
  }

  async setDeviceLight(ctx: StepContext, location: DeviceLightLocation, light: LightType, on: boolean): Promise<void> {
    return this.step(async () => {
      this.ensureUp();
      const host = this.host(location.hostname);
      const device = host.devices.find(
        (d) => (!location.deviceId || d.deviceId === location.deviceId) && (!location.path || d.path === location.path),
      );
      if (!device) throw new NotFoundError("device", `${host.hostname}:${location.deviceId || location.path}`);
      const key = light === LightType.LIGHT_TYPE_FAULT ? "fault" : light === LightType.LIGHT_TYPE_IDENT ? "ident" : undefined;
      if (!key) throw new Error(`sim: no such light type ${light}`);
      await this.failIfUnreachable(ctx, host.hostname, this.delays.deviceLight, `turn the ${key} light of ${device.path} ${on ? "on" : "off"}`);
      await this.wait(ctx.signal, this.delays.deviceLight);
      device[key] = on;
    });
  }

  /** The lights of one device, which no RPC reports; for tests and demos. */
  deviceLights(hostname: string, path: string): { ident: boolean; fault: boolean } | undefined {
    const d = this.hosts.get(hostname)?.devices.find((x) => x.path === path);
    return d && { ident: d.ident, fault: d.fault };
  }

  // --- Services and daemons ---

  async listServices(): Promise<ServiceRecord[]> {
    this.ensureUp();
    return [
      ...[...this.services.values()].map((s) => structuredClone(s)),
      ...this.described().implicit.map((d) => ({
        serviceType: d.type,
        serviceId: serviceIdOf(d.serviceName),
        serviceName: d.serviceName,
        placement: undefined,
        created: toTimestamp(d.created),
        radosConfigLocation: "",
        serviceUrl: "",
        details: undefined,
      })),
    ];
  }

  async listDaemons(refresh: boolean): Promise<readonly DaemonDescription[]> {
    this.ensureUp();
    if (refresh) {
      const now = Date.now();
      for (const d of this.daemons.values()) if (!this.unreachable.has(d.hostname)) d.lastRefresh = now;
      this.daemonChanged();
      this.persistLater();
    }
    return this.described().daemons; // the same (frozen) array until a daemon or service changes
  }

  /** The daemons' descriptions, and the services of daemons without a spec; made again after any change. */
  private described(): NonNullable<SimBackend["daemonList"]> {
    const changes = this.daemons.changes + this.services.changes;
    if (this.daemonList?.changes === changes) return this.daemonList;
    // Like `ceph orch ls`, daemons without a saved spec still show their service.
    const implicit = new Map<string, SimDaemon>();
    for (const d of this.daemons.values()) {
      const first = implicit.get(d.serviceName);
      if (!this.services.has(d.serviceName) && (!first || d.created < first.created)) implicit.set(d.serviceName, d);
    }
    this.daemonList = {
      changes,
      daemons: Object.freeze([...this.daemons.values()].map((d) => frozen(this.daemonOut(d)))),
      implicit: [...implicit.values()].map((d) => ({ type: d.type, serviceName: d.serviceName, created: d.created })),
    };
    return this.daemonList;
  }

  /** Call after changing any daemon's fields in place: descriptions are made again. */
  private daemonChanged(): void {
    this.daemons.changes++;
  }

  async saveService(ctx: StepContext, service: ServiceRecord): Promise<void> {
    return this.step(async () => {
      this.ensureUp();
      checkSignal(ctx.signal);
      const created = service.created ?? this.services.get(service.serviceName)?.created ?? toTimestamp(Date.now());
      this.services.set(service.serviceName, { ...structuredClone(service), created });
    });
  }

  async deleteService(ctx: StepContext, serviceName: string): Promise<void> {
    return this.step(async () => {
      this.ensureUp();
      checkSignal(ctx.signal);
      this.services.delete(serviceName);
    });
  }

  async deployDaemon(ctx: StepContext, deployment: DaemonDeployment): Promise<DaemonDescription> {
    return this.step(async () => {
      this.ensureUp();
      const name = `${typeName(deployment.serviceType)}.${deployment.daemonId}`;
      this.host(deployment.hostname);
      const existing = this.daemons.get(name);
      if (existing && existing.hostname !== deployment.hostname) {
        throw new AlreadyExistsError("daemon", name, `daemon '${name}' already runs on host '${existing.hostname}'`);
      }
      if (existing?.status === Status.STATUS_RUNNING) return this.daemonOut(existing);
      await this.failIfUnreachable(ctx, deployment.hostname, this.delays.deployDaemon, `deploy ${name}`);
      if (existing) {
        await this.startDaemon(ctx, existing, this.delays.deployDaemon);
        return this.daemonOut(existing);
      }
      const now = Date.now();
      const daemon: SimDaemon = {
        type: deployment.serviceType,
        id: deployment.daemonId,
        name,
        serviceName: deployment.serviceName,
        hostname: deployment.hostname,
        status: Status.STATUS_STOPPED,
        statusDesc: "stopped",
        // New daemons get the newest image in use, as cephadm deploys mid-upgrade.
        version: this.newestVersion(),
        pid: 0,
        created: now,
        started: undefined,
        lastRefresh: now,
      };
      this.daemons.set(name, daemon);
      // Not saved until it runs: a crash meanwhile leaves no half-deployed daemon.
      this.settled.set(name, null);
      try {
        await this.startDaemon(ctx, daemon, this.delays.deployDaemon);
      } catch (e) {
        // A cancelled deployment leaves nothing behind; a retry deploys afresh.
        if (this.daemons.get(name) === daemon) this.daemons.delete(name);
        throw e;
      }
      ctx.log.info({ daemon: name, hostname: daemon.hostname }, "sim: daemon deployed");
      return this.daemonOut(daemon);
    });
  }

  async removeDaemon(ctx: StepContext, daemon: DaemonDescription): Promise<void> {
    return this.step(async () => {
      this.ensureUp();
      const d = this.daemons.get(daemon.daemonName);
      if (!d) return;
      await this.failIfUnreachable(ctx, d.hostname, this.delays.removeDaemon, `remove ${d.name}`);
      await this.wait(ctx.signal, this.delays.removeDaemon);
      if (this.daemons.get(d.name) === d) this.daemons.delete(d.name);
    });
  }

  async daemonAction(ctx: StepContext, daemon: DaemonDescription, action: ServiceAction): Promise<void> {
    return this.step(async () => {
      this.ensureUp();
      const d = this.daemonNamed(daemon.daemonName);
      await this.failIfUnreachable(ctx, d.hostname, this.delays.daemonAction, `${(ServiceAction[action] ?? "act on").replace("SERVICE_ACTION_", "").toLowerCase()} ${d.name}`);
      switch (action) {
        case ServiceAction.SERVICE_ACTION_START:
          if (d.status !== Status.STATUS_RUNNING) await this.startDaemon(ctx, d, this.delays.daemonAction);
          return;
        case ServiceAction.SERVICE_ACTION_STOP:
          if (d.status === Status.STATUS_STOPPED) return;
          await this.wait(ctx.signal, this.delays.daemonAction);
          Object.assign(d, { status: Status.STATUS_STOPPED, statusDesc: "stopped", pid: 0, lastRefresh: Date.now() });
          this.daemonChanged();
          return;
        case ServiceAction.SERVICE_ACTION_RESTART:
        case ServiceAction.SERVICE_ACTION_REDEPLOY:
          await this.startDaemon(ctx, d, this.delays.daemonAction);
          return;
        case ServiceAction.SERVICE_ACTION_RELOAD:
          // A reload re-reads the configuration in place: same process, same state.
          await this.wait(ctx.signal, this.delays.daemonAction);
          d.lastRefresh = Date.now();
          this.daemonChanged();
          return;
        default:
          throw new Error(`sim: no such daemon action ${action}`);
      }
    });
  }

  // --- OSDs ---

  async createOsd(ctx: StepContext, hostname: string, planned: PlannedOsd, serviceName: string, encrypted: boolean): Promise<CreatedOsd> {
    return this.step(async () => {
      this.ensureUp();
      this.host(hostname);
      const done = this.osdOnData(hostname, planned);
      if (done && this.isUp(done)) return this.createdOut(done);
      await this.failIfUnreachable(ctx, hostname, this.delays.createOsd, `create an OSD on ${planned.data}`);
      const half = Math.floor(this.delays.createOsd / 2);

      ctx.progress(0, `preparing ${hostname}:${planned.data}`);
      await this.wait(ctx.signal, half);
      // A retry finds the OSD a cancelled or failed attempt prepared, and only starts it.
      const osd = this.osdOnData(hostname, planned) ?? this.prepareOsd(this.host(hostname), planned, serviceName);
      ctx.log.info({ osdId: osd.id, hostname, data: osd.data, encrypted }, "sim: OSD prepared");

      ctx.progress(0.5, `starting osd.${osd.id}`);
      await this.wait(ctx.signal, this.delays.createOsd - half);
      this.startOsd(osd);
      ctx.progress(1, `osd.${osd.id} is up and in`);
      return this.createdOut(osd);
    });
  }

  async markOsdOut(ctx: StepContext, osdId: number): Promise<void> {
    return this.step(async () => {
      this.ensureUp();
      this.osdNumbered(osdId);
      // A mon command: it works whether or not the OSD's host is reachable.
      await this.wait(ctx.signal, this.delays.markOut);
      const osd = this.osds.get(osdId);
      if (osd?.in) {
        osd.in = false;
        osd.outSince = Date.now();
      }
    });
  }

  async listOsds(): Promise<OsdRecord[]> {
    this.ensureUp();
    return [...this.osds.values()].map((o) => ({ osdId: o.id, hostname: o.hostname, destroyed: o.destroyed }));
  }

  async osdSafety(osdId: number): Promise<OsdSafety> {
    this.ensureUp();
    const osd = this.osdNumbered(osdId);
    const pgCount = this.pgCount(osd);
    return { safeToDestroy: pgCount === 0, pgCount };
  }

  async purgeOsd(ctx: StepContext, osdId: number): Promise<void> {
    return this.step(async () => {
      this.ensureUp();
      const osd = this.osds.get(osdId);
      if (!osd) return;
      this.checkDown(osd);
      await this.wait(ctx.signal, this.delays.purge);
      if (this.osds.get(osdId) !== osd) return;
      this.checkDown(osd);
      this.release(osd);
      this.osds.delete(osdId);
      this.unstarted.delete(osdId);
      this.daemons.delete(`osd.${osdId}`);
    });
  }

  async destroyOsd(ctx: StepContext, osdId: number): Promise<void> {
    return this.step(async () => {
      this.ensureUp();
      const osd = this.osdNumbered(osdId);
      if (osd.destroyed) return;
      this.checkDown(osd);
      await this.wait(ctx.signal, this.delays.destroy);
      if (osd.destroyed || this.osds.get(osdId) !== osd) return;
      this.checkDown(osd);
      // The id stays in the map for a replacement; the disk is zapped so the replacement can use it.
      this.release(osd);
      Object.assign(osd, { data: "", db: "", wal: "", journal: "", in: false, outSince: undefined, destroyed: true });
      this.unstarted.delete(osdId);
      this.daemons.delete(`osd.${osdId}`);
    });
  }

  // --- Upgrades ---

  async availableVersions(): Promise<string[]> {
    this.ensureUp();
    const oldest = this.oldestVersion();
    return this.versions.filter((v) => compareCephVersions(v, oldest) > 0);
  }

  async upgradeDaemon(ctx: StepContext, daemon: DaemonDescription, version: string): Promise<void> {
    return this.step(async () => {
      this.ensureUp();
      const d = this.daemonNamed(daemon.daemonName);
      if (d.version === version && d.status === Status.STATUS_RUNNING) return;
      if (!this.versions.includes(version) && version !== this.baseVersion) {
        throw new ExecutionError(`no container image for Ceph ${version} (the simulated registry has ${this.versions.join(", ")})`, d.hostname);
      }
      await this.failIfUnreachable(ctx, d.hostname, this.delays.upgradeDaemon, `upgrade ${d.name}`);
      await this.startDaemon(ctx, d, this.delays.upgradeDaemon, () => {
        d.version = version;
      });
      ctx.log.info({ daemon: d.name, version }, "sim: daemon upgraded");
    });
  }

  // --- Internals ---

  private ensureUp(): void {
    if (this.clusterUnreachable) {
      throw new BackendUnavailableError("the simulated cluster is unreachable (failures.clusterUnreachable)");
    }
  }

  /** Sleeps for a step, or throws CancelledError as soon as the operation is cancelled. */
  private async wait(signal: AbortSignal, ms: number): Promise<void> {
    checkSignal(signal);
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal });
    } catch (e) {
      if (signal.aborted) throw new CancelledError();
      throw e;
    }
  }

  /** An unreachable host costs the step its time (the connection times out), then fails it. */
  private async failIfUnreachable(ctx: StepContext, hostname: string, ms: number, what: string): Promise<void> {
    if (!this.unreachable.has(hostname)) return;
    await this.wait(ctx.signal, ms);
    throw new ExecutionError(`cannot ${what}: host ${hostname} is unreachable (connection timed out)`, hostname);
  }

  /**
   * (Re)starts a daemon: STARTING for the step's time, then RUNNING with a new process.
   * A cancelled start leaves the daemon as it was. Until it completes, the saved cluster
   * keeps the daemon as it was before.
   */
  private async startDaemon(ctx: StepContext, d: SimDaemon, ms: number, apply?: () => void): Promise<void> {
    const before = { status: d.status, statusDesc: d.statusDesc };
    if (!this.settled.has(d.name)) this.settled.set(d.name, { ...d });
    Object.assign(d, { status: Status.STATUS_STARTING, statusDesc: "starting" });
    this.daemonChanged();
    try {
      await this.wait(ctx.signal, ms);
    } catch (e) {
      Object.assign(d, before);
      this.daemonChanged();
      this.settled.delete(d.name);
      throw e;
    }
    apply?.();
    const now = Date.now();
    Object.assign(d, { status: Status.STATUS_RUNNING, statusDesc: "running", pid: this.nextPid(), started: now, lastRefresh: now });
    this.daemonChanged();
    this.settled.delete(d.name);
  }

  private nextPid(): number {
    this.lastPid += 7;
    return this.lastPid;
  }

  private host(hostname: string): SimHost {
    const h = this.hosts.get(hostname);
    if (!h) throw new NotFoundError("host", hostname);
    return h;
  }

  private daemonNamed(name: string): SimDaemon {
    const d = this.daemons.get(name);
    if (!d) throw new NotFoundError("daemon", name);
    return d;
  }

  private osdNumbered(id: number): SimOsd {
    const o = this.osds.get(id);
    if (!o) throw new NotFoundError("osd", `osd.${id}`);
    return o;
  }

  private isUp(osd: SimOsd): boolean {
    return this.daemons.get(`osd.${osd.id}`)?.status === Status.STATUS_RUNNING;
  }

  /** `ceph osd purge` and `destroy` refuse an OSD that is up. */
  private checkDown(osd: SimOsd): void {
    if (this.isUp(osd)) throw new FailedPreconditionError(`osd.${osd.id}`, `osd.${osd.id} is still up; stop its daemon first`);
  }

  private pgCount(osd: SimOsd): number {
    if (osd.destroyed) return 0;
    if (osd.outSince === undefined) return this.pgsPerOsd;
    const perPg = this.delays.drainPerPg;
    if (perPg <= 0) return 0;
    return Math.max(0, this.pgsPerOsd - Math.floor((Date.now() - osd.outSince) / perPg));
  }

  /** The live OSD whose data is `planned.data` on the host, if any. */
  private osdOnData(hostname: string, planned: PlannedOsd): SimOsd | undefined {
    const osd = [...this.osds.values()].find((o) => !o.destroyed && o.hostname === hostname && o.data === planned.data);
    if (osd && planned.osdId >= 0 && planned.osdId !== osd.id) {
      throw new ExecutionError(`${hostname}:${planned.data} already holds osd.${osd.id}, not osd.${planned.osdId}`, hostname);
    }
    return osd;
  }

  /** What `ceph-volume lvm prepare` does: checks every device, takes an id, creates the LVs. */
  private prepareOsd(host: SimHost, planned: PlannedOsd, serviceName: string): SimOsd {
    const hostname = host.hostname;
    const roles: [string, LvType][] = [
      [planned.data, "block"],
      [planned.db, "db"],
      [planned.wal, "wal"],
      [planned.journal, "journal"],
    ];
    const used = roles.filter(([path]) => path !== "");
    const failing = used.find(([path]) => this.failingDevices.has(`${hostname}:${path}`));
    if (failing) {
      throw new ExecutionError(`ceph-volume lvm prepare failed on ${hostname}:${failing[0]}: I/O error (simulated device failure)`, hostname);
    }
    const devices = used.flatMap(([path, type]): [SimDevice, LvType][] => {
      const device = host.devices.find((d) => d.path === path);
      // A data path that is no device is a data directory, which needs no disk.
      if (!device && type === "block" && !path.startsWith("/dev/")) return [];
      if (!device) throw new NotFoundError("device", `${hostname}:${path}`);
      // DB, WAL and journal devices are shared: other OSDs' LVs of those kinds may be there.
      const shared = type !== "block" && device.lvs.length > 0 && device.lvs.every((lv) => lv.type !== "block");
      if (!device.available && !shared) {
        throw new ExecutionError(`${hostname}:${path} cannot hold a ${type}: ${device.rejectedReasons.join(", ")}`, hostname);
      }
      return [[device, type]];
    });

    const id = this.osdIdFor(planned.osdId, hostname);
    const osd: SimOsd = {
      id,
      hostname,
      data: planned.data,
      db: planned.db,
      wal: planned.wal,
      journal: planned.journal,
      serviceName,
      osdFsid: randomUUID(),
      in: true,
      outSince: undefined,
      destroyed: false,
    };
    this.osds.set(id, osd);
    this.unstarted.add(id);
    for (const [device, type] of devices) {
      device.lvs.push({
        name: lvName(type, osd.osdFsid),
        osdId: id,
        clusterName: "ceph",
        type,
        osdFsid: osd.osdFsid,
        clusterFsid: this.fsid,
        osdspecAffinity: serviceIdOf(serviceName),
        blockUuid: lvmUuid(),
      });
      device.available = false;
      device.rejectedReasons = ["LVM detected", "locked"];
      device.sysApi = frozen({ ...device.sysApi, locked: 1 });
    }
    return osd;
  }

  /** As `ceph osd new`: a wanted id must be free or destroyed; otherwise the lowest free id. */
  private osdIdFor(wanted: number, hostname: string): number {
    if (wanted >= 0) {
      const o = this.osds.get(wanted);
      if (o && !o.destroyed) throw new ExecutionError(`osd.${wanted} exists and is not destroyed, so its id cannot be reused`, hostname);
      return wanted;
    }
    let id = 0;
    while (this.osds.has(id)) id++;
    return id;
  }

  private startOsd(osd: SimOsd): void {
    const name = `osd.${osd.id}`;
    const now = Date.now();
    const d = this.daemons.get(name) ?? {
      type: ServiceType.SERVICE_TYPE_OSD,
      id: String(osd.id),
      name,
      serviceName: osd.serviceName,
      hostname: osd.hostname,
      status: Status.STATUS_STOPPED,
      statusDesc: "stopped",
      version: this.newestVersion(),
      pid: 0,
      created: now,
      started: undefined,
      lastRefresh: now,
    };
    Object.assign(d, { status: Status.STATUS_RUNNING, statusDesc: "running", pid: this.nextPid(), started: now, lastRefresh: now });
    this.daemons.set(name, d);
    this.unstarted.delete(osd.id);
    osd.in = true;
    osd.outSince = undefined;
  }

  /** Removes the OSD's LVs; a device left without any is zapped and available again. */
  private release(osd: SimOsd): void {
    const devices = this.hosts.get(osd.hostname)?.devices ?? this.spares.get(osd.hostname)?.devices ?? [];
    for (const d of devices) {
      const had = d.lvs.length;
      d.lvs = d.lvs.filter((lv) => lv.osdId !== osd.id);
      if (had > 0 && d.lvs.length === 0) {
        d.available = true;
        d.rejectedReasons = [];
        d.sysApi = frozen({ ...d.sysApi, locked: 0 });
      }
    }
  }

  /**
   * The oldest (sign -1) or newest (1) version any daemon runs. One pass over the distinct
   * versions: status() runs this every few seconds, over 200,000 daemons in a big cluster.
   */
  private extremeVersion(sign: 1 | -1): string {
    const versions = new Set<string>();
    for (const d of this.daemons.values()) versions.add(d.version);
    // As a stable sort would order them: the first of equal oldest ones, the last of equal newest ones.
    let best: string | undefined;
    for (const v of versions) {
      const c = sign * compareCephVersions(v, best ?? v);
      if (best === undefined || c > 0 || (c === 0 && sign === 1)) best = v;
    }
    return best ?? this.baseVersion;
  }

  private oldestVersion(): string {
    return this.extremeVersion(-1);
  }

  private newestVersion(): string {
    return this.extremeVersion(1);
  }

  private hostOut(h: SimHost): Host {
    const down = this.unreachable.has(h.hostname);
    return {
      hostname: h.hostname,
      addr: h.addr,
      labels: [...h.labels],
      status: down ? Host_Status.STATUS_OFFLINE : Host_Status.STATUS_ONLINE,
      statusMessage: down ? `host ${h.hostname} is unreachable (connection timed out)` : "",
    };
  }

  private deviceOut(d: SimDevice): Device {
    const owner = d.lvs.find((lv) => lv.type === "block") ?? d.lvs[0];
    return {
      path: d.path,
      deviceId: d.deviceId,
      available: d.available,
      rejectedReasons: [...d.rejectedReasons],
      type: d.type,
      sizeBytes: d.sizeBytes.toString(),
      rotational: d.rotational,
      vendor: d.vendor,
      model: d.model,
      lvs: d.lvs.map((lv) => ({ ...lv })),
      // Shared, not cloned: it is frozen, and replaced whenever it changes.
      sysApi: d.sysApi,
      humanReadableSize: d.humanReadableSize,
      osdId: owner ? owner.osdId : -1,
    };
  }

  private daemonOut(d: SimDaemon): DaemonDescription {
    const down = this.unreachable.has(d.hostname);
    return {
      daemonType: d.type,
      daemonId: d.id,
      daemonName: d.name,
      serviceName: d.serviceName,
      hostname: d.hostname,
      // Nobody can tell what runs on a host that does not answer.
      status: down ? Status.STATUS_UNKNOWN : d.status,
      statusDesc: down ? `host ${d.hostname} is unreachable` : d.statusDesc,
      version: d.version,
      containerId: "",
      pid: d.pid,
      lastRefresh: toTimestamp(d.lastRefresh),
      created: toTimestamp(d.created),
      started: d.started === undefined ? undefined : toTimestamp(d.started),
    };
  }

  private createdOut(osd: SimOsd): CreatedOsd {
    return { osdId: osd.id, hostname: osd.hostname, data: osd.data, db: osd.db, wal: osd.wal };
  }
}
