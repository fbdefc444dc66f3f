// Each host's devices: `ceph-volume inventory`, plus the raw OSDs it leaves out (`raw list`,
// and the cluster's OSD metadata for OSDs that hold their device locked), cached per host.
import { humanReadableSize } from "../../src/backend/sizes.js";
import { toTimestamp } from "../../src/backend/timestamps.js";
import { type Device, Device_Type, type InventoryHost } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import type { Json } from "./ceph.js";
import type { Base } from "./base.js";
import { errorText } from "./errors.js";
import { scriptFile } from "./remote.js";

const INVENTORY_SCAN = scriptFile("inventory-scan.sh");

export class Inventory {
  private readonly scans = new Map<string, { at: number; devices: Device[] }>();

  constructor(private readonly base: Base) {}

  /** Every host's (or these hosts') devices, rescanned when `refresh` or older than inventoryTtlMs. */
  async get(hostnames: string[], refresh: boolean): Promise<InventoryHost[]> {
    const hosts = hostnames.length > 0 ? hostnames.map((n) => this.base.state.host(n)) : this.base.state.hosts;
    return Promise.all(
      hosts.map(async (h) => {
        const cached = this.scans.get(h.hostname);
        let entry = cached;
        if (refresh || !cached || Date.now() - cached.at > this.base.config.inventoryTtlMs) {
          try {
            entry = { at: Date.now(), devices: await this.scan(h.hostname) };
            this.scans.set(h.hostname, entry);
          } catch (e) {
            // An unreachable host keeps its last scan (or none).
            this.base.log.warn({ hostname: h.hostname, err: errorText(e) }, "ssh: inventory scan failed");
          }
        }
        return {
          hostname: h.hostname,
          addr: h.addr,
          labels: [...h.labels],
          devices: entry?.devices ?? [],
          lastRefresh: entry ? toTimestamp(entry.at) : undefined,
        };
      }),
    );
  }

  /** The host's devices changed (an OSD made or wiped), or it is gone: the next answer rescans. */
  forget(hostname: string): void {
    this.scans.delete(hostname);
  }

  private async scan(hostname: string): Promise<Device[]> {
    const r = await this.base.remote.script(hostname, INVENTORY_SCAN, [], { timeoutMs: 120_000 });
    const [invText, rawText, blkText] = r.stdout.trim().split("\n");
    const inv = JSON.parse(invText ?? "[]") as Json[];
    const raw = JSON.parse(rawText || "{}") as Record<string, Json>;
    const rawByDevice = new Map(Object.values(raw).map((o) => [String(o.device), o]));
    // A running OSD holds its device locked, so `raw list` may not see it: the cluster's OSD
    // metadata names the device of each OSD of this host that is up. (The metadata of a
    // destroyed OSD stays until it is purged, and names a device that was wiped.)
    if (this.base.state.fsid !== "") {
      try {
        const dump = (await this.base.ceph.askOne({ prefix: "osd dump" })) as Json;
        const up = new Set(((dump.osds ?? []) as Json[]).filter((o) => o.up === 1).map((o) => Number(o.osd)));
        for (const m of (await this.base.ceph.askOne({ prefix: "osd metadata" })) as Json[]) {
          const dev = String(m.bluestore_bdev_dev_node ?? "");
          if (m.hostname === hostname && up.has(Number(m.id)) && dev.startsWith("/dev/") && !rawByDevice.has(dev)) {
            rawByDevice.set(dev, { device: dev, osd_id: Number(m.id) });
          }
        }
      } catch (e) {
        this.base.log.warn({ hostname, err: errorText(e) }, "ssh: cannot read the OSD metadata for the inventory");
      }
    }
    // ceph-volume inventory leaves out a device that holds a raw OSD: it is listed all the same.
    const blk = ((JSON.parse(blkText || "{}") as Json).blockdevices ?? []) as Json[];
    for (const [path] of rawByDevice) {
      if (inv.some((d) => d.path === path)) continue;
      const b = blk.find((x) => x.path === path);
      inv.push({
        path,
        available: false,
        rejected_reasons: ["Has BlueStore device label"],
        device_id: "",
        lvs: [],
        sys_api: { size: Number(b?.size ?? 0), rotational: b?.rota ? "1" : "0", vendor: "", model: "", human_readable_size: "" },
      });
    }
    const only = this.base.config.hostDevices[hostname];
    return inv.filter((d) => !only || only.includes(String(d.path))).map((d) => toDevice(d, rawByDevice.get(String(d.path))));
  }
}

/** A device of `ceph-volume inventory`; `rawOsd`: the raw OSD it holds. */
function toDevice(d: Json, rawOsd: Json | undefined): Device {
  const sys = (d.sys_api ?? {}) as Json;
  const rotational = String(sys.rotational) === "1";
  const path = String(d.path);
  const lvs = ((d.lvs ?? []) as Json[]).map((lv) => ({
    name: String(lv.name ?? ""),
    osdId: Number(lv.osd_id ?? -1),
    clusterName: String(lv.cluster_name ?? "ceph"),
    type: String(lv.type ?? ""),
    osdFsid: String(lv.osd_fsid ?? ""),
    clusterFsid: String(lv.cluster_fsid ?? ""),
    osdspecAffinity: String(lv.osdspec_affinity ?? ""),
    blockUuid: String(lv.block_uuid ?? ""),
  }));
  const owner = lvs.find((lv) => lv.type === "block") ?? lvs[0];
  const rejected = ((d.rejected_reasons ?? []) as string[]).map(String);
  if (rawOsd && !rejected.some((x) => /bluestore/i.test(x))) rejected.push("Has BlueStore device label");
  const available = Boolean(d.available) && !rawOsd;
  const size = typeof sys.size === "number" ? BigInt(Math.round(sys.size)) : BigInt(String(sys.size ?? "0").replace(/\..*$/, "") || "0");
  return {
    path,
    deviceId: String(d.device_id ?? ""),
    available,
    rejectedReasons: available ? [] : rejected.length > 0 ? rejected : ["not available"],
    type: path.includes("nvme") ? Device_Type.TYPE_NVME : rotational ? Device_Type.TYPE_HDD : Device_Type.TYPE_SSD,
    sizeBytes: size.toString(),
    rotational,
    vendor: String(sys.vendor ?? ""),
    model: String(sys.model ?? ""),
    lvs,
    sysApi: sys,
    humanReadableSize: String(sys.human_readable_size || humanReadableSize(size)),
    osdId: owner ? owner.osdId : rawOsd ? Number(rawOsd.osd_id) : -1,
    cephDevice: Boolean(d.ceph_device) || lvs.length > 0 || rawOsd !== undefined,
    deviceNodes: String(d.device_nodes ?? path.replace(/^\/dev\//, "")),
    // ceph-volume reports it with --with-lsm only, where libstoragemgmt is installed.
    lsmData: (d.lsm_data ?? {}) as Json,
    created: undefined,
  };
}
