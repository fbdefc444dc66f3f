// Fan-out of an operation's snapshots to whoever follows it: watch streams, whenDone and
// wait. Each follower is a Listener in the operation's set; the engine pushes every new
// snapshot to all of them and clears the set once the terminal one is out.
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";

/** Gets each snapshot of an operation, the terminal one last. */
export interface Listener {
  push(op: Operation): void;
}

/** An operation as the engine holds it: its current snapshot and who follows it. */
export interface Watched {
  readonly op: Operation;
  readonly listeners: Set<Listener>;
}

/** Hands a new snapshot to every listener. */
export function publish(watched: Watched, op: Operation): void {
  for (const listener of watched.listeners) listener.push(op);
}

/**
 * One watcher's queue. Snapshots of the same state coalesce into the latest, so a slow
 * watcher holds at most one per state (states only move forward) and never misses a
 * transition nor the terminal snapshot.
 */
class Watcher implements Listener {
  private readonly pending: Operation[];
  private wake?: () => void;
  private closed = false;

  constructor(first: Operation) {
    this.pending = [first];
  }

  push(op: Operation): void {
    const last = this.pending.length - 1;
    if (last >= 0 && this.pending[last]!.state === op.state) this.pending[last] = op;
    else this.pending.push(op);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *iterate(cleanup: () => void): AsyncGenerator<Operation> {
    try {
      while (!this.closed) {
        const op = this.pending.shift();
        if (!op) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        yield op;
        if (op.done) return;
      }
    } finally {
      cleanup();
    }
  }
}

/**
 * The operation's current snapshot, then each change, ending after the terminal one.
 * The watcher is registered now, not at the first next(). Aborting `signal` ends the
 * iteration and detaches; the operation goes on. Iterate once.
 */
export function watchOperation(watched: Watched, signal?: AbortSignal): AsyncIterable<Operation> {
  const watcher = new Watcher(watched.op);
  if (!watched.op.done) watched.listeners.add(watcher);
  const detach = () => {
    watched.listeners.delete(watcher);
    watcher.close();
  };
  if (signal?.aborted) detach();
  else signal?.addEventListener("abort", detach, { once: true });
  const cleanup = () => {
    watched.listeners.delete(watcher);
    signal?.removeEventListener("abort", detach);
  };
  return { [Symbol.asyncIterator]: () => watcher.iterate(cleanup) };
}

/** The terminal snapshot, once the operation has ended (at once when it has). Never rejects. */
export function whenDone(watched: Watched): Promise<Operation> {
  if (watched.op.done) return Promise.resolve(watched.op);
  return new Promise((resolve) => {
    watched.listeners.add({ push: (op) => op.done && resolve(op) });
  });
}

/** Resolves once all are done, or when the timeout passes or the signal aborts. */
export async function waitForAll(
  all: readonly Watched[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ operations: Operation[]; allDone: boolean }> {
  const allDone = () => all.every((w) => w.op.done);
  if (!allDone() && timeoutMs > 0 && !signal?.aborted) {
    await new Promise<void>((resolve) => {
      const listener: Listener = {
        push: (op) => {
          if (op.done && allDone()) finish();
        },
      };
      const finish = () => {
        clearTimeout(timer);
        for (const w of all) w.listeners.delete(listener);
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      // A waiter alone must not keep the process alive (e.g. during shutdown).
      const timer = setTimeout(finish, timeoutMs).unref();
      for (const w of all) if (!w.op.done) w.listeners.add(listener);
      signal?.addEventListener("abort", finish, { once: true });
    });
  }
  return { operations: all.map((w) => w.op), allDone: allDone() };
}
