import { describe, it, expect } from "vitest";
import {
  fnmatch,
  fnmatchRegExp,
  matchHosts,
  planOsds,
  validateDriveGroup,
} from "../../src/domain/drive-group.js";
import {
  DriveGroupSpec_Objectstore,
  type DeviceSelection,
  type DriveGroupSpec,
} from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import { Device_Type, type Device, type InventoryHost } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";

const GiB = 1024n ** 3n;
const TiB = 1024n ** 4n;

function sel(s: Partial<DeviceSelection>): DeviceSelection {
  return { paths: [], idModel: "", size: "", rotational: undefined, count: 0, all: false, ...s };
}

function spec(s: Partial<DriveGroupSpec> = {}): DriveGroupSpec {
  return {
    serviceId: "default",
    hostPattern: "*",
    dataDevices: sel({ all: true }),
    dbDevices: undefined,
    walDevices: undefined,
    journalDevices: undefined,
    dataDirectories: [],
    osdsPerDevice: 0,
    objectstore: DriveGroupSpec_Objectstore.OBJECTSTORE_UNSPECIFIED,
    encrypted: false,
    dbSlots: 0,
    walSlots: 0,
    osdIdClaims: {},
    unmanaged: false,
    ...s,
  };
}

function dev(path: string, size: bigint, rotational: boolean, model = rotational ? "HDD-X" : "SSD-Y", available = true): Device {
  return {
    path,
    deviceId: "",
    available,
    rejectedReasons: available ? [] : ["LVM detected"],
    type: rotational ? Device_Type.TYPE_HDD : Device_Type.TYPE_SSD,
    sizeBytes: size.toString(),
    rotational,
    vendor: "",
    model,
    lvs: [],
    sysApi: undefined,
    humanReadableSize: "",
    osdId: -1,
  };
}

function host(hostname: string, devices: Device[]): InventoryHost {
  return { hostname, addr: "", labels: [], devices, lastRefresh: undefined };
}

const HOSTS = ["node1", "node2", "node3"];

function fields(s: DriveGroupSpec, hosts = HOSTS, prefix?: string): string[] {
  return validateDriveGroup(s, hosts, prefix).map((v) => v.field);
}

describe("fnmatch", () => {
  it.each([
    ["*", "node1", true],
    ["*", "", true],
    ["node*", "node1.example.com", true],
    ["*.com", "a/b.com", true], // '*' crosses '/' and '.' (fnmatch, not path globbing)
    ["node?", "node1", true],
    ["node?", "node10", false],
    ["node-[1-3]", "node-2", true],
    ["node-[1-3]", "node-4", false],
    ["node-[!1-3]", "node-4", true],
    ["node-[!1-3]", "node-1", false],
    ["node[]]", "node]", true],
    ["node[!]]", "nodex", true],
    ["node[!]]", "node]", false],
    ["node[", "node[", true],
    ["a.b", "axb", false],
    ["a+b(c)", "a+b(c)", true],
    ["[^a]", "^", true],
    ["[^a]", "b", false],
    ["Node1", "node1", false],
    ["node\\1", "node\\1", true],
    ["node1", "node1\n", false],
  ])("%j matches %j: %s", (pattern, name, expected) => {
    expect(fnmatch(pattern, name)).toBe(expected);
  });

  it("reports a reversed range as invalid and matches nothing", () => {
    expect(fnmatchRegExp("node[9-1]")).toBeNull();
    expect(fnmatch("node[9-1]", "node5")).toBe(false);
  });

  it("matchHosts filters in the given order", () => {
    expect(matchHosts("node[13]", ["node3", "node2", "node1"])).toEqual(["node3", "node1"]);
    expect(matchHosts("x*", HOSTS)).toEqual([]);
  });
});

