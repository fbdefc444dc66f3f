// The operations engine: every write runs as an Operation that goes
// ACCEPTED -> PERSISTENT -> RUNNING -> SUCCEEDED | FAILED | CANCELLED, can be watched by many
// clients, waited for, cancelled at safe points, and is forgotten after its retention.
// Work on one host is serialised across all operations; hosts run in parallel up to a limit.
// Every snapshot is journaled: PERSISTENT and the terminal state are shown only once they
// are durably recorded, and after a restart recover() brings back what the journal holds.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import {
  Operation,
  Operation_State,
  type OperationResult,
  type OperationTask,
} from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { timestampMs, toTimestamp } from "../backend/timestamps.js";
import type { StepContext } from "../backend/backend.js";
import {
  BackendUnavailableError,
  CancelledError,
  ExecutionError,
  NotFoundError,
  OrchestratorError,
  RequestIdReusedError,
} from "../domain/errors.js";
import { type Journal, MemoryJournal } from "./journal.js";
import { errorToStatus } from "./status.js";

export { type Journal, type JournaledOperation, type JournalRecord, MemoryJournal } from "./journal.js";

/** What a write hands to the engine. */
export interface WritePlan {
  /** The RPC's full name, e.g. "ceph_orchestrator.v1.OsdService.CreateOsds". */
  method: string;
  description: string;
  /** The client's request_id, or empty. */
  requestId: string;
  /** Identifies the request's content: a reused request_id must come with the same one. */
  requestFingerprint: string;
  /** The write's request (a ts-proto object, JSON-serialisable): journaled to resume it. */
  request: object;
  hosts: string[];
  /** Does the work; `undefined` means success without a typed result. */
  run(run: OperationRun): Promise<OperationResult | undefined>;
}

/** What `WritePlan.run` works with. */
export interface OperationRun {
  readonly id: string;
  /** Every line carries operationId and method. */
  readonly log: Logger;
  /** Aborted on cancel or at the end of a shutdown's grace period. */
  readonly signal: AbortSignal;
  /** A safe point: throws CancelledError once the operation is cancelled. */
  throwIfCancelled(): void;
  /** The operation's progress, 0..1; the message stays as it was when omitted. */
  progress(fraction: number, message?: string): void;
  /**
   * Runs one step on a host as a task of this operation, holding the host's lock (one step
   * per host at a time, across all operations) and one of the engine's parallel slots.
   * Do not nest: a step must not call onHost again. A failure marks the task FAILED and is
   * rethrown; an error that is not an OrchestratorError becomes an ExecutionError naming
   * the host.
   */
  onHost<T>(hostname: string, target: string, fn: (ctx: StepContext) => Promise<T>): Promise<T>;
  /** Like onHost, without locks: a task that is not a step on a host (e.g. "osd.3"). */
  task<T>(target: string, fn: (ctx: StepContext) => Promise<T>, hostname?: string): Promise<T>;
}

export interface OperationFilter {
  /** Empty means all states. */
  states: Operation_State[];
  /** Empty means all methods. */
  method: string;
  /** Only operations working on this host (in `hosts` or a task); empty means all. */
  hostname: string;
}

export interface OperationsEngineOptions {
  log: Logger;
  /** How many host steps may run at once, across all operations. Default 8. */
  maxParallelHosts?: number;
  /** Finished operations are forgotten after maxAgeMs, or beyond the newest maxCount. */
  retention: { maxAgeMs: number; maxCount: number };
  /** Default: a MemoryJournal. */
  journal?: Journal;
}

/** Gets each snapshot of an operation, the terminal one last. */
interface Listener {
  push(op: Operation): void;
}

/** Rebuilds a journaled operation that had not ended, or undefined when it cannot be resumed. */
export type ResumeFn = (op: Operation, request: unknown) => WritePlan | undefined;

