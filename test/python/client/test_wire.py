"""Both transports against a scripted HTTP/2 gRPC server (h2, in a thread), for the wire
cases a healthy server rarely produces: percent-encoded grpc-message, unpadded base64
status details, Trailers-Only responses, messages larger than the flow-control window, HTTP
errors without a grpc-status, stream resets, compressed or truncated messages, a server
that never answers, a connection that drops mid-stream.

grpcio is the reference: every case runs over both transports and expects the same."""

from __future__ import annotations

import base64
import socket
import struct
import threading
import time
import urllib.parse
from typing import Any, Callable, Dict, List, Optional, Tuple

import h2.config
import h2.connection
import h2.errors
import h2.events
import pytest
from google.protobuf import wrappers_pb2
from google.rpc import error_details_pb2, status_pb2

from ceph_orchestrator_client import (
    NoOrchestrator,
    OrchestratorError,
    OrchestratorValidationError,
    StatusCode,
)
from ceph_orchestrator_client.grpcio_transport import GrpcioTransport
from ceph_orchestrator_client.h2_transport import H2Transport
from ceph_orchestrator_client.transport import Transport
from orch_servers import free_port

METHOD = "/test.Fake/Call"
Script = Callable[["Exchange"], None]


class Exchange:
    """One request on the fake server; the script answers it with these helpers."""

    def __init__(self, conn: "_Conn", stream_id: int, headers: Dict[str, str], body: bytes) -> None:
        self.conn = conn
        self.sid = stream_id
        self.headers = headers
        self.body = body

    def message(self) -> bytes:
        flag, length = struct.unpack(">BI", self.body[:5])
        assert flag == 0 and len(self.body) == 5 + length
        return self.body[5:]

    def send_headers(self, status: str = "200", extra: List[Tuple[str, str]] = (), end: bool = False) -> None:  # type: ignore[assignment]
        headers = [(":status", status)]
        if status == "200":
            headers.append(("content-type", "application/grpc"))
        self.conn.h2.send_headers(self.sid, headers + list(extra), end_stream=end)
        self.conn.flush()

    def send_raw(self, data: bytes) -> None:
        """Send bytes as DATA, waiting for the client's flow-control window."""
        while data:
            window = self.conn.h2.local_flow_control_window(self.sid)
            size = min(window, self.conn.h2.max_outbound_frame_size, len(data))
            if size <= 0:
                self.conn.pump()  # wait for a WINDOW_UPDATE
                continue
            self.conn.h2.send_data(self.sid, data[:size])
            data = data[size:]
            self.conn.flush()

    def send_message(self, payload: bytes, compressed: bool = False) -> None:
        self.send_raw(struct.pack(">BI", 1 if compressed else 0, len(payload)) + payload)

    def send_trailers(self, code: int, message: str = "", details: Optional[status_pb2.Status] = None,
                      raw_message: Optional[str] = None) -> None:
        trailers = [("grpc-status", str(code))]
        if raw_message is not None or message:
            trailers.append(("grpc-message", raw_message if raw_message is not None else urllib.parse.quote(message)))
        if details is not None:
            encoded = base64.b64encode(details.SerializeToString()).decode().rstrip("=")  # unpadded, as gRPC sends it
            trailers.append(("grpc-status-details-bin", encoded))
        self.conn.h2.send_headers(self.sid, trailers, end_stream=True)
        self.conn.flush()

    def reset(self, code: int) -> None:
        self.conn.h2.reset_stream(self.sid, code)
        self.conn.flush()

    def drop_connection(self) -> None:
        self.conn.sock.close()


class _Conn:
    def __init__(self, sock: socket.socket, script: Script, server: "FakeServer") -> None:
        self.sock = sock
        self.script = script
        self.server = server
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.h2.initiate_connection()
        self.flush()
        self.headers: Dict[int, Dict[str, str]] = {}
        self.bodies: Dict[int, bytearray] = {}

    def flush(self) -> None:
        data = self.h2.data_to_send()
        if data:
            self.sock.sendall(data)

    def pump(self) -> bool:
        try:
            data = self.sock.recv(65536)
        except OSError:
            return False
        if not data:
            return False
        for ev in self.h2.receive_data(data):
            if isinstance(ev, h2.events.RequestReceived):
                self.headers[ev.stream_id] = dict(ev.headers)
                self.bodies[ev.stream_id] = bytearray()
            elif isinstance(ev, h2.events.DataReceived):
                self.bodies[ev.stream_id].extend(ev.data)
                self.h2.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded):
                ex = Exchange(self, ev.stream_id, self.headers[ev.stream_id], bytes(self.bodies[ev.stream_id]))
                self.server.requests.append(ex)
                self.flush()
                self.script(ex)
        self.flush()
        return True

    def run(self) -> None:
        try:
            while self.pump():
                pass
        except (OSError, h2.exceptions.ProtocolError):
            pass
        finally:
            try:
                self.sock.close()
            except OSError:
                pass


class FakeServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: List[Exchange] = []
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.port = free_port()
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(8)
        self.target = "127.0.0.1:%d" % self.port
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=_Conn(sock, self.script, self).run, daemon=True).start()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture(params=["grpcio", "h2"])
def make(request: pytest.FixtureRequest) -> Any:
    made: List[Tuple[FakeServer, Transport]] = []

    def factory(script: Script) -> Tuple[FakeServer, Transport]:
        server = FakeServer(script)
        transport: Transport = GrpcioTransport(server.target) if request.param == "grpcio" else H2Transport(server.target)
        made.append((server, transport))
        return server, transport

    yield factory
    for server, transport in made:
        transport.close()
        server.close()


def unary(transport: Transport, value: bytes = b"ping", timeout: float = 5.0) -> wrappers_pb2.BytesValue:
    return transport.unary(METHOD, wrappers_pb2.BytesValue(value=value), wrappers_pb2.BytesValue, timeout)


def ok_echo(ex: Exchange) -> None:
    request = wrappers_pb2.BytesValue.FromString(ex.message())
    ex.send_headers()
    ex.send_message(wrappers_pb2.BytesValue(value=b"len=%d" % len(request.value)).SerializeToString())
    ex.send_trailers(0)


def test_unary_round_trip_and_request_headers(make: Any) -> None:
    server, transport = make(ok_echo)
    assert unary(transport, timeout=2.0).value == b"len=4"
    h = server.requests[0].headers
    assert (h[":method"], h[":path"], h["content-type"], h["te"]) == ("POST", METHOD, "application/grpc", "trailers")
    timeout = h["grpc-timeout"]
    seconds = int(timeout[:-1]) / {"n": 1e9, "u": 1e6, "m": 1e3, "S": 1, "M": 1 / 60, "H": 1 / 3600}[timeout[-1]]
    # What is left of the 2 s deadline when the headers go out; grpc core rounds it up to its
    # encoding's step (a CI run saw 2010m), so a little over 2 s is still the deadline.
    assert 0.0 < seconds <= 2.05
    assert len(timeout) <= 9


def test_messages_larger_than_the_flow_control_window(make: Any) -> None:
    chunk = 300_000  # > 65535, HTTP/2's initial window, in both directions

    def script(ex: Exchange) -> None:
        request = wrappers_pb2.BytesValue.FromString(ex.message())
        ex.send_headers()
        for i in range(3):
            ex.send_message(wrappers_pb2.BytesValue(value=bytes([65 + i]) * chunk + request.value[:3]).SerializeToString())
        ex.send_trailers(0)

    _, transport = make(script)
    stream = transport.server_stream(METHOD, wrappers_pb2.BytesValue(value=b"xyz" * 100_000), wrappers_pb2.BytesValue, 10.0)
    got = [m.value for m in stream]
    assert [(len(v), v[:1], v[-3:]) for v in got] == [(chunk + 3, b"A", b"xyz"), (chunk + 3, b"B", b"xyz"),
                                                      (chunk + 3, b"C", b"xyz")]


def test_status_details_in_trailers(make: Any) -> None:
    status = status_pb2.Status(code=5, message="café % done")
    status.details.add().Pack(error_details_pb2.ErrorInfo(reason="NOT_FOUND", domain="orchestrator.ceph.io",
                                                          metadata={"resourceType": "service"}))
    status.details.add().Pack(error_details_pb2.ResourceInfo(resource_type="service", resource_name="mds.x"))

    def script(ex: Exchange) -> None:
        ex.send_headers()
        ex.send_trailers(5, raw_message="caf%C3%A9 %25 done", details=status)

    _, transport = make(script)
    with pytest.raises(OrchestratorError) as info:
        unary(transport)
    e = info.value
    assert (str(e), e.code, e.reason, e.domain) == ("café % done", StatusCode.NOT_FOUND, "NOT_FOUND", "orchestrator.ceph.io")
    assert (e.metadata, e.event_subject) == ({"resourceType": "service"}, ("service", "mds.x"))
    assert e.status == status


