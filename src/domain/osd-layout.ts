// How a drive group lays its OSDs out beyond the choice of devices (upstream's
// block_db_size, block_wal_size, journal_size, data_allocate_fraction, osds_per_device,
// crush_device_class and method): their validation, each OSD's share of its data device, and
// the checks ceph-volume makes before it creates a host's batch.
import { DriveGroupSpec_FilterLogic, DriveGroupSpec_Objectstore, OsdMethod, type DriveGroupSpec, type PlannedOsd } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import type { Device } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { humanReadableSize } from "../backend/sizes.js";
import type { FieldViolation } from "./errors.js";
import { validateEnum, validateString } from "./fields.js";
import { parseSize } from "./size.js";

/** The least an OSD's share of a device may be: ceph-volume takes no device below 5 GiB. */
const MIN_OSD_BYTES = 5n * 1024n ** 3n;
/** data_allocate_fraction in billionths, so that shares of a device stay exact bigints. */
const FRACTION_SCALE = 1_000_000_000n;
/** What CRUSH accepts in a name (CrushWrapper::is_valid_crush_name). */
const CRUSH_NAME = /^[A-Za-z0-9_.-]+$/;
const MAX_CRUSH_NAME = 256;

export type FastRole = "db" | "wal" | "journal";

/** A drive group's layout, parsed once per plan. */
export interface OsdLayout {
  perDevice: number;
  /** data_allocate_fraction in billionths. */
  fraction: bigint;
  /** The size of each OSD's part of a fast device; 0 for ceph-volume's default. */
  sizes: Record<FastRole, bigint>;
  crushDeviceClass: string;
  method: OsdMethod;
}

/** The device's size; 0 when the inventory does not say. */
export function deviceBytes(d: Device): bigint {
  return /^\d+$/.test(d.sizeBytes) ? BigInt(d.sizeBytes) : 0n;
}

function sizeOrZero(text: string): bigint {
  const r = text === "" ? undefined : parseSize(text);
  return r?.ok ? r.value : 0n;
}

/** The layout of a spec that validateDriveGroup accepted. */
export function layoutOf(spec: DriveGroupSpec): OsdLayout {
  return {
    perDevice: Math.max(1, spec.osdsPerDevice),
    fraction: BigInt(Math.round((spec.dataAllocateFraction ?? 1) * Number(FRACTION_SCALE))),
    sizes: { db: sizeOrZero(spec.blockDbSize), wal: sizeOrZero(spec.blockWalSize), journal: sizeOrZero(spec.journalSize) },
    crushDeviceClass: spec.crushDeviceClass,
    method: spec.method,
  };
}

/**
 * Each OSD's share of a data device of `bytes` bytes: 0 when one OSD takes the whole device,
 * else the device times data_allocate_fraction divided by osds_per_device, rounded down (as
 * ceph-volume batch sizes the LVs). A text saying why when the share would be too small.
 */
export function dataShare(layout: OsdLayout, bytes: bigint): bigint | string {
  if (layout.perDevice === 1 && layout.fraction === FRACTION_SCALE) return 0n;
  const share = (bytes * layout.fraction) / (FRACTION_SCALE * BigInt(layout.perDevice));
  if (share >= MIN_OSD_BYTES) return share;
  return `${layout.perDevice} OSD(s) on ${Number(layout.fraction) / Number(FRACTION_SCALE)} of ${humanReadableSize(bytes)} would get ${humanReadableSize(share)} each, less than the 5 GiB ceph-volume needs`;
}

/** Why ceph-volume raw would refuse the host: it pairs each data device with a DB and a WAL device. */
export function rawPairingProblem(layout: OsdLayout, data: Device[], db: Device[], wal: Device[]): string | undefined {
  if (layout.method !== OsdMethod.OSD_METHOD_RAW) return undefined;
  for (const [role, devices] of [["db", db], ["wal", wal]] as const) {
    if (devices.length > 0 && devices.length !== data.length) {
      return `method RAW needs one ${role} device per data device: ${data.length} data and ${devices.length} ${role} device(s) match`;
    }
  }
  return undefined;
}

