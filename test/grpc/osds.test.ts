// OsdService over real gRPC against the sim's default fixture: previews, creating OSDs from
// drive groups on several hosts, removal through the queue (drain, force, replace),
// replacement with claimed ids, and cancellation.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Operation_State as S, type Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { OsdRemoval_State as R } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import { DaemonDescription_Status as DS, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { type Api, detach, eventually, lifecycleProblems, opsOf, refusal } from "../conformance/api.js";
import { readUntil, rest, simPerTest } from "./helpers.js";

const { start, stop } = simPerTest();

function created(op: Operation) {
  if (op.outcome?.$case !== "result" || op.outcome.value.result?.$case !== "osds") throw new Error(`no osds result: ${op.message}`);
  return op.outcome.value.result.value.osds;
}
function removals(op: Operation) {
  if (op.outcome?.$case !== "result" || op.outcome.value.result?.$case !== "osdRemovals") throw new Error(`no removals result: ${op.message}`);
  return op.outcome.value.result.value.removals;
}
async function device(api: Api, host: string, path: string) {
  const d = (await api.getInventory({ hostnames: [host] })).hosts[0]!.devices.find((x) => x.path === path);
  if (!d) throw new Error(`${host}:${path} not in the inventory`);
  return d;
}
async function osdDaemons(api: Api) {
  return (await api.listDaemons({ daemonType: ServiceType.SERVICE_TYPE_OSD })).daemons.map((d) => ({ id: Number(d.daemonId), host: d.hostname, status: d.status, service: d.serviceName }));
}

describe("PreviewOsds", () => {
  it("plans per host from filters: HDDs of 3T to 5T with their DB on the SATA SSD; changes nothing", async () => {
    const api = await start();
    const inventory = await api.getInventory();
    const plan = await api.previewOsds({
      spec: {
        hostPattern: "node-*",
        dataDevices: { rotational: true, size: "3T:5T" },
        dbDevices: { rotational: false, idModel: "SAMSUNG MZ7LH480*" },
      },
    });
    expect(plan.hosts.map((h) => [h.hostname, h.osds.map((o) => [o.data, o.db, o.osdId, o.sizeBytes])])).toEqual(
      ["node-1", "node-2", "node-3"].map((h) => [
        h,
        [
          ["/dev/sdc", "/dev/sde", -1, "4000787030016"],
          ["/dev/sdd", "/dev/sde", -1, "4000787030016"],
        ],
      ]),
    );
    expect(await api.getInventory()).toEqual(inventory);
  });

  it("osds_per_device and count shape the plan; a host without a match says why", async () => {
    const api = await start();
    const two = await api.previewOsds({ spec: { hostPattern: "node-1", dataDevices: { paths: ["/dev/sdc"] }, osdsPerDevice: 2 } });
    expect(two.hosts[0]!.osds.map((o) => o.data)).toEqual(["/dev/sdc", "/dev/sdc"]);
    const one = await api.previewOsds({ spec: { hostPattern: "node-[12]", dataDevices: { rotational: true, count: 1 } } });
    expect(one.hosts.map((h) => h.osds.length)).toEqual([1, 1]);
    const none = await api.previewOsds({ spec: { hostPattern: "node-3", dataDevices: { idModel: "NO-SUCH-MODEL*" } } });
    expect(none.hosts).toEqual([{ hostname: "node-3", osds: [], message: expect.stringMatching(/no available device/) }]);
    const taken = await api.previewOsds({ spec: { hostPattern: "node-3", dataDevices: { paths: ["/dev/sdb"] } } });
    expect(taken.hosts[0]!.osds).toEqual([]);
    expect(taken.hosts[0]!.message).toMatch(/\/dev\/sdb is not available/);
  });
});

