// The YAML fixture that describes the simulated cluster: parsed, checked and normalised
// here, so the cluster itself only ever sees consistent data. See README.md for the schema.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import YAML from "yaml";
import type { ServiceRecord } from "../../src/backend/backend.js";
import { Device_Type, type LogicalVolume } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import {
  DaemonDescription_Status,
  IscsiSpec,
  NfsSpec,
  type Placement,
  RgwSpec,
  ServiceType,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { SERVICE_TYPE_NAMES, typeFromName, typeName } from "../../src/backend/ceph-names.js";
import { humanReadableSize, jsonInteger } from "../../src/backend/sizes.js";
import { toTimestamp } from "../../src/backend/timestamps.js";
import { VERSION_PATTERN } from "./config.js";
import { lvName, lvmUuid } from "./lvm.js";

export interface FixtureDevice {
  path: string;
  deviceId: string;
  available: boolean;
  rejectedReasons: string[];
  type: Device_Type;
  /** Never a Number: sizes above 2^53 must stay exact. */
  sizeBytes: bigint;
  rotational: boolean;
  vendor: string;
  model: string;
  humanReadableSize: string;
  lvs: LogicalVolume[];
  /** JSON-safe (no bigint), keys sorted as ceph-volume prints them. */
  sysApi: Record<string, unknown>;
}

export interface FixtureHost {
  hostname: string;
  /** Empty for a spare host without an address. */
  addr: string;
  labels: string[];
  unreachable: boolean;
  devices: FixtureDevice[];
}

/** An OSD found from the block LVs on the hosts' devices. */
export interface FixtureOsd {
  osdId: number;
  hostname: string;
  data: string;
  db: string;
  wal: string;
  journal: string;
  serviceName: string;
  osdFsid: string;
}

export interface FixtureDaemon {
  daemonType: ServiceType;
  daemonId: string;
  hostname: string;
  serviceName: string;
  status: DaemonDescription_Status;
  statusDesc: string;
  /** Undefined: the cluster's version. */
  version: string | undefined;
  /** Epoch milliseconds; undefined: load time. */
  created: number | undefined;
  started: number | undefined;
}

export interface Fixture {
  file: string;
  fsid: string;
  pgsPerOsd: number;
  unreachable: boolean;
  hosts: FixtureHost[];
  /** Hosts not yet in the cluster whose devices appear when they are added. */
  spareHosts: FixtureHost[];
  services: ServiceRecord[];
  /** Including one per OSD, listed or not. */
  daemons: FixtureDaemon[];
  osds: FixtureOsd[];
  destroyedOsds: { osdId: number; hostname: string }[];
}

/** A fixture that cannot be used; the message names the file and the key. */
export class FixtureError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    detail: string,
  ) {
    super(`${file}: ${key ? `${key}: ` : ""}${detail}`);
    this.name = "FixtureError";
  }
}

type Mapping = Record<string, unknown>;

const TOP_KEYS = ["cluster", "templates", "hosts", "spare_hosts", "services", "daemons", "destroyed_osds"];
const CLUSTER_KEYS = ["fsid", "pgs_per_osd", "unreachable"];
const HOST_KEYS = ["hostname", "addr", "labels", "unreachable", "devices"];
const SPARE_HOST_KEYS = ["hostname", "addr", "unreachable", "devices"];
const DEVICE_KEYS = [
  "path",
  "device_id",
  "available",
  "rejected_reasons",
  "type",
  "size_bytes",
  "rotational",
  "vendor",
  "model",
  "human_readable_size",
  "lvs",
  "sys_api",
];
const LV_KEYS = ["name", "osd_id", "cluster_name", "type", "osd_fsid", "cluster_fsid", "osdspec_affinity", "block_uuid"];
const SERVICE_KEYS = [
  "service_type",
  "service_id",
  "placement",
  "created",
  "rados_config_location",
  "service_url",
  "rgw",
  "nfs",
  "iscsi",
];
const PLACEMENT_KEYS = ["label", "hosts", "count", "host_pattern"];
const PLACEMENT_HOST_KEYS = ["hostname", "network", "name"];
const DAEMON_KEYS = ["daemon_type", "daemon_id", "hostname", "service_name", "status", "status_desc", "version", "created", "started"];
const DESTROYED_KEYS = ["osd_id", "hostname"];

