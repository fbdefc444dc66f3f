// The service's embedded SQLite database: the operations journal and the backends' saved
// state, in one file of the data directory. Opened in WAL mode with synchronous=FULL, so a
// committed transaction is on disk; writes are batched into shared commits (group commit)
// so that concurrent writes do not each pay for an fsync. A database that cannot be read
// or checked stops the start-up with a message naming the file, which is never rewritten.
import { closeSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/** The file in the data directory. */
export const DATABASE_FILE = "orchestrator.db";

/** PRAGMA application_id of this service's databases: "CEOR". */
const APPLICATION_ID = 0x43454f52;
/** PRAGMA user_version: the schema below. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE operations (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT, -- creation order
  id          TEXT    NOT NULL UNIQUE,
  request_id  TEXT    NOT NULL,                  -- '' when the client gave none
  method      TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,                  -- tells a reused request_id apart
  request     TEXT    NOT NULL,                  -- the write's request, JSON
  snapshot    BLOB    NOT NULL,                  -- the last recorded Operation, protobuf
  done        INTEGER NOT NULL DEFAULT 0,
  ended_at_ms INTEGER                            -- when it ended, for retention
);
CREATE INDEX operations_request_id ON operations (request_id) WHERE request_id <> '';
CREATE INDEX operations_finished ON operations (done, ended_at_ms);
CREATE TABLE backend_state (
  backend TEXT NOT NULL,
  key     TEXT NOT NULL,
  value   TEXT NOT NULL,                         -- JSON
  PRIMARY KEY (backend, key)
);
`;

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/** The database cannot be used: the service refuses to start. The message names the file. */
export class DatabaseError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}; the service does not start, and the file is left as it is`);
    this.name = "DatabaseError";
  }
}

interface PendingWrite {
  fn: () => void;
  /** Everyone waiting for this write; a coalesced write inherits the waiters it replaced. */
  waiters: { resolve(): void; reject(err: unknown): void }[];
}

export interface CommitStats {
  /** Transactions committed. */
  commits: number;
  /** Writes carried by them (after coalescing). */
  writes: number;
}

export class OrchestratorDatabase {
  readonly stats: CommitStats = { commits: 0, writes: 0 };
  private pending = new Map<string, PendingWrite>();
  private scheduled = false;
  private unkeyed = 0;
  private closed = false;
  private readonly savepoint: (fn: () => void) => void;

  constructor(
    readonly file: string,
    readonly db: Database.Database,
  ) {
    // Each write in its own savepoint: one failing write does not undo the others.
    this.savepoint = db.transaction((fn: () => void) => fn());
  }

  /**
   * Queues a write for the next commit and resolves once that commit is on disk; rejects
   * with the write's own error, or the commit's. A write with the key of one still queued
   * replaces it (the latest state wins) and keeps its place. Writes run in the order they
   * were queued, all in one transaction, on the next turn of the event loop: everything
   * queued meanwhile shares one fsync.
   */
  write(key: string | undefined, fn: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.file}: database closed`));
    const k = key ?? `\0${this.unkeyed++}`;
    return new Promise<void>((resolve, reject) => {
      const previous = this.pending.get(k);
      if (previous) {
        previous.fn = fn;
        previous.waiters.push({ resolve, reject });
      } else {
        this.pending.set(k, { fn, waiters: [{ resolve, reject }] });
      }
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every queued write now. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const failed = new Map<PendingWrite, unknown>();
    try {
      this.db
        .transaction(() => {
          for (const w of batch) {
            try {
              this.savepoint(w.fn);
            } catch (err) {
              failed.set(w, err);
            }
          }
        })
        .immediate();
    } catch (err) {
      for (const w of batch) for (const waiter of w.waiters) waiter.reject(err);
      return;
    }
    this.stats.commits++;
    this.stats.writes += batch.length - failed.size;
    for (const w of batch) {
      const err = failed.get(w);
      for (const waiter of w.waiters) {
        if (failed.has(w)) waiter.reject(err);
        else waiter.resolve();
      }
    }
  }

  /** Commits what is queued, then closes the file. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.message ?? String(err)} (${e.code})` : (e.message ?? String(err));
}

/** Reads the first bytes of the file; undefined when it does not exist. */
function readHeader(file: string): { size: number; header: Buffer } | undefined {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new DatabaseError(file, "not a regular file");
    size = st.size;
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new DatabaseError(file, `cannot be read: ${describe(err)}`);
  }
  const header = Buffer.alloc(Math.min(size, SQLITE_HEADER.length));
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    readSync(fd, header, 0, header.length, 0);
  } catch (err) {
    throw new DatabaseError(file, `cannot be read: ${describe(err)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return { size, header };
}

/**
 * Checks an existing database through a read-only connection, which never writes to the
 * file (not even a checkpoint of its write-ahead log), so a damaged file stays as it was.
 */
function checkExisting(file: string): void {
  let ro: Database.Database | undefined;
  try {
    ro = new Database(file, { readonly: true, fileMustExist: true, timeout: 500 });
    const check = ro.pragma("quick_check") as { quick_check: string }[];
    if (check.length !== 1 || check[0]?.quick_check !== "ok") {
      const problems = check.slice(0, 3).map((r) => r.quick_check).join("; ");
      throw new DatabaseError(file, `the database is corrupt (quick_check: ${problems})`);
    }
    const appId = ro.pragma("application_id", { simple: true }) as number;
    const version = ro.pragma("user_version", { simple: true }) as number;
    const tables = ro.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number };
    if (appId === 0 && version === 0 && tables.n === 0) return; // an empty database
    if (appId !== APPLICATION_ID) {
      throw new DatabaseError(file, "an SQLite database, but not this service's journal (another application_id)");
    }
    if (version > SCHEMA_VERSION) {
      throw new DatabaseError(file, `written by a newer version of the service (schema ${version}; this one knows ${SCHEMA_VERSION})`);
    }
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    const code = (err as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      throw new DatabaseError(file, "in use by another process (another instance of the service with the same data directory?)");
    }
    throw new DatabaseError(file, `cannot be read as an SQLite database: ${describe(err)}`);
  } finally {
    ro?.close();
  }
}

/**
 * Opens (creating it when absent) the database in `dataDir`. Throws DatabaseError when it
 * cannot be used: unreadable, not SQLite, corrupt, another program's, from a newer version,
 * or held by another running instance.
 */
export function openDatabase(dataDir: string): OrchestratorDatabase {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, DATABASE_FILE);
  try {
    // The requests it keeps may hold secrets (an RGW system key, an iSCSI password): only
    // this user reads them, as with a keyring. An existing directory keeps its mode.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new DatabaseError(dir, `cannot create the data directory: ${describe(err)}`);
  }
  const existing = readHeader(file);
  if (existing && existing.size > 0 && !existing.header.equals(SQLITE_HEADER)) {
    throw new DatabaseError(file, "not an SQLite database (unknown or damaged header)");
  }
  // An empty file is what a crash right after creating the database leaves, and its
  // write-ahead log may hold everything: check it as a database too.
  if (existing) checkExisting(file);

  let db: Database.Database;
  try {
    // Created 0600 (SQLite gives its -wal file the same mode); an existing file keeps its mode.
    if (!existing) closeSync(openSync(file, "a", 0o600));
    db = new Database(file);
  } catch (err) {
    throw new DatabaseError(file, `cannot be opened: ${describe(err)}`);
  }
  try {
    // One process at a time: the lock is taken by the first write below and kept until the
    // process ends (the kernel releases it on a crash). No shared-memory file is needed.
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("busy_timeout = 2000");
    const mode = db.pragma("journal_mode = WAL", { simple: true }) as string;
    if (mode !== "wal") throw new Error(`journal_mode WAL refused (got ${mode})`);
    db.pragma("synchronous = FULL");
    db.transaction(() => {
      const version = db.pragma("user_version", { simple: true }) as number;
      if (version === 0) {
        db.exec(SCHEMA);
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }
    }).immediate();
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      throw new DatabaseError(file, "in use by another process (another instance of the service with the same data directory?)");
    }
    throw new DatabaseError(file, `cannot be opened: ${describe(err)}`);
  }
  return new OrchestratorDatabase(file, db);
}
