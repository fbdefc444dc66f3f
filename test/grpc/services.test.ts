// ServiceService over real gRPC against the sim's default fixture: describing services and
// daemons, acting on them, placing mons and mgrs, and the stateless services' life cycle.
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Operation_State as S, type Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import {
  DaemonDescription_Status as DS,
  type ServiceDescription,
  ServiceAction as A,
  ServiceType as T,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { type Api, allPages, lifecycleProblems, opsOf, refusal } from "../conformance/api.js";
import { ms, simPerTest, taskSpan } from "./helpers.js";

const { start } = simPerTest();

function serviceResult(op: Operation): ServiceDescription {
  if (op.outcome?.$case !== "result" || op.outcome.value.result?.$case !== "service") throw new Error(`no service result: ${op.message}`);
  return op.outcome.value.result.value;
}
function daemonsResult(op: Operation): string[] {
  if (op.outcome?.$case !== "result" || op.outcome.value.result?.$case !== "daemons") throw new Error(`no daemons result: ${op.message}`);
  return op.outcome.value.result.value.daemonNames;
}
async function succeeded(s: ReturnType<Api["addHost"]>): Promise<Operation[]> {
  const msgs = await opsOf(s);
  expect(lifecycleProblems(msgs)).toEqual([]);
  expect(msgs.at(-1)!.state, msgs.at(-1)!.message).toBe(S.STATE_SUCCEEDED);
  return msgs;
}
async function daemon(api: Api, name: string) {
  const d = (await api.listDaemons({ daemonId: name })).daemons;
  expect(d.length, `${name} exists`).toBe(1);
  return d[0]!;
}

describe("DescribeServices and ListDaemons", () => {
  it("describe the fixture: services with placement, running and size; daemons with versions and times", async () => {
    const api = await start();
    const services = (await api.describeServices()).services;
    expect(services.map((s) => [s.serviceName, s.serviceType, s.serviceId, s.running, s.size])).toEqual([
      ["crash", T.SERVICE_TYPE_CRASH, "", 3, 3],
      ["mgr", T.SERVICE_TYPE_MGR, "", 2, 2],
      ["mon", T.SERVICE_TYPE_MON, "", 3, 3],
      ["osd.default_drive_group", T.SERVICE_TYPE_OSD, "default_drive_group", 3, 3],
    ]);
    expect(services.find((s) => s.serviceName === "mgr")!.placement).toMatchObject({ label: "mgr", count: 2 });
    expect(services.find((s) => s.serviceName === "mon")!.created).toEqual({ seconds: String(Date.UTC(2024, 4, 2, 9, 14, 7) / 1000), nanos: 0 });
    for (const s of services) expect(s.lastRefresh, s.serviceName).toBeDefined();

    const daemons = (await api.listDaemons()).daemons;
    expect(daemons.map((d) => d.daemonName)).toEqual([
      "crash.node-1",
      "crash.node-2",
      "crash.node-3",
      "mgr.node-1.xkqvzc",
      "mgr.node-2.lhmqbe",
      "mon.node-1",
      "mon.node-2",
      "mon.node-3",
      "osd.0",
      "osd.1",
      "osd.2",
    ]);
    for (const d of daemons) {
      expect(d, d.daemonName).toMatchObject({ status: DS.STATUS_RUNNING, version: "16.2.15" });
      expect(d.pid, d.daemonName).toBeGreaterThan(0);
      expect(d.created && d.started && d.lastRefresh, d.daemonName).toBeTruthy();
    }
    expect(await daemon(api, "osd.1")).toMatchObject({ daemonType: T.SERVICE_TYPE_OSD, daemonId: "1", hostname: "node-2", serviceName: "osd.default_drive_group" });
  });

  it("filters combine: by type, name, id, host; services by host; pages", async () => {
    const api = await start();
    expect((await api.describeServices({ serviceType: T.SERVICE_TYPE_MGR })).services.map((s) => s.serviceName)).toEqual(["mgr"]);
    expect((await api.describeServices({ serviceName: "mon" })).services.map((s) => s.serviceName)).toEqual(["mon"]);
    expect((await api.describeServices({ hostname: "node-3" })).services.map((s) => s.serviceName)).toEqual(["crash", "mon", "osd.default_drive_group"]);
    expect((await api.describeServices({ serviceName: "mds.none" })).services).toEqual([]);
    const names = async (r: Parameters<Api["listDaemons"]>[0]) => (await api.listDaemons(r)).daemons.map((d) => d.daemonName);
    expect(await names({ daemonType: T.SERVICE_TYPE_MON })).toEqual(["mon.node-1", "mon.node-2", "mon.node-3"]);
    expect(await names({ serviceName: "mgr" })).toEqual(["mgr.node-1.xkqvzc", "mgr.node-2.lhmqbe"]);
    expect(await names({ daemonType: T.SERVICE_TYPE_OSD, daemonId: "2" })).toEqual(["osd.2"]);
    expect(await names({ daemonId: "osd.2" })).toEqual(["osd.2"]);
    expect(await names({ hostname: "node-2", daemonType: T.SERVICE_TYPE_CRASH })).toEqual(["crash.node-2"]);
    expect(await names({ hostname: "node-3", serviceName: "mgr" })).toEqual([]);
    expect((await api.listDaemons({ refresh: true })).daemons).toHaveLength(11);
    const paged = await allPages(async (t) => {
      const r = await api.listDaemons({ pageSize: 4, pageToken: t });
      return { items: r.daemons.map((d) => d.daemonName), nextPageToken: r.nextPageToken, totalSize: r.totalSize };
    });
    expect(paged.pages).toBe(3);
    expect(paged.items).toEqual(await names({}));
  });
});

describe("DaemonAction and ServiceAction", () => {
  it("STOP, START, RESTART (new pid), RELOAD (same pid), REDEPLOY; running counts follow", async () => {
    const api = await start();
    const before = await daemon(api, "mgr.node-2.lhmqbe");
    const stop = (await succeeded(api.daemonAction({ action: A.SERVICE_ACTION_STOP, daemonName: "mgr.node-2.lhmqbe" }))).at(-1)!;
    expect(daemonsResult(stop)).toEqual(["mgr.node-2.lhmqbe"]);
    expect(stop.hosts).toEqual(["node-2"]);
    expect(stop.tasks.map((t) => [t.target, t.hostname, t.state])).toEqual([["mgr.node-2.lhmqbe", "node-2", S.STATE_SUCCEEDED]]);
    expect(await daemon(api, "mgr.node-2.lhmqbe")).toMatchObject({ status: DS.STATUS_STOPPED, pid: 0 });
    expect((await api.describeServices({ serviceName: "mgr" })).services[0]).toMatchObject({ running: 1, size: 2 });

    await succeeded(api.daemonAction({ action: A.SERVICE_ACTION_START, daemonName: "mgr.node-2.lhmqbe" }));
    const started = await daemon(api, "mgr.node-2.lhmqbe");
    expect(started.status).toBe(DS.STATUS_RUNNING);
    expect(started.pid).not.toBe(before.pid);
    expect((await api.describeServices({ serviceName: "mgr" })).services[0]!.running).toBe(2);

    await succeeded(api.daemonAction({ action: A.SERVICE_ACTION_RESTART, daemonName: "mgr.node-2.lhmqbe" }));
    const restarted = await daemon(api, "mgr.node-2.lhmqbe");
    expect(restarted.pid).not.toBe(started.pid);
    expect(ms(restarted.started)).toBeGreaterThanOrEqual(ms(started.started));

    await succeeded(api.daemonAction({ action: A.SERVICE_ACTION_RELOAD, daemonName: "mgr.node-2.lhmqbe" }));
    expect((await daemon(api, "mgr.node-2.lhmqbe")).pid).toBe(restarted.pid);

    await succeeded(api.daemonAction({ action: A.SERVICE_ACTION_REDEPLOY, daemonName: "mgr.node-2.lhmqbe" }));
    const redeployed = await daemon(api, "mgr.node-2.lhmqbe");
    expect(redeployed).toMatchObject({ status: DS.STATUS_RUNNING });
    expect(redeployed.pid).not.toBe(restarted.pid);
  });

  it("ServiceAction acts on every daemon of the service, one task per daemon on its host", async () => {
    const api = await start();
    const before = (await api.listDaemons({ serviceName: "mon" })).daemons;
    const op = (await succeeded(api.serviceAction({ action: A.SERVICE_ACTION_RESTART, serviceName: "mon" }))).at(-1)!;
    expect([...daemonsResult(op)].sort()).toEqual(["mon.node-1", "mon.node-2", "mon.node-3"]);
    expect([...op.hosts].sort()).toEqual(["node-1", "node-2", "node-3"]);
    expect(op.tasks.map((t) => [t.target, t.hostname]).sort()).toEqual([
      ["mon.node-1", "node-1"],
      ["mon.node-2", "node-2"],
      ["mon.node-3", "node-3"],
    ]);
    const after = (await api.listDaemons({ serviceName: "mon" })).daemons;
    for (const d of after) expect(d.pid, d.daemonName).not.toBe(before.find((b) => b.daemonName === d.daemonName)!.pid);
    // A stopped service: every daemon STOPPED, running 0.
    await succeeded(api.serviceAction({ action: A.SERVICE_ACTION_STOP, serviceName: "crash" }));
    expect((await api.describeServices({ serviceName: "crash" })).services[0]!.running).toBe(0);
    expect((await api.listDaemons({ serviceName: "crash" })).daemons.every((d) => d.status === DS.STATUS_STOPPED)).toBe(true);
  });
});

describe("DaemonAction REDEPLOY on a version (ceph orch daemon redeploy NAME VERSION)", () => {
  it("runs the daemon on an available version; refuses an unknown version or one with another action, naming the field", async () => {
    const api = await start();
    const target = (await api.getAvailableUpgrades()).versions[0]!;
    const op = (await succeeded(api.daemonAction({ action: A.SERVICE_ACTION_REDEPLOY, daemonName: "mgr.node-2.lhmqbe", version: target }))).at(-1)!;
    expect(op.description).toBe(`Redeploy daemon 'mgr.node-2.lhmqbe' on ${target}`);
    expect(await daemon(api, "mgr.node-2.lhmqbe")).toMatchObject({ version: target, status: DS.STATUS_RUNNING });
    expect((await daemon(api, "mgr.node-1.xkqvzc")).version).not.toBe(target);
    for (const [req, field] of [
      [{ action: A.SERVICE_ACTION_REDEPLOY, daemonName: "mgr.node-1.xkqvzc", version: "99.0.0" }, "version"],
      [{ action: A.SERVICE_ACTION_RESTART, daemonName: "mgr.node-1.xkqvzc", version: target }, "version"],
    ] as const) {
      expect(await refusal(api.daemonAction(req))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, fields: [field], messages: [] });
    }
    expect((await daemon(api, "mgr.node-1.xkqvzc")).version).not.toBe(target);
  });
});

