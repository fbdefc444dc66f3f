import { describe, it, expect } from "vitest";
import {
  fnmatch,
  fnmatchRegExp,
  matchHosts,
  planOsds,
  validateDriveGroup,
} from "../../src/domain/drive-group.js";
import {
  DriveGroupSpec_FilterLogic,
  DriveGroupSpec_Objectstore,
  OsdMethod,
  type DeviceSelection,
  type DriveGroupSpec,
} from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import { Device_Type, type Device, type InventoryHost } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";

const GiB = 1024n ** 3n;
const TiB = 1024n ** 4n;

function sel(s: Partial<DeviceSelection>): DeviceSelection {
  return { paths: [], idModel: "", size: "", rotational: undefined, count: 0, all: false, vendor: "", ...s };
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
    blockDbSize: "",
    blockWalSize: "",
    journalSize: "",
    dataAllocateFraction: undefined,
    crushDeviceClass: "",
    filterLogic: DriveGroupSpec_FilterLogic.FILTER_LOGIC_UNSPECIFIED,
    method: OsdMethod.OSD_METHOD_UNSPECIFIED,
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
    cephDevice: false,
    deviceNodes: path.replace("/dev/", ""),
    lsmData: undefined,
    created: undefined,
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

  it("takes any osds_per_device from 0 up, as upstream (planning checks each OSD's share)", () => {
    expect(fields(spec({ osdsPerDevice: 16 }))).toEqual([]);
    expect(fields(spec({ osdsPerDevice: 1000 }))).toEqual([]);
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

  it("checks block_db_size, block_wal_size and journal_size as ceph-volume sizes, more than 0", () => {
    expect(fields(spec({ blockDbSize: "60G", blockWalSize: "1073741824" }))).toEqual([]);
    expect(fields(spec({ blockDbSize: "10X", blockWalSize: "0" }))).toEqual(["spec.block_db_size", "spec.block_wal_size"]);
    const filestore = DriveGroupSpec_Objectstore.OBJECTSTORE_FILESTORE;
    expect(fields(spec({ journalSize: "5G", objectstore: filestore }))).toEqual([]);
    expect(fields(spec({ journalSize: "5G" }))).toEqual(["spec.journal_size"]);
    expect(fields(spec({ blockDbSize: "5G", blockWalSize: "1G", objectstore: filestore }))).toEqual(["spec.block_db_size", "spec.block_wal_size"]);
  });

  it("takes a data_allocate_fraction above 0 and at most 1", () => {
    for (const ok of [0.5, 1, 1e-9]) expect(fields(spec({ dataAllocateFraction: ok }))).toEqual([]);
    for (const bad of [0, -0.1, 1.01, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(fields(spec({ dataAllocateFraction: bad }))).toEqual(["spec.data_allocate_fraction"]);
    }
  });

  it("checks crush_device_class, filter_logic and method", () => {
    expect(fields(spec({ crushDeviceClass: "nvme_fast-1.0" }))).toEqual([]);
    expect(fields(spec({ crushDeviceClass: "fast ssd" }))).toEqual(["spec.crush_device_class"]);
    expect(fields(spec({ filterLogic: DriveGroupSpec_FilterLogic.FILTER_LOGIC_OR, method: OsdMethod.OSD_METHOD_RAW }))).toEqual([]);
    expect(fields(spec({ filterLogic: 7 as DriveGroupSpec_FilterLogic, method: 9 as OsdMethod }))).toEqual(["spec.filter_logic", "spec.method"]);
  });

  it("refuses with method RAW what ceph-volume raw cannot do", () => {
    const raw = OsdMethod.OSD_METHOD_RAW;
    const s = spec({ method: raw, osdsPerDevice: 2, dataAllocateFraction: 0.5, blockDbSize: "1G", blockWalSize: "1G", dbSlots: 2, walSlots: 2 });
    expect(fields(s)).toEqual([
      "spec.osds_per_device",
      "spec.data_allocate_fraction",
      "spec.block_db_size",
      "spec.block_wal_size",
      "spec.db_slots",
      "spec.wal_slots",
    ]);
    expect(fields(spec({ method: raw, objectstore: DriveGroupSpec_Objectstore.OBJECTSTORE_FILESTORE }))).toEqual(["spec.objectstore"]);
    expect(fields(spec({ method: raw, osdsPerDevice: 1, dataAllocateFraction: 1 }))).toEqual([]);
  });

  it("counts vendor as a filter", () => {
    expect(fields(spec({ dataDevices: sel({ vendor: "ATA" }) }))).toEqual([]);
    expect(fields(spec({ dataDevices: sel({ vendor: "ATA", paths: ["/dev/sdb"] }) }))).toEqual(["spec.data_devices.paths"]);
    expect(fields(spec({ dataDevices: sel({ vendor: "ATA", all: true }) }))).toEqual(["spec.data_devices.all"]);
  });

  it("reports every violation at once", () => {
    const s = spec({ hostPattern: "", dataDevices: sel({}), osdsPerDevice: -1, dbSlots: -1 });
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
      dataSizeBytes: "0",
      dbSizeBytes: "0",
      walSizeBytes: "0",
      journalSizeBytes: "0",
      crushDeviceClass: "",
      method: OsdMethod.OSD_METHOD_UNSPECIFIED,
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
    const plan = planOsds(spec({ dataDevices: sel({ size: "9000T:" }) }), [huge])[0];
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

  it("combines filters with OR under filter_logic OR, in every selection", () => {
    const or = DriveGroupSpec_FilterLogic.FILTER_LOGIC_OR;
    const either = sel({ rotational: false, size: "4T" });
    expect(planOsds(spec({ dataDevices: either }), [node1])[0]?.osds).toEqual([]);
    const plan = planOsds(spec({ dataDevices: either, filterLogic: or }), [node1])[0];
    expect(plan?.osds.map((o) => o.data)).toEqual(["/dev/nvme0n1", "/dev/nvme1n1", "/dev/sdb", "/dev/sdc"]);
    const db = planOsds(spec({ dataDevices: sel({ size: "4T" }), dbDevices: sel({ rotational: false, idModel: "none" }), filterLogic: or }), [node1])[0];
    expect(db?.osds.map((o) => o.db)).toEqual(["/dev/nvme0n1", "/dev/nvme1n1"]);
  });

  it("matches vendor as a case-sensitive substring, as upstream", () => {
    const mixed = host("node1", [{ ...dev("/dev/sdb", TiB, true), vendor: "SEAGATE" }, { ...dev("/dev/sdc", TiB, true), vendor: "ATA" }]);
    expect(planOsds(spec({ dataDevices: sel({ vendor: "GATE" }) }), [mixed])[0]?.osds.map((o) => o.data)).toEqual(["/dev/sdb"]);
    expect(planOsds(spec({ dataDevices: sel({ vendor: "ata" }) }), [mixed])[0]?.osds).toEqual([]);
    const or = planOsds(spec({ dataDevices: sel({ vendor: "ATA", idModel: "nothing" }), filterLogic: DriveGroupSpec_FilterLogic.FILTER_LOGIC_OR }), [mixed]);
    expect(or[0]?.osds.map((o) => o.data)).toEqual(["/dev/sdc"]);
  });

  it("carries the sizes, device class and method to each OSD", () => {
    const s = spec({
      dataDevices: sel({ rotational: true }),
      dbDevices: sel({ rotational: false }),
      blockDbSize: "60G",
      blockWalSize: "1G",
      crushDeviceClass: "fast",
      method: OsdMethod.OSD_METHOD_LVM,
    });
    const osd = planOsds(s, [node1])[0]?.osds[0];
    expect(osd).toMatchObject({ db: "/dev/nvme0n1", dbSizeBytes: (60n * GiB).toString(), walSizeBytes: "0", crushDeviceClass: "fast", method: OsdMethod.OSD_METHOD_LVM });
  });

  it("refuses a host whose fast device cannot hold the OSDs' parts of block_db_size", () => {
    const s = spec({ dataDevices: sel({ rotational: true }), dbDevices: sel({ rotational: false, count: 1 }), blockDbSize: "500G" });
    const plan = planOsds(s, [node1])[0];
    expect(plan?.osds).toEqual([]);
    expect(plan?.message).toContain("db device /dev/nvme0n1 (800.00 GB) cannot hold 2 db part(s) of 500.00 GB");
  });

  it("splits a data device by osds_per_device and data_allocate_fraction, and refuses shares below 5 GiB", () => {
    const half = planOsds(spec({ dataDevices: sel({ paths: ["/dev/nvme0n1"] }), osdsPerDevice: 2 }), [node1])[0];
    expect(half?.osds.map((o) => o.dataSizeBytes)).toEqual([(400n * GiB).toString(), (400n * GiB).toString()]);
    const quarter = planOsds(spec({ dataDevices: sel({ paths: ["/dev/nvme0n1"] }), osdsPerDevice: 2, dataAllocateFraction: 0.5 }), [node1])[0];
    expect(quarter?.osds.map((o) => o.dataSizeBytes)).toEqual([(200n * GiB).toString(), (200n * GiB).toString()]);
    const whole = planOsds(spec({ dataDevices: sel({ paths: ["/dev/nvme0n1"] }), dataAllocateFraction: 1 }), [node1])[0];
    expect(whole?.osds.map((o) => o.dataSizeBytes)).toEqual(["0"]);
    const absurd = planOsds(spec({ dataDevices: sel({ rotational: false }), osdsPerDevice: 2 ** 31 - 1 }), [node1])[0];
    expect(absurd?.osds).toEqual([]);
    expect(absurd?.message).toContain("/dev/nvme0n1: 2147483647 OSD(s) on 1 of 800.00 GB would get");
  });

  it("pairs each data device with one DB device under method RAW, or plans nothing", () => {
    const raw = OsdMethod.OSD_METHOD_RAW;
    const paired = planOsds(spec({ dataDevices: sel({ rotational: true }), dbDevices: sel({ rotational: false }), method: raw }), [node1])[0];
    expect(paired?.osds.map((o) => [o.data, o.db, o.method])).toEqual([
      ["/dev/sdb", "/dev/nvme0n1", raw],
      ["/dev/sdc", "/dev/nvme1n1", raw],
    ]);
    const short = planOsds(spec({ dataDevices: sel({ rotational: true }), dbDevices: sel({ rotational: false, count: 1 }), method: raw }), [node1])[0];
    expect(short?.osds).toEqual([]);
    expect(short?.message).toContain("method RAW needs one db device per data device: 2 data and 1 db device(s) match");
  });

  it("does not change the inventory", () => {
    const before = JSON.stringify(node1);
    planOsds(spec({ dataDevices: sel({ rotational: true }), dbDevices: sel({ rotational: false }) }), [node1]);
    expect(JSON.stringify(node1)).toBe(before);
  });
});
