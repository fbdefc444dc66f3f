// Typed reads of a parsed fixture: the schema checks. Each failure names the file and the
// key's path in it, e.g. `hosts[0].devices[2].size_bytes`.
import { jsonInteger } from "../../src/backend/sizes.js";

/** A fixture that cannot be used; the message names the file and the key. */
export class FixtureError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    detail: string,
  ) {
    super(`${file}: ${key ? `${key}: ` : ""}${detail}`);
    this.name = "FixtureError";
  }
}

export type Mapping = Record<string, unknown>;

/** The kinds of value of a flat settings table (see Reader.table). */
export type Kind = "string" | "int" | "bool" | "strings";

/** `at.key`, or `key` at the top. */
export function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

/** A value as a message shows it. */
export function show(v: unknown): string {
  return typeof v === "bigint" ? v.toString() : (JSON.stringify(v) ?? String(v));
}

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Typed reads of the parsed YAML; each failure names the key's path in the file. */
export class Reader {
  constructor(readonly file: string) {}

  fail(at: string, detail: string): never {
    throw new FixtureError(this.file, at, detail);
  }

  /** A mapping; with `keys`, any other key is an error. */
  map(v: unknown, at: string, keys?: readonly string[]): Mapping {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(at, `expected a mapping, got ${show(v)}`);
    for (const k of Object.keys(v)) {
      if (keys && !keys.includes(k)) this.fail(join(at, k), `unknown key (expected one of: ${keys.join(", ")})`);
    }
    return v as Mapping;
  }

  list(v: unknown, at: string): unknown[] {
    if (v == null) return [];
    if (!Array.isArray(v)) this.fail(at, `expected a list, got ${show(v)}`);
    return v;
  }

  str(v: unknown, at: string, def?: string): string {
    if (v == null) return def ?? this.fail(at, "required");
    if (typeof v !== "string") this.fail(at, `expected a string, got ${show(v)}`);
    return v;
  }

  /** An id that YAML may read as a number, e.g. `daemon_id: 0`. */
  id(v: unknown, at: string): string {
    if (typeof v === "bigint") return v.toString();
    const s = this.str(v, at);
    if (s === "") this.fail(at, "must not be empty");
    return s;
  }

  int(v: unknown, at: string, def?: number): number {
    if (v == null) return def ?? this.fail(at, "required");
    const n = typeof v === "number" && Number.isInteger(v) ? BigInt(v) : v;
    if (typeof n !== "bigint" || n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.fail(at, `expected a whole number ≥ 0, got ${show(v)}`);
    }
    return Number(n);
  }

  /** A byte count: an integer or a decimal string, kept exact beyond 2^53. */
  bytes(v: unknown, at: string): bigint {
    if (typeof v === "bigint" && v >= 0n) return v;
    if (typeof v === "string" && /^\d+$/.test(v)) return BigInt(v);
    return this.fail(at, v == null ? "required" : `expected a size in bytes (a whole number), got ${show(v)}`);
  }

  bool(v: unknown, at: string, def: boolean): boolean {
    if (v == null) return def;
    if (typeof v !== "boolean") this.fail(at, `expected true or false, got ${show(v)}`);
    return v;
  }

  strings(v: unknown, at: string): string[] {
    return this.list(v, at).map((s, i) => this.str(s, `${at}[${i}]`));
  }

  /** An ISO 8601 time, as epoch milliseconds. */
  time(v: unknown, at: string): number | undefined {
    if (v == null) return undefined;
    const ms = Date.parse(this.str(v, at));
    if (Number.isNaN(ms)) this.fail(at, `expected an ISO 8601 time such as "2024-05-02T09:14:07Z", got ${show(v)}`);
    return ms;
  }

  choice<T>(v: unknown, at: string, options: Record<string, T>, def?: T): T {
    if (v == null && def !== undefined) return def;
    const s = this.str(v, at);
    if (!Object.hasOwn(options, s)) this.fail(at, `expected one of ${Object.keys(options).join(", ")}, got ${show(v)}`);
    return options[s] as T;
  }

  /** A flat mapping checked against a field table, with the keys in camelCase for fromPartial. */
  table<T>(v: unknown, at: string, fields: Record<string, Kind>): Partial<T> {
    const m = this.map(v, at, Object.keys(fields));
    const read = (k: string, x: unknown): unknown => {
      const kat = join(at, k);
      switch (fields[k]) {
        case "int":
          return this.int(x, kat, 0);
        case "bool":
          return this.bool(x, kat, false);
        case "strings":
          return this.strings(x, kat);
        default:
          return this.str(x, kat, "");
      }
    };
    return Object.fromEntries(Object.entries(m).map(([k, x]) => [camel(k), read(k, x)])) as Partial<T>;
  }

  /** sys_api is free-form, but must travel as JSON (google.protobuf.Struct): no bigint. */
  json(v: unknown, at: string): unknown {
    if (typeof v === "bigint") return jsonInteger(v);
    if (v === null || ["string", "number", "boolean"].includes(typeof v)) return v;
    if (Array.isArray(v)) return v.map((x, i) => this.json(x, `${at}[${i}]`));
    if (typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.json(x, join(at, k))]));
    return this.fail(at, `unsupported value ${show(v)}`);
  }
}
