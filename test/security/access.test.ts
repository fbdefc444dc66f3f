// Authentication and roles over real gRPC: every RPC of the API called by every kind of
// caller (no credentials, a wrong token, reader, operator, admin), with bearer tokens and
// with client certificates (mutual TLS). Allowed calls get past the checks (whatever the
// RPC then answers to an empty request); denied ones answer UNAUTHENTICATED or
// PERMISSION_DENIED with ErrorInfo and change nothing. Health stays open; reflection needs
// a reader unless --reflection-public. Tokens are revoked and added by rewriting the file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientSecurityOptions } from "../../clients/ts/credentials.js";
import { RPC_ACCESS, type Role, roleAllows } from "../../src/security/roles.js";
import { Api, type RpcError, allRpcs, clusterSnapshot, emptyRequest, eventually, rawCall } from "../conformance/api.js";
import { TestPki } from "../support/certs.js";
import { type Harness, makeClients, startHarness } from "../support/harness.js";
import { TOKENS, healthCheck, reflectionList, writeTokens } from "./helpers.js";

const DOMAIN = "orchestrator.ceph.io";
type Who = "nobody" | "stranger" | Role;

/** Calls every RPC with an empty request as `security`, and checks each answer against `who`'s role. */
async function checkEveryRpc(h: Harness, who: Who, security: ClientSecurityOptions, denyCode: "UNAUTHENTICATED" | "PERMISSION_DENIED"): Promise<void> {
  const clients = makeClients(h.address, security);
  const problems: string[] = [];
  try {
    for (const rpc of allRpcs()) {
      const required = RPC_ACCESS[rpc.fullName]!.role;
      const allowed = who !== "nobody" && who !== "stranger" && roleAllows(who, required);
      const out = await rawCall(clients[rpc.client], rpc, emptyRequest(rpc), { deadlineMs: 10_000 });
      const code = out.ok ? "OK" : grpc.status[out.error.code];
      if (allowed) {
        if (code === "UNAUTHENTICATED" || code === "PERMISSION_DENIED") problems.push(`${rpc.fullName}: ${who} was refused: ${code}`);
        continue;
      }
      const expected = who === "nobody" || who === "stranger" ? "UNAUTHENTICATED" : denyCode;
      if (out.ok) {
        problems.push(`${rpc.fullName}: ${who} was let in (needs ${required})`);
        continue;
      }
      const e: RpcError = out.error;
      if (code !== expected) problems.push(`${rpc.fullName}: ${who} got ${code}, want ${expected}`);
      if (e.info?.domain !== DOMAIN || !e.info.reason) problems.push(`${rpc.fullName}: no ErrorInfo (${JSON.stringify(e.info)})`);
      if (out.messages.length > 0) problems.push(`${rpc.fullName}: a refused write sent ${out.messages.length} messages`);
      if (expected === "PERMISSION_DENIED") {
        expect(e.info?.reason).toBe("PERMISSION_DENIED");
        expect(e.info?.metadata).toMatchObject({ role: who, requiredRole: required, method: rpc.fullName });
      }
    }
  } finally {
    for (const c of Object.values(clients)) (c as grpc.Client).close();
  }
  expect(problems).toEqual([]);
}