type Kind = "string" | "int" | "bool" | "strings";
const RGW_FIELDS: Record<string, Kind> = {
  rgw_realm: "string",
  rgw_zone: "string",
  rgw_zonegroup: "string",
  rgw_frontend_port: "int",
  ssl: "bool",
  rgw_multisite: "bool",
  rgw_zonemaster: "bool",
  rgw_zonesecondary: "bool",
  rgw_multisite_proto: "string",
  rgw_zone_user: "string",
  system_access_key: "string",
  system_secret_key: "string",
};
const NFS_FIELDS: Record<string, Kind> = { pool: "string", namespace: "string", port: "int" };
const ISCSI_FIELDS: Record<string, Kind> = { pool: "string", api_user: "string", api_password: "string", trusted_ip_list: "strings" };

const DEVICE_TYPES: Record<string, Device_Type> = {
  hdd: Device_Type.TYPE_HDD,
  ssd: Device_Type.TYPE_SSD,
  nvme: Device_Type.TYPE_NVME,
};
const LV_TYPES: Record<string, string> = { block: "block", db: "db", wal: "wal", journal: "journal" };
const DAEMON_STATUSES: Record<string, DaemonDescription_Status> = {
  running: DaemonDescription_Status.STATUS_RUNNING,
  stopped: DaemonDescription_Status.STATUS_STOPPED,
  error: DaemonDescription_Status.STATUS_ERROR,
  unknown: DaemonDescription_Status.STATUS_UNKNOWN,
  starting: DaemonDescription_Status.STATUS_STARTING,
};
const SERVICE_TYPES: Record<string, ServiceType> = Object.fromEntries(SERVICE_TYPE_NAMES.map((n) => [n, typeFromName(n)!]));
/** Types whose single service is named after the type alone. */
const PLAIN_SERVICE_TYPES = ["mon", "mgr", "crash", "rbd-mirror"];

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

function show(v: unknown): string {
  return typeof v === "bigint" ? v.toString() : (JSON.stringify(v) ?? String(v));
}

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Typed reads of the parsed YAML; each failure names the key's path in the file. */
class Reader {
  constructor(readonly file: string) {}

  fail(at: string, detail: string): never {
    throw new FixtureError(this.file, at, detail);
  }

  /** A mapping; with `keys`, any other key is an error. */
  map(v: unknown, at: string, keys?: readonly string[]): Mapping {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(at, `expected a mapping, got ${show(v)}`);
    for (const k of Object.keys(v)) {
      if (keys && !keys.includes(k)) this.fail(join(at, k), `unknown key (expected one of: ${keys.join(", ")})`);
    }
    return v as Mapping;
  }

  list(v: unknown, at: string): unknown[] {
    if (v == null) return [];
    if (!Array.isArray(v)) this.fail(at, `expected a list, got ${show(v)}`);
    return v;
  }

  str(v: unknown, at: string, def?: string): string {
    if (v == null) return def ?? this.fail(at, "required");
    if (typeof v !== "string") this.fail(at, `expected a string, got ${show(v)}`);
    return v;
  }

  /** An id that YAML may read as a number, e.g. `daemon_id: 0`. */
  id(v: unknown, at: string): string {
    if (typeof v === "bigint") return v.toString();
    const s = this.str(v, at);
    if (s === "") this.fail(at, "must not be empty");
    return s;
  }

  int(v: unknown, at: string, def?: number): number {
    if (v == null) return def ?? this.fail(at, "required");
    const n = typeof v === "number" && Number.isInteger(v) ? BigInt(v) : v;
    if (typeof n !== "bigint" || n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.fail(at, `expected a whole number ≥ 0, got ${show(v)}`);
    }
    return Number(n);
  }

  /** A byte count: an integer or a decimal string, kept exact beyond 2^53. */
  bytes(v: unknown, at: string): bigint {
    if (typeof v === "bigint" && v >= 0n) return v;
    if (typeof v === "string" && /^\d+$/.test(v)) return BigInt(v);
    return this.fail(at, v == null ? "required" : `expected a size in bytes (a whole number), got ${show(v)}`);
  }

