// InventoryService over real gRPC against the sim's default fixture: every device field as
// ceph-volume reports it (int64 sizes exact), filters, pages, refresh, and device lights.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Device_Type, LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { SimBackend } from "../../backends/sim/cluster.js";
import { allPages, lifecycleProblems, opError, opsOf, refusal, rejection } from "../conformance/api.js";
import { ms, type Sim, startSim } from "./helpers.js";

let sim: Sim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => sim?.stop());

describe("GetInventory", () => {
  it("reports each device with every ceph-volume field", async () => {
    const inv = await sim.api.getInventory();
    expect(inv.hosts.map((h) => [h.hostname, h.addr, h.devices.length])).toEqual([
      ["node-1", "10.0.0.11", 6],
      ["node-2", "10.0.0.12", 6],
      ["node-3", "10.0.0.13", 7],
    ]);
    const node1 = inv.hosts[0]!;
    expect([...node1.labels].sort()).toEqual(["_admin", "mgr", "mon", "osd"]);
    expect(node1.lastRefresh).toBeDefined();
    expect(node1.devices.map((d) => d.path)).toEqual(["/dev/nvme0n1", "/dev/sda", "/dev/sdb", "/dev/sdc", "/dev/sdd", "/dev/sde"]);
    const nvme = node1.devices[0]!;
    expect(nvme).toMatchObject({
      deviceId: "SAMSUNG_MZPLL1T6HAJQ-00005_S4CBNA0N100231",
      available: true,
      rejectedReasons: [],
      type: Device_Type.TYPE_NVME,
      sizeBytes: "1600321314816",
      rotational: false,
      model: "SAMSUNG MZPLL1T6HAJQ-00005",
      osdId: -1,
      lvs: [],
    });
    expect(nvme.humanReadableSize).toBe("1.46 TB");
    const sdb = node1.devices.find((d) => d.path === "/dev/sdb")!;
    expect(sdb).toMatchObject({ available: false, rejectedReasons: ["LVM detected", "locked"], type: Device_Type.TYPE_HDD, rotational: true, osdId: 0 });
    expect(sdb.lvs.map((l) => [l.osdId, l.type, l.clusterName, l.osdspecAffinity])).toEqual([[0, "block", "ceph", "default_drive_group"]]);
    expect(sdb.lvs[0]!.clusterFsid).toBe("8c3e5f2a-4b7d-11ef-9a1c-525400a1b2c3");
    const os = node1.devices.find((d) => d.path === "/dev/sda")!;
    expect(os.rejectedReasons).toEqual(["locked", "Has partitions"]);
    // sys_api is the raw ceph-volume object.
    expect(nvme.sysApi).toMatchObject({ scheduler_mode: "none", rotational: "0", removable: "0" });
    expect(os.sysApi?.partitions).toHaveProperty("sda1");
  });

  it("keeps a 20 TB size exact: int64 travels as a decimal string", async () => {
    const node3 = (await sim.api.getInventory({ hostnames: ["node-3"] })).hosts[0]!;
    const big = node3.devices.find((d) => d.path === "/dev/sdf")!;
    expect(big.sizeBytes).toBe("20000588955648");
    expect(big.humanReadableSize).toBe("18.19 TB");
    expect(BigInt(big.sizeBytes)).toBe(20000588955648n);
  });

  it("filters by hostnames and by labels (all must match), and NOT_FOUND names a missing host", async () => {
    expect((await sim.api.getInventory({ hostnames: ["node-3", "node-1"] })).hosts.map((h) => h.hostname)).toEqual(["node-1", "node-3"]);
    expect((await sim.api.getInventory({ labels: ["mgr"] })).hosts.map((h) => h.hostname)).toEqual(["node-1", "node-2"]);
    expect((await sim.api.getInventory({ labels: ["mgr", "_admin"] })).hosts.map((h) => h.hostname)).toEqual(["node-1"]);
    expect((await sim.api.getInventory({ hostnames: ["node-3"], labels: ["mgr"] })).hosts).toEqual([]);
    const e = await rejection(sim.api.getInventory({ hostnames: ["node-1", "node-8"] }));
    expect(grpc.status[e.code]).toBe("NOT_FOUND");
    expect(e.resource?.resourceName).toBe("node-8");
  });

  it("pages of one host concatenate to the full inventory; a token only continues its own query", async () => {
    const full = await sim.api.getInventory();
    const paged = await allPages(async (t) => {
      const r = await sim.api.getInventory({ pageSize: 1, pageToken: t });
      expect(r.hosts.length).toBe(1);
      return { items: r.hosts, nextPageToken: r.nextPageToken, totalSize: r.totalSize };
    });
    expect(paged.pages).toBe(3);
    expect(paged.items).toEqual(full.hosts);
    const first = await sim.api.getInventory({ pageSize: 1, labels: ["mon"] });
    const e = await rejection(sim.api.getInventory({ pageSize: 1, labels: ["osd"], pageToken: first.nextPageToken }));
    expect(e.fields).toEqual(["page_token"]);
  });

  it("refresh rescans: last_refresh moves forward", async () => {
    const before = (await sim.api.getInventory({ hostnames: ["node-2"] })).hosts[0]!;
    await new Promise((r) => setTimeout(r, 5));
    const after = (await sim.api.getInventory({ hostnames: ["node-2"], refresh: true })).hosts[0]!;
    expect(ms(after.lastRefresh)).toBeGreaterThan(ms(before.lastRefresh));
    expect(after.devices).toEqual(before.devices);
  });
});

