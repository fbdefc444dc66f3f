import { afterEach, describe, expect, it, vi } from "vitest";
import { Operation_State as S, type Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { Code } from "../../gen/ts/google/rpc/code.js";
import { ErrorInfo } from "../../gen/ts/google/rpc/error_details.js";
import {
  BackendUnavailableError,
  ExecutionError,
  NotFoundError,
  RequestIdReusedError,
} from "../../src/domain/errors.js";
import type { OperationsEngine } from "../../src/operations/engine.js";
import { collect, deferred, detail, newEngine, spec, tick } from "./helpers.js";

const engines: OperationsEngine[] = [];
function engine(...args: Parameters<typeof newEngine>): OperationsEngine {
  const e = newEngine(...args);
  engines.push(e);
  return e;
}

afterEach(() => {
  for (const e of engines.splice(0)) e.close();
  vi.useRealTimers();
});

const states = (ops: Operation[]) => ops.map((o) => o.state);

describe("OperationsEngine lifecycle", () => {
  it("goes ACCEPTED → PERSISTENT → RUNNING → SUCCEEDED with a result", async () => {
    const e = engine();
    const op = e.submit(
      spec({
        hosts: ["node-1"],
        run: async (run) => {
          run.progress(0.5, "half way");
          await run.onHost("node-1", "host node-1", async (ctx) => ctx.progress(0.5, "step"));
          return { result: { $case: "removedHost", value: { hostname: "node-1" } } };
        },
      }),
    );
    expect(op.state).toBe(S.STATE_ACCEPTED);
    expect(op.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(op.createTime?.seconds).toMatch(/^\d+$/);

    const seen = await collect(e.watch(op.id));
    expect(seen[0]).toBe(op);
    expect(states(seen)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING, S.STATE_SUCCEEDED]);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ done: true, persistent: true, progress: 1, message: "succeeded" });
    expect(last.outcome).toEqual({ $case: "result", value: { result: { $case: "removedHost", value: { hostname: "node-1" } } } });
    expect(last.endTime).toBeDefined();
    expect(last.tasks).toEqual([
      { target: "host node-1", hostname: "node-1", state: S.STATE_SUCCEEDED, progress: 1, message: "done", error: undefined },
    ]);
    expect(seen[1]!.persistent).toBe(true);
    expect(e.get(op.id)).toBe(last);
  });

  it("submitAndWatch streams from ACCEPTED, also when a consumer awaits first", async () => {
    const e = engine();
    const { operation, updates } = e.submitAndWatch(spec());
    await tick();
    const seen = await collect(updates);
    expect(seen[0]).toBe(operation);
    expect(states(seen)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING, S.STATE_SUCCEEDED]);
  });

  it("keeps ACCEPTED for a watch that follows an awaited submit", async () => {
    const e = engine();
    // As a write handler does: an async use case submits, then the handler watches.
    const useCase = async () => {
      await Promise.resolve();
      return e.submit(spec());
    };
    async function* stream() {
      const op = await useCase();
      yield* e.watch(op.id);
    }
    expect(states(await collect(stream()))).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING, S.STATE_SUCCEEDED]);
  });

  it("fails with a google.rpc.Status carrying ErrorInfo", async () => {
    const e = engine();
    const op = e.submit(
      spec({
        run: async () => {
          throw new ExecutionError("ceph-volume failed", "node-2");
        },
      }),
    );
    const seen = await collect(e.watch(op.id));
    expect(states(seen)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING, S.STATE_FAILED]);
    const last = seen.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.outcome?.$case).toBe("error");
    const status = last.outcome?.$case === "error" ? last.outcome.value : undefined;
    expect(status).toMatchObject({ code: Code.ABORTED, message: "ceph-volume failed" });
    expect(detail(status!, "google.rpc.ErrorInfo", ErrorInfo)).toEqual({
      reason: "BACKEND_FAILED",
      domain: "orchestrator.ceph.io",
      metadata: { hostname: "node-2" },
    });
  });

  it("hides an unexpected error as INTERNAL", async () => {
    const e = engine();
    const op = e.submit(
      spec({
        run: async () => {
          throw new TypeError("x is undefined");
        },
      }),
    );
    const last = (await collect(e.watch(op.id))).at(-1)!;
    expect(last.state).toBe(S.STATE_FAILED);
    expect(last.outcome).toMatchObject({ $case: "error", value: { code: Code.INTERNAL, message: "internal error" } });
  });

  it("marks a failing host step FAILED, naming the host", async () => {
    const e = engine();
    const op = e.submit(
      spec({
        run: async (run) => {
          await run.onHost("node-3", "osd.7", async () => {
            throw new Error("ssh: connection refused");
          });
          return undefined;
        },
      }),
    );
    const last = (await collect(e.watch(op.id))).at(-1)!;
    expect(last.state).toBe(S.STATE_FAILED);
    expect(last.tasks[0]).toMatchObject({ target: "osd.7", hostname: "node-3", state: S.STATE_FAILED });
    expect(last.tasks[0]!.error?.message).toBe("node-3: ssh: connection refused");
    const status = last.outcome?.$case === "error" ? last.outcome.value : undefined;
    expect(status?.code).toBe(Code.ABORTED);
    expect(status?.message).toContain("node-3");
    expect(detail(status!, "google.rpc.ErrorInfo", ErrorInfo)?.metadata).toEqual({ hostname: "node-3" });
  });

  it("fails when the journal rejects, without running", async () => {
    let ran = false;
    const e = engine({ journal: { record: () => Promise.reject(new Error("disk full")) } });
    const op = e.submit(
      spec({
        run: async () => {
          ran = true;
          return undefined;
        },
      }),
    );
    const seen = await collect(e.watch(op.id));
    expect(states(seen)).toEqual([S.STATE_ACCEPTED, S.STATE_FAILED]);
    expect(seen.at(-1)!.persistent).toBe(false);
    expect(ran).toBe(false);
  });

  it("reaches PERSISTENT only after the journal resolves", async () => {
    const recorded = deferred();
    const records: Operation[] = [];
    const e = engine({
      journal: {
        record: (o) => {
          records.push(o);
          return recorded.promise;
        },
      },
    });
    const op = e.submit(spec());
    await tick();
    expect(e.get(op.id).state).toBe(S.STATE_ACCEPTED);
    expect(records.map((r) => r.id)).toEqual([op.id]);
    recorded.resolve();
    expect((await collect(e.watch(op.id))).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
  });
});