  bool(v: unknown, at: string, def: boolean): boolean {
    if (v == null) return def;
    if (typeof v !== "boolean") this.fail(at, `expected true or false, got ${show(v)}`);
    return v;
  }

  strings(v: unknown, at: string): string[] {
    return this.list(v, at).map((s, i) => this.str(s, `${at}[${i}]`));
  }

  /** An ISO 8601 time, as epoch milliseconds. */
  time(v: unknown, at: string): number | undefined {
    if (v == null) return undefined;
    const ms = Date.parse(this.str(v, at));
    if (Number.isNaN(ms)) this.fail(at, `expected an ISO 8601 time such as "2024-05-02T09:14:07Z", got ${show(v)}`);
    return ms;
  }

  choice<T>(v: unknown, at: string, options: Record<string, T>, def?: T): T {
    if (v == null && def !== undefined) return def;
    const s = this.str(v, at);
    if (!Object.hasOwn(options, s)) this.fail(at, `expected one of ${Object.keys(options).join(", ")}, got ${show(v)}`);
    return options[s] as T;
  }

  /** A flat mapping checked against a field table, with the keys in camelCase for fromPartial. */
  table<T>(v: unknown, at: string, fields: Record<string, Kind>): Partial<T> {
    const m = this.map(v, at, Object.keys(fields));
    const read = (k: string, x: unknown): unknown => {
      const kat = join(at, k);
      switch (fields[k]) {
        case "int":
          return this.int(x, kat, 0);
        case "bool":
          return this.bool(x, kat, false);
        case "strings":
          return this.strings(x, kat);
        default:
          return this.str(x, kat, "");
      }
    };
    return Object.fromEntries(Object.entries(m).map(([k, x]) => [camel(k), read(k, x)])) as Partial<T>;
  }

  /** sys_api is free-form, but must travel as JSON (google.protobuf.Struct): no bigint. */
  json(v: unknown, at: string): unknown {
    if (typeof v === "bigint") return jsonInteger(v);
    if (v === null || ["string", "number", "boolean"].includes(typeof v)) return v;
    if (Array.isArray(v)) return v.map((x, i) => this.json(x, `${at}[${i}]`));
    if (typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.json(x, join(at, k))]));
    return this.fail(at, `unsupported value ${show(v)}`);
  }
}

function readLv(r: Reader, v: unknown, at: string, fsid: string): LogicalVolume {
  const m = r.map(v, at, LV_KEYS);
  const type = r.choice(m.type, join(at, "type"), LV_TYPES);
  // An empty osd_fsid is filled per OSD once all its LVs are read (see readOsds).
  const osdFsid = r.str(m.osd_fsid, join(at, "osd_fsid"), "");
  return {
    name: r.str(m.name, join(at, "name"), ""),
    osdId: r.int(m.osd_id, join(at, "osd_id")),
    clusterName: r.str(m.cluster_name, join(at, "cluster_name"), "ceph"),
    type,
    osdFsid,
    clusterFsid: r.str(m.cluster_fsid, join(at, "cluster_fsid"), fsid),
    osdspecAffinity: r.str(m.osdspec_affinity, join(at, "osdspec_affinity"), ""),
    // Made only when missing: random bytes per LV add up in a fixture of 400,000 LVs.
    blockUuid: m.block_uuid == null ? lvmUuid() : r.str(m.block_uuid, join(at, "block_uuid")),
  };
}

/** Top-level fields are the truth; sys_api repeats them the way ceph-volume does. */
function readSysApi(r: Reader, v: unknown, at: string, d: Omit<FixtureDevice, "sysApi">): Record<string, unknown> {
  const raw = v == null ? {} : (r.json(r.map(v, at), at) as Mapping);
  const derived: Mapping = {
    human_readable_size: d.humanReadableSize,
    model: d.model,
    path: d.path,
    rotational: d.rotational ? "1" : "0",
    size: jsonInteger(d.sizeBytes),
    vendor: d.vendor,
  };
  for (const [k, want] of Object.entries(derived)) {
    const got = raw[k];
    const same =
      got === undefined ||
      got === want ||
      (k === "size" && (typeof got === "number" || typeof got === "string") && String(got) === String(want));
    if (!same) r.fail(join(at, k), `${show(got)} contradicts the device's own field (${show(want)})`);
  }
  const merged: Mapping = { locked: d.lvs.length > 0 ? 1 : 0, ...raw, ...derived };
  return Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]]));
}

