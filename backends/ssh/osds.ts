// OSDs: plain BlueStore, either raw on a device (ceph-volume raw prepare/activate, data dir a
// tmpfs) or on a sparse block file in a data directory (ceph osd new, ceph-osd --mkfs). Removal
// steps are the domain's: out, safety, purge or destroy; the device is wiped or the directory
// removed afterwards.
import { setTimeout as sleep } from "node:timers/promises";
import type { OsdRecord, OsdSafety, StepContext } from "../../src/backend/backend.js";
import { ExecutionError, NotFoundError } from "../../src/backend/errors.js";
import type { CreatedOsd, PlannedOsd } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import type { Json } from "./ceph.js";
import type { Core } from "./core.js";
import { asExecution } from "./errors.js";
import { scriptFile, shq } from "./remote.js";

const OSD_PREPARE_DEVICE = scriptFile("osd-prepare-device.sh");
const OSD_PREPARE_DIR = scriptFile("osd-prepare-dir.sh");
const OSD_DATA_REMOVE = scriptFile("osd-data-remove.sh");
const DEVICE_ZAP = scriptFile("device-zap.sh");

export class Osds {
  constructor(private readonly core: Core) {}

  async list(): Promise<OsdRecord[]> {
    if (this.core.state.fsid === "") return [];
    const [tree, dump] = await this.core.ceph.ask([{ cmd: { prefix: "osd tree" } }, { cmd: { prefix: "osd dump" } }]);
    const hostOf = new Map<number, string>();
    for (const n of ((tree?.out as Json)?.nodes ?? []) as Json[]) {
      if (n.type === "host") for (const c of (n.children ?? []) as number[]) hostOf.set(c, String(n.name));
    }
    return (((dump?.out as Json)?.osds ?? []) as Json[]).map((o) => ({
      osdId: Number(o.osd),
      hostname: hostOf.get(Number(o.osd)) ?? "",
      destroyed: ((o.state ?? []) as string[]).includes("destroyed"),
    }));
  }

  /** After its daemon is stopped: until the cluster marks it down (it is told to after 5 s). */
  async waitDown(ctx: StepContext, id: number): Promise<void> {
    for (let i = 0; i < 60; i++) {
      if (!(await this.osdState(id)).up) return;
      if (i === 5) await this.core.ceph.cli(`osd down ${id}`, ctx.signal);
      await sleep(1000);
    }
  }

  async create(ctx: StepContext, hostname: string, osd: PlannedOsd, serviceName: string, encrypted: boolean): Promise<CreatedOsd> {
    const { config, state, remote, ceph, view } = this.core;
    try {
      state.host(hostname);
      state.requireCluster();
      if (encrypted || osd.db || osd.wal || osd.journal) {
        throw new ExecutionError("the ssh backend creates plain BlueStore OSDs only (no encryption, DB, WAL or journal devices)", hostname);
      }
      const isDevice = osd.data.startsWith("/dev/");
      ctx.progress(0.1, `preparing ${hostname}:${osd.data}`);
      // Either prints the OSD's id, found on the device or directory or made there.
      const prepared = isDevice
        ? await remote.script(hostname, OSD_PREPARE_DEVICE, [osd.data, osd.osdId], { signal: ctx.signal, timeoutMs: 300_000 })
        : await remote.script(hostname, OSD_PREPARE_DIR, [osd.data, osd.osdId, config.osdFileBytes], { signal: ctx.signal, timeoutMs: 300_000 });
      const id = Number(prepared.stdout.trim().split("\n").at(-1));
      if (!Number.isInteger(id) || id < 0) throw new ExecutionError(`preparing ${osd.data} gave no OSD id: ${prepared.stdout.trim()}`, hostname);
      if (osd.osdId >= 0 && id !== osd.osdId) throw new ExecutionError(`${hostname}:${osd.data} already holds osd.${id}, not osd.${osd.osdId}`, hostname);
      const name = `osd.${id}`;
      const dataDir = isDevice ? `/var/lib/ceph/osd/ceph-${id}` : osd.data;
      const activate = isDevice
        ? `[ -e ${shq(`${dataDir}/keyring`)} ] || CEPH_VOLUME_ALLOW_LOOP_DEVICES=true ceph-volume raw activate --device ${shq(osd.data)} --no-systemd\n`
        : "";
      await view.writeUnit(hostname, name, `${activate}exec ceph-osd -i ${id} -f --osd-data ${shq(dataDir)} --keyring ${shq(`${dataDir}/keyring`)}`, serviceName, osd.data);
      ctx.progress(0.6, `starting ${name}`);
      await view.orchctl(hostname, "start", name, ctx.signal);
      await view.waitUp(ctx, name, hostname, async () => {
        const s = await this.osdState(id);
        if (s.up && !s.in) await ceph.cli(`osd in ${id}`);
        return s.up && s.in;
      });
      this.core.inventory.forget(hostname);
      ctx.progress(1, `${name} is up and in`);
      return { osdId: id, hostname, data: osd.data, db: "", wal: "", dataSizeBytes: "0", dbSizeBytes: "0", walSizeBytes: "0", crushDeviceClass: "" };
    } catch (e) {
      throw asExecution(e, hostname);
    }
  }

