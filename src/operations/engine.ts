// The operations engine: every write runs as an Operation that goes
// ACCEPTED -> PERSISTENT -> RUNNING -> SUCCEEDED | FAILED | CANCELLED, can be watched by many
// clients, waited for, cancelled at safe points, and is forgotten after its retention.
// Work on one host is serialised across all operations; hosts run in parallel up to a limit.
// Every snapshot is journaled: PERSISTENT and the terminal state are shown only once they
// are durably recorded, and after a restart recover() brings back what the journal holds.
// This file composes the parts: each operation's life (operation-entry.ts), what its run
// works with (operation-run.ts), host locks (host-locks.ts), watchers (watchers.ts) and
// retention (retention.ts).
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { type Operation, Operation_Origin, Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { timestampMs, toTimestamp } from "../backend/timestamps.js";
import { BackendUnavailableError, ExecutionError, NotFoundError, OrchestratorError } from "../backend/errors.js";
import { RequestIdReusedError } from "./errors.js";
import { HostLocks } from "./host-locks.js";
import { type Journal, MemoryJournal } from "./journal.js";
import { type EntryDeps, OperationEntry } from "./operation-entry.js";
import { Retention, type RetentionLimits } from "./retention.js";
import { waitForAll, watchOperation, whenDone } from "./watchers.js";
import type { ResumeFn, WritePlan } from "./write-plan.js";

export type { OperationRun, ResumeFn, WritePlan } from "./write-plan.js";

export interface OperationFilter {
  /** Empty means all states. */
  states: Operation_State[];
  /** Empty means all methods. */
  method: string;
  /** Only operations working on this host (in `hosts` or a task); empty means all. */
  hostname: string;
  /** Only operations of this origin; UNSPECIFIED (or absent) means all. */
  origin?: Operation_Origin;
}

export interface OperationsEngineOptions {
  log: Logger;
  /** How many host steps may run at once, across all operations. Default 8. */
  maxParallelHosts?: number;
  /** Finished operations are forgotten after maxAgeMs, or beyond the newest maxCount. */
  retention: RetentionLimits;
  /** Default: a MemoryJournal. */
  journal?: Journal;
}

export class OperationsEngine {
  private readonly log: Logger;
  private readonly journal: Journal;
  /** In creation order, so newest-first is the reverse. */
  private readonly entries = new Map<string, OperationEntry>();
  private readonly byRequestId = new Map<string, OperationEntry>();
  private readonly retention: Retention<OperationEntry>;
  private readonly entryDeps: EntryDeps;
  private accepting = true;
  private readonly endListeners = new Set<(op: Operation) => void>();

  constructor(opts: OperationsEngineOptions) {
    this.log = opts.log;
    this.journal = opts.journal ?? new MemoryJournal();
    this.retention = new Retention<OperationEntry>(opts.retention, this.journal, this.log, (e) => {
      this.entries.delete(e.op.id);
      if (e.op.requestId && this.byRequestId.get(e.op.requestId) === e) this.byRequestId.delete(e.op.requestId);
    });
    this.entryDeps = {
      journal: this.journal,
      hostLocks: new HostLocks(opts.maxParallelHosts ?? 8),
      onEnded: (entry) => {
        for (const listener of this.endListeners) listener(entry.op);
        this.retention.add(entry);
        // The count limit holds at every moment, not only at the next submit or timer tick.
        this.retention.prune();
      },
    };
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
    this.retention.pruneJournal();
    const records = this.journal.load();
    const now = Date.now();
    const ended: OperationEntry[] = [];
    const toResume: OperationEntry[] = [];
    const toFail: { entry: OperationEntry; reason: string }[] = [];
    for (const rec of records) {
      const { op } = rec;
      if (this.entries.has(op.id)) continue;
      const entry = this.add(new OperationEntry(this.entryDeps, this.log, op, rec.requestFingerprint, undefined, true));
      entry.journaledRequest = rec.request;
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
    this.retention.add(...ended);

    const backend = opts.backend ?? "none";
    await Promise.all(
      toFail.map(({ entry, reason }) => {
        const why =
          backend === "none"
            ? "cannot be resumed after a restart: no backend is configured"
            : `cannot be resumed by backend '${backend}' after a restart${reason ? `: ${reason}` : ""}`;
        entry.log.warn({ backend }, `operation ${why}`);
        return entry.fail(new ExecutionError(`${entry.op.method}: ${why}`));
      }),
    );
    for (const entry of toResume) entry.resume();
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
    this.retention.prune();
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
      origin: plan.origin ?? Operation_Origin.ORIGIN_CLIENT,
    };
    const entry = this.add(new OperationEntry(this.entryDeps, this.log, op, plan.requestFingerprint, plan, false));
    entry.log.info({ description: plan.description, hosts: plan.hosts, requestId: plan.requestId }, "operation accepted");
    entry.start();
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

  /** The request an operation was started with (also one from before a restart); undefined once it is forgotten. */
  requestOf(id: string): unknown {
    const entry = this.entries.get(id);
    return entry?.plan?.request ?? entry?.journaledRequest;
  }

  /** submit() and a watch that starts with the returned snapshot. */
  submitAndWatch(plan: WritePlan, signal?: AbortSignal): { operation: Operation; updates: AsyncIterable<Operation> } {
    const operation = this.submit(plan);
    return { operation, updates: this.watch(operation.id, signal) };
  }

  /** Calls `listener` with each operation's terminal snapshot as it ends; returns what detaches it. */
  onEnded(listener: (op: Operation) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
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
      if (filter.origin && op.origin !== filter.origin) continue;
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
    entry.cancel();
    return entry.op;
  }

  /**
   * The operation's current snapshot, then each change, ending after the terminal one.
   * The watcher is registered now, not at the first next(). Aborting `signal` ends the
   * iteration and detaches; the operation goes on. Iterate once.
   */
  watch(id: string, signal?: AbortSignal): AsyncIterable<Operation> {
    return watchOperation(this.entry(id), signal);
  }

  /**
   * The terminal snapshot, once the operation has ended (at once when it has). Never
   * rejects; stays pending for an operation that a shutdown interrupts (it resumes later).
   */
  whenDone(id: string): Promise<Operation> {
    return whenDone(this.entry(id));
  }

  /** Resolves once all are done, or when the timeout passes or the signal aborts. */
  async wait(ids: string[], timeoutMs: number, signal?: AbortSignal): Promise<{ operations: Operation[]; allDone: boolean }> {
    return waitForAll(ids.map((id) => this.entry(id)), timeoutMs, signal);
  }

  /**
   * Stops accepting submits, waits up to graceMs for running operations to end, then
   * aborts the rest (they end CANCELLED at their next safe point) and resolves. With a
   * durable journal the rest are interrupted instead, to be resumed at the next start.
   */
  async drain(graceMs: number): Promise<void> {
    this.accepting = false;
    const resumable = this.durable;
    const running = [...this.entries.values()].filter((e) => !e.op.done);
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(running.map((e) => e.ended)), graceOver]);
    clearTimeout(timer);
    const stopping: Promise<void>[] = [];
    for (const e of running) {
      const stopped = e.stopForShutdown(resumable);
      if (stopped) stopping.push(stopped);
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
    this.retention.close();
  }

  private entry(id: string): OperationEntry {
    const entry = this.entries.get(id);
    if (!entry) throw new NotFoundError("operation", id);
    return entry;
  }

  private add(entry: OperationEntry): OperationEntry {
    this.entries.set(entry.op.id, entry);
    if (entry.op.requestId) this.byRequestId.set(entry.op.requestId, entry);
    return entry;
  }
}
