// Shared test vectors: messages that TypeScript encodes and Python and Go decode (and back).
// Each case is a message in ts-proto object form; `npx tsx test/vectors/generate.ts` writes
// its binary encoding and canonical proto3 JSON to test/vectors/data/. See README.md.
//
// Names are file names: lowercase, digits and '_'. Python (test/python/test_vectors.py) and
// Go (test/go/vectors_test.go) assert on specific cases by name, so renaming a case means
// renaming it there too.
import {
  Device,
  Device_Type,
  InventoryHost,
} from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { Operation, Operation_State, OperationResult } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { GetStatusResponse } from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import { DriveGroupSpec, DriveGroupSpec_Objectstore } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import { ServiceType, StatelessServiceSpec } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { UpgradeStatus } from "../../gen/ts/ceph_orchestrator/v1/upgrade.js";
import { Code } from "../../gen/ts/google/rpc/code.js";
import { ErrorInfo } from "../../gen/ts/google/rpc/error_details.js";
import type { TypeName, ValueOf } from "./codec.js";

export interface VectorCase<K extends TypeName = TypeName> {
  /** File name stem: data/<name>.bin and data/<name>.json. */
  name: string;
  /** Full protobuf message name, e.g. "ceph_orchestrator.v1.Device". */
  type: K;
  /** The message in ts-proto object form (every field, as ts-proto's create() fills it). */
  value: ValueOf<K>;
  /**
   * Set when ts-proto's own JSON (toJSON / fromJSON) cannot round-trip this message, with the
   * reason. The committed JSON never comes from ts-proto (see codec.ts); this flag only pins
   * ts-proto's known JSON gaps so that the TS test notices when they change.
   */
  tsProtoJsonLossy?: string;
}

function vector<K extends TypeName>(
  name: string,
  type: K,
  value: ValueOf<K>,
  extra: Pick<VectorCase, "tsProtoJsonLossy"> = {},
): VectorCase {
  return { name, type, value, ...extra } as VectorCase;
}

// --- Values shared by several cases ------------------------------------------------------
export const TB20 = "20000000000000"; // 20 TB: above 2^32, below 2^53
export const TWO_POW_53_PLUS_1 = "9007199254740993"; // not representable as a JS number
export const INT64_MAX = "9223372036854775807"; // 2^63 - 1
export const ERROR_DOMAIN = "orchestrator.ceph.io";
const CLUSTER_FSID = "2d6f4b7e-0c1a-4a7e-9b51-6c3f0d5e8a11";
const UNICODE = "ünïcödé — 中文 — 🐙 𝄞"; // Latin-1, BMP CJK, astral plane (surrogate pairs in JS)

function ts(seconds: string, nanos = 0) {
  return { seconds, nanos };
}

function packErrorInfo(info: ErrorInfo) {
  return {
    typeUrl: "type.googleapis.com/google.rpc.ErrorInfo",
    value: Buffer.from(ErrorInfo.encode(info).finish()),
  };
}

// ts-proto's Struct form is a plain JS object (Struct.wrap/unwrap).
const SYS_API_HDD = {
  human_readable_size: "18.19 TB",
  locked: 0,
  model: "ST20000NM007D-3DJ103",
  nr_requests: "256",
  partitions: {
    sdb1: { start: "2048", sectors: "39063648256", sectorsize: 512, size: 20000000000000, human_readable_size: "18.19 TB", holders: [] },
  },
  path: "/dev/sdb",
  removable: "0",
  rev: "SN03",
  ro: "0",
  rotational: "1",
  sas_address: "",
  scheduler_mode: "mq-deadline",
  sectors: 0,
  sectorsize: "512",
  size: 20000000000000,
  support_discard: "0",
  vendor: "SEAGATE",
  device_nodes: "sdb",
  // Not from ceph-volume: the remaining JSON shapes a Struct can carry.
  mixed: ["a", 1, -2.5, true, false, null, { k: "v" }, [], {}],
  ratio: 0.1,
  negative: -1,
  flag: true,
  nothing: null,
  empty_object: {},
  empty_list: [],
  [`clé ${UNICODE}`]: UNICODE,
};

const SYS_API_NVME = {
  human_readable_size: "7.28 TB",
  model: "Micron_7450_MTFDKCC7T6TFR",
  path: "/dev/nvme0n1",
  rotational: "0",
  size: 8001563222016,
  vendor: "",
  partitions: {},
};

