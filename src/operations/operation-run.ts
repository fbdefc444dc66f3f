// The OperationRun a plan's run works with: progress, safe points, and tasks (steps on
// hosts under the host locks), each change becoming a new snapshot of the operation.
import type { Logger } from "pino";
import { type Operation, Operation_State, type OperationTask } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { StepContext } from "../backend/backend.js";
import { CancelledError, ExecutionError, OrchestratorError } from "../backend/errors.js";
import type { HostLocks } from "./host-locks.js";
import type { Release } from "./semaphore.js";
import { errorToStatus } from "./error-status.js";
import type { OperationRun } from "./write-plan.js";

/** The running operation, as the engine shows it to its run. */
export interface RunningOperation {
  readonly id: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** The current snapshot. */
  snapshot(): Operation;
  /** Makes the next snapshot: `patch` over the current one. */
  update(patch: Partial<Operation>): void;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

export function operationRun(running: RunningOperation, hostLocks: HostLocks): OperationRun {
  const { signal } = running;
  const throwIfCancelled = () => {
    if (signal.aborted) {
      const reason: unknown = signal.reason;
      throw reason instanceof CancelledError ? reason : new CancelledError();
    }
  };
  const tasks = new Tasks(running, hostLocks, throwIfCancelled);
  return {
    id: running.id,
    log: running.log,
    signal,
    throwIfCancelled,
    progress: (fraction, message) => {
      running.update({ progress: clamp01(fraction), ...(message !== undefined && { message }) });
    },
    onHost: (hostname, target, fn) => tasks.run(target, hostname, true, fn),
    task: (target, fn, hostname = "") => tasks.run(target, hostname, false, fn),
  };
}

/** The operation's tasks, each named by target and hostname. */
class Tasks {
  constructor(
    private readonly running: RunningOperation,
    private readonly hostLocks: HostLocks,
    private readonly throwIfCancelled: () => void,
  ) {}

  async run<T>(target: string, hostname: string, locked: boolean, fn: (ctx: StepContext) => Promise<T>): Promise<T> {
    const { signal } = this.running;
    const log = this.running.log.child(hostname ? { target, hostname } : { target });
    const set = (patch: Partial<OperationTask>) => this.update(target, hostname, patch);
    this.throwIfCancelled();
    let release: Release | undefined;
    try {
      if (locked) {
        release = await this.hostLocks.lock(hostname, signal, () =>
          set({ state: Operation_State.STATE_ACCEPTED, progress: 0, message: `waiting for host ${hostname}`, error: undefined }),
        );
        this.throwIfCancelled();
      }
      set({ state: Operation_State.STATE_RUNNING, progress: 0, message: "running", error: undefined });
      log.info("task started");
      const ctx: StepContext = {
        operationId: this.running.id,
        log,
        signal,
        progress: (fraction, message) => set({ progress: clamp01(fraction), ...(message !== undefined && { message }) }),
      };
      const value = await fn(ctx);
      set({ state: Operation_State.STATE_SUCCEEDED, progress: 1, message: "done" });
      log.info("task finished");
      return value;
    } catch (err) {
      if (err instanceof CancelledError || signal.aborted) {
        set({ state: Operation_State.STATE_CANCELLED, message: "cancelled" });
        log.info("task cancelled");
        throw err instanceof CancelledError ? err : new CancelledError();
      }
      const where = hostname || target;
      const failure =
        err instanceof OrchestratorError
          ? err
          : Object.assign(new ExecutionError(`${where}: ${err instanceof Error ? err.message : String(err)}`, hostname || undefined), {
              cause: err,
            });
      const status = errorToStatus(failure);
      if (!status.message.includes(where)) status.message = `${where}: ${status.message}`;
      set({ state: Operation_State.STATE_FAILED, message: status.message, error: status });
      log.warn({ err }, "task failed");
      throw failure;
    } finally {
      release?.();
    }
  }

  private update(target: string, hostname: string, patch: Partial<OperationTask>): void {
    const tasks = [...this.running.snapshot().tasks];
    const i = tasks.findIndex((t) => t.target === target && t.hostname === hostname);
    const base: OperationTask =
      i >= 0 ? tasks[i]! : { target, hostname, state: Operation_State.STATE_RUNNING, progress: 0, message: "", error: undefined };
    const task = { ...base, ...patch };
    if (i >= 0) tasks[i] = task;
    else tasks.push(task);
    this.running.update({ tasks });
  }
}
