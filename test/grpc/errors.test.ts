// Every upstream error case of the error table (orchestrator_service.proto) over real gRPC:
// its code, its ErrorInfo (reason, domain, metadata), its other details, and that a refused
// request changes nothing; plus failures while an operation executes, which end the
// operation FAILED while the stream ends OK.
import { randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { DriveGroupSpec_Objectstore } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import { DaemonDescription_Status as DS, ServiceAction, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { Code } from "../../gen/ts/google/rpc/code.js";
import {
  Api,
  type RpcError,
  allRpcs,
  clusterSnapshot,
  duration,
  emptyRequest,
  opError,
  opsOf,
  rawCall,
  refusal,
  rejection,
  requestFromPartial,
  requestsNamingNothing,
} from "../conformance/api.js";
import { type Harness, startHarness } from "../support/harness.js";
import { PARTIAL_RPCS, PARTIAL_SECRET } from "./fixtures/partial-backend.js";
import { type Sim, startSim } from "./helpers.js";

const DOMAIN = "orchestrator.ceph.io";
const PARTIAL = "test/grpc/fixtures/partial-backend.ts";

function expectError(e: RpcError, code: grpc.status, reason: string, what?: string): void {
  expect({ code: grpc.status[e.code], reason: e.info?.reason, domain: e.info?.domain }, what ?? e.message).toEqual({
    code: grpc.status[code],
    reason,
    domain: DOMAIN,
  });
  // The details trailer's status agrees with the call's.
  expect(e.statusCode).toBe(code);
  expect(e.status?.message).toBe(e.message);
}

/** A request for each RPC that passes validation and names nothing that exists. */
const VALID = requestsNamingNothing("*");

describe("NO_BACKEND: started with --backend none", () => {
  let h: Harness;
  let api: Api;
  beforeAll(async () => {
    h = await startHarness(["--backend", "none"]);
    api = new Api(h);
  });
  afterAll(async () => h?.stop());

  it("GetStatus answers available=false with a reason", async () => {
    const s = await api.getStatus();
    expect(s.available).toBe(false);
    expect(s.reason).toMatch(/backend/i);
    expect(s.backend).toBe("");
  });

  it("every other RPC, read or write, answers FAILED_PRECONDITION (NO_BACKEND) with a PreconditionFailure", async () => {
    const seen: string[] = [];
    for (const rpc of allRpcs()) {
      const key = rpc.name;
      if (key === "OrchestratorService.GetStatus") continue;
      const out = await rawCall(h[rpc.client] as unknown as grpc.Client, rpc, requestFromPartial(rpc, VALID[key]));
      expect(out.ok, `${key} answered OK without a backend`).toBe(false);
      if (out.ok) continue;
      expect(grpc.status[out.error.code], `${key}: ${out.error.message}`).toBe("FAILED_PRECONDITION");
      expectError(out.error, grpc.status.FAILED_PRECONDITION, "NO_BACKEND");
      expect(out.error.precondition?.violations.map((v) => v.subject)).toEqual(["backend"]);
      expect(out.messages, `${key} streamed before refusing`).toEqual([]);
      seen.push(key);
    }
    expect(seen).toHaveLength(allRpcs().length - 1);
  });
});

describe("UNIMPLEMENTED and UNSUPPORTED_OPTION: a backend lacking RPCs and options (test fake)", () => {
  let h: Harness;
  let api: Api;
  beforeAll(async () => {
    h = await startHarness(["--backend", PARTIAL]);
    api = new Api(h);
  });
  afterAll(async () => h?.stop());

  const SUPPORTED = PARTIAL_RPCS.map((m) => `ceph_orchestrator.v1.${m}`);

  it("GetCapabilities reports exactly what the fake implements, and its unsupported option", async () => {
    const c = await api.getCapabilities();
    expect(c.backend).toBe("partial");
    expect(c.version).toBe("0.0.1-test");
    expect(c.rpcs.filter((r) => r.supported).map((r) => r.method).sort()).toEqual([...SUPPORTED].sort());
    expect(c.rpcs.find((r) => r.method.endsWith("OsdService.CreateOsds"))?.unsupportedOptions).toEqual(["spec.encrypted"]);
    expect(c.rpcs.find((r) => r.method.endsWith("OsdService.PreviewOsds"))?.unsupportedOptions).toEqual(["spec.encrypted"]);
    expect(c.rpcs.filter((r) => r.unsupportedOptions.length > 0)).toHaveLength(2);
  });

  it("each RPC the fake lacks answers UNIMPLEMENTED (BACKEND_UNSUPPORTED) naming backend and method", async () => {
    const unsupported = allRpcs().filter((r) => !SUPPORTED.includes(r.fullName));
    expect(unsupported.length).toBe(allRpcs().length - SUPPORTED.length);
    for (const rpc of unsupported) {
      const key = rpc.name;
      const req = requestsNamingNothing("p-1")[key];
      const out = await rawCall(h[rpc.client] as unknown as grpc.Client, rpc, requestFromPartial(rpc, req));
      expect(out.ok, key).toBe(false);
      if (out.ok) continue;
      expectError(out.error, grpc.status.UNIMPLEMENTED, "BACKEND_UNSUPPORTED", `${key}: ${out.error.message}`);
      expect(out.error.info?.metadata).toEqual({ backend: "partial", method: rpc.fullName });
      expect(out.error.message).toContain(rpc.fullName);
      expect(out.messages).toEqual([]);
    }
  });

  it("the RPCs it has work: ListHosts, GetInventory, CreateOsds", async () => {
    expect((await api.listHosts()).hosts.map((h) => h.hostname)).toEqual(["p-1", "p-2"]);
    const op = (await opsOf(api.createOsds({ spec: { hostPattern: "p-1", dataDevices: { paths: ["/dev/vdb"] } } }))).at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    const dev = (await api.getInventory({ hostnames: ["p-1"] })).hosts[0]!.devices.find((d) => d.path === "/dev/vdb");
    expect(dev?.available).toBe(false);
  });

  it("an option it lacks is INVALID_ARGUMENT (UNSUPPORTED_OPTION) naming the field, and nothing is created", async () => {
    const supported = (rpc: string) => SUPPORTED.includes(`ceph_orchestrator.v1.${rpc}`);
    const before = await clusterSnapshot(api, supported);
    const e = await refusal(api.createOsds({ spec: { hostPattern: "p-2", dataDevices: { paths: ["/dev/vdc"] }, encrypted: true } }));
    expectError(e, grpc.status.INVALID_ARGUMENT, "UNSUPPORTED_OPTION");
    expect(e.fields).toEqual(["spec.encrypted"]);
    expect(e.info?.metadata).toMatchObject({ backend: "partial", field: "spec.encrypted" });
    expect(e.messages).toEqual([]);
    expect(await clusterSnapshot(api, supported)).toEqual(before);
    // The option at its default is fine.
    const ok = (await opsOf(api.createOsds({ spec: { hostPattern: "p-2", dataDevices: { paths: ["/dev/vdc"] }, encrypted: false } }))).at(-1)!;
    expect(ok.state).toBe(S.STATE_SUCCEEDED);
  });

  it("a read checks the options it lacks too: PreviewOsds with spec.encrypted is UNSUPPORTED_OPTION, without it a plan", async () => {
    const e = await rejection(api.previewOsds({ spec: { hostPattern: "p-1", dataDevices: { paths: ["/dev/vdb"] }, encrypted: true } }));
    expectError(e, grpc.status.INVALID_ARGUMENT, "UNSUPPORTED_OPTION");
    expect(e.fields).toEqual(["spec.encrypted"]);
    const plan = await api.previewOsds({ spec: { hostPattern: "p-1", dataDevices: { paths: ["/dev/vdb"] } } });
    expect(plan.hosts.map((h) => h.hostname)).toEqual(["p-1"]);
  });

  it("an RPC the fake lacks answers UNIMPLEMENTED whatever the request (even an empty one)", async () => {
    for (const rpc of allRpcs().filter((r) => !SUPPORTED.includes(r.fullName))) {
      const out = await rawCall(h[rpc.client] as unknown as grpc.Client, rpc, emptyRequest(rpc));
      expect(out.ok ? "OK" : grpc.status[out.error.code], `${rpc.fullName}`).toBe("UNIMPLEMENTED");
    }
  });
});

describe("INTERNAL: an unexpected backend error", () => {
  let h: Harness;
  let api: Api;
  beforeAll(async () => {
    h = await startHarness(["--backend", PARTIAL, "--backend-opt", "boom=true"]);
    api = new Api(h);
  });
  afterAll(async () => h?.stop());

  function expectNoLeak(e: RpcError): void {
    expectError(e, grpc.status.INTERNAL, "INTERNAL");
    expect(e.message).toBe("internal error");
    const everything = JSON.stringify({ m: e.message, s: e.status, info: e.info }) + Buffer.from(JSON.stringify(e.status ?? {})).toString();
    expect(everything).not.toContain(PARTIAL_SECRET);
    expect(everything).not.toMatch(/\bat .*:\d+:\d+/);
    expect(everything).not.toContain("TypeError");
    expect(e.info?.metadata).toEqual({});
  }

  it("is INTERNAL 'internal error' without the message or the stack, on a read", async () => {
    expectNoLeak(await rejection(api.getInventory({ hostnames: ["p-boom"] })));
    expectNoLeak(await rejection(api.previewOsds({ spec: { hostPattern: "p-boom", dataDevices: { all: true } } })));
  });

  it("is INTERNAL without details when a write is refused by it, and no operation exists", async () => {
    const count = (await api.listOperations()).totalSize;
    const e = await refusal(api.createOsds({ spec: { hostPattern: "p-boom", dataDevices: { all: true } } }));
    expectNoLeak(e);
    expect(e.messages).toEqual([]);
    expect((await api.listOperations()).totalSize).toBe(count);
  });

  it("leaves the server serving", async () => {
    expect((await api.getStatus()).available).toBe(true);
    expect((await api.getInventory({ hostnames: ["p-1"] })).hosts).toHaveLength(1);
  });
});

describe("errors of the sim's own cases", () => {
  let sim: Sim;
  let api: Api;
  const all = () => true;
  beforeAll(async () => {
    sim = await startSim();
    api = sim.api;
  });
  afterAll(async () => sim?.stop());

  describe("INVALID_ARGUMENT (INVALID_FIELD) with BadRequest naming each field; nothing changes", () => {
    const cases: { name: string; call: () => unknown; fields: string[]; description?: RegExp }[] = [
      { name: "hostname with a space", call: () => api.addHost({ host: { hostname: "node 9" } }), fields: ["host.hostname"], description: /U\+0020/ },
      { name: "hostname with a slash", call: () => api.removeHost({ hostname: "node/1" }), fields: ["hostname"], description: /'\/'/ },
      { name: "hostname with a NUL byte", call: () => api.addHostLabel({ hostname: "node-1\0", label: "x" }), fields: ["hostname"], description: /U\+0000/ },
      { name: "label with a NUL byte", call: () => api.addHostLabel({ hostname: "node-1", label: "a\0b" }), fields: ["label"], description: /U\+0000/ },
      { name: "hostname starting with '-'", call: () => api.addHost({ host: { hostname: "-node" } }), fields: ["host.hostname"] },
      { name: "hostname of 254 characters", call: () => api.addHost({ host: { hostname: "n".repeat(254) } }), fields: ["host.hostname"] },
      { name: "request_id with a control character", call: () => api.addHostLabel({ hostname: "node-1", label: "x", requestId: "a\tb" }), fields: ["request_id"] },
      { name: "negative page_size (hosts)", call: () => api.listHosts({ pageSize: -1 }), fields: ["page_size"] },
      { name: "negative page_size (daemons)", call: () => api.listDaemons({ pageSize: -1 }), fields: ["page_size"] },
      { name: "negative page_size (services)", call: () => api.describeServices({ pageSize: -1 }), fields: ["page_size"] },
      { name: "negative page_size (operations)", call: () => api.listOperations({ pageSize: -1 }), fields: ["page_size"] },
      { name: "a forged page_token", call: () => api.listHosts({ pageToken: "AAAAAAAA" }), fields: ["page_token"] },
      { name: "bad size '10X'", call: () => api.createOsds({ spec: { hostPattern: "*", dataDevices: { size: "10X" } } }), fields: ["spec.data_devices.size"], description: /10X/ },
      { name: "bad size in a preview", call: () => api.previewOsds({ spec: { hostPattern: "*", dataDevices: { size: "10X" } } }), fields: ["spec.data_devices.size"] },
      { name: "inverted size range", call: () => api.previewOsds({ spec: { hostPattern: "*", dataDevices: { size: "2T:10G" } } }), fields: ["spec.data_devices.size"] },
      { name: "enum value 99 (action)", call: () => api.daemonAction({ action: 99 as ServiceAction, daemonName: "mon.node-1" }), fields: ["action"], description: /99/ },
      { name: "enum value 99 (light)", call: () => api.blinkDeviceLight({ light: 99 as LightType, locations: [{ hostname: "node-1", path: "/dev/sdc" }] }), fields: ["light"] },
      { name: "enum value 99 (objectstore)", call: () => api.createOsds({ spec: { hostPattern: "*", dataDevices: { all: true }, objectstore: 99 as DriveGroupSpec_Objectstore } }), fields: ["spec.objectstore"] },
      {
        name: "drive group pattern that matches no host",
        call: () => api.createOsds({ spec: { hostPattern: "storage-*", dataDevices: { all: true } } }),
        fields: ["spec.host_pattern"],
        description: /does not match any hosts/,
      },
      { name: "osds_per_device -1", call: () => api.createOsds({ spec: { hostPattern: "*", dataDevices: { all: true }, osdsPerDevice: -1 } }), fields: ["spec.osds_per_device"] },
      {
        name: "several problems at once, each named",
        call: () => api.createOsds({ spec: { serviceId: "bad id", hostPattern: "", dataDevices: { size: "1Q" }, dbSlots: -1 }, requestId: "é" }),
        fields: ["spec.service_id", "spec.host_pattern", "spec.data_devices.size", "spec.db_slots"],
      },
      { name: "mons on an unknown host", call: () => api.updateMons({ placement: { count: 1, hosts: [{ hostname: "node-9" }] } }), fields: ["placement.hosts[0].hostname"] },
      { name: "more mgrs than eligible hosts", call: () => api.updateMgrs({ placement: { count: 3, label: "mgr" } }), fields: ["placement.count"] },
      { name: "RGW port 70000", call: () => api.addStatelessService({ spec: { serviceType: ServiceType.SERVICE_TYPE_RGW, serviceId: "z", details: { $case: "rgw", value: { rgwFrontendPort: 70000 } } } }), fields: ["spec.rgw.rgw_frontend_port"] },
      { name: "iSCSI without a pool", call: () => api.addStatelessService({ spec: { serviceType: ServiceType.SERVICE_TYPE_ISCSI, serviceId: "gw" } }), fields: ["spec.iscsi.pool"] },
      { name: "a negative OSD id", call: () => api.removeOsds({ osdIds: [0, -2] }), fields: ["osd_ids[1]"] },
      { name: "an unavailable upgrade target", call: () => api.startUpgrade({ targetVersion: "15.2.0" }), fields: ["target_version"], description: /17\.2\.7/ },
      { name: "a wait with a negative timeout", call: () => api.waitOperations({ ids: [randomUUID()], timeout: { seconds: "-1", nanos: 0 } }), fields: ["timeout"] },
      { name: "an operation id that is no UUID", call: () => api.watchOperation("../etc/passwd"), fields: ["id"] },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = await clusterSnapshot(api, all);
        const out = c.call();
        const e = out instanceof Promise ? await rejection(out) : await refusal(out as ReturnType<Api["addHost"]>);
        expectError(e, grpc.status.INVALID_ARGUMENT, "INVALID_FIELD");
        for (const f of c.fields) expect(e.fields, e.message).toContain(f);
        if (c.description) {
          const d = e.badRequest!.fieldViolations.filter((v) => c.fields.includes(v.field)).map((v) => v.description).join(" ");
          expect(d).toMatch(c.description);
        }
        if ("messages" in e) expect((e as { messages: unknown[] }).messages).toEqual([]);
        expect(await clusterSnapshot(api, all)).toEqual(before);
      });
    }

    it("a page token is only good for the query it came from", async () => {
      const first = await api.listHosts({ pageSize: 1 });
      expect(first.nextPageToken).not.toBe("");
      expect((await api.listHosts({ pageSize: 1, pageToken: first.nextPageToken })).hosts).toHaveLength(1);
      const e = await rejection(api.listHosts({ pageSize: 1, pageToken: first.nextPageToken, label: "mon" }));
      expectError(e, grpc.status.INVALID_ARGUMENT, "INVALID_FIELD");
      expect(e.fields).toEqual(["page_token"]);
    });
  });

  describe("NOT_FOUND with a ResourceInfo naming the resource", () => {
    const cases: { name: string; call: () => unknown; type: string; resource: string }[] = [
      { name: "RemoveHost of an absent host", call: () => api.removeHost({ hostname: "node-9" }), type: "host", resource: "node-9" },
      { name: "AddHostLabel on an absent host", call: () => api.addHostLabel({ hostname: "node-9", label: "x" }), type: "host", resource: "node-9" },
      { name: "RemoveHostLabel on an absent host", call: () => api.removeHostLabel({ hostname: "node-4", label: "x" }), type: "host", resource: "node-4" },
      { name: "GetInventory of an absent host", call: () => api.getInventory({ hostnames: ["node-1", "node-9"] }), type: "host", resource: "node-9" },
      {
        name: "BlinkDeviceLight on an absent host",
        call: () => api.blinkDeviceLight({ light: LightType.LIGHT_TYPE_IDENT, locations: [{ hostname: "node-9", path: "/dev/sdb" }] }),
        type: "host",
        resource: "node-9",
      },
      { name: "DaemonAction on an absent daemon", call: () => api.daemonAction({ action: ServiceAction.SERVICE_ACTION_RESTART, daemonName: "osd.99" }), type: "daemon", resource: "osd.99" },
      { name: "ServiceAction on an absent service", call: () => api.serviceAction({ action: ServiceAction.SERVICE_ACTION_RESTART, serviceName: "rgw.none" }), type: "service", resource: "rgw.none" },
      { name: "RemoveOsds of an absent OSD", call: () => api.removeOsds({ osdIds: [0, 99] }), type: "osd", resource: "osd.99" },
      {
        name: "UpdateStatelessService of an absent service",
        call: () => api.updateStatelessService({ spec: { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: "none" } }),
        type: "service",
        resource: "mds.none",
      },
      { name: "RemoveStatelessService of an absent service", call: () => api.removeStatelessService({ serviceName: "nfs.none" }), type: "service", resource: "nfs.none" },
      { name: "GetOperation of an unknown id", call: () => api.getOperation("6d1c2b9e-0000-4000-8000-000000000001"), type: "operation", resource: "6d1c2b9e-0000-4000-8000-000000000001" },
      { name: "WatchOperation of an unknown id", call: () => api.watchOperation("6d1c2b9e-0000-4000-8000-000000000002"), type: "operation", resource: "6d1c2b9e-0000-4000-8000-000000000002" },
      { name: "CancelOperation of an unknown id", call: () => api.cancelOperation("6d1c2b9e-0000-4000-8000-000000000003"), type: "operation", resource: "6d1c2b9e-0000-4000-8000-000000000003" },
      { name: "WaitOperations with an unknown id", call: () => api.waitOperations({ ids: ["6d1c2b9e-0000-4000-8000-000000000004"] }), type: "operation", resource: "6d1c2b9e-0000-4000-8000-000000000004" },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = await clusterSnapshot(api, all);
        const out = c.call();
        const e = out instanceof Promise ? await rejection(out) : await refusal(out as ReturnType<Api["addHost"]>);
        expectError(e, grpc.status.NOT_FOUND, "NOT_FOUND");
        expect(e.resource).toMatchObject({ resourceType: c.type, resourceName: c.resource });
        expect(e.info?.metadata).toMatchObject({ resourceType: c.type, resourceName: c.resource });
        expect(e.message).toContain(c.resource);
        expect(await clusterSnapshot(api, all)).toEqual(before);
      });
    }
  });

  describe("FAILED_PRECONDITION with a PreconditionFailure", () => {
    it("RemoveHost of a host with daemons, without force", async () => {
      const before = await clusterSnapshot(api, all);
      const e = await refusal(api.removeHost({ hostname: "node-1" }));
      expectError(e, grpc.status.FAILED_PRECONDITION, "FAILED_PRECONDITION");
      expect(e.precondition?.violations).toEqual([expect.objectContaining({ subject: "host/node-1" })]);
      expect(e.message).toMatch(/mon\.node-1/);
      expect(e.messages).toEqual([]);
      expect(await clusterSnapshot(api, all)).toEqual(before);
    });

    it("RemoveStatelessService of a service that is not stateless", async () => {
      const e = await refusal(api.removeStatelessService({ serviceName: "mon" }));
      expectError(e, grpc.status.FAILED_PRECONDITION, "FAILED_PRECONDITION");
      expect(e.precondition?.violations[0]?.subject).toBe("service/mon");
      expect((await api.listDaemons({ serviceName: "mon" })).daemons).toHaveLength(3);
    });

    it("Pause, Resume and Stop without an upgrade", async () => {
      for (const s of [api.pauseUpgrade(), api.resumeUpgrade(), api.stopUpgrade()]) {
        const e = await refusal(s);
        expectError(e, grpc.status.FAILED_PRECONDITION, "FAILED_PRECONDITION");
        expect(e.precondition?.violations[0]?.subject).toBe("upgrade");
      }
    });
  });

  describe("ALREADY_EXISTS", () => {
    it("AddStatelessService of an existing name with another spec", async () => {
      const spec = { serviceType: ServiceType.SERVICE_TYPE_RBD_MIRROR, placement: { hosts: [{ hostname: "node-1" }], count: 1 } };
      expect((await opsOf(api.addStatelessService({ spec }))).at(-1)?.state).toBe(S.STATE_SUCCEEDED);
      const e = await refusal(api.addStatelessService({ spec: { ...spec, placement: { hosts: [{ hostname: "node-2" }], count: 1 } } }));
      expectError(e, grpc.status.ALREADY_EXISTS, "ALREADY_EXISTS");
      expect(e.resource).toMatchObject({ resourceType: "service", resourceName: "rbd-mirror" });
      expect((await api.listDaemons({ serviceName: "rbd-mirror" })).daemons.map((d) => d.hostname)).toEqual(["node-1"]);
      expect((await opsOf(api.removeStatelessService({ serviceName: "rbd-mirror" }))).at(-1)?.state).toBe(S.STATE_SUCCEEDED);
    });

    it("a request_id reused for another request: REQUEST_ID_REUSED naming the first operation", async () => {
      const requestId = `errors-${randomUUID()}`;
      const first = (await opsOf(api.addHostLabel({ hostname: "node-2", label: "errors-test", requestId }))).at(-1)!;
      const e = await refusal(api.addHostLabel({ hostname: "node-3", label: "errors-test", requestId }));
      expectError(e, grpc.status.ALREADY_EXISTS, "REQUEST_ID_REUSED");
      expect(e.info?.metadata.operation).toBe(first.id);
      expect(e.message).toContain(requestId);
      expect((await api.listHosts({ label: "errors-test" })).hosts.map((h) => h.hostname)).toEqual(["node-2"]);
      await opsOf(api.removeHostLabel({ hostname: "node-2", label: "errors-test" }));
    });
  });
});

