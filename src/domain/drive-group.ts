// Drive groups (upstream's DriveGroupSpec): validation with one violation per field, host
// matching by fnmatch glob, and the device selection that turns a spec and an inventory into
// the OSDs each host would get (upstream's DriveSelection plus ceph-volume batch's layout).
import {
  DriveGroupSpec_FilterLogic,
  DriveGroupSpec_Objectstore,
  type DeviceSelection,
  type DriveGroupSpec,
  type OsdHostPlan,
  type PlannedOsd,
} from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import type { Device, InventoryHost } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import type { FieldViolation } from "./errors.js";
import { validateAbsolutePath, validateEnum, validateServiceId, validateString } from "./fields.js";
import { parseSizeFilter, sizeMatches, type SizeFilter } from "./size.js";
import { type FastRole, type OsdLayout, dataShare, deviceBytes, fastDeviceOverflow, layoutOf, rawPairingProblem, sizeFastParts, validateLayout } from "./osd-layout.js";

const MAX_PATTERN_LENGTH = 1024;

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * Python's fnmatch.translate as a RegExp: '*' matches anything ('.' and '/' too), '?' one
 * character, "[seq]" and "[!seq]" a set; an unclosed '[' is literal. Case-sensitive, as
 * fnmatch is on Linux. Null when the pattern has an invalid set such as "[z-a]".
 */
export function fnmatchRegExp(pattern: string): RegExp | null {
  let re = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i++] as string;
    if (c === "*") {
      re += ".*";
      while (pattern[i] === "*") i++;
    } else if (c === "?") {
      re += ".";
    } else if (c === "[") {
      let j = i;
      if (pattern[j] === "!") j++;
      if (pattern[j] === "]") j++; // a ']' first in the set is literal
      while (j < pattern.length && pattern[j] !== "]") j++;
      if (j >= pattern.length) {
        re += "\\[";
        continue;
      }
      let set = pattern.slice(i, j);
      i = j + 1;
      const negate = set.startsWith("!");
      if (negate) set = set.slice(1);
      re += `[${negate ? "^" : ""}${set.replace(/[\\\]^[]/g, "\\$&")}]`;
    } else {
      re += escapeRegExp(c);
    }
  }
  try {
    return new RegExp(`^(?:${re})$`, "su");
  } catch {
    return null;
  }
}

export function fnmatch(pattern: string, name: string): boolean {
  return fnmatchRegExp(pattern)?.test(name) ?? false;
}

/** The host names that an fnmatch glob matches, in their given order. */
export function matchHosts(pattern: string, hostnames: readonly string[]): string[] {
  const re = fnmatchRegExp(pattern);
  return re ? hostnames.filter((h) => re.test(h)) : [];
}

/** An fnmatch glob: no NUL, bounded length, valid [...] sets. */
export function validatePattern(pattern: string, field: string): FieldViolation[] {
  const v = validateString(pattern, field, MAX_PATTERN_LENGTH);
  if (v.length > 0) return v;
  return fnmatchRegExp(pattern) ? [] : [{ field, description: `'${pattern}' is not a valid glob (bad [...] set)` }];
}

type SelectionName = "data_devices" | "db_devices" | "wal_devices" | "journal_devices";

function hasFilter(s: DeviceSelection): boolean {
  return s.idModel !== "" || s.vendor !== "" || s.size !== "" || s.rotational !== undefined;
}

