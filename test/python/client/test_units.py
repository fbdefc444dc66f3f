"""Unit tests without a server: status → exception mapping, pickling, grpc-timeout values,
spec dicts, and Completion's bookkeeping over a scripted stream."""

from __future__ import annotations

import errno
import pickle
from typing import Any, List, Optional, Union

import pytest
from google.protobuf import timestamp_pb2
from google.rpc import error_details_pb2, status_pb2

from ceph_orchestrator.v1 import host_pb2, operation_pb2, operation_service_pb2, osd_pb2, service_pb2
from ceph_orchestrator_client import (
    Completion,
    NoOrchestrator,
    OrchestratorError,
    OrchestratorValidationError,
    ReadTimeout,
    ServerStream,
    StatusCode,
    drive_group_from_dict,
    error_from_grpc,
    error_from_status,
    stateless_spec_from_dict,
)
from ceph_orchestrator_client.transport import format_grpc_timeout

Op = operation_pb2.Operation


def status(code: int, message: str, reason: str = "", **extra: Any) -> status_pb2.Status:
    s = status_pb2.Status(code=code, message=message)
    if reason:
        s.details.add().Pack(error_details_pb2.ErrorInfo(reason=reason, domain="orchestrator.ceph.io",
                                                         metadata=extra.pop("metadata", {})))
    for detail in extra.values():
        s.details.add().Pack(detail)
    return s


# --- errors ---------------------------------------------------------------------------

def test_no_backend_is_no_orchestrator() -> None:
    e = error_from_status(status(9, "No orchestrator backend is configured", "NO_BACKEND"))
    assert type(e) is NoOrchestrator
    assert (str(e), e.errno, e.code, e.reason) == ("No orchestrator backend is configured", -errno.ENOENT,
                                                  StatusCode.FAILED_PRECONDITION, "NO_BACKEND")
    # Other FAILED_PRECONDITIONs are plain OrchestratorErrors.
    assert type(error_from_status(status(9, "busy", "FAILED_PRECONDITION"))) is OrchestratorError
    assert str(NoOrchestrator()) == "No orchestrator configured (try `ceph orch set backend`)"


def test_invalid_argument_is_validation_error_with_violations() -> None:
    bad = error_details_pb2.BadRequest()
    bad.field_violations.add(field="spec.data_devices.size", description="invalid size")
    bad.field_violations.add(field="spec.host_pattern", description="is required")
    e = error_from_status(status(3, "two problems", "INVALID_FIELD", bad=bad))
    assert isinstance(e, OrchestratorValidationError)
    assert e.field_violations == [("spec.data_devices.size", "invalid size"), ("spec.host_pattern", "is required")]
    assert (e.errno, e.code) == (-errno.EINVAL, StatusCode.INVALID_ARGUMENT)
    unsupported = error_details_pb2.BadRequest()
    unsupported.field_violations.add(field="spec.encrypted", description="not supported")
    e2 = error_from_status(status(3, "spec.encrypted: not supported", "UNSUPPORTED_OPTION", bad=unsupported))
    assert isinstance(e2, OrchestratorValidationError) and e2.reason == "UNSUPPORTED_OPTION"
    assert e2.fields == ["spec.encrypted"]


def test_unimplemented_is_python_not_implemented_error() -> None:
    e = error_from_status(status(12, "This orchestrator backend (x) does not support y", "BACKEND_UNSUPPORTED",
                                 metadata={"backend": "x", "method": "y"}))
    assert type(e) is NotImplementedError
    assert str(e) == "This orchestrator backend (x) does not support y"
    cause = e.__cause__
    assert isinstance(cause, OrchestratorError)
    assert (cause.code, cause.reason, cause.metadata) == (StatusCode.UNIMPLEMENTED, "BACKEND_UNSUPPORTED",
                                                          {"backend": "x", "method": "y"})


@pytest.mark.parametrize("code,errno_", [
    (StatusCode.NOT_FOUND, -errno.ENOENT), (StatusCode.ALREADY_EXISTS, -errno.EEXIST),
    (StatusCode.UNAVAILABLE, -errno.EAGAIN), (StatusCode.DEADLINE_EXCEEDED, -errno.ETIMEDOUT),
    (StatusCode.CANCELLED, -errno.ECANCELED), (StatusCode.ABORTED, -errno.EINVAL), (StatusCode.INTERNAL, -errno.EINVAL),
])
def test_other_codes_are_orchestrator_errors(code: StatusCode, errno_: int) -> None:
    e = error_from_status(status(code, "msg"))
    assert type(e) is OrchestratorError
    assert (e.code, e.errno, str(e)) == (code, errno_, "msg")


def test_resource_info_sets_the_event_subject() -> None:
    info = error_details_pb2.ResourceInfo(resource_type="daemon", resource_name="osd.3")
    e = error_from_status(status(5, "daemon 'osd.3' not found", "NOT_FOUND", info=info))
    assert isinstance(e, OrchestratorError) and e.event_subject == ("daemon", "osd.3")
    host = error_details_pb2.ResourceInfo(resource_type="host", resource_name="n")
    assert getattr(error_from_status(status(5, "x", "NOT_FOUND", info=host)), "event_subject") is None


