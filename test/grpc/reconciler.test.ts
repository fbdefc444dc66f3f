// The reconciler over real gRPC against the sim's default fixture: services kept matching
// their stored specs by operations of origin RECONCILER (a crashed daemon redeployed, a
// service placed by label following the label, a new host getting its crash daemon, OSDs on
// a device that became available), unmanaged specs left alone, pause and resume (kept across
// a restart), and ReconcileService called by a client.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import type { SimBackend } from "../../backends/sim/cluster.js";
import { type Operation, Operation_Origin as Origin, Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { DaemonDescription_Status as DS, ServiceType as T } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { type Api, finalOp, lifecycleProblems, opsOf, refusal } from "../conformance/api.js";
import { type Sim, type SimOptions, sleep, startSim } from "./helpers.js";

const RECONCILE = "ceph_orchestrator.v1.ServiceService.ReconcileService";
const INTERVAL = ["--reconcile-interval", "200ms"];

let sim: Sim | undefined;
const dirs: string[] = [];
async function start(o: SimOptions = {}): Promise<Api> {
  sim = await startSim({ ...o, args: [...INTERVAL, ...(o.args ?? [])] });
  return sim.api;
}
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function simBackend(): SimBackend {
  return sim!.server.deps!.backend as unknown as SimBackend;
}

async function succeeded(s: ReturnType<Api["addHost"]>): Promise<Operation> {
  const msgs = await opsOf(s);
  expect(lifecycleProblems(msgs)).toEqual([]);
  expect(msgs.at(-1)!.state, msgs.at(-1)!.message).toBe(S.STATE_SUCCEEDED);
  return msgs.at(-1)!;
}

/** Waits (bounded) until `check` holds, and returns what it returned. */
async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

async function reconcilerOps(api: Api, serviceName?: string): Promise<Operation[]> {
  const ops = (await api.listOperations({ origin: Origin.ORIGIN_RECONCILER, pageSize: 1000 })).operations;
  return ops.filter((o) => o.method === RECONCILE && (!serviceName || o.description.includes(`'${serviceName}'`)));
}

async function daemonsOf(api: Api, serviceName: string) {
  return (await api.listDaemons({ serviceName })).daemons;
}

async function hostsOf(api: Api, serviceName: string): Promise<string[]> {
  return (await daemonsOf(api, serviceName)).map((d) => d.hostname).sort();
}

describe("the reconciler", () => {
  it("redeploys a daemon that crashed, as an operation of origin RECONCILER that ListOperations shows", async () => {
    const api = await start();
    simBackend().crashDaemon("mon.node-2");
    const op = await eventually("the mon is reconciled", async () =>
      (await reconcilerOps(api, "mon")).find((o) => o.state === S.STATE_SUCCEEDED),
    );
    expect(op).toMatchObject({ origin: Origin.ORIGIN_RECONCILER, requestId: "", hosts: ["node-2"], progress: 1 });
    expect(op.tasks.map((t) => [t.target, t.state])).toEqual([["mon.node-2", S.STATE_SUCCEEDED]]);
    const mon = (await api.listDaemons({ daemonId: "mon.node-2" })).daemons[0]!;
    expect(mon.status).toBe(DS.STATUS_RUNNING);
    // Converged: the next passes find nothing to do.
    await sleep(600);
    expect((await reconcilerOps(api)).length).toBe(1);
    // A client's operations stay of origin CLIENT.
    const client = await succeeded(api.addHostLabel({ hostname: "node-3", label: "x" }));
    expect(client.origin).toBe(Origin.ORIGIN_CLIENT);
    expect((await api.listOperations({ origin: Origin.ORIGIN_CLIENT })).operations.map((o) => o.id)).toEqual([client.id]);
  });

  it("leaves a daemon stopped by a client alone", async () => {
    const api = await start();
    await succeeded(api.daemonAction({ daemonName: "mgr.node-2.lhmqbe", action: 2 }));
    await sleep(800);
    expect((await reconcilerOps(api)).length).toBe(0);
    expect((await api.listDaemons({ daemonId: "mgr.node-2.lhmqbe" })).daemons[0]!.status).toBe(DS.STATUS_STOPPED);
  });

  it("moves a service placed by label when the label moves, and gives a new host its crash daemon", async () => {
    const api = await start();
    await succeeded(api.addHostLabel({ hostname: "node-1", label: "mds" }));
    await succeeded(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "fs", placement: { label: "mds" } } }));
    expect(await hostsOf(api, "mds.fs")).toEqual(["node-1"]);

    await succeeded(api.addHostLabel({ hostname: "node-3", label: "mds" }));
    await succeeded(api.removeHostLabel({ hostname: "node-1", label: "mds" }));
    await eventually("the MDS moved to node-3", async () => (await hostsOf(api, "mds.fs")).join() === "node-3");
    const ops = await reconcilerOps(api, "mds.fs");
    expect(ops.length).toBeGreaterThan(0);
    expect(ops.every((o) => o.state === S.STATE_SUCCEEDED)).toBe(true);

    // crash is placed on "node-*": a host added later gets one.
    await succeeded(api.addHost({ host: { hostname: "node-4" } }));
    await eventually("node-4 runs crash", async () => (await hostsOf(api, "crash")).includes("node-4"));
  });

  it("leaves an unmanaged service alone, and ReconcileService refuses it", async () => {
    const api = await start();
    await succeeded(api.addHostLabel({ hostname: "node-1", label: "mds" }));
    const op = await succeeded(
      api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "fs", placement: { label: "mds" }, unmanaged: true } }),
    );
    expect(op.outcome?.$case === "result" && op.outcome.value.result).toMatchObject({ $case: "service", value: { unmanaged: true, running: 0 } });
    await succeeded(api.addHostLabel({ hostname: "node-2", label: "mds" }));
    await sleep(800);
    expect(await hostsOf(api, "mds.fs")).toEqual([]);
    expect(await reconcilerOps(api)).toEqual([]);
    expect((await api.describeServices({ serviceName: "mds.fs" })).services[0]).toMatchObject({ unmanaged: true });
    const err = await refusal(api.reconcileService({ serviceName: "mds.fs" }));
    expect(err).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, messages: [] });
    expect(err.message).toContain("unmanaged");

    // Made managed again, it is placed.
    await succeeded(api.updateStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "fs", placement: { label: "mds" } } }));
    expect(await hostsOf(api, "mds.fs")).toEqual(["node-1", "node-2"]);
  });

  it("does nothing while paused (GetStatus says so), and converges on resume", async () => {
    const api = await start();
    expect((await api.getStatus()).paused).toBe(false);
    expect(await api.pauseReconciliation()).toEqual({ paused: true });
    expect((await api.getStatus()).paused).toBe(true);
    simBackend().crashDaemon("mon.node-3");
    await succeeded(api.addHost({ host: { hostname: "node-4" } }));
    await sleep(800);
    expect(await reconcilerOps(api)).toEqual([]);
    expect((await api.listDaemons({ daemonId: "mon.node-3" })).daemons[0]!.status).toBe(DS.STATUS_ERROR);

    expect(await api.resumeReconciliation()).toEqual({ paused: false });
    expect((await api.getStatus()).paused).toBe(false);
    await eventually("mon.node-3 runs again", async () => (await api.listDaemons({ daemonId: "mon.node-3" })).daemons[0]!.status === DS.STATUS_RUNNING);
    await eventually("node-4 runs crash", async () => (await hostsOf(api, "crash")).includes("node-4"));
  });

  it("keeps a pause across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orch-reconciler-"));
    dirs.push(dir);
    const journal = ["--journal=true", "--data-dir", dir];
    let api = await start({ args: journal });
    await api.pauseReconciliation();
    await sim!.stop();
    api = await start({ args: journal });
    expect((await api.getStatus()).paused).toBe(true);
    simBackend().crashDaemon("mon.node-1");
    await sleep(800);
    expect(await reconcilerOps(api)).toEqual([]);
    await api.resumeReconciliation();
    await sim!.stop();
    api = await start({ args: journal });
    expect((await api.getStatus()).paused).toBe(false);
    // The crash was saved with the cluster; the restarted reconciler redeploys the mon.
    await eventually("mon.node-1 runs again", async () => (await api.listDaemons({ daemonId: "mon.node-1" })).daemons[0]!.status === DS.STATUS_RUNNING);
  });

  it("creates an OSD of a drive group on a device that became available, reusing a replaced OSD's id", async () => {
    const api = await start();
    const created = await succeeded(api.createOsds({ spec: { serviceId: "all", hostPattern: "node-1", dataDevices: { all: true } } }));
    const osds = created.outcome?.$case === "result" && created.outcome.value.result?.$case === "osds" ? created.outcome.value.result.value.osds : [];
    expect(osds.length).toBeGreaterThan(0);
    const victim = osds[0]!;
    // Replaced: its id is kept (destroyed) and its device wiped (the sim's stand-in for a new
    // disk), so the managed spec takes the device again, with that id.
    await succeeded(api.removeOsds({ osdIds: [victim.osdId], replace: true, force: true }));
    await eventually(`osd.${victim.osdId} is back`, async () =>
      (await api.listDaemons({ daemonId: `osd.${victim.osdId}` })).daemons.find((d) => d.status === DS.STATUS_RUNNING),
    );
    const ops = await reconcilerOps(api, "osd.all");
    expect(ops.map((o) => [o.state, o.hosts])).toEqual([[S.STATE_SUCCEEDED, ["node-1"]]]);
    expect((await api.describeServices({ serviceName: "osd.all" })).services[0]!.details).toMatchObject({
      $case: "driveGroup",
      value: { hostPattern: "node-1" },
    });
  });
});