/** Why ceph-volume would refuse the host: a fast device too small for the parts of the given size. */
export function fastDeviceOverflow(layout: OsdLayout, osds: PlannedOsd[], fast: Device[]): string | undefined {
  for (const role of ["db", "wal", "journal"] as const) {
    const size = layout.sizes[role];
    if (size === 0n) continue;
    for (const d of fast) {
      const parts = BigInt(osds.filter((o) => o[role] === d.path).length);
      const bytes = deviceBytes(d);
      if (parts * size > bytes) {
        return `${role} device ${d.path} (${humanReadableSize(bytes)}) cannot hold ${parts} ${role} part(s) of ${humanReadableSize(size)}; no OSD is planned on this host`;
      }
    }
  }
  return undefined;
}

/** Sets each OSD's size of its part of the fast device of `role`, where the spec gives one. */
export function sizeFastParts(layout: OsdLayout, osds: PlannedOsd[]): void {
  for (const o of osds) {
    if (o.db !== "") o.dbSizeBytes = layout.sizes.db.toString();
    if (o.wal !== "") o.walSizeBytes = layout.sizes.wal.toString();
    if (o.journal !== "") o.journalSizeBytes = layout.sizes.journal.toString();
  }
}

/** A size of block_db_size's kind: empty, or more than 0 bytes as ceph-volume writes sizes. */
function validateSize(value: string, field: string): FieldViolation[] {
  if (value === "") return [];
  const r = parseSize(value);
  if (!r.ok) return [{ field, description: r.error }];
  return r.value > 0n ? [] : [{ field, description: "must be larger than 0 bytes" }];
}

/**
 * The sizes, class, filter logic and method. ceph-volume raw takes whole devices, a DB or
 * WAL device per data device, and BlueStore only: what it cannot do is refused, where
 * upstream would ignore it.
 */
export function validateLayout(spec: DriveGroupSpec, p: string): FieldViolation[] {
  const out = [
    ...validateSize(spec.blockDbSize, `${p}.block_db_size`),
    ...validateSize(spec.blockWalSize, `${p}.block_wal_size`),
    ...validateSize(spec.journalSize, `${p}.journal_size`),
    ...validateEnum(spec.filterLogic, DriveGroupSpec_FilterLogic, `${p}.filter_logic`),
  ];
  const f = spec.dataAllocateFraction;
  const partial = f !== undefined && Number.isFinite(f) && f > 0 && f < 1;
  if (f !== undefined && !partial && f !== 1) {
    out.push({ field: `${p}.data_allocate_fraction`, description: `must be above 0 and at most 1, not ${f}` });
  }
  const deviceClass = validateString(spec.crushDeviceClass, `${p}.crush_device_class`, MAX_CRUSH_NAME);
  out.push(...deviceClass);
  if (deviceClass.length === 0 && spec.crushDeviceClass !== "" && !CRUSH_NAME.test(spec.crushDeviceClass)) {
    out.push({ field: `${p}.crush_device_class`, description: "may hold only letters, digits, '_', '-' and '.'" });
  }
  const filestore = spec.objectstore === DriveGroupSpec_Objectstore.OBJECTSTORE_FILESTORE;
  if (filestore && spec.blockDbSize !== "") out.push({ field: `${p}.block_db_size`, description: "is only allowed with BlueStore" });
  if (filestore && spec.blockWalSize !== "") out.push({ field: `${p}.block_wal_size`, description: "is only allowed with BlueStore" });
  if (!filestore && spec.journalSize !== "") out.push({ field: `${p}.journal_size`, description: "is only allowed with objectstore FILESTORE" });
  const method = validateEnum(spec.method, OsdMethod, `${p}.method`);
  out.push(...method);
  if (method.length === 0 && spec.method === OsdMethod.OSD_METHOD_RAW) {
    const rawCannot: [string, boolean][] = [
      ["objectstore", filestore],
      ["osds_per_device", spec.osdsPerDevice > 1],
      ["data_allocate_fraction", partial],
      ["block_db_size", spec.blockDbSize !== ""],
      ["block_wal_size", spec.blockWalSize !== ""],
      ["db_slots", spec.dbSlots > 0],
      ["wal_slots", spec.walSlots > 0],
    ];
    for (const [name, set] of rawCannot) {
      if (set) out.push({ field: `${p}.${name}`, description: "is not supported with method RAW: ceph-volume raw takes whole devices, BlueStore only" });
    }
  }
  return out;
}