describe("UNAVAILABLE: the sim cannot reach its cluster (failures.clusterUnreachable)", () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ failures: { clusterUnreachable: true } });
  });
  afterAll(async () => sim?.stop());

  it("GetStatus says unavailable, with the reason", async () => {
    const s = await sim.api.getStatus();
    expect(s).toMatchObject({ available: false, backend: "sim" });
    expect(s.reason).toMatch(/unreachable/);
  });

  it("reads and writes answer UNAVAILABLE (BACKEND_UNAVAILABLE) with a RetryInfo", async () => {
    for (const p of [sim.api.listHosts(), sim.api.getInventory(), sim.api.listDaemons(), sim.api.describeServices()]) {
      const e = await rejection(p);
      expectError(e, grpc.status.UNAVAILABLE, "BACKEND_UNAVAILABLE");
      const d = e.retry?.retryDelay;
      expect(d, "RetryInfo.retry_delay").toBeDefined();
      expect(Number(d!.seconds) * 1000 + d!.nanos / 1e6).toBeGreaterThan(0);
    }
    const e = await refusal(sim.api.addHostLabel({ hostname: "node-1", label: "x" }));
    expectError(e, grpc.status.UNAVAILABLE, "BACKEND_UNAVAILABLE");
    expect(e.messages).toEqual([]);
    expect((await sim.api.listOperations()).totalSize).toBe(0);
  });
});

