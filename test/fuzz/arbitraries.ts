// fast-check arbitraries of request bytes for any RPC, built from the API's descriptors
// (gen/descriptor.binpb), so that a new field or RPC is fuzzed without a change here:
//   - typed: a message of the right type with hostile values: huge strings and lists,
//     unknown enum values, negative and 2^63-sized numbers, paths with ".." and NUL, names
//     of real hosts, devices and daemons mixed with junk;
//   - seeded: a valid request of the RPC with some of its fields replaced by typed ones;
//   - mutated: the bytes of a typed or seeded message with bytes flipped, cut or inserted,
//     and fields of the wrong wire type or unknown numbers appended;
//   - raw: random bytes.
import { type DescField, type DescMessage, ScalarType, create, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";

const MAX_DEPTH = 4;

/** Real names of the default sim fixture, so that typed requests sometimes name what exists. */
export const REAL = [
  "node-1", "node-2", "node-3", "node-4", "node-5", "node-*", "*",
  "/dev/sdb", "/dev/sdc", "/dev/nvme0n1", "/dev/sda",
  "mon", "mgr", "osd", "crash", "mds", "rgw", "nfs", "mon.node-1", "mgr.node-1.xkqvzc", "crash.node-1", "osd.0", "osd.1",
  "mds.fuzz", "rgw.fuzz", "fuzz", "_admin", "label", "16.2.15", "17.2.7", "quay.io/ceph/ceph:v17", "10.0.0.14", "::1",
  "10G", "1T:2T", ":10G", "10G:", "00000000-0000-4000-8000-000000000000",
];

/** Hostile strings. */
export const NASTY = [
  "", " ", "..", "../..", "/dev/../etc/passwd", "/dev/sdb/../../x", "dev/sdb", "/dev/sd\0b", "\0", "a\0b", "node-1\0",
  "node-1\n", "\t", "-rf", "--force", "$(reboot)", "`id`", "${jndi:ldap://x}", "'; DROP TABLE operations; --", "%s%n%x",
  "\u202e", "\ufeffnode-1", "🙂", "\u0000\u0001\u001f", "\\", "[", "(", "a".repeat(254), "x".repeat(65),
  "-1G", "10G:-5G", "9223372036854775807", "-9223372036854775808", "18446744073709551616", "1e400", "NaN", "0x10", "10Q",
  "99999999999999999999T", "-0", "+1", ":", "::", "1:2:3", "256.256.256.256", "node-1:6789", "*.*", "?", "[!a-z]",
];

const int64Edges = [0n, -1n, 1n, 2n ** 31n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), -(2n ** 31n) - 1n];
const uint64Edges = [0n, 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n];

const stringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...REAL) },
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("x", "é", "../", "\0", "node-1,"), fc.integer({ min: 300, max: 200_000 })).map(([s, n]) => s.repeat(Math.ceil(n / s.length))) },
);

function scalarArb(t: ScalarType): fc.Arbitrary<unknown> {
  switch (t) {
    case ScalarType.STRING:
      return stringArb;
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 64 });
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e308, -1));
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -3, max: 12 }) }, { weight: 1, arbitrary: fc.constantFrom(-2147483648, 2147483647, -1, 65536, 1_000_000) });
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom(4294967295, 2147483648));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.oneof({ weight: 3, arbitrary: fc.bigInt({ min: -3n, max: 7200n }) }, { weight: 2, arbitrary: fc.constantFrom(...int64Edges) });
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.oneof(fc.bigInt({ min: 0n, max: 100n }), fc.constantFrom(...uint64Edges));
  }
}

function enumArb(values: number[]): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...values) },
    { weight: 1, arbitrary: fc.constantFrom(-1, 99, 2147483647, -2147483648, Math.max(...values) + 1) },
  );
}

/** A list of `item`: usually short, sometimes thousands of copies. */
function listArb<T>(item: fc.Arbitrary<T>, cheap: boolean): fc.Arbitrary<T[]> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.array(item, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.tuple(item, fc.integer({ min: 1001, max: cheap ? 20_000 : 2_000 })).map(([x, n]) => Array<T>(n).fill(x)) },
  );
}

function valueArb(f: DescField, depth: number): fc.Arbitrary<unknown> {
  switch (f.fieldKind) {
    case "scalar":
      return scalarArb(f.scalar);
    case "enum":
      return enumArb(f.enum.values.map((v) => v.number));
    case "message":
      return messageArb(f.message, depth + 1);
    case "list":
      if (f.listKind === "message") return listArb(messageArb(f.message, depth + 1), false);
      if (f.listKind === "enum") return listArb(enumArb(f.enum.values.map((v) => v.number)), true);
      return listArb(scalarArb(f.scalar), true);
    case "map": {
      const value = f.mapKind === "message" ? messageArb(f.message, depth + 1) : f.mapKind === "enum" ? enumArb(f.enum.values.map((v) => v.number)) : scalarArb(f.scalar);
      const key = f.mapKey === ScalarType.STRING ? stringArb : scalarArb(f.mapKey).map(String);
      return fc.dictionary(key as fc.Arbitrary<string>, value, { maxKeys: 4 });
    }
  }
}

const cache = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