def test_error_from_grpc_trailer_handling() -> None:
    full = status(5, "from details", "NOT_FOUND")
    e = error_from_grpc(5, "from grpc-message", full.SerializeToString())
    assert isinstance(e, OrchestratorError) and (str(e), e.reason) == ("from details", "NOT_FOUND")
    # Undecodable or missing details: code and message from the headers.
    for details in (None, b"\xff\xff\xff"):
        e = error_from_grpc(14, "connection refused", details)
        assert isinstance(e, OrchestratorError) and (e.code, str(e), e.reason) == (StatusCode.UNAVAILABLE,
                                                                                 "connection refused", "")
    # A details Status whose code disagrees with grpc-status: grpc-status wins, details kept.
    e = error_from_grpc(13, "internal", full.SerializeToString())
    assert isinstance(e, OrchestratorError) and (e.code, str(e), e.reason) == (StatusCode.INTERNAL, "internal", "NOT_FOUND")
    assert StatusCode.of(99) == StatusCode.UNKNOWN


def test_errors_pickle_with_their_attributes() -> None:
    bad = error_details_pb2.BadRequest()
    bad.field_violations.add(field="f", description="d")
    originals: List[BaseException] = [
        error_from_status(status(3, "f: d", "INVALID_FIELD", bad=bad)),
        error_from_status(status(9, "none", "NO_BACKEND")),
        error_from_status(status(10, "failed on node-2", "BACKEND_FAILED", metadata={"hostname": "node-2"})),
        OrchestratorError("plain", errno=-errno.EBUSY, event_kind_subject=("service", "mon")),
    ]
    for original in originals:
        copy = pickle.loads(pickle.dumps(original))
        assert type(copy) is type(original) and str(copy) == str(original)
        assert copy.__dict__ == original.__dict__


# --- grpc-timeout -----------------------------------------------------------------------

@pytest.mark.parametrize("seconds,header", [
    (0.3, "300000u"), (2.0, "2000000u"), (0.0001, "100000n"), (100.0, "100000m"),
    (1e6, "1000000S"), (0, "1n"), (-1, "1n"), (1e12, "99999999H"),
])
def test_grpc_timeout_header(seconds: float, header: str) -> None:
    assert format_grpc_timeout(seconds) == header


# --- spec dicts ---------------------------------------------------------------------------

def test_drive_group_from_dict() -> None:
    spec = drive_group_from_dict({
        "service_type": "osd", "service_id": "fast", "placement": {"host_pattern": "node-*"},
        "data_devices": {"rotates": True, "size": "1T:"}, "db_devices": {"paths": ["/dev/nvme0n1"]},
        "objectstore": "bluestore", "osd_id_claims": {"node-1": [3, "4"]}, "encrypted": True,
    })
    assert spec == osd_pb2.DriveGroupSpec(
        service_id="fast", host_pattern="node-*",
        data_devices=osd_pb2.DeviceSelection(rotational=True, size="1T:"),
        db_devices=osd_pb2.DeviceSelection(paths=["/dev/nvme0n1"]),
        objectstore=osd_pb2.DriveGroupSpec.OBJECTSTORE_BLUESTORE, encrypted=True,
        osd_id_claims={"node-1": osd_pb2.OsdIdList(osd_ids=[3, 4])})
    with pytest.raises(OrchestratorValidationError) as info:
        drive_group_from_dict({"placement": {"label": "osd"}})
    assert info.value.fields == ["spec.placement"]


def test_stateless_spec_from_dict() -> None:
    rgw = stateless_spec_from_dict({"service_type": "rgw", "service_id": "z", "rgw_realm": "r", "ssl": True,
                                    "placement": {"hosts": ["node-1", ("node-2", "", "gw2")], "count": 2}})
    assert rgw == service_pb2.StatelessServiceSpec(
        service_type=service_pb2.SERVICE_TYPE_RGW, service_id="z",
        placement=service_pb2.Placement(count=2, hosts=[service_pb2.HostPlacement(hostname="node-1"),
                                                         service_pb2.HostPlacement(hostname="node-2", name="gw2")]),
        rgw=service_pb2.RgwSpec(rgw_realm="r", ssl=True))
    nfs = stateless_spec_from_dict({"name": "ganesha", "count": 2, "pool": "p", "namespace": "n"}, "nfs")
    assert nfs == service_pb2.StatelessServiceSpec(
        service_type=service_pb2.SERVICE_TYPE_NFS, service_id="ganesha", placement=service_pb2.Placement(count=2),
        nfs=service_pb2.NfsSpec(pool="p", namespace="n"))
    with pytest.raises(OrchestratorValidationError):
        stateless_spec_from_dict({"service_type": "mds", "no_such_key": 1})


# --- Completion over a scripted stream ------------------------------------------------------

Item = Union[operation_pb2.Operation, Exception]


