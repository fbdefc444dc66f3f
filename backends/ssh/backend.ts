// The ssh backend: real Ceph daemons, from the hosts' installed Debian packages, deployed and
// run on hosts reached over SSH. Hosts are SSH targets; the cluster is asked through librados
// on any reachable host that has the admin keyring (every added host gets it). Daemons are run
// by orchctl (remote.ts): systemd units (ceph-orch-NAME.service) where systemd runs, otherwise
// supervised processes (pid files, log files); both report the same status lines.
// Everything the orchestrator decides (placement, device selection, order) stays in src/domain.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
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
import { AlreadyExistsError, BackendUnavailableError, CancelledError, ExecutionError, NotFoundError } from "../../src/backend/errors.js";
import { daemonIdFor } from "../../src/backend/daemon-ids.js";
import { type Host, Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { type Device, Device_Type, type InventoryHost } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import type { CreatedOsd, PlannedOsd } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import {
  type DaemonDescription,
  DaemonDescription_Status as Status,
  ServiceAction,
  ServiceType,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { Timestamp } from "../../gen/ts/google/protobuf/timestamp.js";
import type { SshConfig } from "./config.js";
import { CEPHQ, CEPHQ_SCRIPT, ORCH_DIR, ORCHCTL, ORCHCTL_SCRIPT, scriptFile, shq } from "./remote.js";
import { type ExecResult, RemoteCommandError, SshPool, type SshTarget, UnreachableError } from "./ssh.js";

const STATE_KEY = "state";
const STATE_FORMAT = 1;
const PROBE_INTERVAL_MS = 5000;
/** A cluster view (listDaemons) is reused this long unless a refresh is asked for. */
const VIEW_TTL_MS = 1500;

const TYPE_NAMES: Record<number, string> = {
  [ServiceType.SERVICE_TYPE_MON]: "mon",
  [ServiceType.SERVICE_TYPE_MGR]: "mgr",
  [ServiceType.SERVICE_TYPE_OSD]: "osd",
  [ServiceType.SERVICE_TYPE_MDS]: "mds",
  [ServiceType.SERVICE_TYPE_RGW]: "rgw",
  [ServiceType.SERVICE_TYPE_NFS]: "nfs",
  [ServiceType.SERVICE_TYPE_ISCSI]: "iscsi",
  [ServiceType.SERVICE_TYPE_RBD_MIRROR]: "rbd-mirror",
  [ServiceType.SERVICE_TYPE_CRASH]: "crash",
};
const TYPES_BY_NAME: Record<string, ServiceType> = Object.fromEntries(Object.entries(TYPE_NAMES).map(([k, v]) => [v, Number(k)]));
const INVENTORY_SCAN = scriptFile("inventory-scan.sh");
const UNIT_WRITE = scriptFile("unit-write.sh");
const MON_BOOTSTRAP = scriptFile("mon-bootstrap.sh");
const MON_JOIN = scriptFile("mon-join.sh");
const DAEMON_KEYRING = scriptFile("daemon-keyring.sh");
const MDS_PREPARE = scriptFile("mds-prepare.sh");
const HTTP_ANSWERS = scriptFile("http-answers.sh");
const OSD_PREPARE_DEVICE = scriptFile("osd-prepare-device.sh");
const OSD_PREPARE_DIR = scriptFile("osd-prepare-dir.sh");
const OSD_WIPE_DEVICE = scriptFile("osd-wipe-device.sh");
const DEPLOYABLE = new Set([ServiceType.SERVICE_TYPE_MON, ServiceType.SERVICE_TYPE_MGR, ServiceType.SERVICE_TYPE_MDS, ServiceType.SERVICE_TYPE_RGW]);

interface HostRecord {
  hostname: string;
  addr: string;
  labels: string[];
}

interface SavedState {
  format: typeof STATE_FORMAT;
  /** Empty until the first mon is deployed (bootstrap). */
  fsid: string;
  /** The host the cluster was bootstrapped on (asked first for cluster commands). */
  bootstrapHost: string;
  hosts: HostRecord[];
  services: ServiceRecord[];
  /** The last units seen per host, for hosts that cannot be reached now. */
  units: Record<string, Unit[]>;
}

/** A daemon unit of a host, as orchctl reports it. */
interface Unit {
  name: string;
  state: "running" | "stopped" | "error";
  pid: number;
  started: number;
  serviceName: string;
  created: number;
  /** OSDs: the data device or directory. */
  data: string;
}

interface HostProbe {
  reachable: boolean;
  message: string;
  at: number;
}

interface CephReply {
  ret: number;
  out: unknown;
  err: string;
}

interface ClusterView {
  at: number;
  /** daemon name ("osd.3", "mon.a") → up as the cluster sees it */
  up: Set<string>;
  versions: Map<string, string>;
  units: Map<string, { unit: Unit; hostname: string; reachable: boolean }>;
}

type Json = Record<string, any>;

function ts(ms: number): Timestamp {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

function typeName(t: ServiceType): string {
  const n = TYPE_NAMES[t];
  if (!n) throw new ExecutionError(`no Ceph name for service type ${t}`);
  return n;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Any failure of a step as the ExecutionError the domain reports, naming the host. */
function asExecution(e: unknown, hostname?: string): Error {
  if (e instanceof ExecutionError || e instanceof CancelledError || e instanceof NotFoundError || e instanceof AlreadyExistsError) return e;
  const host = e instanceof UnreachableError || e instanceof RemoteCommandError ? e.hostname : hostname;
  return new ExecutionError(errorText(e), host);
}

export class SshBackend implements Backend {
  readonly name = "ssh";
  readonly version = "0.1.0";
  readonly unsupportedOptions: Readonly<Record<string, readonly string[]>>;

  private state: SavedState = { format: STATE_FORMAT, fsid: "", bootstrapHost: "", hosts: [], services: [], units: {} };
  private readonly pool: SshPool;
  private readonly probes = new Map<string, HostProbe>();
  private readonly inventory = new Map<string, { at: number; devices: Device[] }>();
  private view: ClusterView | undefined;
  private viewPending: { generation: number; view: Promise<ClusterView> } | undefined;
  /** Bumped by every change of units: a view read before it is never used after it. */
  private viewGeneration = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private store: BackendStore | undefined;
  /** Serializes changes of ceph.conf's mon list. */
  private confChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: SshConfig,
    private readonly log: Logger,
  ) {
    this.pool = new SshPool({
      user: config.user,
      port: config.port,
      privateKey: readFileSync(config.identityFile),
      knownHosts: readFileSync(config.knownHostsFile, "utf8"),
      connectTimeoutMs: config.connectTimeoutMs,
      keepaliveIntervalMs: config.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      commandTimeoutMs: config.commandTimeoutMs,
      maxChannels: 8,
      log,
    });
    const osdOptions = ["spec.db_devices", "spec.wal_devices", "spec.journal_devices", "spec.encrypted", "spec.objectstore", "spec.osds_per_device", "spec.db_slots"];
    const rgwOptions = [
      "spec.rgw.rgw_realm",
      "spec.rgw.rgw_zone",
      "spec.rgw.rgw_zonegroup",
      "spec.rgw.ssl",
      "spec.rgw.rgw_multisite",
      "spec.rgw.rgw_zonemaster",
      "spec.rgw.rgw_zonesecondary",
      "spec.rgw.rgw_zone_user",
      "spec.rgw.system_access_key",
      "spec.rgw.system_secret_key",
      "spec.nfs",
      "spec.iscsi",
    ];
    this.unsupportedOptions = {
      "ceph_orchestrator.v1.OsdService.CreateOsds": osdOptions,
      "ceph_orchestrator.v1.OsdService.ReplaceOsds": osdOptions,
      "ceph_orchestrator.v1.OsdService.PreviewOsds": osdOptions,
      "ceph_orchestrator.v1.ServiceService.AddStatelessService": rgwOptions,
      "ceph_orchestrator.v1.ServiceService.UpdateStatelessService": rgwOptions,
    };
  }

  // --- Lifecycle and persistence ---

  async useStore(store: BackendStore): Promise<boolean> {
    this.store = store;
    const saved = store.load(STATE_KEY) as SavedState | undefined;
    if (saved === undefined) return false;
    if (saved.format !== STATE_FORMAT) throw new Error(`ssh backend: the state saved in ${store.location} has an unknown format`);
    this.state = saved;
    return true;
  }

  start(): void {
    void this.probeAll();
    this.probeTimer = setInterval(() => void this.probeAll(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  private persist(): Promise<void> {
    return this.store ? this.store.save(STATE_KEY, () => structuredClone(this.state)) : Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer);
    await this.pool.close();
  }

  async status(): Promise<BackendStatus> {
    const hosts = this.state.hosts;
    const reachable = hosts.filter((h) => this.probes.get(h.hostname)?.reachable);
    const details: Record<string, string> = {
      fsid: this.state.fsid,
      hosts: String(hosts.length),
      reachable_hosts: String(reachable.length),
      bootstrapped: String(this.state.fsid !== ""),
    };
    const probed = hosts.filter((h) => this.probes.has(h.hostname));
    if (hosts.length > 0 && probed.length === hosts.length && reachable.length === 0) {
      return { available: false, reason: `no host can be reached over SSH (${hosts.map((h) => h.hostname).join(", ")})`, details };
    }
    return { available: true, reason: "", details };
  }

  // --- SSH helpers ---

  private target(hostname: string): SshTarget {
    const h = this.state.hosts.find((x) => x.hostname === hostname);
    if (!h) throw new NotFoundError("host", hostname);
    return { hostname: h.hostname, addr: h.addr };
  }

  private noteReachable(hostname: string, ok: boolean, message = ""): void {
    this.probes.set(hostname, { reachable: ok, message, at: Date.now() });
  }

  /** Runs a command on a host; a failure to reach it marks it offline. */
  private async sh(hostname: string, command: string, o: { stdin?: string; timeoutMs?: number; signal?: AbortSignal; check?: boolean } = {}): Promise<ExecResult> {
    const t = this.target(hostname);
    try {
      const r = o.check === false ? await this.pool.run(t, command, o) : await this.pool.exec(t, command, o);
      this.noteReachable(hostname, true);
      return r;
    } catch (e) {
      if (e instanceof UnreachableError) this.noteReachable(hostname, false, e.message);
      else if (e instanceof RemoteCommandError && !/timed out|cancelled/.test(e.message)) this.noteReachable(hostname, true);
      if (o.signal?.aborted) throw new CancelledError();
      throw e;
    }
  }

  /** Runs a bash script (stdin) with arguments on a host. */
  private script(hostname: string, body: string, args: (string | number)[] = [], o: { timeoutMs?: number; signal?: AbortSignal; check?: boolean } = {}): Promise<ExecResult> {
    return this.sh(hostname, `bash -s -- ${args.map(shq).join(" ")}`, { ...o, stdin: `set -euo pipefail\nexport PATH=/usr/sbin:/usr/bin:/sbin:/bin\n${body}` });
  }

  private async putFile(hostname: string, path: string, content: string, mode = "0644"): Promise<void> {
    const dir = path.slice(0, path.lastIndexOf("/")) || "/";
    await this.sh(hostname, `mkdir -p ${shq(dir)} && umask 077 && cat > ${shq(path)}.tmp && chmod ${mode} ${shq(path)}.tmp && mv ${shq(path)}.tmp ${shq(path)}`, { stdin: content });
  }

  private async probeAll(): Promise<void> {
    await Promise.all(
      this.state.hosts.map(async (h) => {
        try {
          await this.sh(h.hostname, "true", { timeoutMs: this.config.connectTimeoutMs });
        } catch {
          /* recorded by sh() */
        }
      }),
    );
  }

  /** Hosts to ask cluster questions on, most likely first: the bootstrap host, then reachable ones. */
  private adminHosts(): string[] {
    const names = this.state.hosts.map((h) => h.hostname);
    const score = (n: string) => (this.probes.get(n)?.reachable === false ? 2 : 0) + (n === this.state.bootstrapHost ? 0 : 1);
    return names.sort((a, b) => score(a) - score(b));
  }

  private requireCluster(): void {
    if (this.state.fsid === "") throw new ExecutionError("there is no cluster yet: place the mons first (UpdateMons bootstraps the cluster on the first mon's host)");
  }

  /** Asks the cluster (librados, one process) on the first admin host that answers. */
  private async ceph(cmds: { target?: "mon" | "mgr"; cmd: Json }[], signal?: AbortSignal): Promise<CephReply[]> {
    this.requireCluster();
    const errors: string[] = [];
    for (const host of this.adminHosts()) {
      try {
        const r = await this.sh(host, `/usr/bin/python3 ${CEPHQ}`, { stdin: JSON.stringify(cmds), timeoutMs: 60_000, signal });
        return JSON.parse(r.stdout) as CephReply[];
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        errors.push(errorText(e));
        if (!(e instanceof UnreachableError)) break;
      }
    }
    throw new ExecutionError(`cannot reach the cluster: ${errors.join("; ")}`);
  }

  private async ceph1(cmd: Json, target: "mon" | "mgr" = "mon", signal?: AbortSignal): Promise<unknown> {
    const [r] = await this.ceph([{ target, cmd }], signal);
    if (!r || r.ret < 0) throw new ExecutionError(`ceph ${cmd.prefix} failed: ${r?.err || `error ${r?.ret}`}`);
    return r.out;
  }

  /** Runs the ceph CLI on an admin host (for writes whose arguments the CLI knows best). */
  private async cephCli(args: string, signal?: AbortSignal): Promise<string> {
    this.requireCluster();
    const errors: string[] = [];
    for (const host of this.adminHosts()) {
      try {
        return (await this.sh(host, `ceph --connect-timeout 20 ${args}`, { timeoutMs: 60_000, signal })).stdout;
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        errors.push(errorText(e));
        if (!(e instanceof UnreachableError)) break;
      }
    }
    throw new ExecutionError(`ceph ${args}: ${errors.join("; ")}`);
  }

  // --- Hosts ---

  async listHosts(): Promise<Host[]> {
    return this.state.hosts.map((h) => this.hostOut(h));
  }

  private hostOut(h: HostRecord): Host {
    const p = this.probes.get(h.hostname);
    const offline = p !== undefined && !p.reachable;
    return {
      hostname: h.hostname,
      addr: h.addr,
      labels: [...h.labels],
      status: offline ? Host_Status.STATUS_OFFLINE : Host_Status.STATUS_ONLINE,
      statusMessage: offline ? p.message : "",
    };
  }

  async addHost(ctx: StepContext, host: Host): Promise<Host> {
    const existing = this.state.hosts.find((h) => h.hostname === host.hostname);
    const addr = host.addr || existing?.addr || host.hostname;
    if (existing && (existing.addr !== addr || !sameSet(existing.labels, host.labels))) {
      throw new AlreadyExistsError("host", host.hostname, `host '${host.hostname}' already exists with another address or labels`);
    }
    const record: HostRecord = existing ?? { hostname: host.hostname, addr, labels: [...new Set(host.labels)].sort() };
    const t: SshTarget = { hostname: record.hostname, addr: record.addr };
    try {
      ctx.progress(0.1, `connecting to ${record.addr}:${this.config.port}`);
      const r = await this.pool.exec(t, "hostname; command -v ceph-mon ceph-mgr ceph-osd ceph-volume ceph-mds radosgw python3 | wc -l");
      const [remoteName, found] = r.stdout.trim().split("\n");
      if (remoteName?.trim() !== record.hostname) {
        throw new ExecutionError(`host ${record.hostname} (${record.addr}) calls itself '${remoteName?.trim()}'; the hostname must match`, record.hostname);
      }
      if (Number(found) < 7) throw new ExecutionError(`host ${record.hostname} lacks Ceph packages (ceph-mon, ceph-mgr, ceph-osd, ceph-mds, radosgw, python3)`, record.hostname);
      ctx.progress(0.4, "installing orchctl");
      await this.pool.exec(t, `mkdir -p ${ORCH_DIR}/units && cat > ${ORCHCTL} && chmod 0755 ${ORCHCTL}`, { stdin: ORCHCTL_SCRIPT });
      // The directories the packages would make (ceph-volume runs ceph-osd as user ceph).
      await this.pool.exec(
        t,
        "mkdir -p /etc/ceph /var/log/ceph /run/ceph /var/lib/ceph/{osd,mon,mgr,mds,radosgw,tmp,crash,bootstrap-osd} && chown ceph:ceph /var/log/ceph /run/ceph /var/lib/ceph/{osd,tmp,crash}",
      );
      await this.pool.exec(t, `cat > ${CEPHQ} && chmod 0755 ${CEPHQ}`, { stdin: CEPHQ_SCRIPT });
      this.noteReachable(record.hostname, true);
      if (!existing) {
        this.state.hosts.push(record);
        await this.persist();
      }
      if (this.state.fsid !== "") {
        ctx.progress(0.7, "pushing the cluster configuration and keyrings");
        await this.pushClusterFiles([record.hostname]);
      }
      ctx.log.info({ hostname: record.hostname, addr: record.addr }, "ssh: host added");
      return this.hostOut(record);
    } catch (e) {
      if (e instanceof UnreachableError) this.noteReachable(record.hostname, false, e.message);
      throw asExecution(e, record.hostname);
    }
  }

  async removeHost(_ctx: StepContext, hostname: string): Promise<void> {
    const h = this.state.hosts.find((x) => x.hostname === hostname);
    if (!h) return;
    // The machine is left as it is; only the orchestrator forgets it.
    this.state.hosts = this.state.hosts.filter((x) => x.hostname !== hostname);
    delete this.state.units[hostname];
    this.probes.delete(hostname);
    this.inventory.delete(hostname);
    this.pool.drop({ hostname, addr: h.addr });
    this.invalidateView();
    await this.persist();
  }

  async setHostLabels(_ctx: StepContext, hostname: string, labels: string[]): Promise<Host> {
    const h = this.state.hosts.find((x) => x.hostname === hostname);
    if (!h) throw new NotFoundError("host", hostname);
    h.labels = [...new Set(labels)].sort();
    await this.persist();
    return this.hostOut(h);
  }

  /** ceph.conf, the admin and bootstrap-osd keyrings, from an admin host to others. */
  private async pushClusterFiles(hostnames: string[]): Promise<void> {
    const conf = this.cephConf(await this.monAddrs());
    const [admin, bootstrapOsd] = await this.ceph([
      { cmd: { prefix: "auth get", entity: "client.admin", format: "plain" } },
      { cmd: { prefix: "auth get", entity: "client.bootstrap-osd", format: "plain" } },
    ]);
    if (!admin || admin.ret < 0 || !bootstrapOsd || bootstrapOsd.ret < 0) throw new ExecutionError(`cannot read the cluster's keyrings: ${admin?.err} ${bootstrapOsd?.err}`);
    await Promise.all(
      hostnames.map(async (h) => {
        await this.putFile(h, "/etc/ceph/ceph.conf", conf);
        await this.putFile(h, "/etc/ceph/ceph.client.admin.keyring", String(admin.out) + "\n", "0600");
        await this.putFile(h, "/var/lib/ceph/bootstrap-osd/ceph.keyring", String(bootstrapOsd.out) + "\n", "0600");
      }),
    );
  }

  /** The mons' address vectors from the monmap. */
  private async monAddrs(): Promise<string[]> {
    const dump = (await this.ceph1({ prefix: "mon dump" })) as Json;
    return (dump.mons as Json[]).map((m) => `[${(m.public_addrs.addrvec as Json[]).map((a) => `${a.type}:${a.addr}`).join(",")}]`);
  }

  private cephConf(monHost: string[]): string {
    const lines = [
      "# Written by the ceph-orchestrator-grpc ssh backend.",
      "[global]",
      `fsid = ${this.state.fsid}`,
      `mon host = ${monHost.join(",")}`,
      `public network = ${this.config.publicNetwork}`,
      "ms bind ipv6 = false",
      "auth cluster required = cephx",
      "auth service required = cephx",
      "auth client required = cephx",
      "auth allow insecure global id reclaim = false",
      "mon warn on insecure global id reclaim = false",
      "mon warn on insecure global id reclaim allowed = false",
      ...Object.entries(this.config.cephConf).map(([k, v]) => `${k} = ${v}`),
      "",
      "[client]",
      "; CLI clients: no admin socket (concurrent CLIs would collide on one)",
      "admin socket =",
      "",
    ];
    return lines.join("\n");
  }

  /** After a mon change: every reachable host's ceph.conf lists the current mons. */
  private refreshConf(): Promise<void> {
    const next = this.confChain.then(async () => {
      const conf = this.cephConf(await this.monAddrs());
      await Promise.all(
        this.state.hosts.map((h) =>
          this.putFile(h.hostname, "/etc/ceph/ceph.conf", conf).catch((e) => this.log.warn({ hostname: h.hostname, err: errorText(e) }, "ssh: could not update ceph.conf")),
        ),
      );
    });
    this.confChain = next.catch(() => undefined);
    return next;
  }

  // --- Inventory ---

  async getInventory(hostnames: string[], refresh: boolean): Promise<InventoryHost[]> {
    const hosts = hostnames.length > 0 ? hostnames.map((n) => this.hostRecord(n)) : this.state.hosts;
    return Promise.all(
      hosts.map(async (h) => {
        const cached = this.inventory.get(h.hostname);
        let entry = cached;
        if (refresh || !cached || Date.now() - cached.at > this.config.inventoryTtlMs) {
          try {
            entry = { at: Date.now(), devices: await this.scanDevices(h.hostname) };
            this.inventory.set(h.hostname, entry);
          } catch (e) {
            // An unreachable host keeps its last scan (or none).
            this.log.warn({ hostname: h.hostname, err: errorText(e) }, "ssh: inventory scan failed");
          }
        }
        return {
          hostname: h.hostname,
          addr: h.addr,
          labels: [...h.labels],
          devices: entry?.devices ?? [],
          lastRefresh: entry ? ts(entry.at) : undefined,
        };
      }),
    );
  }

  private hostRecord(hostname: string): HostRecord {
    const h = this.state.hosts.find((x) => x.hostname === hostname);
    if (!h) throw new NotFoundError("host", hostname);
    return h;
  }

  private async scanDevices(hostname: string): Promise<Device[]> {
    const r = await this.script(
      hostname,
      INVENTORY_SCAN,
      [],
      { timeoutMs: 120_000 },
    );
    const [invText, rawText, blkText] = r.stdout.trim().split("\n");
    const inv = JSON.parse(invText ?? "[]") as Json[];
    const raw = JSON.parse(rawText || "{}") as Record<string, Json>;
    const rawByDevice = new Map(Object.values(raw).map((o) => [String(o.device), o]));
    // A running OSD holds its device locked, so `raw list` may not see it: the cluster's OSD
    // metadata names the device of each OSD of this host.
    if (this.state.fsid !== "") {
      try {
        for (const m of (await this.ceph1({ prefix: "osd metadata" })) as Json[]) {
          const dev = String(m.bluestore_bdev_dev_node ?? "");
          if (m.hostname === hostname && dev.startsWith("/dev/") && !rawByDevice.has(dev)) rawByDevice.set(dev, { device: dev, osd_id: Number(m.id) });
        }
      } catch (e) {
        this.log.warn({ hostname, err: errorText(e) }, "ssh: cannot read the OSD metadata for the inventory");
      }
    }
    // ceph-volume inventory leaves out a device that holds a raw OSD: it is listed all the same.
    const blk = ((JSON.parse(blkText || "{}") as Json).blockdevices ?? []) as Json[];
    for (const [path] of rawByDevice) {
      if (inv.some((d) => d.path === path)) continue;
      const b = blk.find((x) => x.path === path);
      inv.push({
        path,
        available: false,
        rejected_reasons: ["Has BlueStore device label"],
        device_id: "",
        lvs: [],
        sys_api: { size: Number(b?.size ?? 0), rotational: b?.rota ? "1" : "0", vendor: "", model: "", human_readable_size: "" },
      });
    }
    const only = this.config.hostDevices[hostname];
    return inv
      .filter((d) => !only || only.includes(String(d.path)))
      .map((d) => {
        const sys = (d.sys_api ?? {}) as Json;
        const rotational = String(sys.rotational) === "1";
        const path = String(d.path);
        const rawOsd = rawByDevice.get(path);
        const lvs = ((d.lvs ?? []) as Json[]).map((lv) => ({
          name: String(lv.name ?? ""),
          osdId: Number(lv.osd_id ?? -1),
          clusterName: String(lv.cluster_name ?? "ceph"),
          type: String(lv.type ?? ""),
          osdFsid: String(lv.osd_fsid ?? ""),
          clusterFsid: String(lv.cluster_fsid ?? ""),
          osdspecAffinity: String(lv.osdspec_affinity ?? ""),
          blockUuid: String(lv.block_uuid ?? ""),
        }));
        const owner = lvs.find((lv) => lv.type === "block") ?? lvs[0];
        const rejected = ((d.rejected_reasons ?? []) as string[]).map(String);
        if (rawOsd && !rejected.some((x) => /bluestore/i.test(x))) rejected.push("Has BlueStore device label");
        const available = Boolean(d.available) && !rawOsd;
        const size = typeof sys.size === "number" ? BigInt(Math.round(sys.size)) : BigInt(String(sys.size ?? "0").replace(/\..*$/, "") || "0");
        return {
          path,
          deviceId: String(d.device_id ?? ""),
          available,
          rejectedReasons: available ? [] : rejected.length > 0 ? rejected : ["not available"],
          type: path.includes("nvme") ? Device_Type.TYPE_NVME : rotational ? Device_Type.TYPE_HDD : Device_Type.TYPE_SSD,
          sizeBytes: size.toString(),
          rotational,
          vendor: String(sys.vendor ?? ""),
          model: String(sys.model ?? ""),
          lvs,
          sysApi: sys,
          humanReadableSize: String(sys.human_readable_size || humanSize(size)),
          osdId: owner ? owner.osdId : rawOsd ? Number(rawOsd.osd_id) : -1,
        };
      });
  }

  // --- Services and daemons ---

  async listServices(): Promise<ServiceRecord[]> {
    const view = await this.clusterView(false);
    const implicit = new Map<string, ServiceRecord>();
    for (const [name, { unit }] of view.units) {
      const sn = unit.serviceName;
      if (this.state.services.some((s) => s.serviceName === sn) || implicit.has(sn)) continue;
      const dot = sn.indexOf(".");
      implicit.set(sn, {
        serviceType: TYPES_BY_NAME[name.split(".")[0]!] ?? ServiceType.SERVICE_TYPE_UNSPECIFIED,
        serviceId: dot < 0 ? "" : sn.slice(dot + 1),
        serviceName: sn,
        placement: undefined,
        created: ts(unit.created * 1000),
        radosConfigLocation: "",
        serviceUrl: "",
        details: undefined,
      });
    }
    return [...this.state.services.map((s) => structuredClone(s)), ...implicit.values()];
  }

  async saveService(_ctx: StepContext, service: ServiceRecord): Promise<void> {
    const i = this.state.services.findIndex((s) => s.serviceName === service.serviceName);
    const created = service.created ?? this.state.services[i]?.created ?? ts(Date.now());
    const record = { ...structuredClone(service), created };
    if (i >= 0) this.state.services[i] = record;
    else this.state.services.push(record);
    await this.persist();
  }

  async deleteService(_ctx: StepContext, serviceName: string): Promise<void> {
    // An MDS service's file system and an RGW service's pools stay: they hold data.
    this.state.services = this.state.services.filter((s) => s.serviceName !== serviceName);
    await this.persist();
  }

  async listDaemons(refresh: boolean): Promise<DaemonDescription[]> {
    const view = await this.clusterView(refresh);
    return [...view.units.entries()].map(([name, { unit, hostname, reachable }]) => this.daemonOut(name, unit, hostname, reachable, view));
  }

  private daemonOut(name: string, unit: Unit, hostname: string, reachable: boolean, view: ClusterView): DaemonDescription {
    const dot = name.indexOf(".");
    const type = TYPES_BY_NAME[name.slice(0, dot)] ?? ServiceType.SERVICE_TYPE_UNSPECIFIED;
    let status: Status;
    let desc: string;
    if (!reachable) {
      status = Status.STATUS_UNKNOWN;
      desc = `host ${hostname} is unreachable`;
    } else if (unit.state === "running") {
      const up = view.up.has(name);
      status = up ? Status.STATUS_RUNNING : Status.STATUS_STARTING;
      desc = up ? "running" : "process running; the cluster does not report it up yet";
    } else if (unit.state === "stopped") {
      status = Status.STATUS_STOPPED;
      desc = "stopped";
    } else {
      status = Status.STATUS_ERROR;
      desc = "exited without being stopped (see its log in /var/log/ceph)";
    }
    return {
      daemonType: type,
      daemonId: name.slice(dot + 1),
      daemonName: name,
      serviceName: unit.serviceName,
      hostname,
      status,
      statusDesc: desc,
      version: view.versions.get(name) ?? "",
      containerId: "",
      pid: unit.state === "running" ? unit.pid : 0,
      lastRefresh: ts(view.at),
      created: ts(unit.created * 1000),
      started: unit.state === "running" && unit.started > 0 ? ts(unit.started * 1000) : undefined,
    };
  }

  /** Each host's units (orchctl status) joined with what the cluster reports up. */
  private clusterView(refresh: boolean): Promise<ClusterView> {
    if (!refresh && this.view && Date.now() - this.view.at < VIEW_TTL_MS) return Promise.resolve(this.view);
    const generation = this.viewGeneration;
    if (this.viewPending?.generation === generation) return this.viewPending.view;
    const pending = {
      generation,
      view: this.buildView().then((v) => {
        if (this.viewGeneration === generation) this.view = v;
        return v;
      }),
    };
    this.viewPending = pending;
    void pending.view.finally(() => {
      if (this.viewPending === pending) this.viewPending = undefined;
    }).catch(() => undefined);
    return pending.view;
  }

  /** After any change of a host's units (written, started, stopped, removed), failed or not. */
  private invalidateView(): void {
    this.view = undefined;
    this.viewGeneration++;
  }

  private async buildView(): Promise<ClusterView> {
    const units = new Map<string, { unit: Unit; hostname: string; reachable: boolean }>();
    await Promise.all(
      this.state.hosts.map(async (h) => {
        let list: Unit[];
        let reachable = true;
        try {
          const r = await this.sh(h.hostname, `${ORCHCTL} status`, { timeoutMs: 15_000 });
          list = parseUnits(r.stdout);
          this.state.units[h.hostname] = list;
        } catch {
          reachable = false;
          list = this.state.units[h.hostname] ?? [];
        }
        for (const unit of list) units.set(unit.name, { unit, hostname: h.hostname, reachable });
      }),
    );
    const up = new Set<string>();
    const versions = new Map<string, string>();
    if (this.state.fsid !== "" && units.size > 0) {
      try {
        const [quorum, mgr, osd, fs, svc, monMeta, osdMeta, mgrMeta, mdsMeta] = await this.ceph([
          { cmd: { prefix: "quorum_status" } },
          { cmd: { prefix: "mgr dump" } },
          { cmd: { prefix: "osd dump" } },
          { cmd: { prefix: "fs dump" } },
          { target: "mgr", cmd: { prefix: "service dump" } },
          { cmd: { prefix: "mon metadata" } },
          { cmd: { prefix: "osd metadata" } },
          { cmd: { prefix: "mgr metadata" } },
          { cmd: { prefix: "mds metadata" } },
        ]);
        for (const n of ((quorum?.out as Json)?.quorum_names ?? []) as string[]) up.add(`mon.${n}`);
        const m = mgr?.out as Json | undefined;
        if (m?.available && m.active_name) up.add(`mgr.${m.active_name}`);
        for (const s of (m?.standbys ?? []) as Json[]) up.add(`mgr.${s.name}`);
        for (const o of ((osd?.out as Json)?.osds ?? []) as Json[]) if (o.up === 1) up.add(`osd.${o.osd}`);
        const f = fs?.out as Json | undefined;
        for (const s of (f?.standbys ?? []) as Json[]) up.add(`mds.${s.name}`);
        for (const fsys of (f?.filesystems ?? []) as Json[]) {
          for (const info of Object.values((fsys.mdsmap?.info ?? {}) as Record<string, Json>)) up.add(`mds.${info.name}`);
        }
        const rgw = ((svc?.out as Json)?.services?.rgw?.daemons ?? {}) as Record<string, Json>;
        for (const [k, d] of Object.entries(rgw)) {
          if (k === "summary" || typeof d !== "object") continue;
          const id = String(d.metadata?.id ?? k);
          up.add(`rgw.${id}`);
          if (d.metadata?.ceph_version_short) versions.set(`rgw.${id}`, String(d.metadata.ceph_version_short));
        }
        const meta = (r: CephReply | undefined, prefix: string, key: string) => {
          for (const x of (Array.isArray(r?.out) ? r.out : []) as Json[]) if (x.ceph_version_short) versions.set(`${prefix}.${x[key]}`, String(x.ceph_version_short));
        };
        meta(monMeta, "mon", "name");
        meta(osdMeta, "osd", "id");
        meta(mgrMeta, "mgr", "name");
        meta(mdsMeta, "mds", "name");
      } catch (e) {
        this.log.warn({ err: errorText(e) }, "ssh: cannot read the cluster's maps; daemons show as starting");
      }
    }
    return { at: Date.now(), up, versions, units };
  }

  private async unitOf(name: string): Promise<{ unit: Unit; hostname: string; reachable: boolean } | undefined> {
    return (await this.clusterView(true)).units.get(name);
  }

  private async writeUnit(hostname: string, name: string, run: string, serviceName: string, data = ""): Promise<void> {
    const meta = `${serviceName}\t${Math.floor(Date.now() / 1000)}\t${data}`;
    // A unit that exists keeps its creation time.
    await this.script(
      hostname,
      UNIT_WRITE,
      [name, `#!/bin/bash\n${run}`, meta],
    );
    this.invalidateView();
  }

  private async orchctl(hostname: string, action: string, name: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.sh(hostname, `${ORCHCTL} ${action} ${shq(name)}`, { timeoutMs: 90_000, signal });
    } finally {
      this.invalidateView(); // a start that failed still left its unit
    }
  }

  /** Polls until the cluster reports the daemon up (an OSD: up and in). */
  private async waitUp(ctx: StepContext, name: string, hostname: string, extra?: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.config.daemonUpTimeoutMs;
    for (;;) {
      if (ctx.signal.aborted) throw new CancelledError();
      const view = await this.clusterView(true);
      const u = view.units.get(name);
      // Up only counts when its host confirms the process too.
      if (u && !u.reachable) throw new ExecutionError(`host ${hostname} became unreachable while ${name} was starting: ${this.probes.get(hostname)?.message ?? ""}`, hostname);
      if (u && u.unit.state !== "running") {
        throw new ExecutionError(`${name} on ${hostname} exited while starting (see /var/log/ceph/${name}.out on ${hostname})`, hostname);
      }
      if (view.up.has(name) && (!extra || (await extra()))) return;
      if (Date.now() > deadline) {
        throw new ExecutionError(`${name} on ${hostname} was not reported up within ${this.config.daemonUpTimeoutMs / 1000} s`, hostname);
      }
      await sleep(1000);
    }
  }

  async deployDaemon(ctx: StepContext, d: DaemonDeployment): Promise<DaemonDescription> {
    const name = `${typeName(d.serviceType)}.${d.daemonId}`;
    try {
      this.hostRecord(d.hostname);
      if (!DEPLOYABLE.has(d.serviceType)) {
        throw new ExecutionError(`the ssh backend cannot deploy ${typeName(d.serviceType)} daemons (it deploys mon, mgr, osd, mds and rgw)`, d.hostname);
      }
      if (d.serviceType === ServiceType.SERVICE_TYPE_MON && this.state.fsid === "") {
        await this.bootstrap(ctx, d);
      } else {
        this.requireCluster();
        const existing = await this.unitOf(name);
        if (existing && existing.hostname !== d.hostname) {
          throw new AlreadyExistsError("daemon", name, `daemon '${name}' already runs on host '${existing.hostname}'`);
        }
        ctx.progress(0.1, `preparing ${name} on ${d.hostname}`);
        switch (d.serviceType) {
          case ServiceType.SERVICE_TYPE_MON:
            await this.prepareMon(ctx, d);
            break;
          case ServiceType.SERVICE_TYPE_MGR:
            await this.prepareMgr(d);
            break;
          case ServiceType.SERVICE_TYPE_MDS:
            await this.prepareMds(d);
            break;
          case ServiceType.SERVICE_TYPE_RGW:
            await this.prepareRgw(d);
            break;
        }
        ctx.progress(0.5, `starting ${name}`);
        await this.orchctl(d.hostname, "start", name, ctx.signal);
        ctx.progress(0.7, `waiting for the cluster to report ${name} up`);
        await this.waitUp(ctx, name, d.hostname, d.serviceType === ServiceType.SERVICE_TYPE_RGW ? () => this.rgwAnswers(d) : undefined);
        if (d.serviceType === ServiceType.SERVICE_TYPE_MON) await this.refreshConf();
      }
      const view = await this.clusterView(true);
      const u = view.units.get(name);
      if (!u) throw new ExecutionError(`${name} was deployed but ${d.hostname} does not list it`, d.hostname);
      ctx.progress(1, `${name} is up`);
      return this.daemonOut(name, u.unit, u.hostname, u.reachable, view);
    } catch (e) {
      throw asExecution(e, d.hostname);
    }
  }

  /** The first mon and mgr of a new cluster, on the first mon's host: fsid, keyrings, monmap. */
  private async bootstrap(ctx: StepContext, d: DaemonDeployment): Promise<void> {
    const host = this.hostRecord(d.hostname);
    // The fsid is saved first, so a resumed bootstrap makes the same cluster.
    const fsid = randomUUID();
    this.state.fsid = fsid;
    this.state.bootstrapHost = host.hostname;
    ctx.progress(0.05, `bootstrapping cluster ${fsid} on ${host.hostname}`);
    try {
      const monHost = `[v2:${host.addr}:3300,v1:${host.addr}:6789]`;
      await this.putFile(host.hostname, "/etc/ceph/ceph.conf", this.cephConf([monHost]));
      await this.script(
        host.hostname,
        MON_BOOTSTRAP,
        [d.daemonId, host.addr, fsid],
        { signal: ctx.signal },
      );
      const monName = `mon.${d.daemonId}`;
      await this.writeUnit(host.hostname, monName, `exec ceph-mon -i ${shq(d.daemonId)} -f --public-addr ${shq(host.addr)}`, "mon");
      await this.orchctl(host.hostname, "start", monName, ctx.signal);
      ctx.progress(0.4, `waiting for ${monName} to form a quorum`);
      await this.waitUp(ctx, monName, host.hostname);
      // The state (fsid) is saved once the cluster exists.
      await this.persist();
      // The first mgr, as a bootstrap makes one; UpdateMgrs places more (or moves it).
      const existing = new Set((await this.clusterView(true)).units.keys());
      const mgrId = daemonIdFor(ServiceType.SERVICE_TYPE_MGR, "", host.hostname, new Set([...existing].filter((n) => n.startsWith("mgr.")).map((n) => n.slice(4))));
      const mgr: DaemonDeployment = { ...d, serviceType: ServiceType.SERVICE_TYPE_MGR, serviceName: "mgr", daemonId: mgrId };
      ctx.progress(0.6, `starting mgr.${mgrId}`);
      await this.prepareMgr(mgr);
      await this.orchctl(host.hostname, "start", `mgr.${mgrId}`, ctx.signal);
      await this.waitUp(ctx, `mgr.${mgrId}`, host.hostname);
      // Every other host gets the configuration and keyrings now.
      const others = this.state.hosts.map((h) => h.hostname).filter((h) => h !== host.hostname);
      await this.pushClusterFiles(others).catch((e) => this.log.warn({ err: errorText(e) }, "ssh: could not push the cluster files to every host"));
    } catch (e) {
      if (!(await this.monExists(host.hostname, d.daemonId))) {
        this.state.fsid = "";
        this.state.bootstrapHost = "";
      }
      throw e;
    }
  }

  private async monExists(hostname: string, id: string): Promise<boolean> {
    try {
      return (await this.sh(hostname, `test -e /var/lib/ceph/mon/ceph-${shq(id)}/kv_backend`, { check: false })).code === 0;
    } catch {
      return true;
    }
  }

  private async prepareMon(ctx: StepContext, d: DaemonDeployment): Promise<void> {
    const addr = this.hostRecord(d.hostname).addr;
    await this.script(
      d.hostname,
      MON_JOIN,
      [d.daemonId],
      { signal: ctx.signal },
    );
    // Started with its address, a mon that is not in the monmap asks to join the quorum.
    await this.writeUnit(d.hostname, `mon.${d.daemonId}`, `exec ceph-mon -i ${shq(d.daemonId)} -f --public-addr ${shq(addr)}`, d.serviceName);
  }

  private async prepareMgr(d: DaemonDeployment): Promise<void> {
    const dir = `/var/lib/ceph/mgr/ceph-${d.daemonId}`;
    await this.script(
      d.hostname,
      DAEMON_KEYRING,
      [`mgr.${d.daemonId}`, dir, "mon", "allow profile mgr", "osd", "allow *", "mds", "allow *"],
    );
    await this.writeUnit(d.hostname, `mgr.${d.daemonId}`, `exec ceph-mgr -i ${shq(d.daemonId)} -f --keyring ${shq(`${dir}/keyring`)}`, d.serviceName);
  }

  private async prepareMds(d: DaemonDeployment): Promise<void> {
    const fsName = d.service.serviceId || "cephfs";
    const dir = `/var/lib/ceph/mds/ceph-${d.daemonId}`;
    await this.script(
      d.hostname,
      MDS_PREPARE,
      [d.daemonId, fsName, dir],
    );
    await this.writeUnit(d.hostname, `mds.${d.daemonId}`, `exec ceph-mds -i ${shq(d.daemonId)} -f --keyring ${shq(`${dir}/keyring`)}`, d.serviceName);
  }

  private rgwPort(d: { service: ServiceRecord }): number {
    return d.service.details?.$case === "rgw" && d.service.details.value.rgwFrontendPort > 0 ? d.service.details.value.rgwFrontendPort : 80;
  }

  private async prepareRgw(d: DaemonDeployment): Promise<void> {
    const addr = this.hostRecord(d.hostname).addr;
    const dir = `/var/lib/ceph/radosgw/ceph-rgw.${d.daemonId}`;
    await this.script(
      d.hostname,
      DAEMON_KEYRING,
      [`client.rgw.${d.daemonId}`, dir, "mon", "allow rw", "osd", "allow rwx", "mgr", "allow rw"],
    );
    const frontends = `beast endpoint=${addr}:${this.rgwPort(d)}`;
    await this.writeUnit(
      d.hostname,
      `rgw.${d.daemonId}`,
      `exec radosgw -n ${shq(`client.rgw.${d.daemonId}`)} -f --keyring ${shq(`${dir}/keyring`)} --rgw-data ${shq(dir)} --rgw-frontends ${shq(frontends)}`,
      d.serviceName,
    );
  }

  /** Whether the RGW's port answers HTTP (from its own host). */
  private async rgwAnswers(d: DaemonDeployment): Promise<boolean> {
    const addr = this.hostRecord(d.hostname).addr;
    const r = await this.script(d.hostname, HTTP_ANSWERS, [`http://${addr}:${this.rgwPort(d)}/`], { check: false, timeoutMs: 15_000 });
    return r.code === 0;
  }

  async removeDaemon(ctx: StepContext, daemon: DaemonDescription): Promise<void> {
    const name = daemon.daemonName;
    const host = daemon.hostname;
    try {
      const type = daemon.daemonType;
      const id = daemon.daemonId;
      if (type === ServiceType.SERVICE_TYPE_MGR) {
        // A standby takes over at once instead of after the beacon grace.
        const dump = (await this.ceph1({ prefix: "mgr dump" })) as Json;
        if (dump.active_name === id && ((dump.standbys ?? []) as Json[]).length > 0) await this.cephCli(`mgr fail ${shq(id)}`);
      }
      ctx.progress(0.3, `stopping ${name}`);
      await this.orchctl(host, "remove", name, ctx.signal);
      ctx.progress(0.6, `removing ${name} from the cluster`);
      switch (type) {
        case ServiceType.SERVICE_TYPE_MON: {
          const dump = (await this.ceph1({ prefix: "mon dump" })) as Json;
          if ((dump.mons as Json[]).some((m) => m.name === id)) await this.cephCli(`mon remove ${shq(id)}`);
          await this.sh(host, `rm -rf /var/lib/ceph/mon/ceph-${shq(id)}`);
          await this.refreshConf();
          break;
        }
        case ServiceType.SERVICE_TYPE_MGR:
          await this.cephCli(`auth rm mgr.${shq(id)}`);
          await this.sh(host, `rm -rf /var/lib/ceph/mgr/ceph-${shq(id)}`);
          break;
        case ServiceType.SERVICE_TYPE_MDS:
          await this.cephCli(`auth rm mds.${shq(id)}`);
          await this.cephCli(`config rm mds.${shq(id)} mds_join_fs`);
          await this.sh(host, `rm -rf /var/lib/ceph/mds/ceph-${shq(id)}`);
          break;
        case ServiceType.SERVICE_TYPE_RGW:
          await this.cephCli(`auth rm client.rgw.${shq(id)}`);
          await this.sh(host, `rm -rf /var/lib/ceph/radosgw/ceph-rgw.${shq(id)}`);
          break;
        default:
          break;
      }
      this.invalidateView();
    } catch (e) {
      throw asExecution(e, host);
    }
  }

  async daemonAction(ctx: StepContext, daemon: DaemonDescription, action: ServiceAction): Promise<void> {
    const name = daemon.daemonName;
    const host = daemon.hostname;
    try {
      switch (action) {
        case ServiceAction.SERVICE_ACTION_START:
          await this.orchctl(host, "start", name, ctx.signal);
          await this.waitUp(ctx, name, host);
          return;
        case ServiceAction.SERVICE_ACTION_STOP:
          await this.orchctl(host, "stop", name, ctx.signal);
          if (daemon.daemonType === ServiceType.SERVICE_TYPE_OSD) await this.waitOsdDown(ctx, Number(daemon.daemonId));
          return;
        case ServiceAction.SERVICE_ACTION_RESTART:
        case ServiceAction.SERVICE_ACTION_REDEPLOY:
          await this.orchctl(host, "restart", name, ctx.signal);
          await this.waitUp(ctx, name, host);
          return;
        case ServiceAction.SERVICE_ACTION_RELOAD:
          // Ceph daemons reopen their logs on SIGHUP; their settings come from the mons.
          await this.orchctl(host, "hup", name, ctx.signal);
          return;
        default:
          throw new ExecutionError(`no such daemon action ${action}`, host);
      }
    } catch (e) {
      throw asExecution(e, host);
    }
  }

  // --- OSDs ---

  async listOsds(): Promise<OsdRecord[]> {
    if (this.state.fsid === "") return [];
    const [tree, dump] = await this.ceph([{ cmd: { prefix: "osd tree" } }, { cmd: { prefix: "osd dump" } }]);
    const hostOf = new Map<number, string>();
    for (const n of ((tree?.out as Json)?.nodes ?? []) as Json[]) {
      if (n.type === "host") for (const c of (n.children ?? []) as number[]) hostOf.set(c, String(n.name));
    }
    return (((dump?.out as Json)?.osds ?? []) as Json[]).map((o) => ({
      osdId: Number(o.osd),
      hostname: hostOf.get(Number(o.osd)) ?? "",
      destroyed: ((o.state ?? []) as string[]).includes("destroyed"),
    }));
  }

  private async osdState(id: number): Promise<{ exists: boolean; up: boolean; in: boolean }> {
    const dump = (await this.ceph1({ prefix: "osd dump" })) as Json;
    const o = ((dump.osds ?? []) as Json[]).find((x) => Number(x.osd) === id);
    return { exists: o !== undefined, up: o?.up === 1, in: o?.in === 1 };
  }

  private async waitOsdDown(ctx: StepContext, id: number): Promise<void> {
    for (let i = 0; i < 60; i++) {
      if (!(await this.osdState(id)).up) return;
      if (i === 5) await this.cephCli(`osd down ${id}`, ctx.signal);
      await sleep(1000);
    }
  }

  async createOsd(ctx: StepContext, hostname: string, osd: PlannedOsd, serviceName: string, encrypted: boolean): Promise<CreatedOsd> {
    try {
      this.hostRecord(hostname);
      this.requireCluster();
      if (encrypted || osd.db || osd.wal || osd.journal) {
        throw new ExecutionError("the ssh backend creates plain BlueStore OSDs only (no encryption, DB, WAL or journal devices)", hostname);
      }
      const isDevice = osd.data.startsWith("/dev/");
      ctx.progress(0.1, `preparing ${hostname}:${osd.data}`);
      const prepared = isDevice
        ? await this.script(
            hostname,
            OSD_PREPARE_DEVICE,
            [osd.data, osd.osdId],
            { signal: ctx.signal, timeoutMs: 300_000 },
          )
        : await this.script(
            hostname,
            OSD_PREPARE_DIR,
            [osd.data, osd.osdId, this.config.osdFileBytes],
            { signal: ctx.signal, timeoutMs: 300_000 },
          );
      const id = Number(prepared.stdout.trim().split("\n").at(-1));
      if (!Number.isInteger(id) || id < 0) throw new ExecutionError(`preparing ${osd.data} gave no OSD id: ${prepared.stdout.trim()}`, hostname);
      if (osd.osdId >= 0 && id !== osd.osdId) throw new ExecutionError(`${hostname}:${osd.data} already holds osd.${id}, not osd.${osd.osdId}`, hostname);
      const name = `osd.${id}`;
      const dataDir = isDevice ? `/var/lib/ceph/osd/ceph-${id}` : osd.data;
      const activate = isDevice
        ? `[ -e ${shq(`${dataDir}/keyring`)} ] || CEPH_VOLUME_ALLOW_LOOP_DEVICES=true ceph-volume raw activate --device ${shq(osd.data)} --no-systemd\n`
        : "";
      await this.writeUnit(
        hostname,
        name,
        `${activate}exec ceph-osd -i ${id} -f --osd-data ${shq(dataDir)} --keyring ${shq(`${dataDir}/keyring`)}`,
        serviceName,
        osd.data,
      );
      ctx.progress(0.6, `starting ${name}`);
      await this.orchctl(hostname, "start", name, ctx.signal);
      await this.waitUp(ctx, name, hostname, async () => {
        const s = await this.osdState(id);
        if (s.up && !s.in) await this.cephCli(`osd in ${id}`);
        return s.up && s.in;
      });
      this.inventory.delete(hostname);
      ctx.progress(1, `${name} is up and in`);
      return { osdId: id, hostname, data: osd.data, db: "", wal: "" };
    } catch (e) {
      throw asExecution(e, hostname);
    }
  }

  async markOsdOut(ctx: StepContext, osdId: number): Promise<void> {
    try {
      await this.cephCli(`osd out ${osdId}`, ctx.signal);
    } catch (e) {
      throw asExecution(e);
    }
  }

  async osdSafety(osdId: number): Promise<OsdSafety> {
    const [safe, df, pgs] = await this.ceph([
      { target: "mgr", cmd: { prefix: "osd safe-to-destroy", ids: [String(osdId)] } },
      { target: "mgr", cmd: { prefix: "osd df" } },
      { target: "mgr", cmd: { prefix: "pg stat" } },
    ]);
    const s = safe?.out as Json | undefined;
    const node = (((df?.out as Json)?.nodes ?? []) as Json[]).find((n) => Number(n.id) === osdId);
    // Safe-to-destroy alone once let an OSD go right after another OSD had restarted, and
    // objects were unfound afterwards: the cluster's PGs must be clean too (force skips this).
    const states = ((pgs?.out as Json)?.num_pg_by_state ?? []) as Json[];
    const clean = pgs !== undefined && pgs.ret >= 0 && states.every((st) => String(st.name).startsWith("active+clean"));
    const safeToDestroy = clean && Array.isArray(s?.safe_to_destroy) && (s.safe_to_destroy as number[]).map(Number).includes(osdId);
    return { safeToDestroy, pgCount: Number(node?.pgs ?? 0) };
  }

  /** The host and data of an OSD, from the units. */
  private async osdUnit(osdId: number): Promise<{ hostname: string; data: string } | undefined> {
    const u = await this.unitOf(`osd.${osdId}`);
    return u ? { hostname: u.hostname, data: u.unit.data } : undefined;
  }

  /** Removes the OSD's unit and wipes its data (device or directory). */
  private async cleanOsd(ctx: StepContext, osdId: number): Promise<void> {
    const where = await this.osdUnit(osdId);
    if (!where) return;
    await this.orchctl(where.hostname, "remove", `osd.${osdId}`, ctx.signal);
    if (where.data.startsWith("/dev/")) {
      await this.script(
        where.hostname,
        OSD_WIPE_DEVICE,
        [osdId, where.data],
      );
    } else if (where.data !== "") {
      await this.sh(where.hostname, `rm -rf ${shq(where.data)}`);
    }
    this.inventory.delete(where.hostname);
  }

  async purgeOsd(ctx: StepContext, osdId: number): Promise<void> {
    try {
      const s = await this.osdState(osdId);
      if (s.exists) {
        if (s.up) throw new ExecutionError(`osd.${osdId} is still up; stop its daemon first`);
        await this.cephCli(`osd purge ${osdId} --yes-i-really-mean-it`, ctx.signal);
      }
      await this.cleanOsd(ctx, osdId);
    } catch (e) {
      throw asExecution(e);
    }
  }

  async destroyOsd(ctx: StepContext, osdId: number): Promise<void> {
    try {
      const s = await this.osdState(osdId);
      if (!s.exists) throw new NotFoundError("osd", `osd.${osdId}`);
      if (s.up) throw new ExecutionError(`osd.${osdId} is still up; stop its daemon first`);
      await this.cephCli(`osd destroy ${osdId} --yes-i-really-mean-it`, ctx.signal);
      await this.cleanOsd(ctx, osdId);
    } catch (e) {
      throw asExecution(e);
    }
  }

  /** For callers that need to fail when the cluster cannot be asked at all. */
  ensureAvailable(): void {
    if (this.state.hosts.length > 0 && this.state.hosts.every((h) => this.probes.get(h.hostname)?.reachable === false)) {
      throw new BackendUnavailableError("no host can be reached over SSH");
    }
  }
}

function parseUnits(text: string): Unit[] {
  const out: Unit[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const [name, state, pid, started, meta] = line.split("\t");
    const [serviceName, created, data] = (meta ?? "").split(" ");
    if (!name || !state) continue;
    out.push({
      name,
      state: state === "running" ? "running" : state === "stopped" ? "stopped" : "error",
      pid: Number(pid) || 0,
      started: Number(started) || 0,
      serviceName: serviceName || name.split(".")[0]!,
      created: Number(created) || 0,
      data: data ?? "",
    });
  }
  return out;
}

/** ceph-volume's human_readable_size: powers of 1024, two decimals. */
function humanSize(bytes: bigint): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let n = Number(bytes);
  let i = 0;
  while (n > 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(2)} ${units[i]}`;
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}
