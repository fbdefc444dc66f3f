import { describe, it, expect } from "vitest";
import { compareCephVersions, parseCephVersion } from "../../src/backend/versions.js";
import { UPGRADE_ORDER, orderDaemonsForUpgrade } from "../../src/domain/upgrade-order.js";
import { DaemonDescription_Status, ServiceType, DaemonDescription } from "../../gen/ts/ceph_orchestrator/v1/service.js";

function d(daemonType: ServiceType, hostname: string, daemonId: string): DaemonDescription {
  return DaemonDescription.fromPartial({
    daemonType,
    daemonId,
    daemonName: `${daemonType}.${daemonId}`,
    serviceName: "",
    hostname,
    status: DaemonDescription_Status.STATUS_RUNNING,
    statusDesc: "",
    version: "16.2.15",
    containerId: "",
    pid: 0,
    lastRefresh: undefined,
    created: undefined,
    started: undefined,
  });
}

const T = ServiceType;

describe("UPGRADE_ORDER", () => {
  it("lists mon, mgr, osd, mds, rgw, nfs, iscsi, rbd-mirror, then crash", () => {
    expect(UPGRADE_ORDER).toEqual([
      T.SERVICE_TYPE_MON,
      T.SERVICE_TYPE_MGR,
      T.SERVICE_TYPE_OSD,
      T.SERVICE_TYPE_MDS,
      T.SERVICE_TYPE_RGW,
      T.SERVICE_TYPE_NFS,
      T.SERVICE_TYPE_ISCSI,
      T.SERVICE_TYPE_RBD_MIRROR,
      T.SERVICE_TYPE_CRASH,
    ]);
  });
});

describe("orderDaemonsForUpgrade", () => {
  it("orders by type, then hostname, then daemon id", () => {
    const input = [
      d(T.SERVICE_TYPE_CRASH, "node1", "node1"),
      d(T.SERVICE_TYPE_OSD, "node2", "10"),
      d(T.SERVICE_TYPE_OSD, "node1", "11"),
      d(T.SERVICE_TYPE_OSD, "node2", "2"),
      d(T.SERVICE_TYPE_MGR, "node2", "node2.xyzabc"),
      d(T.SERVICE_TYPE_MON, "node2", "node2"),
      d(T.SERVICE_TYPE_MON, "node1", "node1"),
      d(T.SERVICE_TYPE_RBD_MIRROR, "node1", "node1.aaaaaa"),
      d(T.SERVICE_TYPE_RGW, "node1", "z.node1.bbbbbb"),
      d(T.SERVICE_TYPE_MDS, "node1", "fs.node1.cccccc"),
      d(T.SERVICE_TYPE_NFS, "node1", "n.node1.dddddd"),
      d(T.SERVICE_TYPE_ISCSI, "node1", "i.node1.eeeeee"),
    ];
    const out = orderDaemonsForUpgrade(input).map((x) => `${T[x.daemonType]}:${x.hostname}:${x.daemonId}`);
    expect(out).toEqual([
      "SERVICE_TYPE_MON:node1:node1",
      "SERVICE_TYPE_MON:node2:node2",
      "SERVICE_TYPE_MGR:node2:node2.xyzabc",
      "SERVICE_TYPE_OSD:node1:11",
      "SERVICE_TYPE_OSD:node2:2",
      "SERVICE_TYPE_OSD:node2:10",
      "SERVICE_TYPE_MDS:node1:fs.node1.cccccc",
      "SERVICE_TYPE_RGW:node1:z.node1.bbbbbb",
      "SERVICE_TYPE_NFS:node1:n.node1.dddddd",
      "SERVICE_TYPE_ISCSI:node1:i.node1.eeeeee",
      "SERVICE_TYPE_RBD_MIRROR:node1:node1.aaaaaa",
      "SERVICE_TYPE_CRASH:node1:node1",
    ]);
  });

  it("compares numeric ids as numbers, before other ids", () => {
    const out = orderDaemonsForUpgrade([
      d(T.SERVICE_TYPE_OSD, "h", "100"),
      d(T.SERVICE_TYPE_OSD, "h", "b"),
      d(T.SERVICE_TYPE_OSD, "h", "9"),
      d(T.SERVICE_TYPE_OSD, "h", "a"),
      d(T.SERVICE_TYPE_OSD, "h", "10"),
    ]).map((x) => x.daemonId);
    expect(out).toEqual(["9", "10", "100", "a", "b"]);
  });

  it("puts unknown types last and does not change its input", () => {
    const input = [d(T.SERVICE_TYPE_UNSPECIFIED, "a", "x"), d(T.SERVICE_TYPE_CRASH, "z", "z")];
    const out = orderDaemonsForUpgrade(input);
    expect(out.map((x) => x.daemonType)).toEqual([T.SERVICE_TYPE_CRASH, T.SERVICE_TYPE_UNSPECIFIED]);
    expect(input[0]?.daemonType).toBe(T.SERVICE_TYPE_UNSPECIFIED);
  });
});

describe("compareCephVersions", () => {
  it.each([
    ["16.2.15", "16.2.15", 0],
    ["16.2.9", "16.2.15", -1],
    ["16.2.15", "16.2.9", 1],
    ["17.2.0", "16.2.15", 1],
    ["v16.2.15", "16.2.15", 0],
    ["16.2", "16.2.0", 0],
    ["16.2.15-1", "16.2.15", 1],
    ["16.2.15-2", "16.2.15-10", -1],
    ["17.2.6-123-gabcdef", "17.2.6-99-gfff", 1],
    ["bogus", "1.0.0", -1],
    ["1.0.0", "bogus", 1],
  ])("%s vs %s is %i", (a, b, expected) => {
    expect(Math.sign(compareCephVersions(a, b))).toBe(expected);
    expect(Math.sign(compareCephVersions(b, a))).toBe(-expected || 0);
  });

  it("sorts a list of versions", () => {
    expect(["17.2.7", "v16.2.15", "16.2.9", "18.2.0", "16.2.15-1"].sort(compareCephVersions)).toEqual([
      "16.2.9",
      "v16.2.15",
      "16.2.15-1",
      "17.2.7",
      "18.2.0",
    ]);
  });

  it("parses versions", () => {
    expect(parseCephVersion("v16.2.15-1")).toEqual({ numbers: [16, 2, 15], suffix: ["1"] });
    expect(parseCephVersion("16.2.x")).toBeUndefined();
    expect(parseCephVersion("")).toBeUndefined();
  });
});
