// Upgrades: the versions the simulated registry has images for, and a daemon's restart on
// a new one. The order of an upgrade is the domain's (src/domain).
import type { StepContext } from "../../src/backend/backend.js";
import { ExecutionError } from "../../src/backend/errors.js";
import { compareCephVersions } from "../../src/backend/versions.js";
import { type DaemonDescription, DaemonDescription_Status as Status } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { SimDaemons } from "./daemons.js";
import type { Faults } from "./faults.js";
import type { SimCluster } from "./state.js";

export class SimUpgrades {
  /** `versions`: what the simulated registry has, ascending. */
  constructor(
    private readonly cluster: SimCluster,
    private readonly faults: Faults,
    private readonly daemons: SimDaemons,
    private readonly versions: readonly string[],
  ) {}

  async availableVersions(): Promise<string[]> {
    this.faults.ensureUp();
    const oldest = this.cluster.oldestVersion();
    return this.versions.filter((v) => compareCephVersions(v, oldest) > 0);
  }

  async upgradeDaemon(ctx: StepContext, daemon: DaemonDescription, version: string): Promise<void> {
    return this.cluster.step(async () => {
      this.faults.ensureUp();
      const d = this.cluster.daemonNamed(daemon.daemonName);
      if (d.version === version && d.status === Status.STATUS_RUNNING) return;
      if (!this.versions.includes(version) && version !== this.cluster.baseVersion) {
        throw new ExecutionError(`no container image for Ceph ${version} (the simulated registry has ${this.versions.join(", ")})`, d.hostname);
      }
      await this.faults.failIfUnreachable(ctx, d.hostname, this.faults.delays.upgradeDaemon, `upgrade ${d.name}`);
      await this.daemons.startDaemon(ctx, d, this.faults.delays.upgradeDaemon, () => {
        d.version = version;
      });
      ctx.log.info({ daemon: d.name, version }, "sim: daemon upgraded");
    });
  }
}
