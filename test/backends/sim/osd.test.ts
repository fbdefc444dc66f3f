import { describe, expect, it } from "vitest";
import { PlannedOsd } from "../../../gen/ts/ceph_orchestrator/v1/osd.js";
import { DaemonDescription_Status as Status, ServiceAction } from "../../../gen/ts/ceph_orchestrator/v1/service.js";
import {
  CancelledError,
  ExecutionError,
  FailedPreconditionError,
  NotFoundError,
} from "../../../src/domain/errors.js";
import type { SimBackend } from "../../../backends/sim/cluster.js";
import { TINY, sim, stepContext } from "./helpers.js";

const planned = (data: string, more: Partial<PlannedOsd> = {}): PlannedOsd => PlannedOsd.fromPartial({ data, osdId: -1, ...more });

async function device(backend: SimBackend, hostname: string, path: string) {
  const d = (await backend.getInventory([hostname], false))[0]?.devices.find((x) => x.path === path);
  if (!d) throw new Error(`no ${hostname}:${path}`);
  return d;
}

/** Stops the OSD's daemon, as the domain does before purging or destroying it. */
async function stop(backend: SimBackend, osdId: number): Promise<void> {
  const d = (await backend.listDaemons(false)).find((x) => x.daemonName === `osd.${osdId}`);
  if (!d) throw new Error(`no osd.${osdId} daemon`);
  await backend.daemonAction(stepContext(), d, ServiceAction.SERVICE_ACTION_STOP);
}