describe("RemoveDaemons", () => {
  it("removes the named daemons one at a time; their service stays, with fewer daemons", async () => {
    const api = await start();
    const crash = (await api.listDaemons({ serviceName: "crash" })).daemons.map((d) => d.daemonName).sort();
    const op = (await succeeded(api.removeDaemons({ daemonNames: crash.slice(0, 2) }))).at(-1)!;
    expect(daemonsResult(op)).toEqual(crash.slice(0, 2));
    expect(op.tasks.map((t) => t.target)).toEqual(crash.slice(0, 2));
    expect((await api.listDaemons({ serviceName: "crash" })).daemons.map((d) => d.daemonName)).toEqual(crash.slice(2));
    expect((await api.describeServices({ serviceName: "crash" })).services).toHaveLength(1);
  });

  it("a mon needs force, the last mon and mgr stay, OSDs go through RemoveOsds: FAILED_PRECONDITION, nothing removed", async () => {
    const api = await start();
    const before = (await api.listDaemons({})).daemons.map((d) => d.daemonName);
    const mons = (await api.listDaemons({ serviceName: "mon" })).daemons.map((d) => d.daemonName);
    const mgrs = (await api.listDaemons({ serviceName: "mgr" })).daemons.map((d) => d.daemonName);
    const refused: [{ daemonNames: string[]; force?: boolean }, RegExp][] = [
      [{ daemonNames: [mons[0]!] }, /set force/],
      [{ daemonNames: mons, force: true }, /last mon/],
      [{ daemonNames: mgrs }, /last mgr/],
      [{ daemonNames: ["osd.0"] }, /RemoveOsds/],
    ];
    for (const [req, why] of refused) {
      const e = await refusal(api.removeDaemons(req));
      expect(grpc.status[e.code], e.message).toBe("FAILED_PRECONDITION");
      expect(e.message).toMatch(why);
    }
    expect((await api.listDaemons({})).daemons.map((d) => d.daemonName)).toEqual(before);
    // With force, one mon of three goes.
    await succeeded(api.removeDaemons({ daemonNames: [mons[2]!], force: true }));
    expect((await api.listDaemons({ serviceName: "mon" })).daemons.map((d) => d.daemonName)).toEqual(mons.slice(0, 2));
  });

  it("an unknown daemon is NOT_FOUND; names that are no daemon names, none, or twice, INVALID_ARGUMENT naming them", async () => {
    const api = await start();
    expect(grpc.status[(await refusal(api.removeDaemons({ daemonNames: ["mds.none"] }))).code]).toBe("NOT_FOUND");
    expect((await refusal(api.removeDaemons({ daemonNames: ["nodot"] }))).fields).toEqual(["daemon_names[0]"]);
    expect((await refusal(api.removeDaemons({ daemonNames: [] }))).fields).toEqual(["daemon_names"]);
    expect((await refusal(api.removeDaemons({ daemonNames: ["crash.node-1", "crash.node-1"] }))).fields).toEqual(["daemon_names"]);
  });
});