describe("failed execution: the operation ends FAILED, the stream ends OK", () => {
  let sim: Sim;
  let api: Api;
  beforeAll(async () => {
    sim = await startSim({ failures: { unreachableHosts: ["node-3"], failingDevices: ["node-2:/dev/sdc"] } });
    api = sim.api;
  });
  afterAll(async () => sim?.stop());

  it("an unreachable host shows OFFLINE, its daemons UNKNOWN", async () => {
    const node3 = (await api.listHosts()).hosts.find((h) => h.hostname === "node-3")!;
    expect(node3.status).toBe(Host_Status.STATUS_OFFLINE);
    expect(node3.statusMessage).toMatch(/unreachable/);
    const daemons = (await api.listDaemons({ hostname: "node-3" })).daemons;
    expect(daemons.length).toBeGreaterThan(0);
    expect(daemons.every((d) => d.status === DS.STATUS_UNKNOWN)).toBe(true);
  });

  it("ServiceAction on every crash daemon: node-3's task fails, the others succeed; BACKEND_FAILED names node-3", async () => {
    const msgs = await opsOf(api.serviceAction({ action: ServiceAction.SERVICE_ACTION_RESTART, serviceName: "crash" }));
    const op = msgs.at(-1)!;
    expect(op.state).toBe(S.STATE_FAILED);
    expect(op.done).toBe(true);
    const err = opError(op)!;
    expect(err.code).not.toBe(Code.OK);
    expect([Code.INTERNAL, Code.UNKNOWN]).not.toContain(err.code);
    expect(err.info).toMatchObject({ reason: "BACKEND_FAILED", domain: DOMAIN, metadata: { hostname: "node-3" } });
    expect(err.message).toMatch(/node-3/);
    expect(op.message).toBe(err.message);
    const tasks = Object.fromEntries(op.tasks.map((t) => [t.target, t.state]));
    expect(tasks).toEqual({ "crash.node-1": S.STATE_SUCCEEDED, "crash.node-2": S.STATE_SUCCEEDED, "crash.node-3": S.STATE_FAILED });
    const failed = op.tasks.find((t) => t.target === "crash.node-3")!;
    expect(failed.hostname).toBe("node-3");
    expect(failed.error?.message).toMatch(/node-3/);
    // Get agrees with the stream.
    expect((await api.getOperation(op.id)).operation).toEqual(op);
  });

  it("CreateOsds with a failing device on node-2: its task fails naming node-2 and the device, node-1 still gets its OSD", async () => {
    const msgs = await opsOf(api.createOsds({ spec: { serviceId: "fail_test", hostPattern: "node-[12]", dataDevices: { paths: ["/dev/sdc"] } } }));
    const op = msgs.at(-1)!;
    expect(op.state).toBe(S.STATE_FAILED);
    const err = opError(op)!;
    expect(err.info?.reason).toBe("BACKEND_FAILED");
    expect(err.info?.metadata.hostname).toBe("node-2");
    expect(err.message).toMatch(/node-2/);
    expect(err.message).toMatch(/\/dev\/sdc/);
    expect(Object.fromEntries(op.tasks.map((t) => [t.hostname, t.state]))).toEqual({ "node-1": S.STATE_SUCCEEDED, "node-2": S.STATE_FAILED });
    // node-1's OSD exists and runs; node-2's device is untouched.
    const osds = (await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_OSD, serviceName: "osd.fail_test" })).daemons;
    expect(osds.map((d) => ({ host: d.hostname, status: d.status }))).toEqual([{ host: "node-1", status: DS.STATUS_RUNNING }]);
    const node2 = (await api.getInventory({ hostnames: ["node-2"] })).hosts[0]!.devices.find((d) => d.path === "/dev/sdc")!;
    expect(node2).toMatchObject({ available: true, osdId: -1, lvs: [] });
  });

  it("a write to an unreachable host fails naming it", async () => {
    const op = (await opsOf(api.daemonAction({ action: ServiceAction.SERVICE_ACTION_STOP, daemonName: "mon.node-3" }))).at(-1)!;
    expect(op.state).toBe(S.STATE_FAILED);
    expect(opError(op)?.info?.metadata.hostname).toBe("node-3");
    const wait = await api.waitOperations({ ids: [op.id], timeout: duration(10) });
    expect(wait.allDone).toBe(true);
    expect(wait.operations[0]?.state).toBe(S.STATE_FAILED);
  });
});