function readDevice(r: Reader, v: unknown, at: string, fsid: string): FixtureDevice {
  const m = r.map(v, at, DEVICE_KEYS);
  const path = r.str(m.path, join(at, "path"));
  if (!path.startsWith("/")) r.fail(join(at, "path"), `expected an absolute path such as /dev/sdb, got ${show(path)}`);
  const type = r.choice(m.type, join(at, "type"), DEVICE_TYPES);
  const rotational = r.bool(m.rotational, join(at, "rotational"), type === Device_Type.TYPE_HDD);
  if (rotational !== (type === Device_Type.TYPE_HDD)) {
    r.fail(join(at, "rotational"), `${rotational} contradicts type ${show(m.type)} (only an hdd rotates)`);
  }
  const sizeBytes = r.bytes(m.size_bytes, join(at, "size_bytes"));
  const lvs = r.list(m.lvs, join(at, "lvs")).map((lv, i) => readLv(r, lv, `${at}.lvs[${i}]`, fsid));
  const rejectedReasons = r.strings(m.rejected_reasons, join(at, "rejected_reasons"));
  const available = r.bool(m.available, join(at, "available"), lvs.length === 0 && rejectedReasons.length === 0);
  if (available && lvs.length > 0) r.fail(join(at, "available"), "a device with Ceph LVs is not available");
  if (available !== (rejectedReasons.length === 0)) {
    r.fail(join(at, "rejected_reasons"), available ? "an available device has no rejected reasons" : "an unavailable device needs at least one reason");
  }
  const d = {
    path,
    deviceId: r.str(m.device_id, join(at, "device_id"), ""),
    available,
    rejectedReasons,
    type,
    sizeBytes,
    rotational,
    vendor: r.str(m.vendor, join(at, "vendor"), ""),
    model: r.str(m.model, join(at, "model"), ""),
    humanReadableSize: r.str(m.human_readable_size, join(at, "human_readable_size"), humanReadableSize(sizeBytes)),
    lvs,
  };
  return { ...d, sysApi: readSysApi(r, m.sys_api, join(at, "sys_api"), d) };
}

function readHost(r: Reader, v: unknown, at: string, fsid: string, spare: boolean): FixtureHost {
  const m = r.map(v, at, spare ? SPARE_HOST_KEYS : HOST_KEYS);
  const hostname = r.str(m.hostname, join(at, "hostname"));
  if (!/^[A-Za-z0-9._-]{1,253}$/.test(hostname)) r.fail(join(at, "hostname"), `invalid host name ${show(hostname)}`);
  const devices = r.list(m.devices, join(at, "devices")).map((d, i) => readDevice(r, d, `${at}.devices[${i}]`, fsid));
  devices.forEach((d, i) => {
    if (devices.findIndex((o) => o.path === d.path) !== i) r.fail(`${at}.devices[${i}].path`, `duplicate device ${d.path}`);
  });
  return {
    hostname,
    addr: r.str(m.addr, join(at, "addr"), spare ? "" : hostname),
    labels: [...new Set(r.strings(m.labels, join(at, "labels")))],
    unreachable: r.bool(m.unreachable, join(at, "unreachable"), false),
    devices,
  };
}

function readPlacement(r: Reader, v: unknown, at: string): Placement {
  const m = r.map(v, at, PLACEMENT_KEYS);
  return {
    label: r.str(m.label, join(at, "label"), ""),
    hosts: r.list(m.hosts, join(at, "hosts")).map((h, i) => {
      const hat = `${at}.hosts[${i}]`;
      // A bare name is the usual case; the mapping form carries a mon's network or a daemon name.
      if (typeof h === "string") return { hostname: h, network: "", name: "" };
      const hm = r.map(h, hat, PLACEMENT_HOST_KEYS);
      return {
        hostname: r.str(hm.hostname, join(hat, "hostname")),
        network: r.str(hm.network, join(hat, "network"), ""),
        name: r.str(hm.name, join(hat, "name"), ""),
      };
    }),
    count: r.int(m.count, join(at, "count"), 0),
    hostPattern: r.str(m.host_pattern, join(at, "host_pattern"), ""),
  };
}

