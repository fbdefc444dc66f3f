"""OrchestratorClient against the real server (sim backend), once per transport.

Each transport has its own servers (conftest.py), and the tests that change the cluster
undo their change where the API allows, so each test sees the fixture's cluster: hosts
node-1..node-3 (spares node-4, node-5), Ceph 16.2.15, mon on each host, mgr on node-1 and
node-2, crash on each, osd.0..osd.2 on /dev/sdb of node-1..node-3.
"""

from __future__ import annotations

import errno
import time
import uuid
from typing import Any, List

import pytest

from ceph_orchestrator.v1 import (
    host_pb2,
    inventory_pb2,
    operation_pb2,
    operation_service_pb2,
    osd_pb2,
    service_pb2,
)
from ceph_orchestrator_client import (
    ERROR_DOMAIN,
    STATE_NAMES,
    Completion,
    NoOrchestrator,
    OrchestratorClient,
    OrchestratorError,
    OrchestratorValidationError,
    StatusCode,
)
from ceph_orchestrator_client.client import _FEATURES
from orch_servers import free_port

FSID = "8c3e5f2a-4b7d-11ef-9a1c-525400a1b2c3"
Op = operation_pb2.Operation


def states(c: Completion[Any]) -> List[str]:
    return [STATE_NAMES[o.state] for o in c.history]


def assert_streamed(c: Completion[Any], final: str = "SUCCEEDED") -> None:
    """The completion saw the whole documented sequence: ACCEPTED, PERSISTENT, RUNNING...,
    then the final state, with progress never going back."""
    names = states(c)
    assert names[:2] == ["ACCEPTED", "PERSISTENT"], names
    assert names[-1] == final, names
    assert set(names[2:-1]) <= {"RUNNING"}, names
    progress = [o.progress for o in c.history]
    assert progress == sorted(progress), progress
    assert [o.persistent for o in c.history] == [False] + [True] * (len(names) - 1)
    assert [o.done for o in c.history] == [False] * (len(names) - 1) + [True]


def done(c: Completion[Any], timeout: float = 10.0) -> Completion[Any]:
    assert c.wait(timeout) is True
    assert c.is_complete
    return c


def hostnames(client: OrchestratorClient) -> List[str]:
    return [h.hostname for h in client.get_hosts()]


# --- orchestrator ---------------------------------------------------------------------

def test_available(client: OrchestratorClient) -> None:
    ok, reason, details = client.available()
    assert (ok, reason) == (True, "")
    assert details == {"backend": "sim", "fsid": FSID, "version": "16.2.15", "hosts": "3", "paused": False}


def test_get_feature_set_and_capabilities(client: OrchestratorClient) -> None:
    caps = client.get_capabilities()
    assert (caps.backend, caps.version) == ("sim", "0.1.0")
    # Every RPC of the service has its client methods in _FEATURES, and the sim supports them all.
    assert sorted(r.method for r in caps.rpcs) == sorted("ceph_orchestrator.v1." + k for k in _FEATURES)
    assert all(r.supported and not r.unsupported_options for r in caps.rpcs)
    features = client.get_feature_set()
    expected = {name for names in _FEATURES.values() for name in names}
    assert set(features) == expected
    assert all(f == {"available": True} for f in features.values())


# --- hosts ----------------------------------------------------------------------------

def test_get_hosts(client: OrchestratorClient) -> None:
    hosts = {h.hostname: h for h in client.get_hosts()}
    assert sorted(hosts) == ["node-1", "node-2", "node-3"]
    n1 = hosts["node-1"]
    assert isinstance(n1, host_pb2.Host)
    assert (n1.addr, sorted(n1.labels), n1.status, n1.status_message) == (
        "10.0.0.11", ["_admin", "mgr", "mon", "osd"], host_pb2.Host.STATUS_ONLINE, "")
    assert [h.hostname for h in client.get_hosts(label="mgr")] == ["node-1", "node-2"]
    assert client.get_hosts(label="no-such-label") == []


def test_list_methods_read_every_page(server: Any, transport: str) -> None:
    with OrchestratorClient(server.target, transport=transport, page_size=1) as one:
        assert hostnames(one) == ["node-1", "node-2", "node-3"]
        assert [h.hostname for h in one.get_inventory()] == ["node-1", "node-2", "node-3"]
        assert {s.service_name for s in one.describe_service()} >= {"mon", "mgr", "crash", "osd.default_drive_group"}
        assert len(one.list_daemons(daemon_type="mon")) == 3


def test_host_lifecycle(client: OrchestratorClient) -> None:
    c = client.add_host("node-5", labels=["rgw"])
    assert isinstance(c, Completion)
    assert c.operation_id and c.operation.method == "ceph_orchestrator.v1.HostService.AddHost"
    assert str(c) == "Add host 'node-5'"
    done(c)
    assert_streamed(c)
    assert (c.is_persistent, c.is_effective, c.is_errored, c.progress, c.exception) == (True, True, False, 1.0, None)
    assert not c.should_wait
    host = c.result
    assert isinstance(host, host_pb2.Host)
    assert (host.hostname, host.addr, list(host.labels), host.status) == (
        "node-5", "10.0.0.15", ["rgw"], host_pb2.Host.STATUS_ONLINE)
    try:
        assert "node-5" in hostnames(client)
        assert [h.hostname for h in client.get_hosts(label="rgw")] == ["node-5"]
        inv = client.get_inventory(hosts=["node-5"])
        assert [d.path for d in inv[0].devices] == ["/dev/sda", "/dev/sdb", "/dev/sdc", "/dev/sdd", "/dev/sde"]

        labelled = done(client.add_host_label("node-5", "nfs")).result
        assert sorted(labelled.labels) == ["nfs", "rgw"]
        unlabelled = done(client.remove_host_label("node-5", "rgw")).result
        assert list(unlabelled.labels) == ["nfs"]
        assert client.get_hosts(label="rgw") == []
        moved = done(client.update_host_addr("node-5", "10.0.0.55"))
        assert str(moved) == "Set the address of host 'node-5' to 10.0.0.55"
        assert moved.result.addr == "10.0.0.55"
        assert {h.hostname: h.addr for h in client.get_hosts()}["node-5"] == "10.0.0.55"
    finally:
        removed = done(client.remove_host("node-5"))
    assert_streamed(removed)
    assert isinstance(removed.result, operation_pb2.RemovedHost)
    assert removed.result.hostname == "node-5"
    assert "node-5" not in hostnames(client)