describe("cancel", () => {
  it("stops at a safe point and ends CANCELLED", async () => {
    const e = engine();
    const gate = deferred();
    const started = deferred();
    let reachedAfter = false;
    const op = e.submit(
      spec({
        run: async (run) => {
          started.resolve();
          await gate.promise;
          run.throwIfCancelled();
          reachedAfter = true;
          return undefined;
        },
      }),
    );
    const updates = collect(e.watch(op.id));
    await started.promise;
    const afterCancel = e.cancel(op.id);
    expect(afterCancel).toMatchObject({ cancelRequested: true, done: false, state: S.STATE_RUNNING });
    gate.resolve();
    const seen = await updates;
    expect(states(seen)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING, S.STATE_CANCELLED]);
    expect(seen.at(-1)).toMatchObject({ done: true, cancelRequested: true, outcome: undefined });
    expect(reachedAfter).toBe(false);
  });

  it("ends CANCELLED when the run rejects after the abort", async () => {
    const e = engine();
    const op = e.submit(
      spec({
        run: (run) =>
          new Promise((_, reject) => run.signal.addEventListener("abort", () => reject(new Error("aborted by signal")))),
      }),
    );
    await tick();
    e.cancel(op.id);
    expect((await collect(e.watch(op.id))).at(-1)!.state).toBe(S.STATE_CANCELLED);
  });

  it("stays SUCCEEDED when the run finishes first, and a done operation is left alone", async () => {
    const e = engine();
    const gate = deferred();
    const op = e.submit(
      spec({
        run: async () => {
          await gate.promise;
          return undefined;
        },
      }),
    );
    await tick();
    e.cancel(op.id);
    gate.resolve();
    const last = (await collect(e.watch(op.id))).at(-1)!;
    expect(last).toMatchObject({ state: S.STATE_SUCCEEDED, cancelRequested: true });
    expect(e.cancel(op.id)).toBe(last);
  });

  it("cancels before running when cancelled while being recorded", async () => {
    const recorded = deferred();
    let ran = false;
    const e = engine({ journal: { record: () => recorded.promise } });
    const op = e.submit(
      spec({
        run: async () => {
          ran = true;
          return undefined;
        },
      }),
    );
    e.cancel(op.id);
    recorded.resolve();
    const seen = await collect(e.watch(op.id));
    expect(states(seen)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_CANCELLED]);
    expect(ran).toBe(false);
  });

  it("gives up waiting for a host lock", async () => {
    const e = engine();
    const hold = deferred();
    const holding = deferred();
    const first = e.submit(
      spec({
        run: async (run) => {
          await run.onHost("node-1", "a", async () => {
            holding.resolve();
            await hold.promise;
          });
          return undefined;
        },
      }),
    );
    await holding.promise;
    const second = e.submit(spec({ run: async (run) => run.onHost("node-1", "b", async () => undefined) }));
    await tick();
    expect(e.get(second.id).tasks[0]).toMatchObject({ target: "b", state: S.STATE_ACCEPTED, message: "waiting for host node-1" });
    e.cancel(second.id);
    const last = (await collect(e.watch(second.id))).at(-1)!;
    expect(last.state).toBe(S.STATE_CANCELLED);
    expect(last.tasks[0]!.state).toBe(S.STATE_CANCELLED);
    hold.resolve();
    expect((await collect(e.watch(first.id))).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
    // The lock is free again.
    const third = e.submit(spec({ run: async (run) => run.onHost("node-1", "c", async () => undefined) }));
    expect((await collect(e.watch(third.id))).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
  });

  it("throws NotFoundError for an unknown id", () => {
    expect(() => engine().cancel("nope")).toThrow(NotFoundError);
  });
});

