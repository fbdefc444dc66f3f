// Ceph version strings: parsed and ordered the same way by the domain (upgrades) and backends.

const VERSION = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.+~-]+))?$/;

/** Plain byte-wise string order, for sorting. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The numeric parts and the suffix parts of a version such as "16.2.15" or "v17.2.6-1"; undefined if it is none. */
export function parseCephVersion(version: string): { numbers: number[]; suffix: string[] } | undefined {
  const m = VERSION.exec(version.trim());
  if (!m) return undefined;
  return { numbers: (m[1] as string).split(".").map(Number), suffix: m[2] ? m[2].split(/[-.]/) : [] };
}

function compareSuffixPart(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an !== bn) return an ? -1 : 1;
  return compareStrings(a, b);
}

/**
 * Orders Ceph versions: negative when a < b, 0 when equal, positive when a > b. Accepts a
 * leading "v" and a "-suffix" ("16.2.15-1" is newer than "16.2.15"; suffix parts compare
 * numerically where numeric). Missing parts count as 0 ("17.2" equals "17.2.0"). Strings that
 * are no version sort before every version and among themselves as strings.
 */
export function compareCephVersions(a: string, b: string): number {
  const pa = parseCephVersion(a);
  const pb = parseCephVersion(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : compareStrings(a, b);
  const n = Math.max(pa.numbers.length, pb.numbers.length);
  for (let i = 0; i < n; i++) {
    const d = (pa.numbers[i] ?? 0) - (pb.numbers[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  const m = Math.max(pa.suffix.length, pb.suffix.length);
  for (let i = 0; i < m; i++) {
    const x = pa.suffix[i];
    const y = pb.suffix[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const d = compareSuffixPart(x, y);
    if (d !== 0) return d;
  }
  return 0;
}
