// Retention: finished operations are forgotten after maxAgeMs, or beyond the newest
// maxCount, both in memory and in the journal.
import type { Logger } from "pino";
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { Journal } from "./journal.js";

export interface RetentionLimits {
  maxAgeMs: number;
  maxCount: number;
}

/** A finished operation as the engine holds it. */
export interface Finished {
  readonly op: Operation;
  /** When it ended, in ms since the epoch. */
  readonly endedAtMs?: number;
}

export class Retention<E extends Finished> {
  /** Finished operations in the order they ended (oldest first, from `head` on). */
  private finished: E[] = [];
  private head = 0;
  private readonly timer: NodeJS.Timeout;

  /** `forget` drops an operation from the engine's memory; the journal is told here. */
  constructor(
    private readonly limits: RetentionLimits,
    private readonly journal: Journal,
    private readonly log: Logger,
    private readonly forget: (entry: E) => void,
  ) {
    // Often enough that nothing outlives maxAgeMs by more than a quarter of it.
    const every = Math.min(Math.max(Math.ceil(limits.maxAgeMs / 4), 1_000), 60_000);
    this.timer = setInterval(() => {
      this.prune();
      this.pruneJournal();
    }, every).unref();
  }

  /** Operations that have ended, in the order they ended. */
  add(...ended: E[]): void {
    this.finished.push(...ended);
  }

  /** Forgets finished operations past their age, then the oldest beyond maxCount. */
  prune(): void {
    const now = Date.now();
    const forgotten: string[] = [];
    while (this.head < this.finished.length) {
      const e = this.finished[this.head]!;
      const count = this.finished.length - this.head;
      if (count <= this.limits.maxCount && now - e.endedAtMs! <= this.limits.maxAgeMs) break;
      this.head++;
      this.forget(e);
      forgotten.push(e.op.id);
    }
    if (this.head > 1024 && this.head * 2 > this.finished.length) {
      this.finished = this.finished.slice(this.head);
      this.head = 0;
    }
    if (forgotten.length > 0) this.journal.forget?.(forgotten);
  }

  /** The same retention, applied to the journal itself. */
  pruneJournal(): void {
    try {
      this.journal.prune?.(this.limits, Date.now());
    } catch (err) {
      this.log.error({ err }, "journal: pruning finished operations failed");
    }
  }

  /** Stops the timer. */
  close(): void {
    clearInterval(this.timer);
  }
}
