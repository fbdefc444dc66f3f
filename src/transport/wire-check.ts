// Checks a request's bytes against its message type before ts-proto decodes them, so that
// malformed input is INVALID_ARGUMENT naming the field, never grpc-js's INTERNAL "Error
// deserializing request". Strict where protobuf allows a parser to be: well-formed tags,
// varints and lengths, strings that are valid UTF-8, no groups (proto3 has none), bounded
// nesting, and a known field only with its own wire type (a repeated number packed or
// not). Runtimes differ on a known field of another wire type (ts-proto skips it, others
// misread it): refusing it means that a flag such as RemoveOsds.replace is never silently
// read as unset. Unknown fields are skipped, as protobuf requires.
import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import type { FieldViolation } from "../domain/errors.js";
import { ValidationError } from "../domain/errors.js";
import { methodDescriptor } from "../contract/descriptors.js";

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
const MAX_DEPTH = 64;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

type Shape =
  | { kind: "string" | "bytes" }
  | { kind: "message"; desc: DescMessage }
  | { kind: "map"; key: Shape; value: Shape }
  | { kind: "varint" | "i64" | "i32" };

function scalarShape(t: ScalarType): Shape {
  switch (t) {
    case ScalarType.STRING:
      return { kind: "string" };
    case ScalarType.BYTES:
      return { kind: "bytes" };
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return { kind: "i64" };
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return { kind: "i32" };
    default:
      return { kind: "varint" };
  }
}

function fieldShape(f: DescField): { shape: Shape; repeated: boolean } {
  switch (f.fieldKind) {
    case "scalar":
      return { shape: scalarShape(f.scalar), repeated: false };
    case "enum":
      return { shape: { kind: "varint" }, repeated: false };
    case "message":
      return { shape: { kind: "message", desc: f.message }, repeated: false };
    case "list":
      if (f.listKind === "message") return { shape: { kind: "message", desc: f.message }, repeated: true };
      if (f.listKind === "enum") return { shape: { kind: "varint" }, repeated: true };
      return { shape: scalarShape(f.scalar), repeated: true };
    case "map": {
      const value: Shape =
        f.mapKind === "message" ? { kind: "message", desc: f.message } : f.mapKind === "enum" ? { kind: "varint" } : scalarShape(f.scalar);
      return { shape: { kind: "map", key: scalarShape(f.mapKey), value }, repeated: true };
    }
  }
}

function isNumber(s: Shape): boolean {
  return s.kind === "varint" || s.kind === "i64" || s.kind === "i32";
}

function wireTypeOf(s: Shape): number {
  if (s.kind === "varint") return VARINT;
  if (s.kind === "i64") return I64;
  if (s.kind === "i32") return I32;
  return LEN;
}

class Malformed extends Error {
  constructor(
    readonly field: string,
    description: string,
  ) {
    super(description);
  }
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint of at most 10 bytes, within bounds; its value (exact below 2^53). */
  varint(field: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Malformed(field, "truncated varint");
      const b = this.buf[this.pos++]!;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return value;
    }
    throw new Malformed(field, "varint longer than 10 bytes");
  }

  take(n: number, field: string): number {
    if (n > this.end - this.pos) throw new Malformed(field, `truncated: ${n} bytes announced, ${this.end - this.pos} left`);
    const start = this.pos;
    this.pos += n;
    return start;
  }
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

/** Walks one message's fields in buf[start, end); throws Malformed at the first problem. */
function walk(fields: (no: number) => { name: string; shape: Shape; repeated: boolean } | undefined, r: Reader, prefix: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new Malformed(prefix, `nested more than ${MAX_DEPTH} levels deep`);
  const counts = new Map<number, number>();
  while (r.pos < r.end) {
    const tag = r.varint(prefix);
    if (tag > 0xffffffff) throw new Malformed(prefix, "field tag overflows 32 bits");
    const no = Math.floor(tag / 8);
    const wt = tag % 8;
    const f = fields(no);
    let path = f ? join(prefix, f.name) : join(prefix, `#${no}`);
    if (f?.repeated) {
      const i = counts.get(no) ?? 0;
      counts.set(no, i + 1);
      if (wireTypeOf(f.shape) === LEN || wt !== LEN) path = `${path}[${i}]`;
    }
    if (no === 0) throw new Malformed(prefix, "field number 0");
    if (wt === 3 || wt === 4) throw new Malformed(path, "groups (wire types 3 and 4) are not used by this API");
    if (wt === 6 || wt === 7) throw new Malformed(path, `invalid wire type ${wt}`);
    if (f && wt !== wireTypeOf(f.shape) && !(f.repeated && wt === LEN && isNumber(f.shape))) {
      throw new Malformed(path, `has wire type ${wt}, but its type needs wire type ${wireTypeOf(f.shape)}`);
    }
    if (wt === VARINT) r.varint(path);
    else if (wt === I64) r.take(8, path);
    else if (wt === I32) r.take(4, path);
    else {
      const len = r.varint(path);
      const start = r.take(len, path);
      if (f) checkLen(f.shape, f.repeated, new Reader(r.buf, start, start + len), path, depth);
    }
  }
}