interface Entry {
  /** The current snapshot. Snapshots are never mutated: each change makes a new one. */
  op: Operation;
  /** Undefined for an operation that had ended before a restart. */
  plan: WritePlan | undefined;
  requestFingerprint: string;
  abort: AbortController;
  log: Logger;
  listeners: Set<Listener>;
  /** When it ended, in ms since the epoch; drives retention. */
  endedAtMs?: number;
  /** Settles when the operation has ended; never rejects. */
  ended?: Promise<void>;
  /** Handed to the journal: later snapshots are journaled too. */
  recorded: boolean;
  /** Its terminal snapshot is being recorded: nothing changes any more. */
  ending: boolean;
  /** Stopped by a shutdown without ending: the journal keeps it unfinished, to resume. */
  interrupted: boolean;
}

type Release = () => void;

/** A counting semaphore: waiters are served in order and leave the queue on abort. */
class Semaphore {
  private readonly waiters: Array<() => void> = [];

  constructor(private free: number) {}

  get idle(): boolean {
    return this.waiters.length === 0 && this.free > 0;
  }

  tryAcquire(): Release | undefined {
    if (this.free === 0) return undefined;
    this.free--;
    return this.releaser();
  }

  async acquire(signal: AbortSignal): Promise<Release> {
    const now = this.tryAcquire();
    if (now) return now;
    if (signal.aborted) throw new CancelledError();
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(grant), 1);
        reject(new CancelledError());
      };
      this.waiters.push(grant);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return this.releaser();
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the unit straight to the next waiter so that nobody can overtake the queue.
      const next = this.waiters.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/**
 * One watcher's queue. Snapshots of the same state coalesce into the latest, so a slow
 * watcher holds at most one per state (states only move forward) and never misses a
 * transition nor the terminal snapshot.
 */
class Watcher implements Listener {
  private readonly pending: Operation[];
  private wake?: () => void;
  private closed = false;

  constructor(first: Operation) {
    this.pending = [first];
  }

