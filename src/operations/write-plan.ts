// What a write hands to the engine, and what its run works with.
import type { Logger } from "pino";
import type { Operation, OperationResult, Operation_Origin } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { StepContext } from "../backend/backend.js";

/** What a write hands to the engine. */
export interface WritePlan {
  /** The RPC's full name, e.g. "ceph_orchestrator.v1.OsdService.CreateOsds". */
  method: string;
  description: string;
  /** The client's request_id, or empty. */
  requestId: string;
  /** Identifies the request's content: a reused request_id must come with the same one. */
  requestFingerprint: string;
  /** The write's request (a ts-proto object, JSON-serialisable): journaled to resume it. */
  request: object;
  hosts: string[];
  /** Who asks: a client (the default) or the reconciler. */
  origin?: Operation_Origin;
  /** Does the work; `undefined` means success without a typed result. */
  run(run: OperationRun): Promise<OperationResult | undefined>;
}

/** What `WritePlan.run` works with. */
export interface OperationRun {
  readonly id: string;
  /** Every line carries operationId and method. */
  readonly log: Logger;
  /** Aborted on cancel or at the end of a shutdown's grace period. */
  readonly signal: AbortSignal;
  /** A safe point: throws CancelledError once the operation is cancelled. */
  throwIfCancelled(): void;
  /** The operation's progress, 0..1; the message stays as it was when omitted. */
  progress(fraction: number, message?: string): void;
  /**
   * Runs one step on a host as a task of this operation, holding the host's lock (one step
   * per host at a time, across all operations) and one of the engine's parallel slots.
   * Do not nest: a step must not call onHost again. A failure marks the task FAILED and is
   * rethrown; an error that is not an OrchestratorError becomes an ExecutionError naming
   * the host.
   */
  onHost<T>(hostname: string, target: string, fn: (ctx: StepContext) => Promise<T>): Promise<T>;
  /** Like onHost, without locks: a task that is not a step on a host (e.g. "osd.3"). */
  task<T>(target: string, fn: (ctx: StepContext) => Promise<T>, hostname?: string): Promise<T>;
}

/** Rebuilds a journaled operation that had not ended, or undefined when it cannot be resumed. */
export type ResumeFn = (op: Operation, request: unknown) => WritePlan | undefined;