function readService(r: Reader, v: unknown, at: string): ServiceRecord {
  const m = r.map(v, at, SERVICE_KEYS);
  const typeName = r.str(m.service_type, join(at, "service_type"));
  const serviceType = r.choice(typeName, join(at, "service_type"), SERVICE_TYPES);
  const serviceId = r.str(m.service_id, join(at, "service_id"), "");
  const created = r.time(m.created, join(at, "created"));
  const kinds = (["rgw", "nfs", "iscsi"] as const).filter((k) => m[k] != null);
  for (const k of kinds) {
    if (k !== typeName) r.fail(join(at, k), `only a ${k} service takes ${k} settings`);
  }
  const details =
    m.rgw != null
      ? { $case: "rgw" as const, value: RgwSpec.fromPartial(r.table<RgwSpec>(m.rgw, join(at, "rgw"), RGW_FIELDS)) }
      : m.nfs != null
        ? { $case: "nfs" as const, value: NfsSpec.fromPartial(r.table<NfsSpec>(m.nfs, join(at, "nfs"), NFS_FIELDS)) }
        : m.iscsi != null
          ? { $case: "iscsi" as const, value: IscsiSpec.fromPartial(r.table<IscsiSpec>(m.iscsi, join(at, "iscsi"), ISCSI_FIELDS)) }
          : undefined;
  return {
    serviceType,
    serviceId,
    serviceName: serviceId ? `${typeName}.${serviceId}` : typeName,
    placement: m.placement == null ? undefined : readPlacement(r, m.placement, join(at, "placement")),
    created: created === undefined ? undefined : toTimestamp(created),
    radosConfigLocation: r.str(m.rados_config_location, join(at, "rados_config_location"), ""),
    serviceUrl: r.str(m.service_url, join(at, "service_url"), ""),
    details,
  };
}

/** OSDs as ceph-volume finds them: one per block LV, with its db/wal/journal LVs beside it. */
function readOsds(r: Reader, hosts: FixtureHost[]): FixtureOsd[] {
  const osds = new Map<number, FixtureOsd>();
  const where = (h: number, d: number, l: number) => `hosts[${h}].devices[${d}].lvs[${l}]`;
  hosts.forEach((host, h) =>
    host.devices.forEach((dev, d) =>
      dev.lvs.forEach((lv, l) => {
        if (lv.type !== "block") return;
        const other = osds.get(lv.osdId);
        if (other) r.fail(join(where(h, d, l), "osd_id"), `osd.${lv.osdId} already has a block LV on ${other.hostname}:${other.data}`);
        osds.set(lv.osdId, {
          osdId: lv.osdId,
          hostname: host.hostname,
          data: dev.path,
          db: "",
          wal: "",
          journal: "",
          serviceName: lv.osdspecAffinity ? `osd.${lv.osdspecAffinity}` : "osd",
          osdFsid: lv.osdFsid || randomUUID(),
        });
      }),
    ),
  );
  hosts.forEach((host, h) =>
    host.devices.forEach((dev, d) =>
      dev.lvs.forEach((lv, l) => {
        const osd = osds.get(lv.osdId);
        if (!osd || osd.hostname !== host.hostname) {
          r.fail(join(where(h, d, l), "osd_id"), `no block LV for osd.${lv.osdId} on host ${host.hostname}`);
        }
        if (lv.osdFsid && lv.osdFsid !== osd.osdFsid) r.fail(join(where(h, d, l), "osd_fsid"), `differs from osd.${lv.osdId}'s block LV`);
        lv.osdFsid = osd.osdFsid;
        if (!lv.name) lv.name = lvName(lv.type, osd.osdFsid);
        if (lv.type === "db" || lv.type === "wal" || lv.type === "journal") osd[lv.type] = dev.path;
      }),
    ),
  );
  return [...osds.values()].sort((a, b) => a.osdId - b.osdId);
}