describe("bearer tokens", () => {
  let dir: string;
  let tokensFile: string;
  let h: Harness;
  let admin: Api;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orch-auth-"));
    tokensFile = join(dir, "tokens.yaml");
    writeTokens(tokensFile, { alice: ["reader", TOKENS.reader], bob: ["operator", TOKENS.operator], carol: ["admin", TOKENS.admin] });
    h = await startHarness(["--backend-opt", "delays=0", "--tokens-file", tokensFile, "--reload-interval", "100"]);
    admin = new Api(makeClients(h.address, { token: TOKENS.admin }));
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [Who, ClientSecurityOptions][] = [
    ["nobody", {}],
    ["stranger", { token: "not-a-known-token" }],
    ["reader", { token: TOKENS.reader }],
    ["operator", { token: TOKENS.operator }],
    ["admin", { token: TOKENS.admin }],
  ];
  for (const [who, security] of cases) {
    it(`every RPC, as ${who}: allowed by the role table, or refused before anything changes`, async () => {
      const before = await clusterSnapshot(admin, () => true);
      await checkEveryRpc(h, who, security, "PERMISSION_DENIED");
      if (who !== "admin" && who !== "operator") expect(await clusterSnapshot(admin, () => true)).toEqual(before);
    });
  }

  it("refuses a malformed authorization header", async () => {
    const api = new Api(makeClients(h.address));
    for (const value of ["Basic abc", "Bearer", "Bearer two words", TOKENS.admin]) {
      const md = new grpc.Metadata();
      md.set("authorization", value);
      await expect(api.listHosts({}, { metadata: md })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    }
    // The scheme is case-insensitive.
    const lower = new grpc.Metadata();
    lower.set("authorization", `bearer ${TOKENS.reader}`);
    expect((await api.listHosts({}, { metadata: lower })).hosts.length).toBeGreaterThan(0);
  });

  it("answers any other authorization header UNAUTHENTICATED, never anything else (fuzzed)", async () => {
    const api = new Api(makeClients(h.address));
    const header = fc.oneof(
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
      fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 5000 }).map((t) => `Bearer ${t}`),
      fc.constantFrom(`Bearer ${TOKENS.admin} `, `Bearer  ${TOKENS.admin}`, `Bearer ${TOKENS.admin.slice(0, -1)}`, `Bearer ${TOKENS.admin}x`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (value) => {
        const md = new grpc.Metadata();
        md.set("authorization", value);
        const e = await api.listHosts({}, { metadata: md }).then(() => undefined, (err: grpc.ServiceError) => err);
        expect(e?.code, value).toBe(grpc.status.UNAUTHENTICATED);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps health open to everyone; reflection needs a reader", async () => {
    expect(await healthCheck(h.address)).toBe(1);
    const anonymous = await reflectionList(h.address);
    expect((anonymous as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    const reader = await reflectionList(h.address, { token: TOKENS.reader });
    expect(Buffer.isBuffer(reader) && reader.toString("latin1")).toContain("ceph_orchestrator.v1.HostService");
  });

  it("revokes a token when the file is rewritten, takes a new one, and keeps the last good file over a broken one", async () => {
    const reader = new Api(makeClients(h.address, { token: TOKENS.reader }));
    expect((await reader.listHosts()).hosts.length).toBeGreaterThan(0);
    // Revoke alice, add dave.
    writeTokens(tokensFile, { bob: ["operator", TOKENS.operator], carol: ["admin", TOKENS.admin], dave: ["reader", "dave-token-0123456789"] });
    await eventually(async () => ((await reader.listHosts().then(() => false, (e: grpc.ServiceError) => e.code === grpc.status.UNAUTHENTICATED)) ? true : undefined), 5000, "the revocation");
    const dave = new Api(makeClients(h.address, { token: "dave-token-0123456789" }));
    expect((await dave.listHosts()).hosts.length).toBeGreaterThan(0);
    // A broken file changes nothing.
    writeFileSync(tokensFile, "tokens: [ { name: x, role: superuser, sha256: 00 } ]\n");
    h.server.reload();
    expect((await dave.listHosts()).hosts.length).toBeGreaterThan(0);
    await expect(reader.listHosts()).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    // The admin's token was never affected.
    expect((await admin.listHosts()).hosts.length).toBeGreaterThan(0);
  });
});

describe("client certificates (mutual TLS)", () => {
  let pki: TestPki;
  let h: Harness;
  const client = (name: string): ClientSecurityOptions => ({ ca: pki.read("ca").cert, ...pki.read(name) });

  beforeAll(async () => {
    pki = new TestPki();
    pki.ca("ca");
    pki.ca("other-ca");
    pki.server("server", "ca");
    pki.client("reader", "ca", "reader-client");
    pki.client("operator", "ca", "ops", ["URI:spiffe://test/operator"]);
    pki.client("admin", "ca", "some-admin", ["DNS:admin.test"]);
    pki.client("unmapped", "ca", "nobody-we-know");
    pki.client("foreign", "other-ca", "reader-client");
    writeFileSync(
      pki.path("roles.yaml"),
      [
        "clients:",
        "  - { name: reader-bot, role: reader, identity: 'CN=reader-client' }",
        "  - { name: ops-bot, role: operator, identity: 'URI:spiffe://test/operator' }",
        "  - { name: admin-bot, role: admin, identity: 'DNS:admin.test' }",
      ].join("\n"),
    );
    h = await startHarness([
      "--backend-opt", "delays=0",
      "--tls-cert", pki.path("server.crt"), "--tls-key", pki.path("server.key"),
      "--tls-client-ca", pki.path("ca.crt"), "--client-roles", pki.path("roles.yaml"),
    ], {}, client("admin"));
  });
  afterAll(async () => {
    await h?.stop();
    pki?.cleanup();
  });

  for (const who of ["reader", "operator", "admin"] as const) {
    it(`every RPC, as the ${who} certificate`, async () => {
      await checkEveryRpc(h, who, client(who), "PERMISSION_DENIED");
    });
  }

  it("a valid certificate without a role is denied everything but health", async () => {
    const api = new Api(makeClients(h.address, client("unmapped")));
    const e = await api.listHosts().catch((err: grpc.ServiceError) => err);
    expect((e as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(await healthCheck(h.address, client("unmapped"))).toBe(1);
  });

  it("refuses a client certificate from an unknown CA, and a client without one, at the handshake", async () => {
    for (const security of [client("foreign"), { ca: pki.read("ca").cert }]) {
      const api = new Api(makeClients(h.address, security));
      const e = (await api.getStatus({ deadlineMs: 5000 }).catch((err: grpc.ServiceError) => err)) as grpc.ServiceError;
      expect(e.code, e.details).toBe(grpc.status.UNAVAILABLE);
    }
  });
});

describe("client certificates optional beside tokens (--tls-require-client-cert=false)", () => {
  let pki: TestPki;
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    pki = new TestPki();
    pki.ca("ca");
    pki.ca("other-ca");
    pki.server("server", "ca");
    pki.client("admin", "ca", "admin-client");
    pki.client("foreign", "other-ca", "admin-client");
    writeFileSync(pki.path("roles.yaml"), "clients:\n  - { name: admin-bot, role: admin, identity: 'CN=admin-client' }\n");
    dir = mkdtempSync(join(tmpdir(), "orch-auth-"));
    writeTokens(join(dir, "tokens.yaml"), { alice: ["reader", TOKENS.reader] });
    h = await startHarness([
      "--backend-opt", "delays=0",
      "--tls-cert", pki.path("server.crt"), "--tls-key", pki.path("server.key"),
      "--tls-client-ca", pki.path("ca.crt"), "--client-roles", pki.path("roles.yaml"),
      "--tls-require-client-cert=false", "--tokens-file", join(dir, "tokens.yaml"),
    ], {}, { ca: pki.read("ca").cert });
  });
  afterAll(async () => {
    await h?.stop();
    pki?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets a token caller in without a certificate, and ignores a certificate from an unknown CA", async () => {
    const ca = pki.read("ca").cert;
    expect((await new Api(makeClients(h.address, { ca, token: TOKENS.reader })).listHosts()).hosts.length).toBeGreaterThan(0);
    const nobody = await new Api(makeClients(h.address, { ca })).listHosts().catch((e: grpc.ServiceError) => e);
    expect((nobody as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    // Connected (the handshake does not check), but the foreign certificate names nobody.
    const foreign = await new Api(makeClients(h.address, { ca, ...pki.read("foreign") })).listHosts().catch((e: grpc.ServiceError) => e);
    expect((foreign as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    const admin = new Api(makeClients(h.address, { ca, ...pki.read("admin") }));
    expect((await admin.getCapabilities()).rpcs.length).toBeGreaterThan(0);
    // A token wins over a certificate: the reader's token with the admin's certificate is a reader.
    const both = new Api(makeClients(h.address, { ca, ...pki.read("admin"), token: TOKENS.reader }));
    const s = both.removeHost({ hostname: "node-3" });
    const e = await new Promise<grpc.ServiceError>((resolve) => {
      s.on("error", resolve);
      s.on("data", () => undefined);
    });
    expect(e.code).toBe(grpc.status.PERMISSION_DENIED);
  });
});
