"""Shared test vectors, Python side (see test/vectors/README.md).

For every vector in test/vectors/data/ (written by TypeScript, test/vectors/generate.ts):
  * decode <name>.bin and parse <name>.json (canonical proto3 JSON) with json_format, and
    require the same message (Any contents compared unpacked, unknown fields included);
  * require Python's own JSON of the decoded message to equal the committed JSON;
  * re-encode and require the bytes to decode back to an equal message;
  * write Python's encoding to test/vectors/out/python/<name>.bin, which the TypeScript
    cross-decode step (VECTORS_CROSS=1) decodes and compares to the case value.
Then explicit asserts on what the vectors are about: int64 above 2^53, enum names, oneofs,
Struct, maps, optional presence, Timestamps, unicode, ErrorInfo packed in Any.

Runs with Debian 12's python3-protobuf 4.21 and with current PyPI protobuf.
"""

import json
import os

import pytest
from google.protobuf import json_format
from google.protobuf import struct_pb2

from ceph_orchestrator.v1 import (
    host_pb2,
    inventory_pb2,
    operation_pb2,
    orchestrator_service_pb2,
    osd_pb2,
    service_pb2,
    upgrade_pb2,
)
from google.rpc import code_pb2, error_details_pb2, status_pb2

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA_DIR = os.path.join(REPO_ROOT, "test", "vectors", "data")
OUT_DIR = os.path.join(REPO_ROOT, "test", "vectors", "out", "python")

# Keep in sync with test/vectors/cases.ts.
TB20 = 20000000000000
TWO_POW_53_PLUS_1 = 2**53 + 1
INT64_MAX = 2**63 - 1
ERROR_DOMAIN = "orchestrator.ceph.io"
UNICODE = "\u00fcn\u00efc\u00f6d\u00e9 \u2014 \u4e2d\u6587 \u2014 \U0001f419 \U0001d11e"
CLUSTER_FSID = "2d6f4b7e-0c1a-4a7e-9b51-6c3f0d5e8a11"

# Every vector the TS side defines; a missing or extra data file fails test_vector_set.
EXPECTED_VECTORS = {
    "device_unknown_enum",
    "drive_group_spec",
    "drive_group_spec_directories",
    "get_status_response",
    "get_status_unavailable",
    "inventory_host",
    "operation_failed",
    "operation_result_upgrade",
    "operation_succeeded",
    "stateless_service_nfs",
    "stateless_service_rgw",
    "stateless_service_rgw_empty",
    "upgrade_status",
    "upgrade_status_empty",
}


def _message_classes():
    """Full message name -> generated class, for every top-level message of the stubs."""
    classes = {}
    for module in (
        host_pb2,
        inventory_pb2,
        operation_pb2,
        orchestrator_service_pb2,
        osd_pb2,
        service_pb2,
        upgrade_pb2,
        error_details_pb2,
        status_pb2,
    ):
        for name, desc in module.DESCRIPTOR.message_types_by_name.items():
            classes[desc.full_name] = getattr(module, name)
    return classes


CLASSES = _message_classes()


def _vector_names():
    if not os.path.isdir(DATA_DIR):
        return []
    return sorted(f[: -len(".json")] for f in os.listdir(DATA_DIR) if f.endswith(".json"))


def load(name):
    """(message class, committed .bin bytes, committed JSON document) of a vector."""
    with open(os.path.join(DATA_DIR, name + ".json"), encoding="utf-8") as f:
        doc = json.load(f)
    with open(os.path.join(DATA_DIR, name + ".bin"), "rb") as f:
        data = f.read()
    assert doc["name"] == name
    assert doc["type"] in CLASSES, "no Python class for %s" % doc["type"]
    return CLASSES[doc["type"]], data, doc


def decoded(name):
    """The vector's .bin (TypeScript's encoding), decoded by Python."""
    cls, data, _ = load(name)
    return cls.FromString(data)


def _is_repeated(field):
    # FieldDescriptor.label is deprecated in newer protobuf releases, is_repeated is new.
    if hasattr(field, "is_repeated"):
        return field.is_repeated
    return field.label == field.LABEL_REPEATED


