// Hosts: SSH targets that call themselves by their hostname and have the Ceph packages. Adding
// one installs orchctl and cephq on it (and the cluster's files once there is a cluster);
// removing one only forgets it.
import type { BackendStatus, StepContext } from "../../src/backend/backend.js";
import { AlreadyExistsError, ExecutionError } from "../../src/backend/errors.js";
import { sameSet } from "../../src/backend/sets.js";
import { type Host, Host_Status } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import type { Core } from "./core.js";
import { asExecution } from "./errors.js";
import { CEPHQ, CEPHQ_SCRIPT, ORCH_DIR, ORCHCTL, ORCHCTL_SCRIPT } from "./remote.js";
import { type SshTarget, UnreachableError } from "./ssh.js";
import type { HostRecord } from "./state.js";

export class Hosts {
  constructor(private readonly core: Core) {}

  /** Unavailable only when every host was probed and none answered. */
  status(): BackendStatus {
    const { state, remote } = this.core;
    const hosts = state.hosts;
    const reachable = hosts.filter((h) => remote.probe(h.hostname)?.reachable);
    const details: Record<string, string> = {
      fsid: state.fsid,
      hosts: String(hosts.length),
      reachable_hosts: String(reachable.length),
      bootstrapped: String(state.fsid !== ""),
    };
    const probed = hosts.filter((h) => remote.probe(h.hostname) !== undefined);
    if (hosts.length > 0 && probed.length === hosts.length && reachable.length === 0) {
      return { available: false, reason: `no host can be reached over SSH (${hosts.map((h) => h.hostname).join(", ")})`, details };
    }
    return { available: true, reason: "", details };
  }

  list(): Host[] {
    return this.core.state.hosts.map((h) => this.describe(h));
  }

  async add(ctx: StepContext, host: Host): Promise<Host> {
    const { config, state, remote } = this.core;
    const existing = state.hosts.find((h) => h.hostname === host.hostname);
    const addr = host.addr || existing?.addr || host.hostname;
    if (existing && (existing.addr !== addr || !sameSet(existing.labels, host.labels))) {
      throw new AlreadyExistsError("host", host.hostname, `host '${host.hostname}' already exists with another address or labels`);
    }
    const record: HostRecord = existing ?? { hostname: host.hostname, addr, labels: [...new Set(host.labels)].sort() };
    const t: SshTarget = { hostname: record.hostname, addr: record.addr };
    try {
      ctx.progress(0.1, `connecting to ${record.addr}:${config.port}`);
      const found = await this.identify(t, "command -v ceph-mon ceph-mgr ceph-osd ceph-volume ceph-mds radosgw python3 | wc -l");
      if (Number(found) < 7) throw new ExecutionError(`host ${record.hostname} lacks Ceph packages (ceph-mon, ceph-mgr, ceph-osd, ceph-mds, radosgw, python3)`, record.hostname);
      ctx.progress(0.4, "installing orchctl");
      await remote.pool.exec(t, `mkdir -p ${ORCH_DIR}/units && cat > ${ORCHCTL} && chmod 0755 ${ORCHCTL}`, { stdin: ORCHCTL_SCRIPT });
      // The directories the packages would make (ceph-volume runs ceph-osd as user ceph).
      await remote.pool.exec(
        t,
        "mkdir -p /etc/ceph /var/log/ceph /run/ceph /var/lib/ceph/{osd,mon,mgr,mds,radosgw,tmp,crash,bootstrap-osd} && chown ceph:ceph /var/log/ceph /run/ceph /var/lib/ceph/{osd,tmp,crash}",
      );
      await remote.pool.exec(t, `cat > ${CEPHQ} && chmod 0755 ${CEPHQ}`, { stdin: CEPHQ_SCRIPT });
      remote.noteReachable(record.hostname, true);
      if (!existing) {
        state.hosts.push(record);
        await state.persist();
      }
      if (state.fsid !== "") {
        ctx.progress(0.7, "pushing the cluster configuration and keyrings");
        await this.core.files.push([record.hostname]);
      }
      ctx.log.info({ hostname: record.hostname, addr: record.addr }, "ssh: host added");
      return this.describe(record);
    } catch (e) {
      if (e instanceof UnreachableError) remote.noteReachable(record.hostname, false, e.message);
      throw asExecution(e, record.hostname);
    }
  }

  async remove(hostname: string): Promise<void> {
    const { state } = this.core;
    const h = state.hosts.find((x) => x.hostname === hostname);
    if (!h) return;
    // The machine is left as it is; only the orchestrator forgets it.
    state.hosts = state.hosts.filter((x) => x.hostname !== hostname);
    delete state.units[hostname];
    this.core.remote.forget(h);
    this.core.inventory.forget(hostname);
    this.core.view.invalidate();
    await state.persist();
  }

  /** Reaches the host at `addr` from now on, once it answers there over SSH as itself. */
  async setAddr(ctx: StepContext, hostname: string, addr: string): Promise<Host> {
    const { config, state, remote } = this.core;
    const h = state.host(hostname);
    if (h.addr === addr) return this.describe(h);
    try {
      ctx.progress(0.2, `connecting to ${addr}:${config.port}`);
      await this.identify({ hostname, addr }, "true");
    } catch (e) {
      throw asExecution(e, hostname);
    }
    remote.forget(h);
    h.addr = addr;
    // Daemons show their host's address: a view read before is out of date.
    this.core.view.invalidate();
    await state.persist();
    remote.noteReachable(hostname, true);
    ctx.log.info({ hostname, addr }, "ssh: host address changed");
    return this.describe(h);
  }

  /** Runs `command` on the target once it has answered as the host it should be; its output. */
  private async identify(t: SshTarget, command: string): Promise<string> {
    const r = await this.core.remote.pool.exec(t, `hostname; ${command}`);
    const [remoteName, ...rest] = r.stdout.trim().split("\n");
    if (remoteName?.trim() !== t.hostname) {
      throw new ExecutionError(`host ${t.hostname} (${t.addr}) calls itself '${remoteName?.trim()}'; the hostname must match`, t.hostname);
    }
    return rest.join("\n");
  }

  async setLabels(hostname: string, labels: string[]): Promise<Host> {
    const h = this.core.state.host(hostname);
    h.labels = [...new Set(labels)].sort();
    await this.core.state.persist();
    return this.describe(h);
  }

  describe(h: HostRecord): Host {
    const p = this.core.remote.probe(h.hostname);
    const offline = p !== undefined && !p.reachable;
    return {
      hostname: h.hostname,
      addr: h.addr,
      labels: [...h.labels],
      status: offline ? Host_Status.STATUS_OFFLINE : h.maintenance ? Host_Status.STATUS_MAINTENANCE : Host_Status.STATUS_ONLINE,
      statusMessage: offline ? p.message : h.maintenance ? "in maintenance" : "",
    };
  }
}
