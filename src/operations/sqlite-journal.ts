// The operations journal in the service's SQLite database. Every write goes through the
// database's group commit: a record resolves once the transaction that holds it is on
// disk, and later snapshots of the same operation queued before a commit coalesce into one
// write.
import type { Statement } from "better-sqlite3";
import { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { timestampMs } from "../backend/timestamps.js";
import type { OrchestratorDatabase } from "../persistence/database.js";
import type { Journal, JournaledOperation, JournalRecord } from "./journal.js";

interface Row {
  id: string;
  fingerprint: string;
  request: string;
  snapshot: Buffer;
}

function encode(op: Operation): Buffer {
  return Buffer.from(Operation.encode(op).finish());
}

/** JSON of a request; a stray bigint is written as its decimal string. */
function requestJson(request: unknown): string {
  return JSON.stringify(request ?? null, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

export class SqliteJournal implements Journal {
  readonly durable = true;
  private readonly insert: Statement<[Record<string, unknown>]>;
  private readonly replace: Statement<[Record<string, unknown>]>;
  private readonly remove: Statement<[string]>;
  private readonly pruneAge: Statement<[number]>;
  private readonly pruneCount: Statement<[number]>;
  private readonly all: Statement<[], Row>;

  constructor(private readonly database: OrchestratorDatabase) {
    const db = database.db;
    this.insert = db.prepare(
      `INSERT INTO operations (id, request_id, method, fingerprint, request, snapshot, done, ended_at_ms)
       VALUES (:id, :requestId, :method, :fingerprint, :request, :snapshot, :done, :endedAtMs)`,
    );
    this.replace = db.prepare("UPDATE operations SET snapshot = :snapshot, done = :done, ended_at_ms = :endedAtMs WHERE id = :id");
    this.remove = db.prepare("DELETE FROM operations WHERE id = ?");
    this.pruneAge = db.prepare("DELETE FROM operations WHERE done = 1 AND ended_at_ms < ?");
    this.pruneCount = db.prepare(
      `DELETE FROM operations WHERE seq IN (
         SELECT seq FROM operations WHERE done = 1 ORDER BY ended_at_ms DESC, seq DESC LIMIT -1 OFFSET ?)`,
    );
    this.all = db.prepare("SELECT id, fingerprint, request, snapshot FROM operations ORDER BY seq");
  }

  /** The database file, for messages. */
  get file(): string {
    return this.database.file;
  }

  record(op: Operation, record: JournalRecord): Promise<void> {
    let row: Record<string, unknown>;
    try {
      row = {
        id: op.id,
        requestId: op.requestId,
        method: op.method,
        fingerprint: record.requestFingerprint,
        request: requestJson(record.request),
        snapshot: encode(op),
        done: op.done ? 1 : 0,
        endedAtMs: op.done ? (timestampMs(op.endTime) ?? null) : null,
      };
    } catch (err) {
      return Promise.reject(err);
    }
    return this.database.write(`op\0${op.id}\0record`, () => this.insert.run(row));
  }

  update(op: Operation): Promise<void> {
    // Encoded at commit time: of several snapshots queued in between, only the last is.
    return this.database.write(`op\0${op.id}\0update`, () =>
      this.replace.run({ id: op.id, snapshot: encode(op), done: op.done ? 1 : 0, endedAtMs: op.done ? (timestampMs(op.endTime) ?? null) : null }),
    );
  }

  forget(ids: string[]): void {
    if (ids.length === 0) return;
    this.database
      .write(undefined, () => {
        for (const id of ids) this.remove.run(id);
      })
      .catch(() => {
        // Retention runs again; the rows go next time.
      });
  }

  /** In SQL: by age, then by count, of finished operations only. */
  prune(retention: { maxAgeMs: number; maxCount: number }, nowMs: number): void {
    this.database.db
      .transaction(() => {
        this.pruneAge.run(nowMs - retention.maxAgeMs);
        this.pruneCount.run(Math.max(0, Math.floor(retention.maxCount)));
      })
      .immediate();
  }

  load(): JournaledOperation[] {
    return this.all.all().map((r) => ({
      op: Operation.decode(r.snapshot),
      request: JSON.parse(r.request) as unknown,
      requestFingerprint: r.fingerprint,
    }));
  }
}