describe("CreateOsds", () => {
  it("creates one OSD per host on three hosts, one task per host, new ids, running, devices taken; again creates nothing", async () => {
    const api = await start();
    const spec = { serviceId: "fast", hostPattern: "node-*", dataDevices: { paths: ["/dev/sdd"] } };
    const msgs = await opsOf(api.createOsds({ spec }));
    expect(lifecycleProblems(msgs)).toEqual([]);
    const op = msgs.at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    expect([...op.hosts].sort()).toEqual(["node-1", "node-2", "node-3"]);
    expect(op.tasks.map((t) => [t.target, t.hostname, t.state]).sort()).toEqual([
      ["host node-1", "node-1", S.STATE_SUCCEEDED],
      ["host node-2", "node-2", S.STATE_SUCCEEDED],
      ["host node-3", "node-3", S.STATE_SUCCEEDED],
    ]);
    const osds = created(op);
    expect(osds.map((o) => [o.hostname, o.data]).sort()).toEqual([
      ["node-1", "/dev/sdd"],
      ["node-2", "/dev/sdd"],
      ["node-3", "/dev/sdd"],
    ]);
    expect(osds.map((o) => o.osdId).sort()).toEqual([3, 4, 5]);
    const daemons = (await osdDaemons(api)).filter((d) => d.service === "osd.fast");
    expect(daemons.map((d) => [d.id, d.host, d.status]).sort()).toEqual(osds.map((o) => [o.osdId, o.hostname, DS.STATUS_RUNNING]).sort());
    for (const o of osds) {
      const d = await device(api, o.hostname, "/dev/sdd");
      expect(d).toMatchObject({ available: false, osdId: o.osdId });
      expect(d.lvs.map((l) => [l.type, l.osdId, l.osdspecAffinity])).toEqual([["block", o.osdId, "fast"]]);
    }
    const svc = (await api.describeServices({ serviceName: "osd.fast" })).services;
    expect(svc.map((s) => [s.serviceType, s.running, s.placement?.hostPattern])).toEqual([[ServiceType.SERVICE_TYPE_OSD, 3, "node-*"]]);

    const again = (await opsOf(api.createOsds({ spec }))).at(-1)!;
    expect(again.state).toBe(S.STATE_SUCCEEDED);
    expect(created(again)).toEqual([]);
    expect((await osdDaemons(api)).length).toBe(6);
  });

  it("DB devices are shared: two OSDs with their DB on one SSD", async () => {
    const api = await start();
    const op = (await opsOf(api.createOsds({ spec: { hostPattern: "node-2", dataDevices: { paths: ["/dev/sdc", "/dev/sdd"] }, dbDevices: { paths: ["/dev/sde"] } } }))).at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect(created(op).map((o) => [o.data, o.db])).toEqual([
      ["/dev/sdc", "/dev/sde"],
      ["/dev/sdd", "/dev/sde"],
    ]);
    const ssd = await device(api, "node-2", "/dev/sde");
    expect(ssd.available).toBe(false);
    expect(ssd.lvs.map((l) => l.type)).toEqual(["db", "db"]);
  });

  it("block_db_size sizes each DB on the shared SSD; the device class is set; a DB too large for the SSD plans nothing", async () => {
    const api = await start();
    const spec = { hostPattern: "node-2", dataDevices: { paths: ["/dev/sdc", "/dev/sdd"] }, dbDevices: { paths: ["/dev/sde"] }, blockDbSize: "60G", crushDeviceClass: "hdd_fast" };
    const op = (await opsOf(api.createOsds({ spec }))).at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect(created(op).map((o) => [o.data, o.db, o.dbSizeBytes, o.crushDeviceClass])).toEqual([
      ["/dev/sdc", "/dev/sde", String(60 * 1024 ** 3), "hdd_fast"],
      ["/dev/sdd", "/dev/sde", String(60 * 1024 ** 3), "hdd_fast"],
    ]);
    const huge = await api.previewOsds({ spec: { hostPattern: "node-3", dataDevices: { paths: ["/dev/sdc", "/dev/sdd"] }, dbDevices: { paths: ["/dev/sde"] }, blockDbSize: "300G" } });
    expect(huge.hosts[0]!.osds).toEqual([]);
    expect(huge.hosts[0]!.message).toMatch(/db device \/dev\/sde .* cannot hold 2 db part\(s\) of 300.00 GB/);
  });

  it("osds_per_device splits a device into OSDs of equal shares, data_allocate_fraction takes part of it", async () => {
    const api = await start();
    const sdc = await device(api, "node-1", "/dev/sdc");
    const op = (await opsOf(api.createOsds({ spec: { serviceId: "split", hostPattern: "node-1", dataDevices: { paths: ["/dev/sdc"] }, osdsPerDevice: 2, dataAllocateFraction: 0.5 } }))).at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    const quarter = String(BigInt(sdc.sizeBytes) / 4n);
    expect(created(op).map((o) => [o.data, o.dataSizeBytes])).toEqual([
      ["/dev/sdc", quarter],
      ["/dev/sdc", quarter],
    ]);
    expect((await device(api, "node-1", "/dev/sdc")).lvs.map((l) => l.type)).toEqual(["block", "block"]);
    expect((await osdDaemons(api)).filter((d) => d.service === "osd.split").map((d) => d.status)).toEqual([DS.STATUS_RUNNING, DS.STATUS_RUNNING]);
  });

  it.each([
    ["block_db_size", { blockDbSize: "10X" }],
    ["block_wal_size", { blockWalSize: "0" }],
    ["journal_size", { journalSize: "1G" }],
    ["data_allocate_fraction", { dataAllocateFraction: 0 }],
    ["data_allocate_fraction", { dataAllocateFraction: 1.5 }],
    ["crush_device_class", { crushDeviceClass: "fast ssd" }],
    ["filter_logic", { filterLogic: 7 }],
    ["method", { method: 9 }],
    ["osds_per_device", { method: 2, osdsPerDevice: 2 }],
    ["data_devices.size", { dataDevices: { size: "1.5T" } }],
  ])("refuses an invalid %s naming the field, before anything starts", async (field, bad) => {
    const api = await start();
    const e = await refusal(api.createOsds({ spec: { hostPattern: "node-*", dataDevices: { paths: ["/dev/sdd"] }, ...bad } }));
    expect(grpc.status[e.code]).toBe("INVALID_ARGUMENT");
    expect(e.fields).toEqual([`spec.${field}`]);
    expect(e.messages).toEqual([]);
    expect((await osdDaemons(api)).map((d) => d.id)).toEqual([0, 1, 2]);
  });

  it("a data directory becomes an OSD without a device; encryption is accepted by the sim", async () => {
    const api = await start();
    const op = (await opsOf(api.createOsds({ spec: { serviceId: "dirs", hostPattern: "node-3", dataDirectories: ["/var/lib/ceph/osd-data/a"], encrypted: true } }))).at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect(created(op).map((o) => [o.hostname, o.data])).toEqual([["node-3", "/var/lib/ceph/osd-data/a"]]);
    expect((await osdDaemons(api)).filter((d) => d.service === "osd.dirs").map((d) => d.status)).toEqual([DS.STATUS_RUNNING]);
  });

  it("claiming the id of a running OSD is INVALID_ARGUMENT before anything starts", async () => {
    const api = await start();
    const e = await refusal(api.createOsds({ spec: { hostPattern: "node-*", dataDevices: { paths: ["/dev/sdd"] }, osdIdClaims: { "node-1": { osdIds: [1] } } } }));
    expect(grpc.status[e.code]).toBe("INVALID_ARGUMENT");
    expect(e.fields).toEqual(['spec.osd_id_claims["node-1"].osd_ids[0]']);
    expect(e.messages).toEqual([]);
    expect((await osdDaemons(api)).map((d) => d.id)).toEqual([0, 1, 2]);
  });

  it("nothing to create is a success with no OSDs", async () => {
    const api = await start();
    const op = (await opsOf(api.createOsds({ spec: { hostPattern: "node-1", dataDevices: { paths: ["/dev/sda"] } } }))).at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    expect(created(op)).toEqual([]);
  });

  it("progress rises to 1 as OSDs are created, and each task reports its own", async () => {
    const api = await start({ delays: { createOsd: 40 } });
    const msgs = await opsOf(api.createOsds({ spec: { hostPattern: "node-*", dataDevices: { paths: ["/dev/sdc", "/dev/sdd"] } } }));
    expect(lifecycleProblems(msgs)).toEqual([]);
    const progress = msgs.map((m) => m.progress);
    expect(progress.at(-1)).toBe(1);
    expect(new Set(progress).size, `progress ${progress.join(",")}`).toBeGreaterThan(2);
    const taskMessages = msgs.flatMap((m) => m.tasks.map((t) => t.message));
    expect(taskMessages.some((m) => /^(preparing|starting|creating)/.test(m)), taskMessages.join("|")).toBe(true);
  });

  it("a CreateOsds cancelled mid-way, repeated, leaves every selected device with a running OSD", async () => {
    const api = await start({ delays: { createOsd: 400 } });
    const spec = { serviceId: "cxl", hostPattern: "node-*", dataDevices: { paths: ["/dev/sdc"] } };
    const s = api.createOsds({ spec });
    const seen = await readUntil(s, (op) => op.tasks.some((t) => t.message.startsWith("starting osd.")));
    const id = seen[0]!.id;
    const cancelled = (await api.cancelOperation(id)).operation!;
    expect(cancelled.cancelRequested).toBe(true);
    const final = (await rest(s)).at(-1)!;
    expect(final.state).toBe(S.STATE_CANCELLED);
    // The same drive group again finishes the job.
    const again = (await opsOf(api.createOsds({ spec }))).at(-1)!;
    expect(again.state, again.message).toBe(S.STATE_SUCCEEDED);
    for (const host of ["node-1", "node-2", "node-3"]) {
      const d = await device(api, host, "/dev/sdc");
      expect(d.osdId, `${host}:/dev/sdc holds an OSD`).toBeGreaterThanOrEqual(0);
      const daemon = (await osdDaemons(api)).find((x) => x.id === d.osdId);
      expect(daemon?.status, `osd.${d.osdId} on ${host} runs`).toBe(DS.STATUS_RUNNING);
    }
  });

  it("a CreateOsds cancelled mid-way ends CANCELLED; OSDs already created stay up", async () => {
    const api = await start({ delays: { createOsd: 300 } });
    const s = api.createOsds({ spec: { serviceId: "cxl", hostPattern: "node-1", dataDevices: { paths: ["/dev/sdc", "/dev/sdd"] } } });
    // The first OSD is done once progress reaches one half.
    const seen = await readUntil(s, (op) => op.progress >= 0.5);
    await api.cancelOperation(seen[0]!.id);
    const all = [...seen, ...(await rest(s))];
    expect(lifecycleProblems(all)).toEqual([]);
    const final = all.at(-1)!;
    expect(final.state).toBe(S.STATE_CANCELLED);
    expect(final.cancelRequested).toBe(true);
    expect(final.tasks.map((t) => t.state)).toEqual([S.STATE_CANCELLED]);
    const first = await device(api, "node-1", "/dev/sdc");
    expect(first.osdId).toBe(3);
    expect((await osdDaemons(api)).find((d) => d.id === 3)?.status).toBe(DS.STATUS_RUNNING);
  });
});

