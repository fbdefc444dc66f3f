// OperationService and the engine behind it over real gRPC: listing, waiting (timeouts and
// deadlines), cancelling (mid-way, while queued, after the end), idempotent retries by
// request_id, parallel work on different hosts and one-at-a-time work on one host, and
// retention.
import { randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Operation_State as S, type Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { DaemonDescription_Status as DS, ServiceAction as A, ServiceType as T } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { type Api, allPages, detach, duration, firstOp, lifecycleProblems, opsOf, rejection } from "../conformance/api.js";
import { readUntil, rest, simPerTest, taskSpan } from "./helpers.js";

const { start } = simPerTest();

const restart = (api: Api, daemonName: string, requestId = "") => api.daemonAction({ action: A.SERVICE_ACTION_RESTART, daemonName, requestId });
async function pid(api: Api, name: string): Promise<number> {
  return (await api.listDaemons({ daemonId: name })).daemons[0]!.pid;
}

describe("ListOperations and GetOperation", () => {
  it("lists newest first, filters by state, method and host, and pages", async () => {
    const api = await start({ failures: { unreachableHosts: ["node-3"] } });
    const a = (await opsOf(api.addHostLabel({ hostname: "node-1", label: "x" }))).at(-1)!;
    const b = (await opsOf(restart(api, "crash.node-2"))).at(-1)!;
    const c = (await opsOf(restart(api, "crash.node-3"))).at(-1)!;
    const d = (await opsOf(api.removeHostLabel({ hostname: "node-2", label: "y" }))).at(-1)!;
    expect(c.state).toBe(S.STATE_FAILED);

    const all = await api.listOperations();
    expect(all.operations.map((o) => o.id)).toEqual([d.id, c.id, b.id, a.id]);
    expect(all.totalSize).toBe(4);
    expect(all.operations[1]).toEqual(c);
    const ids = async (r: Parameters<Api["listOperations"]>[0]) => (await api.listOperations(r)).operations.map((o) => o.id);
    expect(await ids({ states: [S.STATE_FAILED] })).toEqual([c.id]);
    expect(await ids({ states: [S.STATE_FAILED, S.STATE_SUCCEEDED] })).toEqual([d.id, c.id, b.id, a.id]);
    expect(await ids({ states: [S.STATE_RUNNING] })).toEqual([]);
    expect(await ids({ method: "ceph_orchestrator.v1.ServiceService.DaemonAction" })).toEqual([c.id, b.id]);
    expect(await ids({ hostname: "node-2" })).toEqual([d.id, b.id]);
    expect(await ids({ hostname: "node-2", method: "ceph_orchestrator.v1.HostService.RemoveHostLabel" })).toEqual([d.id]);
    const paged = await allPages(async (t) => {
      const r = await api.listOperations({ pageSize: 3, pageToken: t });
      return { items: r.operations.map((o) => o.id), nextPageToken: r.nextPageToken, totalSize: r.totalSize };
    });
    expect(paged).toEqual({ items: [d.id, c.id, b.id, a.id], pages: 2, totalSizes: [4, 4] });
    for (const op of [a, b, c, d]) expect((await api.getOperation(op.id)).operation).toEqual(op);
  });
});

describe("WaitOperations", () => {
  it("waits for many ids: all_done=false before the timeout, true once they end, states in the request's order", async () => {
    const api = await start({ delays: { daemonAction: 300 } });
    const done = (await opsOf(api.addHostLabel({ hostname: "node-1", label: "x" }))).at(-1)!;
    const streams = ["crash.node-1", "crash.node-2", "crash.node-3"].map((d) => restart(api, d));
    const ids = (await Promise.all(streams.map(firstOp))).map((o) => o.id);
    streams.forEach(detach);
    const order = [ids[2]!, done.id, ids[0]!, ids[1]!];

    const now = await api.waitOperations({ ids: order });
    expect(now.allDone).toBe(false);
    expect(now.operations.map((o) => o.id)).toEqual(order);
    expect(now.operations[1]).toEqual(done);
    const short = await api.waitOperations({ ids: order, timeout: duration(30) });
    expect(short.allDone).toBe(false);
    expect(short.operations.filter((o) => !o.done).length).toBeGreaterThan(0);

    const long = await api.waitOperations({ ids: order, timeout: duration(20_000) });
    expect(long.allDone).toBe(true);
    expect(long.operations.map((o) => [o.id, o.state])).toEqual(order.map((id) => [id, S.STATE_SUCCEEDED]));
    // Already done: answers at once.
    expect((await api.waitOperations({ ids: order, timeout: duration(3_600_000) })).allDone).toBe(true);
  });

  it("a short call deadline ends the wait with DEADLINE_EXCEEDED promptly, and the server keeps serving", async () => {
    const api = await start({ delays: { addHost: 800 } });
    const s = api.addHost({ host: { hostname: "node-4" } });
    const id = (await firstOp(s)).id;
    const t0 = Date.now();
    const e = await rejection(api.waitOperations({ ids: [id], timeout: duration(60_000) }, { deadlineMs: 200 }));
    expect(grpc.status[e.code]).toBe("DEADLINE_EXCEEDED");
    expect(Date.now() - t0).toBeLessThan(2500);
    expect((await api.getStatus()).available).toBe(true);
    expect((await api.getOperation(id)).operation?.done).toBe(false);
    const end = (await rest(s)).at(-1)!;
    expect(end.state).toBe(S.STATE_SUCCEEDED);
    expect((await api.waitOperations({ ids: [id], timeout: duration(1000) })).allDone).toBe(true);
  });

  it("refuses no ids, more than 1000 ids, and a bad id, naming the field", async () => {
    const api = await start();
    expect((await rejection(api.waitOperations({ ids: [] }))).fields).toEqual(["ids"]);
    const many = Array.from({ length: 1001 }, () => randomUUID());
    expect((await rejection(api.waitOperations({ ids: many }))).fields).toEqual(["ids"]);
    expect((await rejection(api.waitOperations({ ids: [randomUUID(), "x/y"] }))).fields).toEqual(["ids[1]"]);
  });
});

describe("CancelOperation", () => {
  it("mid-way: the operation ends CANCELLED, and the cluster is consistent (no half-deployed daemon); re-applying completes it", async () => {
    const api = await start({ delays: { deployDaemon: 400 } });
    const spec = { serviceType: T.SERVICE_TYPE_MDS, serviceId: "cx", placement: { count: 3 } };
    const s = api.addStatelessService({ spec });
    const seen = await readUntil(s, (op) => op.tasks.length === 3 && op.tasks.every((t) => t.state === S.STATE_RUNNING));
    const id = seen[0]!.id;
    const cancelled = (await api.cancelOperation(id)).operation!;
    expect(cancelled).toMatchObject({ id, cancelRequested: true });
    const msgs = [...seen, ...(await rest(s))];
    expect(lifecycleProblems(msgs)).toEqual([]);
    const final = msgs.at(-1)!;
    expect(final).toMatchObject({ state: S.STATE_CANCELLED, done: true, cancelRequested: true });
    expect(final.outcome).toBeUndefined();
    expect(final.tasks.map((t) => t.state)).toEqual([S.STATE_CANCELLED, S.STATE_CANCELLED, S.STATE_CANCELLED]);

    const daemons = (await api.listDaemons({ serviceName: "mds.cx" })).daemons;
    expect(daemons.filter((d) => d.status !== DS.STATUS_RUNNING)).toEqual([]);
    const svc = (await api.describeServices({ serviceName: "mds.cx" })).services;
    expect(svc.map((x) => x.running)).toEqual([daemons.length]);

    const again = (await opsOf(api.updateStatelessService({ spec }))).at(-1)!;
    expect(again.state).toBe(S.STATE_SUCCEEDED);
    const after = (await api.listDaemons({ serviceName: "mds.cx" })).daemons;
    expect(after.map((d) => [d.hostname, d.status])).toEqual([
      ["node-1", DS.STATUS_RUNNING],
      ["node-2", DS.STATUS_RUNNING],
      ["node-3", DS.STATUS_RUNNING],
    ]);
  });

  it("while it waits for its host: CANCELLED without running, the daemon untouched", async () => {
    const api = await start({ delays: { daemonAction: 300 } });
    const first = restart(api, "crash.node-1");
    await readUntil(first, (op) => op.tasks.some((t) => t.state === S.STATE_RUNNING));
    const before = await pid(api, "mon.node-1");
    const second = restart(api, "mon.node-1");
    const waiting = await readUntil(second, (op) => op.tasks.some((t) => t.state === S.STATE_ACCEPTED));
    expect(waiting.at(-1)!.tasks[0]!.message).toBe("waiting for host node-1");
    await api.cancelOperation(waiting[0]!.id);
    const end = (await rest(second)).at(-1)!;
    expect(end.state).toBe(S.STATE_CANCELLED);
    expect(end.tasks.map((t) => t.state)).toEqual([S.STATE_CANCELLED]);
    expect(await pid(api, "mon.node-1")).toBe(before);
    expect((await rest(first)).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
  });

  it("of a finished operation changes nothing; twice is the same as once", async () => {
    const api = await start({ delays: { daemonAction: 300 } });
    const done = (await opsOf(api.addHostLabel({ hostname: "node-1", label: "x" }))).at(-1)!;
    expect((await api.cancelOperation(done.id)).operation).toEqual(done);
    const s = restart(api, "crash.node-2");
    const id = (await readUntil(s, (op) => op.state === S.STATE_RUNNING))[0]!.id;
    const once = (await api.cancelOperation(id)).operation!;
    const twice = (await api.cancelOperation(id)).operation!;
    expect(once.cancelRequested && twice.cancelRequested).toBe(true);
    expect((await rest(s)).at(-1)!.state).toBe(S.STATE_CANCELLED);
  });
});

describe("idempotent retries by request_id", () => {
  it("a retry after the end returns the same operation and does not do the work again", async () => {
    const api = await start();
    const rid = `retry-${randomUUID()}`;
    const first = (await opsOf(restart(api, "crash.node-1", rid))).at(-1)!;
    const p = await pid(api, "crash.node-1");
    const retry = await opsOf(restart(api, "crash.node-1", rid));
    expect(retry).toEqual([first]);
    expect(await pid(api, "crash.node-1")).toBe(p);
    expect((await api.listOperations()).totalSize).toBe(1);
  });

  it("retries while it runs (also concurrent ones) join the same operation; all see its end", async () => {
    const api = await start({ delays: { daemonAction: 300 } });
    const rid = `retry-${randomUUID()}`;
    const before = await pid(api, "mon.node-3");
    const streams = [restart(api, "mon.node-3", rid), restart(api, "mon.node-3", rid), restart(api, "mon.node-3", rid)];
    const results = await Promise.all(streams.map(opsOf));
    const ids = new Set(results.flatMap((msgs) => msgs.map((m) => m.id)));
    expect(ids.size).toBe(1);
    for (const msgs of results) expect(msgs.at(-1)!.state).toBe(S.STATE_SUCCEEDED);
    expect((await api.listOperations()).operations.map((o) => o.requestId)).toEqual([rid]);
    // Restarted exactly once: one new pid.
    expect(await pid(api, "mon.node-3")).not.toBe(before);
  });

  it("a client that lost its stream retries with the same request_id and follows the same operation to its end", async () => {
    const api = await start({ delays: { addHost: 300 } });
    const rid = `retry-${randomUUID()}`;
    const lost = api.addHost({ host: { hostname: "node-4" }, requestId: rid });
    const id = (await firstOp(lost)).id;
    detach(lost);
    const resumed = await opsOf(api.addHost({ host: { hostname: "node-4" }, requestId: rid }));
    expect(new Set(resumed.map((m) => m.id))).toEqual(new Set([id]));
    expect(lifecycleProblems(resumed, { fromStart: false })).toEqual([]);
    expect(resumed.at(-1)!.state).toBe(S.STATE_SUCCEEDED);
    expect((await api.listOperations()).totalSize).toBe(1);
  });
});

describe("host locks and parallelism", () => {
  it("operations on different hosts run at the same time", async () => {
    const api = await start({ delays: { daemonAction: 300 } });
    const [a, b] = await Promise.all([opsOf(restart(api, "crash.node-1")), opsOf(restart(api, "crash.node-2"))]);
    const sa = taskSpan(a, "crash.node-1");
    const sb = taskSpan(b, "crash.node-2");
    expect(sa.start < sb.end && sb.start < sa.end, JSON.stringify({ sa, sb })).toBe(true);
  });

  it("two operations on one host take turns: the second waits for the host, then runs after the first ended", async () => {
    const api = await start({ delays: { daemonAction: 300 } });
    const s1 = restart(api, "crash.node-1");
    const head = await readUntil(s1, (op) => op.tasks.some((t) => t.state === S.STATE_RUNNING));
    const s2 = restart(api, "mon.node-1");
    const [rest1, b] = await Promise.all([rest(s1), opsOf(s2)]);
    const a = [...head, ...rest1];
    const first = taskSpan(a, "crash.node-1");
    const second = taskSpan(b, "mon.node-1");
    expect(second.start, JSON.stringify({ first, second })).toBeGreaterThanOrEqual(first.end);
    expect(b.some((m) => m.tasks.some((t) => t.state === S.STATE_ACCEPTED && t.message === "waiting for host node-1"))).toBe(true);
    expect(b.at(-1)!.state).toBe(S.STATE_SUCCEEDED);
  });

  it("--max-parallel-hosts 1 makes even different hosts take turns", async () => {
    const api = await start({ delays: { daemonAction: 200 }, args: ["--max-parallel-hosts", "1"] });
    const [a, b] = await Promise.all([opsOf(restart(api, "crash.node-1")), opsOf(restart(api, "crash.node-2"))]);
    const sa = taskSpan(a, "crash.node-1");
    const sb = taskSpan(b, "crash.node-2");
    expect(sa.end <= sb.start || sb.end <= sa.start, JSON.stringify({ sa, sb })).toBe(true);
  });
});

describe("retention", () => {
  it("forgets the oldest finished operations beyond the configured count: NOT_FOUND, and their request_id is free again", async () => {
    const api = await start({ overrides: { retentionMaxCount: 2 } });
    const ops: Operation[] = [];
    for (const label of ["a", "b", "c", "d"]) ops.push((await opsOf(api.addHostLabel({ hostname: "node-1", label, requestId: `ret-${label}` }))).at(-1)!);
    const gone = await rejection(api.getOperation(ops[0]!.id));
    expect(grpc.status[gone.code]).toBe("NOT_FOUND");
    expect((await api.listOperations()).operations.map((o) => o.id)).not.toContain(ops[0]!.id);
    expect((await api.getOperation(ops[3]!.id)).operation).toEqual(ops[3]);
    const reused = (await opsOf(api.addHostLabel({ hostname: "node-2", label: "a", requestId: "ret-a" }))).at(-1)!;
    expect(reused.id).not.toBe(ops[0]!.id);
    expect(reused.state).toBe(S.STATE_SUCCEEDED);
  });

  it("never keeps more finished operations than the configured count", async () => {
    const api = await start({ overrides: { retentionMaxCount: 2 } });
    for (const label of ["a", "b", "c"]) await opsOf(api.addHostLabel({ hostname: "node-1", label }));
    expect((await api.listOperations()).totalSize).toBe(2);
  });
});