describe("validateDriveGroup", () => {
  it("accepts a plain spec", () => {
    expect(validateDriveGroup(spec(), HOSTS)).toEqual([]);
  });

  it("requires host_pattern", () => {
    expect(validateDriveGroup(spec({ hostPattern: "" }), HOSTS)).toEqual([{ field: "spec.host_pattern", description: "is required" }]);
  });

  it("requires host_pattern to match a host", () => {
    expect(validateDriveGroup(spec({ hostPattern: "x" }), HOSTS)).toEqual([
      { field: "spec.host_pattern", description: "host_pattern 'x' does not match any hosts" },
    ]);
  });

  it("rejects an invalid glob", () => {
    expect(fields(spec({ hostPattern: "node[3-1]" }))).toEqual(["spec.host_pattern"]);
  });

  it("uses the given field prefix", () => {
    expect(fields(spec({ hostPattern: "" }), HOSTS, "drive_group")).toEqual(["drive_group.host_pattern"]);
  });

  it("requires data_devices unless data_directories is set", () => {
    expect(validateDriveGroup(spec({ dataDevices: undefined }), HOSTS)).toEqual([
      { field: "spec.data_devices", description: "is required unless data_directories is set" },
    ]);
    expect(validateDriveGroup(spec({ dataDevices: undefined, dataDirectories: ["/var/lib/ceph/osd-data/a"] }), HOSTS)).toEqual([]);
  });

  it("rejects an empty selection, also one with only a count", () => {
    expect(fields(spec({ dataDevices: sel({}) }))).toEqual(["spec.data_devices"]);
    expect(fields(spec({ dbDevices: sel({ count: 2 }) }))).toEqual(["spec.db_devices"]);
  });

  it("counts rotational: false as a filter", () => {
    expect(validateDriveGroup(spec({ dbDevices: sel({ rotational: false }) }), HOSTS)).toEqual([]);
  });

  it("rejects paths combined with filters", () => {
    expect(fields(spec({ dataDevices: sel({ paths: ["/dev/sdb"], idModel: "X*" }) }))).toEqual(["spec.data_devices.paths"]);
    expect(fields(spec({ dbDevices: sel({ paths: ["/dev/sdb"], rotational: false }) }))).toEqual(["spec.db_devices.paths"]);
  });

  it("rejects a count next to paths", () => {
    expect(fields(spec({ dataDevices: sel({ paths: ["/dev/sdb"], count: 1 }) }))).toEqual(["spec.data_devices.count"]);
  });

  it("allows all only in data_devices and alone (a count is fine)", () => {
    expect(fields(spec({ dbDevices: sel({ all: true }) }))).toEqual(["spec.db_devices.all"]);
    expect(fields(spec({ walDevices: sel({ all: true }) }))).toEqual(["spec.wal_devices.all"]);
    expect(fields(spec({ dataDevices: sel({ all: true, size: "10G:" }) }))).toEqual(["spec.data_devices.all"]);
    expect(fields(spec({ dataDevices: sel({ all: true, paths: ["/dev/sdb"] }) }))).toEqual(["spec.data_devices.all"]);
    expect(fields(spec({ dataDevices: sel({ all: true, count: 3 }) }))).toEqual([]);
  });

  it("checks each path", () => {
    const s = spec({
      dataDevices: sel({ paths: ["/dev/sdb", "sdc", "/dev/../etc/x", "/dev/sd\0d", `/${"x".repeat(4096)}`, "/dev/sdb", ""] }),
    });
    expect(fields(s)).toEqual([
      "spec.data_devices.paths[1]",
      "spec.data_devices.paths[2]",
      "spec.data_devices.paths[3]",
      "spec.data_devices.paths[4]",
      "spec.data_devices.paths[5]",
      "spec.data_devices.paths[6]",
    ]);
    expect(fields(spec({ dbDevices: sel({ paths: ["nvme0n1"] }) }))).toEqual(["spec.db_devices.paths[0]"]);
  });

  it("checks size syntax", () => {
    const v = validateDriveGroup(spec({ dataDevices: sel({ size: "10X:" }) }), HOSTS);
    expect(v.map((x) => x.field)).toEqual(["spec.data_devices.size"]);
    expect(v[0]?.description).toContain("invalid size");
    expect(fields(spec({ walDevices: sel({ size: "2T:1T" }) }))).toEqual(["spec.wal_devices.size"]);
    expect(fields(spec({ dataDevices: sel({ size: "10G:2T" }) }))).toEqual([]);
  });

  it("rejects a negative count", () => {
    expect(fields(spec({ dataDevices: sel({ rotational: true, count: -1 }) }))).toEqual(["spec.data_devices.count"]);
  });

  it("limits osds_per_device to 0..16", () => {
    expect(fields(spec({ osdsPerDevice: 16 }))).toEqual([]);
    expect(fields(spec({ osdsPerDevice: 17 }))).toEqual(["spec.osds_per_device"]);
    expect(fields(spec({ osdsPerDevice: -1 }))).toEqual(["spec.osds_per_device"]);
  });

  it("rejects negative slots", () => {
    expect(fields(spec({ dbSlots: -1, walSlots: -2 }))).toEqual(["spec.db_slots", "spec.wal_slots"]);
  });

  it("allows journal_devices only with filestore, db and wal only with bluestore", () => {
    const journal = sel({ rotational: false });
    expect(fields(spec({ journalDevices: journal }))).toEqual(["spec.journal_devices"]);
    expect(fields(spec({ journalDevices: journal, objectstore: DriveGroupSpec_Objectstore.OBJECTSTORE_BLUESTORE }))).toEqual([
      "spec.journal_devices",
    ]);
    expect(fields(spec({ journalDevices: journal, objectstore: DriveGroupSpec_Objectstore.OBJECTSTORE_FILESTORE }))).toEqual([]);
    expect(
      fields(spec({ dbDevices: journal, walDevices: journal, objectstore: DriveGroupSpec_Objectstore.OBJECTSTORE_FILESTORE })),
    ).toEqual(["spec.db_devices", "spec.wal_devices"]);
  });

  it("checks data_directories", () => {
    const s = spec({ dataDirectories: ["/srv/osd/a", "srv/osd/b", "/srv/../b", "/srv/\0"] });
    expect(fields(s)).toEqual(["spec.data_directories[1]", "spec.data_directories[2]", "spec.data_directories[3]"]);
  });

  it("rejects unknown objectstore values", () => {
    expect(validateDriveGroup(spec({ objectstore: DriveGroupSpec_Objectstore.UNRECOGNIZED }), HOSTS)).toEqual([
      { field: "spec.objectstore", description: "unknown value -1" },
    ]);
    expect(fields(spec({ objectstore: 7 as DriveGroupSpec_Objectstore }))).toEqual(["spec.objectstore"]);
  });

  it("checks osd_id_claims hosts and ids", () => {
    const s = spec({
      osdIdClaims: { node1: { osdIds: [1, -2, 3] }, ghost: { osdIds: [4] }, node2: { osdIds: [3] } },
    });
    expect(validateDriveGroup(s, HOSTS)).toEqual([
      { field: 'spec.osd_id_claims["node1"].osd_ids[1]', description: "must not be negative" },
      { field: 'spec.osd_id_claims["ghost"]', description: "host 'ghost' is not known" },
      { field: 'spec.osd_id_claims["node2"].osd_ids[0]', description: "OSD id 3 is claimed more than once" },
    ]);
  });

  it("checks service_id", () => {
    expect(fields(spec({ serviceId: "" }))).toEqual([]);
    expect(fields(spec({ serviceId: "fast_ssd.v2-1" }))).toEqual([]);
    expect(fields(spec({ serviceId: "bad id" }))).toEqual(["spec.service_id"]);
    expect(fields(spec({ serviceId: "a".repeat(65) }))).toEqual(["spec.service_id"]);
  });

  it("reports every violation at once", () => {
    const s = spec({ hostPattern: "", dataDevices: sel({}), osdsPerDevice: 99, dbSlots: -1 });
    expect(fields(s)).toEqual(["spec.host_pattern", "spec.data_devices", "spec.osds_per_device", "spec.db_slots"]);
  });
});

