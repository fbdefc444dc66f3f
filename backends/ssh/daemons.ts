// Daemons other than OSDs: deployed (the first mon bootstraps the cluster), removed, started,
// stopped, restarted and reloaded as orchctl units. What differs per type is in its kind
// (mon.ts, mgr.ts, mds.ts, rgw.ts).
import type { DaemonDeployment, StepContext } from "../../src/backend/backend.js";
import { typeName } from "../../src/backend/ceph-names.js";
import { AlreadyExistsError, ExecutionError } from "../../src/backend/errors.js";
import { type DaemonDescription, ServiceAction, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { Core } from "./core.js";
import { asExecution } from "./errors.js";
import { mdsKind } from "./mds.js";
import { mgrKind } from "./mgr.js";
import { MonKind } from "./mon.js";
import type { Osds } from "./osds.js";
import { shq } from "./remote.js";
import { rgwKind } from "./rgw.js";
import type { DaemonKind } from "./daemon-kind.js";

const ORCHCTL_COMMANDS = new Map<ServiceAction, "start" | "stop" | "restart" | "hup">([
  [ServiceAction.SERVICE_ACTION_START, "start"],
  [ServiceAction.SERVICE_ACTION_STOP, "stop"],
  [ServiceAction.SERVICE_ACTION_RESTART, "restart"],
  [ServiceAction.SERVICE_ACTION_REDEPLOY, "restart"],
  // Ceph daemons reopen their logs on SIGHUP; their settings come from the mons.
  [ServiceAction.SERVICE_ACTION_RELOAD, "hup"],
]);

export class Daemons {
  private readonly mon: MonKind;
  private readonly kinds: ReadonlyMap<ServiceType, DaemonKind>;

  constructor(
    private readonly core: Core,
    private readonly osds: Osds,
  ) {
    const mgr = mgrKind(core);
    this.mon = new MonKind(core, mgr);
    this.kinds = new Map<ServiceType, DaemonKind>([
      [ServiceType.SERVICE_TYPE_MON, this.mon],
      [ServiceType.SERVICE_TYPE_MGR, mgr],
      [ServiceType.SERVICE_TYPE_MDS, mdsKind(core)],
      [ServiceType.SERVICE_TYPE_RGW, rgwKind(core)],
    ]);
  }

  async list(refresh: boolean): Promise<DaemonDescription[]> {
    const view = await this.core.view.get(refresh);
    return [...view.units.entries()].map(([name, unit]) => this.core.view.describe(name, unit, view));
  }

  async deploy(ctx: StepContext, d: DaemonDeployment): Promise<DaemonDescription> {
    const { state, view } = this.core;
    try {
      const name = `${typeName(d.serviceType)}.${d.daemonId}`;
      state.host(d.hostname);
      const kind = this.kinds.get(d.serviceType);
      if (!kind) {
        throw new ExecutionError(
          `the ssh backend cannot deploy ${typeName(d.serviceType)} daemons (it deploys mon, mgr, osd, mds and rgw)`,
          d.hostname,
        );
      }
      if (d.serviceType === ServiceType.SERVICE_TYPE_MON && state.fsid === "") {
        await this.mon.bootstrap(ctx, d);
      } else {
        state.requireCluster();
        const existing = await view.unitOf(name);
        if (existing && existing.hostname !== d.hostname) {
          throw new AlreadyExistsError("daemon", name, `daemon '${name}' already runs on host '${existing.hostname}'`);
        }
        ctx.progress(0.1, `preparing ${name} on ${d.hostname}`);
        await view.writeUnit(d.hostname, name, await kind.prepare(ctx, d), d.serviceName);
        ctx.progress(0.5, `starting ${name}`);
        await view.orchctl(d.hostname, "start", name, ctx.signal);
        ctx.progress(0.7, `waiting for the cluster to report ${name} up`);
        await view.waitUp(ctx, name, d.hostname, kind.serves ? () => kind.serves!(d) : undefined);
        await kind.started?.();
      }
      const now = await view.get(true);
      const u = now.units.get(name);
      if (!u) throw new ExecutionError(`${name} was deployed but ${d.hostname} does not list it`, d.hostname);
      ctx.progress(1, `${name} is up`);
      return view.describe(name, u, now);
    } catch (e) {
      throw asExecution(e, d.hostname);
    }
  }

  async remove(ctx: StepContext, daemon: DaemonDescription): Promise<void> {
    const { daemonName: name, hostname: host, daemonId: id } = daemon;
    try {
      const kind = this.kinds.get(daemon.daemonType);
      await kind?.beforeRemove?.(id);
      ctx.progress(0.3, `stopping ${name}`);
      await this.core.view.orchctl(host, "remove", name, ctx.signal);
      ctx.progress(0.6, `removing ${name} from the cluster`);
      if (kind) {
        await kind.removed?.(id);
        if (kind.entity) await this.core.ceph.cli(`auth rm ${shq(kind.entity(id))}`);
        await this.core.remote.sh(host, `rm -rf ${shq(kind.dataDir(id))}`);
      }
      this.core.view.invalidate();
    } catch (e) {
      throw asExecution(e, host);
    }
  }

  async action(ctx: StepContext, daemon: DaemonDescription, action: ServiceAction): Promise<void> {
    const { daemonName: name, hostname: host } = daemon;
    const view = this.core.view;
    try {
      const command = ORCHCTL_COMMANDS.get(action);
      if (!command) throw new ExecutionError(`no such daemon action ${action}`, host);
      await view.orchctl(host, command, name, ctx.signal);
      if (command === "start" || command === "restart") await view.waitUp(ctx, name, host);
      else if (command === "stop" && daemon.daemonType === ServiceType.SERVICE_TYPE_OSD)
        await this.osds.waitDown(ctx, Number(daemon.daemonId));
    } catch (e) {
      throw asExecution(e, host);
    }
  }
}