  async markOut(ctx: StepContext, osdId: number): Promise<void> {
    try {
      await this.core.ceph.cli(`osd out ${osdId}`, ctx.signal);
    } catch (e) {
      throw asExecution(e);
    }
  }

  async safety(osdId: number): Promise<OsdSafety> {
    const [safe, df, pgs] = await this.core.ceph.ask([
      { target: "mgr", cmd: { prefix: "osd safe-to-destroy", ids: [String(osdId)] } },
      { target: "mgr", cmd: { prefix: "osd df" } },
      { target: "mgr", cmd: { prefix: "pg stat" } },
    ]);
    const s = safe?.out as Json | undefined;
    const node = (((df?.out as Json)?.nodes ?? []) as Json[]).find((n) => Number(n.id) === osdId);
    // Safe-to-destroy alone once let an OSD go right after another OSD had restarted, and
    // objects were unfound afterwards: the cluster's PGs must be clean too (force skips this).
    const states = ((pgs?.out as Json)?.num_pg_by_state ?? []) as Json[];
    const clean = pgs !== undefined && pgs.ret >= 0 && states.every((st) => String(st.name).startsWith("active+clean"));
    const safeToDestroy = clean && Array.isArray(s?.safe_to_destroy) && (s.safe_to_destroy as number[]).map(Number).includes(osdId);
    return { safeToDestroy, pgCount: Number(node?.pgs ?? 0) };
  }

  async purge(ctx: StepContext, osdId: number): Promise<void> {
    try {
      const s = await this.osdState(osdId);
      if (s.exists) {
        if (s.up) throw new ExecutionError(`osd.${osdId} is still up; stop its daemon first`);
        await this.core.ceph.cli(`osd purge ${osdId} --yes-i-really-mean-it`, ctx.signal);
      }
      await this.clean(ctx, osdId);
    } catch (e) {
      throw asExecution(e);
    }
  }

  async destroy(ctx: StepContext, osdId: number): Promise<void> {
    try {
      const s = await this.osdState(osdId);
      if (!s.exists) throw new NotFoundError("osd", `osd.${osdId}`);
      if (s.up) throw new ExecutionError(`osd.${osdId} is still up; stop its daemon first`);
      await this.core.ceph.cli(`osd destroy ${osdId} --yes-i-really-mean-it`, ctx.signal);
      await this.clean(ctx, osdId);
    } catch (e) {
      throw asExecution(e);
    }
  }

  private async osdState(id: number): Promise<{ exists: boolean; up: boolean; in: boolean }> {
    const dump = (await this.core.ceph.askOne({ prefix: "osd dump" })) as Json;
    const o = ((dump.osds ?? []) as Json[]).find((x) => Number(x.osd) === id);
    return { exists: o !== undefined, up: o?.up === 1, in: o?.in === 1 };
  }

  /** Erases a device, unless an OSD unit of its host runs from it (the domain checked the cluster's view). */
  async zapDevice(ctx: StepContext, hostname: string, path: string): Promise<void> {
    const { remote, view } = this.core;
    try {
      const users = [...(await view.get(true)).units].filter(([name, u]) => name.startsWith("osd.") && u.hostname === hostname && u.unit.data === path);
      if (users.length > 0) throw new ExecutionError(`${hostname}:${path} is in use by ${users.map(([n]) => n).join(", ")}`, hostname);
      ctx.progress(0.2, `zapping ${path}`);
      await remote.script(hostname, DEVICE_ZAP, [path], { signal: ctx.signal, timeoutMs: 120_000 });
      this.core.inventory.forget(hostname);
    } catch (e) {
      throw asExecution(e, hostname);
    }
  }

  /** Removes the OSD's unit and wipes its data (device or directory), found from its unit. */
  private async clean(ctx: StepContext, osdId: number): Promise<void> {
    const { remote, view } = this.core;
    const found = await view.unitOf(`osd.${osdId}`);
    if (!found) return;
    const { hostname, unit } = found;
    await view.orchctl(hostname, "remove", `osd.${osdId}`, ctx.signal);
    if (unit.data.startsWith("/dev/")) {
      await remote.script(hostname, OSD_DATA_REMOVE, [osdId]);
      await remote.script(hostname, DEVICE_ZAP, [unit.data]);
    } else if (unit.data !== "") {
      await remote.sh(hostname, `rm -rf ${shq(unit.data)}`);
    }
    this.core.inventory.forget(hostname);
  }
}