function readDaemon(r: Reader, v: unknown, at: string, hostnames: ReadonlySet<string>, osds: ReadonlyMap<string, FixtureOsd>): FixtureDaemon {
  const m = r.map(v, at, DAEMON_KEYS);
  const typeName = r.str(m.daemon_type, join(at, "daemon_type"));
  const daemonType = r.choice(typeName, join(at, "daemon_type"), SERVICE_TYPES);
  const daemonId = r.id(m.daemon_id, join(at, "daemon_id"));
  const hostname = r.str(m.hostname, join(at, "hostname"));
  if (!hostnames.has(hostname)) r.fail(join(at, "hostname"), `no host ${show(hostname)} in hosts`);
  let serviceName: string;
  if (daemonType === ServiceType.SERVICE_TYPE_OSD) {
    const osd = osds.get(daemonId);
    if (!osd || osd.hostname !== hostname) r.fail(join(at, "daemon_id"), `no block LV for osd.${daemonId} on ${hostname}'s devices`);
    serviceName = r.str(m.service_name, join(at, "service_name"), osd.serviceName);
    if (serviceName !== osd.serviceName) r.fail(join(at, "service_name"), `osd.${daemonId}'s LVs say ${osd.serviceName}`);
  } else if (PLAIN_SERVICE_TYPES.includes(typeName)) {
    serviceName = r.str(m.service_name, join(at, "service_name"), typeName);
  } else {
    // An mds/rgw/nfs/iscsi daemon id ("cephfs.node-1.abcdef") does not show its service id reliably.
    serviceName = r.str(m.service_name, join(at, "service_name"));
  }
  if (serviceName !== typeName && !serviceName.startsWith(`${typeName}.`)) {
    r.fail(join(at, "service_name"), `a ${typeName} daemon's service is named "${typeName}" or "${typeName}.<id>"`);
  }
  const status = r.choice(m.status, join(at, "status"), DAEMON_STATUSES, DaemonDescription_Status.STATUS_RUNNING);
  const version = m.version == null ? undefined : r.str(m.version, join(at, "version"));
  if (version !== undefined && !VERSION_PATTERN.test(version)) r.fail(join(at, "version"), `expected a version like "16.2.15", got ${show(version)}`);
  return {
    daemonType,
    daemonId,
    hostname,
    serviceName,
    status,
    statusDesc: r.str(m.status_desc, join(at, "status_desc"), Object.keys(DAEMON_STATUSES).find((k) => DAEMON_STATUSES[k] === status)),
    version,
    created: r.time(m.created, join(at, "created")),
    started: r.time(m.started, join(at, "started")),
  };
}

/**
 * JSON, which is YAML too, read ~100 times faster than the YAML parser can (big generated
 * clusters): integers become bigint as with YAML's intAsBigInt, and one beyond 2^53, which
 * JSON.parse would round, is refused. Nothing else differs from the YAML reading.
 */
function parseJson(text: string, r: Reader): unknown {
  try {
    return JSON.parse(text, (key, v: unknown) => {
      if (typeof v !== "number" || !Number.isInteger(v)) return v;
      if (!Number.isSafeInteger(v)) throw new Error(`the integer at "${key}" is beyond 2^53: write it as a decimal string`);
      return BigInt(v);
    });
  } catch (e) {
    return r.fail("", `invalid JSON: ${(e as Error).message}`);
  }
}

