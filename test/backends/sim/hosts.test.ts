import { describe, expect, it } from "vitest";
import type { Timestamp } from "../../../gen/ts/google/protobuf/timestamp.js";
import { Host_Status } from "../../../gen/ts/ceph_orchestrator/v1/host.js";
import { LightType } from "../../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { PlannedOsd } from "../../../gen/ts/ceph_orchestrator/v1/osd.js";
import { DaemonDescription_Status, ServiceType } from "../../../gen/ts/ceph_orchestrator/v1/service.js";
import {
  AlreadyExistsError,
  BackendUnavailableError,
  ExecutionError,
  NotFoundError,
} from "../../../src/domain/errors.js";
import { TINY, fixtureFile, sim, stepContext } from "./helpers.js";

const ms = (t?: Timestamp) => Number(t?.seconds) * 1000 + (t?.nanos ?? 0) / 1e6;
const host = (hostname: string, addr = "", labels: string[] = []) => ({ hostname, addr, labels, status: 0, statusMessage: "" });

describe("sim hosts", () => {
  it("lists the fixture's hosts online", async () => {
    const backend = await sim();
    expect(await backend.listHosts()).toEqual([
      { hostname: "node-1", addr: "10.0.0.11", labels: ["_admin", "mon", "mgr", "osd"], status: Host_Status.STATUS_ONLINE, statusMessage: "" },
      { hostname: "node-2", addr: "10.0.0.12", labels: ["mon", "mgr", "osd"], status: Host_Status.STATUS_ONLINE, statusMessage: "" },
      { hostname: "node-3", addr: "10.0.0.13", labels: ["mon", "osd"], status: Host_Status.STATUS_ONLINE, statusMessage: "" },
    ]);
  });

  it("adds a spare host with its disks, idempotently", async () => {
    const backend = await sim();
    const added = await backend.addHost(stepContext(), host("node-4", "", ["osd"]));
    expect(added).toMatchObject({ hostname: "node-4", addr: "10.0.0.14", labels: ["osd"], status: Host_Status.STATUS_ONLINE });
    const [inv] = await backend.getInventory(["node-4"], false);
    expect(inv?.devices.map((d) => [d.path, d.available])).toEqual([
      ["/dev/nvme0n1", true],
      ["/dev/sda", false],
      ["/dev/sdb", true],
      ["/dev/sdc", true],
    ]);
    expect(await backend.addHost(stepContext(), host("node-4", "10.0.0.14", ["osd"]))).toEqual(added);
    await expect(backend.addHost(stepContext(), host("node-4", "", ["mon"]))).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await backend.listHosts()).length).toBe(4);
  });

  it("adds an unknown machine with no devices", async () => {
    const backend = await sim();
    expect(await backend.addHost(stepContext(), host("node-9"))).toMatchObject({ hostname: "node-9", addr: "node-9" });
    expect((await backend.getInventory(["node-9"], false))[0]?.devices).toEqual([]);
  });

  it("removes a host with its daemons, and keeps its disks for a re-add", async () => {
    const backend = await sim();
    await backend.addHost(stepContext(), host("node-4"));
    await backend.createOsd(stepContext(), "node-4", PlannedOsd.fromPartial({ data: "/dev/sdb", osdId: -1 }), "osd.x", false);
    await backend.removeHost(stepContext(), "node-4");
    await backend.removeHost(stepContext(), "node-4");
    expect((await backend.listHosts()).map((h) => h.hostname)).toEqual(["node-1", "node-2", "node-3"]);
    expect((await backend.listDaemons(false)).some((d) => d.hostname === "node-4")).toBe(false);
    await expect(backend.getInventory(["node-4"], false)).rejects.toBeInstanceOf(NotFoundError);
    // The OSD stays in the map, down, until it is purged.
    expect(await backend.osdSafety(3)).toEqual({ safeToDestroy: false, pgCount: 32 });

    await backend.addHost(stepContext(), host("node-4"));
    const sdb = (await backend.getInventory(["node-4"], false))[0]?.devices.find((d) => d.path === "/dev/sdb");
    expect(sdb).toMatchObject({ available: false, osdId: 3 });
    await backend.purgeOsd(stepContext(), 3);
    expect((await backend.getInventory(["node-4"], false))[0]?.devices.find((d) => d.path === "/dev/sdb")?.available).toBe(true);
  });

  it("removes an unreachable host", async () => {
    const backend = await sim({ failures: { unreachableHosts: ["node-3"] } });
    await backend.removeHost(stepContext(), "node-3");
    expect((await backend.listHosts()).length).toBe(2);
  });

  it("sets labels", async () => {
    const backend = await sim();
    expect(await backend.setHostLabels(stepContext(), "node-3", ["mon", "mgr", "mgr"])).toMatchObject({ labels: ["mon", "mgr"] });
    expect((await backend.listHosts())[2]?.labels).toEqual(["mon", "mgr"]);
    await expect(backend.setHostLabels(stepContext(), "node-7", [])).rejects.toThrow(new NotFoundError("host", "node-7"));
  });
});