describe("UpdateMons and UpdateMgrs", () => {
  it("UpdateMons to 1 removes the other two mons one at a time, keeping node-1's; back to 3 deploys them again", async () => {
    const api = await start({ delays: { removeDaemon: 30, deployDaemon: 30 } });
    const msgs = await succeeded(api.updateMons({ placement: { count: 1 } }));
    const op = msgs.at(-1)!;
    expect(serviceResult(op)).toMatchObject({ serviceName: "mon", running: 1, size: 1 });
    expect((await api.listDaemons({ serviceName: "mon" })).daemons.map((d) => d.daemonName)).toEqual(["mon.node-1"]);
    const [a, b] = ["mon.node-2", "mon.node-3"].map((t) => taskSpan(msgs, t)) as [{ start: number; end: number }, { start: number; end: number }];
    // One at a time: one removal ended before the other started.
    expect(a.end <= b.start || b.end <= a.start, JSON.stringify({ a, b })).toBe(true);

    await succeeded(api.updateMons({ placement: { count: 3, hosts: [{ hostname: "node-1" }, { hostname: "node-2", network: "10.0.0.0/24" }, { hostname: "node-3" }] } }));
    const mons = (await api.listDaemons({ serviceName: "mon" })).daemons;
    expect(mons.map((d) => [d.daemonName, d.hostname, d.status])).toEqual([
      ["mon.node-1", "node-1", DS.STATUS_RUNNING],
      ["mon.node-2", "node-2", DS.STATUS_RUNNING],
      ["mon.node-3", "node-3", DS.STATUS_RUNNING],
    ]);
    const svc = (await api.describeServices({ serviceName: "mon" })).services[0]!;
    expect(svc.placement?.hosts.map((h) => h.hostname)).toEqual(["node-1", "node-2", "node-3"]);
  });

  it("UpdateMgrs to 3 puts a new mgr on node-3; to 1 keeps the lowest existing one", async () => {
    const api = await start();
    const three = (await succeeded(api.updateMgrs({ placement: { count: 3 } }))).at(-1)!;
    expect(serviceResult(three)).toMatchObject({ serviceName: "mgr", running: 3, size: 3 });
    const mgrs = (await api.listDaemons({ serviceName: "mgr" })).daemons;
    expect(mgrs.map((d) => d.hostname)).toEqual(["node-1", "node-2", "node-3"]);
    expect(mgrs.find((d) => d.hostname === "node-3")!.daemonId).toMatch(/^node-3\.[a-z]{6}$/);
    await succeeded(api.updateMgrs({ placement: { count: 1 } }));
    expect((await api.listDaemons({ serviceName: "mgr" })).daemons.map((d) => d.daemonName)).toEqual(["mgr.node-1.xkqvzc"]);
  });

  it("asks for more daemons than hosts can take: INVALID_ARGUMENT, nothing changes", async () => {
    const api = await start();
    const e = await refusal(api.updateMons({ placement: { count: 5 } }));
    expect(e.fields).toEqual(["placement.count"]);
    const big = await refusal(api.updateMons({ placement: { count: 16 } }));
    expect(big.fields).toEqual(["placement.count"]);
    expect((await api.listDaemons({ serviceName: "mon" })).daemons).toHaveLength(3);
  });
});