describe("planOsds", () => {
  const node1 = host("node1", [
    dev("/dev/sdc", 4n * TiB, true),
    dev("/dev/sdb", 4n * TiB, true),
    dev("/dev/sdd", 4n * TiB, true, "HDD-X", false),
    dev("/dev/nvme0n1", 800n * GiB, false),
    dev("/dev/nvme1n1", 800n * GiB, false),
  ]);
  const node2 = host("node2", [dev("/dev/sdb", 2n * TiB, true), dev("/dev/sdc", 10n * GiB, false, "SSD-Y", false)]);
  const other = host("other", [dev("/dev/sdb", 4n * TiB, true)]);

  it("plans hosts the pattern matches, sorted by hostname, with available devices only", () => {
    const plans = planOsds(spec({ hostPattern: "node*" }), [node2, other, node1]);
    expect(plans.map((p) => p.hostname)).toEqual(["node1", "node2"]);
    expect(plans[0]?.osds.map((o) => o.data)).toEqual(["/dev/nvme0n1", "/dev/nvme1n1", "/dev/sdb", "/dev/sdc"]);
    expect(plans[0]?.osds[2]).toEqual({
      data: "/dev/sdb",
      db: "",
      wal: "",
      journal: "",
      osdId: -1,
      sizeBytes: (4n * TiB).toString(),
    });
    expect(plans[0]?.message).toBe("");
    expect(plans[1]?.osds.map((o) => o.data)).toEqual(["/dev/sdb"]);
  });

  it("filters by rotational, size and model", () => {
    const hdd = planOsds(spec({ dataDevices: sel({ rotational: true }) }), [node1])[0];
    expect(hdd?.osds.map((o) => o.data)).toEqual(["/dev/sdb", "/dev/sdc"]);
    const small = planOsds(spec({ dataDevices: sel({ size: ":1T" }) }), [node1])[0];
    expect(small?.osds.map((o) => o.data)).toEqual(["/dev/nvme0n1", "/dev/nvme1n1"]);
    const exact = planOsds(spec({ dataDevices: sel({ size: "4T" }) }), [node1])[0];
    expect(exact?.osds.map((o) => o.data)).toEqual(["/dev/sdb", "/dev/sdc"]);
    const model = planOsds(spec({ dataDevices: sel({ idModel: "SSD*" }) }), [node1])[0];
    expect(model?.osds.map((o) => o.data)).toEqual(["/dev/nvme0n1", "/dev/nvme1n1"]);
    const both = planOsds(spec({ dataDevices: sel({ idModel: "SSD*", rotational: true }) }), [node1])[0];
    expect(both?.osds).toEqual([]);
    expect(both?.message).toBe("no available device matches data_devices");
  });

  it("handles sizes above 2^53 bytes", () => {
    const huge = host("node1", [dev("/dev/sdb", 9n * 1024n ** 5n + 1n, true)]);
    const plan = planOsds(spec({ dataDevices: sel({ size: "9P:" }) }), [huge])[0];
    expect(plan?.osds[0]?.sizeBytes).toBe("10133099161583617");
  });

  it("takes at most count devices, first in inventory order, then sorts by path", () => {
    const plan = planOsds(spec({ dataDevices: sel({ rotational: true, count: 1 }) }), [node1])[0];
    // /dev/sdc comes first in the inventory.
    expect(plan?.osds.map((o) => o.data)).toEqual(["/dev/sdc"]);
  });

  it("takes explicit paths in their order, and explains missing or unavailable ones", () => {
    const plan = planOsds(spec({ dataDevices: sel({ paths: ["/dev/sdc", "/dev/sdz", "/dev/sdd", "/dev/sdb"] }) }), [node1])[0];
    expect(plan?.osds.map((o) => o.data)).toEqual(["/dev/sdc", "/dev/sdb"]);
    expect(plan?.message).toBe(
      "data_devices: device /dev/sdz does not exist; data_devices: device /dev/sdd is not available (LVM detected)",
    );
  });

  it("explains a host where no OSD is planned", () => {
    const plan = planOsds(spec({ dataDevices: sel({ paths: ["/dev/sdc"] }) }), [node2])[0];
    expect(plan?.osds).toEqual([]);
    expect(plan?.message).toBe("data_devices: device /dev/sdc is not available (LVM detected)");
  });

  it("never uses a data device as a DB device", () => {
    const s = spec({ dataDevices: sel({ all: true }), dbDevices: sel({ rotational: false }) });
    const plan = planOsds(s, [node1])[0];
    expect(plan?.osds.every((o) => o.db === "")).toBe(true);
    expect(plan?.message).toContain("no available device matches db_devices");
  });

  it("spreads OSDs over DB devices evenly when db_slots is 0", () => {
    const s = spec({ dataDevices: sel({ rotational: true }), dbDevices: sel({ rotational: false }) });
    const plan = planOsds(s, [node1])[0];
    expect(plan?.osds.map((o) => [o.data, o.db])).toEqual([
      ["/dev/sdb", "/dev/nvme0n1"],
      ["/dev/sdc", "/dev/nvme1n1"],
    ]);
  });

  it("fills DB devices in turn, ceil(osds / db devices) each", () => {
    const many = host("node1", [
      dev("/dev/sda", TiB, true),
      dev("/dev/sdb", TiB, true),
      dev("/dev/sdc", TiB, true),
      dev("/dev/nvme0n1", TiB, false),
      dev("/dev/nvme1n1", TiB, false),
    ]);
    const s = spec({ dataDevices: sel({ rotational: true }), dbDevices: sel({ rotational: false }), dbSlots: 4 });
    const plan = planOsds(s, [many])[0];
    expect(plan?.osds.map((o) => o.db)).toEqual(["/dev/nvme0n1", "/dev/nvme0n1", "/dev/nvme1n1"]);
    expect(plan?.message).toBe("");
  });

  it("ignores a db_slots too small for the OSDs, as ceph-volume does, and says so", () => {
    const s = spec({ dataDevices: sel({ rotational: true }), dbDevices: sel({ rotational: false, count: 1 }), dbSlots: 1 });
    const plan = planOsds(s, [node1])[0];
    expect(plan?.osds.map((o) => o.db)).toEqual(["/dev/nvme0n1", "/dev/nvme0n1"]);
    expect(plan?.message).toContain("db_slots 1 is too small");
  });

  it("assigns WAL devices before DB devices, as upstream selects them", () => {
    const s = spec({
      dataDevices: sel({ rotational: true }),
      dbDevices: sel({ rotational: false }),
      walDevices: sel({ rotational: false, count: 1 }),
      walSlots: 2,
    });
    const plan = planOsds(s, [node1])[0];
    expect(plan?.osds.map((o) => [o.data, o.wal, o.db])).toEqual([
      ["/dev/sdb", "/dev/nvme0n1", "/dev/nvme1n1"],
      ["/dev/sdc", "/dev/nvme0n1", "/dev/nvme1n1"],
    ]);
  });

  it("assigns journal devices for filestore", () => {
    const s = spec({
      dataDevices: sel({ rotational: true }),
      journalDevices: sel({ rotational: false, count: 1 }),
      objectstore: DriveGroupSpec_Objectstore.OBJECTSTORE_FILESTORE,
    });
    const plan = planOsds(s, [node1])[0];
    expect(plan?.osds.map((o) => o.journal)).toEqual(["/dev/nvme0n1", "/dev/nvme0n1"]);
  });

  it("creates osds_per_device OSDs per data device, and slots count OSDs", () => {
    const s = spec({
      dataDevices: sel({ rotational: false }),
      osdsPerDevice: 2,
    });
    const plan = planOsds(s, [node1])[0];
    expect(plan?.osds.map((o) => o.data)).toEqual(["/dev/nvme0n1", "/dev/nvme0n1", "/dev/nvme1n1", "/dev/nvme1n1"]);

    const withDb = spec({ dataDevices: sel({ rotational: true }), dbDevices: sel({ rotational: false }), osdsPerDevice: 2 });
    expect(planOsds(withDb, [node1])[0]?.osds.map((o) => o.db)).toEqual([
      "/dev/nvme0n1",
      "/dev/nvme0n1",
      "/dev/nvme1n1",
      "/dev/nvme1n1",
    ]);
  });

  it("makes one OSD per data directory, after the device OSDs", () => {
    const s = spec({ dataDevices: sel({ paths: ["/dev/sdb"] }), dataDirectories: ["/srv/osd/a", "/srv/osd/b"] });
    const plan = planOsds(s, [node1])[0];
    expect(plan?.osds.map((o) => [o.data, o.sizeBytes])).toEqual([
      ["/dev/sdb", (4n * TiB).toString()],
      ["/srv/osd/a", "0"],
      ["/srv/osd/b", "0"],
    ]);
    const dirsOnly = planOsds(spec({ dataDevices: undefined, dataDirectories: ["/srv/osd/a"] }), [node2])[0];
    expect(dirsOnly?.osds.map((o) => o.data)).toEqual(["/srv/osd/a"]);
  });

  it("gives claimed OSD ids to the host's first OSDs in order", () => {
    const s = spec({ dataDevices: sel({ rotational: true }), osdIdClaims: { node1: { osdIds: [7, 3] }, node2: { osdIds: [5, 6] } } });
    const plans = planOsds(s, [node1, node2, other]);
    expect(plans[0]?.osds.map((o) => o.osdId)).toEqual([7, 3]);
    expect(plans[1]?.osds.map((o) => o.osdId)).toEqual([5]);
    expect(plans[1]?.message).toContain("claimed OSD ids 6 are not used");
    expect(plans[2]?.osds.map((o) => o.osdId)).toEqual([-1]);
  });

  it("leaves unclaimed OSDs at -1", () => {
    const s = spec({ dataDevices: sel({ rotational: true }), osdIdClaims: { node1: { osdIds: [9] } } });
    expect(planOsds(s, [node1])[0]?.osds.map((o) => o.osdId)).toEqual([9, -1]);
  });

  it("plans nothing for a pattern that matches no inventory host", () => {
    expect(planOsds(spec({ hostPattern: "x*" }), [node1, node2])).toEqual([]);
  });

  it("does not change the inventory", () => {
    const before = JSON.stringify(node1);
    planOsds(spec({ dataDevices: sel({ rotational: true }), dbDevices: sel({ rotational: false }) }), [node1]);
    expect(JSON.stringify(node1)).toBe(before);
  });
});
