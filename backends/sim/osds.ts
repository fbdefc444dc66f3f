// OSDs: creating them as `ceph-volume lvm prepare` (or `raw prepare`) and a start would, with
// the drive group's layout (shares of a data device, DB/WAL sizes, device class), and the
// steps that remove one: marking it out (its placement groups drain), purging and destroying
// it. A raw OSD is kept in its devices' LV list too: that list is how the sim knows which OSD
// owns a device.
import { randomUUID } from "node:crypto";
import type { OsdRecord, OsdSafety, StepContext } from "../../src/backend/backend.js";
import { serviceIdOf } from "../../src/backend/ceph-names.js";
import { ExecutionError, FailedPreconditionError, NotFoundError } from "../../src/backend/errors.js";
import { DaemonDescription_Status as Status, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { Faults } from "./faults.js";
import { lvName, lvmUuid } from "./lvm.js";
import { OsdMethod, type CreatedOsd, type PlannedOsd } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import { type SimDevice, type SimHost, type SimOsd, type SimOsdLayout, frozen } from "./model.js";
import type { SimCluster } from "./state.js";

type LvType = "block" | "db" | "wal" | "journal";

export class SimOsds {
  constructor(
    private readonly cluster: SimCluster,
    private readonly faults: Faults,
  ) {}

  async createOsd(ctx: StepContext, hostname: string, planned: PlannedOsd, serviceName: string, encrypted: boolean): Promise<CreatedOsd> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      this.cluster.host(hostname);
      const done = this.osdOnData(hostname, planned);
      if (done && this.isUp(done)) return createdOut(done);
      const delay = this.faults.delays.createOsd;
      await this.faults.failIfUnreachable(ctx, hostname, delay, `create an OSD on ${planned.data}`);
      const half = Math.floor(delay / 2);

      ctx.progress(0, `preparing ${hostname}:${planned.data}`);
      await this.faults.wait(ctx.signal, half);
      // A retry finds the OSD a cancelled or failed attempt prepared, and only starts it.
      const osd = this.osdOnData(hostname, planned) ?? this.prepareOsd(this.cluster.host(hostname), planned, serviceName);
      ctx.log.info({ osdId: osd.id, hostname, data: osd.data, encrypted }, "sim: OSD prepared");

      ctx.progress(0.5, `starting osd.${osd.id}`);
      await this.faults.wait(ctx.signal, delay - half);
      this.startOsd(osd);
      ctx.progress(1, `osd.${osd.id} is up and in`);
      return createdOut(osd);
    });
  }

  async markOsdOut(ctx: StepContext, osdId: number): Promise<void> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      this.cluster.osdNumbered(osdId);
      // A mon command: it works whether or not the OSD's host is reachable.
      await this.faults.wait(ctx.signal, this.faults.delays.markOut);
      const osd = this.cluster.osds.get(osdId);
      if (osd?.in) {
        osd.in = false;
        osd.outSince = Date.now();
      }
    });
  }

  async listOsds(): Promise<OsdRecord[]> {
    this.faults.ensureUp();
    return [...this.cluster.osds.values()].map((o) => ({ osdId: o.id, hostname: o.hostname, destroyed: o.destroyed }));
  }

  async osdSafety(osdId: number): Promise<OsdSafety> {
    this.faults.ensureUp();
    const osd = this.cluster.osdNumbered(osdId);
    const pgCount = this.pgCount(osd);
    return { safeToDestroy: pgCount === 0, pgCount };
  }

  async purgeOsd(ctx: StepContext, osdId: number): Promise<void> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      const { osds } = this.cluster;
      const osd = osds.get(osdId);
      if (!osd) return;
      this.checkDown(osd);
      await this.faults.wait(ctx.signal, this.faults.delays.purge);
      if (osds.get(osdId) !== osd) return;
      this.checkDown(osd);
      this.release(osd);
      osds.delete(osdId);
      this.cluster.unstarted.delete(osdId);
      this.cluster.daemons.delete(`osd.${osdId}`);
    });
  }

  async destroyOsd(ctx: StepContext, osdId: number): Promise<void> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      const osd = this.cluster.osdNumbered(osdId);
      if (osd.destroyed) return;
      this.checkDown(osd);
      await this.faults.wait(ctx.signal, this.faults.delays.destroy);
      if (osd.destroyed || this.cluster.osds.get(osdId) !== osd) return;
      this.checkDown(osd);
      // The id stays in the map for a replacement; the disk is zapped so the replacement can use it.
      this.release(osd);
      Object.assign(osd, { data: "", db: "", wal: "", journal: "", layout: undefined, in: false, outSince: undefined, destroyed: true });
      this.cluster.unstarted.delete(osdId);
      this.cluster.daemons.delete(`osd.${osdId}`);
    });
  }

  /**
   * Erases a device: its OSD LVs go (an OSD whose daemon still runs from it is refused), and it
   * is available again. A device locked by the system itself (the OS disk) cannot be zapped.
   */
  async zapDevice(ctx: StepContext, hostname: string, path: string): Promise<void> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      const device = this.cluster.host(hostname).devices.find((d) => d.path === path);
      if (!device) throw new NotFoundError("device", `${hostname}:${path}`);
      const used = device.lvs.filter((lv) => this.cluster.daemons.has(`osd.${lv.osdId}`)).map((lv) => `osd.${lv.osdId}`);
      if (used.length > 0) throw new ExecutionError(`${hostname}:${path} is in use by ${used.join(", ")}`, hostname);
      if (device.lvs.length === 0 && device.rejectedReasons.includes("locked")) {
        throw new ExecutionError(`${hostname}:${path} is locked by the system (mounted or in use): it cannot be zapped`, hostname);
      }
      await this.faults.failIfUnreachable(ctx, hostname, this.faults.delays.zapDevice, "zap device");
      await this.faults.wait(ctx.signal, this.faults.delays.zapDevice);
      Object.assign(device, { lvs: [], available: true, rejectedReasons: [], sysApi: frozen({ ...device.sysApi, locked: 0 }) });
      this.cluster.hostChanged();
      ctx.log.info({ hostname, path }, "sim: device zapped");
    });
  }

  private isUp(osd: SimOsd): boolean {
    return this.cluster.daemons.get(`osd.${osd.id}`)?.status === Status.STATUS_RUNNING;
  }

  /** `ceph osd purge` and `destroy` refuse an OSD that is up. */
  private checkDown(osd: SimOsd): void {
    if (this.isUp(osd)) throw new FailedPreconditionError(`osd.${osd.id}`, `osd.${osd.id} is still up; stop its daemon first`);
  }

  private pgCount(osd: SimOsd): number {
    const { pgsPerOsd } = this.cluster;
    if (osd.destroyed) return 0;
    if (osd.outSince === undefined) return pgsPerOsd;
    const perPg = this.faults.delays.drainPerPg;
    if (perPg <= 0) return 0;
    return Math.max(0, pgsPerOsd - Math.floor((Date.now() - osd.outSince) / perPg));
  }

  private liveOsdsOn(hostname: string, path: string, part: "data" | "db" | "wal"): SimOsd[] {
    return [...this.cluster.osds.values()].filter((o) => !o.destroyed && o.hostname === hostname && o[part] === path);
  }

  /**
   * The live OSD on the host that `planned` stands for, if it exists: the one with its claimed
   * id, or one not started yet (an earlier attempt prepared it), or the one on its data device
   * unless the device is shared (osds_per_device) and has room for another.
   */
  private osdOnData(hostname: string, planned: PlannedOsd): SimOsd | undefined {
    const onData = this.liveOsdsOn(hostname, planned.data, "data");
    const claimed = onData.find((o) => o.id === planned.osdId);
    if (claimed) return claimed;
    const unstarted = planned.osdId < 0 ? onData.find((o) => !this.isUp(o)) : undefined;
    if (unstarted || onData.length === 0 || this.roomFor(hostname, planned.data, "data", BigInt(planned.dataSizeBytes))) return unstarted;
    const osd = onData[0]!;
    if (planned.osdId >= 0) throw new ExecutionError(`${hostname}:${planned.data} already holds osd.${osd.id}, not osd.${planned.osdId}`, hostname);
    return osd;
  }

  /**
   * Whether the device has room for another part of `size` bytes beside the live OSDs' parts
   * of that kind (0: the whole device, which leaves no room). A device of an unknown size (a
   * data directory's path) has none.
   */
  private roomFor(hostname: string, path: string, part: "data" | "db" | "wal", size: bigint): boolean {
    const device = this.cluster.host(hostname).devices.find((d) => d.path === path);
    if (!device || size === 0n) return false;
    const key = `${part}SizeBytes` as const;
    const parts = this.liveOsdsOn(hostname, path, part).map((o) => BigInt(o.layout?.[key] ?? "0"));
    if (parts.includes(0n)) return false;
    return parts.reduce((a, b) => a + b, size) <= device.sizeBytes;
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
    const failing = used.find(([path]) => this.faults.deviceFails(hostname, path));
    if (failing) {
      throw new ExecutionError(`ceph-volume lvm prepare failed on ${hostname}:${failing[0]}: I/O error (simulated device failure)`, hostname);
    }
    const devices = used.flatMap(([path, type]): [SimDevice, LvType][] => {
      const device = host.devices.find((d) => d.path === path);
      // A data path that is no device is a data directory, which needs no disk.
      if (!device && type === "block" && !path.startsWith("/dev/")) return [];
      if (!device) throw new NotFoundError("device", `${hostname}:${path}`);
      // DB, WAL and journal devices are shared: other OSDs' LVs of those kinds may be there;
      // a data device too, by OSDs that each take a share of it.
      const shared = device.lvs.length > 0 && device.lvs.every((lv) => (type === "block" ? lv.type === "block" : lv.type !== "block"));
      if (!device.available && !(shared && (type !== "block" || this.roomFor(hostname, path, "data", BigInt(planned.dataSizeBytes))))) {
        throw new ExecutionError(`${hostname}:${path} cannot hold a ${type}: ${device.rejectedReasons.join(", ")}`, hostname);
      }
      const size = type === "db" ? planned.dbSizeBytes : type === "wal" ? planned.walSizeBytes : "0";
      if ((type === "db" || type === "wal") && size !== "0" && !this.roomFor(hostname, path, type, BigInt(size))) {
        throw new ExecutionError(`${hostname}:${path} has no room for another ${type} of ${size} bytes (insufficient space)`, hostname);
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
      layout: layoutOf(planned),
      in: true,
      outSince: undefined,
      destroyed: false,
    };
    this.cluster.osds.set(id, osd);
    this.cluster.unstarted.add(id);
    for (const [device, type] of devices) {
      device.lvs.push({
        name: lvName(type, osd.osdFsid),
        osdId: id,
        clusterName: "ceph",
        type,
        osdFsid: osd.osdFsid,
        clusterFsid: this.cluster.fsid,
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
    const { osds } = this.cluster;
    if (wanted >= 0) {
      const o = osds.get(wanted);
      if (o && !o.destroyed) throw new ExecutionError(`osd.${wanted} exists and is not destroyed, so its id cannot be reused`, hostname);
      return wanted;
    }
    let id = 0;
    while (osds.has(id)) id++;
    return id;
  }

  private startOsd(osd: SimOsd): void {
    const name = `osd.${osd.id}`;
    const d = this.cluster.daemons.get(name) ?? this.cluster.newDaemon(ServiceType.SERVICE_TYPE_OSD, String(osd.id), osd.serviceName, osd.hostname);
    const now = Date.now();
    Object.assign(d, { status: Status.STATUS_RUNNING, statusDesc: "running", pid: this.cluster.nextPid(), started: now, lastRefresh: now });
    this.cluster.daemons.set(name, d);
    this.cluster.unstarted.delete(osd.id);
    osd.in = true;
    osd.outSince = undefined;
  }

  /** Removes the OSD's LVs; a device left without any is zapped and available again. */
  private release(osd: SimOsd): void {
    const devices = this.cluster.hosts.get(osd.hostname)?.devices ?? this.cluster.spares.get(osd.hostname)?.devices ?? [];
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
}

/** What ceph-volume is asked for: the sizes where a part exists; the rest is Ceph's choice. */
function layoutOf(planned: PlannedOsd): SimOsdLayout {
  return {
    dataSizeBytes: planned.dataSizeBytes,
    dbSizeBytes: planned.db === "" ? "0" : planned.dbSizeBytes,
    walSizeBytes: planned.wal === "" ? "0" : planned.walSizeBytes,
    crushDeviceClass: planned.crushDeviceClass,
    raw: planned.method === OsdMethod.OSD_METHOD_RAW,
  };
}

function createdOut(osd: SimOsd): CreatedOsd {
  const { dataSizeBytes = "0", dbSizeBytes = "0", walSizeBytes = "0", crushDeviceClass = "" } = osd.layout ?? {};
  return { osdId: osd.id, hostname: osd.hostname, data: osd.data, db: osd.db, wal: osd.wal, dataSizeBytes, dbSizeBytes, walSizeBytes, crushDeviceClass };
}
