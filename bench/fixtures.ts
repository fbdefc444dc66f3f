// Simulated clusters for the benchmark: a sim fixture (backends/sim/README.md) of N hosts
// with 24 devices each. Written as JSON (which is YAML too): the sim reads a `.json`
// fixture with JSON.parse, since the YAML parser takes minutes for 10,000 hosts. Every host
// looks like a dense storage node:
//
//   /dev/sda               240 GB SATA SSD, the boot disk (partitions, locked)
//   /dev/sdb ... /dev/sdu  20 × 16 TB SAS HDDs, each an OSD (block LV, DB on an NVMe)
//   /dev/sdv               a 16 TB SAS HDD, available (a spare for the next CreateOsds)
//   /dev/nvme0n1, nvme1n1  2 × 3.2 TB NVMe, each holding the DB LVs of 10 OSDs
//
// or, for a `bare` cluster (new nodes, for CreateOsds to fill), the boot disk and 23
// available HDDs (/dev/sdb ... /dev/sdx).
//
// with the sys_api keys ceph-volume reports. Hosts are `node-00001` ... (zero-padded, so
// that name order is number order); labels `osd` on every host, `mon` on the first 5,
// `_admin` and `mgr` on the first 3, `rgw` on hosts 6-9. Daemons: mons, mgrs, rgws (service
// rgw.default) on those hosts, a crash daemon on every host, the OSDs from their LVs
// (service osd.default_drive_group). Deterministic for a given host count.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";

export const DEVICES_PER_HOST = 24;
export const OSDS_PER_HOST = 20;
const FSID = "5a0c1d2e-3f40-4b5c-8d6e-7f8091a2b3c4";
/** The label of the benchmark's "one label" query: on 5 hosts at any cluster size ≥ 5. */
export const QUERY_LABEL = "mon";
const CREATED = "2024-05-02T09:14:07Z";

export function hostname(i: number): string {
  return `node-${String(i).padStart(5, "0")}`;
}

/** A UUID-shaped string from numbers (no randomness: fixtures are reproducible). */
function uuid(kind: number, n: number): string {
  const hex = (x: number, w: number) => (x >>> 0).toString(16).padStart(w, "0").slice(-w);
  const h = Math.imul(n, 2654435761) + kind * 40503;
  return `${hex(h, 8)}-${hex(kind, 4)}-4${hex(n >>> 12, 3)}-8${hex(n, 3)}-${hex(Math.imul(n, 7919), 4)}${hex(h ^ n, 8)}`;
}

function lvmUuid(n: number): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let x = (Math.imul(n, 2246822519) + 374761393) >>> 0;
  let s = "";
  for (let i = 0; i < 32; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += chars[(x >>> 16) % chars.length];
  }
  let at = 0;
  return [6, 4, 4, 4, 4, 4, 6].map((k) => s.slice(at, (at += k))).join("-");
}

const partition = (start: string, sectors: string, size: number, hrs: string, holders: string[]) => ({
  start,
  sectors,
  sectorsize: 512,
  size,
  human_readable_size: hrs,
  holders,
});
const OS_SYS_API = {
  locked: 1,
  nr_requests: "64",
  partitions: {
    sda1: partition("2048", "1048576", 536870912, "512.00 MB", []),
    sda2: partition("1050624", "2097152", 1073741824, "1024.00 MB", []),
    sda3: partition("3147776", "465714319", 238445731328, "222.07 GB", ["dm-0", "dm-1"]),
  },
  removable: "0",
  rev: "0110",
  ro: "0",
  scheduler_mode: "mq-deadline",
  sectors: 468862128,
  sectorsize: "512",
  support_discard: "512",
};
const hddSysApi = (locked: number, sasAddress: string, handle: string) => ({
  locked,
  nr_requests: "256",
  partitions: {},
  removable: "0",
  rev: "E004",
  ro: "0",
  sas_address: sasAddress,
  sas_device_handle: handle,
  scheduler_mode: "mq-deadline",
  sectors: 31251759104,
  sectorsize: "512",
  support_discard: "0",
});
const NVME_SYS_API = {
  locked: 1,
  nr_requests: "1023",
  partitions: {},
  removable: "0",
  rev: "GDC5602Q",
  ro: "0",
  scheduler_mode: "none",
  sectors: 6251233968,
  sectorsize: "512",
  support_discard: "512",
};

const HDD_BYTES = 16000900661248;
const NVME_BYTES = 3200631791616;
const OS_BYTES = 240057409536;

function lv(osd: number, type: "block" | "db", n: number) {
  return { osd_id: osd, type, osd_fsid: uuid(1, osd), osdspec_affinity: "default_drive_group", block_uuid: lvmUuid(n) };
}

/**
 * One host of the fixture, in its snake_case schema. A `bare` host is a new storage node:
 * its 23 data devices are all HDDs, available, without LVs (for CreateOsds to fill).
 */
