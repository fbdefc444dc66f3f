// Work on one host is serialised across all operations; hosts run in parallel up to a limit.
import { type Release, Semaphore } from "./semaphore.js";

export class HostLocks {
  /** Only hosts that someone holds or waits for: an idle host's lock is dropped. */
  private readonly locks = new Map<string, Semaphore>();
  private readonly slots: Semaphore;

  constructor(maxParallelHosts: number) {
    this.slots = new Semaphore(Math.max(1, maxParallelHosts));
  }

  /**
   * The host's lock, then a parallel slot: in that order, so slot holders never wait.
   * `onWait` is called once if either is not free at once.
   */
  async lock(hostname: string, signal: AbortSignal, onWait: () => void): Promise<Release> {
    let lock = this.locks.get(hostname);
    if (!lock) {
      lock = new Semaphore(1);
      this.locks.set(hostname, lock);
    }
    const hostLock = lock;
    const dropIfIdle = () => {
      if (hostLock.idle && this.locks.get(hostname) === hostLock) this.locks.delete(hostname);
    };
    let releaseHost = hostLock.tryAcquire();
    let releaseSlot = releaseHost && this.slots.tryAcquire();
    if (!releaseHost || !releaseSlot) {
      onWait();
      try {
        releaseHost ??= await hostLock.acquire(signal);
        releaseSlot = await this.slots.acquire(signal);
      } catch (err) {
        releaseHost?.();
        dropIfIdle();
        throw err;
      }
    }
    const slot = releaseSlot;
    const host = releaseHost;
    return () => {
      slot();
      host();
      dropIfIdle();
    };
  }
}
