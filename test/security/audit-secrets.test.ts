// The audit log (one line per write: who, what, the operation id, the outcome) and secret
// fields (the proto's (secret) option): never in any log line, at any level, whether the
// request succeeds or is refused, and never returned by DescribeServices.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { redactLine } from "../../src/logging.js";
import { apiRegistry } from "../../src/contract/descriptors.js";
import { CENSOR, redactSecrets, secretFields } from "../../src/contract/secrets.js";
import { STEP_KINDS } from "../../backends/sim/config.js";
import { Api, eventually, finalOp, firstOp, opsOf, refusal } from "../conformance/api.js";
import { type Harness, makeClients, startHarness } from "../support/harness.js";
import { TOKENS, capturingLogger, writeTokens } from "./helpers.js";

const SECRETS = { access: "AKIA-SECRET-ACCESS-1234", secret: "s3cr3t-KEY-value-5678", password: "hunter2-PASSWORD-9012" };

describe("secret fields", () => {
  it("are the fields the proto marks with (secret) = true", () => {
    expect(secretFields().map((f) => `${f.message}.${f.name}`).sort()).toEqual([
      "ceph_orchestrator.v1.IscsiSpec.api_password",
      "ceph_orchestrator.v1.RgwSpec.system_access_key",
      "ceph_orchestrator.v1.RgwSpec.system_secret_key",
    ]);
  });

  it("include every field whose name says it holds a password or key", () => {
    const marked = new Set(secretFields().map((f) => `${f.message}.${f.name}`));
    const named: string[] = [];
    for (const type of apiRegistry()) {
      if (type.kind !== "message" || !type.typeName.startsWith("ceph_orchestrator.")) continue;
      for (const f of type.fields) if (/password|secret|access_key|private_key|credential/.test(f.name)) named.push(`${type.typeName}.${f.name}`);
    }
    expect(named.filter((n) => !marked.has(n))).toEqual([]);
  });

  it("are removed at any depth, by proto and JSON name, and lines without them pass untouched", () => {
    const obj = { a: [{ b: { systemSecretKey: "x", system_access_key: "y", apiPassword: "" } }], keep: "z" };
    expect(redactSecrets(obj)).toEqual({ a: [{ b: { systemSecretKey: CENSOR, system_access_key: CENSOR, apiPassword: "" } }], keep: "z" });
    expect(obj.a[0]!.b.systemSecretKey).toBe("x");
    const plain = '{"level":30,"msg":"hello"}\n';
    expect(redactLine(plain)).toBe(plain);
    expect(redactLine('{"x":{"apiPassword":"p"}}\n')).toBe(`{"x":{"apiPassword":"${CENSOR}"}}\n`);
  });
});