def test_add_host_invalid_hostname(client: OrchestratorClient) -> None:
    with pytest.raises(OrchestratorValidationError) as info:
        client.add_host("bad name")
    e = info.value
    description = "contains U+0020; only letters, digits, '.', '_' and '-' are allowed"
    assert e.field_violations == [("host.hostname", description)]
    assert e.fields == ["host.hostname"]
    assert str(e) == "host.hostname: " + description
    assert (e.code, e.reason, e.domain, e.errno) == (StatusCode.INVALID_ARGUMENT, "INVALID_FIELD", ERROR_DOMAIN, -errno.EINVAL)
    assert isinstance(e, OrchestratorError) and not isinstance(e, NoOrchestrator)
    assert e.status is not None and e.status.code == 3
    assert hostnames(client) == ["node-1", "node-2", "node-3"]  # nothing changed


def test_errors_not_found_and_precondition(client: OrchestratorClient) -> None:
    with pytest.raises(OrchestratorError) as info:
        client.remove_host("node-9")
    e = info.value
    assert type(e) is OrchestratorError
    assert (str(e), e.code, e.reason, e.errno) == ("host 'node-9' not found", StatusCode.NOT_FOUND, "NOT_FOUND", -errno.ENOENT)
    assert e.metadata == {"resourceType": "host", "resourceName": "node-9"}

    with pytest.raises(OrchestratorError) as info:
        client.remove_host("node-1")
    e = info.value
    assert type(e) is OrchestratorError
    assert (e.code, e.reason, e.metadata) == (StatusCode.FAILED_PRECONDITION, "FAILED_PRECONDITION", {"subject": "host/node-1"})
    assert str(e) == ("host 'node-1' still has 4 daemons (mon.node-1, mgr.node-1.xkqvzc, crash.node-1, osd.0); "
                      "remove them first or set force")

    with pytest.raises(OrchestratorError) as info:
        client.service_action("restart", "mds.nope")
    assert (info.value.code, info.value.event_subject) == (StatusCode.NOT_FOUND, ("service", "mds.nope"))


def test_request_id_makes_writes_idempotent(client: OrchestratorClient) -> None:
    rid = "test-" + uuid.uuid4().hex
    first = done(client.add_host_label("node-1", "idem", request_id=rid))
    again = done(client.add_host_label("node-1", "idem", request_id=rid))
    assert again.operation_id == first.operation_id
    assert first.operation.request_id == rid
    with pytest.raises(OrchestratorError) as info:
        client.add_host_label("node-1", "other", request_id=rid)
    assert (info.value.code, info.value.reason) == (StatusCode.ALREADY_EXISTS, "REQUEST_ID_REUSED")
    assert info.value.metadata["operation"] == first.operation_id
    # Without a request_id each call gets a fresh one (a UUID).
    a = done(client.remove_host_label("node-1", "idem"))
    b = done(client.remove_host_label("node-1", "idem"))
    assert a.operation_id != b.operation_id
    assert str(uuid.UUID(a.operation.request_id)) == a.operation.request_id


# --- inventory ------------------------------------------------------------------------

def test_get_inventory(client: OrchestratorClient) -> None:
    inv = {h.hostname: h for h in client.get_inventory()}
    assert sorted(inv) == ["node-1", "node-2", "node-3"]
    assert isinstance(inv["node-3"], inventory_pb2.InventoryHost)
    big = [d for d in inv["node-3"].devices if d.path == "/dev/sdf"][0]
    assert (big.size_bytes, big.type, big.rotational, big.available) == (20000588955648, inventory_pb2.Device.TYPE_HDD, True, True)
    sda = [d for d in inv["node-1"].devices if d.path == "/dev/sda"][0]
    assert (sda.available, list(sda.rejected_reasons)) == (False, ["locked", "Has partitions"])
    assert [h.hostname for h in client.get_inventory(hosts=["node-2"])] == ["node-2"]
    assert [h.hostname for h in client.get_inventory(labels=["_admin"])] == ["node-1"]
    assert [h.hostname for h in client.get_inventory(hosts=["node-1"], refresh=True)] == ["node-1"]
    with pytest.raises(OrchestratorError) as info:
        client.get_inventory(hosts=["node-9"])
    assert info.value.code == StatusCode.NOT_FOUND


def test_zap_device(client: OrchestratorClient) -> None:
    with pytest.raises(OrchestratorError) as info:
        client.zap_device("node-1", "/dev/sdb")  # osd.0 runs from it
    assert info.value.code == StatusCode.FAILED_PRECONDITION and "osd.0" in str(info.value)
    zapped = done(client.zap_device("node-2", "/dev/sdc"))
    assert str(zapped) == "Zap device node-2:/dev/sdc"
    assert isinstance(zapped.result, inventory_pb2.Device)
    assert (zapped.result.path, zapped.result.available) == ("/dev/sdc", True)