export const cases: VectorCase[] = [
  // InventoryHost/Device: int64 sizes, nested enum Device.Type, Struct, repeated messages,
  // negative int32 (osd_id -1: a 10-byte varint), Timestamp with nanosecond precision.
  vector(
    "inventory_host",
    "ceph_orchestrator.v1.InventoryHost",
    InventoryHost.fromPartial({
      hostname: "node-1",
      addr: "10.0.0.11",
      labels: ["osd", "_admin", "étage-2"],
      devices: [
        {
          path: "/dev/sdb",
          deviceId: "SEAGATE_ST20000NM007D-3DJ103_ZVT0ABCD",
          available: true,
          type: Device_Type.TYPE_HDD,
          sizeBytes: TB20,
          rotational: true,
          vendor: "SEAGATE",
          model: "ST20000NM007D-3DJ103",
          sysApi: SYS_API_HDD,
          humanReadableSize: "18.19 TB",
          osdId: -1,
        },
        {
          path: "/dev/nvme0n1",
          deviceId: "Micron_7450_MTFDKCC7T6TFR_22413A0B1C2D",
          available: false,
          rejectedReasons: ["locked", "Insufficient space (<5GB)", "LVM detected"],
          type: Device_Type.TYPE_NVME,
          sizeBytes: TWO_POW_53_PLUS_1,
          rotational: false,
          vendor: "",
          model: "Micron_7450_MTFDKCC7T6TFR",
          lvs: [
            {
              name: "osd-block-5f0c2a9e-8d7b-4c1e-a3f2-0b9e7d6c5a41",
              osdId: 3,
              clusterName: "ceph",
              type: "block",
              osdFsid: "5f0c2a9e-8d7b-4c1e-a3f2-0b9e7d6c5a41",
              clusterFsid: CLUSTER_FSID,
              osdspecAffinity: "default_drive_group",
              blockUuid: "Xq3v1N-aB2c-3dE4-fG5h-6iJ7-kL8m-9nO0pQ",
            },
            {
              name: "osd-db-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
              osdId: 4,
              clusterName: "ceph",
              type: "db",
              osdFsid: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
              clusterFsid: CLUSTER_FSID,
              osdspecAffinity: "",
              blockUuid: "",
            },
          ],
          sysApi: SYS_API_NVME,
          humanReadableSize: "7.28 TB",
          osdId: 3,
        },
        {
          path: "/dev/sdc",
          deviceId: "ATA_BIG_SSD_0001",
          available: true,
          type: Device_Type.TYPE_SSD,
          sizeBytes: INT64_MAX,
          osdId: 0, // a real OSD id, but the proto3 default: not on the wire
        },
      ],
      lastRefresh: ts("1714564800", 123456789),
    }),
    { tsProtoJsonLossy: "toJSON writes Timestamps through a JS Date: nanoseconds below 1 ms are lost" },
  ),

  // An enum number this version does not define (a newer server's Device.Type): proto3 enums
  // are open, so every language must keep the number.
  vector(
    "device_unknown_enum",
    "ceph_orchestrator.v1.Device",
    Device.fromPartial({ path: "/dev/vdz", type: 7 as Device_Type, sizeBytes: "0", osdId: -1 }),
    { tsProtoJsonLossy: "ts-proto maps an unknown enum number to UNRECOGNIZED (-1) in toJSON and fromJSON" },
  ),

  // DriveGroupSpec: map<string, OsdIdList> (including an empty list), optional bool set to
  // true / set to false / unset, nested enum, repeated strings.
  vector(
    "drive_group_spec",
    "ceph_orchestrator.v1.DriveGroupSpec",
    DriveGroupSpec.fromPartial({
      serviceId: "fast_hdd",
      hostPattern: "node-[1-3]",
      dataDevices: { rotational: true, size: "10T:", count: 0 },
      dbDevices: { rotational: false, idModel: "*Micron*", count: 2 },
      walDevices: { paths: ["/dev/nvme1n1", "/dev/nvme2n1"] }, // rotational unset
      journalDevices: undefined,
      dataDirectories: [],
      osdsPerDevice: 2,
      objectstore: DriveGroupSpec_Objectstore.OBJECTSTORE_BLUESTORE,
      encrypted: true,
      dbSlots: 4,
      walSlots: 0,
      osdIdClaims: {
        "node-1": { osdIds: [0, 3, 17] },
        "node-2": { osdIds: [] },
        "node-3": { osdIds: [2147483647] },
      },
    }),
  ),

  // The FileStore branch of the enum and data directories; every DeviceSelection unset.
  vector(
    "drive_group_spec_directories",
    "ceph_orchestrator.v1.DriveGroupSpec",
    DriveGroupSpec.fromPartial({
      hostPattern: "*",
      dataDirectories: ["/var/lib/ceph/osd-data/a", "/var/lib/ceph/osd-data/b"],
      journalDevices: { all: true },
      objectstore: DriveGroupSpec_Objectstore.OBJECTSTORE_FILESTORE,
    }),
  ),

  // A succeeded Operation: oneof outcome = result, OperationResult oneof = osds, repeated
  // tasks with the nested enum Operation.State, doubles, Timestamps (ms precision).
  vector(
    "operation_succeeded",
    "ceph_orchestrator.v1.Operation",
    Operation.fromPartial({
      id: "6f1d3c2b-9a8e-4f7d-b6c5-a4e3d2c1b0a9",
      requestId: "req-42",
      method: "ceph_orchestrator.v1.OsdService.CreateOsds",
      description: `Create OSDs from drive group 'fast_hdd' on 3 hosts — ${UNICODE}`,
      state: Operation_State.STATE_SUCCEEDED,
      persistent: true,
      done: true,
      progress: 1,
      message: "created 3 OSDs",
      hosts: ["node-1", "node-2", "node-3"],
      tasks: [
        { target: "host node-1", hostname: "node-1", state: Operation_State.STATE_SUCCEEDED, progress: 1, message: "osd.0, osd.3" },
        { target: "host node-2", hostname: "node-2", state: Operation_State.STATE_SUCCEEDED, progress: 1 / 3, message: "" },
      ],
      createTime: ts("1714564800", 0),
      updateTime: ts("1714564861", 250000000),
      endTime: ts("1714564861", 250000000),
      cancelRequested: false,
      outcome: {
        $case: "result",
        value: {
          result: {
            $case: "osds",
            value: {
              osds: [
                { osdId: 0, hostname: "node-1", data: "/dev/sdb", db: "/dev/nvme0n1", wal: "" },
                { osdId: 3, hostname: "node-1", data: "/dev/sdc", db: "/dev/nvme0n1", wal: "" },
                { osdId: 17, hostname: "node-2", data: "/dev/sdb", db: "", wal: "" },
              ],
            },
          },
        },
      },
    }),
  ),

  // A failed Operation: oneof outcome = error, a google.rpc.Status whose details hold a
  // packed Any ErrorInfo (with a metadata map); a failed task carries its own Status.
  vector(
    "operation_failed",
    "ceph_orchestrator.v1.Operation",
    Operation.fromPartial({
      id: "0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
      method: "ceph_orchestrator.v1.OsdService.CreateOsds",
      description: "Create OSDs from drive group 'default' on 2 hosts",
      state: Operation_State.STATE_FAILED,
      persistent: true,
      done: true,
      progress: 0.5,
      message: "ceph-volume failed on node-2",
      hosts: ["node-1", "node-2"],
      tasks: [
        { target: "host node-1", hostname: "node-1", state: Operation_State.STATE_SUCCEEDED, progress: 1 },
        {
          target: "host node-2",
          hostname: "node-2",
          state: Operation_State.STATE_FAILED,
          progress: 0,
          message: "/dev/sdc: Device or resource busy",
          error: { code: Code.ABORTED, message: "/dev/sdc: Device or resource busy", details: [] },
        },
      ],
      createTime: ts("1714564800", 0),
      updateTime: ts("1714564900", 999000000),
      endTime: ts("1714564900", 999000000),
      cancelRequested: true,
      outcome: {
        $case: "error",
        value: {
          code: Code.ABORTED,
          message: `ceph-volume failed on node-2: /dev/sdc: Device or resource busy (${UNICODE})`,
          details: [
            packErrorInfo({
              reason: "BACKEND_FAILED",
              domain: ERROR_DOMAIN,
              metadata: { device: "/dev/sdc", hostname: "node-2", note: UNICODE },
            }),
          ],
        },
      },
    }),
    { tsProtoJsonLossy: "ts-proto writes google.protobuf.Any as {typeUrl, value: base64}, not {\"@type\", ...fields}" },
  ),

  // OperationResult on its own: the upgrade branch of its oneof.
  vector(
    "operation_result_upgrade",
    "ceph_orchestrator.v1.OperationResult",
    OperationResult.fromPartial({
      result: {
        $case: "upgrade",
        value: {
          inProgress: true,
          targetVersion: "19.2.1",
          servicesComplete: ["mgr"],
          progress: "2 of 12 daemons upgraded",
          daemonsUpgraded: 2,
          daemonsTotal: 12,
          message: "",
          paused: false,
          operationId: "7c6b5a49-3827-4160-9f8e-7d6c5b4a3928",
          currentVersion: "18.2.4",
        },
      },
    }),
  ),

  // GetStatusResponse: map<string, string> with unicode keys/values and an empty value.
  vector(
    "get_status_response",
    "ceph_orchestrator.v1.GetStatusResponse",
    GetStatusResponse.fromPartial({
      available: true,
      reason: "",
      backend: "sim",
      details: {
        fsid: CLUSTER_FSID,
        hosts_reachable: "3",
        empty: "",
        [`clé ${UNICODE}`]: UNICODE,
      },
    }),
  ),

  vector(
    "get_status_unavailable",
    "ceph_orchestrator.v1.GetStatusResponse",
    GetStatusResponse.fromPartial({
      available: false,
      reason: "cannot reach the cluster: connection refused (10.0.0.11:6789)",
      backend: "ssh",
      details: {},
    }),
  ),

  // StatelessServiceSpec: top-level enum, nested Placement, oneof details = rgw / nfs.
  vector(
    "stateless_service_rgw",
    "ceph_orchestrator.v1.StatelessServiceSpec",
    StatelessServiceSpec.fromPartial({
      serviceType: ServiceType.SERVICE_TYPE_RGW,
      serviceId: "eu.west",
      placement: {
        label: "rgw",
        hosts: [
          { hostname: "node-1", network: "", name: "a" },
          { hostname: "node-2", network: "10.0.0.0/24", name: "" },
        ],
        count: 2,
        hostPattern: "node-*",
      },
      details: {
        $case: "rgw",
        value: {
          rgwRealm: "eu",
          rgwZone: "west",
          rgwZonegroup: "eu",
          rgwFrontendPort: 8443,
          ssl: true,
          rgwMultisite: true,
          rgwZonemaster: true,
          rgwZonesecondary: false,
          rgwMultisiteProto: "https",
          rgwZoneUser: "zone.user",
          systemAccessKey: "AKIAEXAMPLEKEY",
          systemSecretKey: "s3cr3t/with+base64=chars",
        },
      },
    }),
  ),

  vector(
    "stateless_service_nfs",
    "ceph_orchestrator.v1.StatelessServiceSpec",
    StatelessServiceSpec.fromPartial({
      serviceType: ServiceType.SERVICE_TYPE_NFS,
      serviceId: "nfs-ganesha",
      placement: { count: 1 },
      details: { $case: "nfs", value: { pool: ".nfs", namespace: "cephfs", port: 2049 } },
    }),
  ),

  // A oneof member set to an all-default message: present on the wire (tag + length 0), so
  // every language must still report `rgw` as the set member.
  vector(
    "stateless_service_rgw_empty",
    "ceph_orchestrator.v1.StatelessServiceSpec",
    StatelessServiceSpec.fromPartial({
      serviceType: ServiceType.SERVICE_TYPE_RGW,
      serviceId: "default",
      details: { $case: "rgw", value: {} },
    }),
  ),

  vector(
    "upgrade_status",
    "ceph_orchestrator.v1.UpgradeStatus",
    UpgradeStatus.fromPartial({
      inProgress: true,
      targetVersion: "19.2.1",
      servicesComplete: ["mgr", "mon", "crash"],
      progress: "5 of 12 daemons upgraded",
      daemonsUpgraded: 5,
      daemonsTotal: 12,
      message: `paused by admin — ${UNICODE}`,
      paused: true,
      operationId: "7c6b5a49-3827-4160-9f8e-7d6c5b4a3928",
      currentVersion: "18.2.4",
    }),
  ),

  // Every field at its default: the encoding is zero bytes and the JSON is {}.
  vector("upgrade_status_empty", "ceph_orchestrator.v1.UpgradeStatus", UpgradeStatus.fromPartial({})),
];