describe("stateless services", () => {
  it("MDS by label: add, update count up and down, remove", async () => {
    const api = await start();
    const e = await refusal(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "cephfs", placement: { label: "mds" } } }));
    expect(e.fields).toEqual(["spec.placement.label"]);
    for (const h of ["node-1", "node-2", "node-3"]) await succeeded(api.addHostLabel({ hostname: h, label: "mds" }));

    const add = (await succeeded(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "cephfs", placement: { label: "mds", count: 1 } } }))).at(-1)!;
    expect(serviceResult(add)).toMatchObject({ serviceName: "mds.cephfs", serviceId: "cephfs", running: 1, size: 1 });
    const one = (await api.listDaemons({ serviceName: "mds.cephfs" })).daemons;
    expect(one.map((d) => d.hostname)).toEqual(["node-1"]);
    expect(one[0]!.daemonId).toMatch(/^cephfs\.node-1\.[a-z]{6}$/);
    expect(add.tasks.map((t) => [t.target, t.hostname])).toEqual([[one[0]!.daemonName, "node-1"]]);

    const up = (await succeeded(api.updateStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "cephfs", placement: { label: "mds", count: 3 } } }))).at(-1)!;
    expect(serviceResult(up)).toMatchObject({ running: 3, size: 3 });
    const three = (await api.listDaemons({ serviceName: "mds.cephfs" })).daemons;
    expect(three.map((d) => d.hostname).sort()).toEqual(["node-1", "node-2", "node-3"]);
    expect(three.map((d) => d.daemonName)).toContain(one[0]!.daemonName);

    const down = (await succeeded(api.updateStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "cephfs", placement: { label: "mds", count: 1 } } }))).at(-1)!;
    expect(serviceResult(down)).toMatchObject({ running: 1, size: 1 });
    expect((await api.listDaemons({ serviceName: "mds.cephfs" })).daemons.map((d) => d.daemonName)).toEqual([one[0]!.daemonName]);

    const removed = (await succeeded(api.removeStatelessService({ serviceName: "mds.cephfs" }))).at(-1)!;
    expect(removed.outcome).toEqual({
      $case: "result",
      value: { result: { $case: "removedService", value: { serviceName: "mds.cephfs", daemonNames: [one[0]!.daemonName] } } },
    });
    expect((await api.describeServices({ serviceType: T.SERVICE_TYPE_MDS })).services).toEqual([]);
  });

  it("RGW keeps its settings but never returns its secrets", async () => {
    const api = await start();
    const rgw = { rgwRealm: "r", rgwZone: "z", rgwFrontendPort: 8080, systemAccessKey: "AKIA-SECRET-ACCESS", systemSecretKey: "very-secret-key" };
    const op = (await succeeded(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_RGW, serviceId: "r.z", placement: { count: 2 }, details: { $case: "rgw", value: rgw } } }))).at(-1)!;
    const described = (await api.describeServices({ serviceName: "rgw.r.z" })).services[0]!;
    for (const s of [serviceResult(op), described]) {
      expect(s.details?.$case).toBe("rgw");
      if (s.details?.$case === "rgw") expect(s.details.value).toMatchObject({ rgwRealm: "r", rgwZone: "z", rgwFrontendPort: 8080, systemAccessKey: "", systemSecretKey: "" });
      expect(JSON.stringify(s)).not.toMatch(/SECRET|very-secret/);
    }
    expect(JSON.stringify(await api.getOperation(op.id))).not.toMatch(/SECRET|very-secret/);
    expect(JSON.stringify(await api.listOperations())).not.toMatch(/SECRET|very-secret/);
    expect(described.running).toBe(2);
    // The same spec again (secrets included) is no change, not ALREADY_EXISTS.
    await succeeded(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_RGW, serviceId: "r.z", placement: { count: 2 }, details: { $case: "rgw", value: rgw } } }));
    expect((await api.listDaemons({ serviceName: "rgw.r.z" })).daemons).toHaveLength(2);
  });

  it("NFS gets its RADOS config location; iSCSI's password is never returned; rbd-mirror needs no id", async () => {
    const api = await start();
    const nfs = (await succeeded(api.addStatelessService({
      spec: { serviceType: T.SERVICE_TYPE_NFS, serviceId: "foo", placement: { hosts: [{ hostname: "node-2" }] }, details: { $case: "nfs", value: { pool: "nfs-ganesha", namespace: "ns" } } },
    }))).at(-1)!;
    expect(serviceResult(nfs).radosConfigLocation).toBe("rados://nfs-ganesha/ns/conf-nfs.foo");
    expect((await api.listDaemons({ serviceName: "nfs.foo" })).daemons.map((d) => d.hostname)).toEqual(["node-2"]);

    const iscsi = (await succeeded(api.addStatelessService({
      spec: { serviceType: T.SERVICE_TYPE_ISCSI, serviceId: "gw", details: { $case: "iscsi", value: { pool: "rbd", apiUser: "admin", apiPassword: "hunter2-password", trustedIpList: ["10.0.0.1"] } } },
    }))).at(-1)!;
    const described = (await api.describeServices({ serviceName: "iscsi.gw" })).services[0]!;
    for (const s of [serviceResult(iscsi), described]) {
      expect(JSON.stringify(s)).not.toContain("hunter2-password");
      if (s.details?.$case === "iscsi") expect(s.details.value).toMatchObject({ pool: "rbd", apiUser: "admin", apiPassword: "" });
      else expect.fail(`iscsi details missing: ${JSON.stringify(s.details)}`);
    }

    const mirror = (await succeeded(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_RBD_MIRROR } }))).at(-1)!;
    expect(serviceResult(mirror)).toMatchObject({ serviceName: "rbd-mirror", serviceId: "", running: 1 });
    expect((await api.listDaemons({ daemonType: T.SERVICE_TYPE_RBD_MIRROR })).daemons).toHaveLength(1);
  });
});

