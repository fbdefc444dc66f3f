// The fixture's hosts, spare hosts and their devices, checked and completed as
// ceph-volume would report them; the OSDs found from the devices' LVs; destroyed OSDs.
import { randomUUID } from "node:crypto";
import { Device_Type, type LogicalVolume } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { humanReadableSize, jsonInteger } from "../../src/backend/sizes.js";
import { type Mapping, type Reader, join, show } from "./fixture-reader.js";
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
const DESTROYED_KEYS = ["osd_id", "hostname"];
const DEVICE_TYPES: Record<string, Device_Type> = {
  hdd: Device_Type.TYPE_HDD,
  ssd: Device_Type.TYPE_SSD,
  nvme: Device_Type.TYPE_NVME,
};
const LV_TYPES: Record<string, string> = { block: "block", db: "db", wal: "wal", journal: "journal" };

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

export function readHost(r: Reader, v: unknown, at: string, fsid: string, spare: boolean): FixtureHost {
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

/** OSDs as ceph-volume finds them: one per block LV, with its db/wal/journal LVs beside it. */
export function readOsds(r: Reader, hosts: FixtureHost[]): FixtureOsd[] {
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

/** An OSD id kept, with no disk, for a replacement. */
export interface FixtureDestroyedOsd {
  osdId: number;
  hostname: string;
}

export function readDestroyedOsd(r: Reader, v: unknown, at: string, hostnames: ReadonlySet<string>, osdsById: ReadonlyMap<string, FixtureOsd>): FixtureDestroyedOsd {
  const m = r.map(v, at, DESTROYED_KEYS);
  const osdId = r.int(m.osd_id, join(at, "osd_id"));
  const hostname = r.str(m.hostname, join(at, "hostname"));
  if (!hostnames.has(hostname)) r.fail(join(at, "hostname"), `no host ${show(hostname)} in hosts`);
  if (osdsById.has(String(osdId))) r.fail(join(at, "osd_id"), `osd.${osdId} has a block LV, so it is not destroyed`);
  return { osdId, hostname };
}
