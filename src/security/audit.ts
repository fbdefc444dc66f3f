// The audit log: one line for every write (every RPC that RPC_ACCESS marks as a write),
// once its outcome is known: who called (name, role, how authenticated, from where), what
// (the method and its request, secrets removed), the operation id, and the outcome: the
// operation's end state, or the status code of a refused request. Lines carry
// `"audit": true` and the message "audit", from the `audit` child logger.
import type { Logger } from "pino";
import { type Operation, Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { Code } from "../../gen/ts/google/rpc/code.js";
import { errorToStatus } from "../operations/error-status.js";
import type { Caller } from "./identities.js";
import { redactSecrets } from "../contract/secrets.js";

export class Auditor {
  readonly log: Logger;
  /** Accepted writes whose operation has not ended yet, by a unique key. */
  private readonly pending = new Map<number, { fields: Record<string, unknown>; operationId: string }>();
  private next = 0;

  constructor(log: Logger) {
    this.log = log.child({ audit: true });
  }

  /** A write refused before any operation existed (authentication, role, limit, validation, ...). */
  refused(caller: Caller | undefined, method: string, request: unknown, err: unknown): void {
    const status = errorToStatus(err);
    this.log.info({ ...who(caller), method, request: request === undefined ? undefined : summary(request), outcome: Code[status.code] ?? String(status.code), error: status.message }, "audit");
  }

  /**
   * A write that started (or, with a reused request_id, found) an operation: logged when
   * `done` resolves with the terminal snapshot.
   */
  accepted(caller: Caller | undefined, method: string, request: unknown, op: Operation, done: Promise<Operation>, retry: boolean): void {
    const key = this.next++;
    const fields = { ...who(caller), method, request: summary(request), operationId: op.id, requestId: op.requestId || undefined, retry: retry || undefined };
    this.pending.set(key, { fields, operationId: op.id });
    void done.then((end) => {
      if (!this.pending.delete(key)) return;
      const error = end.outcome?.$case === "error" ? end.outcome.value.message : undefined;
      this.log.info({ ...fields, outcome: stateName(end.state), error }, "audit");
    });
  }

  /** A unary write (CancelOperation): its outcome is the call's. */
  answered(caller: Caller | undefined, method: string, request: unknown, operationId: string | undefined, err?: unknown): void {
    if (err !== undefined) {
      this.refused(caller, method, request, err);
      return;
    }
    this.log.info({ ...who(caller), method, request: summary(request), operationId, outcome: "OK" }, "audit");
  }

  /** At shutdown: a line for each write whose operation has not ended (it resumes at the next start). */
  close(): void {
    for (const { fields } of this.pending.values()) this.log.info({ ...fields, outcome: "INTERRUPTED" }, "audit");
    this.pending.clear();
  }
}

const MAX_STRING = 200;
const MAX_ITEMS = 20;

/**
 * The request as the audit line shows it: secrets removed, long strings cut and long lists
 * shortened (a request may be megabytes of hostile input).
 */
export function summary(request: unknown): unknown {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}… (${v.length} characters)` : v;
    if (v === null || typeof v !== "object") return v;
    if (depth > 8) return "…";
    if (Array.isArray(v)) {
      const items = v.slice(0, MAX_ITEMS).map((x) => walk(x, depth + 1));
      return v.length > MAX_ITEMS ? [...items, `… (${v.length} items)`] : items;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    const out = Object.fromEntries(entries.slice(0, MAX_ITEMS).map(([k, x]) => [k, walk(x, depth + 1)]));
    if (entries.length > MAX_ITEMS) out["…"] = `${entries.length} keys`;
    return out;
  };
  return walk(redactSecrets(request), 0);
}

function who(caller: Caller | undefined): Record<string, unknown> {
  if (!caller) return { caller: undefined };
  return { caller: caller.name, role: caller.role ?? "none", via: caller.via, peer: caller.peer };
}

function stateName(s: Operation_State): string {
  return (Operation_State[s] ?? String(s)).replace(/^STATE_/, "");
}