def test_blink_device_light(client: OrchestratorClient) -> None:
    c = done(client.blink_device_light("ident", True, [("node-1", "SEAGATE_ST4000NM0025_ZC1A0N12"), ("node-2", "", "/dev/sdc")]))
    assert isinstance(c.result, operation_pb2.DeviceLightsSet)
    assert list(c.result.messages) == [
        "Set ident light for node-1:SEAGATE_ST4000NM0025_ZC1A0N12 on",
        "Set ident light for node-2:/dev/sdc on",
    ]
    off = done(client.blink_device_light(
        "fault", False, [inventory_pb2.DeviceLightLocation(hostname="node-3", path="/dev/sdf")]))
    assert list(off.result.messages) == ["Set fault light for node-3:/dev/sdf off"]
    failed = done(client.blink_device_light("fault", True, [("node-1", "NOPE")]))
    assert failed.is_errored and failed.state_name == "FAILED"
    with pytest.raises(OrchestratorError) as info:
        failed.result
    assert (str(info.value), info.value.code) == ("device 'node-1:NOPE' not found", StatusCode.NOT_FOUND)
    with pytest.raises(OrchestratorValidationError) as vinfo:
        client.blink_device_light("blue", True, [("node-1", "x")])
    assert vinfo.value.fields == ["light"]


# --- OSDs -----------------------------------------------------------------------------

def _device(client: OrchestratorClient, host: str, path: str) -> inventory_pb2.Device:
    return [d for d in client.get_inventory(hosts=[host])[0].devices if d.path == path][0]


def test_create_and_remove_osds(client: OrchestratorClient) -> None:
    spec = {"service_id": "client_test", "placement": {"host_pattern": "node-1"},
            "data_devices": {"paths": ["/dev/sdd"]}, "objectstore": "bluestore"}
    before = _device(client, "node-1", "/dev/sdd")
    assert (before.available, before.osd_id) == (True, -1)

    plan = client.preview_osds(spec)
    assert len(plan) == 1 and isinstance(plan[0], osd_pb2.OsdHostPlan)
    assert plan[0].hostname == "node-1"
    assert [(o.data, o.osd_id, o.size_bytes) for o in plan[0].osds] == [("/dev/sdd", -1, 4000787030016)]

    c = done(client.create_osds(spec))
    assert_streamed(c)
    created = c.result
    assert isinstance(created, operation_pb2.CreatedOsds)
    assert len(created.osds) == 1
    osd = created.osds[0]
    assert (osd.hostname, osd.data) == ("node-1", "/dev/sdd") and osd.osd_id >= 3
    after = _device(client, "node-1", "/dev/sdd")
    assert (after.available, after.osd_id) == (False, osd.osd_id)  # the device is consumed
    daemons = client.list_daemons(daemon_type="osd", host="node-1")
    assert sorted(d.daemon_name for d in daemons) == sorted(["osd.0", "osd.%d" % osd.osd_id])
    # Repeating the request creates nothing: the device is no longer available.
    assert list(done(client.create_osds(spec)).result.osds) == []
    assert [list(p.osds) for p in client.preview_osds(spec)] == [[]]

    r = done(client.remove_osds([str(osd.osd_id)]))
    assert_streamed(r)
    removal = r.result.removals[0]
    assert isinstance(removal, osd_pb2.OsdRemoval)
    assert (removal.osd_id, removal.hostname, removal.state, removal.replace, removal.message, removal.operation_id) == (
        osd.osd_id, "node-1", osd_pb2.OsdRemoval.STATE_DONE, False, "purged", r.operation_id)
    queue = {q.osd_id: q for q in client.remove_osds_status()}
    assert queue[osd.osd_id].state == osd_pb2.OsdRemoval.STATE_DONE
    assert [d.daemon_name for d in client.list_daemons(daemon_type="osd", host="node-1")] == ["osd.0"]
    freed = _device(client, "node-1", "/dev/sdd")
    assert (freed.available, freed.osd_id) == (True, -1)


def test_replace_osds(client: OrchestratorClient) -> None:
    destroy = done(client.remove_osds([2], replace=True))
    assert (destroy.result.removals[0].replace, destroy.result.removals[0].message) == (
        True, "destroyed; its id is kept for a replacement")
    spec = osd_pb2.DriveGroupSpec(
        service_id="default_drive_group", host_pattern="node-3", data_devices=osd_pb2.DeviceSelection(paths=["/dev/sdc"]),
        osd_id_claims={"node-3": osd_pb2.OsdIdList(osd_ids=[2])})
    c = done(client.replace_osds(spec))
    assert [(o.osd_id, o.hostname, o.data) for o in c.result.osds] == [(2, "node-3", "/dev/sdc")]
    assert _device(client, "node-3", "/dev/sdc").osd_id == 2
    assert [d.hostname for d in client.list_daemons(daemon_id="osd.2")] == ["node-3"]


def test_drive_group_validation(client: OrchestratorClient) -> None:
    with pytest.raises(OrchestratorValidationError) as info:
        client.create_osds({"host_pattern": "zzz*", "data_devices": {"all": True}})
    assert info.value.field_violations == [("spec.host_pattern", "host_pattern 'zzz*' does not match any hosts")]
    with pytest.raises(OrchestratorValidationError) as info:
        client.create_osds({"host_pattern": "*", "data_devices": {"size": "10X"}})
    assert info.value.fields == ["spec.data_devices.size"]
    with pytest.raises(OrchestratorValidationError) as info:  # refused by the client
        client.create_osds({"host_pattern": "*", "data_devices": {"no_such_field": 1}})
    assert info.value.fields == ["spec"]
    with pytest.raises(OrchestratorError) as ninfo:
        client.remove_osds([99])
    assert (str(ninfo.value), ninfo.value.code) == ("osd 'osd.99' not found", StatusCode.NOT_FOUND)


