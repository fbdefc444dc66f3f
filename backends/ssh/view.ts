// The cluster view behind ListDaemons: each host's units (orchctl status) joined with what the
// cluster reports up (one cephq session), kept briefly and dropped at every change of a unit.
// Also those changes themselves (a unit written, orchctl run) and the wait for a daemon to be up.
import { setTimeout as sleep } from "node:timers/promises";
import type { StepContext } from "../../src/backend/backend.js";
import { typeFromName } from "../../src/backend/ceph-names.js";
import { CancelledError, ExecutionError } from "../../src/backend/errors.js";
import { toTimestamp } from "../../src/backend/timestamps.js";
import { type DaemonDescription, DaemonDescription_Status as Status, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { CephReply, Json } from "./ceph.js";
import type { Base } from "./base.js";
import { rgwPort } from "./daemon-kind.js";
import { errorText } from "./errors.js";
import { ORCHCTL, scriptFile, shq } from "./remote.js";
import type { Unit } from "./state.js";

/** A view is reused this long unless a refresh is asked for. */
const VIEW_TTL_MS = 1500;
const UNIT_WRITE = scriptFile("unit-write.sh");

export interface HostUnit {
  unit: Unit;
  hostname: string;
  /** The host's address when the view was read. */
  addr: string;
  reachable: boolean;
}

export interface ClusterView {
  at: number;
  /** daemon name ("osd.3", "mon.a") → up as the cluster sees it */
  up: Set<string>;
  versions: Map<string, string>;
  /** The active mgr and the MDSs holding a rank (with the rank; undefined for the mgr). */
  active: Map<string, number | undefined>;
  units: Map<string, HostUnit>;
}

export class DaemonView {
  private view: ClusterView | undefined;
  private pending: { generation: number; view: Promise<ClusterView> } | undefined;
  /** Bumped by every change of units: a view read before it is never used after it. */
  private generation = 0;

  constructor(private readonly base: Base) {}

  /** The view, from the cache unless `refresh` or it is old; one read at a time. */
  get(refresh: boolean): Promise<ClusterView> {
    if (!refresh && this.view && Date.now() - this.view.at < VIEW_TTL_MS) return Promise.resolve(this.view);
    const generation = this.generation;
    if (this.pending?.generation === generation) return this.pending.view;
    const pending = {
      generation,
      view: this.build().then((v) => {
        if (this.generation === generation) this.view = v;
        return v;
      }),
    };
    this.pending = pending;
    void pending.view
      .finally(() => {
        if (this.pending === pending) this.pending = undefined;
      })
      .catch(() => undefined);
    return pending.view;
  }

  /** After any change of a host's units (written, started, stopped, removed), failed or not. */
  invalidate(): void {
    this.view = undefined;
    this.generation++;
  }

  /** The unit of a daemon as its host reports it now. */
  async unitOf(name: string): Promise<HostUnit | undefined> {
    return (await this.get(true)).units.get(name);
  }

  describe(name: string, { unit, hostname, addr, reachable }: HostUnit, view: ClusterView): DaemonDescription {
    const dot = name.indexOf(".");
    let status: Status;
    let desc: string;
    if (!reachable) {
      status = Status.STATUS_UNKNOWN;
      desc = `host ${hostname} is unreachable`;
    } else if (unit.state === "running") {
      const up = view.up.has(name);
      status = up ? Status.STATUS_RUNNING : Status.STATUS_STARTING;
      desc = up ? "running" : "process running; the cluster does not report it up yet";
    } else if (unit.state === "stopped") {
      status = Status.STATUS_STOPPED;
      desc = "stopped";
    } else {
      status = Status.STATUS_ERROR;
      desc = "exited without being stopped (see its log in /var/log/ceph)";
    }
    return {
      daemonType: typeFromName(name.slice(0, dot)) ?? ServiceType.SERVICE_TYPE_UNSPECIFIED,
      daemonId: name.slice(dot + 1),
      daemonName: name,
      serviceName: unit.serviceName,
      hostname,
      status,
      statusDesc: desc,
      version: view.versions.get(name) ?? "",
      containerId: "",
      pid: unit.state === "running" ? unit.pid : 0,
      lastRefresh: toTimestamp(view.at),
      created: toTimestamp(unit.created * 1000),
      started: unit.state === "running" && unit.started > 0 ? toTimestamp(unit.started * 1000) : undefined,
      ...this.runtime(name, unit, addr, view),
    };
  }

  /** What `ceph orch ps` shows beside the state: ports, address, memory, the active mgr and MDS ranks, the packages. */
  private runtime(name: string, unit: Unit, addr: string, view: ClusterView) {
    const type = name.slice(0, name.indexOf("."));
    const version = view.versions.get(name);
    // Only an RGW's spec says its port: the other daemons need no look-up of theirs.
    const port = () => rgwPort(this.base.state.services.find((s) => s.serviceName === unit.serviceName));
    return {
      ports: type === "mon" ? [3300, 6789] : type === "rgw" ? [port()] : [],
      ip: addr,
      memoryUsage: String(unit.state === "running" ? unit.rssKb * 1024 : 0),
      memoryRequest: "0",
      memoryLimit: "0",
      cpuPercentage: "",
      isActive: view.active.has(name),
      rank: view.active.get(name),
      image: version ? `ceph ${version} (Debian packages)` : "",
    };
  }

  /** Writes a daemon's unit: `run` is the body of its bash script, which execs the daemon. */
  async writeUnit(hostname: string, name: string, run: string, serviceName: string, data = ""): Promise<void> {
    const meta = `${serviceName}\t${Math.floor(Date.now() / 1000)}\t${data}`;
    await this.base.remote.script(hostname, UNIT_WRITE, [name, `#!/bin/bash\n${run}`, meta]);
    this.invalidate();
  }

  async orchctl(hostname: string, action: "start" | "stop" | "restart" | "hup" | "remove", name: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.base.remote.sh(hostname, `${ORCHCTL} ${action} ${shq(name)}`, { timeoutMs: 90_000, signal });
    } finally {
      this.invalidate(); // a start that failed still left its unit
    }
  }

  /** Polls until the cluster reports the daemon up and `ready` (if given) agrees. */
  async waitUp(ctx: StepContext, name: string, hostname: string, ready?: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.base.config.daemonUpTimeoutMs;
    for (;;) {
      if (ctx.signal.aborted) throw new CancelledError();
      const view = await this.get(true);
      const u = view.units.get(name);
      // Up only counts when its host confirms the process too.
      if (u && !u.reachable) throw new ExecutionError(`host ${hostname} became unreachable while ${name} was starting: ${this.base.remote.probe(hostname)?.message ?? ""}`, hostname);
      if (u && u.unit.state !== "running") {
        throw new ExecutionError(`${name} on ${hostname} exited while starting (see /var/log/ceph/${name}.out on ${hostname})`, hostname);
      }
      if (view.up.has(name) && (!ready || (await ready()))) return;
      if (Date.now() > deadline) {
        throw new ExecutionError(`${name} on ${hostname} was not reported up within ${this.base.config.daemonUpTimeoutMs / 1000} s`, hostname);
      }
      await sleep(1000);
    }
  }

  private async build(): Promise<ClusterView> {
    const units = new Map<string, HostUnit>();
    await Promise.all(
      this.base.state.hosts.map(async (h) => {
        let list: Unit[];
        let reachable = true;
        try {
          const r = await this.base.remote.sh(h.hostname, `${ORCHCTL} status`, { timeoutMs: 15_000 });
          list = parseUnits(r.stdout);
          this.base.state.units[h.hostname] = list;
        } catch {
          reachable = false;
          list = this.base.state.units[h.hostname] ?? [];
        }
        for (const unit of list) units.set(unit.name, { unit, hostname: h.hostname, addr: h.addr, reachable });
      }),
    );
    const up = new Set<string>();
    const versions = new Map<string, string>();
    const active = new Map<string, number | undefined>();
    if (this.base.state.fsid !== "" && units.size > 0) {
      try {
        await this.readCluster(up, versions, active);
      } catch (e) {
        this.base.log.warn({ err: errorText(e) }, "ssh: cannot read the cluster's maps; daemons show as starting");
      }
    }
    return { at: Date.now(), up, versions, active, units };
  }

  /** Adds the daemons the cluster's maps report up, and their versions. */
  private async readCluster(up: Set<string>, versions: Map<string, string>, active: Map<string, number | undefined>): Promise<void> {
    const [quorum, mgr, osd, fs, svc, monMeta, osdMeta, mgrMeta, mdsMeta] = await this.base.ceph.ask([
      { cmd: { prefix: "quorum_status" } },
      { cmd: { prefix: "mgr dump" } },
      { cmd: { prefix: "osd dump" } },
      { cmd: { prefix: "fs dump" } },
      { target: "mgr", cmd: { prefix: "service dump" } },
      { cmd: { prefix: "mon metadata" } },
      { cmd: { prefix: "osd metadata" } },
      { cmd: { prefix: "mgr metadata" } },
      { cmd: { prefix: "mds metadata" } },
    ]);
    for (const n of ((quorum?.out as Json)?.quorum_names ?? []) as string[]) up.add(`mon.${n}`);
    const m = mgr?.out as Json | undefined;
    if (m?.available && m.active_name) {
      up.add(`mgr.${m.active_name}`);
      active.set(`mgr.${m.active_name}`, undefined);
    }
    for (const s of (m?.standbys ?? []) as Json[]) up.add(`mgr.${s.name}`);
    for (const o of ((osd?.out as Json)?.osds ?? []) as Json[]) if (o.up === 1) up.add(`osd.${o.osd}`);
    const f = fs?.out as Json | undefined;
    for (const s of (f?.standbys ?? []) as Json[]) up.add(`mds.${s.name}`);
    for (const fsys of (f?.filesystems ?? []) as Json[]) {
      for (const info of Object.values((fsys.mdsmap?.info ?? {}) as Record<string, Json>)) {
        up.add(`mds.${info.name}`);
        if (typeof info.rank === "number" && info.rank >= 0) active.set(`mds.${info.name}`, info.rank);
      }
    }
    const rgw = ((svc?.out as Json)?.services?.rgw?.daemons ?? {}) as Record<string, Json>;
    for (const [k, d] of Object.entries(rgw)) {
      if (k === "summary" || typeof d !== "object") continue;
      const id = String(d.metadata?.id ?? k);
      up.add(`rgw.${id}`);
      if (d.metadata?.ceph_version_short) versions.set(`rgw.${id}`, String(d.metadata.ceph_version_short));
    }
    const meta = (r: CephReply | undefined, prefix: string, key: string) => {
      for (const x of (Array.isArray(r?.out) ? r.out : []) as Json[]) if (x.ceph_version_short) versions.set(`${prefix}.${x[key]}`, String(x.ceph_version_short));
    };
    meta(monMeta, "mon", "name");
    meta(osdMeta, "osd", "id");
    meta(mgrMeta, "mgr", "name");
    meta(mdsMeta, "mds", "name");
  }
}

function parseUnits(text: string): Unit[] {
  const out: Unit[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const [name, state, pid, started, meta, rss] = line.split("\t");
    const [serviceName, created, data] = (meta ?? "").split(" ");
    if (!name || !state) continue;
    out.push({
      name,
      state: state === "running" ? "running" : state === "stopped" ? "stopped" : "error",
      pid: Number(pid) || 0,
      started: Number(started) || 0,
      serviceName: serviceName || name.split(".")[0]!,
      created: Number(created) || 0,
      data: data ?? "",
      rssKb: Number(rss) || 0,
    });
  }
  return out;
}
