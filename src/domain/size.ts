// Ceph size strings, in bigint bytes so sizes above 2^53 stay exact, in the two grammars
// upstream has:
// - a size ceph-volume takes (--block-db-size, --block-wal-size, --journal-size; its
//   disk.Size.parse): a number with an optional unit B, K, M, G, T or P, each a power of
//   1024, optionally followed by "B" ("10G", "10GB", "1.5t", "1000");
// - a drive-group size filter (upstream's SizeMatcher): whole numbers with a unit M, G, T, MB,
//   GB or TB, upper case, as "10G" (exactly), "10G:2T" (between), ":2T" (at most) or "10G:"
//   (at least). SizeMatcher counts its units as powers of 1000 and compares them with the
//   size ceph-volume prints (powers of 1024, two decimals, also "GB"): a 10 GiB disk prints
//   "10.00 GB", so it is 10e9 bytes to the filter. sizeMatches does the same.

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * A size filter, in hundredths of a byte as SizeMatcher counts them (a disk printed "3.64 TB"
 * is 364 × 10^12): an exact size or an inclusive range with either end open.
 */
export type SizeFilter = { kind: "exact"; value: bigint } | { kind: "range"; min?: bigint; max?: bigint };

const INT64_MAX = (1n << 63n) - 1n;
const UNIT_POWER: Record<string, bigint> = { "": 0n, B: 0n, K: 1n, M: 2n, G: 3n, T: 4n, P: 5n };
const SIZE = /^(\d+)(?:\.(\d+))?[ \t]*(?:([KMGTP])B?|(B))?$/i;
const FILTER_BOUND = /^(\d+)(M|G|T)B?$/;
const FILTER_POWER: Record<string, bigint> = { M: 2n, G: 3n, T: 4n };
/** The units ceph-volume prints sizes in, each 1024 times the one before. */
const PRINTED_UNITS = 7n;

function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

function fail<T>(error: string): Result<T> {
  return { ok: false, error };
}

/** Parses "10G", "10GB", "1.5T", "500m" or plain bytes "1000" into bytes, as ceph-volume does. */
export function parseSize(text: string): Result<bigint> {
  const m = SIZE.exec(text.trim());
  if (!m) {
    return fail(`invalid size '${text}': expected a number with an optional unit B, K, M, G, T or P (powers of 1024), e.g. "10G", "1.5T", "500GB" or "1000"`);
  }
  const [, whole = "", fraction = "", unit = "", bytesUnit = ""] = m;
  const power = UNIT_POWER[(unit || bytesUnit).toUpperCase()] ?? 0n;
  if (power === 0n && /[1-9]/.test(fraction)) return fail(`invalid size '${text}': a size in bytes must be a whole number`);
  // Fractions of a unit round down to whole bytes.
  const bytes = (BigInt(whole + fraction) * 1024n ** power) / 10n ** BigInt(fraction.length);
  if (bytes > INT64_MAX) return fail(`invalid size '${text}': larger than 2^63-1 bytes`);
  return ok(bytes);
}

/** A bound of a filter in SizeMatcher's hundredths, or null when it is not upstream's form. */
function filterBound(text: string): bigint | null {
  const m = FILTER_BOUND.exec(text);
  if (!m) return null;
  return BigInt(m[1]!) * 1000n ** FILTER_POWER[m[2]!]! * 100n;
}

/** Parses a size filter: "10G", "10G:2T", ":2T" or "10G:" (units M, G, T, MB, GB, TB). */
export function parseSizeFilter(text: string): Result<SizeFilter> {
  const invalid = fail<SizeFilter>(
    `invalid size filter '${text}': expected "10G" (exactly), "10G:2T" (between), ":2T" (at most) or "10G:" (at least), whole numbers with a unit M, G, T, MB, GB or TB`,
  );
  const parts = text.split(":");
  if (parts.length > 2) return invalid;
  const bounds = parts.map((p) => (p === "" ? undefined : filterBound(p)));
  if (bounds.includes(null) || bounds.every((b) => b === undefined)) return invalid;
  const [low, high] = bounds as (bigint | undefined)[];
  if (parts.length === 1) return ok({ kind: "exact", value: low! });
  if (low !== undefined && high !== undefined && low > high) {
    return fail(`invalid size filter '${text}': the lower bound is larger than the upper bound`);
  }
  return ok({ kind: "range", ...(low !== undefined && { min: low }), ...(high !== undefined && { max: high }) });
}

/**
 * A size as ceph-volume prints it and SizeMatcher reads it back: divided by 1024 while above
 * 1024, rounded half to even to two decimals (Python's "%.2f"), then taken as powers of 1000.
 */
function printedHundredths(bytes: bigint): bigint {
  let power = 0n;
  while (power < PRINTED_UNITS - 1n && bytes > 1024n ** (power + 1n)) power++;
  const unit = 1024n ** power;
  let hundredths = (bytes * 100n) / unit;
  const twice = 2n * ((bytes * 100n) % unit);
  if (twice > unit || (twice === unit && hundredths % 2n === 1n)) hundredths++;
  return hundredths * 1000n ** power;
}

/** Whether a device of `bytes` bytes passes the filter, as SizeMatcher decides. */
export function sizeMatches(filter: SizeFilter, bytes: bigint): boolean {
  const size = printedHundredths(bytes);
  if (filter.kind === "exact") return size === filter.value;
  if (filter.min !== undefined && size < filter.min) return false;
  if (filter.max !== undefined && size > filter.max) return false;
  return true;
}
