// The benchmark's generated clusters (bench/fixtures.ts) are valid sim fixtures: a cheap
// check that `npm run bench` will not fail at its first step. The benchmark itself is not a test.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEVICES_PER_HOST, OSDS_PER_HOST, QUERY_LABEL, hostname, writeFixture } from "../../bench/fixtures.js";
import { sim } from "../backends/sim/helpers.js";

describe("bench fixtures", () => {
  it("makes a cluster the sim loads: 24 devices per host, OSDs, labels and services", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bench-fixture-"));
    const backend = await sim({ fixture: writeFixture(dir, 12) });
    const hosts = await backend.listHosts();
    expect(hosts.map((h) => h.hostname)).toEqual(Array.from({ length: 12 }, (_, i) => hostname(i + 1)));
    expect(hosts.filter((h) => h.labels.includes(QUERY_LABEL))).toHaveLength(5);
    const [inv] = await backend.getInventory([hostname(7)], false);
    expect(inv?.devices).toHaveLength(DEVICES_PER_HOST);
    expect(inv?.devices.filter((d) => d.available).map((d) => d.path)).toEqual(["/dev/sdv"]);
    expect(inv?.devices.filter((d) => d.osdId >= 0)).toHaveLength(OSDS_PER_HOST + 2); // 20 HDDs, 2 NVMe with their DBs
    const daemons = await backend.listDaemons(false);
    expect(daemons.filter((d) => d.serviceName === "osd.default_drive_group")).toHaveLength(12 * OSDS_PER_HOST);
    expect((await backend.listServices()).map((s) => s.serviceName).sort()).toEqual(["crash", "mgr", "mon", "osd.default_drive_group", "rgw.default"]);
  });

  it("makes a bare cluster whose devices are all free for CreateOsds", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bench-fixture-"));
    const backend = await sim({ fixture: writeFixture(dir, 3, true) });
    const [inv] = await backend.getInventory([hostname(2)], false);
    expect(inv?.devices).toHaveLength(DEVICES_PER_HOST);
    expect(inv?.devices.filter((d) => d.available)).toHaveLength(DEVICES_PER_HOST - 1);
    expect((await backend.listDaemons(false)).filter((d) => d.serviceName.startsWith("osd"))).toHaveLength(0);
  });
});