/** A length-delimited value of a known field (its wire type matched or was LEN for a packed list). */
function checkLen(shape: Shape, repeated: boolean, r: Reader, path: string, depth: number): void {
  switch (shape.kind) {
    case "string":
      try {
        utf8.decode(r.buf.subarray(r.pos, r.end));
      } catch {
        throw new Malformed(path, "is not valid UTF-8");
      }
      return;
    case "bytes":
      return;
    case "message":
      walk(messageFields(shape.desc), r, path, depth + 1);
      return;
    case "map":
      walk((no) => (no === 1 ? { name: "key", shape: shape.key, repeated: false } : no === 2 ? { name: "value", shape: shape.value, repeated: false } : undefined), r, path, depth + 1);
      return;
    default:
      // A packed list of numbers (walk() refuses a single number sent length-delimited).
      if (!repeated) return;
      while (r.pos < r.end) {
        if (shape.kind === "varint") r.varint(path);
        else r.take(shape.kind === "i64" ? 8 : 4, path);
      }
  }
}

const fieldCache = new WeakMap<DescMessage, (no: number) => { name: string; shape: Shape; repeated: boolean } | undefined>();

function messageFields(desc: DescMessage): (no: number) => { name: string; shape: Shape; repeated: boolean } | undefined {
  let fn = fieldCache.get(desc);
  if (!fn) {
    const byNumber = new Map(desc.fields.map((f) => [f.number, { name: f.name, ...fieldShape(f) }]));
    fn = (no) => byNumber.get(no);
    fieldCache.set(desc, fn);
  }
  return fn;
}

/** The first problem of `bytes` as a `desc` message, or undefined when they are well-formed. */
export function checkWire(desc: DescMessage, bytes: Uint8Array): FieldViolation | undefined {
  try {
    walk(messageFields(desc), new Reader(bytes, 0, bytes.length), "", 0);
    return undefined;
  } catch (err) {
    if (err instanceof Malformed) return { field: err.field, description: `${err.message} (the request is not a valid ${desc.name})` };
    throw err;
  }
}

/** What a handler gets instead of its request when the bytes were malformed. */
export class MalformedRequest {
  constructor(readonly violation: FieldViolation) {}

  toError(): ValidationError {
    return new ValidationError([this.violation]);
  }
}

/** Throws INVALID_ARGUMENT when the request could not be decoded. */
export function ensureDecoded(request: unknown): void {
  if (request instanceof MalformedRequest) throw request.toError();
}

/**
 * The service definition with each method's request deserializer checking the bytes first:
 * malformed ones become a MalformedRequest (see ensureDecoded), and decoding never throws.
 */
export function withCheckedRequests<S extends grpc.ServiceDefinition>(service: S): S {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [key, def] of Object.entries(service) as [string, grpc.MethodDefinition<unknown, unknown>][]) {
    const desc = methodDescriptor(def.path.replace(/^\//, "").replace("/", ".")).input;
    const decode = def.requestDeserialize;
    out[key] = {
      ...def,
      requestDeserialize: (bytes: Buffer) => {
        const problem = checkWire(desc, bytes);
        if (problem) return new MalformedRequest(problem);
        try {
          return decode(bytes);
        } catch (err) {
          return new MalformedRequest({ field: "", description: `${(err as Error).message} (the request is not a valid ${desc.name})` });
        }
      },
    };
  }
  return out as S;
}
