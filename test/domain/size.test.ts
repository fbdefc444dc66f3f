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
    ["10GiB", 10n * GiB],
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

  it.each(["", "G", "abc", "10X", "10 GiBs", "-1G", "1e9", "10iB", "1.5", "10G:", "1,5G", "0x10", "10EB"])(
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
  it("parses a closed range, inclusive at both ends", () => {
    const f = filter("10G:2T");
    expect(f).toEqual({ kind: "range", min: 10n * GiB, max: 2n * TiB });
    expect(sizeMatches(f, 10n * GiB)).toBe(true);
    expect(sizeMatches(f, 2n * TiB)).toBe(true);
    expect(sizeMatches(f, 10n * GiB - 1n)).toBe(false);
    expect(sizeMatches(f, 2n * TiB + 1n)).toBe(false);
  });

  it("parses open ranges", () => {
    const upTo = filter(":2T");
    expect(upTo).toEqual({ kind: "range", max: 2n * TiB });
    expect(sizeMatches(upTo, 0n)).toBe(true);
    expect(sizeMatches(upTo, 2n * TiB + 1n)).toBe(false);
    const atLeast = filter("10G:");
    expect(atLeast).toEqual({ kind: "range", min: 10n * GiB });
    expect(sizeMatches(atLeast, 10n * GiB - 1n)).toBe(false);
    expect(sizeMatches(atLeast, 100n * PiB)).toBe(true);
  });

  it("compares sizes above 2^53 exactly", () => {
    const f = filter("4P:");
    expect(sizeMatches(f, 4n * PiB)).toBe(true);
    expect(sizeMatches(f, 4n * PiB - 1n)).toBe(false);
  });

  it("matches an exact size to two decimals of its unit, as ceph-volume reports sizes", () => {
    const f = filter("10G");
    expect(f.kind).toBe("exact");
    expect(sizeMatches(f, 10n * GiB)).toBe(true);
    // From 9.995 GiB (rounds up to 10.00) up to, not including, 10.005 GiB (rounds to 10.01).
    const low = ceilDiv(9995n * GiB, 1000n);
    const high = ceilDiv(10005n * GiB, 1000n);
    expect(sizeMatches(f, low)).toBe(true);
    expect(sizeMatches(f, low - 1n)).toBe(false);
    expect(sizeMatches(f, high)).toBe(false);
    expect(sizeMatches(f, high - 1n)).toBe(true);
    expect(sizeMatches(f, 11n * GiB)).toBe(false);
  });

  it("matches an exact fractional size", () => {
    const f = filter("1.5T");
    expect(sizeMatches(f, (3n * TiB) / 2n)).toBe(true);
    expect(sizeMatches(f, 2n * TiB)).toBe(false);
  });

  it("matches an exact size in plain bytes exactly", () => {
    const f = filter("1000");
    expect(sizeMatches(f, 1000n)).toBe(true);
    expect(sizeMatches(f, 1001n)).toBe(false);
    expect(sizeMatches(f, 999n)).toBe(false);
  });

  it.each([
    ["", "invalid size"],
    [":", "at least one bound"],
    ["1G:2G:3G", "expected"],
    ["2T:10G", "lower bound is larger"],
    ["10X:", "invalid size"],
    [":abc", "invalid size"],
    ["1.234G", "two decimals"],
  ])("rejects %j", (text, message) => {
    const r = parseSizeFilter(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });

  it("accepts an exact size with trailing zeros beyond two decimals", () => {
    expect(parseSizeFilter("1.500T").ok).toBe(true);
  });
});
