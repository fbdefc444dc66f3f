// The operations engine: every write runs as an Operation that goes
// ACCEPTED -> PERSISTENT -> RUNNING -> SUCCEEDED | FAILED | CANCELLED, can be watched by many
// clients, waited for, cancelled at safe points, and is forgotten after its retention.
// Work on one host is serialised across all operations; hosts run in parallel up to a limit.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import {
  Operation,
  Operation_State,
  type OperationResult,
  type OperationTask,
} from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { Timestamp } from "../../gen/ts/google/protobuf/timestamp.js";
import type { StepContext } from "../backend/backend.js";
import {
  BackendUnavailableError,
  CancelledError,
  ExecutionError,
  NotFoundError,
  OrchestratorError,
  RequestIdReusedError,
} from "../domain/errors.js";
import { errorToStatus } from "./status.js";

/** Records an accepted operation durably; PERSISTENT is reached once `record` resolves. */
export interface Journal {
  record(op: Operation): Promise<void>;
}

/** A journal that keeps copies in memory: nothing survives a restart. */
export class MemoryJournal implements Journal {
  readonly records = new Map<string, Operation>();

  record(op: Operation): Promise<void> {
    this.records.set(op.id, Operation.fromPartial(op));
    return Promise.resolve();
  }
}

/** What a write hands to the engine. */
export interface OperationSpec {
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

/** What `OperationSpec.run` works with. */
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

interface Entry {
  /** The current snapshot. Snapshots are never mutated: each change makes a new one. */
  op: Operation;
  spec: OperationSpec;
  abort: AbortController;
  log: Logger;
  listeners: Set<Listener>;
  /** When it ended, in ms since the epoch; drives retention. */
  endedAtMs?: number;
  /** Settles when the operation has ended; never rejects. */
  ended?: Promise<void>;
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

function timestamp(ms: number): Timestamp {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
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
    this.pruneTimer = setInterval(() => this.prune(), every).unref();
  }

  /**
   * Accepts an operation and returns its ACCEPTED snapshot; the work starts on the next
   * process tick, so `watch(op.id)` called in the same tick (awaiting only promises in
   * between) sees every state; submitAndWatch() has no such limit. A non-empty requestId
   * seen before returns that operation's current snapshot instead, or throws
   * RequestIdReusedError if the request differs.
   */
  submit(spec: OperationSpec): Operation {
    this.prune();
    if (spec.requestId) {
      const known = this.byRequestId.get(spec.requestId);
      if (known) {
        if (known.spec.requestFingerprint !== spec.requestFingerprint || known.spec.method !== spec.method) {
          throw new RequestIdReusedError(spec.requestId, known.op.id);
        }
        return known.op;
      }
    }
    if (!this.accepting) throw new BackendUnavailableError("shutting down");

    const id = randomUUID();
    const now = timestamp(Date.now());
    const op: Operation = {
      id,
      requestId: spec.requestId,
      method: spec.method,
      description: spec.description,
      state: Operation_State.STATE_ACCEPTED,
      persistent: false,
      done: false,
      progress: 0,
      message: "accepted",
      hosts: [...spec.hosts],
      tasks: [],
      createTime: now,
      updateTime: now,
      endTime: undefined,
      cancelRequested: false,
      outcome: undefined,
    };
    const entry: Entry = {
      op,
      spec,
      abort: new AbortController(),
      log: this.log.child({ operationId: id, method: spec.method }),
      listeners: new Set(),
    };
    this.entries.set(id, entry);
    if (spec.requestId) this.byRequestId.set(spec.requestId, entry);
    entry.log.info({ description: spec.description, hosts: spec.hosts, requestId: spec.requestId }, "operation accepted");
    // Start after the pending microtasks have run, so that a caller who awaits (without
    // I/O) between submit() and watch() still sees ACCEPTED and every later state.
    entry.ended = new Promise<void>((resolve) => process.nextTick(resolve))
      .then(() => this.execute(entry))
      .catch((err: unknown) => {
        entry.log.error({ err }, "operation engine failure");
      });
    return op;
  }

  /** submit() and a watch that starts with the returned snapshot. */
  submitAndWatch(spec: OperationSpec, signal?: AbortSignal): { operation: Operation; updates: AsyncIterable<Operation> } {
    const operation = this.submit(spec);
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
    const running = [...this.entries.values()].filter((e) => !e.op.done);
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(running.map((e) => e.ended)), graceOver]);
    clearTimeout(timer);
    for (const e of running) {
      if (!e.op.done) {
        e.log.warn("operation aborted: service shutting down");
        e.abort.abort(new CancelledError("cancelled: service shutting down"));
      }
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

  private async execute(entry: Entry): Promise<void> {
    const { log } = entry;
    const signal = entry.abort.signal;
    try {
      await this.journal.record(entry.op);
    } catch (err) {
      this.fail(entry, err);
      return;
    }
    this.update(entry, { state: Operation_State.STATE_PERSISTENT, persistent: true, message: "recorded" });
    log.info("operation persistent");
    if (signal.aborted) {
      this.cancelled(entry);
      return;
    }
    this.update(entry, { state: Operation_State.STATE_RUNNING, message: "running" });
    log.info("operation running");

    let result: OperationResult | undefined;
    try {
      result = await entry.spec.run(this.runFor(entry));
    } catch (err) {
      if (err instanceof CancelledError || signal.aborted) this.cancelled(entry);
      else this.fail(entry, err);
      return;
    }
    this.update(entry, {
      state: Operation_State.STATE_SUCCEEDED,
      done: true,
      progress: 1,
      message: "succeeded",
      outcome: result && { $case: "result", value: result },
    });
    log.info("operation succeeded");
  }

  private fail(entry: Entry, err: unknown): void {
    const status = errorToStatus(err);
    this.update(entry, {
      state: Operation_State.STATE_FAILED,
      done: true,
      message: status.message,
      outcome: { $case: "error", value: status },
    });
    // An unexpected error shows only "internal error" to clients; the log keeps the cause.
    if (err instanceof OrchestratorError) entry.log.warn({ err, code: status.code }, "operation failed");
    else entry.log.error({ err, code: status.code }, "operation failed");
  }

  private cancelled(entry: Entry): void {
    const reason: unknown = entry.abort.signal.reason;
    const message = reason instanceof CancelledError ? reason.message : "cancelled";
    this.update(entry, { state: Operation_State.STATE_CANCELLED, done: true, message });
    entry.log.info("operation cancelled");
  }

  /** Makes the next snapshot and hands it to every listener. Nothing changes after done. */
  private update(entry: Entry, patch: Partial<Operation>): void {
    if (entry.op.done) return;
    const now = Date.now();
    const op: Operation = { ...entry.op, ...patch, updateTime: timestamp(now) };
    if (op.done) {
      op.endTime = timestamp(now);
      entry.endedAtMs = now;
    }
    entry.op = op;
    for (const listener of entry.listeners) listener.push(op);
    if (op.done) entry.listeners.clear();
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
    const finished = [...this.entries.values()]
      .filter((e) => e.endedAtMs !== undefined)
      .sort((a, b) => a.endedAtMs! - b.endedAtMs!);
    let excess = finished.length - this.retention.maxCount;
    for (const e of finished) {
      if (excess <= 0 && now - e.endedAtMs! <= this.retention.maxAgeMs) continue;
      this.entries.delete(e.op.id);
      if (e.op.requestId && this.byRequestId.get(e.op.requestId) === e) this.byRequestId.delete(e.op.requestId);
      excess--;
    }
  }
}