class ScriptedStream(ServerStream[Any]):
    """Yields WatchOperationResponses for the operations, raises the exceptions, then ends
    (or times out when ``hang``)."""

    def __init__(self, items: List[Item], hang: bool = False) -> None:
        self.items = list(items)
        self.hang = hang
        self.cancelled = False

    def read(self, timeout: Optional[float] = None) -> Any:
        if self.items:
            item = self.items.pop(0)
            if isinstance(item, Exception):
                raise item
            return operation_service_pb2.WatchOperationResponse(operation=item)
        if self.hang:
            raise ReadTimeout("scripted")
        return None

    def cancel(self) -> None:
        self.cancelled = True

    @property
    def done(self) -> bool:
        return not self.items


class FakeClient:
    def __init__(self, *streams: ScriptedStream) -> None:
        self.streams = list(streams)
        self.watched: List[str] = []

    def _watch_stream(self, operation_id: str) -> ScriptedStream:
        self.watched.append(operation_id)
        return self.streams.pop(0)


def op(state: int, t: int, progress: float = 0.0, **kw: Any) -> operation_pb2.Operation:
    done = state in (Op.STATE_SUCCEEDED, Op.STATE_FAILED, Op.STATE_CANCELLED)
    return operation_pb2.Operation(id="op-1", state=state, persistent=state != Op.STATE_ACCEPTED, done=done,
                                   progress=progress, update_time=timestamp_pb2.Timestamp(seconds=t), **kw)


def succeeded(t: int) -> operation_pb2.Operation:
    return op(Op.STATE_SUCCEEDED, t, 1.0,
              result=operation_pb2.OperationResult(host=host_pb2.Host(hostname="node-4")))


def test_completion_reattaches_after_an_interrupted_stream() -> None:
    broken = ScriptedStream([op(Op.STATE_ACCEPTED, 1), op(Op.STATE_PERSISTENT, 2),
                             OrchestratorError("connection lost", code=StatusCode.UNAVAILABLE)])
    client = FakeClient(ScriptedStream([op(Op.STATE_RUNNING, 3, 0.5), succeeded(4)]))
    c: Completion[host_pb2.Host] = Completion(client, broken, "host", 1.0)  # type: ignore[arg-type]
    assert (c.state_name, c.is_persistent, c.should_wait) == ("ACCEPTED", False, True)
    assert c.wait(5) is True
    assert client.watched == ["op-1"] and broken.cancelled
    assert [s.state for s in c.history] == [1, 2, 3, 4]
    assert c.result.hostname == "node-4"


def test_completion_gives_up_after_repeated_failures() -> None:
    down = OrchestratorError("down", code=StatusCode.UNAVAILABLE)
    client = FakeClient(*[ScriptedStream([down]) for _ in range(5)])
    c: Completion[Any] = Completion(client, ScriptedStream([op(Op.STATE_ACCEPTED, 1), down]),  # type: ignore[arg-type]
                                    None, 1.0)
    with pytest.raises(OrchestratorError) as info:
        c.wait(5)
    assert info.value.code == StatusCode.UNAVAILABLE
    assert len(client.watched) == 3


def test_completion_raises_non_interruption_errors() -> None:
    gone = OrchestratorError("operation 'op-1' not found", code=StatusCode.NOT_FOUND)
    client = FakeClient(ScriptedStream([gone]))
    c: Completion[Any] = Completion(client, ScriptedStream([op(Op.STATE_ACCEPTED, 1)]), None, 1.0)  # type: ignore[arg-type]
    with pytest.raises(OrchestratorError) as info:
        c.wait(5)
    assert info.value.code == StatusCode.NOT_FOUND


def test_completion_ignores_stale_states_and_times_out() -> None:
    c: Completion[Any] = Completion(FakeClient(), ScriptedStream(  # type: ignore[arg-type]
        [op(Op.STATE_ACCEPTED, 1), op(Op.STATE_RUNNING, 3, 0.5), op(Op.STATE_PERSISTENT, 2)], hang=True), None, 1.0)
    assert c.wait(0.1) is False
    assert (c.state_name, c.progress) == ("RUNNING", 0.5)
    c._update(op(Op.STATE_RUNNING, 3, 0.5))  # the same state again: not recorded twice
    c._update(succeeded(5))
    c._update(op(Op.STATE_RUNNING, 6, 0.9))  # never back from done
    assert c.state_name == "SUCCEEDED" and [s.state for s in c.history] == [1, 3, 4]
    assert c.wait(0) is True
    assert c.result.hostname == "node-4"  # no result_field: whichever is set


def test_completion_first_message_errors() -> None:
    bad = OrchestratorValidationError("x: bad", field_violations=[("x", "bad")])
    stream = ScriptedStream([bad])
    with pytest.raises(OrchestratorValidationError):
        Completion(FakeClient(), stream, None, 1.0)  # type: ignore[arg-type]
    assert stream.cancelled
    with pytest.raises(OrchestratorError) as info:
        Completion(FakeClient(), ScriptedStream([], hang=True), None, 0.1)  # type: ignore[arg-type]
    assert info.value.code == StatusCode.DEADLINE_EXCEEDED
    with pytest.raises(OrchestratorError) as info:
        Completion(FakeClient(), ScriptedStream([]), None, 0.1)  # type: ignore[arg-type]
    assert info.value.code == StatusCode.INTERNAL