def test_trailers_only_response(make: Any) -> None:
    status = status_pb2.Status(code=3, message="host.hostname: bad")
    status.details.add().Pack(error_details_pb2.ErrorInfo(reason="INVALID_FIELD", domain="orchestrator.ceph.io"))
    bad = error_details_pb2.BadRequest()
    bad.field_violations.add(field="host.hostname", description="bad")
    status.details.add().Pack(bad)

    def script(ex: Exchange) -> None:
        encoded = base64.b64encode(status.SerializeToString()).decode().rstrip("=")
        ex.send_headers(extra=[("grpc-status", "3"), ("grpc-message", "host.hostname: bad"),
                               ("grpc-status-details-bin", encoded)], end=True)

    _, transport = make(script)
    with pytest.raises(OrchestratorValidationError) as info:
        unary(transport)
    assert info.value.field_violations == [("host.hostname", "bad")]
    stream = transport.server_stream(METHOD, wrappers_pb2.BytesValue(), wrappers_pb2.BytesValue, 5.0)
    with pytest.raises(OrchestratorValidationError):
        stream.read()


def test_no_backend_status_is_no_orchestrator(make: Any) -> None:
    status = status_pb2.Status(code=9, message="No orchestrator backend is configured")
    status.details.add().Pack(error_details_pb2.ErrorInfo(reason="NO_BACKEND", domain="orchestrator.ceph.io"))

    def script(ex: Exchange) -> None:
        ex.send_headers()
        ex.send_trailers(9, status.message, status)

    _, transport = make(script)
    with pytest.raises(NoOrchestrator):
        unary(transport)


def test_http_error_without_grpc_status(make: Any) -> None:
    _, transport = make(lambda ex: ex.send_headers(status="404", end=True))
    with pytest.raises(NotImplementedError):
        unary(transport)


def test_stream_reset_by_server(make: Any) -> None:
    def script(ex: Exchange) -> None:
        ex.send_headers()
        ex.reset(h2.errors.ErrorCodes.CANCEL)

    _, transport = make(script)
    with pytest.raises(OrchestratorError) as info:
        unary(transport)
    assert info.value.code == StatusCode.CANCELLED


def test_compressed_message_is_refused(make: Any) -> None:
    def script(ex: Exchange) -> None:
        ex.send_headers()
        ex.send_message(b"\x0a\x02hi", compressed=True)
        ex.send_trailers(0)

    _, transport = make(script)
    if isinstance(transport, GrpcioTransport):
        import grpc

        # grpc core read such a message as identity up to grpcio 1.84 (1.51.1 and 1.84.2
        # tried) and refuses it with INTERNAL from 1.85.0 on.
        if tuple(int(n) for n in grpc.__version__.split(".")[:2]) < (1, 85):
            pytest.skip("grpcio %s reads a message flagged compressed without grpc-encoding as identity "
                        "(refused from 1.85.0)" % grpc.__version__)
    with pytest.raises(OrchestratorError) as info:
        unary(transport)
    assert info.value.code == StatusCode.INTERNAL


def test_stream_ending_inside_a_message(make: Any) -> None:
    def script(ex: Exchange) -> None:
        ex.send_headers()
        ex.send_raw(struct.pack(">BI", 0, 100) + b"0123456789")
        ex.send_trailers(0)

    _, transport = make(script)
    with pytest.raises(OrchestratorError) as info:
        unary(transport)
    assert info.value.code == StatusCode.INTERNAL


def test_deadline_when_the_server_never_answers(make: Any) -> None:
    _, transport = make(lambda ex: None)
    t0 = time.monotonic()
    with pytest.raises(OrchestratorError) as info:
        unary(transport, timeout=0.3)
    assert info.value.code == StatusCode.DEADLINE_EXCEEDED
    assert 0.25 <= time.monotonic() - t0 < 2.0


def test_connection_lost_mid_stream(make: Any) -> None:
    def script(ex: Exchange) -> None:
        ex.send_headers()
        ex.send_message(wrappers_pb2.BytesValue(value=b"first").SerializeToString())
        time.sleep(0.2)
        ex.drop_connection()

    _, transport = make(script)
    stream = transport.server_stream(METHOD, wrappers_pb2.BytesValue(), wrappers_pb2.BytesValue, 5.0)
    first = stream.read(timeout=5.0)
    assert first is not None and first.value == b"first"
    with pytest.raises(OrchestratorError) as info:
        stream.read(timeout=5.0)
    assert info.value.code == StatusCode.UNAVAILABLE
    assert stream.done


def test_cancel_ends_the_stream(make: Any) -> None:
    def script(ex: Exchange) -> None:
        ex.send_headers()
        ex.send_message(wrappers_pb2.BytesValue(value=b"first").SerializeToString())

    _, transport = make(script)
    stream = transport.server_stream(METHOD, wrappers_pb2.BytesValue(), wrappers_pb2.BytesValue, 5.0)
    assert stream.read(timeout=5.0) is not None
    stream.cancel()
    assert stream.done
    with pytest.raises(OrchestratorError) as info:
        stream.read(timeout=1.0)
    assert info.value.code == StatusCode.CANCELLED
