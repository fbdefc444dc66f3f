// Secret fields: the proto marks them with the (ceph_orchestrator.v1.secret) field option;
// this module finds them in the descriptor set (gen/descriptor.binpb) and removes their
// values from anything logged or answered. The logger (src/logging.ts) applies redactSecrets
// to every line that names a secret field, at any depth, so no call site has to remember;
// the domain clears them from what it answers (withoutSecrets).
import { type DescExtension, type FileRegistry, getOption, hasOption } from "@bufbuild/protobuf";
import { apiRegistry } from "./descriptors.js";

/** The option's full name in proto/ceph_orchestrator/v1/options.proto. */
export const SECRET_OPTION = "ceph_orchestrator.v1.secret";
/** What a secret's value is replaced with. */
export const CENSOR = "[secret]";

export interface SecretField {
  /** "ceph_orchestrator.v1.RgwSpec" */
  message: string;
  /** "system_access_key" */
  name: string;
  /** "systemAccessKey": the key in ts-proto objects and in proto3 JSON. */
  jsonName: string;
}

/** Every field the proto marks as secret. */
export function secretFields(reg: FileRegistry = apiRegistry()): SecretField[] {
  const ext = reg.getExtension(SECRET_OPTION);
  if (!ext) throw new Error(`the descriptor set lacks the ${SECRET_OPTION} option`);
  const out: SecretField[] = [];
  for (const type of reg) {
    if (type.kind !== "message") continue;
    for (const field of type.fields) {
      if (hasOption(field, ext as DescExtension) && getOption(field, ext as DescExtension) === true) {
        out.push({ message: type.typeName, name: field.name, jsonName: field.jsonName });
      }
    }
  }
  return out;
}

let secretKeys: ReadonlySet<string> | undefined;

/** The object keys that hold secrets: each secret field's proto name and JSON name. */
export function secretKeySet(): ReadonlySet<string> {
  secretKeys ??= new Set(secretFields().flatMap((f) => [f.name, f.jsonName]));
  return secretKeys;
}

const MAX_DEPTH = 32;

/**
 * A copy of `value` with every secret key's value replaced by CENSOR, at any depth (plain
 * objects and arrays; other objects are kept as they are). Unchanged parts are shared, and
 * a value without secrets comes back as it is.
 */
export function redactSecrets<T>(value: T, keys: ReadonlySet<string> = secretKeySet()): T {
  return redact(value, keys, CENSOR, 0, new WeakSet()) as T;
}

/**
 * A copy of a ts-proto message with every secret field set to "" (its proto3 default): a
 * secret goes in with a request and never comes back out in an answer.
 */
export function withoutSecrets<T>(value: T): T {
  return redact(value, secretKeySet(), "", 0, new WeakSet()) as T;
}

function redact(value: unknown, keys: ReadonlySet<string>, censor: string, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const r = redact(item, keys, censor, depth + 1, seen);
      if (r !== item) (copy ??= [...value])[i] = r;
    });
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  let copy: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const r = keys.has(k) ? (v === "" || v === undefined ? v : censor) : redact(v, keys, censor, depth + 1, seen);
    if (r !== v) (copy ??= { ...value })[k] = r;
  }
  return copy ?? value;
}