describe("the operations of service writes", () => {
  it("ListOperations by host finds a service write through its tasks on that host", async () => {
    const api = await start();
    const op = (await succeeded(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "h", placement: { hosts: [{ hostname: "node-2" }] } } }))).at(-1)!;
    expect((await api.listOperations({ hostname: "node-2" })).operations.map((o) => o.id)).toEqual([op.id]);
    expect((await api.listOperations({ hostname: "node-3" })).operations).toEqual([]);
  });

  it("Operation.hosts names the hosts a placement write works on", async () => {
    const api = await start();
    const op = (await succeeded(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "h", placement: { hosts: [{ hostname: "node-2" }, { hostname: "node-3" }] } } }))).at(-1)!;
    expect([...op.hosts].sort()).toEqual(["node-2", "node-3"]);
  });
});

describe("crash and the monitoring stack (ceph orch apply node-exporter, ...)", () => {
  it("places one daemon per host, named after the host, on cephadm's ports; refuses a service id naming the field", async () => {
    const api = await start();
    expect((await api.getCapabilities()).serviceTypes).toContain(T.SERVICE_TYPE_NODE_EXPORTER);
    await succeeded(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_NODE_EXPORTER, placement: { hostPattern: "*" } } }));
    expect((await api.listDaemons({ serviceName: "node-exporter" })).daemons.map((d) => [d.daemonName, d.ports, d.status])).toEqual([
      ["node-exporter.node-1", [9100], DS.STATUS_RUNNING],
      ["node-exporter.node-2", [9100], DS.STATUS_RUNNING],
      ["node-exporter.node-3", [9100], DS.STATUS_RUNNING],
    ]);
    await succeeded(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_PROMETHEUS, placement: { count: 1 } } }));
    expect((await api.describeServices({ serviceName: "prometheus" })).services[0]).toMatchObject({ running: 1, size: 1 });
    // crash exists in the fixture: updated to fewer hosts, its daemon on node-3 goes.
    await succeeded(api.updateStatelessService({ spec: { serviceType: T.SERVICE_TYPE_CRASH, placement: { hosts: [{ hostname: "node-1" }, { hostname: "node-2" }] } } }));
    expect((await api.listDaemons({ serviceName: "crash" })).daemons.map((d) => d.hostname)).toEqual(["node-1", "node-2"]);
    expect(await refusal(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_GRAFANA, serviceId: "g" } }))).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      fields: ["spec.service_id"],
    });
  });
});

