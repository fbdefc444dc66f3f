// One operation as the engine holds it: its current snapshot, its plan, who follows it,
// and its life: recorded, run, ended. Every change makes a new snapshot (snapshots are
// never mutated), which is journaled and handed to every listener; the terminal one is
// shown only once the journal holds it.
import type { Logger } from "pino";
import { type Operation, Operation_State, type OperationResult } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { toTimestamp } from "../backend/timestamps.js";
import { CancelledError, OrchestratorError } from "../backend/errors.js";
import type { HostLocks } from "./host-locks.js";
import type { Journal } from "./journal.js";
import { operationRun, type RunningOperation } from "./operation-run.js";
import { errorToStatus } from "./error-status.js";
import { type Listener, publish, type Watched } from "./watchers.js";
import type { WritePlan } from "./write-plan.js";

/** What all entries share with the engine. */
export interface EntryDeps {
  readonly journal: Journal;
  readonly hostLocks: HostLocks;
  /** Called once an operation's terminal snapshot is out. */
  onEnded(entry: OperationEntry): void;
}

export class OperationEntry implements Watched, RunningOperation {
  readonly abort = new AbortController();
  readonly listeners = new Set<Listener>();
  readonly log: Logger;
  /** When it ended, in ms since the epoch; drives retention. */
  endedAtMs?: number;
  /** Settles when the operation has ended; never rejects. */
  ended?: Promise<void>;
  /** Its terminal snapshot is being recorded: nothing changes any more. */
  private ending = false;
  /** Stopped by a shutdown without ending: the journal keeps it unfinished, to resume. */
  private interrupted = false;

  /** The request of an operation loaded from the journal (a submitted one has it in its plan). */
  journaledRequest: unknown;

  /**
   * `plan` is undefined for an operation that had ended before a restart. `recorded`: handed
   * to the journal, so that later snapshots are journaled too.
   */
  constructor(
    private readonly deps: EntryDeps,
    engineLog: Logger,
    /** The current snapshot. */
    public op: Operation,
    readonly requestFingerprint: string,
    public plan: WritePlan | undefined,
    private recorded: boolean,
  ) {
    this.log = engineLog.child({ operationId: op.id, method: op.method });
  }

