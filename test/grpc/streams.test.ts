// Write streams over real gRPC: the order of states, progress, tasks per host, every message
// a full snapshot; disconnecting (the operation goes on) and reattaching with WatchOperation;
// slow readers; client deadlines on a stream.
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Operation_State as S, type Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { detach, firstOp, lifecycleProblems, opsOf, refusal, stageRank } from "../conformance/api.js";
import { ms, readUntil, rest, simPerTest, sleep } from "./helpers.js";

const { start } = simPerTest();

/** The states in order, each once. */
function stateRun(msgs: Operation[]): S[] {
  return msgs.map((m) => m.state).filter((s, i, a) => i === 0 || a[i - 1] !== s);
}

describe("the stream of a write", () => {
  it("goes ACCEPTED → PERSISTENT → RUNNING → SUCCEEDED, each message a full snapshot", async () => {
    const api = await start({ delays: { createOsd: 30 } });
    const msgs = await opsOf(api.createOsds({ spec: { serviceId: "s", hostPattern: "node-*", dataDevices: { paths: ["/dev/sdc", "/dev/sdd"] } } }));
    expect(lifecycleProblems(msgs)).toEqual([]);
    expect(stateRun(msgs)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING, S.STATE_SUCCEEDED]);
    const first = msgs[0]!;
    expect(first).toMatchObject({ persistent: false, done: false, progress: 0, cancelRequested: false, outcome: undefined, endTime: undefined });
    for (const m of msgs) {
      expect(m.id).toBe(first.id);
      expect(m.method).toBe("ceph_orchestrator.v1.OsdService.CreateOsds");
      expect(m.description).toBe(first.description);
      expect([...m.hosts].sort()).toEqual(["node-1", "node-2", "node-3"]);
      expect(m.createTime).toEqual(first.createTime);
    }
    const updates = msgs.map((m) => ms(m.updateTime));
    expect(updates).toEqual([...updates].sort((a, b) => a - b));
    const last = msgs.at(-1)!;
    expect(ms(last.endTime)).toBe(ms(last.updateTime));
    expect(msgs.slice(0, -1).every((m) => m.endTime === undefined)).toBe(true);
    expect(last.outcome?.$case).toBe("result");
  });

  it("progress rises within [0, 1]; tasks, one per host, move forward and end SUCCEEDED at 1", async () => {
    const api = await start({ delays: { createOsd: 30 } });
    const msgs = await opsOf(api.createOsds({ spec: { hostPattern: "node-*", dataDevices: { paths: ["/dev/sdc", "/dev/sdd"] } } }));
    const progress = msgs.map((m) => m.progress);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(progress.some((p) => p > 0 && p < 1), progress.join(",")).toBe(true);
    const byTask = new Map<string, Operation["tasks"]>();
    for (const m of msgs) for (const t of m.tasks) byTask.set(t.target, [...(byTask.get(t.target) ?? []), t]);
    expect([...byTask.keys()].sort()).toEqual(["host node-1", "host node-2", "host node-3"]);
    for (const [target, seen] of byTask) {
      expect(new Set(seen.map((t) => t.hostname)), target).toEqual(new Set([target.replace("host ", "")]));
      const ranks = seen.map((t) => stageRank(t.state));
      expect(ranks, target).toEqual([...ranks].sort((a, b) => a - b));
      for (const t of seen) expect(t.progress >= 0 && t.progress <= 1, `${target} ${t.progress}`).toBe(true);
      expect(seen.at(-1)).toMatchObject({ state: S.STATE_SUCCEEDED, progress: 1 });
    }
  });

  it("a reader that stalls still gets every state, in order, and the terminal one last", async () => {
    const api = await start({ delays: { createOsd: 20 } });
    const s = api.createOsds({ spec: { hostPattern: "node-*", dataDevices: { rotational: true } } });
    const head = await readUntil(s, () => true);
    await sleep(400); // the operation moves on (and may finish) while nobody reads
    const msgs = [...head, ...(await rest(s))];
    expect(lifecycleProblems(msgs)).toEqual([]);
    expect(stateRun(msgs)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING, S.STATE_SUCCEEDED]);
  });

  it("a failed operation still ends the stream with OK after its FAILED snapshot", async () => {
    const api = await start({ failures: { unreachableHosts: ["node-2"] } });
    const s = api.daemonAction({ action: 3, daemonName: "crash.node-2" });
    const statuses: grpc.StatusObject[] = [];
    s.on("status", (st: grpc.StatusObject) => statuses.push(st));
    const msgs = await opsOf(s);
    expect(stateRun(msgs)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING, S.STATE_FAILED]);
    expect(statuses.map((x) => x.code)).toEqual([grpc.status.OK]);
  });

  it("a refused write sends no message at all", async () => {
    const api = await start();
    const e = await refusal(api.removeHost({ hostname: "node-1" }));
    expect(e.messages).toEqual([]);
    expect((await api.listOperations()).totalSize).toBe(0);
  });
});

