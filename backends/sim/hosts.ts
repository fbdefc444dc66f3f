// Hosts and their inventory: adding, removing and labelling hosts, devices as ceph-volume
// reports them, and device lights.
import { setTimeout as sleep } from "node:timers/promises";
import type { StepContext } from "../../src/backend/backend.js";
import { AlreadyExistsError, ExecutionError, NotFoundError } from "../../src/backend/errors.js";
import { sameSet } from "../../src/backend/sets.js";
import { toTimestamp } from "../../src/backend/timestamps.js";
import { type Host, Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { type Device, type DeviceLightLocation, Device_Type, type InventoryHost, LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { type Faults, checkSignal } from "./faults.js";
import { type SimDevice, type SimHost, frozen } from "./model.js";
import type { SimCluster } from "./state.js";

export class SimHosts {
  /**
   * Every host's description (frozen), as of `changes` changes to the hosts: a page of
   * ListHosts or GetInventory lists them all, 10,000 in a big cluster, on every call.
   */
  private hostList: { changes: number; hosts: readonly Host[] } | undefined;

  constructor(
    private readonly cluster: SimCluster,
    private readonly faults: Faults,
  ) {}

  async listHosts(hostnames?: readonly string[]): Promise<Host[]> {
    this.faults.ensureUp();
    const { hosts } = this.cluster;
    if (hostnames) return [...new Set(hostnames)].flatMap((n) => (hosts.has(n) ? [this.hostOut(hosts.get(n)!)] : []));
    if (this.hostList?.changes !== hosts.changes) {
      this.hostList = { changes: hosts.changes, hosts: [...hosts.values()].map((h) => frozen(this.hostOut(h))) };
    }
    return [...this.hostList.hosts];
  }

  async addHost(ctx: StepContext, host: Host): Promise<Host> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      const matches = (h: SimHost) => (host.addr === "" || host.addr === h.addr) && sameSet(h.labels, host.labels);
      const existing = () => {
        const h = this.cluster.hosts.get(host.hostname);
        if (h && !matches(h)) throw new AlreadyExistsError("host", host.hostname, `host '${host.hostname}' already exists with another address or labels`);
        return h;
      };
      const before = existing();
      if (before) return this.hostOut(before);
      await this.faults.failIfUnreachable(ctx, host.hostname, this.faults.delays.addHost, "add host");
      await this.faults.wait(ctx.signal, this.faults.delays.addHost);
      // Another step may have added it while this one waited.
      const now = existing();
      if (now) return this.hostOut(now);
      const spare = this.cluster.spares.get(host.hostname);
      this.cluster.spares.delete(host.hostname);
      const added: SimHost = {
        hostname: host.hostname,
        // An empty address means the hostname, which "resolves" to the spare machine's address.
        addr: host.addr || spare?.addr || host.hostname,
        labels: [...new Set(host.labels)],
        devices: spare?.devices ?? [],
        refreshedAt: Date.now(),
      };
      this.cluster.hosts.set(added.hostname, added);
      ctx.log.info({ hostname: added.hostname, devices: added.devices.length }, "sim: host added");
      return this.hostOut(added);
    });
  }

  async removeHost(ctx: StepContext, hostname: string): Promise<void> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      if (!this.cluster.hosts.has(hostname)) return;
      // Removal is bookkeeping on the mgr, so it works for an unreachable host too. Whether a
      // host with daemons may go (RemoveHost's `force`) is the domain's call, not the sim's.
      await this.faults.wait(ctx.signal, this.faults.delays.removeHost);
      const host = this.cluster.hosts.get(hostname);
      if (!host) return;
      this.cluster.hosts.delete(hostname);
      // Its daemons are no longer managed; its OSDs stay in the OSD map, down, until purged.
      for (const d of [...this.cluster.daemons.values()]) if (d.hostname === hostname) this.cluster.daemons.delete(d.name);
      // The machine keeps its disks, LVs and all; adding it again brings them back.
      this.cluster.spares.set(hostname, { addr: host.addr, devices: host.devices });
    });
  }

  async setHostLabels(ctx: StepContext, hostname: string, labels: string[]): Promise<Host> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      checkSignal(ctx.signal);
      const host = this.cluster.host(hostname);
      host.labels = [...new Set(labels)];
      this.cluster.hostChanged();
      return this.hostOut(host);
    });
  }

  async setHostMaintenance(ctx: StepContext, hostname: string, on: boolean): Promise<Host> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      checkSignal(ctx.signal);
      const host = this.cluster.host(hostname);
      if (on) host.maintenance = true;
      else delete host.maintenance;
      this.cluster.hostChanged();
      ctx.log.info({ hostname, maintenance: on }, "sim: host maintenance changed");
      return this.hostOut(host);
    });
  }

  /** The host is reached at `addr` from now on; an address another host has answers as that host, and is refused. */
  async setHostAddr(ctx: StepContext, hostname: string, addr: string): Promise<Host> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      const host = this.cluster.host(hostname);
      if (host.addr === addr) return this.hostOut(host);
      const other = [...this.cluster.hosts.values()].find((h) => h.hostname !== hostname && h.addr === addr);
      if (other) throw new ExecutionError(`${addr} answers as host '${other.hostname}', not '${hostname}'`, hostname);
      await this.faults.failIfUnreachable(ctx, hostname, this.faults.delays.addHost, "reach host");
      await this.faults.wait(ctx.signal, this.faults.delays.addHost);
      host.addr = addr;
      this.cluster.hostChanged();
      ctx.log.info({ hostname, addr }, "sim: host address changed");
      return this.hostOut(host);
    });
  }

  async getInventory(hostnames: string[], refresh: boolean): Promise<InventoryHost[]> {
    this.faults.ensureUp();
    const hosts = hostnames.length > 0 ? hostnames.map((n) => this.cluster.host(n)) : [...this.cluster.hosts.values()];
    if (refresh) {
      // All hosts are scanned in parallel; an unreachable one keeps its last scan.
      if (this.faults.delays.inventoryRefresh > 0) await sleep(this.faults.delays.inventoryRefresh);
      const now = Date.now();
      for (const h of hosts) if (!this.faults.isUnreachable(h.hostname)) h.refreshedAt = now;
      this.cluster.persistLater();
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
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      const host = this.cluster.host(location.hostname);
      const device = host.devices.find(
        (d) => (!location.deviceId || d.deviceId === location.deviceId) && (!location.path || d.path === location.path),
      );
      if (!device) throw new NotFoundError("device", `${host.hostname}:${location.deviceId || location.path}`);
      const key = light === LightType.LIGHT_TYPE_FAULT ? "fault" : light === LightType.LIGHT_TYPE_IDENT ? "ident" : undefined;
      if (!key) throw new Error(`sim: no such light type ${light}`);
      await this.faults.failIfUnreachable(ctx, host.hostname, this.faults.delays.deviceLight, `turn the ${key} light of ${device.path} ${on ? "on" : "off"}`);
      await this.faults.wait(ctx.signal, this.faults.delays.deviceLight);
      device[key] = on;
    });
  }

  /** The lights of one device, which no RPC reports; for tests and demos. */
  deviceLights(hostname: string, path: string): { ident: boolean; fault: boolean } | undefined {
    const d = this.cluster.hosts.get(hostname)?.devices.find((x) => x.path === path);
    return d && { ident: d.ident, fault: d.fault };
  }

  private hostOut(h: SimHost): Host {
    const down = this.faults.isUnreachable(h.hostname);
    return {
      hostname: h.hostname,
      addr: h.addr,
      labels: [...h.labels],
      status: down ? Host_Status.STATUS_OFFLINE : h.maintenance ? Host_Status.STATUS_MAINTENANCE : Host_Status.STATUS_ONLINE,
      statusMessage: down ? `host ${h.hostname} is unreachable (connection timed out)` : h.maintenance ? "in maintenance" : "",
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
      cephDevice: d.lvs.length > 0,
      deviceNodes: d.path.replace(/^\/dev\//, ""),
      // As ceph-volume reports libstoragemgmt's view: the lights are the sim's own.
      lsmData: {
        serialNum: d.deviceId.split("_").at(-1) ?? "",
        transport: d.type === Device_Type.TYPE_NVME ? "NVMe" : "SAS",
        mediaType: d.rotational ? "HDD" : "Flash",
        health: "Good",
        ledSupport: { IDENTsupport: "Supported", IDENTstatus: d.ident ? "On" : "Off", FAILsupport: "Supported", FAILstatus: d.fault ? "On" : "Off" },
        errors: [],
      },
      created: undefined,
    };
  }
}
