// LVM as ceph-volume leaves it on an OSD's devices: the names and UUIDs of its LVs.
import { randomBytes, randomUUID } from "node:crypto";

/** A random LVM-style UUID ("6-4-4-4-4-4-6" alphanumerics), as LVM gives each LV. */
export function lvmUuid(): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(32);
  const s = Array.from(bytes, (b) => chars[b % chars.length]).join("");
  let at = 0;
  return [6, 4, 4, 4, 4, 4, 6].map((n) => s.slice(at, (at += n))).join("-");
}

/** ceph-volume's LV name: a block LV is named after its OSD's fsid, the others after a UUID of their own. */
export function lvName(type: string, osdFsid: string): string {
  return `osd-${type}-${type === "block" ? osdFsid : randomUUID()}`;
}