def test_drive_group_pacific_fields(client: OrchestratorClient) -> None:
    from ceph_orchestrator_client.specs import drive_group_from_dict
    # As `ceph orch apply osd -i` reads a Pacific spec: settings under `spec:`, upstream's names.
    upstream = {
        "service_type": "osd", "service_id": "fast", "placement": {"host_pattern": "node-*"},
        "spec": {
            "data_devices": {"rotational": 1, "model": "HGST", "vendor": "ATA", "limit": 2},
            "db_devices": {"rotational": 0},
            "filter_logic": "or", "method": "lvm", "block_db_size": 64424509440, "block_wal_size": "1G",
            "data_allocate_fraction": 0.5, "crush_device_class": "hdd_fast", "osds_per_device": 1,
        },
    }
    spec = drive_group_from_dict(upstream)
    assert (spec.service_id, spec.host_pattern, spec.filter_logic, spec.method) == (
        "fast", "node-*", osd_pb2.DriveGroupSpec.FILTER_LOGIC_OR, osd_pb2.OSD_METHOD_LVM)
    assert (spec.block_db_size, spec.block_wal_size, spec.data_allocate_fraction, spec.crush_device_class) == (
        "64424509440", "1G", 0.5, "hdd_fast")
    assert spec.data_devices == osd_pb2.DeviceSelection(rotational=True, id_model="HGST", vendor="ATA", count=2)
    plans = client.preview_osds(upstream)
    planned = [o for h in plans for o in h.osds]
    assert planned and all(o.db for o in planned)
    assert {(o.data_size_bytes * 2 == o.size_bytes, o.db_size_bytes, o.crush_device_class) for o in planned} == {
        (True, 64424509440, "hdd_fast")}
    with pytest.raises(OrchestratorValidationError) as info:
        client.create_osds({**upstream, "spec": {**upstream["spec"], "data_allocate_fraction": 2, "method": "raw"}})
    assert info.value.fields == ["spec.data_allocate_fraction", "spec.block_db_size", "spec.block_wal_size"]


# --- services and daemons -------------------------------------------------------------

def test_describe_service(client: OrchestratorClient) -> None:
    services = {s.service_name: s for s in client.describe_service()}
    assert {"mon", "mgr", "crash", "osd.default_drive_group"} <= set(services)
    mon = services["mon"]
    assert isinstance(mon, service_pb2.ServiceDescription)
    assert (mon.service_type, mon.size, mon.running) == (service_pb2.SERVICE_TYPE_MON, 3, 3)
    assert [s.service_name for s in client.describe_service("mon")] == ["mon"]
    assert [s.service_name for s in client.describe_service(service_pb2.SERVICE_TYPE_CRASH)] == ["crash"]
    assert [s.size for s in client.describe_service(service_name="crash")] == [3]
    on_node3 = {s.service_name for s in client.describe_service(host="node-3")}
    assert on_node3 == {"mon", "crash", "osd.default_drive_group"}
    with pytest.raises(OrchestratorValidationError):
        client.describe_service("no-such-type")


def test_list_daemons(client: OrchestratorClient) -> None:
    mons = client.list_daemons(daemon_type="mon")
    assert [d.daemon_name for d in mons] == ["mon.node-1", "mon.node-2", "mon.node-3"]
    assert all(d.status == service_pb2.DaemonDescription.STATUS_RUNNING and d.version == "16.2.15" for d in mons)
    assert [d.daemon_name for d in client.list_daemons(service_name="crash")] == [
        "crash.node-1", "crash.node-2", "crash.node-3"]
    assert [(d.daemon_name, d.hostname) for d in client.list_daemons(daemon_id="osd.0")] == [("osd.0", "node-1")]
    assert [d.daemon_name for d in client.list_daemons(daemon_type="osd", daemon_id="1")] == ["osd.1"]
    assert {d.daemon_name for d in client.list_daemons(host="node-3")} >= {"mon.node-3", "crash.node-3"}


def test_service_and_daemon_actions(client: OrchestratorClient) -> None:
    c = done(client.service_action("restart", "crash"))
    assert_streamed(c)
    assert isinstance(c.result, operation_pb2.DaemonsActedOn)
    assert list(c.result.daemon_names) == ["crash.node-1", "crash.node-2", "crash.node-3"]
    stop = done(client.daemon_action("stop", "crash.node-1"))
    assert list(stop.result.daemon_names) == ["crash.node-1"]
    assert client.list_daemons(daemon_id="crash.node-1")[0].status == service_pb2.DaemonDescription.STATUS_STOPPED
    done(client.daemon_action("start", "crash.node-1"))
    assert client.list_daemons(daemon_id="crash.node-1")[0].status == service_pb2.DaemonDescription.STATUS_RUNNING
    with pytest.raises(OrchestratorValidationError) as info:
        client.service_action("explode", "crash")
    assert info.value.fields == ["action"]
    with pytest.raises(OrchestratorError) as ninfo:
        client.daemon_action("restart", "osd.99")
    assert (ninfo.value.code, ninfo.value.event_subject) == (StatusCode.NOT_FOUND, ("daemon", "osd.99"))


