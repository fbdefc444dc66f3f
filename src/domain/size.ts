// Ceph size strings and drive-group size filters, in bigint bytes so sizes above 2^53 stay
// exact. Units are K, M, G, T and P, each a power of 1024, with an optional "B" or "iB":
// upstream's SizeMatcher multiplies the filter by 1e9 per "G" but compares it with the
// human-readable size ceph-volume prints, which divides by 1024^3 and also says "GB", so in
// effect a filter's "G" means GiB.

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** A size filter: an exact size or an inclusive range with either end open. */
export type SizeFilter =
  | {
      kind: "exact";
      bytes: bigint;
      /** The bytes of the filter's unit (1 for plain bytes). */
      unitBytes: bigint;
      /** The filter's value in hundredths of its unit. */
      hundredths: bigint;
    }
  | { kind: "range"; min?: bigint; max?: bigint };

const INT64_MAX = (1n << 63n) - 1n;
const UNIT_POWER: Record<string, bigint> = { "": 0n, K: 1n, M: 2n, G: 3n, T: 4n, P: 5n };
const SIZE = /^(\d+)(?:\.(\d+))?[ \t]*([KMGTP]?)(i?B)?$/i;

interface ParsedSize {
  bytes: bigint;
  unitBytes: bigint;
  /** The number as written is digits / scale, e.g. "1.5" is 15 / 10. */
  digits: bigint;
  scale: bigint;
}

function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

function fail<T>(error: string): Result<T> {
  return { ok: false, error };
}

function parse(text: string): Result<ParsedSize> {
  const invalid = fail<ParsedSize>(
    `invalid size '${text}': expected a number with an optional unit K, M, G, T or P (powers of 1024), e.g. "10G", "1.5T", "500GiB" or "1000"`,
  );
  const m = SIZE.exec(text.trim());
  if (!m) return invalid;
  const [, whole = "", fraction = "", unit = "", suffix = ""] = m;
  const power = UNIT_POWER[unit.toUpperCase()];
  if (power === undefined) return invalid;
  // "iB" names a binary unit; alone ("10iB") it means nothing.
  if (unit === "" && suffix.length === 2) return invalid;
  if (unit === "" && /[1-9]/.test(fraction)) return fail(`invalid size '${text}': a size in bytes must be a whole number`);
  const unitBytes = 1024n ** power;
  const scale = 10n ** BigInt(fraction.length);
  const digits = BigInt(whole + fraction);
  // Fractions of a unit round down to whole bytes.
  const bytes = (digits * unitBytes) / scale;
  if (bytes > INT64_MAX) return fail(`invalid size '${text}': larger than 2^63-1 bytes`);
  return ok({ bytes, unitBytes, digits, scale });
}

/** Parses "10G", "10GB", "10GiB", "1.5T", "500M" or plain bytes "1000" into bytes. */
export function parseSize(text: string): Result<bigint> {
  const r = parse(text);
  return r.ok ? ok(r.value.bytes) : r;
}

/**
 * Parses a size filter: "10G:2T" (between, inclusive), ":2T" (at most), "10G:" (at least) or
 * "10G" (exactly, as ceph-volume reports it: to two decimals of the unit).
 */
export function parseSizeFilter(text: string): Result<SizeFilter> {
  const parts = text.split(":");
  if (parts.length > 2) return fail(`invalid size filter '${text}': expected "10G", "10G:2T", ":2T" or "10G:"`);
  if (parts.length === 1) {
    const r = parse(text);
    if (!r.ok) return r;
    const { bytes, unitBytes, digits, scale } = r.value;
    // Upstream compares with a size printed to two decimals; more precision never matches.
    if ((digits * 100n) % scale !== 0n) {
      return fail(`invalid size filter '${text}': an exact size takes at most two decimals`);
    }
    return ok({ kind: "exact", bytes, unitBytes, hundredths: (digits * 100n) / scale });
  }
  const [low = "", high = ""] = parts;
  if (low.trim() === "" && high.trim() === "") {
    return fail(`invalid size filter '${text}': a range needs at least one bound, e.g. "10G:" or ":2T"`);
  }
  const filter: SizeFilter = { kind: "range" };
  if (low.trim() !== "") {
    const r = parse(low);
    if (!r.ok) return r;
    filter.min = r.value.bytes;
  }
  if (high.trim() !== "") {
    const r = parse(high);
    if (!r.ok) return r;
    filter.max = r.value.bytes;
  }
  if (filter.min !== undefined && filter.max !== undefined && filter.min > filter.max) {
    return fail(`invalid size filter '${text}': the lower bound is larger than the upper bound`);
  }
  return ok(filter);
}

/**
 * Whether a device of `bytes` bytes passes the filter. An exact filter matches when the size,
 * in the filter's unit rounded half up to two decimals, equals the filter's value: "10G"
 * matches 9.995 GiB up to (not including) 10.005 GiB.
 */
export function sizeMatches(filter: SizeFilter, bytes: bigint): boolean {
  if (filter.kind === "exact") {
    const rounded = (bytes * 200n + filter.unitBytes) / (2n * filter.unitBytes);
    return rounded === filter.hundredths;
  }
  if (filter.min !== undefined && bytes < filter.min) return false;
  if (filter.max !== undefined && bytes > filter.max) return false;
  return true;
}
