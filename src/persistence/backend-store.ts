// A backend's durable state (BackendOptions.store), in the service's database beside the
// operations journal and committed with it.
import type { Statement } from "better-sqlite3";
import type { BackendStore } from "../backend/backend.js";
import type { OrchestratorDatabase } from "./database.js";

export class SqliteBackendStore implements BackendStore {
  readonly location: string;
  private readonly select: Statement<[string, string], { value: string }>;
  private readonly upsert: Statement<[string, string, string]>;

  /** `backend` scopes the keys, so that another backend never reads this one's state. */
  constructor(
    private readonly database: OrchestratorDatabase,
    private readonly backend: string,
  ) {
    this.location = database.file;
    this.select = database.db.prepare("SELECT value FROM backend_state WHERE backend = ? AND key = ?");
    this.upsert = database.db.prepare(
      "INSERT INTO backend_state (backend, key, value) VALUES (?, ?, ?) ON CONFLICT (backend, key) DO UPDATE SET value = excluded.value",
    );
  }

  load(key: string): unknown {
    const row = this.select.get(this.backend, key);
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  save(key: string, state: () => unknown): Promise<void> {
    return this.database.write(`backend\0${this.backend}\0${key}`, () => {
      this.upsert.run(this.backend, key, JSON.stringify(state()));
    });
  }
}