def _repack_any(msg):
    """Re-packs every Any in msg (in place) with a deterministic encoding of its content.

    Another encoder may order map entries (e.g. ErrorInfo.metadata) differently inside the
    packed bytes, so Any values are compared by content, not by their original bytes.
    """
    if msg.DESCRIPTOR.full_name == "google.protobuf.Any":
        type_name = msg.TypeName()
        assert type_name in CLASSES, "Any holds unexpected type %r" % type_name
        inner = CLASSES[type_name]()
        assert msg.Unpack(inner)
        _repack_any(inner)
        msg.value = inner.SerializeToString(deterministic=True)
        return
    for field, value in msg.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            if field.message_type.fields_by_name["value"].message_type is not None:
                for key in value:
                    _repack_any(value[key])
        elif _is_repeated(field):
            for item in value:
                _repack_any(item)
        else:
            _repack_any(value)


def canonical_bytes(msg):
    """A byte string equal for semantically equal messages (unknown fields included)."""
    copy = type(msg)()
    copy.CopyFrom(msg)
    _repack_any(copy)
    return copy.SerializeToString(deterministic=True)


@pytest.fixture(scope="module")
def out_dir():
    os.makedirs(OUT_DIR, exist_ok=True)
    for f in os.listdir(OUT_DIR):
        if f.endswith(".bin"):
            os.remove(os.path.join(OUT_DIR, f))
    return OUT_DIR


def test_vector_set():
    assert os.path.isdir(DATA_DIR), "%s is missing: run `npx tsx test/vectors/generate.ts`" % DATA_DIR
    files = sorted(os.listdir(DATA_DIR))
    assert files == sorted([n + ".bin" for n in EXPECTED_VECTORS] + [n + ".json" for n in EXPECTED_VECTORS])


@pytest.mark.parametrize("name", _vector_names())
def test_round_trip(name, out_dir):
    cls, data, doc = load(name)

    from_bin = cls.FromString(data)
    from_json = json_format.Parse(json.dumps(doc["json"]), cls())

    # The binary and the JSON vector are the same message.
    assert canonical_bytes(from_bin) == canonical_bytes(from_json)
    # Python writes the same proto3 JSON as TypeScript did (int64 as strings, enum names, ...).
    assert json_format.MessageToDict(from_bin) == doc["json"]

    # Python's own encoding decodes back to the same message.
    reencoded = from_bin.SerializeToString()
    assert cls.FromString(reencoded) == from_bin
    assert canonical_bytes(cls.FromString(reencoded)) == canonical_bytes(from_json)

    # For the TypeScript cross-decode step: Python's encoding of the message built from JSON.
    with open(os.path.join(out_dir, name + ".bin"), "wb") as f:
        f.write(from_json.SerializeToString(deterministic=True))


# --- Explicit checks per vector -----------------------------------------------------------


def test_inventory_host():
    host = decoded("inventory_host")
    Type = inventory_pb2.Device.Type
    assert host.hostname == "node-1"
    assert list(host.labels) == ["osd", "_admin", "\u00e9tage-2"]
    assert host.last_refresh.seconds == 1714564800
    assert host.last_refresh.nanos == 123456789
    assert len(host.devices) == 3
    hdd, nvme, ssd = host.devices

    # int64 above 2^53: exact Python ints.
    assert hdd.size_bytes == TB20
    assert nvme.size_bytes == TWO_POW_53_PLUS_1
    assert ssd.size_bytes == INT64_MAX
    assert (hdd.osd_id, nvme.osd_id, ssd.osd_id) == (-1, 3, 0)

    # Nested enum Device.Type.
    assert [Type.Name(d.type) for d in host.devices] == ["TYPE_HDD", "TYPE_NVME", "TYPE_SSD"]
    assert hdd.type == inventory_pb2.Device.TYPE_HDD

    assert hdd.available and not nvme.available
    assert list(nvme.rejected_reasons) == ["locked", "Insufficient space (<5GB)", "LVM detected"]
    assert [(lv.name, lv.osd_id, lv.type) for lv in nvme.lvs] == [
        ("osd-block-5f0c2a9e-8d7b-4c1e-a3f2-0b9e7d6c5a41", 3, "block"),
        ("osd-db-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", 4, "db"),
    ]
    assert nvme.lvs[0].cluster_fsid == CLUSTER_FSID

    # google.protobuf.Struct: nested objects, lists, numbers, bools, null, strings.
    sys_api = hdd.sys_api
    assert sys_api["size"] == 20000000000000.0
    assert sys_api["rotational"] == "1"
    assert sys_api["sectors"] == 0
    assert sys_api["ratio"] == 0.1
    assert sys_api["negative"] == -1
    assert sys_api["flag"] is True
    assert sys_api.fields["nothing"].WhichOneof("kind") == "null_value"
    assert sys_api.fields["nothing"].null_value == struct_pb2.NULL_VALUE
    partition = sys_api["partitions"]["sdb1"]
    assert isinstance(partition, struct_pb2.Struct)
    assert partition["sectorsize"] == 512 and partition["start"] == "2048"
    assert len(partition["holders"]) == 0
    mixed = sys_api.fields["mixed"].list_value.values
    assert [v.WhichOneof("kind") for v in mixed] == [
        "string_value",
        "number_value",
        "number_value",
        "bool_value",
        "bool_value",
        "null_value",
        "struct_value",
        "list_value",
        "struct_value",
    ]
    assert json_format.MessageToDict(sys_api)["mixed"] == ["a", 1, -2.5, True, False, None, {"k": "v"}, [], {}]
    assert sys_api.fields["empty_object"].WhichOneof("kind") == "struct_value"
    assert sys_api.fields["empty_list"].WhichOneof("kind") == "list_value"
    assert sys_api["cl\u00e9 " + UNICODE] == UNICODE
    assert dict(nvme.sys_api)["partitions"] == struct_pb2.Struct()


