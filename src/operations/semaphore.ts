// A counting semaphore, for the engine's host locks and parallel slots.
import { CancelledError } from "../backend/errors.js";

export type Release = () => void;

/** Waiters are served in order and leave the queue on abort. */
export class Semaphore {
  private readonly waiters: Array<() => void> = [];

  constructor(private free: number) {}

  get idle(): boolean {
    return this.waiters.length === 0 && this.free > 0;
  }

  tryAcquire(): Release | undefined {
    if (this.free === 0) return undefined;
    this.free--;
    return this.releaser();
  }

  async acquire(signal: AbortSignal): Promise<Release> {
    const now = this.tryAcquire();
    if (now) return now;
    if (signal.aborted) throw new CancelledError();
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(grant), 1);
        reject(new CancelledError());
      };
      this.waiters.push(grant);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return this.releaser();
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the unit straight to the next waiter so that nobody can overtake the queue.
      const next = this.waiters.shift();
      if (next) next();
      else this.free++;
    };
  }
}