def test_update_mons_and_mgrs(client: OrchestratorClient) -> None:
    m = done(client.update_mons(3, [("node-1", "10.0.0.11"), ("node-2", "10.0.0.12"), ("node-3", "10.0.0.0/24")]))
    assert_streamed(m)
    mon = m.result
    assert (mon.service_name, mon.size, mon.running, mon.placement.count) == ("mon", 3, 3, 3)
    assert [(h.hostname, h.network) for h in mon.placement.hosts] == [
        ("node-1", "10.0.0.11"), ("node-2", "10.0.0.12"), ("node-3", "10.0.0.0/24")]
    try:
        g = done(client.update_mgrs(3))
        assert (g.result.service_name, g.result.size, g.result.running, g.result.placement.count) == ("mgr", 3, 3, 3)
        assert len(client.list_daemons(daemon_type="mgr")) == 3
    finally:
        back = done(client.update_mgrs(2, label="mgr"))
    assert (back.result.placement.label, back.result.size) == ("mgr", 2)
    assert sorted(d.hostname for d in client.list_daemons(daemon_type="mgr")) == ["node-1", "node-2"]


def test_stateless_services(client: OrchestratorClient) -> None:
    mds = done(client.add_mds({"service_id": "cephfs", "placement": {"count": 2}}))
    assert_streamed(mds)
    assert (mds.result.service_name, mds.result.size, mds.result.running) == ("mds.cephfs", 2, 2)
    assert [s.size for s in client.describe_service(service_name="mds.cephfs")] == [2]
    assert done(client.update_mds({"service_id": "cephfs", "placement": {"count": 3}})).result.size == 3
    assert len(client.list_daemons(service_name="mds.cephfs")) == 3
    one = sorted(d.daemon_name for d in client.list_daemons(service_name="mds.cephfs"))[0]
    assert list(done(client.remove_daemons([one])).result.daemon_names) == [one]
    assert one not in {d.daemon_name for d in client.list_daemons(service_name="mds.cephfs")}

    rgw = done(client.add_rgw({"service_id": "default", "rgw_frontend_port": 8080,
                               "placement": {"hosts": ["node-1"]}})).result
    assert (rgw.service_name, rgw.rgw.rgw_frontend_port, [h.hostname for h in rgw.placement.hosts]) == (
        "rgw.default", 8080, ["node-1"])
    nfs = done(client.add_nfs({"service_id": "ganesha", "pool": "nfs-ganesha", "namespace": "ns"})).result
    assert (nfs.nfs.pool, nfs.nfs.namespace, nfs.rados_config_location) == (
        "nfs-ganesha", "ns", "rados://nfs-ganesha/ns/conf-nfs.ganesha")
    iscsi = done(client.add_iscsi({"service_id": "gw", "pool": "iscsi", "api_user": "admin",
                                   "api_password": "secret", "trusted_ip_list": ["10.0.0.11"]})).result
    assert (iscsi.iscsi.pool, iscsi.iscsi.api_user, iscsi.iscsi.api_password) == ("iscsi", "admin", "")  # secret not returned
    mirror = done(client.add_rbd_mirror()).result
    assert (mirror.service_name, mirror.service_type) == ("rbd-mirror", service_pb2.SERVICE_TYPE_RBD_MIRROR)
    generic = done(client.add_stateless_service(service_pb2.StatelessServiceSpec(
        service_type=service_pb2.SERVICE_TYPE_MDS, service_id="fs2"))).result
    assert generic.service_name == "mds.fs2"
    again = done(client.add_mds({"service_id": "fs2"}))  # the same spec again: no change
    assert again.result.service_name == "mds.fs2"

    with pytest.raises(OrchestratorValidationError) as vinfo:
        client.add_nfs({"service_id": "x"})
    assert vinfo.value.field_violations == [("spec.nfs.pool", "is required for NFS")]
    with pytest.raises(OrchestratorValidationError) as vinfo:
        client.add_mds({"service_type": "rgw", "service_id": "x"})
    assert vinfo.value.fields == ["spec.service_type"]
    with pytest.raises(OrchestratorError) as ninfo:
        client.update_rgw({"service_id": "nope"})
    assert (str(ninfo.value), ninfo.value.code) == ("service 'rgw.nope' not found", StatusCode.NOT_FOUND)

    removed = {}
    for remove, name in [(client.remove_mds, "cephfs"), (client.remove_rgw, "default"), (client.remove_nfs, "ganesha"),
                         (client.remove_iscsi, "gw"), (client.remove_rbd_mirror, None)]:
        r = done(remove(name))  # type: ignore[operator]
        assert isinstance(r.result, operation_pb2.RemovedService)
        removed[r.result.service_name] = list(r.result.daemon_names)
    removed_fs2 = done(client.remove_stateless_service("mds.fs2")).result
    assert sorted(removed) == ["iscsi.gw", "mds.cephfs", "nfs.ganesha", "rbd-mirror", "rgw.default"]
    assert len(removed["mds.cephfs"]) == 2 and all(n.startswith("mds.cephfs.") for n in removed["mds.cephfs"])  # one went by name
    assert removed_fs2.service_name == "mds.fs2"
    left = {s.service_name for s in client.describe_service()}
    assert not left & {"mds.cephfs", "mds.fs2", "rgw.default", "nfs.ganesha", "iscsi.gw", "rbd-mirror"}


# --- upgrades (on the default server: reads only) ---------------------------------------

def test_upgrade_available_and_status(client: OrchestratorClient) -> None:
    avail = client.upgrade_available()
    assert (avail.current_version, list(avail.versions)) == ("16.2.15", ["17.2.7", "18.2.4"])
    status = client.upgrade_status()
    assert (status.in_progress, status.current_version, status.target_version, status.paused) == (False, "16.2.15", "", False)
    with pytest.raises(OrchestratorValidationError) as info:
        client.upgrade_start("99.0.0")
    assert info.value.field_violations == [("target_version", "'99.0.0' is not available; available: 17.2.7, 18.2.4")]


