// The sim keeps its cluster in the service's database (BackendOptions.store): the fixture
// seeds a new database, every completed step is saved before it resolves, a step in
// progress is saved as it was before, and a restart finds the cluster as it was.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DaemonDescription_Status, ServiceType } from "../../../gen/ts/ceph_orchestrator/v1/service.js";
import { PlannedOsd } from "../../../gen/ts/ceph_orchestrator/v1/osd.js";
import createBackend from "../../../backends/sim/index.js";
import type { SimBackend } from "../../../backends/sim/cluster.js";
import type { BackendStore } from "../../../src/backend/backend.js";
import { SqliteBackendStore } from "../../../src/persistence/backend-store.js";
import { type OrchestratorDatabase, openDatabase } from "../../../src/persistence/database.js";
import { log, stepContext, TINY } from "./helpers.js";

const dirs: string[] = [];
const databases: OrchestratorDatabase[] = [];

afterEach(() => {
  for (const db of databases.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "sim-store-"));
  dirs.push(dir);
  return dir;
}

async function simOn(dir: string, config: Record<string, unknown> = {}): Promise<{ sim: SimBackend; database: OrchestratorDatabase }> {
  const database = openDatabase(dir);
  databases.push(database);
  const store = new SqliteBackendStore(database, "sim");
  const sim = (await createBackend({ config: { delays: 0, ...config }, log, store })) as SimBackend;
  return { sim, database };
}

/** Ends the process's hold on the database as a crash would: only what was committed stays. */
function crash(database: OrchestratorDatabase): void {
  databases.splice(databases.indexOf(database), 1);
  database.db.close();
}

