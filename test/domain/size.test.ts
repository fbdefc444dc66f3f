import { describe, it, expect } from "vitest";
import { parseSize, parseSizeFilter, sizeMatches, type SizeFilter } from "../../src/domain/size.js";

const KiB = 1024n;
const MiB = KiB * 1024n;
const GiB = MiB * 1024n;
const TiB = GiB * 1024n;
const PiB = TiB * 1024n;

function bytes(text: string): bigint {
  const r = parseSize(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function filter(text: string): SizeFilter {
  const r = parseSizeFilter(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe("parseSize", () => {
  it.each([
    ["1000", 1000n],
    ["0", 0n],
    ["100B", 100n],
    ["10K", 10n * KiB],
    ["500M", 500n * MiB],
    ["10G", 10n * GiB],
    ["10GB", 10n * GiB],
    ["10g", 10n * GiB],
    ["10 G", 10n * GiB],
    [" 2T ", 2n * TiB],
    ["1.5T", (3n * TiB) / 2n],
    ["3P", 3n * PiB],
    ["1.00 TB", TiB],
  ])("%s is %s bytes", (text, expected) => {
    expect(bytes(text)).toBe(expected);
  });

  it("uses powers of 1024, not 1000", () => {
    expect(bytes("1K")).toBe(1024n);
    expect(bytes("1M")).toBe(1048576n);
    expect(bytes("1G")).toBe(1073741824n);
  });

  it("stays exact above 2^53", () => {
    expect(bytes("9P")).toBe(9n * PiB);
    expect(9n * PiB > 2n ** 53n).toBe(true);
    expect(bytes("9007199254740993")).toBe(9007199254740993n); // 2^53 + 1, not representable as a double
    expect(bytes("1.1P")).toBe((11n * PiB) / 10n);
  });

  it("rounds fractions of a unit down to whole bytes", () => {
    expect(bytes("0.3K")).toBe(307n); // 307.2
  });

  it.each(["", "G", "abc", "10X", "10 GiBs", "-1G", "1e9", "10iB", "10GiB", "1.5", "10G:", "1,5G", "0x10", "10EB"])(
    "rejects %j with a description",
    (text) => {
      const r = parseSize(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain("invalid size");
    },
  );

  it("rejects sizes beyond int64", () => {
    const r = parseSize("8192P"); // 2^63
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain("2^63-1");
    expect(parseSize("9223372036854775807").ok).toBe(true);
  });
});

describe("parseSizeFilter and sizeMatches", () => {
  // A filter counts in hundredths of SizeMatcher's bytes, units powers of 1000.
  const E9 = 1_000_000_000n * 100n;

  it.each([
    ["10G", { kind: "exact", value: 10n * E9 }],
    ["10GB", { kind: "exact", value: 10n * E9 }],
    ["500M", { kind: "exact", value: E9 / 2n }],
    ["2TB", { kind: "exact", value: 2000n * E9 }],
    ["10G:2T", { kind: "range", min: 10n * E9, max: 2000n * E9 }],
    [":2T", { kind: "range", max: 2000n * E9 }],
    ["10G:", { kind: "range", min: 10n * E9 }],
  ])("parses %j as upstream's SizeMatcher does", (text, expected) => {
    expect(filter(text)).toEqual(expected);
  });

  it.each([
    ["", "expected"],
    [":", "expected"],
    ["1G:2G:3G", "expected"],
    ["2T:10G", "lower bound is larger"],
    ["10X:", "expected"],
    [":abc", "expected"],
    // Only whole numbers with M, G, T (MB, GB, TB) in upper case: upstream refuses the rest.
    ["1.5T", "expected"],
    ["10g", "expected"],
    ["10K", "expected"],
    ["1P", "expected"],
    ["1000", "expected"],
    ["10GiB", "expected"],
    ["10 G", "expected"],
    ["10G:2Tx", "expected"],
  ])("rejects %j", (text, message) => {
    const r = parseSizeFilter(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });

  it("compares the size ceph-volume prints, two decimals of its unit, read back as powers of 1000", () => {
    const f = filter("10G:2T");
    expect(sizeMatches(f, 10n * GiB)).toBe(true); // "10.00 GB"
    expect(sizeMatches(f, ceilDiv(9995n * GiB, 1000n))).toBe(true); // rounds to "10.00 GB"
    expect(sizeMatches(f, ceilDiv(9995n * GiB, 1000n) - 1n)).toBe(false); // "9.99 GB"
    expect(sizeMatches(f, 2n * TiB + 1n)).toBe(true); // still "2.00 TB"
    expect(sizeMatches(f, (201n * TiB) / 100n)).toBe(false); // "2.01 TB"
    // 1000 GiB prints "1000.00 GB": 10^12 bytes to the filter, so "1T:" takes it.
    expect(sizeMatches(filter("1T:"), 1000n * GiB)).toBe(true);
    expect(sizeMatches(filter(":2T"), 0n)).toBe(true);
  });

  it("matches an exact size as printed: 1 TiB is \"1024.00 GB\", so 1024G, not 1T", () => {
    expect(sizeMatches(filter("1024G"), TiB)).toBe(true);
    expect(sizeMatches(filter("1T"), TiB)).toBe(false);
    expect(sizeMatches(filter("1T"), TiB + 1n)).toBe(true); // "1.00 TB"
    const ten = filter("10G");
    const low = ceilDiv(9995n * GiB, 1000n);
    const high = ceilDiv(10005n * GiB, 1000n);
    expect(sizeMatches(ten, low)).toBe(true);
    expect(sizeMatches(ten, low - 1n)).toBe(false);
    expect(sizeMatches(ten, high)).toBe(false);
    expect(sizeMatches(ten, high - 1n)).toBe(true);
  });

  it("compares sizes above 2^53 exactly", () => {
    const f = filter("9000T:");
    const low = ceilDiv(8995n * PiB, 1000n); // rounds to "9.00 PB"
    expect(low > 2n ** 53n).toBe(true);
    expect(sizeMatches(f, low)).toBe(true);
    expect(sizeMatches(f, low - 1n)).toBe(false);
  });
});
