// Host maintenance (noout for the host's OSDs, recorded with the host) and the cluster's own
// ok-to-stop checks, asked through librados.
import type { StepContext } from "../../src/backend/backend.js";
import { typeName } from "../../src/backend/ceph-names.js";
import type { Host } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import { type DaemonDescription, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { Core } from "./core.js";
import { asExecution } from "./errors.js";
import type { Hosts } from "./hosts.js";
import type { Osds } from "./osds.js";

/** The cluster's checks, per daemon type: which daemon answers the command. */
const CHECKS = [
  { type: ServiceType.SERVICE_TYPE_MON, target: "mon", prefix: "mon ok-to-stop" },
  { type: ServiceType.SERVICE_TYPE_OSD, target: "mgr", prefix: "osd ok-to-stop" },
  { type: ServiceType.SERVICE_TYPE_MDS, target: "mgr", prefix: "mds ok-to-stop" },
] as const;

export class Maintenance {
  constructor(
    private readonly core: Core,
    private readonly hosts: Hosts,
    private readonly osds: Osds,
  ) {}

  async set(ctx: StepContext, hostname: string, on: boolean): Promise<Host> {
    const { state, ceph } = this.core;
    const record = state.host(hostname);
    // As cephadm: noout for the host's CRUSH bucket, which exists once the host has an OSD.
    if ((await this.osds.list()).some((o) => o.hostname === hostname)) {
      try {
        await ceph.cli(`osd ${on ? "set-group" : "unset-group"} noout ${hostname}`, ctx.signal);
      } catch (e) {
        throw asExecution(e, hostname);
      }
    }
    if (on) record.maintenance = true;
    else delete record.maintenance;
    await state.persist();
    ctx.log.info({ hostname, maintenance: on }, "host maintenance changed");
    return this.hosts.describe(record);
  }

  async okToStop(daemons: readonly DaemonDescription[]): Promise<string[]> {
    const asked = CHECKS.map((c) => ({ ...c, ids: daemons.filter((d) => d.daemonType === c.type).map((d) => d.daemonId) })).filter((c) => c.ids.length > 0);
    if (asked.length === 0) return [];
    const replies = await this.core.ceph.ask(asked.map((c) => ({ target: c.target, cmd: { prefix: c.prefix, ids: c.ids } })));
    return asked.flatMap((c, i) => {
      const r = replies[i];
      if (r && r.ret >= 0) return [];
      const names = c.ids.map((id) => `${typeName(c.type)}.${id}`).join(", ");
      return [`${names}: ${(r?.err || `error ${r?.ret}`).trim()}`];
    });
  }
}