  push(op: Operation): void {
    const last = this.pending.length - 1;
    if (last >= 0 && this.pending[last]!.state === op.state) this.pending[last] = op;
    else this.pending.push(op);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *iterate(cleanup: () => void): AsyncGenerator<Operation> {
    try {
      while (!this.closed) {
        const op = this.pending.shift();
        if (!op) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        yield op;
        if (op.done) return;
      }
    } finally {
      cleanup();
    }
  }
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function taskIndex(op: Operation, target: string, hostname: string): number {
  return op.tasks.findIndex((t) => t.target === target && t.hostname === hostname);
}

export class OperationsEngine {
  private readonly log: Logger;
  private readonly retention: { maxAgeMs: number; maxCount: number };
  private readonly journal: Journal;
  /** In creation order, so newest-first is the reverse. */
  private readonly entries = new Map<string, Entry>();
  private readonly byRequestId = new Map<string, Entry>();
  /** Finished operations in the order they ended (oldest first, from `finishedHead` on). */
  private finished: Entry[] = [];
  private finishedHead = 0;
  private readonly hostLocks = new Map<string, Semaphore>();
  private readonly slots: Semaphore;
  private readonly pruneTimer: NodeJS.Timeout;
  private accepting = true;

  constructor(opts: OperationsEngineOptions) {
    this.log = opts.log;
    this.retention = opts.retention;
    this.journal = opts.journal ?? new MemoryJournal();
    this.slots = new Semaphore(Math.max(1, opts.maxParallelHosts ?? 8));
    // Often enough that nothing outlives maxAgeMs by more than a quarter of it.
    const every = Math.min(Math.max(Math.ceil(opts.retention.maxAgeMs / 4), 1_000), 60_000);
    this.pruneTimer = setInterval(() => {
      this.prune();
      this.pruneJournal();
    }, every).unref();
  }

  /** Whether the journal keeps operations across restarts. */
  get durable(): boolean {
    return this.journal.durable === true;
  }

  /**
   * Loads the journal, before any submit: finished operations come back for Get, List,
   * Watch, Wait and request_id look-ups; each unfinished one is rebuilt with `resume` and
   * runs again under its id from RUNNING (its steps are idempotent), or, when it cannot be
   * rebuilt, ends FAILED saying so. Resolves once every operation is back; the resumed ones
   * go on in the background.
   */
  async recover(resume: ResumeFn, opts: { backend?: string } = {}): Promise<{ finished: number; resumed: number; failed: number }> {
    if (!this.journal.load) return { finished: 0, resumed: 0, failed: 0 };
    this.pruneJournal();
    const records = this.journal.load();
    const now = Date.now();
    const ended: Entry[] = [];
    const toResume: Entry[] = [];
    const toFail: { entry: Entry; reason: string }[] = [];
    for (const rec of records) {
      const { op } = rec;
      if (this.entries.has(op.id)) continue;
      const entry: Entry = {
        op,
        plan: undefined,
        requestFingerprint: rec.requestFingerprint,
        abort: new AbortController(),
        log: this.log.child({ operationId: op.id, method: op.method }),
        listeners: new Set(),
        recorded: true,
        ending: false,
        interrupted: false,
      };
      this.entries.set(op.id, entry);
      if (op.requestId) this.byRequestId.set(op.requestId, entry);
      if (op.done) {
        entry.endedAtMs = timestampMs(op.endTime ?? op.updateTime) ?? now;
        ended.push(entry);
        continue;
      }
      // Whatever it was doing, it was recorded: it goes on from RUNNING.
      entry.op = {
        ...op,
        state: Operation_State.STATE_RUNNING,
        persistent: true,
        message: "resumed after a restart",
        updateTime: toTimestamp(now),
      };
      let reason = "";
      try {
        entry.plan = resume(entry.op, rec.request);
      } catch (err) {
        entry.log.error({ err }, "operation could not be rebuilt after a restart");
        reason = err instanceof OrchestratorError ? err.message : "rebuilding it failed";
      }
      if (entry.plan) toResume.push(entry);
      else toFail.push({ entry, reason });
    }
    ended.sort((a, b) => a.endedAtMs! - b.endedAtMs!);
    this.finished.push(...ended);

    const backend = opts.backend ?? "none";
    await Promise.all(
      toFail.map(({ entry, reason }) => {
        const why =
          backend === "none"
            ? "cannot be resumed after a restart: no backend is configured"
            : `cannot be resumed by backend '${backend}' after a restart${reason ? `: ${reason}` : ""}`;
        entry.log.warn({ backend }, `operation ${why}`);
        return this.fail(entry, new ExecutionError(`${entry.op.method}: ${why}`));
      }),
    );
    for (const entry of toResume) {
      entry.log.info({ description: entry.op.description, state: Operation_State[entry.op.state] }, "operation resumed after a restart");
      void this.journalUpdate(entry, entry.op);
      if (entry.op.cancelRequested) entry.abort.abort(new CancelledError());
      entry.ended = new Promise<void>((resolve) => process.nextTick(resolve))
        .then(() => this.execute(entry, true))
        .catch((err: unknown) => {
          entry.log.error({ err }, "operation engine failure");
        });
    }
    const summary = { finished: ended.length, resumed: toResume.length, failed: toFail.length };
    this.log.info(summary, "operations journal loaded");
    return summary;
  }

  /**
   * Accepts an operation and returns its ACCEPTED snapshot; the work starts on the next
   * process tick, so `watch(op.id)` called in the same tick (awaiting only promises in
   * between) sees every state; submitAndWatch() has no such limit. A non-empty requestId
   * seen before returns that operation's current snapshot instead, or throws
   * RequestIdReusedError if the request differs.
   */
  submit(plan: WritePlan): Operation {
    this.prune();
    const known = this.byRequest(plan.requestId, plan.method, plan.requestFingerprint);
    if (known) return known;
    if (!this.accepting) throw new BackendUnavailableError("shutting down");

    const id = randomUUID();
    const now = toTimestamp(Date.now());
    const op: Operation = {
      id,
      requestId: plan.requestId,
      method: plan.method,
      description: plan.description,
      state: Operation_State.STATE_ACCEPTED,
      persistent: false,
      done: false,
      progress: 0,
      message: "accepted",
      hosts: [...plan.hosts],
      tasks: [],
      createTime: now,
      updateTime: now,
      endTime: undefined,
      cancelRequested: false,
      outcome: undefined,
    };
    const entry: Entry = {
      op,
      plan,
      requestFingerprint: plan.requestFingerprint,
      abort: new AbortController(),
      log: this.log.child({ operationId: id, method: plan.method }),
      listeners: new Set(),
      recorded: false,
      ending: false,
      interrupted: false,
    };
    this.entries.set(id, entry);
    if (plan.requestId) this.byRequestId.set(plan.requestId, entry);
    entry.log.info({ description: plan.description, hosts: plan.hosts, requestId: plan.requestId }, "operation accepted");
    // Start after the pending microtasks have run, so that a caller who awaits (without
    // I/O) between submit() and watch() still sees ACCEPTED and every later state.
    entry.ended = new Promise<void>((resolve) => process.nextTick(resolve))
      .then(() => this.execute(entry))
      .catch((err: unknown) => {
        entry.log.error({ err }, "operation engine failure");
      });
    return op;
  }

  /**
   * The operation a non-empty request_id already started (also before a restart), or
   * undefined; throws RequestIdReusedError when it came with another request. A use case
   * may ask this before checks that the operation itself may have made fail (e.g. "the
   * host exists"), so that a retry returns the operation instead of an error.
   */
  byRequest(requestId: string, method: string, requestFingerprint: string): Operation | undefined {
    if (!requestId) return undefined;
    const known = this.byRequestId.get(requestId);
    if (!known) return undefined;
    if (known.requestFingerprint !== requestFingerprint || known.op.method !== method) {
      throw new RequestIdReusedError(requestId, known.op.id);
    }
    return known.op;
  }

  /** submit() and a watch that starts with the returned snapshot. */
  submitAndWatch(plan: WritePlan, signal?: AbortSignal): { operation: Operation; updates: AsyncIterable<Operation> } {
    const operation = this.submit(plan);
    return { operation, updates: this.watch(operation.id, signal) };
  }

  get(id: string): Operation {
    return this.entry(id).op;
  }

  /** Matching operations, newest first. */
  list(filter: OperationFilter): Operation[] {
    const out: Operation[] = [];
    for (const { op } of [...this.entries.values()].reverse()) {
      if (filter.states.length > 0 && !filter.states.includes(op.state)) continue;
      if (filter.method && op.method !== filter.method) continue;
      if (filter.hostname && !op.hosts.includes(filter.hostname) && !op.tasks.some((t) => t.hostname === filter.hostname)) {
        continue;
      }
      out.push(op);
    }
    return out;
  }

  /** Asks the operation to stop at its next safe point; a finished one is left alone. */
  cancel(id: string): Operation {
    const entry = this.entry(id);
    if (entry.op.done || entry.op.cancelRequested) return entry.op;
    this.update(entry, { cancelRequested: true, message: "cancel requested" });
    entry.log.info("operation cancel requested");
    entry.abort.abort(new CancelledError());
    return entry.op;
  }

  /**
   * The operation's current snapshot, then each change, ending after the terminal one.
   * The watcher is registered now, not at the first next(). Aborting `signal` ends the
   * iteration and detaches; the operation goes on. Iterate once.
   */
  watch(id: string, signal?: AbortSignal): AsyncIterable<Operation> {
    const entry = this.entry(id);
    const watcher = new Watcher(entry.op);
    if (!entry.op.done) entry.listeners.add(watcher);
    const detach = () => {
      entry.listeners.delete(watcher);
      watcher.close();
    };
    if (signal?.aborted) detach();
    else signal?.addEventListener("abort", detach, { once: true });
    const cleanup = () => {
      entry.listeners.delete(watcher);
      signal?.removeEventListener("abort", detach);
    };
    return { [Symbol.asyncIterator]: () => watcher.iterate(cleanup) };
  }

  /**
   * The terminal snapshot, once the operation has ended (at once when it has). Never
   * rejects; stays pending for an operation that a shutdown interrupts (it resumes later).
   */
  whenDone(id: string): Promise<Operation> {
    const entry = this.entry(id);
    if (entry.op.done) return Promise.resolve(entry.op);
    return new Promise((resolve) => {
      entry.listeners.add({ push: (op) => op.done && resolve(op) });
    });
  }

  /** Resolves once all are done, or when the timeout passes or the signal aborts. */
  async wait(ids: string[], timeoutMs: number, signal?: AbortSignal): Promise<{ operations: Operation[]; allDone: boolean }> {
    const entries = ids.map((id) => this.entry(id));
    const allDone = () => entries.every((e) => e.op.done);
    if (!allDone() && timeoutMs > 0 && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const listener: Listener = {
          push: (op) => {
            if (op.done && allDone()) finish();
          },
        };
        const finish = () => {
          clearTimeout(timer);
          for (const e of entries) e.listeners.delete(listener);
          signal?.removeEventListener("abort", finish);
          resolve();
        };
        // A waiter alone must not keep the process alive (e.g. during shutdown).
        const timer = setTimeout(finish, timeoutMs).unref();
        for (const e of entries) if (!e.op.done) e.listeners.add(listener);
        signal?.addEventListener("abort", finish, { once: true });
      });
    }
    return { operations: entries.map((e) => e.op), allDone: allDone() };
  }