# --- operations -----------------------------------------------------------------------

def test_operations(client: OrchestratorClient) -> None:
    c = client.add_host_label("node-2", "ops")
    assert client.wait([c], timeout=10) is True
    assert c.is_effective and sorted(c.result.labels) == ["mgr", "mon", "ops", "osd"]
    op = client.get_operation(c.operation_id)
    assert (op.id, op.state, op.method, op.description, list(op.hosts)) == (
        c.operation_id, Op.STATE_SUCCEEDED, "ceph_orchestrator.v1.HostService.AddHostLabel",
        "Add label 'ops' to host 'node-2'", ["node-2"])
    listed = client.list_operations(method="ceph_orchestrator.v1.HostService.AddHostLabel", host="node-2")
    assert c.operation_id in [o.id for o in listed]
    assert c.operation_id in [o.id for o in client.list_operations(states=["SUCCEEDED"])]
    assert c.operation_id not in [o.id for o in client.list_operations(states=[Op.STATE_FAILED])]

    watched = client.watch(c.operation_id)
    assert watched.is_complete and list(watched.result.labels) == list(c.result.labels)

    cancelled = client.cancel(c.operation_id)  # cancelling a finished operation changes nothing
    assert (cancelled.state, cancelled.cancel_requested) == (Op.STATE_SUCCEEDED, False)

    assert client.wait([]) is True
    assert client.wait([c, watched], timeout=0) is True
    with pytest.raises(OrchestratorError) as info:
        client.get_operation("00000000-0000-0000-0000-000000000000")
    assert info.value.code == StatusCode.NOT_FOUND
    done(client.remove_host_label("node-2", "ops"))


def test_maintenance_and_drain(client: OrchestratorClient) -> None:
    assert client.host_ok_to_stop("node-3") == (True, [])
    entered = done(client.enter_host_maintenance("node-3"))
    assert entered.result.status == host_pb2.Host.STATUS_MAINTENANCE
    assert {d.status for d in client.list_daemons(host="node-3")} == {service_pb2.DaemonDescription.STATUS_STOPPED}
    ok, reasons = client.host_ok_to_stop("node-2")
    assert not ok and any("no quorum" in r for r in reasons)
    with pytest.raises(OrchestratorError) as info:
        client.enter_host_maintenance("node-2")
    assert info.value.code == StatusCode.FAILED_PRECONDITION and "no quorum" in str(info.value)
    exited = done(client.exit_host_maintenance("node-3"))
    assert exited.result.status == host_pb2.Host.STATUS_ONLINE
    assert {d.status for d in client.list_daemons(host="node-3")} == {service_pb2.DaemonDescription.STATUS_RUNNING}
    done(client.add_host("node-4"))
    drained = done(client.drain_host("node-4"))
    assert list(drained.result.daemon_names) == []
    assert "_no_schedule" in [h for h in client.get_hosts() if h.hostname == "node-4"][0].labels
    done(client.remove_host("node-4"))


def test_reconciliation(client: OrchestratorClient) -> None:
    client.pause()
    assert client.available()[2]["paused"] is True
    client.resume()
    assert client.available()[2]["paused"] is False
    features = client.get_feature_set()
    assert all(features[m]["available"] for m in ("pause", "resume", "reconcile_service"))

    added = done(client.add_mds({"service_id": "idle", "placement": {"hosts": ["node-3"]}, "unmanaged": True}))
    assert added.result.unmanaged and added.result.running == 0
    assert client.list_daemons(service_name="mds.idle") == []
    with pytest.raises(OrchestratorError) as info:
        client.reconcile_service("mds.idle")
    assert info.value.code == StatusCode.FAILED_PRECONDITION and "unmanaged" in str(info.value)
    done(client.update_mds({"service_id": "idle", "placement": {"hosts": ["node-3"]}}))
    assert [d.hostname for d in client.list_daemons(service_name="mds.idle")] == ["node-3"]

    c = done(client.reconcile_service("mds.idle"))  # nothing left to do
    assert str(c) == "Reconcile service 'mds.idle'"
    assert (c.result.service_name, c.result.running) == ("mds.idle", 1)
    assert c.operation_id in [o.id for o in client.list_operations(origin="client")]
    assert c.operation_id not in [o.id for o in client.list_operations(origin="reconciler")]
    with pytest.raises(OrchestratorValidationError) as vinfo:
        client.list_operations(origin="someone")
    assert vinfo.value.fields == ["origin"]
    with pytest.raises(OrchestratorError) as info:
        client.reconcile_service("mds.nothing")
    assert info.value.code == StatusCode.NOT_FOUND
    done(client.remove_mds("idle"))

    added_by_hand = done(client.add_daemon({"service_type": "mds", "service_id": "byhand", "placement": {"hosts": ["node-2"]}}))
    assert [d.hostname for d in client.list_daemons(service_name="mds.byhand")] == ["node-2"]
    assert list(added_by_hand.result.daemon_names) == [d.daemon_name for d in client.list_daemons(service_name="mds.byhand")]
    done(client.remove_daemons(added_by_hand.result.daemon_names))