describe("sim OSD creation", () => {
  it("consumes the device and starts the OSD up and in, reporting progress", async () => {
    const backend = await sim({ fixture: TINY });
    const ctx = stepContext();
    const created = await backend.createOsd(ctx, "tiny-1", planned("/dev/sdb"), "osd.hdd", false);
    expect(created).toMatchObject({ osdId: 0, hostname: "tiny-1", data: "/dev/sdb", db: "", wal: "", dbSizeBytes: "0", crushDeviceClass: "" });
    expect(ctx.reported.map((p) => p.fraction)).toEqual([0, 0.5, 1]);

    const sdb = await device(backend, "tiny-1", "/dev/sdb");
    expect(sdb).toMatchObject({ available: false, rejectedReasons: ["LVM detected", "locked"], osdId: 0 });
    expect(sdb.sysApi?.locked).toBe(1);
    expect(sdb.lvs).toEqual([
      {
        name: expect.stringMatching(/^osd-block-[0-9a-f-]{36}$/),
        osdId: 0,
        clusterName: "ceph",
        type: "block",
        osdFsid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        clusterFsid: "0f1e2d3c-4b5a-4697-8887-a9b8c7d6e5f4",
        osdspecAffinity: "hdd",
        blockUuid: expect.stringMatching(/^\w{6}(-\w{4}){5}-\w{6}$/),
      },
    ]);
    expect((await backend.listDaemons(false)).find((d) => d.daemonName === "osd.0")).toMatchObject({
      status: Status.STATUS_RUNNING,
      serviceName: "osd.hdd",
      hostname: "tiny-1",
    });
    expect((await backend.listServices()).map((s) => s.serviceName)).toContain("osd.hdd");
    expect(await backend.osdSafety(0)).toEqual({ safeToDestroy: false, pgCount: 8 });
  });

  it("returns the existing OSD when asked again", async () => {
    const backend = await sim({ fixture: TINY });
    const first = await backend.createOsd(stepContext(), "tiny-1", planned("/dev/sdb"), "osd.hdd", false);
    expect(await backend.createOsd(stepContext(), "tiny-1", planned("/dev/sdb"), "osd.hdd", false)).toEqual(first);
    expect(await backend.createOsd(stepContext(), "tiny-1", planned("/dev/sdb", { osdId: 0 }), "osd.hdd", false)).toEqual(first);
    expect((await device(backend, "tiny-1", "/dev/sdb")).lvs.length).toBe(1);
    await expect(backend.createOsd(stepContext(), "tiny-1", planned("/dev/sdb", { osdId: 5 }), "osd.hdd", false)).rejects.toBeInstanceOf(ExecutionError);
  });

  it("takes the lowest free id and shares a DB device between OSDs", async () => {
    const backend = await sim();
    const a = await backend.createOsd(stepContext(), "node-1", planned("/dev/sdc", { db: "/dev/nvme0n1" }), "osd.fast", true);
    const b = await backend.createOsd(stepContext(), "node-1", planned("/dev/sdd", { db: "/dev/nvme0n1", wal: "/dev/sde" }), "osd.fast", true);
    expect([a.osdId, b.osdId]).toEqual([3, 4]);
    expect(b).toMatchObject({ osdId: 4, hostname: "node-1", data: "/dev/sdd", db: "/dev/nvme0n1", wal: "/dev/sde" });
    const nvme = await device(backend, "node-1", "/dev/nvme0n1");
    expect(nvme.available).toBe(false);
    expect(nvme.lvs.map((lv) => [lv.osdId, lv.type])).toEqual([
      [3, "db"],
      [4, "db"],
    ]);
    expect((await device(backend, "node-1", "/dev/sde")).lvs.map((lv) => [lv.osdId, lv.type])).toEqual([[4, "wal"]]);
  });

  it("refuses a device that is not available, or not there", async () => {
    const backend = await sim();
    await expect(backend.createOsd(stepContext(), "node-1", planned("/dev/sda"), "osd.x", false)).rejects.toThrow(
      /node-1:\/dev\/sda cannot hold a block: locked, Has partitions/,
    );
    await expect(backend.createOsd(stepContext(), "node-1", planned("/dev/sdc", { db: "/dev/sdb" }), "osd.x", false)).rejects.toBeInstanceOf(ExecutionError);
    await expect(backend.createOsd(stepContext(), "node-1", planned("/dev/sdz"), "osd.x", false)).rejects.toThrow(new NotFoundError("device", "node-1:/dev/sdz"));
    await expect(backend.createOsd(stepContext(), "node-8", planned("/dev/sdc"), "osd.x", false)).rejects.toThrow(new NotFoundError("host", "node-8"));
    expect((await device(backend, "node-1", "/dev/sdc")).available).toBe(true);
  });

  it("fails on an injected failing device, naming host and device", async () => {
    const backend = await sim({ failures: { failingDevices: ["node-2:/dev/sdc"] } });
    const creating = backend.createOsd(stepContext(), "node-2", planned("/dev/sdc"), "osd.x", false);
    await expect(creating).rejects.toBeInstanceOf(ExecutionError);
    await expect(creating).rejects.toMatchObject({ hostname: "node-2", message: expect.stringContaining("node-2:/dev/sdc") });
    expect((await device(backend, "node-2", "/dev/sdc")).available).toBe(true);
    expect((await backend.createOsd(stepContext(), "node-2", planned("/dev/sdd"), "osd.x", false)).osdId).toBe(3);
  });

  it("creates an OSD on a data directory without touching a disk", async () => {
    const backend = await sim({ fixture: TINY });
    const created = await backend.createOsd(stepContext(), "tiny-1", planned("/var/lib/ceph/osd-data/a"), "osd.dirs", false);
    expect(created).toMatchObject({ osdId: 0, data: "/var/lib/ceph/osd-data/a" });
    expect((await backend.getInventory([], false))[0]?.devices.every((d) => d.available)).toBe(true);
  });

  it("resumes a cancelled creation instead of preparing a second OSD", async () => {
    const backend = await sim({ fixture: TINY, delays: { createOsd: 200 } });
    const controller = new AbortController();
    const ctx = stepContext(controller.signal);
    const creating = backend.createOsd(ctx, "tiny-1", planned("/dev/sdb"), "osd.hdd", false);
    // Cancel once the device is prepared but the daemon not yet started.
    while (!ctx.reported.some((p) => p.fraction === 0.5)) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(creating).rejects.toBeInstanceOf(CancelledError);
    expect((await device(backend, "tiny-1", "/dev/sdb")).osdId).toBe(0);
    expect((await backend.listDaemons(false)).some((d) => d.daemonName === "osd.0")).toBe(false);

    expect(await backend.createOsd(stepContext(), "tiny-1", planned("/dev/sdb"), "osd.hdd", false)).toMatchObject({ osdId: 0 });
    expect((await device(backend, "tiny-1", "/dev/sdb")).lvs.length).toBe(1);
    expect((await backend.listDaemons(false)).find((d) => d.daemonName === "osd.0")?.status).toBe(Status.STATUS_RUNNING);
  });
});