describe("RemoveOsds", () => {
  it("drains (DRAINING with PGs left), stops and purges: the queue shows each stage, the device comes back", async () => {
    const api = await start({ delays: { drainPerPg: 5 } });
    const s = api.removeOsds({ osdIds: [1] });
    const draining = await eventually(async () => {
      const q = (await api.getOsdRemovalStatus()).removals.find((r) => r.osdId === 1);
      return q?.state === R.STATE_DRAINING && q.pgCount > 0 ? q : undefined;
    }, 10_000, "osd.1 draining");
    expect(draining).toMatchObject({ hostname: "node-2", replace: false, force: false });
    const msgs = await opsOf(s);
    expect(lifecycleProblems(msgs)).toEqual([]);
    const op = msgs.at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    expect(draining.operationId).toBe(op.id);
    expect(removals(op).map((r) => [r.osdId, r.state, r.pgCount])).toEqual([[1, R.STATE_DONE, 0]]);
    const q = (await api.getOsdRemovalStatus()).removals;
    expect(q.map((r) => [r.osdId, r.state, r.hostname, r.operationId])).toEqual([[1, R.STATE_DONE, "node-2", op.id]]);
    expect(q[0]!.started).toBeDefined();
    expect((await osdDaemons(api)).map((d) => d.id)).toEqual([0, 2]);
    expect(await device(api, "node-2", "/dev/sdb")).toMatchObject({ available: true, osdId: -1, lvs: [], rejectedReasons: [] });
  });

  it("zap (osd rm --replace --zap): the destroyed OSD's device is zapped and available again; the queue says so", async () => {
    const api = await start();
    expect((await device(api, "node-2", "/dev/sdb")).osdId).toBe(1);
    const op = (await opsOf(api.removeOsds({ osdIds: [1], replace: true, zap: true, force: true }))).at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect(op.description).toBe("Remove OSDs 1 for replacement, zapping their devices (forced)");
    expect(removals(op)[0]).toMatchObject({ osdId: 1, state: R.STATE_DONE, replace: true, zap: true, message: "destroyed; its id is kept for a replacement; its devices zapped" });
    expect(await device(api, "node-2", "/dev/sdb")).toMatchObject({ available: true, lvs: [] });
    expect((await api.getOsdRemovalStatus()).removals.map((r) => [r.osdId, r.zap])).toEqual([[1, true]]);
  });

  it("zap leaves a DB device that other OSDs share: only the removed OSD's own devices are zapped", async () => {
    const api = await start();
    expect((await opsOf(api.addHost({ host: { hostname: "node-4" } }))).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
    const created = (await opsOf(api.createOsds({ spec: { serviceId: "shared", hostPattern: "node-4", dataDevices: { rotational: true }, dbDevices: { rotational: false } } }))).at(-1)!;
    expect(created.state, created.message).toBe(S.STATE_SUCCEEDED);
    const osds = created.outcome?.$case === "result" && created.outcome.value.result?.$case === "osds" ? created.outcome.value.result.value.osds : [];
    const shared = osds.filter((o) => o.db !== "");
    expect(shared.length).toBeGreaterThan(1);
    const victim = shared[0]!;
    const op = (await opsOf(api.removeOsds({ osdIds: [victim.osdId], zap: true, force: true }))).at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    // Its data device is free; the DB device still carries the other OSDs' DBs.
    expect(await device(api, "node-4", victim.data)).toMatchObject({ available: true, lvs: [] });
    const db = await device(api, "node-4", victim.db);
    expect(db.lvs.some((lv) => lv.osdId === shared[1]!.osdId)).toBe(true);
  });

  it("force skips the wait for safe-to-destroy; without force a removal waits and can be cancelled", async () => {
    const api = await start({ delays: { drainPerPg: 60_000 } });
    const forced = (await opsOf(api.removeOsds({ osdIds: [0], force: true }))).at(-1)!;
    expect(forced.state).toBe(S.STATE_SUCCEEDED);
    expect(removals(forced)[0]).toMatchObject({ osdId: 0, state: R.STATE_DONE, force: true });

    const s = api.removeOsds({ osdIds: [2] });
    const waiting = await readUntil(s, (op) => op.tasks.some((t) => /draining/.test(t.message)));
    expect((await api.getOsdRemovalStatus()).removals.find((r) => r.osdId === 2)?.state).toBe(R.STATE_DRAINING);
    await api.cancelOperation(waiting[0]!.id);
    const final = (await rest(s)).at(-1)!;
    expect(final.state).toBe(S.STATE_CANCELLED);
    expect((await api.getOsdRemovalStatus()).removals.find((r) => r.osdId === 2)?.state).toBe(R.STATE_CANCELLED);
    // Cancelled before it was destroyed: the OSD and its daemon are still there.
    expect((await osdDaemons(api)).find((d) => d.id === 2)?.status).toBe(DS.STATUS_RUNNING);
    expect((await device(api, "node-3", "/dev/sdb")).osdId).toBe(2);
  });

  it("removals that ended before a restart of the service still show in the queue, from the journal", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-osd-rm-restart-"));
    const journaled = { delays: { drainPerPg: 60_000 }, args: ["--journal=true", "--data-dir", dir] };
    try {
      let api = await start(journaled);
      const forced = (await opsOf(api.removeOsds({ osdIds: [0], force: true }))).at(-1)!;
      // Cancelled: no result, so its OSDs and options come from the journaled request.
      const s = api.removeOsds({ osdIds: [2], replace: true });
      const waiting = await readUntil(s, (op) => op.tasks.some((t) => /draining/.test(t.message)));
      await api.cancelOperation(waiting[0]!.id);
      expect((await rest(s)).at(-1)!.state).toBe(S.STATE_CANCELLED);
      const before = (await api.getOsdRemovalStatus()).removals;
      await stop();

      api = await start(journaled);
      const after = (await api.getOsdRemovalStatus()).removals;
      expect(after.map((r) => [r.osdId, r.hostname, r.state, r.replace, r.force, r.operationId])).toEqual([
        [0, "node-1", R.STATE_DONE, false, true, forced.id],
        [2, "node-3", R.STATE_CANCELLED, true, false, waiting[0]!.id],
      ]);
      expect(after.map((r) => r.osdId)).toEqual(before.map((r) => r.osdId));
    } finally {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("with replace, destroys the OSD but keeps its id: a preview and CreateOsds with the claim reuse it", async () => {
    const api = await start();
    const op = (await opsOf(api.removeOsds({ osdIds: [1], replace: true }))).at(-1)!;
    expect(removals(op)).toEqual([expect.objectContaining({ osdId: 1, state: R.STATE_DONE, replace: true })]);
    expect((await osdDaemons(api)).map((d) => d.id)).toEqual([0, 2]);
    expect((await device(api, "node-2", "/dev/sdb")).available).toBe(true);
    const spec = { hostPattern: "node-2", dataDevices: { paths: ["/dev/sdb"] }, osdIdClaims: { "node-2": { osdIds: [1] } } };
    const plan = await api.previewOsds({ spec });
    expect(plan.hosts[0]!.osds.map((o) => [o.data, o.osdId])).toEqual([["/dev/sdb", 1]]);
    const again = (await opsOf(api.createOsds({ spec }))).at(-1)!;
    expect(created(again).map((o) => [o.osdId, o.hostname, o.data])).toEqual([[1, "node-2", "/dev/sdb"]]);
    expect((await osdDaemons(api)).map((d) => d.id)).toEqual([0, 1, 2]);
  });

  it("without a claim, a host's next OSDs take the ids of its destroyed OSDs, lowest first, as cephadm's do; other hosts get new ids", async () => {
    const api = await start();
    for (const id of [2, 0]) expect((await opsOf(api.removeOsds({ osdIds: [id], replace: true }))).at(-1)!.state).toBe(S.STATE_SUCCEEDED);
    // osd.0 was on node-1, osd.2 on node-3: each host's id stays with it.
    const spec = { hostPattern: "node-*", dataDevices: { paths: ["/dev/sdb"] } };
    const plan = await api.previewOsds({ spec });
    expect(plan.hosts.map((h) => [h.hostname, h.osds.map((o) => o.osdId)])).toEqual([
      ["node-1", [0]],
      ["node-2", []],
      ["node-3", [2]],
    ]);
    const op = (await opsOf(api.createOsds({ spec }))).at(-1)!;
    expect(created(op).map((o) => [o.hostname, o.osdId]).sort()).toEqual([
      ["node-1", 0],
      ["node-3", 2],
    ]);
    expect((await osdDaemons(api)).map((d) => d.id)).toEqual([0, 1, 2]);
  });

  it("several OSDs on several hosts at once; duplicate ids are refused", async () => {
    const api = await start();
    const op = (await opsOf(api.removeOsds({ osdIds: [0, 2] }))).at(-1)!;
    expect(op.state).toBe(S.STATE_SUCCEEDED);
    expect([...op.hosts].sort()).toEqual(["node-1", "node-3"]);
    expect(removals(op).map((r) => r.osdId).sort()).toEqual([0, 2]);
    expect(op.tasks.map((t) => [t.target, t.hostname]).sort()).toEqual([
      ["osd.0", "node-1"],
      ["osd.2", "node-3"],
    ]);
    const dup = await refusal(api.removeOsds({ osdIds: [1, 1] }));
    expect(dup.fields).toEqual(["osd_ids"]);
  });
});

describe("ReplaceOsds", () => {
  it("destroys the claimed OSD and creates its replacement with the same id on the selected device", async () => {
    const api = await start();
    const msgs = await opsOf(api.replaceOsds({ spec: { hostPattern: "node-1", dataDevices: { paths: ["/dev/sdb"] }, osdIdClaims: { "node-1": { osdIds: [0] } } } }));
    expect(lifecycleProblems(msgs)).toEqual([]);
    const op = msgs.at(-1)!;
    expect(op.state, op.message).toBe(S.STATE_SUCCEEDED);
    expect(created(op).map((o) => [o.osdId, o.hostname, o.data])).toEqual([[0, "node-1", "/dev/sdb"]]);
    expect((await osdDaemons(api)).find((d) => d.id === 0)).toMatchObject({ host: "node-1", status: DS.STATUS_RUNNING });
    expect((await api.getOsdRemovalStatus()).removals.find((r) => r.osdId === 0)).toMatchObject({ state: R.STATE_DONE, replace: true });
    expect((await device(api, "node-1", "/dev/sdb")).osdId).toBe(0);
  });

  it("claiming an OSD that does not exist is NOT_FOUND and creates nothing", async () => {
    const api = await start();
    const e = await refusal(api.replaceOsds({ spec: { hostPattern: "node-1", dataDevices: { paths: ["/dev/sdc"] }, osdIdClaims: { "node-1": { osdIds: [99] } } } }));
    expect(grpc.status[e.code]).toBe("NOT_FOUND");
    expect(e.resource).toMatchObject({ resourceType: "osd", resourceName: "osd.99" });
    expect((await osdDaemons(api)).map((d) => d.id)).toEqual([0, 1, 2]);
    expect((await device(api, "node-1", "/dev/sdc")).available).toBe(true);
  });

  it("claiming, for one host, an OSD of another host is refused and changes nothing", async () => {
    const api = await start();
    const e = await refusal(api.replaceOsds({ spec: { hostPattern: "node-2", dataDevices: { paths: ["/dev/sdc"] }, osdIdClaims: { "node-2": { osdIds: [0] } } } }));
    expect(["INVALID_ARGUMENT", "FAILED_PRECONDITION"]).toContain(grpc.status[e.code]);
    expect((await osdDaemons(api)).find((d) => d.id === 0)).toMatchObject({ host: "node-1", status: DS.STATUS_RUNNING });
  });

  it("without claims is INVALID_ARGUMENT naming spec.osd_id_claims", async () => {
    const api = await start();
    const e = await refusal(api.replaceOsds({ spec: { hostPattern: "node-1", dataDevices: { paths: ["/dev/sdb"] } } }));
    expect(e.fields).toEqual(["spec.osd_id_claims"]);
  });
});

it("a detached CreateOsds stream does not stop the OSDs being created", async () => {
  const api = await start({ delays: { createOsd: 100 } });
  const s = api.createOsds({ spec: { hostPattern: "node-1", dataDevices: { paths: ["/dev/sdc"] } } });
  const first = await readUntil(s, () => true);
  detach(s);
  const done = await api.waitOperations({ ids: [first[0]!.id], timeout: { seconds: "10", nanos: 0 } });
  expect(done.operations[0]?.state).toBe(S.STATE_SUCCEEDED);
  expect((await device(api, "node-1", "/dev/sdc")).osdId).toBe(3);
});