describe("drive groups of data directories", () => {
  it("do not drift: the reconciler starts nothing for them once created, and the spec keeps when it was created", async () => {
    const api = await start();
    await succeeded(api.createOsds({ spec: { serviceId: "dirs", hostPattern: "node-2", dataDirectories: ["/var/lib/ceph/osd-dir"] } }));
    const created = (await api.describeServices({ serviceName: "osd.dirs" })).services[0]!.created;
    await sleep(800);
    expect(await reconcilerOps(api)).toEqual([]);
    // Another client write re-runs nothing for it either.
    await succeeded(api.addHostLabel({ hostname: "node-2", label: "x" }));
    await sleep(400);
    expect(await reconcilerOps(api)).toEqual([]);
    await succeeded(api.reconcileService({ serviceName: "osd.dirs" }));
    expect((await api.describeServices({ serviceName: "osd.dirs" })).services[0]!.created).toEqual(created);
  });
});

describe("ReconcileService from a client", () => {
  it("converges one service now, and refuses an unknown one or a bad request naming the field", async () => {
    // No interval: only the client reconciles.
    sim = await startSim();
    const api = sim.api;
    simBackend().crashDaemon("crash.node-2");
    await sleep(300);
    expect((await api.listDaemons({ daemonId: "crash.node-2" })).daemons[0]!.status).toBe(DS.STATUS_ERROR);
    const op = await finalOp(api.reconcileService({ serviceName: "crash", requestId: "r-1" }));
    expect(op).toMatchObject({ state: S.STATE_SUCCEEDED, origin: Origin.ORIGIN_CLIENT, hosts: ["node-2"] });
    expect((await api.listDaemons({ daemonId: "crash.node-2" })).daemons[0]!.status).toBe(DS.STATUS_RUNNING);
    // Nothing left to do: a second one changes nothing.
    const again = await finalOp(api.reconcileService({ serviceName: "crash" }));
    expect(again).toMatchObject({ state: S.STATE_SUCCEEDED, hosts: [], tasks: [] });

    expect(await refusal(api.reconcileService({ serviceName: "mds.nothing" }))).toMatchObject({ code: grpc.status.NOT_FOUND });
    const bad = await refusal(api.reconcileService({ serviceName: "" }));
    expect(bad).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, fields: ["service_name"] });
    expect(await api.pauseReconciliation()).toEqual({ paused: true });
  });
});
