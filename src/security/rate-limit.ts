// A token bucket per caller for writes: `ratePerSecond` refill, up to `burst` at once.
import { ResourceExhaustedError } from "../domain/errors.js";

interface Bucket {
  tokens: number;
  atMs: number;
}

export class WriteRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ratePerSecond > 0;
  }

  /** Takes one write from the caller's bucket, or throws RESOURCE_EXHAUSTED with when to retry. */
  take(caller: string, method: string): void {
    if (!this.enabled) return;
    const now = this.now();
    const capacity = Math.max(1, this.burst);
    const b = this.buckets.get(caller) ?? { tokens: capacity, atMs: now };
    b.tokens = Math.min(capacity, b.tokens + ((now - b.atMs) / 1000) * this.ratePerSecond);
    b.atMs = now;
    this.buckets.set(caller, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const retryAfterMs = Math.ceil(((1 - b.tokens) / this.ratePerSecond) * 1000);
    throw new ResourceExhaustedError(
      "WRITE_RATE_LIMIT",
      `${caller} sends writes faster than ${this.ratePerSecond} per second (burst ${capacity}); retry in ${retryAfterMs} ms`,
      retryAfterMs,
      { caller, method, ratePerSecond: String(this.ratePerSecond), burst: String(capacity) },
    );
  }
}
