// Mons. The first one bootstraps the cluster on its host (fsid, keyrings, monmap, and the
// first mgr beside it, as `cephadm bootstrap` does); later ones join it. After every mon
// change each host's ceph.conf lists the current mons.
import { randomUUID } from "node:crypto";
import type { DaemonDeployment, StepContext } from "../../src/backend/backend.js";
import { daemonIdFor } from "../../src/backend/daemon-ids.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { Json } from "./ceph.js";
import type { Core } from "./core.js";
import type { DaemonKind } from "./daemon-kind.js";
import { errorText } from "./errors.js";
import { scriptFile, shq } from "./remote.js";

const MON_BOOTSTRAP = scriptFile("mon-bootstrap.sh");
const MON_JOIN = scriptFile("mon-join.sh");

/** The unit of mon ID: started with its address, a mon that is not in the monmap asks to join the quorum. */
function monRun(id: string, addr: string): string {
  return `exec ceph-mon -i ${shq(id)} -f --public-addr ${shq(addr)}`;
}

export class MonKind implements DaemonKind {
  constructor(
    private readonly core: Core,
    private readonly mgr: DaemonKind,
  ) {}

  dataDir(id: string): string {
    return `/var/lib/ceph/mon/ceph-${id}`;
  }

  async prepare(ctx: StepContext, d: DaemonDeployment): Promise<string> {
    await this.core.remote.script(d.hostname, MON_JOIN, [d.daemonId], { signal: ctx.signal });
    return monRun(d.daemonId, this.core.state.host(d.hostname).addr);
  }

  started(): Promise<void> {
    return this.core.files.refreshConf();
  }

  async removed(id: string): Promise<void> {
    const { ceph } = this.core;
    const dump = (await ceph.askOne({ prefix: "mon dump" })) as Json;
    if ((dump.mons as Json[]).some((m) => m.name === id)) await ceph.cli(`mon remove ${shq(id)}`);
    await this.core.files.refreshConf();
  }

  /** The first mon and mgr of a new cluster, on the first mon's host: fsid, keyrings, monmap. */
  async bootstrap(ctx: StepContext, d: DaemonDeployment): Promise<void> {
    const { state, remote, view, files, log } = this.core;
    const host = state.host(d.hostname);
    // The fsid is saved first, so a resumed bootstrap makes the same cluster.
    const fsid = randomUUID();
    state.fsid = fsid;
    state.bootstrapHost = host.hostname;
    ctx.progress(0.05, `bootstrapping cluster ${fsid} on ${host.hostname}`);
    try {
      const monHost = `[v2:${host.addr}:3300,v1:${host.addr}:6789]`;
      await remote.putFile(host.hostname, "/etc/ceph/ceph.conf", files.cephConf([monHost]));
      await remote.script(host.hostname, MON_BOOTSTRAP, [d.daemonId, host.addr, fsid], { signal: ctx.signal });
      const monName = `mon.${d.daemonId}`;
      await view.writeUnit(host.hostname, monName, monRun(d.daemonId, host.addr), "mon");
      await view.orchctl(host.hostname, "start", monName, ctx.signal);
      ctx.progress(0.4, `waiting for ${monName} to form a quorum`);
      await view.waitUp(ctx, monName, host.hostname);
      // The state (fsid) is saved once the cluster exists.
      await state.persist();
      // The first mgr, as a bootstrap makes one; UpdateMgrs places more (or moves it).
      const existing = new Set((await view.get(true)).units.keys());
      const mgrId = daemonIdFor(ServiceType.SERVICE_TYPE_MGR, "", host.hostname, new Set([...existing].filter((n) => n.startsWith("mgr.")).map((n) => n.slice(4))));
      const mgr: DaemonDeployment = { ...d, serviceType: ServiceType.SERVICE_TYPE_MGR, serviceName: "mgr", daemonId: mgrId };
      ctx.progress(0.6, `starting mgr.${mgrId}`);
      await view.writeUnit(host.hostname, `mgr.${mgrId}`, await this.mgr.prepare(ctx, mgr), "mgr");
      await view.orchctl(host.hostname, "start", `mgr.${mgrId}`, ctx.signal);
      await view.waitUp(ctx, `mgr.${mgrId}`, host.hostname);
      // Every other host gets the configuration and keyrings now.
      const others = state.hosts.map((h) => h.hostname).filter((h) => h !== host.hostname);
      await files.push(others).catch((e) => log.warn({ err: errorText(e) }, "ssh: could not push the cluster files to every host"));
    } catch (e) {
      if (!(await this.monExists(host.hostname, d.daemonId))) {
        state.fsid = "";
        state.bootstrapHost = "";
      }
      throw e;
    }
  }

  private async monExists(hostname: string, id: string): Promise<boolean> {
    try {
      return (await this.core.remote.sh(hostname, `test -e ${shq(`${this.dataDir(id)}/kv_backend`)}`, { check: false })).code === 0;
    } catch {
      return true;
    }
  }
}