describe("sim backend with a store", () => {
  it("seeds a new database from the fixture, then restores the saved cluster instead of the fixture", async () => {
    const dir = tempDir();
    const first = await simOn(dir);
    const fsid = (await first.sim.status()).details.fsid;
    await first.sim.addHost(stepContext(), { hostname: "node-4", addr: "", labels: ["osd"], status: 0, statusMessage: "" });
    const osd = await first.sim.createOsd(stepContext(), "node-4", PlannedOsd.fromPartial({ data: "/dev/sdb", osdId: -1 }), "osd.x", false);
    crash(first.database);

    // Another fixture now: the database wins.
    const second = await simOn(dir, { fixture: TINY });
    expect((await second.sim.status()).details.fsid).toBe(fsid);
    const hosts = await second.sim.listHosts();
    expect(hosts.map((h) => h.hostname)).toContain("node-4");
    expect(hosts.find((h) => h.hostname === "node-4")!.labels).toEqual(["osd"]);
    const inventory = await second.sim.getInventory(["node-4"], false);
    const sdb = inventory[0]!.devices.find((d) => d.path === "/dev/sdb")!;
    expect(sdb).toMatchObject({ available: false, osdId: osd.osdId });
    expect(typeof sdb.sizeBytes).toBe("string");
    const daemons = await second.sim.listDaemons(false);
    expect(daemons.find((d) => d.daemonName === `osd.${osd.osdId}`)?.status).toBe(DaemonDescription_Status.STATUS_RUNNING);
    // Idempotent across the restart: asking again returns the same OSD, nothing new.
    const again = await second.sim.createOsd(stepContext(), "node-4", PlannedOsd.fromPartial({ data: "/dev/sdb", osdId: -1 }), "osd.x", false);
    expect(again.osdId).toBe(osd.osdId);
  });

  it("resolves a step only once its effect is committed", async () => {
    const dir = tempDir();
    const { sim, database } = await simOn(dir);
    const commits = database.stats.commits;
    await sim.setHostLabels(stepContext(), "node-1", ["mon", "extra"]);
    expect(database.stats.commits).toBeGreaterThan(commits);
    crash(database);
    const { sim: after } = await simOn(dir);
    expect((await after.listHosts()).find((h) => h.hostname === "node-1")!.labels).toEqual(["mon", "extra"]);
  });

  it("never saves a daemon mid-deployment: a crash then leaves no trace of it", async () => {
    const dir = tempDir();
    const { sim, database } = await simOn(dir, { delays: { deployDaemon: 60_000 } });
    const service = { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: "fs", serviceName: "mds.fs", placement: undefined, created: undefined, radosConfigLocation: "", serviceUrl: "", details: undefined, unmanaged: false };
    const stop = new AbortController();
    void sim
      .deployDaemon(stepContext(stop.signal), { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceName: "mds.fs", daemonId: "fs.node-1.a", hostname: "node-1", network: "", service })
      .catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await sim.listDaemons(false)).some((d) => d.daemonName === "mds.fs.node-1.a")).toBe(true);
    // Another step commits the cluster meanwhile.
    await sim.setHostLabels(stepContext(), "node-2", ["x"]);
    crash(database);
    const { sim: after } = await simOn(dir);
    expect((await after.listDaemons(false)).some((d) => d.daemonName === "mds.fs.node-1.a")).toBe(false);
    stop.abort();
    expect((await after.listHosts()).find((h) => h.hostname === "node-2")!.labels).toEqual(["x"]);
  });

  it("never saves an OSD prepared but not started: after a crash its device is free again", async () => {
    const dir = tempDir();
    // Prepared after 200 ms, then cancelled: the sim keeps it prepared, for a retry to start.
    const { sim, database } = await simOn(dir, { delays: { createOsd: 400 } });
    const stop = new AbortController();
    const planned = PlannedOsd.fromPartial({ data: "/dev/sdc", osdId: -1 });
    const step = sim.createOsd(stepContext(stop.signal), "node-1", planned, "osd.x", false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.abort();
    await expect(step).rejects.toThrow();
    const prepared = (await sim.getInventory(["node-1"], false))[0]!.devices.find((d) => d.path === "/dev/sdc")!;
    expect(prepared.available).toBe(false);
    await sim.setHostLabels(stepContext(), "node-2", ["z"]);
    crash(database);
    const { sim: after } = await simOn(dir, { delays: 0 });
    const sdc = (await after.getInventory(["node-1"], false))[0]!.devices.find((d) => d.path === "/dev/sdc")!;
    expect(sdc).toMatchObject({ available: true, lvs: [], osdId: -1 });
    expect(sdc.sysApi).toMatchObject({ locked: 0 });
    const created = await after.createOsd(stepContext(), "node-1", planned, "osd.x", false);
    expect((await after.listDaemons(false)).filter((d) => d.daemonName === `osd.${created.osdId}`)).toHaveLength(1);
  });

  it("saves a restarting daemon as it was until the restart completes", async () => {
    const dir = tempDir();
    const { sim, database } = await simOn(dir, { delays: { upgradeDaemon: 60_000 } });
    const mon = (await sim.listDaemons(false)).find((d) => d.daemonName === "mon.node-1")!;
    const stop = new AbortController();
    void sim.upgradeDaemon(stepContext(stop.signal), mon, "17.2.7").catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await sim.setHostLabels(stepContext(), "node-2", ["y"]);
    crash(database);
    const { sim: after } = await simOn(dir);
    const saved = (await after.listDaemons(false)).find((d) => d.daemonName === "mon.node-1")!;
    expect(saved).toMatchObject({ status: DaemonDescription_Status.STATUS_RUNNING, version: mon.version, pid: mon.pid });
    stop.abort();
  });

  it("loads a cluster saved in format 1, and saves it back unchanged", async () => {
    // As the sim has saved it since format 1: a change to the format must keep loading this.
    const device = {
      path: "/dev/sdb",
      deviceId: "ACME_D1_S1",
      available: false,
      rejectedReasons: ["LVM detected", "locked"],
      type: 1,
      sizeBytes: "18446744073709551615",
      rotational: true,
      vendor: "ACME",
      model: "D1",
      humanReadableSize: "16.00 EB",
      lvs: [{ name: "osd-block-f1", osdId: 3, clusterName: "ceph", type: "block", osdFsid: "f1", clusterFsid: "c1", osdspecAffinity: "", blockUuid: "u1" }],
      sysApi: { locked: 1, path: "/dev/sdb", size: "18446744073709551615" },
      ident: true,
      fault: false,
    };
    const saved = {
      format: 1,
      fsid: "c1",
      pgsPerOsd: 8,
      lastPid: 5000,
      hosts: [{ hostname: "h1", addr: "10.0.0.1", labels: ["_admin"], devices: [device], refreshedAt: 1_700_000_000_000 }],
      spares: [{ hostname: "h2", addr: "10.0.0.2", devices: [] }],
      services: [],
      daemons: [
        { type: ServiceType.SERVICE_TYPE_OSD, id: "3", name: "osd.3", serviceName: "osd", hostname: "h1", status: DaemonDescription_Status.STATUS_RUNNING, statusDesc: "running", version: "17.2.7", pid: 4999, created: 1_700_000_000_000, started: 1_700_000_000_500, lastRefresh: 1_700_000_001_000 },
      ],
      osds: [
        { id: 3, hostname: "h1", data: "/dev/sdb", db: "", wal: "", journal: "", serviceName: "osd", osdFsid: "f1", in: false, outSince: 1_700_000_002_000, destroyed: false },
        { id: 4, hostname: "h1", data: "", db: "", wal: "", journal: "", serviceName: "", osdFsid: "", in: false, outSince: undefined, destroyed: true },
      ],
    };
    const store: BackendStore = { location: "memory", load: () => structuredClone(saved), save: async () => undefined };
    const backend = (await createBackend({ config: { delays: 0, fixture: TINY }, log, store })) as SimBackend;
    expect(backend.toState()).toEqual(saved);
    expect((await backend.status()).details).toEqual({ fsid: "c1", hosts: "1", version: "17.2.7" });
    const inventory = await backend.getInventory(["h1"], false);
    expect(inventory[0]!.devices[0]).toMatchObject({ sizeBytes: "18446744073709551615", osdId: 3, available: false });
    expect(await backend.listOsds()).toEqual([
      { osdId: 3, hostname: "h1", destroyed: false },
      { osdId: 4, hostname: "h1", destroyed: true },
    ]);
    expect(backend.deviceLights("h1", "/dev/sdb")).toEqual({ ident: true, fault: false });
  });
});