describe("request_id idempotency", () => {
  it("returns the same operation for the same request", async () => {
    const e = engine();
    let runs = 0;
    const s = spec({
      requestId: "r-1",
      requestFingerprint: "fp-a",
      run: async () => {
        runs++;
        return undefined;
      },
    });
    const a = e.submit(s);
    await collect(e.watch(a.id));
    const b = e.submit({ ...s });
    expect(b.id).toBe(a.id);
    expect(b.state).toBe(S.STATE_SUCCEEDED);
    expect(runs).toBe(1);
  });

  it("refuses a reused request_id with a different request", () => {
    const e = engine();
    const a = e.submit(spec({ requestId: "r-2", requestFingerprint: "fp-a" }));
    expect(() => e.submit(spec({ requestId: "r-2", requestFingerprint: "fp-b" }))).toThrow(RequestIdReusedError);
    try {
      e.submit(spec({ requestId: "r-2", requestFingerprint: "fp-a", method: "other.Method" }));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RequestIdReusedError);
      expect((err as RequestIdReusedError).metadata.operation).toBe(a.id);
    }
  });

  it("makes one operation of concurrent submits", async () => {
    const e = engine();
    let runs = 0;
    const s = spec({
      requestId: "r-3",
      requestFingerprint: "fp",
      run: async () => {
        runs++;
        await tick();
        return undefined;
      },
    });
    const ids = await Promise.all(Array.from({ length: 20 }, async () => e.submit({ ...s }).id));
    expect(new Set(ids).size).toBe(1);
    await collect(e.watch(ids[0]!));
    expect(runs).toBe(1);
    expect(e.list({ states: [], method: "", hostname: "" })).toHaveLength(1);
  });

  it("ignores an empty request_id", () => {
    const e = engine();
    expect(e.submit(spec()).id).not.toBe(e.submit(spec()).id);
  });
});

