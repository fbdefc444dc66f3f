// Small, composable validators of request fields. Each returns the violations it found
// (empty when the value is fine) so callers can gather every problem of a request at once
// and answer with one ValidationError naming each field.
import { isIP } from "node:net";
import { ValidationError, type FieldViolation } from "./errors.js";

/** Gathers violations; `throwIfAny` ends validation with one ValidationError. */
export class Violations {
  private readonly items: FieldViolation[] = [];

  add(field: string, description: string): this {
    this.items.push({ field, description });
    return this;
  }

  /** Records a violation unless `ok`; returns `ok` so callers can skip dependent checks. */
  check(ok: boolean, field: string, description: string): boolean {
    if (!ok) this.add(field, description);
    return ok;
  }

  addAll(violations: readonly FieldViolation[]): this {
    this.items.push(...violations);
    return this;
  }

  get list(): readonly FieldViolation[] {
    return this.items;
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new ValidationError([...this.items]);
  }
}

/** Shows a character in a description: printable ones quoted, others as U+XXXX. */
export function describeChar(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f || /\s/u.test(c)) return `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return `'${c}'`;
}

/** Length in code points, so a non-BMP character counts once. */
function length(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

function one(field: string, description: string): FieldViolation[] {
  return [{ field, description }];
}

/** A string without NUL, at most `maxLength` characters. Empty is fine. */
export function validateString(value: string, field: string, maxLength: number): FieldViolation[] {
  if (value.includes("\0")) return one(field, "must not contain NUL characters");
  if (length(value) > maxLength) return one(field, `must be at most ${maxLength} characters`);
  return [];
}

const HOSTNAME_CHAR = /[A-Za-z0-9._-]/;

/** A host name: 1 to 253 of [A-Za-z0-9._-], not starting with '-' or '.'. */
export function validateHostname(value: string, field: string): FieldViolation[] {
  if (value === "") return one(field, "is required");
  if (value.length > 253) return one(field, "must be at most 253 characters");
  for (const c of value) {
    if (!HOSTNAME_CHAR.test(c)) {
      return one(field, `contains ${describeChar(c)}; only letters, digits, '.', '_' and '-' are allowed`);
    }
  }
  if (value.startsWith("-") || value.startsWith(".")) return one(field, "must not start with '-' or '.'");
  return [];
}

const DNS_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** An IPv4 or IPv6 address or a DNS name (labels of 1 to 63 characters, 253 in all). */
export function validateAddress(value: string, field: string): FieldViolation[] {
  if (value === "") return one(field, "is required");
  if (isIP(value) !== 0) return [];
  const name = value.endsWith(".") ? value.slice(0, -1) : value;
  const invalid = one(field, `'${value}' is neither an IP address nor a DNS name`);
  if (name === "" || name.length > 253) return invalid;
  const labels = name.split(".");
  if (!labels.every((l) => DNS_LABEL.test(l))) return invalid;
  // An all-numeric last label is a mistyped IPv4 address ("10.0.0.256"), not a name.
  if (/^\d+$/.test(labels[labels.length - 1] ?? "")) return invalid;
  return [];
}

/** A host label: 1 to 64 characters, no whitespace or control characters. */
export function validateLabel(value: string, field: string): FieldViolation[] {
  if (value === "") return one(field, "is required");
  if (length(value) > 64) return one(field, "must be at most 64 characters");
  for (const c of value) {
    if (/[\s\p{Cc}]/u.test(c)) return one(field, `contains ${describeChar(c)}; whitespace and control characters are not allowed`);
  }
  return [];
}

const SERVICE_ID = /^[A-Za-z0-9_.-]*$/;

/**
 * A service id (also a daemon name): letters, digits, '_', '.' and '-', 1 to 64 characters,
 * or 0 to 64 when `allowEmpty`.
 */
export function validateServiceId(value: string, field: string, allowEmpty = false): FieldViolation[] {
  if (value === "") return allowEmpty ? [] : one(field, "is required");
  if (value.length > 64) return one(field, "must be at most 64 characters");
  if (!SERVICE_ID.test(value)) return one(field, "may contain only letters, digits, '_', '.' and '-'");
  return [];
}

/** A request id: at most 64 printable ASCII characters; empty means none. */
export function validateRequestId(value: string, field = "request_id"): FieldViolation[] {
  if (value.length > 64) return one(field, "must be at most 64 characters");
  if (!/^[\x20-\x7e]*$/.test(value)) return one(field, "may contain only printable ASCII characters");
  return [];
}

export function validatePageSize(value: number, field = "page_size"): FieldViolation[] {
  return value < 0 ? one(field, "must not be negative") : [];
}

/** A ts-proto enum object: names to numbers and numbers back to names. */
export type EnumObject = Record<string, string | number>;

/**
 * A value of a generated enum. UNRECOGNIZED (-1) and numbers outside the enum are invalid;
 * so is 0 (the UNSPECIFIED value) when `required`.
 */
export function validateEnum(value: number, enumObject: EnumObject, field: string, required = false): FieldViolation[] {
  const known = Object.values(enumObject).some((v) => typeof v === "number" && v >= 0 && v === value);
  if (!known) return one(field, `unknown value ${value}`);
  if (required && value === 0) return one(field, "is required");
  return [];
}

/** An absolute path without ".." components or NUL, at most `maxLength` characters. */
export function validateAbsolutePath(value: string, field: string, maxLength = 4096): FieldViolation[] {
  if (value === "") return one(field, "is required");
  if (value.includes("\0")) return one(field, "must not contain NUL characters");
  if (length(value) > maxLength) return one(field, `must be at most ${maxLength} characters`);
  if (!value.startsWith("/")) return one(field, `'${value}' is not an absolute path`);
  if (value.split("/").includes("..")) return one(field, "must not contain '..'");
  return [];
}

/** A write that names a service: its name and the request id. */
export function validateServiceWrite(req: { serviceName: string; requestId: string }): void {
  const v = new Violations();
  v.check(req.serviceName !== "", "service_name", "is required");
  v.addAll(validateString(req.serviceName, "service_name", 128));
  v.addAll(validateRequestId(req.requestId));
  v.throwIfAny();
}

/**
 * Validates a write that names a host and one more required field (`field`, checked by
 * `check` when given), and its request id: one ValidationError naming each bad field.
 */
export function validateHostWrite(
  hostname: string,
  field: string,
  value: string,
  check: (value: string, field: string) => FieldViolation[],
  requestId: string,
): void {
  const v = new Violations();
  v.addAll(validateHostname(hostname, "hostname"));
  if (v.check(value !== "", field, "is required")) v.addAll(check(value, field));
  v.addAll(validateRequestId(requestId));
  v.throwIfAny();
}
