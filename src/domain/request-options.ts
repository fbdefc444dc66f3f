// Options of a request that a backend may not support, named by proto field paths
// ("spec.encrypted", "spec.rgw.rgw_realm"). Paths are resolved against the request's
// descriptor, so that a member of a oneof (spec.rgw lives in spec.details in ts-proto's
// objects) is found like any other field, and a path that names no field is an error, not
// an option that is silently never set.
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { UnsupportedOptionError } from "./errors.js";

/** The value at `path` of a ts-proto request object; throws when `path` names no field of `input`. */
export function optionValue(input: DescMessage, request: object, path: string): unknown {
  let desc: DescMessage | undefined = input;
  let value: unknown = request;
  for (const name of path.split(".")) {
    const field: DescField | undefined = desc?.fields.find((f) => f.name === name);
    if (!desc || !field) throw new Error(`option '${path}': '${name}' is no field of ${desc?.typeName ?? "a scalar"}`);
    if (value !== null && typeof value === "object") {
      const obj = value as Record<string, unknown>;
      if (field.oneof) {
        const member = obj[field.oneof.localName] as { $case?: string; value?: unknown } | undefined;
        value = member?.$case === field.localName ? member.value : undefined;
      } else {
        value = obj[field.localName];
      }
    } else {
      value = undefined;
    }
    desc = field.fieldKind === "message" ? field.message : undefined;
  }
  return value;
}

/**
 * A field counts as set when it differs from its proto3 default: a message when present (a
 * ts-proto message object has a key per field), a map (a plain object) when not empty.
 */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "" || value === "0") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** Throws UnsupportedOptionError for the first of `unsupported` that the request sets. */
export function ensureOptionsSupported(input: DescMessage, request: object, unsupported: readonly string[], backend: string): void {
  for (const path of unsupported) {
    if (isSet(optionValue(input, request, path))) throw new UnsupportedOptionError(path, backend);
  }
}
