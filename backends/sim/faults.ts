// Failure injection and delays: how long each kind of step takes, and what fails (hosts
// that do not answer, devices that fail, the whole cluster), from the configuration and
// the fixture.
import { setTimeout as sleep } from "node:timers/promises";
import type { StepContext } from "../../src/backend/backend.js";
import { BackendUnavailableError, CancelledError, ExecutionError } from "../../src/backend/errors.js";
import type { Delays, SimConfig } from "./config.js";
import type { Fixture } from "./fixture.js";

export function checkSignal(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}

export class Faults {
  readonly delays: Delays;
  readonly clusterUnreachable: boolean;
  private readonly unreachable: Set<string>;
  /** "host:/dev/path" */
  private readonly failingDevices: Set<string>;

  constructor(config: SimConfig, fixture: Fixture) {
    this.delays = config.delays;
    this.clusterUnreachable = config.failures.clusterUnreachable || fixture.unreachable;
    this.unreachable = new Set([
      ...config.failures.unreachableHosts,
      ...[...fixture.hosts, ...fixture.spareHosts].filter((h) => h.unreachable).map((h) => h.hostname),
    ]);
    this.failingDevices = new Set(config.failures.failingDevices);
  }

  /** Every call but status() fails while the whole cluster is unreachable. */
  ensureUp(): void {
    if (this.clusterUnreachable) {
      throw new BackendUnavailableError("the simulated cluster is unreachable (failures.clusterUnreachable)");
    }
  }

  isUnreachable(hostname: string): boolean {
    return this.unreachable.has(hostname);
  }

  deviceFails(hostname: string, path: string): boolean {
    return this.failingDevices.has(`${hostname}:${path}`);
  }

  /** Sleeps for a step, or throws CancelledError as soon as the operation is cancelled. */
  async wait(signal: AbortSignal, ms: number): Promise<void> {
    checkSignal(signal);
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal });
    } catch (e) {
      if (signal.aborted) throw new CancelledError();
      throw e;
    }
  }

  /** An unreachable host costs the step its time (the connection times out), then fails it. */
  async failIfUnreachable(ctx: StepContext, hostname: string, ms: number, what: string): Promise<void> {
    if (!this.unreachable.has(hostname)) return;
    await this.wait(ctx.signal, ms);
    throw new ExecutionError(`cannot ${what}: host ${hostname} is unreachable (connection timed out)`, hostname);
  }
}