def test_unknown_method_is_not_implemented(client: OrchestratorClient) -> None:
    with pytest.raises(NotImplementedError):
        client.transport.unary("/ceph_orchestrator.v1.HostService/NoSuchMethod", operation_service_pb2.GetOperationRequest(),
                               operation_service_pb2.GetOperationResponse, 5.0)
    stream = client.transport.server_stream(
        "/ceph_orchestrator.v1.NoService/Watch", operation_service_pb2.WatchOperationRequest(id="x"),
        operation_service_pb2.WatchOperationResponse, 5.0)
    with pytest.raises(NotImplementedError) as info:
        stream.read()
    assert isinstance(info.value.__cause__, OrchestratorError)
    assert info.value.__cause__.code == StatusCode.UNIMPLEMENTED


def test_large_request_respects_flow_control(client: OrchestratorClient) -> None:
    # 200 kB is more than HTTP/2's initial 64 KiB window: the body goes out in parts.
    with pytest.raises(OrchestratorValidationError) as info:
        client.add_host_label("node-1", "x" * 200_000)
    assert info.value.field_violations == [("label", "must be at most 64 characters")]


def test_unreachable_server_is_unavailable(transport: str) -> None:
    with OrchestratorClient("127.0.0.1:%d" % free_port(), transport=transport, timeout=5, retries=1) as down:
        t0 = time.monotonic()
        with pytest.raises(OrchestratorError) as info:
            down.get_hosts()
        assert (info.value.code, info.value.errno) == (StatusCode.UNAVAILABLE, -errno.EAGAIN)
        with pytest.raises(OrchestratorError) as info:
            down.add_host("node-4")
        assert info.value.code == StatusCode.UNAVAILABLE
        ok, reason, details = down.available()
        assert (ok, details) == (False, {}) and reason.startswith("cannot reach the orchestrator service at 127.0.0.1:")
        assert time.monotonic() - t0 < 10


# --- no backend -----------------------------------------------------------------------

def test_no_orchestrator(none_client: OrchestratorClient) -> None:
    assert none_client.available() == (False, "No orchestrator backend is configured", {})
    for call in (none_client.get_hosts, lambda: none_client.add_host("node-4"), none_client.get_feature_set,
                 none_client.upgrade_status):
        with pytest.raises(NoOrchestrator) as info:
            call()
        e = info.value
        assert (str(e), e.code, e.reason, e.errno) == (
            "No orchestrator backend is configured (set --backend)", StatusCode.FAILED_PRECONDITION, "NO_BACKEND",
            -errno.ENOENT)
        assert isinstance(e, OrchestratorError)


# --- a backend lacking RPCs and options ---------------------------------------------------

def test_backend_without_an_rpc_or_an_option(partial_client: OrchestratorClient) -> None:
    client = partial_client
    features = client.get_feature_set()
    supported = sorted(name for name, f in features.items() if f["available"])
    assert supported == sorted(["available", "get_feature_set", "pause", "resume", "get_hosts", "get_inventory", "list_daemons",
                                "create_osds", "preview_osds", "get_operation", "list_operations", "watch", "wait", "cancel"])
    assert features["add_host"] == {"available": False}
    for call, rpc in [(lambda: client.add_host("p-3"), "HostService.AddHost"),
                      (client.upgrade_status, "UpgradeService.GetUpgradeStatus")]:
        with pytest.raises(NotImplementedError) as info:
            call()
        method = "ceph_orchestrator.v1." + rpc
        assert str(info.value) == "This orchestrator backend (partial) does not support " + method
        cause = info.value.__cause__
        assert isinstance(cause, OrchestratorError)
        assert (cause.code, cause.reason, cause.metadata) == (
            StatusCode.UNIMPLEMENTED, "BACKEND_UNSUPPORTED", {"backend": "partial", "method": method})
    with pytest.raises(OrchestratorValidationError) as vinfo:
        client.create_osds({"host_pattern": "p-*", "data_devices": {"all": True}, "encrypted": True})
    assert vinfo.value.reason == "UNSUPPORTED_OPTION"
    assert vinfo.value.field_violations == [
        ("spec.encrypted", "spec.encrypted: the partial backend does not support this option")]
    assert [h.hostname for h in client.get_hosts()] == ["p-1", "p-2"]


# --- execution failures ---------------------------------------------------------------

def test_unreachable_host_fails_the_operation(unreachable_client: OrchestratorClient) -> None:
    hosts = {h.hostname: h for h in unreachable_client.get_hosts()}
    assert (hosts["node-2"].status, hosts["node-2"].status_message) == (
        host_pb2.Host.STATUS_OFFLINE, "host node-2 is unreachable (connection timed out)")
    c = unreachable_client.service_action("restart", "crash")  # the RPC itself succeeds ...
    assert c.wait(10) is True
    assert_streamed(c, final="FAILED")  # ... and the operation fails
    assert (c.is_errored, c.is_effective, c.is_complete, c.state_name) == (True, False, True, "FAILED")
    err = c.exception
    assert type(err) is OrchestratorError
    assert (err.code, err.reason, err.metadata) == (StatusCode.ABORTED, "BACKEND_FAILED", {"hostname": "node-2"})
    assert "node-2" in str(err) and "unreachable" in str(err)
    with pytest.raises(OrchestratorError) as info:
        c.result
    assert str(info.value) == str(err)
    assert c.result_str() == ""
    tasks = {t.target: t.state for t in c.operation.tasks}
    assert tasks == {"crash.node-1": Op.STATE_SUCCEEDED, "crash.node-2": Op.STATE_FAILED,
                     "crash.node-3": Op.STATE_SUCCEEDED}


# --- running operations (slow server) ---------------------------------------------------