/** The init object of a random `desc` message (as @bufbuild/protobuf's create() takes it). */
export function messageArb(desc: DescMessage, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  if (depth > MAX_DEPTH) return fc.constant({});
  const key = `${desc.typeName}@${depth}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of desc.fields) if (!f.oneof) shape[f.localName] = valueArb(f, depth);
  for (const o of desc.oneofs) {
    shape[o.localName] = fc.oneof(...o.fields.map((f) => valueArb(f, depth).map((value) => ({ case: f.localName, value }))));
  }
  const arb = fc.record(shape, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
  cache.set(key, arb);
  return arb;
}

/** Roughly how many bytes `v` encodes to, counting up to `budget` (shared references count each time). */
function approxSize(v: unknown, budget: number): number {
  if (typeof v === "string") return v.length * 3 + 2;
  if (v instanceof Uint8Array) return v.length + 2;
  if (v === null || typeof v !== "object") return 10;
  let n = 2;
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    n += approxSize(x, budget - n);
    if (n > budget) return n;
  }
  return n;
}

/** The largest request the fuzzer sends (the server takes up to 16 MiB). */
const MAX_BYTES = 4 * 1024 * 1024;

/** The wire bytes of an init object; undefined when it cannot be encoded (e.g. a NaN int) or is too large. */
export function encode(desc: DescMessage, init: Record<string, unknown>): Uint8Array | undefined {
  if (approxSize(init, MAX_BYTES) > MAX_BYTES) return undefined;
  try {
    return toBinary(desc, create(desc, init as never));
  } catch {
    return undefined;
  }
}

/** `seed` with some of its fields (at any depth, by the mask's bits) replaced by `random`'s. */
export function mix(seed: unknown, random: unknown, mask: boolean[], at = { i: 0 }): unknown {
  const bit = () => mask[at.i++ % mask.length]!;
  if (seed === null || typeof seed !== "object" || Array.isArray(seed) || random === null || typeof random !== "object" || Array.isArray(random)) {
    return bit() ? random : seed;
  }
  const out: Record<string, unknown> = { ...(seed as Record<string, unknown>) };
  for (const [k, v] of Object.entries(random as Record<string, unknown>)) {
    if (!(k in out)) {
      if (bit()) out[k] = v;
    } else out[k] = mix(out[k], v, mask, at);
  }
  return out;
}

type Mutation =
  | { op: "flip"; at: number; xor: number }
  | { op: "cut"; at: number }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "append"; bytes: Uint8Array };

/** A tag (field number, wire type) as varint bytes, then a value of that wire type. */
function field(no: number, wireType: number, value: Uint8Array): Uint8Array {
  const tag: number[] = [];
  let t = no * 8 + wireType;
  while (t >= 0x80) {
    tag.push((t % 0x80) | 0x80);
    t = Math.floor(t / 0x80);
  }
  tag.push(t);
  return new Uint8Array([...tag, ...value]);
}

function mutationArb(desc: DescMessage): fc.Arbitrary<Mutation> {
  const numbers = [...desc.fields.map((f) => f.number), 15, 536870911];
  const wrongField = fc
    .tuple(fc.constantFrom(...numbers), fc.integer({ min: 0, max: 7 }), fc.uint8Array({ minLength: 0, maxLength: 12 }))
    .map(([no, wt, v]) => field(no, wt, wt === 2 ? new Uint8Array([v.length, ...v]) : v));
  return fc.oneof(
    fc.record({ op: fc.constant("flip" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ op: fc.constant("cut" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ op: fc.constant("insert" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ op: fc.constant("append" as const), bytes: wrongField }),
    // A length that runs past the end, an overlong varint, a group.
    fc.record({ op: fc.constant("append" as const), bytes: fc.constantFrom(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), new Uint8Array([0x08, ...Array<number>(11).fill(0xff), 0x01]), new Uint8Array([0x0b, 0x0c]), new Uint8Array([0x00]), new Uint8Array([0x0c])) }),
  );
}

export function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  const pos = (at: number) => Math.min(b.length, Math.floor(at * (b.length + 1)));
  for (const m of mutations) {
    if (m.op === "flip") {
      if (b.length > 0) b[Math.min(b.length - 1, pos(m.at))]! ^= m.xor;
    } else if (m.op === "cut") b = b.slice(0, pos(m.at));
    else if (m.op === "insert") {
      const i = pos(m.at);
      b = new Uint8Array([...b.slice(0, i), ...m.bytes, ...b.slice(i)]);
    } else b = new Uint8Array([...b, ...m.bytes]);
  }
  return b;
}

export interface FuzzInput {
  kind: "typed" | "seeded" | "mutated" | "raw";
  bytes: Uint8Array;
}

/** A FuzzInput that prints short in fast-check's reports: its kind, size and first bytes. */
function input(kind: FuzzInput["kind"], bytes: Uint8Array): FuzzInput {
  return {
    kind,
    bytes,
    [fc.toStringMethod]: () => `${kind} ${bytes.length} bytes ${Buffer.from(bytes.subarray(0, 64)).toString("hex")}${bytes.length > 64 ? "..." : ""}`,
  } as FuzzInput;
}

/** Request bytes for a method whose request type is `desc`, given its valid seed requests (init objects). */
export function requestBytesArb(desc: DescMessage, seeds: Record<string, unknown>[]): fc.Arbitrary<FuzzInput> {
  const typed = messageArb(desc);
  const seeded =
    seeds.length > 0
      ? fc.tuple(fc.constantFrom(...seeds), typed, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 })).map(([s, r, mask]) => mix(s, r, mask) as Record<string, unknown>)
      : typed;
  const enc = (a: fc.Arbitrary<Record<string, unknown>>) => a.map((init) => encode(desc, init) ?? new Uint8Array());
  return fc.oneof(
    { weight: 4, arbitrary: enc(typed).map((bytes) => input("typed", bytes)) },
    { weight: 4, arbitrary: enc(seeded).map((bytes) => input("seeded", bytes)) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(enc(fc.oneof(typed, seeded)), fc.array(mutationArb(desc), { minLength: 1, maxLength: 3 }))
        .map(([bytes, ms]) => input("mutated", mutate(bytes, ms))),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => input("raw", bytes)) },
  );
}