describe("the audit log, and secrets over real gRPC", () => {
  let dir: string;
  let h: Harness;
  let logs: ReturnType<typeof capturingLogger>;
  const as = (token: string) => new Api(makeClients(h.address, { token }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orch-audit-"));
    writeTokens(join(dir, "tokens.yaml"), { alice: ["reader", TOKENS.reader], bob: ["operator", TOKENS.operator], carol: ["admin", TOKENS.admin] });
    logs = capturingLogger("trace");
    // An instant cluster, but for device lights, which take a minute: a light switched is
    // still running when it is cancelled.
    const delays = Object.fromEntries(STEP_KINDS.map((k) => [k, k === "deviceLight" ? 60_000 : 0]));
    h = await startHarness(["--backend-opt", `delays=${JSON.stringify(delays)}`, "--tokens-file", join(dir, "tokens.yaml")], {}, {}, logs.log);
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const audits = () => logs.lines().filter((l) => l.audit === true);

  it("logs a write once it ends: caller, role, method, request without secrets, operation id, outcome", async () => {
    const admin = as(TOKENS.admin);
    const op = await finalOp(
      admin.addStatelessService({
        requestId: "audit-rgw-1",
        spec: {
          serviceType: ServiceType.SERVICE_TYPE_RGW,
          serviceId: "audited",
          placement: { count: 1 },
          details: { $case: "rgw", value: { rgwRealm: "r", rgwZone: "z", systemAccessKey: SECRETS.access, systemSecretKey: SECRETS.secret } },
        },
      }),
    );
    expect(op.state).toBe(Operation_State.STATE_SUCCEEDED);
    const line = audits().find((l) => l.operationId === op.id);
    expect(line).toMatchObject({
      msg: "audit",
      caller: "carol",
      role: "admin",
      via: "token",
      method: "ceph_orchestrator.v1.ServiceService.AddStatelessService",
      outcome: "SUCCEEDED",
      requestId: "audit-rgw-1",
    });
    expect(line!.peer).toMatch(/127\.0\.0\.1/);
    const request = JSON.stringify(line!.request);
    expect(request).toContain(`"systemAccessKey":"${CENSOR}"`);
    expect(request).toContain(`"systemSecretKey":"${CENSOR}"`);
    expect(request).toContain(`"rgwRealm":"r"`);
    // A retry with the same request_id is audited too, as a retry of the same operation.
    await opsOf(admin.addStatelessService({
      requestId: "audit-rgw-1",
      spec: {
        serviceType: ServiceType.SERVICE_TYPE_RGW,
        serviceId: "audited",
        placement: { count: 1 },
        details: { $case: "rgw", value: { rgwRealm: "r", rgwZone: "z", systemAccessKey: SECRETS.access, systemSecretKey: SECRETS.secret } },
      },
    }));
    expect(audits().filter((l) => l.operationId === op.id).map((l) => l.retry)).toEqual([undefined, true]);
  });

  it("never returns the secrets (DescribeServices)", async () => {
    const services = await as(TOKENS.reader).describeServices({ serviceName: "rgw.audited" });
    const text = JSON.stringify(services);
    expect(text).toContain("audited");
    expect(text).not.toContain(SECRETS.access);
    expect(text).not.toContain(SECRETS.secret);
  });

  it("logs refused writes with their code: a wrong role, no credentials, invalid input (with a secret in it)", async () => {
    const denied = await refusal(as(TOKENS.reader).removeHost({ hostname: "node-3" }));
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    const anonymous = await refusal(new Api(makeClients(h.address)).removeHost({ hostname: "node-3" }));
    expect(anonymous.code).toBe(grpc.status.UNAUTHENTICATED);
    const invalid = await refusal(
      as(TOKENS.admin).addStatelessService({
        spec: { serviceType: ServiceType.SERVICE_TYPE_ISCSI, serviceId: "bad id!", details: { $case: "iscsi", value: { pool: "p", apiUser: "u", apiPassword: SECRETS.password } } },
      }),
    );
    expect(invalid.code).toBe(grpc.status.INVALID_ARGUMENT);
    const lines = audits();
    expect(lines).toContainEqual(expect.objectContaining({ caller: "alice", role: "reader", method: "ceph_orchestrator.v1.HostService.RemoveHost", outcome: "PERMISSION_DENIED" }));
    expect(lines).toContainEqual(expect.objectContaining({ caller: "(unauthenticated)", method: "ceph_orchestrator.v1.HostService.RemoveHost", outcome: "UNAUTHENTICATED" }));
    const bad = lines.find((l) => l.outcome === "INVALID_ARGUMENT" && l.method === "ceph_orchestrator.v1.ServiceService.AddStatelessService");
    expect(bad).toMatchObject({ caller: "carol" });
    expect(JSON.stringify(bad!.request)).toContain(`"apiPassword":"${CENSOR}"`);
  });

  it("logs CancelOperation, an operator's write, with the running operation it cancelled", async () => {
    const admin = as(TOKENS.admin);
    const s = admin.blinkDeviceLight({ light: LightType.LIGHT_TYPE_IDENT, on: true, locations: [{ hostname: "node-1", path: "/dev/nvme0n1" }] });
    const first = await firstOp(s);
    s.resume();
    const ended = opsOf(s);
    const running = async () => ((await admin.getOperation(first.id)).operation?.state === Operation_State.STATE_RUNNING ? true : undefined);
    await eventually(running, 10_000, "the light's operation RUNNING");
    const { operation } = await as(TOKENS.operator).cancelOperation(first.id);
    expect(operation).toMatchObject({ done: false, cancelRequested: true });
    expect((await ended).at(-1)?.state).toBe(Operation_State.STATE_CANCELLED);
    expect(audits()).toContainEqual(
      expect.objectContaining({
        caller: "bob",
        role: "operator",
        method: "ceph_orchestrator.v1.OperationService.CancelOperation",
        request: { id: first.id },
        operationId: first.id,
        outcome: "OK",
      }),
    );
    // The cancelled write's own line ends it as CANCELLED.
    const cancelled = () => audits().find((l) => l.operationId === first.id && String(l.method).endsWith("BlinkDeviceLight"));
    expect(await eventually(async () => cancelled(), 5_000, "the light's audit line")).toMatchObject({ caller: "carol", outcome: "CANCELLED" });
    // Reads are not audited.
    await as(TOKENS.reader).listHosts();
    expect(audits().some((l) => String(l.method).endsWith("ListHosts"))).toBe(false);
  });

  it("never wrote a secret to the log, at trace level", () => {
    const text = logs.text();
    expect(text.length).toBeGreaterThan(1000);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    // Nor the tokens.
    for (const token of Object.values(TOKENS)) expect(text).not.toContain(token);
  });
});