/** Parses and checks a fixture's text; `file` only names it in errors. A `.json` file is read as JSON. */
export function parseFixture(text: string, file: string): Fixture {
  const r = new Reader(file);
  let doc: unknown;
  if (file.endsWith(".json")) doc = parseJson(text, r);
  else {
    try {
      // intAsBigInt: sizes above 2^53 must not be rounded; merge: `<<: *anchor` shares sys_api blocks.
      doc = YAML.parse(text, { intAsBigInt: true, merge: true, prettyErrors: true });
    } catch (e) {
      r.fail("", `invalid YAML: ${(e as Error).message}`);
    }
  }
  const top = r.map(doc ?? {}, "", TOP_KEYS);
  const cluster = r.map(top.cluster ?? {}, "cluster", CLUSTER_KEYS);
  const fsid = r.str(cluster.fsid, "cluster.fsid", randomUUID());

  const hosts = r.list(top.hosts, "hosts").map((h, i) => readHost(r, h, `hosts[${i}]`, fsid, false));
  const spareHosts = r.list(top.spare_hosts, "spare_hosts").map((h, i) => readHost(r, h, `spare_hosts[${i}]`, fsid, true));
  const names = [...hosts, ...spareHosts].map((h) => h.hostname);
  // Sets and maps, not list searches: a fixture may hold 10,000 hosts and 200,000 OSDs.
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (!seen.has(n)) seen.add(n);
    else {
      r.fail(i < hosts.length ? `hosts[${i}].hostname` : `spare_hosts[${i - hosts.length}].hostname`, `duplicate host ${n}`);
    }
  });
  const osds = readOsds(r, hosts);
  spareHosts.forEach((h, i) => {
    if (h.devices.some((d) => d.lvs.length > 0)) r.fail(`spare_hosts[${i}].devices`, "a spare host's devices carry no OSD LVs yet");
  });

  const services = r.list(top.services, "services").map((s, i) => readService(r, s, `services[${i}]`));
  services.forEach((s, i) => {
    if (services.findIndex((o) => o.serviceName === s.serviceName) !== i) r.fail(`services[${i}]`, `duplicate service ${s.serviceName}`);
  });

  const hostnames = new Set(hosts.map((h) => h.hostname));
  const osdsById = new Map(osds.map((o) => [String(o.osdId), o]));
  const daemons = r.list(top.daemons, "daemons").map((d, i) => readDaemon(r, d, `daemons[${i}]`, hostnames, osdsById));
  const daemonName = (d: FixtureDaemon) => `${typeName(d.daemonType)}.${d.daemonId}`;
  const daemonNames = new Set<string>();
  daemons.forEach((d, i) => {
    if (daemonNames.has(daemonName(d))) r.fail(`daemons[${i}]`, `duplicate daemon ${daemonName(d)}`);
    daemonNames.add(daemonName(d));
  });
  // Every OSD on disk runs unless the fixture lists its daemon otherwise.
  for (const osd of osds) {
    if (!daemonNames.has(`osd.${osd.osdId}`)) {
      daemons.push({
        daemonType: ServiceType.SERVICE_TYPE_OSD,
        daemonId: String(osd.osdId),
        hostname: osd.hostname,
        serviceName: osd.serviceName,
        status: DaemonDescription_Status.STATUS_RUNNING,
        statusDesc: "running",
        version: undefined,
        created: undefined,
        started: undefined,
      });
    }
  }

  const destroyedOsds = r.list(top.destroyed_osds, "destroyed_osds").map((v, i) => {
    const at = `destroyed_osds[${i}]`;
    const m = r.map(v, at, DESTROYED_KEYS);
    const osdId = r.int(m.osd_id, join(at, "osd_id"));
    const hostname = r.str(m.hostname, join(at, "hostname"));
    if (!hostnames.has(hostname)) r.fail(join(at, "hostname"), `no host ${show(hostname)} in hosts`);
    if (osdsById.has(String(osdId))) r.fail(join(at, "osd_id"), `osd.${osdId} has a block LV, so it is not destroyed`);
    return { osdId, hostname };
  });
  destroyedOsds.forEach((d, i) => {
    if (destroyedOsds.findIndex((o) => o.osdId === d.osdId) !== i) r.fail(`destroyed_osds[${i}].osd_id`, `duplicate osd.${d.osdId}`);
  });

  return {
    file,
    fsid,
    pgsPerOsd: r.int(cluster.pgs_per_osd, "cluster.pgs_per_osd", 32),
    unreachable: r.bool(cluster.unreachable, "cluster.unreachable", false),
    hosts,
    spareHosts,
    services,
    daemons,
    osds,
    destroyedOsds,
  };
}

export async function loadFixture(file: string): Promise<Fixture> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new FixtureError(file, "", `cannot read the fixture: ${(e as Error).message}`);
  }
  return parseFixture(text, file);
}