describe("sim OSD removal", () => {
  it("drains an OSD marked out until it is safe to destroy", async () => {
    const backend = await sim({ delays: { markOut: 0, drainPerPg: 2 } });
    expect(await backend.osdSafety(1)).toEqual({ safeToDestroy: false, pgCount: 32 });
    await backend.markOsdOut(stepContext(), 1);
    await new Promise((r) => setTimeout(r, 20));
    const draining = await backend.osdSafety(1);
    expect(draining.pgCount).toBeLessThan(32);
    await backend.markOsdOut(stepContext(), 1);
    await new Promise((r) => setTimeout(r, 70));
    expect(await backend.osdSafety(1)).toEqual({ safeToDestroy: true, pgCount: 0 });
    await expect(backend.osdSafety(9)).rejects.toThrow(new NotFoundError("osd", "osd.9"));
    await expect(backend.markOsdOut(stepContext(), 9)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("purges: OSD gone, device available again, idempotently", async () => {
    const backend = await sim();
    await expect(backend.purgeOsd(stepContext(), 0)).rejects.toBeInstanceOf(FailedPreconditionError);
    await stop(backend, 0);
    await backend.purgeOsd(stepContext(), 0);
    await backend.purgeOsd(stepContext(), 0);
    expect(await device(backend, "node-1", "/dev/sdb")).toMatchObject({ available: true, rejectedReasons: [], lvs: [], osdId: -1 });
    expect((await device(backend, "node-1", "/dev/sdb")).sysApi?.locked).toBe(0);
    expect((await backend.listDaemons(false)).map((d) => d.daemonName)).not.toContain("osd.0");
    await expect(backend.osdSafety(0)).rejects.toBeInstanceOf(NotFoundError);
    // The purged id is free for the next new OSD.
    expect((await backend.createOsd(stepContext(), "node-2", planned("/dev/sdc"), "osd.x", false)).osdId).toBe(0);
  });

  it("destroys: daemon gone, id kept for a replacement, device zapped", async () => {
    const backend = await sim();
    await stop(backend, 2);
    await backend.destroyOsd(stepContext(), 2);
    await backend.destroyOsd(stepContext(), 2);
    expect((await backend.listDaemons(false)).map((d) => d.daemonName)).not.toContain("osd.2");
    expect(await device(backend, "node-3", "/dev/sdb")).toMatchObject({ available: true, lvs: [] });
    expect(await backend.osdSafety(2)).toEqual({ safeToDestroy: true, pgCount: 0 });

    // A new OSD does not take a destroyed id; a replacement that claims it does.
    expect((await backend.createOsd(stepContext(), "node-3", planned("/dev/sdc"), "osd.default_drive_group", false)).osdId).toBe(3);
    const replacement = await backend.createOsd(stepContext(), "node-3", planned("/dev/sdf", { osdId: 2 }), "osd.default_drive_group", false);
    expect(replacement).toMatchObject({ osdId: 2, data: "/dev/sdf" });
    expect((await device(backend, "node-3", "/dev/sdf")).osdId).toBe(2);
    expect(await backend.osdSafety(2)).toEqual({ safeToDestroy: false, pgCount: 32 });

    // A live OSD's id cannot be claimed.
    await expect(backend.createOsd(stepContext(), "node-3", planned("/dev/sdd", { osdId: 1 }), "osd.x", false)).rejects.toThrow(/osd\.1 exists/);
    await expect(backend.destroyOsd(stepContext(), 42)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("purges a destroyed OSD for good", async () => {
    const backend = await sim();
    await stop(backend, 1);
    await backend.destroyOsd(stepContext(), 1);
    await backend.purgeOsd(stepContext(), 1);
    await expect(backend.osdSafety(1)).rejects.toBeInstanceOf(NotFoundError);
  });
});