describe("host locks and parallelism", () => {
  /** Runs `ops` operations of `steps` steps each on the given hosts, recording overlap. */
  async function run(e: OperationsEngine, hostsPerOp: string[][], steps = 3) {
    const active = new Map<string, number>();
    let global = 0;
    let maxGlobal = 0;
    let maxPerHost = 0;
    const ops = hostsPerOp.map((hosts) =>
      e.submit(
        spec({
          hosts,
          run: async (r) => {
            await Promise.all(
              hosts.map(async (h) => {
                for (let i = 0; i < steps; i++) {
                  await r.onHost(h, `${h} step ${i}`, async () => {
                    active.set(h, (active.get(h) ?? 0) + 1);
                    maxPerHost = Math.max(maxPerHost, active.get(h)!);
                    maxGlobal = Math.max(maxGlobal, ++global);
                    await new Promise((res) => setTimeout(res, 5));
                    active.set(h, active.get(h)! - 1);
                    global--;
                  });
                }
              }),
            );
            return undefined;
          },
        }),
      ),
    );
    const ends = await Promise.all(ops.map(async (op) => (await collect(e.watch(op.id))).at(-1)!));
    for (const end of ends) expect(end.state).toBe(S.STATE_SUCCEEDED);
    return { maxGlobal, maxPerHost };
  }

  it("never overlaps two steps on one host", async () => {
    const r = await run(engine(), [["node-1"], ["node-1"], ["node-1"]]);
    expect(r.maxPerHost).toBe(1);
  });

  it("runs steps on different hosts in parallel", async () => {
    const r = await run(engine(), [["node-1"], ["node-2"], ["node-3"]]);
    expect(r.maxPerHost).toBe(1);
    expect(r.maxGlobal).toBe(3);
  });

  it("caps the parallel steps at maxParallelHosts", async () => {
    const r = await run(engine({ maxParallelHosts: 2 }), [["a", "b", "c"], ["d", "e"], ["a", "f"]]);
    expect(r.maxPerHost).toBe(1);
    expect(r.maxGlobal).toBe(2);
  });

  it("runs lock-free tasks and reports their progress", async () => {
    const e = engine();
    const op = e.submit(
      spec({
        run: async (r) => {
          await r.task("osd.3", async (ctx) => {
            ctx.progress(0.25, "draining");
            expect(e.get(r.id).tasks[0]).toMatchObject({ target: "osd.3", hostname: "", state: S.STATE_RUNNING, progress: 0.25, message: "draining" });
          });
          return undefined;
        },
      }),
    );
    const last = (await collect(e.watch(op.id))).at(-1)!;
    expect(last.state).toBe(S.STATE_SUCCEEDED);
    expect(last.tasks[0]).toMatchObject({ target: "osd.3", state: S.STATE_SUCCEEDED, progress: 1 });
  });
});

