// Every RPC of every service, called over real gRPC with a request that succeeds, in one
// life cycle of a cluster (add a host, use it, upgrade, remove it). A client interceptor
// records each method called; the last test walks the generated service definitions and
// fails if any RPC was not called — so a new RPC cannot go untested. Every write's stream
// is checked against the operation lifecycle.
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostServiceClient } from "../../gen/ts/ceph_orchestrator/v1/host_service.js";
import { InventoryServiceClient } from "../../gen/ts/ceph_orchestrator/v1/inventory_service.js";
import { LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { Operation_State as S, type Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { OperationServiceClient } from "../../gen/ts/ceph_orchestrator/v1/operation_service.js";
import { OrchestratorServiceClient } from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import { OsdRemoval_State } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import { OsdServiceClient } from "../../gen/ts/ceph_orchestrator/v1/osd_service.js";
import { ServiceAction as A, ServiceType as T } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { ServiceServiceClient } from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import { UpgradeServiceClient } from "../../gen/ts/ceph_orchestrator/v1/upgrade_service.js";
import { DESCRIPTOR_SET, serviceNames } from "../../src/contract/descriptors.js";
import { allRegisteredRpcs } from "../../src/domain/registry.js";
import { Api, type OpStream, allRpcs, duration, lifecycleProblems, opsOf } from "../conformance/api.js";
import type { Clients } from "../support/harness.js";
import { readUntil, rest, type Sim, startSim } from "./helpers.js";

const called = new Set<string>();
const record: grpc.Interceptor = (options, nextCall) => {
  called.add(options.method_definition.path);
  return new grpc.InterceptingCall(nextCall(options));
};

function recordingClients(address: string): Clients {
  const creds = grpc.credentials.createInsecure();
  const o = { interceptors: [record] };
  return {
    orchestrator: new OrchestratorServiceClient(address, creds, o),
    hosts: new HostServiceClient(address, creds, o),
    inventory: new InventoryServiceClient(address, creds, o),
    services: new ServiceServiceClient(address, creds, o),
    osds: new OsdServiceClient(address, creds, o),
    upgrades: new UpgradeServiceClient(address, creds, o),
    operations: new OperationServiceClient(address, creds, o),
  };
}

let sim: Sim;
let clients: Clients;
let api: Api;
const writes: Operation[] = [];

beforeAll(async () => {
  sim = await startSim({ delays: { upgradeDaemon: 30 } });
  clients = recordingClients(sim.address);
  api = new Api(clients);
});
afterAll(async () => {
  for (const c of Object.values(clients ?? {})) (c as grpc.Client).close();
  await sim?.stop();
});

/** Runs a write to its end: the lifecycle holds and it SUCCEEDED; returns the final state. */
async function write(s: OpStream): Promise<Operation> {
  const msgs = await opsOf(s);
  expect(lifecycleProblems(msgs)).toEqual([]);
  const op = msgs.at(-1)!;
  expect(op.state, `${op.method}: ${op.message}`).toBe(S.STATE_SUCCEEDED);
  writes.push(op);
  return op;
}

describe("every RPC, in one cluster life cycle", () => {
  it("OrchestratorService: GetStatus, GetCapabilities, PauseReconciliation, ResumeReconciliation", async () => {
    expect(await api.getStatus()).toMatchObject({ available: true, backend: "sim", paused: false });
    const caps = await api.getCapabilities();
    expect(caps.rpcs.every((r) => r.supported)).toBe(true);
    expect(await api.pauseReconciliation()).toEqual({ paused: true });
    expect((await api.getStatus()).paused).toBe(true);
    expect(await api.resumeReconciliation()).toEqual({ paused: false });
  });

  it("HostService: AddHost, UpdateHostAddr, ListHosts, AddHostLabel, RemoveHostLabel", async () => {
    await write(api.addHost({ host: { hostname: "node-4", labels: ["osd"] } }));
    await write(api.updateHostAddr({ hostname: "node-4", addr: "10.0.0.44" }));
    await write(api.addHostLabel({ hostname: "node-4", label: "mds" }));
    await write(api.removeHostLabel({ hostname: "node-4", label: "osd" }));
    expect((await api.listHosts({ label: "mds" })).hosts.map((h) => h.hostname)).toEqual(["node-4"]);
  });

  it("HostService: HostOkToStop, EnterHostMaintenance, ExitHostMaintenance, DrainHost", async () => {
    expect(await api.hostOkToStop({ hostname: "node-3" })).toMatchObject({ ok: true });
    await write(api.enterHostMaintenance({ hostname: "node-3" }));
    await write(api.exitHostMaintenance({ hostname: "node-3" }));
    await write(api.addHost({ host: { hostname: "node-5" } }));
    await write(api.drainHost({ hostname: "node-5" }));
    await write(api.removeHost({ hostname: "node-5" }));
  });

  it("InventoryService: GetInventory, BlinkDeviceLight, ZapDevice", async () => {
    const inv = await api.getInventory({ hostnames: ["node-4"], refresh: true });
    expect(inv.hosts[0]!.devices.map((d) => d.path)).toContain("/dev/sdb");
    await write(api.blinkDeviceLight({ light: LightType.LIGHT_TYPE_IDENT, on: true, locations: [{ hostname: "node-4", path: "/dev/sdb" }] }));
    await write(api.zapDevice({ hostname: "node-4", path: "/dev/sdc" }));
  });

  it("ServiceService: every RPC", async () => {
    expect((await api.describeServices()).services.length).toBeGreaterThan(0);
    expect((await api.listDaemons({ hostname: "node-1" })).daemons.length).toBeGreaterThan(0);
    await write(api.serviceAction({ action: A.SERVICE_ACTION_RESTART, serviceName: "crash" }));
    await write(api.daemonAction({ action: A.SERVICE_ACTION_RELOAD, daemonName: "mon.node-1" }));
    await write(api.updateMons({ placement: { count: 3 } }));
    await write(api.updateMgrs({ placement: { count: 2, label: "mgr" } }));
    await write(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "cov", placement: { label: "mds" } } }));
    await write(api.updateStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "cov", placement: { hosts: [{ hostname: "node-4" }, { hostname: "node-1" }] } } }));
    const mds = (await api.listDaemons({ serviceName: "mds.cov" })).daemons;
    expect(mds).toHaveLength(2);
    await write(api.removeDaemons({ daemonNames: [mds[0]!.daemonName] }));
    expect((await api.listDaemons({ serviceName: "mds.cov" })).daemons).toHaveLength(1);
    // The spec still asks for two: reconciling deploys the one removed again.
    await write(api.reconcileService({ serviceName: "mds.cov" }));
    expect((await api.listDaemons({ serviceName: "mds.cov" })).daemons).toHaveLength(2);
    await write(api.removeStatelessService({ serviceName: "mds.cov" }));
    await write(api.addDaemons({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "cov", placement: { hosts: [{ hostname: "node-1" }] } } }));
  });

  it("OsdService: PreviewOsds, CreateOsds, RemoveOsds, ReplaceOsds, GetOsdRemovalStatus", async () => {
    const spec = { hostPattern: "node-4", dataDevices: { paths: ["/dev/sdb"] } };
    expect((await api.previewOsds({ spec })).hosts[0]!.osds).toHaveLength(1);
    const created = await write(api.createOsds({ spec }));
    const id = created.outcome?.$case === "result" && created.outcome.value.result?.$case === "osds" ? created.outcome.value.result.value.osds[0]!.osdId : -1;
    expect(id).toBe(3);
    await write(api.removeOsds({ osdIds: [id], replace: true }));
    await write(api.replaceOsds({ spec: { ...spec, osdIdClaims: { "node-4": { osdIds: [id] } } } }));
    const queue = (await api.getOsdRemovalStatus()).removals;
    expect(queue.map((r) => [r.osdId, r.state])).toEqual([[id, OsdRemoval_State.STATE_DONE]]);
  });

  it("UpgradeService: GetAvailableUpgrades, StartUpgrade, GetUpgradeStatus, PauseUpgrade, ResumeUpgrade, StopUpgrade", async () => {
    const target = (await api.getAvailableUpgrades()).versions[0]!;
    const s = api.startUpgrade({ targetVersion: target });
    const head = await readUntil(s, (op) => op.state === S.STATE_RUNNING);
    await write(api.pauseUpgrade());
    expect((await api.getUpgradeStatus()).status).toMatchObject({ inProgress: true, paused: true, targetVersion: target });
    await write(api.resumeUpgrade());
    await write(api.stopUpgrade());
    const msgs = [...head, ...(await rest(s))];
    expect(lifecycleProblems(msgs)).toEqual([]);
    expect(msgs.at(-1)!.state).toBe(S.STATE_CANCELLED);
    expect((await api.getUpgradeStatus()).status?.inProgress).toBe(false);
  });

  it("OperationService: GetOperation, ListOperations, WatchOperation, WaitOperations, CancelOperation", async () => {
    const last = writes.at(-1)!;
    expect((await api.getOperation(last.id)).operation).toEqual(last);
    const listed = await api.listOperations({ states: [S.STATE_SUCCEEDED] });
    for (const w of writes) expect(listed.operations.map((o) => o.id)).toContain(w.id);
    expect(await opsOf(api.watchOperation(last.id))).toEqual([last]);
    const waited = await api.waitOperations({ ids: writes.map((w) => w.id), timeout: duration(1000) });
    expect(waited.allDone).toBe(true);
    expect((await api.cancelOperation(last.id)).operation).toEqual(last);
  });

  it("HostService: RemoveHost (forced: node-4 still runs an OSD)", async () => {
    await write(api.removeHost({ hostname: "node-4", force: true }));
    expect((await api.listHosts()).hosts.map((h) => h.hostname)).toEqual(["node-1", "node-2", "node-3"]);
  });

  it("called every RPC of every service of the API", () => {
    const all = allRpcs();
    // The generated definitions cover every service of the contract.
    const services = new Set(all.map((r) => r.fullName.replace(/\.\w+$/, "")));
    expect([...services].sort()).toEqual(serviceNames(readFileSync(DESCRIPTOR_SET)).sort());
    const missing = all.filter((r) => !called.has(r.path)).map((r) => r.fullName);
    expect(missing, "RPCs without a call in this file").toEqual([]);
    // The generated definitions hold exactly the registry's RPCs (so `missing` covers them all).
    expect(all.map((r) => r.fullName).sort()).toEqual(allRegisteredRpcs().map((r) => r.fullName).sort());
  });
});