describe("AddDaemons (ceph orch daemon add)", () => {
  it("deploys one daemon per named host for a service without a spec or an unmanaged one; refuses a managed one", async () => {
    const api = await start();
    const spec = { serviceType: T.SERVICE_TYPE_MDS, serviceId: "hand", placement: { hosts: [{ hostname: "node-1" }, { hostname: "node-2" }] } };
    const op = (await succeeded(api.addDaemons({ spec }))).at(-1)!;
    expect(op.description).toBe("Add mds.hand daemons on node-1, node-2");
    const names = daemonsResult(op);
    expect(names).toHaveLength(2);
    expect((await api.listDaemons({ serviceName: "mds.hand" })).daemons.map((d) => [d.hostname, d.status])).toEqual([
      ["node-1", DS.STATUS_RUNNING],
      ["node-2", DS.STATUS_RUNNING],
    ]);
    // One more by hand, with its own id.
    await succeeded(api.addDaemons({ spec: { ...spec, placement: { hosts: [{ hostname: "node-1", name: "hand.extra" }] } } }));
    expect((await api.listDaemons({ serviceName: "mds.hand" })).daemons.map((d) => d.daemonName)).toContain("mds.hand.extra");

    // A managed service: refused, nothing deployed.
    await succeeded(api.addStatelessService({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "kept", placement: { hosts: [{ hostname: "node-3" }] } } }));
    const e = await refusal(api.addDaemons({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "kept", placement: { hosts: [{ hostname: "node-1" }] } } }));
    expect(e).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, messages: [] });
    expect((await api.listDaemons({ serviceName: "mds.kept" })).daemons.map((d) => d.hostname)).toEqual(["node-3"]);
    // No hosts named, or an unknown one: refused naming the field.
    expect(await refusal(api.addDaemons({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "x" } }))).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      fields: ["spec.placement.hosts"],
    });
    expect(await refusal(api.addDaemons({ spec: { serviceType: T.SERVICE_TYPE_MDS, serviceId: "x", placement: { hosts: [{ hostname: "node-9" }] } } }))).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      fields: ["spec.placement.hosts[0].hostname"],
    });
  });
});