describe("watch", () => {
  it("fans out to 100 watchers, coalescing for a slow one", async () => {
    const e = engine();
    const gate = deferred();
    const op = e.submit(
      spec({
        run: async (r) => {
          await gate.promise;
          for (let i = 1; i <= 50; i++) {
            r.progress(i / 50, `step ${i}`);
            await tick();
          }
          return undefined;
        },
      }),
    );
    const fast = Array.from({ length: 99 }, () => collect(e.watch(op.id)));
    const slow = e.watch(op.id)[Symbol.asyncIterator]();
    gate.resolve();
    const fastSeen = await Promise.all(fast);
    for (const seen of fastSeen) {
      expect(seen[0]!.state).toBe(S.STATE_ACCEPTED);
      expect(seen.at(-1)!.state).toBe(S.STATE_SUCCEEDED);
      // A watcher that keeps up sees (nearly) every progress change.
      expect(seen.length).toBeGreaterThan(40);
    }
    // The slow watcher only starts reading now: one snapshot per state, the latest of each.
    const slowSeen: Operation[] = [];
    for (let r = await slow.next(); !r.done; r = await slow.next()) slowSeen.push(r.value);
    expect(states(slowSeen)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING, S.STATE_SUCCEEDED]);
    expect(slowSeen[2]).toMatchObject({ progress: 1, message: "step 50" });
  });

  it("yields only the terminal snapshot for a done operation", async () => {
    const e = engine();
    const op = e.submit(spec());
    await collect(e.watch(op.id));
    expect(states(await collect(e.watch(op.id)))).toEqual([S.STATE_SUCCEEDED]);
  });

  it("detaches on abort while the operation goes on", async () => {
    const e = engine();
    const gate = deferred();
    const op = e.submit(
      spec({
        run: async () => {
          await gate.promise;
          return undefined;
        },
      }),
    );
    const ac = new AbortController();
    const seen: Operation[] = [];
    const watching = (async () => {
      for await (const o of e.watch(op.id, ac.signal)) {
        seen.push(o);
        if (o.state === S.STATE_RUNNING) ac.abort();
      }
    })();
    await watching;
    expect(states(seen)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING]);
    expect(e.get(op.id).done).toBe(false);
    gate.resolve();
    expect(states(await collect(e.watch(op.id)))).toEqual([S.STATE_RUNNING, S.STATE_SUCCEEDED]);
  });

  it("ends a watcher blocked waiting for the next change when its signal aborts", async () => {
    const e = engine();
    const gate = deferred();
    const op = e.submit(spec({ run: () => gate.promise.then(() => undefined) }));
    await tick();
    const ac = new AbortController();
    const it = e.watch(op.id, ac.signal)[Symbol.asyncIterator]();
    expect((await it.next()).value?.state).toBe(S.STATE_RUNNING);
    const pending = it.next();
    ac.abort();
    expect((await pending).done).toBe(true);
    gate.resolve();
  });

  it("throws NotFoundError for an unknown id", () => {
    expect(() => engine().watch("nope")).toThrow(NotFoundError);
  });
});

