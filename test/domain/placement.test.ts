import { describe, it, expect } from "vitest";
import { daemonIdFor } from "../../src/backend/daemon-ids.js";
import { resolvePlacement, validatePlacement } from "../../src/domain/placement.js";
import { AlreadyExistsError } from "../../src/domain/errors.js";
import { Host_Status, type Host } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import {
  DaemonDescription_Status,
  ServiceType,
  DaemonDescription,
  type HostPlacement,
  type Placement,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";

function host(hostname: string, labels: string[] = [], status = Host_Status.STATUS_ONLINE): Host {
  return { hostname, addr: "", labels, status, statusMessage: "" };
}

function placement(p: Partial<Placement> = {}): Placement {
  return { label: "", hosts: [], count: 0, hostPattern: "", ...p };
}

function hp(hostname: string, name = "", network = ""): HostPlacement {
  return { hostname, network, name };
}

function daemon(hostname: string, daemonId = hostname): DaemonDescription {
  return DaemonDescription.fromPartial({
    daemonType: ServiceType.SERVICE_TYPE_MON,
    daemonId,
    daemonName: `mon.${daemonId}`,
    serviceName: "mon",
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

const HOSTS = [
  host("node3", ["mon"]),
  host("node1", ["mon", "osd"]),
  host("node2", ["osd"]),
  host("edge1", []),
  host("node4", ["mon"], Host_Status.STATUS_OFFLINE),
  host("node5", ["mon"], Host_Status.STATUS_MAINTENANCE),
];

function names(hs: HostPlacement[]): string[] {
  return hs.map((h) => h.hostname);
}

describe("validatePlacement", () => {
  it("accepts no placement unless a count is required", () => {
    expect(validatePlacement(undefined, "placement")).toEqual([]);
    expect(validatePlacement(undefined, "placement", { requireCount: true })).toEqual([{ field: "placement.count", description: "is required" }]);
  });

  it("checks count bounds", () => {
    expect(validatePlacement(placement({ count: -1 }), "spec.placement")).toEqual([
      { field: "spec.placement.count", description: "must not be negative" },
    ]);
    expect(validatePlacement(placement({ count: 1001 }), "spec.placement")).toEqual([
      { field: "spec.placement.count", description: "must be at most 1000" },
    ]);
    expect(validatePlacement(placement({ count: 1000 }), "spec.placement")).toEqual([]);
    expect(validatePlacement(placement({ count: 6 }), "placement", { maxCount: 5 })).toEqual([
      { field: "placement.count", description: "must be at most 5" },
    ]);
    expect(validatePlacement(placement(), "placement", { requireCount: true })).toEqual([{ field: "placement.count", description: "is required" }]);
  });

  it("rejects hosts combined with label or host_pattern", () => {
    const v = validatePlacement(placement({ hosts: [hp("node1")], label: "mon", hostPattern: "node*" }), "placement");
    expect(v.map((x) => x.field)).toEqual(["placement.label", "placement.host_pattern"]);
  });

  it("allows label and host_pattern together", () => {
    expect(validatePlacement(placement({ label: "mon", hostPattern: "node*" }), "placement", { hosts: HOSTS })).toEqual([]);
  });

  it("checks each host entry", () => {
    const p = placement({ hosts: [hp("node1"), hp(""), hp("-bad"), hp("node1"), hp("ghost"), hp("node2", "bad name"), hp("node3", "", "x\0")] });
    expect(validatePlacement(p, "placement", { hosts: HOSTS })).toEqual([
      { field: "placement.hosts[1].hostname", description: "is required" },
      { field: "placement.hosts[2].hostname", description: "must not start with '-' or '.'" },
      { field: "placement.hosts[3].hostname", description: "host 'node1' appears more than once" },
      { field: "placement.hosts[4].hostname", description: "host 'ghost' is not known" },
      { field: "placement.hosts[5].name", description: "may contain only letters, digits, '_', '.' and '-'" },
      { field: "placement.hosts[6].network", description: "must not contain NUL characters" },
    ]);
  });

  it("does not check hosts against the cluster when no hosts are given", () => {
    expect(validatePlacement(placement({ hosts: [hp("ghost")] }), "placement")).toEqual([]);
  });

  it("checks label and host_pattern against the cluster", () => {
    expect(validatePlacement(placement({ label: "rgw" }), "placement", { hosts: HOSTS })).toEqual([
      { field: "placement.label", description: "no host has the label 'rgw'" },
    ]);
    expect(validatePlacement(placement({ label: "bad label" }), "placement", { hosts: HOSTS })[0]?.field).toBe("placement.label");
    expect(validatePlacement(placement({ hostPattern: "db*" }), "placement", { hosts: HOSTS })).toEqual([
      { field: "placement.host_pattern", description: "host_pattern 'db*' does not match any hosts" },
    ]);
    expect(validatePlacement(placement({ hostPattern: "node[3-1]" }), "placement")[0]?.field).toBe("placement.host_pattern");
  });
});

describe("resolvePlacement", () => {
  it("uses every usable host when nothing narrows it, sorted by hostname", () => {
    expect(names(resolvePlacement(placement(), HOSTS, []))).toEqual(["edge1", "node1", "node2", "node3"]);
  });

  it("leaves out offline and maintenance hosts", () => {
    expect(names(resolvePlacement(placement({ label: "mon" }), HOSTS, []))).toEqual(["node1", "node3"]);
    expect(names(resolvePlacement(placement({ hosts: [hp("node4"), hp("node5"), hp("node2")] }), HOSTS, []))).toEqual(["node2"]);
  });

  it("uses explicit hosts, keeping network and name, skipping unknown and repeated ones", () => {
    const r = resolvePlacement(placement({ hosts: [hp("node2", "b", "10.0.0.0/24"), hp("ghost"), hp("node1"), hp("node2")] }), HOSTS, []);
    expect(r).toEqual([hp("node1"), hp("node2", "b", "10.0.0.0/24")]);
  });

  it("selects by label, by pattern, and by both", () => {
    expect(names(resolvePlacement(placement({ label: "osd" }), HOSTS, []))).toEqual(["node1", "node2"]);
    expect(names(resolvePlacement(placement({ hostPattern: "node[23]" }), HOSTS, []))).toEqual(["node2", "node3"]);
    expect(names(resolvePlacement(placement({ label: "mon", hostPattern: "*3" }), HOSTS, []))).toEqual(["node3"]);
  });

  it("with a count, takes candidates in hostname order", () => {
    expect(names(resolvePlacement(placement({ count: 2 }), HOSTS, []))).toEqual(["edge1", "node1"]);
  });

  it("with a count, prefers hosts that already run a daemon of the service", () => {
    const r = resolvePlacement(placement({ count: 2 }), HOSTS, [daemon("node3"), daemon("node4")]);
    expect(names(r)).toEqual(["node3", "edge1"]);
    const all = resolvePlacement(placement({ count: 3 }), HOSTS, [daemon("node2"), daemon("node3")]);
    expect(names(all)).toEqual(["node2", "node3", "edge1"]);
  });

  it("keeps only existing daemons of a fixed name", () => {
    const p = placement({ hosts: [hp("node1", "a"), hp("node2", "b")], count: 1 });
    expect(names(resolvePlacement(p, HOSTS, [daemon("node2", "other")]))).toEqual(["node1"]);
    expect(names(resolvePlacement(p, HOSTS, [daemon("node2", "b")]))).toEqual(["node2"]);
  });

  it("returns fewer than count when there are fewer candidates", () => {
    expect(names(resolvePlacement(placement({ label: "mon", count: 5 }), HOSTS, []))).toEqual(["node1", "node3"]);
  });

  it("returns nothing when no candidate is usable", () => {
    expect(resolvePlacement(placement({ hostPattern: "node[45]" }), HOSTS, [])).toEqual([]);
  });
});

function seq(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

describe("daemonIdFor", () => {
  it("names mon and crash daemons after the short hostname", () => {
    expect(daemonIdFor(ServiceType.SERVICE_TYPE_MON, "", "node1.example.com", new Set())).toBe("node1");
    expect(daemonIdFor(ServiceType.SERVICE_TYPE_CRASH, "", "node2", new Set(["node1"]))).toBe("node2");
  });

  it("refuses a mon id that is taken", () => {
    expect(() => daemonIdFor(ServiceType.SERVICE_TYPE_MON, "", "node1", new Set(["node1"]))).toThrow(AlreadyExistsError);
  });

  it("adds a random suffix for mgr, as cephadm does", () => {
    expect(daemonIdFor(ServiceType.SERVICE_TYPE_MGR, "", "node1.example.com", new Set(), seq(0))).toBe("node1.aaaaaa");
  });

  it("prefixes the service id for mds, rgw and nfs", () => {
    const rand = seq(0, 0.99, 0.5, 0.04, 0.999999, 0.1);
    expect(daemonIdFor(ServiceType.SERVICE_TYPE_MDS, "cephfs", "node1", new Set(), rand)).toBe("cephfs.node1.aznbzc");
    expect(daemonIdFor(ServiceType.SERVICE_TYPE_RGW, "realm.zone", "node2", new Set(), seq(0.5))).toMatch(/^realm\.zone\.node2\.n{6}$/);
    expect(daemonIdFor(ServiceType.SERVICE_TYPE_NFS, "ganesha", "node3", new Set(), seq(0.2))).toBe("ganesha.node3.ffffff");
  });

  it("produces 6 lowercase letters with the default random source", () => {
    expect(daemonIdFor(ServiceType.SERVICE_TYPE_RGW, "z", "h", new Set())).toMatch(/^z\.h\.[a-z]{6}$/);
  });

  it("tries again when an id is taken", () => {
    const rand = seq(0, 0, 0, 0, 0, 0, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05);
    expect(daemonIdFor(ServiceType.SERVICE_TYPE_MDS, "fs", "node1", new Set(["fs.node1.aaaaaa"]), rand)).toBe("fs.node1.bbbbbb");
  });

  it("gives up when the random source never finds a free id", () => {
    expect(() => daemonIdFor(ServiceType.SERVICE_TYPE_MDS, "fs", "node1", new Set(["fs.node1.aaaaaa"]), seq(0))).toThrow(AlreadyExistsError);
  });

  it("refuses OSDs, whose ids the cluster assigns", () => {
    expect(() => daemonIdFor(ServiceType.SERVICE_TYPE_OSD, "", "node1", new Set())).toThrow();
  });
});