describe("sim unreachable hosts", () => {
  it("shows the host offline and fails its steps naming it", async () => {
    const backend = await sim({ failures: { unreachableHosts: ["node-2"] }, delays: { deployDaemon: 20, removeDaemon: 0, upgradeDaemon: 0, createOsd: 0, deviceLight: 0 } });
    const node2 = (await backend.listHosts())[1];
    expect(node2).toMatchObject({ hostname: "node-2", status: Host_Status.STATUS_OFFLINE });
    expect(node2?.statusMessage).toContain("node-2");

    const daemons = await backend.listDaemons(true);
    for (const d of daemons.filter((x) => x.hostname === "node-2")) {
      expect(d.status).toBe(DaemonDescription_Status.STATUS_UNKNOWN);
    }

    const started = Date.now();
    const deploy = backend.deployDaemon(stepContext(), {
      serviceType: ServiceType.SERVICE_TYPE_CRASH,
      serviceName: "crash",
      daemonId: "node-2b",
      hostname: "node-2",
      network: "",
      service: { serviceType: ServiceType.SERVICE_TYPE_CRASH, serviceId: "", serviceName: "crash", radosConfigLocation: "", serviceUrl: "", unmanaged: false },
    });
    await expect(deploy).rejects.toBeInstanceOf(ExecutionError);
    await expect(deploy).rejects.toMatchObject({ hostname: "node-2", message: expect.stringContaining("node-2") });
    // The failure comes after the step's time, as a connection timeout would.
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect((await backend.listDaemons(false)).some((d) => d.daemonId === "node-2b")).toBe(false);

    const mon = daemons.find((d) => d.daemonName === "mon.node-2");
    if (!mon) throw new Error("no mon.node-2");
    await expect(backend.removeDaemon(stepContext(), mon)).rejects.toMatchObject({ hostname: "node-2" });
    await expect(backend.upgradeDaemon(stepContext(), mon, "17.2.7")).rejects.toMatchObject({ hostname: "node-2" });
    await expect(
      backend.createOsd(stepContext(), "node-2", PlannedOsd.fromPartial({ data: "/dev/sdc", osdId: -1 }), "osd.x", false),
    ).rejects.toMatchObject({ hostname: "node-2" });
    await expect(backend.setDeviceLight(stepContext(), { hostname: "node-2", deviceId: "", path: "/dev/sdc" }, LightType.LIGHT_TYPE_IDENT, true)).rejects.toMatchObject({
      hostname: "node-2",
    });
  });

  it("takes unreachable hosts from the fixture too, and fails adding one", async () => {
    const file = await fixtureFile(`
hosts:
  - { hostname: up-1 }
  - { hostname: down-1, unreachable: true }
spare_hosts:
  - { hostname: down-2, addr: 10.1.1.2, unreachable: true }
`);
    const backend = await sim({ fixture: file });
    expect((await backend.listHosts()).map((h) => h.status)).toEqual([Host_Status.STATUS_ONLINE, Host_Status.STATUS_OFFLINE]);
    await expect(backend.addHost(stepContext(), host("down-2"))).rejects.toThrow(/down-2/);
    expect((await backend.listHosts()).length).toBe(2);
  });
});

describe("sim inventory", () => {
  it("refreshes reachable hosts only, taking the refresh time", async () => {
    const backend = await sim({ failures: { unreachableHosts: ["node-3"] }, delays: { inventoryRefresh: 30 } });
    const before = await backend.getInventory([], false);
    const started = Date.now();
    const after = await backend.getInventory(["node-1", "node-3"], true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(after.map((h) => h.hostname)).toEqual(["node-1", "node-3"]);
    expect(ms(after[0]?.lastRefresh)).toBeGreaterThanOrEqual(ms(before[0]?.lastRefresh) + 25);
    expect(after[1]?.lastRefresh).toEqual(before[2]?.lastRefresh);
    await expect(backend.getInventory(["node-7"], false)).rejects.toThrow(new NotFoundError("host", "node-7"));
  });

  it("records device lights by path or device id", async () => {
    const backend = await sim();
    await backend.setDeviceLight(stepContext(), { hostname: "node-1", deviceId: "", path: "/dev/sdc" }, LightType.LIGHT_TYPE_IDENT, true);
    await backend.setDeviceLight(stepContext(), { hostname: "node-1", deviceId: "SEAGATE_ST4000NM0025_ZC1A0N12", path: "" }, LightType.LIGHT_TYPE_FAULT, true);
    expect(backend.deviceLights("node-1", "/dev/sdc")).toEqual({ ident: true, fault: true });
    await backend.setDeviceLight(stepContext(), { hostname: "node-1", deviceId: "", path: "/dev/sdc" }, LightType.LIGHT_TYPE_IDENT, false);
    expect(backend.deviceLights("node-1", "/dev/sdc")).toEqual({ ident: false, fault: true });
    await expect(
      backend.setDeviceLight(stepContext(), { hostname: "node-1", deviceId: "", path: "/dev/sdz" }, LightType.LIGHT_TYPE_IDENT, true),
    ).rejects.toThrow(new NotFoundError("device", "node-1:/dev/sdz"));
  });
});

describe("sim cluster status", () => {
  it("reports an unreachable cluster and refuses to answer", async () => {
    const backend = await sim({ failures: { clusterUnreachable: true } });
    const status = await backend.status();
    expect(status.available).toBe(false);
    expect(status.reason).toMatch(/unreachable/);
    await expect(backend.listHosts()).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it("takes an unreachable cluster from the fixture", async () => {
    const file = await fixtureFile("cluster: { unreachable: true }\nhosts: [{ hostname: h }]\n");
    await expect((await sim({ fixture: file })).status()).resolves.toMatchObject({ available: false });
  });

  it("counts hosts", async () => {
    const backend = await sim({ fixture: TINY });
    expect((await backend.status()).details).toMatchObject({ hosts: "1", version: "16.2.15" });
  });
});
