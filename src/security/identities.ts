// Who a caller is: a bearer token from the tokens file, or a client certificate mapped to
// a role by the client roles file. Both files are YAML (JSON is YAML too) and reloaded
// when they change (WatchedFile).
import { createHash } from "node:crypto";
import type { PeerCertificate } from "node:tls";
import type * as grpc from "@grpc/grpc-js";
import { parse as parseYaml } from "yaml";
import { PermissionDeniedError, UnauthenticatedError } from "../domain/errors.js";
import { ROLES, type Role, isRole, roleAllows } from "./roles.js";

/** An authenticated caller. */
export interface Caller {
  /** The token's or the client's name; "anonymous" when authentication is off. */
  name: string;
  /** Undefined for a client whose certificate is valid but has no role. */
  role: Role | undefined;
  /** How it was authenticated. */
  via: "token" | "certificate" | "none";
  /** The peer address. */
  peer: string;
}

export interface TokenEntry {
  name: string;
  role: Role;
  /** Lower-case hex SHA-256 of the token. */
  sha256: string;
}

export interface ClientEntry {
  name: string;
  role: Role;
  /** "CN=<common name>", or a subjectAltName entry: "DNS:<name>", "URI:<uri>", "IP Address:<ip>", "email:<address>". */
  identity: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@:=+-]{0,127}$/;

function entries(text: string, key: string, fields: readonly string[]): Record<string, unknown>[] {
  const doc = parseYaml(text) as unknown;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`expected a mapping with '${key}:'`);
  const extra = Object.keys(doc).filter((k) => k !== key);
  if (extra.length > 0) throw new Error(`unknown key '${extra[0]}'; expected only '${key}:'`);
  const list = (doc as Record<string, unknown>)[key] ?? [];
  if (!Array.isArray(list)) throw new Error(`'${key}' must be a list`);
  return list.map((item, i) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) throw new Error(`${key}[${i}]: expected a mapping`);
    for (const k of Object.keys(item)) if (!fields.includes(k)) throw new Error(`${key}[${i}]: unknown key '${k}'; known: ${fields.join(", ")}`);
    return item as Record<string, unknown>;
  });
}

function checkNameAndRole(e: Record<string, unknown>, at: string, names: Set<string>): { name: string; role: Role } {
  if (typeof e.name !== "string" || !NAME.test(e.name)) throw new Error(`${at}.name: 1 to 128 of letters, digits and ._@:=+- (starting with a letter or digit)`);
  if (names.has(e.name)) throw new Error(`${at}.name: '${e.name}' appears twice`);
  names.add(e.name);
  if (!isRole(e.role)) throw new Error(`${at}.role: one of ${ROLES.join(", ")}`);
  return { name: e.name, role: e.role };
}

/**
 * The tokens file:
 *   tokens:
 *     - { name: ci, role: reader, sha256: <hex SHA-256 of the token> }
 */
export function parseTokensFile(text: string): Map<string, TokenEntry> {
  const out = new Map<string, TokenEntry>();
  const names = new Set<string>();
  entries(text, "tokens", ["name", "role", "sha256"]).forEach((e, i) => {
    const at = `tokens[${i}]`;
    const { name, role } = checkNameAndRole(e, at, names);
    if (typeof e.sha256 !== "string" || !/^[0-9a-fA-F]{64}$/.test(e.sha256)) throw new Error(`${at}.sha256: the token's SHA-256, 64 hex digits`);
    const sha256 = e.sha256.toLowerCase();
    if (out.has(sha256)) throw new Error(`${at}.sha256: the same token as '${out.get(sha256)!.name}'`);
    out.set(sha256, { name, role, sha256 });
  });
  return out;
}

const IDENTITY = /^(CN=.+|DNS:.+|URI:.+|IP Address:.+|email:.+)$/;

/**
 * The client roles file:
 *   clients:
 *     - { name: ops-bot, role: operator, identity: "CN=ops-bot" }
 *     - { name: upgrader, role: admin, identity: "URI:spiffe://example.org/upgrader" }
 */
export function parseClientRolesFile(text: string): ClientEntry[] {
  const names = new Set<string>();
  return entries(text, "clients", ["name", "role", "identity"]).map((e, i) => {
    const at = `clients[${i}]`;
    const { name, role } = checkNameAndRole(e, at, names);
    if (typeof e.identity !== "string" || !IDENTITY.test(e.identity)) {
      throw new Error(`${at}.identity: "CN=<common name>", "DNS:<name>", "URI:<uri>", "IP Address:<ip>" or "email:<address>"`);
    }
    return { name, role, identity: e.identity };
  });
}

/** The SHA-256 (hex) of a token, as the tokens file holds it. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The identities a verified client certificate carries: its CN and each subjectAltName entry. */
export function certificateIdentities(cert: PeerCertificate): string[] {
  const out: string[] = [];
  const cn = cert.subject?.CN as string | string[] | undefined;
  for (const c of Array.isArray(cn) ? cn : cn ? [cn] : []) out.push(`CN=${c}`);
  for (const san of (cert.subjectaltname ?? "").split(", ")) if (san) out.push(san);
  return out;
}

export interface AuthSources {
  /** The current tokens, by SHA-256; undefined when no tokens file is configured. */
  tokens?: () => ReadonlyMap<string, TokenEntry>;
  /** The current client roles; undefined when client certificates are not used. */
  clients?: () => readonly ClientEntry[];
}

export const ANONYMOUS = "anonymous";

/** Authentication and authorization of calls. Off (everyone is an anonymous admin) without sources. */
export class Authenticator {
  constructor(private readonly sources: AuthSources) {}

  get enabled(): boolean {
    return this.sources.tokens !== undefined || this.sources.clients !== undefined;
  }

  /**
   * The caller of a call: its bearer token, else its verified client certificate. Throws
   * UnauthenticatedError when authentication is on and neither identifies it.
   */
  authenticate(metadata: grpc.Metadata, certificate: PeerCertificate | undefined, peer: string): Caller {
    if (!this.enabled) return { name: ANONYMOUS, role: "admin", via: "none", peer };
    const header = metadata.get("authorization");
    if (header.length > 0) {
      if (header.length > 1) throw new UnauthenticatedError("more than one authorization header", "INVALID_TOKEN");
      const value = String(header[0]);
      const m = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(value);
      if (!m) throw new UnauthenticatedError("the authorization header must be 'Bearer <token>'", "INVALID_TOKEN");
      const entry = this.sources.tokens?.().get(hashToken(m[1]!));
      if (!entry) throw new UnauthenticatedError("unknown or revoked token", "INVALID_TOKEN");
      return { name: entry.name, role: entry.role, via: "token", peer };
    }
    if (certificate && this.sources.clients) {
      const ids = certificateIdentities(certificate);
      const client = this.sources.clients().find((c) => ids.includes(c.identity));
      const name = client?.name ?? ids[0] ?? "unnamed certificate";
      return { name, role: client?.role, via: "certificate", peer };
    }
    throw new UnauthenticatedError(
      this.sources.tokens ? "authentication required: send 'authorization: Bearer <token>'" + (this.sources.clients ? " or a client certificate" : "") : "authentication required: a client certificate",
      "NO_CREDENTIALS",
    );
  }

  /** Throws PermissionDeniedError unless the caller's role allows `required`. */
  authorize(caller: Caller, required: Role, method: string): void {
    if (caller.role && roleAllows(caller.role, required)) return;
    const what = caller.role ? `role ${caller.role}` : "no role";
    throw new PermissionDeniedError(`${caller.name} (${what}) may not call ${method}: it needs the ${required} role`, caller.name, caller.role ?? "none", required, method);
  }
}
