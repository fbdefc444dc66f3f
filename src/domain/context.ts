// What every use case of the orchestrator works with.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Backend } from "../backend/backend.js";
import type { OperationRun, OperationsEngine, WritePlan } from "../operations/engine.js";
import { CancelledError, ExecutionError } from "./errors.js";
import type { OrchestratorState } from "./orchestrator-state.js";

export interface Deps {
  backend: Backend;
  engine: OperationsEngine;
  log: Logger;
  /** What the orchestrator itself keeps between requests. */
  state: OrchestratorState;
  /** Keeps the cluster matching the stored specs (reconciler.ts); absent where nothing reconciles (some tests). */
  reconciler?: ReconcilerControl;
  /** The longest WaitOperations waits (--max-wait); a longer wait that runs out answers RESOURCE_EXHAUSTED. */
  maxWaitMs?: number;
}

/** What requests may do to the reconciler. */
export interface ReconcilerControl {
  readonly paused: boolean;
  pause(): Promise<void>;
  resume(): Promise<void>;
}

/** A stable digest of a request, so that a reused request_id can be told apart. */
export function fingerprint(request: object): string {
  const { requestId: _ignored, ...rest } = request as { requestId?: string };
  return createHash("sha256").update(stableJson(rest)).digest("hex");
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Waits for every part of an operation, so that one failing host never leaves the others'
 * work unobserved, then fails with all the failures named, or returns every result.
 */
export async function settleAll<T>(parts: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(parts);
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected").map((s) => s.reason as unknown);
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    const cancelled = failures.find((f) => f instanceof CancelledError);
    if (cancelled && failures.every((f) => f instanceof CancelledError)) throw cancelled;
    const hostnames = failures.flatMap((f) => (f instanceof ExecutionError && f.hostname ? [f.hostname] : []));
    throw new ExecutionError(
      `${failures.length} of ${parts.length} parts failed: ${failures.map((f) => (f instanceof Error ? f.message : String(f))).join("; ")}`,
      hostnames.length === 1 ? hostnames[0] : undefined,
    );
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** A write's operation spec: its request (journaled, fingerprinted, with its request_id), what it does and where. */
export function writePlan(
  method: string,
  req: { requestId: string },
  description: string,
  hosts: string[],
  run: WritePlan["run"],
): WritePlan {
  return { method, description, requestId: req.requestId, requestFingerprint: fingerprint(req), request: req, hosts, run };
}

/** A StepContext for steps that belong to the operation as a whole, not to one host. */
export function stepContext(run: OperationRun) {
  return { operationId: run.id, log: run.log, signal: run.signal, progress: (f: number, m?: string) => run.progress(f, m) };
}