  get id(): string {
    return this.op.id;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  snapshot(): Operation {
    return this.op;
  }

  /**
   * Runs the operation, recording it first unless it is `resumed` from the journal. It
   * starts after the pending microtasks have run, so that a caller who awaits (without
   * I/O) between submit() and watch() still sees ACCEPTED and every later state.
   */
  start(resumed = false): void {
    this.ended = new Promise<void>((resolve) => process.nextTick(resolve))
      .then(() => this.execute(resumed))
      .catch((err: unknown) => {
        this.log.error({ err }, "operation engine failure");
      });
  }

  /** Goes on after a restart with the rebuilt plan, from the snapshot it has now. */
  resume(): void {
    this.log.info({ description: this.op.description, state: Operation_State[this.op.state] }, "operation resumed after a restart");
    void this.journalUpdate(this.op);
    if (this.op.cancelRequested) this.abort.abort(new CancelledError());
    this.start(true);
  }

  /** Asks the operation to stop at its next safe point; a finished one is left alone. */
  cancel(): void {
    if (this.op.done || this.op.cancelRequested) return;
    this.update({ cancelRequested: true, message: "cancel requested" });
    this.log.info("operation cancel requested");
    this.abort.abort(new CancelledError());
  }

  /**
   * Aborts an operation still running at the end of a shutdown's grace period. When
   * `resumable` (a durable journal), it is interrupted, not cancelled: it stays unfinished
   * in the journal and is resumed at the next start; the promise settles once it has
   * recorded its last state.
   */
  stopForShutdown(resumable: boolean): Promise<void> | undefined {
    if (this.op.done || this.ending) return undefined;
    if (resumable) {
      this.interrupted = true;
      this.log.warn("operation interrupted: service shutting down; it resumes at the next start");
      this.abort.abort(new CancelledError("interrupted: service shutting down"));
      return this.ended;
    }
    this.log.warn("operation aborted: service shutting down");
    this.abort.abort(new CancelledError("cancelled: service shutting down"));
    return undefined;
  }

  private async execute(resumed: boolean): Promise<void> {
    const { log, signal } = this;
    const plan = this.plan!;
    if (!resumed) {
      this.recorded = true;
      try {
        await this.deps.journal.record(
          { ...this.op, state: Operation_State.STATE_PERSISTENT, persistent: true, message: "recorded" },
          { request: plan.request, requestFingerprint: plan.requestFingerprint },
        );
      } catch (err) {
        this.recorded = false;
        await this.fail(err);
        return;
      }
      this.update({ state: Operation_State.STATE_PERSISTENT, persistent: true, message: "recorded" });
      log.info("operation persistent");
      if (signal.aborted) {
        await this.cancelled();
        return;
      }
      this.update({ state: Operation_State.STATE_RUNNING, message: "running" });
      log.info("operation running");
    } else if (signal.aborted) {
      await this.cancelled();
      return;
    }

    let result: OperationResult | undefined;
    try {
      result = await plan.run(operationRun(this, this.deps.hostLocks));
    } catch (err) {
      if (err instanceof CancelledError || signal.aborted) await this.cancelled(err);
      else await this.fail(err);
      return;
    }
    await this.finish({
      state: Operation_State.STATE_SUCCEEDED,
      progress: 1,
      message: "succeeded",
      outcome: result && { $case: "result", value: result },
    });
    log.info("operation succeeded");
  }

  async fail(err: unknown): Promise<void> {
    const status = errorToStatus(err);
    // An unexpected error shows only "internal error" to clients; the log keeps the cause.
    if (err instanceof OrchestratorError) this.log.warn({ err, code: status.code }, "operation failed");
    else this.log.error({ err, code: status.code }, "operation failed");
    await this.finish({
      state: Operation_State.STATE_FAILED,
      message: status.message,
      outcome: { $case: "error", value: status },
    });
  }

  /** `thrown`: what the run threw, whose message may say how far it got. */
  private async cancelled(thrown?: unknown): Promise<void> {
    if (this.interrupted) {
      // Not an end: the journal keeps its last state, and the next start resumes it.
      this.log.info("operation interrupted by the shutdown; it resumes at the next start");
      return;
    }
    const reason: unknown = this.abort.signal.reason;
    const message =
      thrown instanceof CancelledError && thrown.message !== new CancelledError().message
        ? thrown.message
        : reason instanceof CancelledError
          ? reason.message
          : "cancelled";
    this.log.info("operation cancelled");
    await this.finish({ state: Operation_State.STATE_CANCELLED, message });
  }

  /** The next snapshot: `patch` over the current one, stamped now. */
  private next(patch: Partial<Operation>): Operation {
    return { ...this.op, ...patch, updateTime: toTimestamp(Date.now()) };
  }

  /** Makes the next snapshot, journals it and hands it to every listener. Nothing changes after done. */
  update(patch: Partial<Operation>): void {
    if (this.op.done || this.ending) return;
    const op = this.next(patch);
    this.op = op;
    void this.journalUpdate(op);
    publish(this, op);
  }

  /**
   * Ends the operation. The terminal snapshot is shown (to Get, watchers and waiters) only
   * once the journal holds it, so that an end a client saw is never undone by a crash.
   */
  private async finish(patch: Partial<Operation>): Promise<void> {
    if (this.op.done || this.ending) return;
    this.ending = true;
    const now = Date.now();
    const op: Operation = { ...this.next(patch), done: true, endTime: toTimestamp(now) };
    const durable = this.journalUpdate(op);
    if (durable) await durable;
    this.op = op;
    this.endedAtMs = now;
    publish(this, op);
    this.listeners.clear();
    this.deps.onEnded(this);
  }

  /** Journals a snapshot of a recorded operation; the promise (if any) resolves once durable and never rejects. */
  private journalUpdate(op: Operation): Promise<void> | undefined {
    const { journal } = this.deps;
    if (!this.recorded || !journal.update) return undefined;
    let pending: Promise<void> | void;
    try {
      pending = journal.update(op);
    } catch (err) {
      this.log.error({ err }, "journal: recording the operation's state failed");
      return undefined;
    }
    return pending?.catch((err: unknown) => {
      this.log.error({ err }, "journal: recording the operation's state failed");
    });
  }
}
