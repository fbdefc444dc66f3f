// The simulated cluster's state: hosts, spare machines, service specs, daemons and the OSD
// map, first from the fixture (persistence.ts replaces it with the saved cluster), with the
// lookups, process ids and versions that every part of the sim uses, and the saving of each
// write step (see step()).
import type { ServiceRecord } from "../../src/backend/backend.js";
import { typeName } from "../../src/backend/ceph-names.js";
import { NotFoundError } from "../../src/backend/errors.js";
import { toTimestamp } from "../../src/backend/timestamps.js";
import { compareCephVersions } from "../../src/backend/versions.js";
import { DaemonDescription_Status as Status, type ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { FixtureDevice } from "./fixture-hosts.js";
import type { Fixture } from "./fixture.js";
import { CountingMap, type SimDaemon, type SimDevice, type SimHost, type SimMachine, type SimOsd, frozen } from "./model.js";

function simDevices(devices: FixtureDevice[]): SimDevice[] {
  return devices.map((d) => ({ ...d, sysApi: frozen(d.sysApi), ident: false, fault: false }));
}

export class SimCluster {
  fsid: string;
  pgsPerOsd: number;
  lastPid = 4100;
  /** Changes to a host in place count too (see hostChanged). */
  readonly hosts = new CountingMap<string, SimHost>();
  /** Machines outside the cluster, by hostname. */
  readonly spares = new Map<string, SimMachine>();
  readonly services = new CountingMap<string, ServiceRecord>();
  /** Changes to a daemon in place count too (see daemonChanged). */
  readonly daemons = new CountingMap<string, SimDaemon>();
  readonly osds = new Map<number, SimOsd>();
  /**
   * Daemons in the middle of a (re)start, by name, with the state they had before it (null:
   * being deployed): what is saved for them until the step completes.
   */
  readonly settled = new Map<string, SimDaemon | null>();
  /**
   * OSDs prepared but not yet started, by id: not saved (nor their LVs), so that after a
   * crash the device is as it was before the step, and a resumed step prepares it afresh.
   */
  readonly unstarted = new Set<number>();
  /** Saves the cluster and resolves once it is on disk; set by persistence.ts with a store, none: in memory only. */
  save: (() => Promise<void>) | undefined;

  /** `baseVersion`: what daemons run unless the fixture says otherwise. */
  constructor(
    fixture: Fixture,
    readonly baseVersion: string,
  ) {
    const now = Date.now();
    this.fsid = fixture.fsid;
    this.pgsPerOsd = fixture.pgsPerOsd;
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
        version: d.version ?? baseVersion,
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

  // --- Saving ---

  /** Saves the cluster (with a store); resolves once it is on disk. */
  persist(): Promise<void> {
    return this.save ? this.save() : Promise.resolve();
  }

  /**
   * Runs a write step, then saves the cluster as the step left it, done or failed: the step
   * resolves (or rejects) only once that is on disk.
   */
  async step<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      await this.persist();
    }
  }

  /** For changes no step waits for (refresh times): saved with the next commit. */
  persistLater(): void {
    this.persist().catch(() => undefined);
  }

  // --- Lookups ---

  host(hostname: string): SimHost {
    const h = this.hosts.get(hostname);
    if (!h) throw new NotFoundError("host", hostname);
    return h;
  }

  daemonNamed(name: string): SimDaemon {
    const d = this.daemons.get(name);
    if (!d) throw new NotFoundError("daemon", name);
    return d;
  }

  osdNumbered(id: number): SimOsd {
    const o = this.osds.get(id);
    if (!o) throw new NotFoundError("osd", `osd.${id}`);
    return o;
  }

  // --- Changes ---

  /** Call after changing a host's fields in place: descriptions are made again. */
  hostChanged(): void {
    this.hosts.changes++;
  }

  /** Call after changing a daemon's fields in place: descriptions are made again. */
  daemonChanged(): void {
    this.daemons.changes++;
  }

  nextPid(): number {
    this.lastPid += 7;
    return this.lastPid;
  }

  /** A daemon not started yet, on the newest image in use (as cephadm deploys mid-upgrade). */
  newDaemon(type: ServiceType, id: string, serviceName: string, hostname: string): SimDaemon {
    const now = Date.now();
    return {
      type,
      id,
      name: `${typeName(type)}.${id}`,
      serviceName,
      hostname,
      status: Status.STATUS_STOPPED,
      statusDesc: "stopped",
      version: this.newestVersion(),
      pid: 0,
      created: now,
      started: undefined,
      lastRefresh: now,
    };
  }

  // --- Versions ---

  oldestVersion(): string {
    return this.extremeVersion(-1);
  }

  newestVersion(): string {
    return this.extremeVersion(1);
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
}
