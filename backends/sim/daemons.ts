// Services and daemons: saved specs, the services of daemons without one (as `ceph orch
// ls` shows them), deploying and removing daemons, and their start, stop and restart.
import type { DaemonDeployment, ServiceRecord, StepContext } from "../../src/backend/backend.js";
import { serviceIdOf, typeName } from "../../src/backend/ceph-names.js";
import { AlreadyExistsError } from "../../src/backend/errors.js";
import { toTimestamp } from "../../src/backend/timestamps.js";
import {
  type DaemonDescription,
  DaemonDescription_Status as Status,
  ServiceAction,
  ServiceType,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { type Faults, checkSignal } from "./faults.js";
import { activeDaemons, runtimeOf } from "./daemon-runtime.js";
import { type SimDaemon, frozen } from "./model.js";
import type { SimCluster } from "./state.js";

export class SimDaemons {
  /**
   * Every daemon's description (frozen) and the services of daemons without a spec, as of
   * `changes` changes to the daemons and services: DescribeServices and ListDaemons go
   * through every daemon of the cluster (210,000 in one of 10,000 hosts) on every call.
   */
  private daemonList:
    | { changes: number; daemons: readonly DaemonDescription[]; implicit: readonly Pick<SimDaemon, "type" | "serviceName" | "created">[] }
    | undefined;

  constructor(
    private readonly cluster: SimCluster,
    private readonly faults: Faults,
  ) {}

  async listServices(): Promise<ServiceRecord[]> {
    this.faults.ensureUp();
    return [
      ...[...this.cluster.services.values()].map((s) => structuredClone(s)),
      ...this.described().implicit.map((d) => ({
        serviceType: d.type,
        serviceId: serviceIdOf(d.serviceName),
        serviceName: d.serviceName,
        placement: undefined,
        created: toTimestamp(d.created),
        radosConfigLocation: "",
        serviceUrl: "",
        details: undefined,
        unmanaged: false,
      })),
    ];
  }

  async listDaemons(refresh: boolean): Promise<readonly DaemonDescription[]> {
    this.faults.ensureUp();
    if (refresh) {
      const now = Date.now();
      for (const d of this.cluster.daemons.values()) if (!this.faults.isUnreachable(d.hostname)) d.lastRefresh = now;
      this.cluster.daemonChanged();
      this.cluster.persistLater();
    }
    return this.described().daemons; // the same (frozen) array until a daemon or service changes
  }

  /** The daemons' descriptions, and the services of daemons without a spec; made again after any change. */
  private described(): NonNullable<SimDaemons["daemonList"]> {
    const { daemons, services } = this.cluster;
    // Host changes count too: a daemon shows its host's address.
    const changes = daemons.changes + services.changes + this.cluster.hosts.changes;
    if (this.daemonList?.changes === changes) return this.daemonList;
    const active = activeDaemons(daemons.values());
    // Like `ceph orch ls`, daemons without a saved spec still show their service.
    const implicit = new Map<string, SimDaemon>();
    for (const d of daemons.values()) {
      const first = implicit.get(d.serviceName);
      if (!services.has(d.serviceName) && (!first || d.created < first.created)) implicit.set(d.serviceName, d);
    }
    this.daemonList = {
      changes,
      daemons: Object.freeze([...daemons.values()].map((d) => frozen(this.daemonOut(d, active)))),
      implicit: [...implicit.values()].map((d) => ({ type: d.type, serviceName: d.serviceName, created: d.created })),
    };
    return this.daemonList;
  }

  async saveService(ctx: StepContext, service: ServiceRecord): Promise<void> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      checkSignal(ctx.signal);
      const created = service.created ?? this.cluster.services.get(service.serviceName)?.created ?? toTimestamp(Date.now());
      this.cluster.services.set(service.serviceName, { ...structuredClone(service), created });
    });
  }

  async deleteService(ctx: StepContext, serviceName: string): Promise<void> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      checkSignal(ctx.signal);
      this.cluster.services.delete(serviceName);
    });
  }

  async deployDaemon(ctx: StepContext, deployment: DaemonDeployment): Promise<DaemonDescription> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      const { daemons, settled } = this.cluster;
      const name = `${typeName(deployment.serviceType)}.${deployment.daemonId}`;
      this.cluster.host(deployment.hostname);
      const existing = daemons.get(name);
      if (existing && existing.hostname !== deployment.hostname) {
        throw new AlreadyExistsError("daemon", name, `daemon '${name}' already runs on host '${existing.hostname}'`);
      }
      if (existing?.status === Status.STATUS_RUNNING) return this.daemonOut(existing);
      const delay = this.faults.delays.deployDaemon;
      await this.faults.failIfUnreachable(ctx, deployment.hostname, delay, `deploy ${name}`);
      if (existing) {
        await this.startDaemon(ctx, existing, delay);
        return this.daemonOut(existing);
      }
      const daemon = this.cluster.newDaemon(deployment.serviceType, deployment.daemonId, deployment.serviceName, deployment.hostname);
      daemons.set(name, daemon);
      // Not saved until it runs: a crash meanwhile leaves no half-deployed daemon.
      settled.set(name, null);
      try {
        await this.startDaemon(ctx, daemon, delay);
      } catch (e) {
        // A cancelled deployment leaves nothing behind; a retry deploys afresh.
        if (daemons.get(name) === daemon) daemons.delete(name);
        throw e;
      }
      ctx.log.info({ daemon: name, hostname: daemon.hostname }, "sim: daemon deployed");
      return this.daemonOut(daemon);
    });
  }

  async removeDaemon(ctx: StepContext, daemon: DaemonDescription): Promise<void> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      const d = this.cluster.daemons.get(daemon.daemonName);
      if (!d) return;
      await this.faults.failIfUnreachable(ctx, d.hostname, this.faults.delays.removeDaemon, `remove ${d.name}`);
      await this.faults.wait(ctx.signal, this.faults.delays.removeDaemon);
      if (this.cluster.daemons.get(d.name) === d) this.cluster.daemons.delete(d.name);
    });
  }

  async daemonAction(ctx: StepContext, daemon: DaemonDescription, action: ServiceAction): Promise<void> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      const d = this.cluster.daemonNamed(daemon.daemonName);
      const delay = this.faults.delays.daemonAction;
      await this.faults.failIfUnreachable(ctx, d.hostname, delay, `${(ServiceAction[action] ?? "act on").replace("SERVICE_ACTION_", "").toLowerCase()} ${d.name}`);
      switch (action) {
        case ServiceAction.SERVICE_ACTION_START:
          if (d.status !== Status.STATUS_RUNNING) await this.startDaemon(ctx, d, delay);
          return;
        case ServiceAction.SERVICE_ACTION_STOP:
          if (d.status === Status.STATUS_STOPPED) return;
          await this.faults.wait(ctx.signal, delay);
          Object.assign(d, { status: Status.STATUS_STOPPED, statusDesc: "stopped", pid: 0, lastRefresh: Date.now() });
          this.cluster.daemonChanged();
          return;
        case ServiceAction.SERVICE_ACTION_RESTART:
        case ServiceAction.SERVICE_ACTION_REDEPLOY:
          await this.startDaemon(ctx, d, delay);
          return;
        case ServiceAction.SERVICE_ACTION_RELOAD:
          // A reload re-reads the configuration in place: same process, same state.
          await this.faults.wait(ctx.signal, delay);
          d.lastRefresh = Date.now();
          this.cluster.daemonChanged();
          return;
        default:
          throw new Error(`sim: no such daemon action ${action}`);
      }
    });
  }

  /**
   * The cluster's ok-to-stop checks as a 3-replica cluster would answer them: mons keep a
   * majority, at least 2 OSDs stay up (min_size), and each file system keeps an MDS.
   */
  okToStop(daemons: readonly DaemonDescription[]): string[] {
    this.faults.ensureUp();
    const stopping = new Set(daemons.map((d) => d.daemonName));
    const all = [...this.cluster.daemons.values()];
    const upAfter = (type: ServiceType, serviceName?: string) =>
      all.filter((d) => d.type === type && (!serviceName || d.serviceName === serviceName) && d.status === Status.STATUS_RUNNING && !stopping.has(d.name));
    const named = (type: ServiceType, serviceName?: string) =>
      all.filter((d) => d.type === type && (!serviceName || d.serviceName === serviceName) && stopping.has(d.name)).map((d) => d.name);
    const reasons: string[] = [];
    const mons = all.filter((d) => d.type === ServiceType.SERVICE_TYPE_MON).length;
    const stoppingMons = named(ServiceType.SERVICE_TYPE_MON);
    if (stoppingMons.length > 0 && upAfter(ServiceType.SERVICE_TYPE_MON).length * 2 <= mons) {
      reasons.push(`${stoppingMons.join(", ")}: ${upAfter(ServiceType.SERVICE_TYPE_MON).length} of ${mons} mons would be left, no quorum`);
    }
    const stoppingOsds = named(ServiceType.SERVICE_TYPE_OSD);
    if (stoppingOsds.length > 0 && upAfter(ServiceType.SERVICE_TYPE_OSD).length < 2) {
      reasons.push(`${stoppingOsds.join(", ")}: fewer than 2 OSDs would stay up; placement groups would become inactive`);
    }
    for (const service of new Set(all.filter((d) => d.type === ServiceType.SERVICE_TYPE_MDS && stopping.has(d.name)).map((d) => d.serviceName))) {
      if (upAfter(ServiceType.SERVICE_TYPE_MDS, service).length === 0) {
        reasons.push(`${named(ServiceType.SERVICE_TYPE_MDS, service).join(", ")}: the last MDS of ${service}; its file system would go offline`);
      }
    }
    return reasons;
  }

  /** The daemon's process dies by itself, outside the orchestrator: the daemon shows as failed. */
  crash(name: string): void {
    const d = this.cluster.daemonNamed(name);
    Object.assign(d, { status: Status.STATUS_ERROR, statusDesc: "exited without being stopped (simulated crash)", pid: 0, lastRefresh: Date.now() });
    this.cluster.daemonChanged();
    this.cluster.persistLater();
  }

  /**
   * (Re)starts a daemon: STARTING for the step's time (`ms`), then RUNNING with a new process,
   * after `apply` (an upgrade's new version). A cancelled start leaves the daemon as it was.
   * Until it completes, the saved cluster keeps the daemon as it was before.
   */
  async startDaemon(ctx: StepContext, d: SimDaemon, ms: number, apply?: () => void): Promise<void> {
    const { settled } = this.cluster;
    const before = { status: d.status, statusDesc: d.statusDesc };
    if (!settled.has(d.name)) settled.set(d.name, { ...d });
    Object.assign(d, { status: Status.STATUS_STARTING, statusDesc: "starting" });
    this.cluster.daemonChanged();
    try {
      await this.faults.wait(ctx.signal, ms);
    } catch (e) {
      Object.assign(d, before);
      this.cluster.daemonChanged();
      settled.delete(d.name);
      throw e;
    }
    apply?.();
    const now = Date.now();
    Object.assign(d, { status: Status.STATUS_RUNNING, statusDesc: "running", pid: this.cluster.nextPid(), started: now, lastRefresh: now });
    this.cluster.daemonChanged();
    settled.delete(d.name);
  }

  /** `active`: the active daemons (activeDaemons), when the caller has them already. */
  private daemonOut(d: SimDaemon, active = activeDaemons(this.cluster.daemons.values())): DaemonDescription {
    const down = this.faults.isUnreachable(d.hostname);
    const runtime = runtimeOf(d, this.cluster.hosts.get(d.hostname)?.addr ?? "", active.has(d.name), this.cluster.services.get(d.serviceName));
    return {
      daemonType: d.type,
      daemonId: d.id,
      daemonName: d.name,
      serviceName: d.serviceName,
      hostname: d.hostname,
      // Nobody can tell what runs on a host that does not answer.
      status: down ? Status.STATUS_UNKNOWN : d.status,
      statusDesc: down ? `host ${d.hostname} is unreachable` : d.statusDesc,
      version: d.version,
      containerId: "",
      pid: d.pid,
      lastRefresh: toTimestamp(d.lastRefresh),
      created: toTimestamp(d.created),
      started: d.started === undefined ? undefined : toTimestamp(d.started),
      ...runtime,
    };
  }
}
