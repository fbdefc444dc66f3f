// The reconciler keeps the cluster matching the stored service specs, the same for every
// backend (cephadm's serve loop). A pass compares each managed spec with what the backend
// reports and submits a ReconcileService operation (origin RECONCILER) for each service that
// drifted; the operation is journaled, watchable and resumed after a crash like any other,
// and looks at the cluster again when it runs, so nothing is done twice.
//
// A pass runs after every write a client made (a spec, a host, a label or a device changed),
// at every interval (daemons and devices looked at afresh: a daemon that died, a disk added),
// and on resume. It never runs while a write is unfinished: that write may be changing the
// same services, and its end starts the next pass. Its own operations' ends start none, so
// a reconciliation that keeps failing is retried at the interval, not in a loop.
import { type Operation, Operation_Origin, Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { ServiceServiceService } from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import type { BackendStore } from "../backend/backend.js";
import { isSupported } from "./capabilities.js";
import type { Deps, ReconcilerControl } from "./context.js";
import { driftOf, driveGroupOf, hasDrift, isReconciled, reconcilerPlan } from "./reconcile.js";
import { rpcByName } from "./registry.js";
import { fullName } from "./registry-types.js";

const PAUSED_KEY = "reconciler.paused";
/** Writes often come in bursts (a script, a client's retries): one pass after them. */
const SETTLE_MS = 100;
const UNFINISHED = [Operation_State.STATE_ACCEPTED, Operation_State.STATE_PERSISTENT, Operation_State.STATE_RUNNING];

export interface ReconcilerOptions {
  /** How often a pass runs by itself; 0: never by itself (ReconcileService still works). */
  intervalMs: number;
  /** Where the pause is kept across restarts; without it, a pause lasts until the process ends. */
  store?: BackendStore;
}

export class Reconciler implements ReconcilerControl {
  private pausedNow: boolean;
  private interval: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private detach: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private refreshNext = false;

  constructor(
    private readonly deps: Deps,
    private readonly opts: ReconcilerOptions,
  ) {
    this.pausedNow = opts.store?.load(PAUSED_KEY) === true;
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  /** Starts passing by itself (unless the interval is 0): once now, then as described above. */
  start(): void {
    if (this.opts.intervalMs <= 0 || this.interval) return;
    this.detach = this.deps.engine.onEnded((op: Operation) => {
      if (op.origin !== Operation_Origin.ORIGIN_RECONCILER) this.kick(false);
    });
    this.interval = setInterval(() => this.kick(true), this.opts.intervalMs);
    this.interval.unref();
    this.kick(true);
  }

  stop(): void {
    clearInterval(this.interval);
    clearTimeout(this.settle);
    this.detach?.();
    this.interval = this.settle = this.detach = undefined;
  }

  async pause(): Promise<void> {
    this.pausedNow = true;
    await this.opts.store?.save(PAUSED_KEY, () => this.pausedNow);
    this.deps.log.info("reconciliation paused");
  }

  async resume(): Promise<void> {
    this.pausedNow = false;
    await this.opts.store?.save(PAUSED_KEY, () => this.pausedNow);
    this.deps.log.info("reconciliation resumed");
    if (this.interval) this.kick(true);
  }

  /** Resolves when the pass running now (if any) and the one it asked for have ended. */
  async idle(): Promise<void> {
    while (this.running || this.settle) await (this.running ?? new Promise((r) => setTimeout(r, SETTLE_MS)));
  }

  private kick(refresh: boolean): void {
    this.refreshNext ||= refresh;
    if (this.settle) return;
    this.settle = setTimeout(() => {
      this.settle = undefined;
      void this.run();
    }, SETTLE_MS);
    this.settle.unref();
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    do {
      this.again = false;
      const refresh = this.refreshNext;
      this.refreshNext = false;
      this.running = this.pass(refresh).then(
        () => undefined,
        (err: unknown) => this.deps.log.warn({ err }, "reconciliation pass failed"),
      );
      await this.running;
      this.running = undefined;
    } while (this.again);
  }

  /**
   * Compares every managed spec with the cluster and submits a reconciliation for each one
   * that drifted; returns their operations. Does nothing while paused or while a write is
   * unfinished.
   */
  async pass(refresh: boolean): Promise<Operation[]> {
    const { backend, engine, log } = this.deps;
    if (this.pausedNow || !isSupported(backend, rpcByName(fullName(ServiceServiceService.reconcileService))!)) return [];
    if (engine.list({ states: UNFINISHED, method: "", hostname: "" }).length > 0) return [];
    const records = (await backend.listServices!()).filter(isReconciled);
    if (records.length === 0) return [];
    if (refresh && backend.getInventory && records.some((r) => driveGroupOf(r) && r.serviceType === ServiceType.SERVICE_TYPE_OSD)) {
      await backend.getInventory([], true);
    }
    const [hosts, daemons] = await Promise.all([backend.listHosts(), backend.listDaemons!(refresh)]);
    const submitted: Operation[] = [];
    for (const record of records) {
      const drift = await driftOf(this.deps, record, hosts, daemons);
      if (!hasDrift(drift)) continue;
      // A pause or a client's write may have come while this pass looked.
      if (this.pausedNow || engine.list({ states: UNFINISHED, method: "", hostname: "" }).some((o) => o.origin !== Operation_Origin.ORIGIN_RECONCILER)) break;
      const op = engine.submit(reconcilerPlan(this.deps, record, drift));
      log.info(
        {
          operationId: op.id,
          service: record.serviceName,
          missing: drift.missing.length,
          surplus: drift.surplus.length,
          failed: drift.failed.map((d) => d.daemonName),
          osds: drift.osds,
        },
        "service drifted from its spec: reconciling",
      );
      submitted.push(op);
    }
    return submitted;
  }
}