def test_device_unknown_enum():
    dev = decoded("device_unknown_enum")
    # proto3 enums are open: an unknown number survives decoding and re-encoding.
    assert dev.type == 7
    assert 7 not in inventory_pb2.Device.Type.values()
    assert inventory_pb2.Device.FromString(dev.SerializeToString()).type == 7
    assert json_format.MessageToDict(dev)["type"] == 7
    assert dev.osd_id == -1


def test_drive_group_spec():
    spec = decoded("drive_group_spec")
    assert spec.service_id == "fast_hdd"
    assert osd_pb2.DriveGroupSpec.Objectstore.Name(spec.objectstore) == "OBJECTSTORE_BLUESTORE"
    assert spec.encrypted and spec.osds_per_device == 2 and spec.db_slots == 4

    # optional bool: set true / set false / unset are three different states.
    assert spec.data_devices.HasField("rotational") and spec.data_devices.rotational is True
    assert spec.db_devices.HasField("rotational") and spec.db_devices.rotational is False
    assert not spec.wal_devices.HasField("rotational")
    assert list(spec.wal_devices.paths) == ["/dev/nvme1n1", "/dev/nvme2n1"]
    assert spec.HasField("data_devices") and not spec.HasField("journal_devices")

    # map<string, OsdIdList>, with an entry whose list is empty.
    claims = {k: list(v.osd_ids) for k, v in spec.osd_id_claims.items()}
    assert claims == {"node-1": [0, 3, 17], "node-2": [], "node-3": [2147483647]}


def test_drive_group_spec_directories():
    spec = decoded("drive_group_spec_directories")
    assert spec.objectstore == osd_pb2.DriveGroupSpec.OBJECTSTORE_FILESTORE
    assert list(spec.data_directories) == ["/var/lib/ceph/osd-data/a", "/var/lib/ceph/osd-data/b"]
    assert not spec.HasField("data_devices")
    assert spec.HasField("journal_devices") and spec.journal_devices.all
    assert not spec.journal_devices.HasField("rotational")
    assert len(spec.osd_id_claims) == 0


def test_operation_succeeded():
    op = decoded("operation_succeeded")
    State = operation_pb2.Operation.State
    assert State.Name(op.state) == "STATE_SUCCEEDED"
    assert op.persistent and op.done and not op.cancel_requested
    assert op.description == "Create OSDs from drive group 'fast_hdd' on 3 hosts \u2014 " + UNICODE
    assert op.progress == 1.0
    assert list(op.hosts) == ["node-1", "node-2", "node-3"]
    assert [State.Name(t.state) for t in op.tasks] == ["STATE_SUCCEEDED", "STATE_SUCCEEDED"]
    assert op.tasks[1].progress == 1 / 3
    assert not op.tasks[0].HasField("error")
    assert (op.create_time.seconds, op.create_time.nanos) == (1714564800, 0)
    assert (op.end_time.seconds, op.end_time.nanos) == (1714564861, 250000000)
    assert op.end_time.ToJsonString() == "2024-05-01T12:01:01.250Z"

    assert op.WhichOneof("outcome") == "result"
    assert not op.HasField("error")
    assert op.result.WhichOneof("result") == "osds"
    assert [(o.osd_id, o.hostname, o.data, o.db) for o in op.result.osds.osds] == [
        (0, "node-1", "/dev/sdb", "/dev/nvme0n1"),
        (3, "node-1", "/dev/sdc", "/dev/nvme0n1"),
        (17, "node-2", "/dev/sdb", ""),
    ]


