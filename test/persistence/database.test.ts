// The service's database: opening and checking it, refusing damaged files without touching
// them, and the group commit that lets concurrent writes share one transaction.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASE_FILE, DatabaseError, type OrchestratorDatabase, openDatabase } from "../../src/persistence/database.js";

const dirs: string[] = [];
const open: OrchestratorDatabase[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orch-db-"));
  dirs.push(dir);
  return dir;
}

function openDb(dir: string): OrchestratorDatabase {
  const db = openDatabase(dir);
  open.push(db);
  return db;
}

afterEach(() => {
  for (const db of open.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function refusal(dir: string): DatabaseError {
  try {
    openDb(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(DatabaseError);
    return err as DatabaseError;
  }
  throw new Error("the database was opened");
}

describe("openDatabase", () => {
  it("creates the data directory and a WAL database with synchronous=FULL", () => {
    const dir = path.join(tempDir(), "nested", "data");
    const db = openDb(dir);
    expect(db.file).toBe(path.join(dir, DATABASE_FILE));
    expect(db.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.db.pragma("synchronous", { simple: true })).toBe(2); // FULL
    const tables = db.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(["backend_state", "operations"]));
  });

  it("keeps what it holds (requests may carry secrets) readable by this user only", async () => {
    const dir = path.join(tempDir(), "data");
    const db = openDb(dir);
    await db.write(undefined, () => db.db.prepare("INSERT INTO backend_state VALUES ('t', 'k', '1')").run());
    const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
    expect([mode(dir), mode(db.file), mode(`${db.file}-wal`)]).toEqual(["700", "600", "600"]);
  });

  it("opens its own database again, keeping what it holds", async () => {
    const dir = tempDir();
    const first = openDb(dir);
    await first.write(undefined, () => first.db.prepare("INSERT INTO backend_state VALUES ('t', 'k', '1')").run());
    first.close();
    const again = openDb(dir);
    expect(again.db.prepare("SELECT value FROM backend_state").pluck().get()).toBe("1");
  });

  it("refuses a file that is not SQLite, naming it and leaving its bytes as they were", () => {
    const dir = tempDir();
    const file = path.join(dir, DATABASE_FILE);
    const garbage = Buffer.from("this is not a database at all\n".repeat(200));
    writeFileSync(file, garbage);
    const err = refusal(dir);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not an SQLite database/);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it("refuses a database with damaged pages, leaving it (and its WAL) as they were", () => {
    const dir = tempDir();
    const first = openDb(dir);
    const insert = first.db.prepare("INSERT INTO backend_state VALUES ('t', ?, ?)");
    first.db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run(`k${i}`, "x".repeat(200));
    })();
    first.close();
    const file = path.join(dir, DATABASE_FILE);
    const bytes = readFileSync(file);
    // Keep the header page, scribble over the rest.
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(file, bytes);
    const err = refusal(dir);
    expect(err.message).toContain(file);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it("refuses another application's SQLite database", () => {
    const dir = tempDir();
    const file = path.join(dir, DATABASE_FILE);
    const other = new Database(file);
    other.exec("CREATE TABLE notes (t TEXT)");
    other.close();
    const before = readFileSync(file);
    expect(refusal(dir).message).toMatch(/not this service's journal/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("refuses a database written by a newer version", () => {
    const dir = tempDir();
    openDb(dir).close();
    open.length = 0;
    const file = path.join(dir, DATABASE_FILE);
    const raw = new Database(file);
    raw.pragma("user_version = 99");
    raw.close();
    expect(refusal(dir).message).toMatch(/newer version/);
  });

  it("refuses a data directory another instance holds", () => {
    const dir = tempDir();
    openDb(dir);
    expect(refusal(dir).message).toMatch(/in use by another process/);
  });

  it("names the path when the data directory cannot be created", () => {
    const dir = tempDir();
    const blocker = path.join(dir, "file");
    writeFileSync(blocker, "x");
    expect(() => openDatabase(path.join(blocker, "data"))).toThrow(DatabaseError);
    expect(() => openDatabase(path.join(blocker, "data"))).toThrow(blocker);
  });
});

describe("group commit", () => {
  it("commits the writes of one event-loop turn in one transaction, and resolves them after it", async () => {
    const db = openDb(tempDir());
    const insert = db.db.prepare("INSERT INTO backend_state VALUES ('t', ?, '1')");
    const before = db.stats.commits;
    const writes = Array.from({ length: 200 }, (_, i) => db.write(undefined, () => insert.run(`k${i}`)));
    // Nothing is committed within the turn that queued them.
    expect(db.db.prepare("SELECT count(*) FROM backend_state").pluck().get()).toBe(0);
    await Promise.all(writes);
    expect(db.stats.commits - before).toBe(1);
    expect(db.db.prepare("SELECT count(*) FROM backend_state").pluck().get()).toBe(200);
  });

  it("coalesces writes with the same key: the last one runs, in the first one's place", async () => {
    const db = openDb(tempDir());
    const ran: string[] = [];
    const a1 = db.write("a", () => ran.push("a1"));
    const b = db.write("b", () => ran.push("b"));
    const a2 = db.write("a", () => ran.push("a2"));
    await Promise.all([a1, b, a2]);
    expect(ran).toEqual(["a2", "b"]);
    expect(db.stats.writes).toBe(2);
  });

  it("rejects only the write that failed; the others commit", async () => {
    const db = openDb(tempDir());
    const insert = db.db.prepare("INSERT INTO backend_state VALUES ('t', ?, '1')");
    const ok1 = db.write(undefined, () => insert.run("a"));
    const bad = db.write(undefined, () => {
      insert.run("b");
      insert.run("a"); // a duplicate key: this write's savepoint is rolled back, "b" with it
    });
    const ok2 = db.write(undefined, () => insert.run("c"));
    await expect(bad).rejects.toThrow(/UNIQUE/);
    await Promise.all([ok1, ok2]);
    expect(db.db.prepare("SELECT key FROM backend_state ORDER BY key").pluck().all()).toEqual(["a", "c"]);
  });

  it("commits what is queued on close, and refuses writes after it", async () => {
    const dir = tempDir();
    const db = openDb(dir);
    const insert = db.db.prepare("INSERT INTO backend_state VALUES ('t', 'k', '1')");
    const pending = db.write(undefined, () => insert.run());
    db.close();
    await pending;
    await expect(db.write(undefined, () => undefined)).rejects.toThrow(/closed/);
    const again = openDb(dir);
    expect(again.db.prepare("SELECT count(*) FROM backend_state").pluck().get()).toBe(1);
  });
});