  /**
   * Stops accepting submits, waits up to graceMs for running operations to end, then
   * aborts the rest (they end CANCELLED at their next safe point) and resolves.
   */
  async drain(graceMs: number): Promise<void> {
    this.accepting = false;
    // With a durable journal, what is still running then is interrupted, not cancelled: it
    // stays unfinished in the journal and is resumed at the next start.
    const resumable = this.durable;
    const running = [...this.entries.values()].filter((e) => !e.op.done);
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(running.map((e) => e.ended)), graceOver]);
    clearTimeout(timer);
    const stopping: Promise<void>[] = [];
    for (const e of running) {
      if (e.op.done || e.ending) continue;
      if (resumable) {
        e.interrupted = true;
        e.log.warn("operation interrupted: service shutting down; it resumes at the next start");
        e.abort.abort(new CancelledError("interrupted: service shutting down"));
        if (e.ended) stopping.push(e.ended);
      } else {
        e.log.warn("operation aborted: service shutting down");
        e.abort.abort(new CancelledError("cancelled: service shutting down"));
      }
    }
    // Interrupted operations record their last state before the journal closes.
    if (stopping.length > 0) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(stopping), new Promise<void>((resolve) => (t = setTimeout(resolve, graceMs)))]);
      clearTimeout(t);
    }
  }

  /** Stops the retention timer. */
  close(): void {
    clearInterval(this.pruneTimer);
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new NotFoundError("operation", id);
    return entry;
  }

  /** Runs an operation: records it first, unless it is resumed from the journal. */
  private async execute(entry: Entry, resumed = false): Promise<void> {
    const { log } = entry;
    const signal = entry.abort.signal;
    const plan = entry.plan!;
    if (!resumed) {
      entry.recorded = true;
      try {
        await this.journal.record(
          { ...entry.op, state: Operation_State.STATE_PERSISTENT, persistent: true, message: "recorded" },
          { request: plan.request, requestFingerprint: plan.requestFingerprint },
        );
      } catch (err) {
        entry.recorded = false;
        await this.fail(entry, err);
        return;
      }
      this.update(entry, { state: Operation_State.STATE_PERSISTENT, persistent: true, message: "recorded" });
      log.info("operation persistent");
      if (signal.aborted) {
        await this.cancelled(entry);
        return;
      }
      this.update(entry, { state: Operation_State.STATE_RUNNING, message: "running" });
      log.info("operation running");
    } else if (signal.aborted) {
      await this.cancelled(entry);
      return;
    }

    let result: OperationResult | undefined;
    try {
      result = await plan.run(this.runFor(entry));
    } catch (err) {
      if (err instanceof CancelledError || signal.aborted) await this.cancelled(entry, err);
      else await this.fail(entry, err);
      return;
    }
    await this.finish(entry, {
      state: Operation_State.STATE_SUCCEEDED,
      progress: 1,
      message: "succeeded",
      outcome: result && { $case: "result", value: result },
    });
    log.info("operation succeeded");
  }

  private async fail(entry: Entry, err: unknown): Promise<void> {
    const status = errorToStatus(err);
    // An unexpected error shows only "internal error" to clients; the log keeps the cause.
    if (err instanceof OrchestratorError) entry.log.warn({ err, code: status.code }, "operation failed");
    else entry.log.error({ err, code: status.code }, "operation failed");
    await this.finish(entry, {
      state: Operation_State.STATE_FAILED,
      message: status.message,
      outcome: { $case: "error", value: status },
    });
  }

  /** `thrown`: what the run threw, whose message may say how far it got. */
  private async cancelled(entry: Entry, thrown?: unknown): Promise<void> {
    if (entry.interrupted) {
      // Not an end: the journal keeps its last state, and the next start resumes it.
      entry.log.info("operation interrupted by the shutdown; it resumes at the next start");
      return;
    }
    const reason: unknown = entry.abort.signal.reason;
    const message =
      thrown instanceof CancelledError && thrown.message !== new CancelledError().message
        ? thrown.message
        : reason instanceof CancelledError
          ? reason.message
          : "cancelled";
    entry.log.info("operation cancelled");
    await this.finish(entry, { state: Operation_State.STATE_CANCELLED, message });
  }

  /** The next snapshot: `patch` over the current one, stamped now. */
  private next(entry: Entry, patch: Partial<Operation>): Operation {
    return { ...entry.op, ...patch, updateTime: toTimestamp(Date.now()) };
  }

  /** Makes the next snapshot, journals it and hands it to every listener. Nothing changes after done. */
  private update(entry: Entry, patch: Partial<Operation>): void {
    if (entry.op.done || entry.ending) return;
    const op = this.next(entry, patch);
    entry.op = op;
    void this.journalUpdate(entry, op);
    for (const listener of entry.listeners) listener.push(op);
  }

  /**
   * Ends the operation. The terminal snapshot is shown (to Get, watchers and waiters) only
   * once the journal holds it, so that an end a client saw is never undone by a crash.
   */
  private async finish(entry: Entry, patch: Partial<Operation>): Promise<void> {
    if (entry.op.done || entry.ending) return;
    entry.ending = true;
    const now = Date.now();
    const op: Operation = { ...this.next(entry, patch), done: true, endTime: toTimestamp(now) };
    const durable = this.journalUpdate(entry, op);
    if (durable) await durable;
    entry.op = op;
    entry.endedAtMs = now;
    this.finished.push(entry);
    for (const listener of entry.listeners) listener.push(op);
    entry.listeners.clear();
    // The count limit holds at every moment, not only at the next submit or timer tick.
    this.prune();
  }

  /** Journals a snapshot of a recorded operation; the promise (if any) resolves once durable and never rejects. */
  private journalUpdate(entry: Entry, op: Operation): Promise<void> | undefined {
    if (!entry.recorded || !this.journal.update) return undefined;
    let pending: Promise<void> | void;
    try {
      pending = this.journal.update(op);
    } catch (err) {
      entry.log.error({ err }, "journal: recording the operation's state failed");
      return undefined;
    }
    return pending?.catch((err: unknown) => {
      entry.log.error({ err }, "journal: recording the operation's state failed");
    });
  }

  private updateTask(entry: Entry, target: string, hostname: string, patch: Partial<OperationTask>): void {
    const i = taskIndex(entry.op, target, hostname);
    const tasks = [...entry.op.tasks];
    const base: OperationTask =
      i >= 0 ? tasks[i]! : { target, hostname, state: Operation_State.STATE_RUNNING, progress: 0, message: "", error: undefined };
    const task = { ...base, ...patch };
    if (i >= 0) tasks[i] = task;
    else tasks.push(task);
    this.update(entry, { tasks });
  }

  private runFor(entry: Entry): OperationRun {
    const signal = entry.abort.signal;
    const throwIfCancelled = () => {
      if (signal.aborted) {
        const reason: unknown = signal.reason;
        throw reason instanceof CancelledError ? reason : new CancelledError();
      }
    };
    return {
      id: entry.op.id,
      log: entry.log,
      signal,
      throwIfCancelled,
      progress: (fraction, message) => {
        this.update(entry, { progress: clamp01(fraction), ...(message !== undefined && { message }) });
      },
      onHost: (hostname, target, fn) => this.runTask(entry, target, hostname, true, fn, throwIfCancelled),
      task: (target, fn, hostname = "") => this.runTask(entry, target, hostname, false, fn, throwIfCancelled),
    };
  }

  private async runTask<T>(
    entry: Entry,
    target: string,
    hostname: string,
    locked: boolean,
    fn: (ctx: StepContext) => Promise<T>,
    throwIfCancelled: () => void,
  ): Promise<T> {
    const signal = entry.abort.signal;
    const log = entry.log.child(hostname ? { target, hostname } : { target });
    const set = (patch: Partial<OperationTask>) => this.updateTask(entry, target, hostname, patch);
    throwIfCancelled();
    let release: Release | undefined;
    try {
      if (locked) {
        release = await this.lockHost(hostname, signal, () =>
          set({ state: Operation_State.STATE_ACCEPTED, progress: 0, message: `waiting for host ${hostname}`, error: undefined }),
        );
        throwIfCancelled();
      }
      set({ state: Operation_State.STATE_RUNNING, progress: 0, message: "running", error: undefined });
      log.info("task started");
      const ctx: StepContext = {
        operationId: entry.op.id,
        log,
        signal,
        progress: (fraction, message) => set({ progress: clamp01(fraction), ...(message !== undefined && { message }) }),
      };
      const value = await fn(ctx);
      set({ state: Operation_State.STATE_SUCCEEDED, progress: 1, message: "done" });
      log.info("task finished");
      return value;
    } catch (err) {
      if (err instanceof CancelledError || signal.aborted) {
        set({ state: Operation_State.STATE_CANCELLED, message: "cancelled" });
        log.info("task cancelled");
        throw err instanceof CancelledError ? err : new CancelledError();
      }
      const where = hostname || target;
      const failure =
        err instanceof OrchestratorError
          ? err
          : Object.assign(new ExecutionError(`${where}: ${err instanceof Error ? err.message : String(err)}`, hostname || undefined), {
              cause: err,
            });
      const status = errorToStatus(failure);
      if (!status.message.includes(where)) status.message = `${where}: ${status.message}`;
      set({ state: Operation_State.STATE_FAILED, message: status.message, error: status });
      log.warn({ err }, "task failed");
      throw failure;
    } finally {
      release?.();
    }
  }

  /** The host's lock, then a parallel slot: in that order, so slot holders never wait. */
  private async lockHost(hostname: string, signal: AbortSignal, onWait: () => void): Promise<Release> {
    let lock = this.hostLocks.get(hostname);
    if (!lock) {
      lock = new Semaphore(1);
      this.hostLocks.set(hostname, lock);
    }
    const hostLock = lock;
    const dropIfIdle = () => {
      if (hostLock.idle && this.hostLocks.get(hostname) === hostLock) this.hostLocks.delete(hostname);
    };
    let releaseHost = hostLock.tryAcquire();
    let releaseSlot = releaseHost && this.slots.tryAcquire();
    if (!releaseHost || !releaseSlot) {
      onWait();
      try {
        releaseHost ??= await hostLock.acquire(signal);
        releaseSlot = await this.slots.acquire(signal);
      } catch (err) {
        releaseHost?.();
        dropIfIdle();
        throw err;
      }
    }
    const slot = releaseSlot;
    const host = releaseHost;
    return () => {
      slot();
      host();
      dropIfIdle();
    };
  }

  /** Forgets finished operations past their age, then the oldest beyond maxCount. */
  private prune(): void {
    const now = Date.now();
    const forgotten: string[] = [];
    while (this.finishedHead < this.finished.length) {
      const e = this.finished[this.finishedHead]!;
      const count = this.finished.length - this.finishedHead;
      if (count <= this.retention.maxCount && now - e.endedAtMs! <= this.retention.maxAgeMs) break;
      this.finishedHead++;
      this.entries.delete(e.op.id);
      if (e.op.requestId && this.byRequestId.get(e.op.requestId) === e) this.byRequestId.delete(e.op.requestId);
      forgotten.push(e.op.id);
    }
    if (this.finishedHead > 1024 && this.finishedHead * 2 > this.finished.length) {
      this.finished = this.finished.slice(this.finishedHead);
      this.finishedHead = 0;
    }
    if (forgotten.length > 0) this.journal.forget?.(forgotten);
  }

  /** The same retention, applied to the journal itself. */
  private pruneJournal(): void {
    try {
      this.journal.prune?.(this.retention, Date.now());
    } catch (err) {
      this.log.error({ err }, "journal: pruning finished operations failed");
    }
  }
}