describe("BlinkDeviceLight", () => {
  const lights = (host: string, path: string) => (sim.server.deps!.backend as unknown as SimBackend).deviceLights(host, path);

  it("switches a light on by path and off by device id; the result says which", async () => {
    const msgs = await opsOf(sim.api.blinkDeviceLight({ light: LightType.LIGHT_TYPE_IDENT, on: true, locations: [{ hostname: "node-1", path: "/dev/sdc" }] }));
    expect(lifecycleProblems(msgs)).toEqual([]);
    const op = msgs.at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    expect(op.outcome).toEqual({ $case: "result", value: { result: { $case: "deviceLights", value: { messages: ["Set ident light for node-1:/dev/sdc on"] } } } });
    expect(lights("node-1", "/dev/sdc")).toEqual({ ident: true, fault: false });
    const off = (await opsOf(sim.api.blinkDeviceLight({
      light: LightType.LIGHT_TYPE_IDENT,
      on: false,
      locations: [{ hostname: "node-1", deviceId: "SEAGATE_ST4000NM0025_ZC1A0N12" }],
    }))).at(-1)!;
    expect(off.state).toBe(S.STATE_SUCCEEDED);
    expect(lights("node-1", "/dev/sdc")).toEqual({ ident: false, fault: false });
  });

  it("several devices on several hosts: one task per device, each on its host", async () => {
    const op = (await opsOf(sim.api.blinkDeviceLight({
      light: LightType.LIGHT_TYPE_FAULT,
      on: true,
      locations: [
        { hostname: "node-2", path: "/dev/sdd" },
        { hostname: "node-3", path: "/dev/sdf" },
        { hostname: "node-3", path: "/dev/sde" },
      ],
    }))).at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    expect([...op.hosts].sort()).toEqual(["node-2", "node-3"]);
    expect(op.tasks.map((t) => [t.target, t.hostname, t.state]).sort()).toEqual([
      ["node-2:/dev/sdd", "node-2", S.STATE_SUCCEEDED],
      ["node-3:/dev/sde", "node-3", S.STATE_SUCCEEDED],
      ["node-3:/dev/sdf", "node-3", S.STATE_SUCCEEDED],
    ]);
    expect(lights("node-3", "/dev/sdf")).toEqual({ ident: false, fault: true });
  });

  it("an absent device fails the operation, naming it", async () => {
    const op = (await opsOf(sim.api.blinkDeviceLight({ light: LightType.LIGHT_TYPE_IDENT, on: true, locations: [{ hostname: "node-1", path: "/dev/sdz" }] }))).at(-1)!;
    expect(op.state).toBe(S.STATE_FAILED);
    expect(opError(op)?.message).toContain("/dev/sdz");
  });
});

describe("ZapDevice", () => {
  let own: Sim;
  beforeAll(async () => {
    own = await startSim({ delays: 0 });
  });
  afterAll(async () => own?.stop());
  const device = async (host: string, path: string) =>
    (await own.api.getInventory({ hostnames: [host] })).hosts[0]!.devices.find((d) => d.path === path)!;

  it("a device a running OSD uses is FAILED_PRECONDITION naming the OSD, and nothing changes", async () => {
    const before = await device("node-1", "/dev/sdb");
    const e = await refusal(own.api.zapDevice({ hostname: "node-1", path: "/dev/sdb" }));
    expect(grpc.status[e.code]).toBe("FAILED_PRECONDITION");
    expect(e.message).toMatch(/used by osd\.0/);
    expect(await device("node-1", "/dev/sdb")).toEqual(before);
  });

  it("the OSD left behind by a host removed and added again: zapped, the device is available again", async () => {
    expect((await opsOf(own.api.removeHost({ hostname: "node-3", force: true }))).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
    expect((await opsOf(own.api.addHost({ host: { hostname: "node-3" } }))).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
    expect((await device("node-3", "/dev/sdb")).available).toBe(false);
    const msgs = await opsOf(own.api.zapDevice({ hostname: "node-3", path: "/dev/sdb" }));
    expect(lifecycleProblems(msgs)).toEqual([]);
    const op = msgs.at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect(op.description).toBe("Zap device node-3:/dev/sdb");
    const zapped = op.outcome?.$case === "result" && op.outcome.value.result?.$case === "device" ? op.outcome.value.result.value : undefined;
    expect(zapped).toMatchObject({ path: "/dev/sdb", available: true, rejectedReasons: [], lvs: [] });
    expect(await device("node-3", "/dev/sdb")).toMatchObject({ available: true, lvs: [] });
  });

  it("the system's own disk (locked, with partitions) cannot be zapped: the operation FAILS saying so", async () => {
    const op = (await opsOf(own.api.zapDevice({ hostname: "node-2", path: "/dev/sda" }))).at(-1)!;
    expect(op.state).toBe(S.STATE_FAILED);
    expect(opError(op)?.message).toMatch(/locked by the system/);
  });

  it("an absent device or host is NOT_FOUND; a path that is no absolute path INVALID_ARGUMENT naming it", async () => {
    expect(grpc.status[(await refusal(own.api.zapDevice({ hostname: "node-1", path: "/dev/sdz" }))).code]).toBe("NOT_FOUND");
    expect(grpc.status[(await refusal(own.api.zapDevice({ hostname: "node-9", path: "/dev/sdb" }))).code]).toBe("NOT_FOUND");
    expect((await refusal(own.api.zapDevice({ hostname: "node-1", path: "sdb" }))).fields).toEqual(["path"]);
  });
});