export function fixtureHost(i: number, bare = false): Record<string, unknown> {
  const labels = ["osd"];
  if (i <= 5) labels.push("mon");
  if (i <= 3) labels.push("_admin", "mgr");
  if (i >= 6 && i <= 9) labels.push("rgw");
  const firstOsd = (i - 1) * OSDS_PER_HOST;
  const serial = String(i).padStart(6, "0");
  const devices: Record<string, unknown>[] = [
    {
      path: "/dev/sda",
      device_id: `INTEL_SSDSC2KB240G8_PHYF${serial}240AGN`,
      rejected_reasons: ["locked", "Has partitions"],
      type: "ssd",
      size_bytes: OS_BYTES,
      vendor: "ATA",
      model: "INTEL SSDSC2KB24",
      sys_api: OS_SYS_API,
    },
  ];
  for (let d = 0; d < (bare ? DEVICES_PER_HOST - 1 : OSDS_PER_HOST + 1); d++) {
    const used = !bare && d < OSDS_PER_HOST;
    const sas = `0x5000c5${(i * 32 + d).toString(16).padStart(8, "0")}`;
    const handle = `0x${(9 + d).toString(16).padStart(4, "0")}`;
    devices.push({
      path: `/dev/sd${String.fromCharCode(98 + d)}`, // sdb ... sdv
      device_id: `SEAGATE_ST16000NM002G_ZL2${serial}${String(d).padStart(2, "0")}`,
      type: "hdd",
      size_bytes: HDD_BYTES,
      vendor: "SEAGATE",
      model: "ST16000NM002G",
      ...(used && { rejected_reasons: ["LVM detected", "locked"], lvs: [lv(firstOsd + d, "block", firstOsd + d)] }),
      sys_api: hddSysApi(used ? 1 : 0, sas, handle),
    });
  }
  for (let n = 0; n < (bare ? 0 : 2); n++) {
    const osds = Array.from({ length: OSDS_PER_HOST / 2 }, (_, k) => firstOsd + n * (OSDS_PER_HOST / 2) + k);
    devices.push({
      path: `/dev/nvme${n}n1`,
      device_id: `SAMSUNG_MZWLJ3T2HBLS-00007_S4X${serial}${n}`,
      rejected_reasons: ["LVM detected", "locked"],
      type: "nvme",
      size_bytes: NVME_BYTES,
      vendor: "",
      model: "SAMSUNG MZWLJ3T2HBLS-00007",
      lvs: osds.map((osd) => lv(osd, "db", osd + 100_000_000)),
      sys_api: NVME_SYS_API,
    });
  }
  const ip = i - 1;
  return { hostname: hostname(i), addr: `10.${10 + (ip >> 16)}.${(ip >> 8) & 255}.${ip & 255}`, labels, devices };
}

function services(hosts: number) {
  return [
    { service_type: "mon", placement: { label: "mon" }, created: CREATED },
    { service_type: "mgr", placement: { label: "mgr", count: Math.min(3, hosts) }, created: CREATED },
    { service_type: "crash", placement: { host_pattern: "*" }, created: CREATED },
    { service_type: "osd", service_id: "default_drive_group", placement: { host_pattern: "node-*" }, created: CREATED },
    { service_type: "rgw", service_id: "default", placement: { label: "rgw", count: 4 }, created: CREATED, rgw: { rgw_frontend_port: 8080 } },
  ];
}

function daemons(hosts: number) {
  const out: Record<string, unknown>[] = [];
  const d = (daemon_type: string, daemon_id: string, i: number, extra: Record<string, unknown> = {}) =>
    out.push({ daemon_type, daemon_id, hostname: hostname(i), ...extra, created: CREATED });
  for (let i = 1; i <= Math.min(5, hosts); i++) d("mon", hostname(i), i);
  for (let i = 1; i <= Math.min(3, hosts); i++) d("mgr", `${hostname(i)}.${lvmUuid(i).slice(0, 6).toLowerCase()}`, i);
  for (let i = 6; i <= Math.min(9, hosts); i++) d("rgw", `default.${hostname(i)}.${lvmUuid(i + 7).slice(0, 6).toLowerCase()}`, i, { service_name: "rgw.default" });
  for (let i = 1; i <= hosts; i++) d("crash", hostname(i), i);
  return out;
}

/**
 * Writes the fixture of a cluster of `hosts` hosts into `dir` (host by host) and returns its
 * path. With `bare`, the hosts carry no OSDs yet (see fixtureHost).
 */
export function writeFixture(dir: string, hosts: number, bare = false): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `cluster-${hosts}${bare ? "-bare" : ""}.json`);
  const fd = openSync(file, "w");
  try {
    writeSync(fd, `{"cluster":${JSON.stringify({ fsid: FSID, pgs_per_osd: 100 })},\n"hosts":[\n`);
    for (let i = 1; i <= hosts; i++) writeSync(fd, `${i > 1 ? ",\n" : ""}${JSON.stringify(fixtureHost(i, bare))}`);
    writeSync(fd, `],\n"services":${JSON.stringify(services(hosts))},\n"daemons":[\n`);
    writeSync(fd, daemons(hosts).map((x) => JSON.stringify(x)).join(",\n"));
    writeSync(fd, "]}\n");
  } finally {
    closeSync(fd);
  }
  return file;
}
