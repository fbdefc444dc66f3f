import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { Device, Device_Type } from "../../../gen/ts/ceph_orchestrator/v1/inventory.js";
import createBackend from "../../../backends/sim/index.js";
import { DEFAULT_DELAYS, STEP_KINDS, parseConfig } from "../../../backends/sim/config.js";
import { TINY, fixtureFile, log, sim } from "./helpers.js";

const SYS_API_KEYS = [
  "human_readable_size",
  "locked",
  "model",
  "nr_requests",
  "partitions",
  "path",
  "removable",
  "rev",
  "ro",
  "rotational",
  "sas_address",
  "sas_device_handle",
  "scheduler_mode",
  "sectors",
  "sectorsize",
  "size",
  "support_discard",
  "vendor",
];

describe("sim fixture", () => {
  it("loads the default fixture with every ceph-volume field on every device", async () => {
    const backend = await sim();
    const inventory = await backend.getInventory([], false);
    expect(inventory.map((h) => [h.hostname, h.addr])).toEqual([
      ["node-1", "10.0.0.11"],
      ["node-2", "10.0.0.12"],
      ["node-3", "10.0.0.13"],
    ]);
    for (const host of inventory) {
      expect(host.lastRefresh?.seconds).toMatch(/^\d+$/);
      for (const d of host.devices) {
        expect(d.path).toMatch(/^\/dev\//);
        expect(d.deviceId).not.toBe("");
        expect(d.model).not.toBe("");
        expect(d.type).not.toBe(Device_Type.TYPE_UNSPECIFIED);
        expect(d.sizeBytes).toMatch(/^\d+$/);
        expect(d.humanReadableSize).toMatch(/^\d+\.\d\d [KMGT]B$/);
        expect(Object.keys(d.sysApi ?? {})).toEqual(SYS_API_KEYS);
        expect(d.sysApi?.size).toBe(Number(d.sizeBytes));
        expect(d.sysApi?.rotational).toBe(d.rotational ? "1" : "0");
        expect(d.available).toBe(d.rejectedReasons.length === 0);
      }
    }
    const node1 = inventory[0]?.devices ?? [];
    const os = node1.find((d) => d.path === "/dev/sda");
    expect(os).toMatchObject({ available: false, rejectedReasons: ["locked", "Has partitions"], osdId: -1, lvs: [] });
    expect(Object.keys(os?.sysApi?.partitions ?? {})).toEqual(["sda1", "sda2", "sda3"]);
    const used = node1.find((d) => d.path === "/dev/sdb");
    expect(used).toMatchObject({
      available: false,
      rejectedReasons: ["LVM detected", "locked"],
      osdId: 0,
      type: Device_Type.TYPE_HDD,
      rotational: true,
      sizeBytes: "4000787030016",
      humanReadableSize: "3.64 TB",
    });
    expect(used?.lvs).toEqual([
      {
        name: "osd-block-1b6f0c4e-2d9a-4f3b-8e5c-7a1d2e3f4a50",
        osdId: 0,
        clusterName: "ceph",
        type: "block",
        osdFsid: "1b6f0c4e-2d9a-4f3b-8e5c-7a1d2e3f4a50",
        clusterFsid: "8c3e5f2a-4b7d-11ef-9a1c-525400a1b2c3",
        osdspecAffinity: "default_drive_group",
        blockUuid: "Hk3v2e-1Zc2-Qm8P-x0Lr-T7aN-d4Ws-9bYuKe",
      },
    ]);
    const big = inventory[2]?.devices.find((d) => d.path === "/dev/sdf");
    expect(BigInt(big?.sizeBytes ?? 0)).toBeGreaterThan(2n ** 44n);
    expect(new Set(node1.map((d) => d.type))).toEqual(new Set([Device_Type.TYPE_HDD, Device_Type.TYPE_SSD, Device_Type.TYPE_NVME]));
  });

  it("runs the default services and daemons at 16.2.15", async () => {
    const backend = await sim();
    expect((await backend.listServices()).map((s) => s.serviceName)).toEqual(["mon", "mgr", "crash", "osd.default_drive_group"]);
    const daemons = await backend.listDaemons(false);
    expect(daemons.map((d) => d.daemonName).sort()).toEqual(
      ["crash.node-1", "crash.node-2", "crash.node-3", "mgr.node-1.xkqvzc", "mgr.node-2.lhmqbe", "mon.node-1", "mon.node-2", "mon.node-3", "osd.0", "osd.1", "osd.2"].sort(),
    );
    for (const d of daemons) {
      expect(d).toMatchObject({ status: 1, version: "16.2.15", containerId: "" });
      expect(d.pid).toBeGreaterThan(0);
      expect(d.created && d.started && d.lastRefresh).toBeTruthy();
    }
    expect(daemons.find((d) => d.daemonName === "osd.1")).toMatchObject({ hostname: "node-2", serviceName: "osd.default_drive_group" });
    expect(await backend.status()).toEqual({
      available: true,
      reason: "",
      details: { fsid: "8c3e5f2a-4b7d-11ef-9a1c-525400a1b2c3", hosts: "3", version: "16.2.15" },
    });
  });

  it("loads the tiny fixture", async () => {
    const backend = await sim({ fixture: TINY });
    const [host] = await backend.getInventory([], false);
    expect(host?.hostname).toBe("tiny-1");
    expect(host?.devices.map((d) => [d.path, d.available])).toEqual([
      ["/dev/sdb", true],
      ["/dev/sdc", true],
    ]);
    for (const s of await backend.listServices()) expect(s.created?.seconds).toMatch(/^\d+$/);
  });

  it("keeps sizes above 2^53 exact, through the wire format too", async () => {
    const file = await fixtureFile(`
hosts:
  - hostname: big-1
    devices:
      - { path: /dev/sdx, type: hdd, size_bytes: 9007199254740993 }
      - { path: /dev/sdy, type: ssd, size_bytes: "9223372036854775807" }
`);
    const backend = await sim({ fixture: file });
    const [host] = await backend.getInventory(["big-1"], false);
    const [x, y] = host?.devices ?? [];
    expect(x?.sizeBytes).toBe("9007199254740993");
    expect(y?.sizeBytes).toBe("9223372036854775807");
    // In sys_api (a Struct of doubles) an unsafe integer travels as its decimal string.
    expect(x?.sysApi?.size).toBe("9007199254740993");
    expect(x?.humanReadableSize).toBe("8.00 PB");
    for (const d of [x, y]) {
      const back = Device.decode(Device.encode(d as Device).finish());
      expect(back.sizeBytes).toBe(d?.sizeBytes);
      expect(back.sysApi).toEqual(d?.sysApi);
    }
  });

  it("reads a .json fixture as JSON: the same cluster as its YAML", async () => {
    const text = await readFile(new URL("../../../backends/sim/fixtures/default.yaml", import.meta.url), "utf8");
    const fromYaml = await sim();
    const fromJson = await sim({ fixture: await fixtureFile(JSON.stringify(YAML.parse(text, { merge: true })), "cluster.json") });
    const withoutTimes = (hosts: Awaited<ReturnType<typeof fromYaml.getInventory>>) => hosts.map((h) => ({ ...h, lastRefresh: undefined }));
    expect(withoutTimes(await fromJson.getInventory([], false))).toEqual(withoutTimes(await fromYaml.getInventory([], false)));
    expect(await fromJson.listServices()).toEqual(await fromYaml.listServices());
    const daemons = async (b: typeof fromYaml) => (await b.listDaemons(false)).map((d) => [d.daemonName, d.hostname, d.serviceName, d.status, d.version]);
    expect(await daemons(fromJson)).toEqual(await daemons(fromYaml));
  });

  it("refuses an integer beyond 2^53 in a JSON fixture, which JSON would round", async () => {
    const file = await fixtureFile('{"hosts": [{"hostname": "h", "devices": [{"path": "/dev/sdb", "type": "hdd", "size_bytes": 9007199254740993}]}]}', "big.json");
    await expect(sim({ fixture: file })).rejects.toThrow(/big\.json: invalid JSON: .*beyond 2\^53: write it as a decimal string/);
  });

  it("round-trips every default device through protobuf unchanged", async () => {
    const backend = await sim();
    for (const host of await backend.getInventory([], false)) {
      for (const d of host.devices) expect(Device.decode(Device.encode(d).finish())).toEqual(d);
    }
  });

  const bad: [string, string, RegExp][] = [
    ["an unknown key", "hosts:\n  - hostname: h\n    devices:\n      - { path: /dev/sdb, type: hdd, sise_bytes: 1 }\n", /hosts\[0\]\.devices\[0\]\.sise_bytes: unknown key/],
    ["a size that is not bytes", "hosts:\n  - hostname: h\n    devices:\n      - { path: /dev/sdb, type: hdd, size_bytes: 4TB }\n", /hosts\[0\]\.devices\[0\]\.size_bytes: expected a size in bytes/],
    ["a missing device type", "hosts:\n  - hostname: h\n    devices:\n      - { path: /dev/sdb, size_bytes: 1 }\n", /hosts\[0\]\.devices\[0\]\.type: required/],
    ["an unknown top-level key", "host:\n  - hostname: h\n", /host: unknown key \(expected one of: cluster, templates, hosts/],
    ["invalid YAML", "hosts: [\n", /invalid YAML/],
    ["a sys_api that contradicts the device", "hosts:\n  - hostname: h\n    devices:\n      - { path: /dev/sdb, type: hdd, size_bytes: 10, sys_api: { size: 11 } }\n", /hosts\[0\]\.devices\[0\]\.sys_api\.size: 11 contradicts/],
    ["a db LV without its OSD", "hosts:\n  - hostname: h\n    devices:\n      - path: /dev/sdb\n        type: ssd\n        size_bytes: 10\n        available: false\n        rejected_reasons: [LVM detected]\n        lvs: [{ osd_id: 4, type: db }]\n", /hosts\[0\]\.devices\[0\]\.lvs\[0\]\.osd_id: no block LV for osd\.4/],
    ["a daemon on an unknown host", "hosts: [{ hostname: h }]\ndaemons:\n  - { daemon_type: mon, daemon_id: a, hostname: nope }\n", /daemons\[0\]\.hostname: no host "nope"/],
    ["an unknown daemon status", "hosts: [{ hostname: h }]\ndaemons:\n  - { daemon_type: mon, daemon_id: a, hostname: h, status: dancing }\n", /daemons\[0\]\.status: expected one of running, stopped/],
    ["an mds daemon without its service", "hosts: [{ hostname: h }]\ndaemons:\n  - { daemon_type: mds, daemon_id: fs.h.abc, hostname: h }\n", /daemons\[0\]\.service_name: required/],
    ["a duplicate host", "hosts: [{ hostname: h }, { hostname: g }]\nspare_hosts: [{ hostname: h }]\n", /spare_hosts\[0\]\.hostname: duplicate host h/],
    ["a duplicate daemon", "hosts: [{ hostname: h }]\ndaemons:\n  - { daemon_type: mon, daemon_id: a, hostname: h }\n  - { daemon_type: mon, daemon_id: a, hostname: h }\n", /daemons\[1\]: duplicate daemon mon\.a/],
    ["an OSD daemon without its LV", "hosts: [{ hostname: h }]\ndaemons:\n  - { daemon_type: osd, daemon_id: 3, hostname: h }\n", /daemons\[0\]\.daemon_id: no block LV for osd\.3/],
    ["a destroyed OSD on an unknown host", "hosts: [{ hostname: h }]\ndestroyed_osds: [{ osd_id: 1, hostname: g }]\n", /destroyed_osds\[0\]\.hostname: no host "g"/],
  ];
  it.each(bad)("rejects %s, naming the file and the key", async (_what, text, message) => {
    const file = await fixtureFile(text, "broken.yaml");
    const load = sim({ fixture: file });
    await expect(load).rejects.toThrow(message);
    await expect(load).rejects.toThrow(file);
  });

  it("names a missing fixture file", async () => {
    await expect(sim({ fixture: "/nonexistent/cluster.yaml" })).rejects.toThrow(/\/nonexistent\/cluster\.yaml: cannot read the fixture/);
  });

  it("accepts its own fixtures unchanged as YAML anchors and merges", async () => {
    // default.yaml relies on `<<: *anchor`; a plain copy must load the same.
    const text = await readFile(new URL("../../../backends/sim/fixtures/default.yaml", import.meta.url), "utf8");
    const backend = await sim({ fixture: await fixtureFile(text) });
    expect((await backend.listHosts()).length).toBe(3);
  });
});

describe("sim configuration", () => {
  it.each([
    [{ delays: { addHost: 1, teleport: 2 } }, /delays\.teleport: unknown key/],
    [{ delays: -1 }, /delays: expected milliseconds/],
    [{ failures: { failingDevices: ["/dev/sdb"] } }, /failures\.failingDevices: expected "host:\/dev\/path"/],
    [{ version: "latest" }, /version: expected a version/],
    [{ colour: "blue" }, /colour: unknown key/],
  ])("rejects %j", async (config, message) => {
    await expect(createBackend({ config, log })).rejects.toThrow(message);
  });

  it("takes delays in milliseconds or as durations, per kind or for every kind", () => {
    expect(Object.values(parseConfig({ delays: "200ms" }).delays)).toEqual(STEP_KINDS.map(() => 200));
    const delays = parseConfig({ delays: { createOsd: "2s", drainPerPg: 50, markOut: "75" } }).delays;
    expect(delays).toEqual({ ...DEFAULT_DELAYS, createOsd: 2000, drainPerPg: 50, markOut: 75 });
  });

  it("rejects a delay that is no duration, naming its kind", () => {
    expect(() => parseConfig({ delays: { createOsd: "soon" } })).toThrow(/sim backend configuration: delays\.createOsd: expected a duration/);
    expect(() => parseConfig({ delays: "2 weeks" })).toThrow(/delays: expected milliseconds/);
  });
});