def test_operation_failed():
    op = decoded("operation_failed")
    assert op.state == operation_pb2.Operation.STATE_FAILED
    assert op.done and op.cancel_requested
    assert op.progress == 0.5

    assert op.WhichOneof("outcome") == "error"
    assert not op.HasField("result")
    err = op.error
    assert err.code == code_pb2.ABORTED
    assert code_pb2.Code.Name(err.code) == "ABORTED"
    assert err.message.endswith("(" + UNICODE + ")")

    # google.rpc.Status.details: an ErrorInfo packed in Any.
    assert len(err.details) == 1
    any_detail = err.details[0]
    assert any_detail.type_url == "type.googleapis.com/google.rpc.ErrorInfo"
    assert any_detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR)
    info = error_details_pb2.ErrorInfo()
    assert any_detail.Unpack(info)
    assert info.reason == "BACKEND_FAILED"
    assert info.domain == ERROR_DOMAIN
    assert dict(info.metadata) == {"device": "/dev/sdc", "hostname": "node-2", "note": UNICODE}

    failed_task = op.tasks[1]
    assert failed_task.state == operation_pb2.Operation.STATE_FAILED
    assert failed_task.HasField("error")
    assert failed_task.error.code == code_pb2.ABORTED
    assert len(failed_task.error.details) == 0


def test_operation_result_upgrade():
    result = decoded("operation_result_upgrade")
    assert result.WhichOneof("result") == "upgrade"
    up = result.upgrade
    assert up.in_progress and not up.paused
    assert (up.daemons_upgraded, up.daemons_total) == (2, 12)
    assert (up.current_version, up.target_version) == ("18.2.4", "19.2.1")


def test_get_status_response():
    resp = decoded("get_status_response")
    assert resp.available and resp.backend == "sim"
    # map<string, string>, with an empty value and unicode key and value.
    assert dict(resp.details) == {
        "fsid": CLUSTER_FSID,
        "hosts_reachable": "3",
        "empty": "",
        "cl\u00e9 " + UNICODE: UNICODE,
    }

    down = decoded("get_status_unavailable")
    assert not down.available
    assert down.reason.startswith("cannot reach the cluster")
    assert len(down.details) == 0


def test_stateless_service_specs():
    rgw = decoded("stateless_service_rgw")
    assert service_pb2.ServiceType.Name(rgw.service_type) == "SERVICE_TYPE_RGW"
    assert rgw.WhichOneof("details") == "rgw"
    assert not rgw.HasField("nfs")
    assert (rgw.rgw.rgw_realm, rgw.rgw.rgw_zone, rgw.rgw.rgw_frontend_port) == ("eu", "west", 8443)
    assert rgw.rgw.ssl and rgw.rgw.rgw_multisite and rgw.rgw.rgw_zonemaster and not rgw.rgw.rgw_zonesecondary
    assert rgw.rgw.system_secret_key == "s3cr3t/with+base64=chars"
    assert [(h.hostname, h.network, h.name) for h in rgw.placement.hosts] == [
        ("node-1", "", "a"),
        ("node-2", "10.0.0.0/24", ""),
    ]
    assert (rgw.placement.label, rgw.placement.count, rgw.placement.host_pattern) == ("rgw", 2, "node-*")

    nfs = decoded("stateless_service_nfs")
    assert nfs.service_type == service_pb2.SERVICE_TYPE_NFS
    assert nfs.WhichOneof("details") == "nfs"
    assert (nfs.nfs.pool, nfs.nfs.namespace, nfs.nfs.port) == (".nfs", "cephfs", 2049)

    # A oneof member set to an all-default message is still the set member.
    empty = decoded("stateless_service_rgw_empty")
    assert empty.WhichOneof("details") == "rgw"
    assert empty.HasField("rgw")
    assert empty.rgw == service_pb2.RgwSpec()
    assert not empty.HasField("placement")


def test_upgrade_status():
    up = decoded("upgrade_status")
    assert up.in_progress and up.paused
    assert list(up.services_complete) == ["mgr", "mon", "crash"]
    assert up.progress == "5 of 12 daemons upgraded"
    assert up.message == "paused by admin \u2014 " + UNICODE

    _, data, doc = load("upgrade_status_empty")
    assert data == b""
    assert doc["json"] == {}
    assert upgrade_pb2.UpgradeStatus.FromString(data) == upgrade_pb2.UpgradeStatus()
