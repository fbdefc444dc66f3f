// Checks a backend's configuration (BackendOptions.config) once at start-up: every reader
// fails with a BackendConfigError naming the backend and the key, so that a typo or a value
// of the wrong type stops the service with the key named (it exits 2), never later.

/** A configuration value of a backend that is missing, unknown or of the wrong type. */
export class BackendConfigError extends Error {
  constructor(
    readonly backend: string,
    readonly key: string,
    message: string,
  ) {
    super(`${backend} backend configuration: ${key}: ${message}`);
  }
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The units a plain number of a duration may be in: each option keeps the one it documented. */
export type PlainDurationUnit = "ms" | "s";

/** The forms parseDuration takes, for messages. */
export const DURATION_FORMS = '"500ms", "10s", "5m", "1h" or "1d"';

/**
 * A duration in milliseconds from one number with one unit: "500ms", "10s", "5m", "1h" or
 * "1d"; a plain number (or a string of digits) is taken in `plainUnit`, the unit the option
 * always documented. Undefined when `value` is none of these.
 */
export function parseDuration(value: unknown, plainUnit: PlainDurationUnit): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value * UNIT_MS[plainUnit]! : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * UNIT_MS[plainUnit]!;
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

/** `ms` milliseconds in `unit` (a Config field in seconds keeps its unit). */
export function durationIn(ms: number, unit: PlainDurationUnit): number {
  return ms / UNIT_MS[unit]!;
}

/** Readers of one backend's configuration values; `key` is the name a failure gives. */
export class ConfigSchema {
  constructor(readonly backend: string) {}

  fail(key: string, message: string): never {
    throw new BackendConfigError(this.backend, key, message);
  }

  /** Fails on the first key of `value` not in `known` (`prefix` names where it sits). */
  knownKeys(value: Record<string, unknown>, known: readonly string[], prefix = ""): void {
    for (const k of Object.keys(value)) {
      if (!known.includes(k)) this.fail(prefix + k, `unknown key (expected one of: ${known.join(", ")})`);
    }
  }

  isMapping(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
  }

  /** A mapping; {} when unset. */
  mapping(v: unknown, key: string): Record<string, unknown> {
    if (v === undefined) return {};
    if (!this.isMapping(v)) this.fail(key, "expected a mapping");
    return v;
  }

  /** A non-empty string; required when no default is given. */
  string(v: unknown, key: string, def?: string): string {
    if (v === undefined) {
      if (def === undefined) this.fail(key, "is required");
      return def;
    }
    if (typeof v !== "string" || v === "") this.fail(key, `expected a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A whole number of at least `min`. */
  integer(v: unknown, key: string, def: number, min = 0): number {
    if (v === undefined) return def;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) this.fail(key, `expected a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
    return v;
  }

  boolean(v: unknown, key: string, def: boolean): boolean {
    if (v === undefined) return def;
    if (typeof v !== "boolean") this.fail(key, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A list of strings; [] when unset. */
  stringList(v: unknown, key: string): string[] {
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) this.fail(key, "expected a list of strings");
    return v;
  }

  /** Milliseconds, from "10s", "500ms", "5m", "1h", "1d" or a plain number of milliseconds, at least `minMs`. */
  durationMs(v: unknown, key: string, defMs: number, minMs = 0): number {
    if (v === undefined) return defMs;
    const ms = parseDuration(v, "ms");
    if (ms === undefined || ms < minMs) this.fail(key, `expected a duration like "10s" or "500ms" (at least ${minMs} ms), got ${JSON.stringify(v)}`);
    return ms;
  }
}
