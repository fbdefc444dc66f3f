// Taking hosts out of service over real gRPC against the sim's default fixture (3 hosts,
// each with a mon, a crash daemon and an OSD; mgrs on node-1 and node-2): HostOkToStop,
// maintenance enter and exit (refused when unsafe, unless forced; left alone by the
// reconciler), and DrainHost.
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Host_Status as HS } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { type Operation, Operation_Origin as Origin, Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { DaemonDescription_Status as DS, ServiceAction as A } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { type Api, lifecycleProblems, opsOf, refusal } from "../conformance/api.js";
import { simPerTest, sleep } from "./helpers.js";

const { start } = simPerTest();

async function succeeded(s: ReturnType<Api["addHost"]>): Promise<Operation> {
  const msgs = await opsOf(s);
  expect(lifecycleProblems(msgs)).toEqual([]);
  expect(msgs.at(-1)!.state, msgs.at(-1)!.message).toBe(S.STATE_SUCCEEDED);
  return msgs.at(-1)!;
}

async function statusOf(api: Api, hostname: string): Promise<HS> {
  return (await api.listHosts()).hosts.find((h) => h.hostname === hostname)!.status;
}

async function daemonsOn(api: Api, hostname: string): Promise<[string, DS][]> {
  return (await api.listDaemons({ hostname })).daemons.map((d) => [d.daemonName, d.status]);
}

describe("HostOkToStop", () => {
  it("says a host may stop while the others keep quorum, OSDs and a mgr; names why not otherwise", async () => {
    const api = await start();
    expect(await api.hostOkToStop({ hostname: "node-3" })).toEqual({ ok: true, reasons: [], daemonNames: ["crash.node-3", "mon.node-3", "osd.2"] });
    await succeeded(api.daemonAction({ daemonName: "mgr.node-2.lhmqbe", action: A.SERVICE_ACTION_STOP }));
    await succeeded(api.daemonAction({ daemonName: "mon.node-3", action: A.SERVICE_ACTION_STOP }));
    const node1 = await api.hostOkToStop({ hostname: "node-1" });
    expect(node1.ok).toBe(false);
    expect(node1.reasons).toEqual([
      "mgr.node-1.xkqvzc: no other mgr runs; the cluster would have no mgr",
      "mon.node-1: 1 of 3 mons would be left, no quorum",
    ]);
  });

  it("refuses a bad request naming the field, and an unknown host", async () => {
    const api = await start();
    await expect(api.hostOkToStop({ hostname: "" })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(api.hostOkToStop({ hostname: "node-9" })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    expect(await refusal(api.enterHostMaintenance({ hostname: "bad host" }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, fields: ["hostname"] });
    expect(await refusal(api.drainHost({ hostname: "node-9" }))).toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});

describe("host maintenance", () => {
  it("enter stops the host's daemons and marks it; the reconciler leaves it alone; exit starts them again", async () => {
    const api = await start({ args: ["--reconcile-interval", "200ms"] });
    const entered = await succeeded(api.enterHostMaintenance({ hostname: "node-3" }));
    expect(entered.outcome?.$case === "result" && entered.outcome.value.result).toMatchObject({ $case: "host", value: { status: HS.STATUS_MAINTENANCE } });
    expect(entered.tasks.map((t) => t.target)).toEqual(["host node-3", "crash.node-3", "mon.node-3", "osd.2"]);
    expect(await statusOf(api, "node-3")).toBe(HS.STATUS_MAINTENANCE);
    expect(await daemonsOn(api, "node-3")).toEqual([
      ["crash.node-3", DS.STATUS_STOPPED],
      ["mon.node-3", DS.STATUS_STOPPED],
      ["osd.2", DS.STATUS_STOPPED],
    ]);
    // Entering again changes nothing.
    expect((await succeeded(api.enterHostMaintenance({ hostname: "node-3" }))).tasks.map((t) => t.target)).toEqual(["host node-3"]);
    await sleep(600);
    expect((await api.listOperations({ origin: Origin.ORIGIN_RECONCILER })).operations).toEqual([]);

    // With node-3 down, node-2 may not stop too: refused, naming why, and nothing changes.
    const refused = await refusal(api.enterHostMaintenance({ hostname: "node-2" }));
    expect(refused).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, messages: [] });
    expect(refused.message).toContain("mon.node-2: 1 of 3 mons would be left, no quorum");
    expect(refused.message).toContain("osd.1: fewer than 2 OSDs would stay up");
    expect(await statusOf(api, "node-2")).toBe(HS.STATUS_ONLINE);
    expect((await daemonsOn(api, "node-2")).every(([, s]) => s === DS.STATUS_RUNNING)).toBe(true);

    const exited = await succeeded(api.exitHostMaintenance({ hostname: "node-3" }));
    expect(exited.outcome?.$case === "result" && exited.outcome.value.result).toMatchObject({ $case: "host", value: { status: HS.STATUS_ONLINE } });
    expect((await daemonsOn(api, "node-3")).every(([, s]) => s === DS.STATUS_RUNNING)).toBe(true);
    expect(await statusOf(api, "node-3")).toBe(HS.STATUS_ONLINE);
  });

  it("force enters even when it is not safe", async () => {
    const api = await start();
    await succeeded(api.enterHostMaintenance({ hostname: "node-3" }));
    await succeeded(api.enterHostMaintenance({ hostname: "node-2", force: true }));
    expect(await statusOf(api, "node-2")).toBe(HS.STATUS_MAINTENANCE);
    expect((await daemonsOn(api, "node-2")).every(([, s]) => s === DS.STATUS_STOPPED)).toBe(true);
  });
});

describe("DrainHost", () => {
  it("labels the host _no_schedule and removes every daemon on it, its OSD through the removal queue", async () => {
    const api = await start({ args: ["--reconcile-interval", "200ms"] });
    const drained = await succeeded(api.drainHost({ hostname: "node-3" }));
    expect(drained.outcome?.$case === "result" && drained.outcome.value.result).toEqual({
      $case: "daemons",
      value: { daemonNames: ["crash.node-3", "mon.node-3", "osd.2"] },
    });
    expect((await api.listHosts()).hosts.find((h) => h.hostname === "node-3")!.labels).toContain("_no_schedule");
    expect(await daemonsOn(api, "node-3")).toEqual([]);
    expect((await api.getOsdRemovalStatus()).removals.map((r) => [r.osdId, r.hostname])).toEqual([[2, "node-3"]]);
    // No placement takes the host again: crash (on "*") and mon (label mon) stay off it.
    await sleep(600);
    expect(await daemonsOn(api, "node-3")).toEqual([]);
    expect((await api.listOperations({ origin: Origin.ORIGIN_RECONCILER })).operations).toEqual([]);
  });

  it("is refused when the host's daemons may not stop (the last mgr), and changes nothing", async () => {
    const api = await start();
    await succeeded(api.daemonAction({ daemonName: "mgr.node-2.lhmqbe", action: A.SERVICE_ACTION_STOP }));
    const refused = await refusal(api.drainHost({ hostname: "node-1" }));
    expect(refused).toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    expect(refused.message).toContain("no other mgr runs");
    expect((await api.listHosts()).hosts.find((h) => h.hostname === "node-1")!.labels).not.toContain("_no_schedule");
    expect((await daemonsOn(api, "node-1")).length).toBe(4);
  });
});