describe("disconnect and reattach", () => {
  it("closing the stream after ACCEPTED leaves the operation running; WatchOperation streams it to the end", async () => {
    const api = await start({ delays: { addHost: 300 } });
    const s = api.addHost({ host: { hostname: "node-4" } });
    const first = await firstOp(s);
    expect(first.state).toBe(S.STATE_ACCEPTED);
    detach(s);

    const now = (await api.getOperation(first.id)).operation!;
    expect(now.done).toBe(false);
    expect([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING]).toContain(now.state);

    const watched = await opsOf(api.watchOperation(first.id));
    expect(lifecycleProblems(watched, { fromStart: false })).toEqual([]);
    expect(stageRank(watched[0]!.state)).toBeGreaterThanOrEqual(stageRank(now.state));
    expect(watched.at(-1)).toMatchObject({ id: first.id, state: S.STATE_SUCCEEDED, done: true });
    expect((await api.getOperation(first.id)).operation).toEqual(watched.at(-1));
    expect((await api.listHosts()).hosts.map((h) => h.hostname)).toContain("node-4");
  });

  it("an operation with no watcher at all runs to the end; GetOperation shows it RUNNING, then SUCCEEDED", async () => {
    const api = await start({ delays: { deployDaemon: 300 } });
    const s = api.addStatelessService({ spec: { serviceType: 4, serviceId: "w", placement: { count: 2 } } });
    const first = await firstOp(s);
    detach(s);
    let seenRunning = false;
    for (;;) {
      const op = (await api.getOperation(first.id)).operation!;
      if (op.state === S.STATE_RUNNING) seenRunning = true;
      if (op.done) {
        expect(op.state).toBe(S.STATE_SUCCEEDED);
        break;
      }
      await sleep(20);
    }
    expect(seenRunning).toBe(true);
    expect((await api.listDaemons({ serviceName: "mds.w" })).daemons).toHaveLength(2);
  });

  it("several watchers each get the terminal state; closing one watcher changes nothing for the others", async () => {
    const api = await start({ delays: { daemonAction: 200 } });
    const s = api.daemonAction({ action: 3, daemonName: "mon.node-2" });
    const id = (await firstOp(s)).id;
    const w1 = api.watchOperation(id);
    const w2 = api.watchOperation(id);
    const w3 = api.watchOperation(id);
    await firstOp(w3);
    detach(w3);
    const [a, b, c] = await Promise.all([opsOf(w1), opsOf(w2), rest(s)]);
    for (const msgs of [a, b, c]) expect(msgs.at(-1)).toMatchObject({ id, state: S.STATE_SUCCEEDED });
    expect(a.at(-1)).toEqual(b.at(-1));
  });

  it("watching a finished operation sends its terminal state once and ends", async () => {
    const api = await start();
    const done = (await opsOf(api.addHostLabel({ hostname: "node-1", label: "w" }))).at(-1)!;
    expect(await opsOf(api.watchOperation(done.id))).toEqual([done]);
  });

  it("a client deadline on a write ends the client's stream with DEADLINE_EXCEEDED; the operation goes on", async () => {
    const api = await start({ delays: { addHost: 400 } });
    const s = api.addHost({ host: { hostname: "node-5" } }, { deadlineMs: 150 });
    const seen: Operation[] = [];
    s.on("data", (m: { operation?: Operation }) => m.operation && seen.push(m.operation));
    const err = await new Promise<grpc.ServiceError>((resolve) => s.on("error", resolve));
    expect(grpc.status[err.code]).toBe("DEADLINE_EXCEEDED");
    expect(seen[0]?.state).toBe(S.STATE_ACCEPTED);
    const wait = await api.waitOperations({ ids: [seen[0]!.id], timeout: { seconds: "10", nanos: 0 } });
    expect(wait.operations[0]?.state).toBe(S.STATE_SUCCEEDED);
    expect((await api.listHosts()).hosts.map((h) => h.hostname)).toContain("node-5");
  });
});