function validateSelection(s: DeviceSelection, name: SelectionName, field: string): FieldViolation[] {
  const out: FieldViolation[] = [];
  const filtered = hasFilter(s);
  if (!s.all && s.paths.length === 0 && !filtered) {
    out.push({ field, description: "must not be empty: set paths, a filter (id_model, vendor, size, rotational) or all" });
  }
  if (s.all && name !== "data_devices") {
    out.push({ field: `${field}.all`, description: "is only allowed in data_devices" });
  } else if (s.all && (s.paths.length > 0 || filtered)) {
    out.push({ field: `${field}.all`, description: "cannot be combined with paths, id_model, vendor, size or rotational" });
  }
  if (s.paths.length > 0 && filtered) {
    out.push({ field: `${field}.paths`, description: "cannot be combined with id_model, vendor, size or rotational" });
  }
  if (s.paths.length > 0 && s.count !== 0) {
    // Upstream ignores a limit next to explicit paths; saying so beats ignoring it silently.
    out.push({ field: `${field}.count`, description: "applies to filters only, not to paths" });
  }
  const seen = new Set<string>();
  s.paths.forEach((p, i) => {
    const f = `${field}.paths[${i}]`;
    const v = validateAbsolutePath(p, f);
    out.push(...v);
    if (v.length === 0 && seen.has(p)) out.push({ field: f, description: `'${p}' appears more than once` });
    seen.add(p);
  });
  if (s.idModel !== "") out.push(...validatePattern(s.idModel, `${field}.id_model`));
  out.push(...validateString(s.vendor, `${field}.vendor`, MAX_PATTERN_LENGTH));
  if (s.size !== "") {
    const r = parseSizeFilter(s.size);
    if (!r.ok) out.push({ field: `${field}.size`, description: r.error });
  }
  if (s.count < 0) out.push({ field: `${field}.count`, description: "must not be negative" });
  return out;
}

/**
 * Validates a drive group against the cluster's hosts. Field paths are snake_case under
 * `fieldPrefix`, e.g. "spec.data_devices.size" or "spec.osd_id_claims[\"node1\"].osd_ids[0]".
 */
export function validateDriveGroup(spec: DriveGroupSpec, hostnames: readonly string[], fieldPrefix = "spec"): FieldViolation[] {
  const p = fieldPrefix;
  const out: FieldViolation[] = [];
  const known = new Set(hostnames);

  out.push(...validateServiceId(spec.serviceId, `${p}.service_id`, true));

  if (spec.hostPattern === "") {
    out.push({ field: `${p}.host_pattern`, description: "is required" });
  } else {
    const v = validatePattern(spec.hostPattern, `${p}.host_pattern`);
    out.push(...v);
    if (v.length === 0 && matchHosts(spec.hostPattern, hostnames).length === 0) {
      out.push({ field: `${p}.host_pattern`, description: `host_pattern '${spec.hostPattern}' does not match any hosts` });
    }
  }

  if (!spec.dataDevices && spec.dataDirectories.length === 0) {
    out.push({ field: `${p}.data_devices`, description: "is required unless data_directories is set" });
  }
  const selections: [SelectionName, DeviceSelection | undefined][] = [
    ["data_devices", spec.dataDevices],
    ["db_devices", spec.dbDevices],
    ["wal_devices", spec.walDevices],
    ["journal_devices", spec.journalDevices],
  ];
  for (const [name, s] of selections) {
    if (s) out.push(...validateSelection(s, name, `${p}.${name}`));
  }

  const objectstore = validateEnum(spec.objectstore, DriveGroupSpec_Objectstore, `${p}.objectstore`);
  out.push(...objectstore);
  if (objectstore.length === 0) {
    const filestore = spec.objectstore === DriveGroupSpec_Objectstore.OBJECTSTORE_FILESTORE;
    if (spec.journalDevices && !filestore) {
      out.push({ field: `${p}.journal_devices`, description: "is only allowed with objectstore FILESTORE" });
    }
    // FileStore has no RocksDB or WAL to put elsewhere.
    if (filestore && spec.dbDevices) out.push({ field: `${p}.db_devices`, description: "is only allowed with BlueStore" });
    if (filestore && spec.walDevices) out.push({ field: `${p}.wal_devices`, description: "is only allowed with BlueStore" });
  }

  spec.dataDirectories.forEach((d, i) => out.push(...validateAbsolutePath(d, `${p}.data_directories[${i}]`)));

  if (spec.osdsPerDevice < 0) out.push({ field: `${p}.osds_per_device`, description: "must not be negative" });
  if (spec.dbSlots < 0) out.push({ field: `${p}.db_slots`, description: "must not be negative" });
  if (spec.walSlots < 0) out.push({ field: `${p}.wal_slots`, description: "must not be negative" });
  out.push(...validateLayout(spec, p));

  const claimed = new Set<number>();
  for (const [host, list] of Object.entries(spec.osdIdClaims)) {
    const f = `${p}.osd_id_claims[${JSON.stringify(host)}]`;
    if (!known.has(host)) out.push({ field: f, description: `host '${host}' is not known` });
    (list.osdIds ?? []).forEach((id, i) => {
      const fi = `${f}.osd_ids[${i}]`;
      if (id < 0) out.push({ field: fi, description: "must not be negative" });
      else if (claimed.has(id)) out.push({ field: fi, description: `OSD id ${id} is claimed more than once` });
      claimed.add(id);
    });
  }
  return out;
}

