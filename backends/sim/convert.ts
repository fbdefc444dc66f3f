// Small conversions shared by the fixture loader and the simulated cluster.
import { randomBytes } from "node:crypto";
import type { Timestamp } from "../../gen/ts/google/protobuf/timestamp.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";

/** Ceph's names of the service types, as they prefix service and daemon names. */
export const SERVICE_TYPES: Readonly<Record<string, ServiceType>> = {
  mon: ServiceType.SERVICE_TYPE_MON,
  mgr: ServiceType.SERVICE_TYPE_MGR,
  osd: ServiceType.SERVICE_TYPE_OSD,
  mds: ServiceType.SERVICE_TYPE_MDS,
  rgw: ServiceType.SERVICE_TYPE_RGW,
  nfs: ServiceType.SERVICE_TYPE_NFS,
  iscsi: ServiceType.SERVICE_TYPE_ISCSI,
  "rbd-mirror": ServiceType.SERVICE_TYPE_RBD_MIRROR,
  crash: ServiceType.SERVICE_TYPE_CRASH,
};

export function serviceTypeName(type: ServiceType): string {
  const name = Object.keys(SERVICE_TYPES).find((k) => SERVICE_TYPES[k] === type);
  if (name === undefined) throw new Error(`no Ceph name for service type ${type}`);
  return name;
}

/** The part of a service name after "<type>.", e.g. "cephfs" for "mds.cephfs"; "" for "mon". */
export function serviceIdOf(serviceName: string): string {
  const dot = serviceName.indexOf(".");
  return dot < 0 ? "" : serviceName.slice(dot + 1);
}

export function toTimestamp(ms: number): Timestamp {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

/** ceph-volume's human_readable_size: powers of 1024, two decimals, e.g. "3.64 TB". */
export function humanReadableSize(bytes: bigint): string {
  const suffixes = ["B", "KB", "MB", "GB", "TB", "PB", "EB", "ZB"];
  // A float is fine here: the text only shows two decimals.
  let size = Number(bytes);
  let i = 0;
  while (size > 1024 && i < suffixes.length - 1) {
    size /= 1024;
    i++;
  }
  return `${size.toFixed(2)} ${suffixes[i]}`;
}

/**
 * A byte count for a JSON-like value (sys_api travels as google.protobuf.Struct, whose
 * numbers are doubles): a number while exact, else the decimal string, so nothing is rounded.
 */
export function jsonInteger(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n.toString();
}

export const VERSION_PATTERN = /^\d+(\.\d+)*$/;

/** Compares dotted numeric versions ("16.2.15" < "17.2.7"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A random LVM-style UUID ("6-4-4-4-4-4-6" alphanumerics), as LVM gives each LV. */
export function lvmUuid(): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(32);
  const s = Array.from(bytes, (b) => chars[b % chars.length]).join("");
  let at = 0;
  return [6, 4, 4, 4, 4, 4, 6].map((n) => s.slice(at, (at += n))).join("-");
}