def test_upgrade_lifecycle(slow_client: OrchestratorClient) -> None:
    client = slow_client
    u = client.upgrade_start("17.2.7")
    assert u.state_name == "ACCEPTED"
    t0 = time.monotonic()
    assert u.wait(timeout=0.05) is False  # 11 daemons at 150 ms each: still running
    assert time.monotonic() - t0 < 1.0
    assert client.wait([u], timeout=0.05) is False
    assert (u.is_complete, u.is_effective, u.is_errored) == (False, False, False)
    with pytest.raises(OrchestratorError) as info:
        u.result
    assert info.value.reason == "NOT_COMPLETE"
    status = client.upgrade_status()
    assert (status.in_progress, status.target_version, status.operation_id, status.daemons_total) == (
        True, "17.2.7", u.operation_id, 11)
    with pytest.raises(OrchestratorError) as pinfo:
        client.upgrade_start("18.2.4")
    assert pinfo.value.code == StatusCode.FAILED_PRECONDITION

    paused = done(client.upgrade_pause()).result
    assert (paused.paused, paused.message) == (True, "paused")
    time.sleep(0.5)  # it pauses after the daemon it is on (150 ms)
    held = client.upgrade_status().daemons_upgraded
    time.sleep(0.4)
    assert client.upgrade_status().daemons_upgraded == held and client.upgrade_status().paused
    assert done(client.upgrade_resume()).result.paused is False

    # The stream hands out each state as it happens: short waits see the progress grow.
    seen = []
    deadline = time.monotonic() + 20
    while not u.wait(timeout=0.2) and time.monotonic() < deadline:
        seen.append(u.progress)
    assert len({p for p in seen if 0 < p < 1}) >= 2, seen
    assert seen == sorted(seen)
    assert u.wait(timeout=20) is True
    assert_streamed(u)
    assert len([s for s in states(u) if s == "RUNNING"]) >= 11
    result = u.result
    assert (result.in_progress, result.daemons_upgraded, result.daemons_total) == (False, 11, 11)
    assert {d.version for d in client.list_daemons()} == {"17.2.7"}
    avail = client.upgrade_available()
    assert (avail.current_version, list(avail.versions)) == ("17.2.7", ["18.2.4"])

    # Stopping a running upgrade cancels its operation.
    u2 = client.upgrade_start("18.2.4")
    stopped = done(client.upgrade_stop()).result
    assert stopped.in_progress is False
    assert u2.wait(10) is True
    assert (u2.state_name, u2.is_errored, u2.is_effective) == ("CANCELLED", True, False)
    assert isinstance(u2.exception, OrchestratorError) and u2.exception.code == StatusCode.CANCELLED
    with pytest.raises(OrchestratorError):
        u2.result


def test_cancel_running_operation(slow_client: OrchestratorClient) -> None:
    c = slow_client.add_host("node-4")
    op = slow_client.cancel(c)
    assert op.cancel_requested is True
    assert c.wait(10) is True
    assert (c.state_name, c.is_errored, c.is_effective) == ("CANCELLED", True, False)
    assert c.exception is not None and getattr(c.exception, "code") == StatusCode.CANCELLED
    assert "node-4" not in hostnames(slow_client)


def test_deadlines_and_reattach(slow_client: OrchestratorClient, slow_server: Any, transport: str) -> None:
    client = slow_client
    c = client.add_host("node-5")  # takes 1.5 s
    t0 = time.monotonic()
    assert c.wait(timeout=0.2) is False
    assert 0.15 <= time.monotonic() - t0 < 1.0
    t0 = time.monotonic()
    assert client.wait([c], timeout=0.2) is False
    assert 0.15 <= time.monotonic() - t0 < 1.0

    # The call's own deadline: WaitOperations would wait 10 s, the deadline is 0.3 s.
    wait_for_10s = operation_service_pb2.WaitOperationsRequest(ids=[c.operation_id])
    wait_for_10s.timeout.FromSeconds(10)
    t0 = time.monotonic()
    with pytest.raises(OrchestratorError) as info:
        client.transport.unary("/ceph_orchestrator.v1.OperationService/WaitOperations", wait_for_10s,
                               operation_service_pb2.WaitOperationsResponse, 0.3)
    assert (info.value.code, info.value.errno) == (StatusCode.DEADLINE_EXCEEDED, -errno.ETIMEDOUT)
    assert time.monotonic() - t0 < 2.0

    # Messages arrive as they happen, and a read timeout leaves the stream usable.
    stream = client.transport.server_stream(
        "/ceph_orchestrator.v1.OperationService/WatchOperation",
        operation_service_pb2.WatchOperationRequest(id=c.operation_id),
        operation_service_pb2.WatchOperationResponse, 10.0)
    first = stream.read(timeout=2.0)
    assert first is not None and not first.operation.done
    from ceph_orchestrator_client import ReadTimeout
    with pytest.raises(ReadTimeout):
        stream.read(timeout=0.05)
    rest = list(stream)
    assert rest and rest[-1].operation.state == Op.STATE_SUCCEEDED
    assert stream.done

    # A completion whose stream goes away re-attaches with WatchOperation.
    c.detach()
    assert c.wait(10) is True and c.result.hostname == "node-5"

    # Streams with a short deadline: wait() re-attaches after each one passes.
    with OrchestratorClient(slow_server.target, transport=transport, timeout=10, stream_timeout=0.3) as short:
        r = short.remove_host("node-5")  # 1.5 s: several 0.3 s streams
        t0 = time.monotonic()
        assert r.wait(10) is True
        assert time.monotonic() - t0 > 0.5
        assert r.is_effective and r.result.hostname == "node-5"
        assert states(r)[0] == "ACCEPTED" and states(r)[-1] == "SUCCEEDED"