/**
 * Whether the device passes the selection's filters: all of them, or with `any` (filter_logic
 * OR) at least one. The vendor is a substring, case-sensitive, as upstream matches it.
 */
function matches(s: DeviceSelection, size: SizeFilter | undefined | null, d: Device, any: boolean): boolean {
  if (s.all) return true;
  const results: boolean[] = [];
  // null: an unparsable size filter, which matches nothing.
  if (size !== undefined) results.push(size !== null && sizeMatches(size, deviceBytes(d)));
  if (s.idModel !== "") results.push(fnmatch(s.idModel, d.model));
  if (s.vendor !== "") results.push(d.vendor.includes(s.vendor));
  if (s.rotational !== undefined) results.push(d.rotational === s.rotational);
  return any ? results.some(Boolean) : results.every(Boolean);
}

/**
 * The devices of one host that a selection takes. `taken` holds the paths earlier roles
 * took; the chosen ones are added to it, so no device serves two roles.
 */
function select(s: DeviceSelection | undefined, name: SelectionName, host: InventoryHost, taken: Set<string>, notes: string[], any: boolean): Device[] {
  if (!s) return [];
  if (s.paths.length > 0) {
    const chosen: Device[] = [];
    for (const path of s.paths) {
      const d = host.devices.find((x) => x.path === path);
      if (!d) notes.push(`${name}: device ${path} does not exist`);
      else if (taken.has(path)) notes.push(`${name}: device ${path} is already selected for another role`);
      else if (!d.available) {
        const why = d.rejectedReasons.length > 0 ? ` (${d.rejectedReasons.join(", ")})` : "";
        notes.push(`${name}: device ${path} is not available${why}`);
      } else {
        chosen.push(d);
        taken.add(path);
      }
    }
    return chosen;
  }
  const r = s.size === "" ? undefined : parseSizeFilter(s.size);
  const size = r === undefined ? undefined : r.ok ? r.value : null;
  const chosen: Device[] = [];
  // Like upstream: walk the devices in inventory order, stop at the limit, then sort by path.
  for (const d of host.devices) {
    if (!d.available || d.path === "" || taken.has(d.path)) continue;
    if (s.count > 0 && chosen.length >= s.count) break;
    if (matches(s, size, d, any)) chosen.push(d);
  }
  for (const d of chosen) taken.add(d.path);
  return chosen.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Spreads the OSDs over the fast devices as ceph-volume batch does: each device takes
 * ceil(osds / devices) OSDs in turn. A slot count below that is ignored (upstream logs
 * "slots argument is too small, ignoring"); a larger one only leaves slots free.
 */
function assignFast(osds: PlannedOsd[], devices: Device[], role: FastRole, slots: number, notes: string[]): void {
  if (devices.length === 0 || osds.length === 0) return;
  const perDevice = Math.ceil(osds.length / devices.length);
  if (slots > 0 && slots < perDevice) {
    notes.push(`${role}_slots ${slots} is too small for ${osds.length} OSDs on ${devices.length} ${role} device(s); using ${perDevice}`);
  }
  osds.forEach((o, i) => {
    o[role] = (devices[Math.floor(i / perDevice)] as Device).path;
  });
}

/** An OSD of the drive group on `data`, with the sizes of its data and its fast devices' parts. */
export function plannedOsd(layout: OsdLayout, data: string, sizeBytes: string, dataSizeBytes = 0n): PlannedOsd {
  return {
    data,
    db: "",
    wal: "",
    journal: "",
    osdId: -1,
    sizeBytes,
    dataSizeBytes: dataSizeBytes.toString(),
    dbSizeBytes: "0",
    walSizeBytes: "0",
    journalSizeBytes: "0",
    crushDeviceClass: layout.crushDeviceClass,
    method: layout.method,
  };
}

/** The OSDs of the data devices: osds_per_device each, unless a share would be too small. */
function dataOsds(layout: OsdLayout, data: Device[], notes: string[]): PlannedOsd[] {
  const osds: PlannedOsd[] = [];
  for (const d of data) {
    const share = dataShare(layout, deviceBytes(d));
    if (typeof share === "string") {
      notes.push(`${d.path}: ${share}`);
      continue;
    }
    const sizeBytes = /^\d+$/.test(d.sizeBytes) ? d.sizeBytes : "0";
    for (let k = 0; k < layout.perDevice; k++) osds.push(plannedOsd(layout, d.path, sizeBytes, share));
  }
  return osds;
}

function planHost(spec: DriveGroupSpec, host: InventoryHost): OsdHostPlan {
  const notes: string[] = [];
  const taken = new Set<string>();
  // Upstream's order: data, then WAL, DB and journal devices; filter_logic applies to each.
  const any = spec.filterLogic === DriveGroupSpec_FilterLogic.FILTER_LOGIC_OR;
  const data = select(spec.dataDevices, "data_devices", host, taken, notes, any);
  const wal = select(spec.walDevices, "wal_devices", host, taken, notes, any);
  const db = select(spec.dbDevices, "db_devices", host, taken, notes, any);
  const journal = select(spec.journalDevices, "journal_devices", host, taken, notes, any);

  if (spec.dataDevices && spec.dataDevices.paths.length === 0 && data.length === 0) {
    notes.push("no available device matches data_devices");
  }

  const layout = layoutOf(spec);
  let osds = dataOsds(layout, data, notes);
  const fast: [FastRole, DeviceSelection | undefined, Device[], number, string][] = [
    ["db", spec.dbDevices, db, spec.dbSlots, "a separate DB"],
    ["wal", spec.walDevices, wal, spec.walSlots, "a separate WAL"],
    ["journal", spec.journalDevices, journal, 0, "a separate journal"],
  ];
  for (const [role, sel, devices, slots, what] of fast) {
    // Upstream then runs ceph-volume without that device list: the OSDs go ahead without it.
    if (sel && devices.length === 0 && osds.length > 0) {
      notes.push(`no available device matches ${role}_devices; the OSDs are planned without ${what}`);
    }
    assignFast(osds, devices, role, slots, notes);
  }
  // ceph-volume refuses the whole batch of a host when its fast devices cannot take it.
  const refused = rawPairingProblem(layout, data, db, wal) ?? fastDeviceOverflow(layout, osds, [...db, ...wal, ...journal]);
  if (refused) {
    notes.push(refused);
    osds = [];
  }
  sizeFastParts(layout, osds);
  for (const dir of spec.dataDirectories) osds.push(plannedOsd(layout, dir, "0"));

  const claims = Object.hasOwn(spec.osdIdClaims, host.hostname) ? (spec.osdIdClaims[host.hostname]?.osdIds ?? []) : [];
  osds.forEach((o, i) => {
    o.osdId = claims[i] ?? -1;
  });
  if (claims.length > osds.length) {
    notes.push(`claimed OSD ids ${claims.slice(osds.length).join(", ")} are not used: too few OSDs planned`);
  }
  return { hostname: host.hostname, osds, message: notes.join("; ") };
}

/**
 * The OSDs a drive group would create on each inventory host its pattern matches, sorted by
 * hostname. Only available devices are taken. `message` says why a host gets no OSD, and
 * also notes what was skipped (a missing path, an unmatched db_devices) when some are planned.
 * Expects a spec that validateDriveGroup accepted.
 */
export function planOsds(spec: DriveGroupSpec, inventory: readonly InventoryHost[]): OsdHostPlan[] {
  const re = fnmatchRegExp(spec.hostPattern);
  if (!re) return [];
  return inventory
    .filter((h) => re.test(h.hostname))
    .sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0))
    .map((h) => planHost(spec, h));
}