describe("wait", () => {
  it("returns when all are done", async () => {
    const e = engine();
    const gates = [deferred(), deferred()];
    const ops = gates.map((g) => e.submit(spec({ run: () => g.promise.then(() => undefined) })));
    const waiting = e.wait(
      ops.map((o) => o.id),
      10_000,
    );
    gates[0]!.resolve();
    await tick();
    gates[1]!.resolve();
    const r = await waiting;
    expect(r.allDone).toBe(true);
    expect(r.operations.map((o) => [o.id, o.state])).toEqual(ops.map((o) => [o.id, S.STATE_SUCCEEDED]));
  });

  it("returns at the timeout with the current states", async () => {
    const e = engine();
    const gate = deferred();
    const done = e.submit(spec());
    const slow = e.submit(spec({ run: () => gate.promise.then(() => undefined) }));
    const started = Date.now();
    const r = await e.wait([slow.id, done.id], 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(r.allDone).toBe(false);
    expect(states(r.operations)).toEqual([S.STATE_RUNNING, S.STATE_SUCCEEDED]);
    gate.resolve();
  });

  it("returns at once with a zero timeout, and early when the signal aborts", async () => {
    const e = engine();
    const gate = deferred();
    const op = e.submit(spec({ run: () => gate.promise.then(() => undefined) }));
    expect((await e.wait([op.id], 0)).allDone).toBe(false);
    const ac = new AbortController();
    const waiting = e.wait([op.id], 60_000, ac.signal);
    ac.abort();
    expect((await waiting).allDone).toBe(false);
    gate.resolve();
  });

  it("rejects unknown ids", async () => {
    await expect(engine().wait(["nope"], 10)).rejects.toThrow(NotFoundError);
  });
});

describe("list", () => {
  it("filters and returns newest first", async () => {
    const e = engine();
    const gate = deferred();
    const a = e.submit(spec({ method: "m.A", hosts: ["node-1"] }));
    const b = e.submit(spec({ method: "m.B", hosts: ["node-2"], run: () => gate.promise.then(() => undefined) }));
    const c = e.submit(spec({ method: "m.A", run: async (r) => r.onHost("node-3", "x", async () => undefined) }));
    await e.wait([a.id, c.id], 1000);
    const ids = (f: Partial<Parameters<OperationsEngine["list"]>[0]>) =>
      e.list({ states: [], method: "", hostname: "", ...f }).map((o) => o.id);
    expect(ids({})).toEqual([c.id, b.id, a.id]);
    expect(ids({ method: "m.A" })).toEqual([c.id, a.id]);
    expect(ids({ hostname: "node-2" })).toEqual([b.id]);
    expect(ids({ hostname: "node-3" })).toEqual([c.id]);
    expect(ids({ states: [S.STATE_RUNNING] })).toEqual([b.id]);
    gate.resolve();
  });
});

describe("retention", () => {
  it("keeps at most maxCount finished operations, never pruning running ones", async () => {
    const e = engine({ retention: { maxAgeMs: 60_000, maxCount: 2 } });
    const gate = deferred();
    const running = e.submit(spec({ run: () => gate.promise.then(() => undefined) }));
    const done: string[] = [];
    for (let i = 0; i < 4; i++) {
      const op = e.submit(spec({ requestId: `r-${i}`, requestFingerprint: "x" }));
      await collect(e.watch(op.id));
      done.push(op.id);
    }
    // Pruning happens on submit: the next one forgets the oldest finished.
    e.submit(spec()); // prunes down to the newest 2 finished
    expect(() => e.get(done[0]!)).toThrow(NotFoundError);
    expect(() => e.get(done[1]!)).toThrow(NotFoundError);
    expect(e.get(done[2]!).done).toBe(true);
    expect(e.get(running.id).done).toBe(false);
    // The request_id went with it: the same id now starts a new operation.
    expect(e.submit(spec({ requestId: "r-0", requestFingerprint: "other" })).id).not.toBe(done[0]);
    gate.resolve();
  });

  it("forgets finished operations older than maxAgeMs on its timer", async () => {
    vi.useFakeTimers();
    // maxAgeMs 10 s: the timer runs every 2.5 s.
    const e = engine({ retention: { maxAgeMs: 10_000, maxCount: 100 } });
    const gate = deferred();
    const running = e.submit(spec({ run: () => gate.promise.then(() => undefined) }));
    const old = e.submit(spec());
    await vi.advanceTimersByTimeAsync(0);
    expect(e.get(old.id).done).toBe(true);
    await vi.advanceTimersByTimeAsync(6_000);
    const young = e.submit(spec());
    await vi.advanceTimersByTimeAsync(7_000);
    expect(() => e.get(old.id)).toThrow(NotFoundError);
    expect(e.get(young.id).done).toBe(true);
    await vi.advanceTimersByTimeAsync(7_000);
    expect(() => e.get(young.id)).toThrow(NotFoundError);
    expect(e.get(running.id).done).toBe(false);
    gate.resolve();
  });
});

describe("drain", () => {
  it("refuses new submits and aborts what outlives the grace period", async () => {
    const e = engine();
    const quick = deferred();
    const a = e.submit(spec({ run: () => quick.promise.then(() => undefined) }));
    const b = e.submit(spec({ run: (r) => new Promise((_, reject) => r.signal.addEventListener("abort", () => reject(r.signal.reason))) }));
    await tick();
    const draining = e.drain(50);
    expect(() => e.submit(spec())).toThrow(BackendUnavailableError);
    quick.resolve();
    await draining;
    expect(e.get(a.id).state).toBe(S.STATE_SUCCEEDED);
    const last = (await collect(e.watch(b.id))).at(-1)!;
    expect(last).toMatchObject({ state: S.STATE_CANCELLED, message: "cancelled: service shutting down", cancelRequested: false });
  });

  it("ends the run with CancelledError at its safe point", async () => {
    const e = engine();
    const op = e.submit(
      spec({
        run: async (r) => {
          await new Promise((res) => r.signal.addEventListener("abort", res));
          r.throwIfCancelled();
          return undefined;
        },
      }),
    );
    await tick();
    await e.drain(0);
    const last = (await collect(e.watch(op.id))).at(-1)!;
    expect(last).toMatchObject({ state: S.STATE_CANCELLED, message: "cancelled: service shutting down" });
  });
});
