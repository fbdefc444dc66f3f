// Helpers of the security tests: token files, raw health and reflection calls, and a log
// that tests can read.
import { renameSync, writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import type { ClientSecurityOptions } from "../../clients/ts/credentials.js";
import { clientSecurity } from "../../clients/ts/credentials.js";
import { createLogger } from "../../src/logging.js";
import { hashToken } from "../../src/security/identities.js";

export const TOKENS = { reader: "reader-token-0123456789", operator: "operator-token-0123456789", admin: "admin-token-0123456789" } as const;

/** Writes a tokens file with the given name → [role, token] entries. */
export function writeTokens(path: string, entries: Record<string, [string, string]>): void {
  const lines = ["tokens:"];
  for (const [name, [role, token]] of Object.entries(entries)) lines.push(`  - { name: ${name}, role: ${role}, sha256: ${hashToken(token)} }`);
  // Atomic, as an operator would: write aside, then rename.
  writeFileSync(`${path}.tmp`, `${lines.join("\n")}\n`);
  renameSync(`${path}.tmp`, path);
}

const identity = (b: Buffer) => b;

/** grpc.health.v1.Health/Check for the whole server: the status number (1 SERVING), or the error. */
export function healthCheck(address: string, security: ClientSecurityOptions = {}): Promise<number | grpc.ServiceError> {
  const { credentials, options } = clientSecurity(security);
  const c = new grpc.Client(address, credentials, options);
  return new Promise((resolve) => {
    c.makeUnaryRequest("/grpc.health.v1.Health/Check", identity, identity, Buffer.alloc(0), (err, res) => {
      c.close();
      // HealthCheckResponse { status = 1 } is 0x08 <status>.
      resolve(err ?? (res && res.length >= 2 ? res[1]! : 0));
    });
  });
}

/** grpc.reflection.v1 list_services: OK (the raw answer) or the error. */
export function reflectionList(address: string, security: ClientSecurityOptions = {}): Promise<Buffer | grpc.ServiceError> {
  const { credentials, options } = clientSecurity(security);
  const c = new grpc.Client(address, credentials, options);
  return new Promise((resolve) => {
    const s = c.makeBidiStreamRequest("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", identity, identity);
    let done = false;
    const finish = (v: Buffer | grpc.ServiceError) => {
      if (done) return;
      done = true;
      c.close();
      resolve(v);
    };
    s.on("data", (m: Buffer) => {
      s.end();
      finish(m);
    });
    s.on("error", (e: grpc.ServiceError) => finish(e));
    s.on("end", () => finish(Buffer.alloc(0)));
    // ServerReflectionRequest { list_services = 7: "" }
    s.write(Buffer.from([0x3a, 0x00]));
  });
}

/** A logger whose lines the test reads: `lines()` parses them, `text()` is everything. */
export function capturingLogger(level = "trace"): { log: Logger; text(): string; lines(): Record<string, unknown>[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger(level, sink);
  const text = () => chunks.join("");
  return {
    log,
    text,
    lines: () =>
      text()
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
