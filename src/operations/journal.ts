// Where the engine records operations. PERSISTENT reaches a client only once `record` has
// resolved; later snapshots are recorded too (batched), so that after a restart Get shows
// the last recorded state and an unfinished operation can be resumed.
import { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";

/** What is recorded with a new operation, besides its snapshot. */
export interface JournalRecord {
  /** The write's request (JSON-serialisable): what a resumed operation is rebuilt from. */
  request: unknown;
  /** Tells a reused request_id apart after a restart. */
  requestFingerprint: string;
}

/** An operation as the journal holds it. */
export interface JournaledOperation extends JournalRecord {
  /** The last recorded snapshot. */
  op: Operation;
}

/**
 * Only `record` is required (a test double may implement just that); a journal that
 * survives restarts implements the rest.
 */
export interface Journal {
  /** Whether records survive a restart of the service. */
  readonly durable?: boolean;
  /**
   * Records a newly accepted operation (the snapshot it has once recorded: PERSISTENT);
   * resolves once it is durably recorded.
   */
  record(op: Operation, record: JournalRecord): Promise<void>;
  /**
   * Records a later snapshot of a recorded operation, replacing the previous one. Batched
   * and coalesced; a returned promise resolves once durable (the engine waits for that
   * only before it shows a terminal state).
   */
  update?(op: Operation): Promise<void> | void;
  /** Forgets operations (retention). */
  forget?(ids: string[]): void;
  /** Forgets finished operations that ended before `nowMs - maxAgeMs`, then all but the newest `maxCount`. */
  prune?(retention: { maxAgeMs: number; maxCount: number }, nowMs: number): void;
  /** Every recorded operation, in creation order. */
  load?(): JournaledOperation[];
}

/** A journal that keeps copies in memory: nothing survives a restart. */
export class MemoryJournal implements Journal {
  readonly durable = false;
  readonly records = new Map<string, Operation>();

  record(op: Operation): Promise<void> {
    this.records.set(op.id, Operation.fromPartial(op));
    return Promise.resolve();
  }

  update(op: Operation): void {
    if (this.records.has(op.id)) this.records.set(op.id, op);
  }

  forget(ids: string[]): void {
    for (const id of ids) this.records.delete(id);
  }
}