describe("RemoveStatelessService of the other services (ceph orch rm)", () => {
  it("refuses mon and mgr, changing nothing; removes an OSD service's spec and keeps its OSDs", async () => {
    const api = await start();
    for (const name of ["mon", "mgr"]) {
      const e = await refusal(api.removeStatelessService({ serviceName: name }));
      expect(e).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, messages: [] });
      expect(e.message).toContain(`the ${name} service cannot be removed`);
    }
    expect((await api.listDaemons({ daemonType: T.SERVICE_TYPE_MON })).daemons).toHaveLength(3);

    const created = (await succeeded(api.createOsds({ spec: { serviceId: "extra", hostPattern: "node-2", dataDevices: { paths: ["/dev/sdc"] } } }))).at(-1)!;
    const osd = created.outcome?.$case === "result" && created.outcome.value.result?.$case === "osds" ? created.outcome.value.result.value.osds[0]! : undefined;
    expect(osd).toBeDefined();
    const removed = (await succeeded(api.removeStatelessService({ serviceName: "osd.extra" }))).at(-1)!;
    expect(removed.outcome?.$case === "result" && removed.outcome.value.result).toEqual({
      $case: "removedService",
      value: { serviceName: "osd.extra", daemonNames: [] },
    });
    expect((await api.listDaemons({ daemonId: `osd.${osd!.osdId}` })).daemons.map((d) => d.status)).toEqual([DS.STATUS_RUNNING]);
    // Its OSDs now form a service without a spec: nothing reconciles them.
    expect((await api.describeServices({ serviceName: "osd.extra" })).services.map((s) => [s.placement, s.details])).toEqual([[undefined, undefined]]);
    expect(await refusal(api.reconcileService({ serviceName: "osd.extra" }))).toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
  });
});
