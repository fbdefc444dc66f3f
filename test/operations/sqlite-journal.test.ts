// The SQLite journal, alone and under the engine: records survive a reopen, snapshots
// coalesce, retention prunes in SQL, and recover() brings operations back after a restart.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Operation, Operation_Origin, Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { Code } from "../../gen/ts/google/rpc/code.js";
import { RequestIdReusedError } from "../../src/domain/errors.js";
import type { OperationsEngine, WritePlan, ResumeFn } from "../../src/operations/engine.js";
import { SqliteJournal } from "../../src/operations/sqlite-journal.js";
import { type OrchestratorDatabase, openDatabase } from "../../src/persistence/database.js";
import { collect, deferred, newEngine, spec } from "./helpers.js";

const dirs: string[] = [];
const databases: OrchestratorDatabase[] = [];
const engines: OperationsEngine[] = [];

afterEach(() => {
  for (const e of engines.splice(0)) e.close();
  for (const db of databases.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orch-journal-"));
  dirs.push(dir);
  return dir;
}

function openJournal(dir: string): { database: OrchestratorDatabase; journal: SqliteJournal } {
  const database = openDatabase(dir);
  databases.push(database);
  return { database, journal: new SqliteJournal(database) };
}

/** Closes the database as a crash would leave it: what was committed stays, nothing else. */
function reopen(dir: string, database: OrchestratorDatabase): { database: OrchestratorDatabase; journal: SqliteJournal } {
  database.close();
  databases.splice(databases.indexOf(database), 1);
  return openJournal(dir);
}

function engineOn(journal: SqliteJournal, retention = { maxAgeMs: 60_000, maxCount: 1000 }): OperationsEngine {
  const e = newEngine({ journal, retention });
  engines.push(e);
  return e;
}

function snapshot(over: Partial<Operation> = {}): Operation {
  const now = { seconds: String(Math.floor(Date.now() / 1000)), nanos: 0 };
  return {
    id: "op-1",
    requestId: "",
    method: "ceph_orchestrator.v1.Test.Do",
    description: "test",
    state: S.STATE_PERSISTENT,
    persistent: true,
    done: false,
    progress: 0,
    message: "recorded",
    hosts: ["node-1"],
    tasks: [],
    createTime: now,
    updateTime: now,
    endTime: undefined,
    cancelRequested: false,
    outcome: undefined,
    origin: Operation_Origin.ORIGIN_CLIENT,
    ...over,
  };
}

function ts(ms: number): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

const noResume: ResumeFn = () => undefined;

describe("SqliteJournal", () => {
  it("keeps records, their requests and their last snapshot across a reopen", async () => {
    const dir = tempDir();
    let { database, journal } = openJournal(dir);
    const request = { hostname: "node-1", requestId: "r-1", count: "9007199254740993" };
    await journal.record(snapshot({ requestId: "r-1" }), { request, requestFingerprint: "fp-1" });
    await journal.update(snapshot({ requestId: "r-1", state: S.STATE_RUNNING, progress: 0.5, message: "half" }));
    ({ database, journal } = reopen(dir, database));
    const [rec, ...rest] = journal.load();
    expect(rest).toEqual([]);
    expect(rec!.request).toEqual(request);
    expect(rec!.requestFingerprint).toBe("fp-1");
    expect(rec!.op).toMatchObject({ id: "op-1", requestId: "r-1", state: S.STATE_RUNNING, progress: 0.5, message: "half" });
  });

  it("shares one commit among concurrent records, and coalesces snapshots of one operation", async () => {
    const { database, journal } = openJournal(tempDir());
    const before = { ...database.stats };
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => journal.record(snapshot({ id: `op-${i}` }), { request: {}, requestFingerprint: "" })),
    );
    expect(database.stats.commits - before.commits).toBe(1);
    const updates = [0.1, 0.2, 0.3].map((p) => journal.update(snapshot({ id: "op-7", state: S.STATE_RUNNING, progress: p })));
    await Promise.all(updates);
    expect(database.stats.commits - before.commits).toBe(2);
    expect(database.stats.writes - before.writes).toBe(101);
    expect(journal.load().find((r) => r.op.id === "op-7")!.op.progress).toBe(0.3);
  });

  it("applies a snapshot queued with the record after the record", async () => {
    const { journal } = openJournal(tempDir());
    const recorded = journal.record(snapshot(), { request: {}, requestFingerprint: "" });
    const updated = journal.update(snapshot({ state: S.STATE_RUNNING, cancelRequested: true }));
    await Promise.all([recorded, updated]);
    expect(journal.load()[0]!.op).toMatchObject({ state: S.STATE_RUNNING, cancelRequested: true });
  });

  it("prunes finished operations in SQL by age, then by count, never unfinished ones", async () => {
    const { journal } = openJournal(tempDir());
    const now = Date.now();
    const ended = (id: string, agoMs: number) =>
      snapshot({ id, state: S.STATE_SUCCEEDED, done: true, endTime: ts(now - agoMs) });
    const write = (op: Operation) => journal.record(op, { request: {}, requestFingerprint: "" });
    await Promise.all([
      write(ended("old-1", 120_000)),
      write(ended("old-2", 90_000)),
      write(ended("a", 30_000)),
      write(ended("b", 20_000)),
      write(ended("c", 10_000)),
      write(snapshot({ id: "running", state: S.STATE_RUNNING })),
    ]);
    journal.prune({ maxAgeMs: 60_000, maxCount: 100 }, now);
    expect(journal.load().map((r) => r.op.id)).toEqual(["a", "b", "c", "running"]);
    journal.prune({ maxAgeMs: 60_000, maxCount: 2 }, now);
    expect(journal.load().map((r) => r.op.id)).toEqual(["b", "c", "running"]);
    journal.prune({ maxAgeMs: 60_000, maxCount: 0 }, now);
    expect(journal.load().map((r) => r.op.id)).toEqual(["running"]);
  });

  it("forgets what the engine's retention forgets", async () => {
    const { journal } = openJournal(tempDir());
    const e = engineOn(journal, { maxAgeMs: 60_000, maxCount: 1 });
    const first = e.submit(spec());
    await collect(e.watch(first.id));
    const second = e.submit(spec());
    await collect(e.watch(second.id));
    e.submit(spec()); // prunes the first
    await new Promise((resolve) => setImmediate(resolve));
    expect(journal.load().map((r) => r.op.id)).not.toContain(first.id);
    expect(journal.load().map((r) => r.op.id)).toContain(second.id);
  });
});

describe("engine with the SQLite journal", () => {
  it("shows PERSISTENT and the terminal state only once they are committed", async () => {
    const dir = tempDir();
    const { database, journal } = openJournal(dir);
    const e = engineOn(journal);
    const seen: { state: S; committed: S | undefined }[] = [];
    const committed = () => journal.load().find((r) => r.op.id === op.id)?.op.state;
    const op = e.submit(spec({ request: { a: 1 } }));
    for await (const o of e.watch(op.id)) seen.push({ state: o.state, committed: committed() });
    expect(seen.map((s) => s.state)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING, S.STATE_SUCCEEDED]);
    expect(seen[0]!.committed).toBeUndefined();
    expect(seen[1]!.committed).toBeDefined();
    expect(seen[3]!.committed).toBe(S.STATE_SUCCEEDED);
    expect(database.stats.commits).toBeGreaterThan(0);
  });

  it("after a restart: finished operations for Get, List, Watch, Wait and request_id; unfinished ones resumed", async () => {
    const dir = tempDir();
    let { database, journal } = openJournal(dir);
    const e1 = engineOn(journal);
    const done = e1.submit(spec({ requestId: "req-done", requestFingerprint: "fp-done", request: { n: 1 } }));
    const finished = (await collect(e1.watch(done.id))).at(-1)!;
    const gate = deferred();
    const started = deferred();
    const running = e1.submit(
      spec({
        requestId: "req-running",
        requestFingerprint: "fp-running",
        request: { hostname: "node-2" },
        hosts: ["node-2"],
        run: async (run) => {
          await run.onHost("node-2", "host node-2", async (ctx) => {
            ctx.progress(0.5, "half way");
            started.resolve();
            await gate.promise; // never released: the "crash" comes first
          });
          return undefined;
        },
      }),
    );
    await started.promise;
    await new Promise((resolve) => setImmediate(resolve)); // the progress is committed
    e1.close();
    ({ database, journal } = reopen(dir, database));

    const resumed: { op: Operation; request: unknown }[] = [];
    const e2 = engineOn(journal);
    const resume: ResumeFn = (op, request) => {
      resumed.push({ op, request });
      return spec({
        method: op.method,
        requestId: op.requestId,
        requestFingerprint: "fp-running",
        request: request as object,
        hosts: op.hosts,
        run: async (run) => {
          await run.onHost("node-2", "host node-2", async () => undefined);
          return { result: { $case: "removedHost", value: { hostname: "node-2" } } };
        },
      });
    };
    expect(await e2.recover(resume, { backend: "test" })).toEqual({ finished: 1, resumed: 1, failed: 0 });
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.request).toEqual({ hostname: "node-2" });
    expect(resumed[0]!.op).toMatchObject({ id: running.id, state: S.STATE_RUNNING, persistent: true });
    expect(resumed[0]!.op.tasks[0]).toMatchObject({ target: "host node-2", progress: 0.5, message: "half way" });

    // The finished one, exactly as it ended.
    expect(e2.get(done.id)).toEqual(finished);
    expect(await collect(e2.watch(done.id))).toEqual([finished]);
    expect(e2.list({ states: [S.STATE_SUCCEEDED], method: "", hostname: "" }).map((o) => o.id)).toContain(done.id);
    // request_id: the same operation, also for the resumed one; another request is refused.
    expect(e2.submit(spec({ requestId: "req-done", requestFingerprint: "fp-done" })).id).toBe(done.id);
    expect(e2.submit(spec({ requestId: "req-running", requestFingerprint: "fp-running" })).id).toBe(running.id);
    expect(() => e2.submit(spec({ requestId: "req-done", requestFingerprint: "other" }))).toThrow(RequestIdReusedError);

    const waited = await e2.wait([running.id, done.id], 5_000);
    expect(waited.allDone).toBe(true);
    expect(e2.get(running.id)).toMatchObject({ state: S.STATE_SUCCEEDED, persistent: true, done: true });

    // And once more: both come back finished.
    e2.close();
    ({ database, journal } = reopen(dir, database));
    const e3 = engineOn(journal);
    expect(await e3.recover(noResume)).toEqual({ finished: 2, resumed: 0, failed: 0 });
    expect(e3.get(running.id).state).toBe(S.STATE_SUCCEEDED);
  });

  it("fails an unfinished operation the backend cannot resume, saying so", async () => {
    const dir = tempDir();
    let { database, journal } = openJournal(dir);
    const e1 = engineOn(journal);
    const started = deferred();
    const op = e1.submit(
      spec({
        run: async () => {
          started.resolve();
          await new Promise(() => undefined);
          return undefined;
        },
      }),
    );
    await started.promise;
    e1.close();
    ({ database, journal } = reopen(dir, database));
    const e2 = engineOn(journal);
    expect(await e2.recover(noResume, { backend: "sim" })).toEqual({ finished: 0, resumed: 0, failed: 1 });
    const failed = e2.get(op.id);
    expect(failed).toMatchObject({ state: S.STATE_FAILED, done: true, persistent: true });
    expect(failed.message).toContain("cannot be resumed by backend 'sim' after a restart");
    expect(failed.outcome?.$case === "error" && failed.outcome.value.code).toBe(Code.ABORTED);
    ({ database, journal } = reopen(dir, database));
    expect(journal.load()[0]!.op.state).toBe(S.STATE_FAILED);
  });

  it("ends CANCELLED a resumed operation whose cancel had been requested", async () => {
    const dir = tempDir();
    let { database, journal } = openJournal(dir);
    const e1 = engineOn(journal);
    const started = deferred();
    const op = e1.submit(
      spec({
        run: async () => {
          started.resolve();
          await new Promise(() => undefined);
          return undefined;
        },
      }),
    );
    await started.promise;
    e1.cancel(op.id);
    await new Promise((resolve) => setImmediate(resolve));
    e1.close();
    ({ database, journal } = reopen(dir, database));
    const e2 = engineOn(journal);
    let ran = false;
    await e2.recover(() =>
      spec({
        run: async () => {
          ran = true;
          return undefined;
        },
      }),
    );
    await e2.wait([op.id], 5_000);
    expect(e2.get(op.id).state).toBe(S.STATE_CANCELLED);
    expect(ran).toBe(false);
  });

  it("on shutdown, interrupts rather than cancels: the operation resumes at the next start", async () => {
    const dir = tempDir();
    let { database, journal } = openJournal(dir);
    const e1 = engineOn(journal);
    const started = deferred();
    const op = e1.submit(
      spec({
        run: async (run) => {
          started.resolve();
          await new Promise((_, reject) => run.signal.addEventListener("abort", () => reject(run.signal.reason)));
          return undefined;
        },
      }),
    );
    await started.promise;
    await e1.drain(10);
    expect(e1.get(op.id).done).toBe(false);
    e1.close();
    ({ database, journal } = reopen(dir, database));
    expect(journal.load()[0]!.op.state).toBe(S.STATE_RUNNING);
    const e2 = engineOn(journal);
    const again: WritePlan = spec({ run: async () => undefined });
    expect((await e2.recover(() => again)).resumed).toBe(1);
    await e2.wait([op.id], 5_000);
    expect(e2.get(op.id).state).toBe(S.STATE_SUCCEEDED);
  });
});
