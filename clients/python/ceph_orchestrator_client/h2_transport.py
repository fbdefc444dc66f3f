"""A pure-Python gRPC transport over HTTP/2 with the ``h2`` state machine (Debian:
python3-h2), for use inside ceph-mgr.

ceph-mgr runs each module in a Python sub-interpreter; grpcio's C core takes the GIL with
``PyGILState_Ensure``, which only knows the main interpreter, so a grpcio call there blocks
forever (and with it every mgr module). This transport uses only a blocking socket and h2:
no threads, no C extension of its own.

What it does: cleartext HTTP/2 with prior knowledge, or TLS (ALPN "h2"; with a client
certificate for mutual TLS) given a ``TlsSettings``; one TCP connection per call (simple
and safe with several calls open at once, e.g. an operation stream beside unary calls;
a loopback connect costs well under a millisecond); gRPC's 5-byte length-prefixed messages;
``te: trailers``; ``grpc-timeout`` from the deadline, and socket timeouts that honour it;
flow control (acknowledges received data, sends a large request only as the peer's window
allows); ``grpc-status``, percent-encoded ``grpc-message`` and base64 (unpadded)
``grpc-status-details-bin`` from trailers or from a Trailers-Only response; server
streaming that hands out each message as it arrives. Compressed responses are refused (it
never offers an encoding, so a conforming server does not compress).
"""

from __future__ import annotations

import base64
import binascii
import collections
import socket
import ssl
import struct
import time
import urllib.parse
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple, Type, TypeVar

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
from google.protobuf import message as _message

from .errors import StatusCode, error_from_grpc
from .transport import Metadata, ReadTimeout, ServerStream, TlsSettings, Transport, format_grpc_timeout

__all__ = ["H2Transport", "H2Call"]

M = TypeVar("M", bound=_message.Message)

_USER_AGENT = "ceph-orchestrator-client-h2/0.1"
_RECV_BYTES = 65536

# gRPC's mapping of HTTP statuses without a grpc-status (doc/http-grpc-status-mapping.md).
_HTTP_TO_GRPC = {
    400: StatusCode.INTERNAL,
    401: StatusCode.UNAUTHENTICATED,
    403: StatusCode.PERMISSION_DENIED,
    404: StatusCode.UNIMPLEMENTED,
    429: StatusCode.UNAVAILABLE,
    502: StatusCode.UNAVAILABLE,
    503: StatusCode.UNAVAILABLE,
    504: StatusCode.UNAVAILABLE,
}

# RST_STREAM error codes (gRPC's PROTOCOL-HTTP2.md).
_RST_TO_GRPC = {
    int(h2.errors.ErrorCodes.REFUSED_STREAM): StatusCode.UNAVAILABLE,
    int(h2.errors.ErrorCodes.CANCEL): StatusCode.CANCELLED,
    int(h2.errors.ErrorCodes.ENHANCE_YOUR_CALM): StatusCode.RESOURCE_EXHAUSTED,
    int(h2.errors.ErrorCodes.INADEQUATE_SECURITY): StatusCode.PERMISSION_DENIED,
}


class _Failed(Exception):
    """Internal: the call ended with a status (carried as an exception to raise)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _split_target(target: str) -> Tuple[Any, ...]:
    """(family, address, authority) for "host:port", "[v6]:port", "dns:///host:port",
    "ipv4:host:port", "ipv6:[v6]:port" or "unix:/path"."""
    if target.startswith("unix:"):
        path = target[len("unix:"):]
        if path.startswith("//"):
            path = path[2:]
        return (socket.AF_UNIX, path, "localhost")
    for prefix in ("dns:///", "ipv4:", "ipv6:"):
        if target.startswith(prefix):
            target = target[len(prefix):]
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError("target must be host:port, got %r" % target)
    return (None, (host.strip("[]"), int(port)), target)


def _header_dict(headers: Any) -> Dict[str, str]:
    """Header fields as str (h2 gives str with header_encoding set; bytes otherwise)."""
    out: Dict[str, str] = {}
    for name, value in headers or ():
        key = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
        out[key] = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return out


def _decode_details(value: Optional[str]) -> Optional[bytes]:
    if not value:
        return None
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


class H2Call:
    """One gRPC call on its own HTTP/2 connection.

    ``next_message(timeout)`` returns the next response message's bytes, or None once the
    call ended with status OK; it raises the mapped error for any other status,
    :class:`ReadTimeout` when ``timeout`` passes first (the call goes on), and
    DEADLINE_EXCEEDED when the call's deadline passes. ``connect_timeout`` bounds connecting
    and the TLS handshake too (they happen here): past it, :class:`ReadTimeout`.
    """

    def __init__(
        self,
        target: str,
        method: str,
        request: bytes,
        timeout: Optional[float],
        metadata: Metadata = (),
        max_message_bytes: int = 16 * 1024 * 1024,
        ssl_context: Optional[ssl.SSLContext] = None,
        server_name: Optional[str] = None,
        connect_timeout: Optional[float] = None,
    ) -> None:
        self.method = method
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._max = max_message_bytes
        self._buffer = bytearray()
        self._messages: Deque[bytes] = collections.deque()
        self._headers: Dict[str, str] = {}
        self._trailers: Dict[str, str] = {}
        self._final: Optional[Exception] = None  # raised once the messages are drained
        self._ended = False  # the stream ended, OK or not
        self._sock: Optional[socket.socket] = None
        self._pending = memoryview(b"")  # request body not yet sent (flow control)
        self._pending_end = False

        family, address, authority = _split_target(target)
        left = self._remaining(None)
        limit = left if connect_timeout is None or (left is not None and left <= connect_timeout) else connect_timeout
        try:
            if family == socket.AF_UNIX:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(limit)
                sock.connect(address)
            else:
                sock = socket.create_connection(address, timeout=limit)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if ssl_context is not None:
                hostname = server_name or (address[0] if isinstance(address, tuple) else "localhost")
                try:
                    sock = ssl_context.wrap_socket(sock, server_hostname=hostname)
                except BaseException:
                    sock.close()
                    raise
                if sock.selected_alpn_protocol() != "h2":
                    sock.close()
                    raise error_from_grpc(StatusCode.UNAVAILABLE, "%s did not agree to HTTP/2 (ALPN h2)" % target)
        except socket.timeout:
            if connect_timeout is not None and limit == connect_timeout:
                raise ReadTimeout("no answer from %s within %.3fs (connecting)" % (target, connect_timeout)) from None
            raise error_from_grpc(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded while connecting to %s" % target) from None
        except ssl.SSLError as err:
            raise error_from_grpc(StatusCode.UNAVAILABLE, "TLS handshake with %s failed: %s" % (target, err)) from None
        except OSError as err:
            raise error_from_grpc(StatusCode.UNAVAILABLE, "failed to connect to %s: %s" % (target, err)) from None
        self._sock = sock
        self._conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        )
        self._conn.initiate_connection()
        self._sid: int = self._conn.get_next_available_stream_id()
        headers: List[Tuple[str, str]] = [
            (":method", "POST"),
            (":scheme", "http" if ssl_context is None else "https"),
            (":path", method),
            (":authority", authority),
            ("content-type", "application/grpc"),
            ("te", "trailers"),
            ("user-agent", _USER_AGENT),
        ]
        if timeout is not None:
            headers.append(("grpc-timeout", format_grpc_timeout(timeout)))
        headers.extend((k.lower(), v) for k, v in metadata)
        try:
            self._conn.send_headers(self._sid, headers)
            self._pending = memoryview(struct.pack(">BI", 0, len(request)) + request)
            self._pending_end = True
            self._send_body()
            self._flush()
        except _Failed as failed:
            self._fail(failed.error)
        except BaseException:
            self.close()
            raise

    # --- public ----------------------------------------------------------------------

    def next_message(self, timeout: Optional[float] = None) -> Optional[bytes]:
        read_deadline = None if timeout is None else time.monotonic() + timeout
        while not self._messages:
            if self._ended:
                if self._final is not None:
                    raise self._final
                return None
            try:
                self._receive(read_deadline)
            except _Failed as failed:
                self._fail(failed.error)
        return self._messages.popleft()

    def cancel(self) -> None:
        """Reset the stream (CANCEL) and close the connection; later reads raise CANCELLED."""
        if not self._ended:
            self._fail(error_from_grpc(StatusCode.CANCELLED, "cancelled by the client"), reset=True)

    @property
    def done(self) -> bool:
        return self._ended

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    # --- internals -------------------------------------------------------------------

    def _remaining(self, read_deadline: Optional[float]) -> Optional[float]:
        ends = [d for d in (self._deadline, read_deadline) if d is not None]
        if not ends:
            return None
        return max(0.0, min(ends) - time.monotonic())

    def _fail(self, error: Exception, reset: bool = False) -> None:
        """End the call with ``error`` (raised after the messages already received)."""
        if self._ended:
            return
        self._ended = True
        self._final = error
        if reset and self._sock is not None:
            try:
                self._conn.reset_stream(self._sid, h2.errors.ErrorCodes.CANCEL)
                self._conn.close_connection()
                self._sock.settimeout(0.1)
                self._sock.sendall(self._conn.data_to_send())
            except (OSError, h2.exceptions.ProtocolError):
                pass
        self.close()

    def _flush(self) -> None:
        data = self._conn.data_to_send()
        if data and self._sock is not None:
            self._sock.settimeout(self._remaining(None))
            try:
                self._sock.sendall(data)
            except socket.timeout:
                raise _Failed(error_from_grpc(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded")) from None
            except OSError as err:
                raise _Failed(error_from_grpc(StatusCode.UNAVAILABLE, "connection lost: %s" % err)) from None

    def _send_body(self) -> None:
        """Send as much of the request body as the peer's flow-control window allows."""
        while (self._pending or self._pending_end) and not self._ended:
            window = self._conn.local_flow_control_window(self._sid)
            size = min(window, self._conn.max_outbound_frame_size, len(self._pending))
            if size <= 0 and self._pending:
                return  # wait for a WINDOW_UPDATE
            chunk = bytes(self._pending[:size])
            self._pending = self._pending[size:]
            end = self._pending_end and not self._pending
            self._conn.send_data(self._sid, chunk, end_stream=end)
            if end:
                self._pending_end = False

    def _receive(self, read_deadline: Optional[float]) -> None:
        """Read from the socket once and handle the events. Raises ReadTimeout when
        ``read_deadline`` passes, _Failed when the call's deadline passes or the connection
        fails."""
        if self._sock is None:
            raise _Failed(error_from_grpc(StatusCode.UNAVAILABLE, "connection closed"))
        remaining = self._remaining(read_deadline)
        if remaining is not None and remaining <= 0:
            self._timed_out(read_deadline)
        self._sock.settimeout(remaining)
        try:
            data = self._sock.recv(_RECV_BYTES)
        except socket.timeout:
            self._timed_out(read_deadline)
            return
        except OSError as err:
            raise _Failed(error_from_grpc(StatusCode.UNAVAILABLE, "connection lost: %s" % err)) from None
        if not data:
            raise _Failed(error_from_grpc(StatusCode.UNAVAILABLE, "connection closed by the server"))
        try:
            events = self._conn.receive_data(data)
        except h2.exceptions.ProtocolError as err:
            raise _Failed(error_from_grpc(StatusCode.INTERNAL, "HTTP/2 protocol error: %s" % err)) from None
        for event in events:
            self._handle(event)
        self._send_body()
        self._flush()

    def _timed_out(self, read_deadline: Optional[float]) -> None:
        now = time.monotonic()
        if self._deadline is not None and now >= self._deadline - 1e-4:
            self._fail(error_from_grpc(StatusCode.DEADLINE_EXCEEDED, "deadline exceeded"), reset=True)
            assert self._final is not None
            raise self._final
        raise ReadTimeout("no message within the read timeout")

    def _handle(self, event: Any) -> None:
        sid = getattr(event, "stream_id", None)
        if isinstance(event, h2.events.ResponseReceived) and sid == self._sid:
            self._headers.update(_header_dict(event.headers))
        elif isinstance(event, h2.events.DataReceived) and sid == self._sid:
            self._buffer.extend(event.data)
            self._conn.acknowledge_received_data(event.flow_controlled_length, self._sid)
            self._frame_messages()
        elif isinstance(event, h2.events.TrailersReceived) and sid == self._sid:
            self._trailers.update(_header_dict(event.headers))
        elif isinstance(event, h2.events.StreamEnded) and sid == self._sid:
            self._end()
        elif isinstance(event, h2.events.StreamReset) and sid == self._sid:
            code = _RST_TO_GRPC.get(int(event.error_code), StatusCode.INTERNAL)
            raise _Failed(error_from_grpc(code, "stream reset by the server (HTTP/2 error %s)" % event.error_code))
        elif isinstance(event, h2.events.WindowUpdated) or isinstance(event, h2.events.RemoteSettingsChanged):
            pass  # _receive sends more of the body afterwards
        elif isinstance(event, h2.events.ConnectionTerminated):
            last = event.last_stream_id
            if event.error_code != 0 or last is None or last < self._sid:
                raise _Failed(error_from_grpc(
                    StatusCode.UNAVAILABLE, "the server closed the connection (GOAWAY %s)" % event.error_code))
            # A graceful GOAWAY that covers this stream: it still completes.

    def _frame_messages(self) -> None:
        buf = self._buffer
        while len(buf) >= 5:
            flag, length = struct.unpack(">BI", bytes(buf[:5]))
            if length > self._max:
                raise _Failed(error_from_grpc(
                    StatusCode.RESOURCE_EXHAUSTED, "response message of %d bytes exceeds the limit of %d" % (length, self._max)))
            if flag & 1:
                raise _Failed(error_from_grpc(StatusCode.INTERNAL, "compressed response messages are not supported"))
            if len(buf) < 5 + length:
                return
            self._messages.append(bytes(buf[5:5 + length]))
            del buf[:5 + length]

    def _end(self) -> None:
        """The stream ended: work out its status."""
        # Trailers-Only responses carry grpc-status in the one headers block.
        fields = self._trailers if "grpc-status" in self._trailers else self._headers
        http_status = self._headers.get(":status", "")
        error: Optional[Exception] = None
        if "grpc-status" not in fields:
            code = StatusCode.INTERNAL
            if http_status != "200" and http_status.isdigit():
                code = _HTTP_TO_GRPC.get(int(http_status), StatusCode.UNKNOWN)
                error = error_from_grpc(code, "HTTP status %s without a grpc-status" % http_status)
            else:
                error = error_from_grpc(code, "the server sent no grpc-status")
        else:
            raw = fields["grpc-status"]
            code_int = int(raw) if raw.isdigit() else int(StatusCode.UNKNOWN)
            if code_int != 0:
                message = urllib.parse.unquote(fields.get("grpc-message", ""), errors="replace")
                error = error_from_grpc(code_int, message, _decode_details(fields.get("grpc-status-details-bin")))
            elif self._buffer:
                error = error_from_grpc(StatusCode.INTERNAL, "the stream ended inside a message")
        self._ended = True
        self._final = error
        try:
            self._conn.close_connection()
            self._flush()
        except (_Failed, h2.exceptions.ProtocolError):
            pass
        self.close()


class _H2Stream(ServerStream[M]):
    """A call's response messages. The call starts at the first read, whose timeout bounds
    connecting and the TLS handshake too: a server that accepts connections and never
    answers holds it no longer than any other first answer."""

    def __init__(self, start: Callable[[Optional[float]], H2Call], response_cls: Type[M]) -> None:
        self._start: Optional[Callable[[Optional[float]], H2Call]] = start
        self._call: Optional[H2Call] = None
        self._cls = response_cls

    def read(self, timeout: Optional[float] = None) -> Optional[M]:
        if self._call is None:
            if self._start is None:
                raise error_from_grpc(StatusCode.CANCELLED, "the call was cancelled before it started")
            t0 = time.monotonic()
            self._call = self._start(timeout)
            self._start = None
            if timeout is not None:
                timeout = max(0.0, timeout - (time.monotonic() - t0))
        data = self._call.next_message(timeout)
        if data is None:
            return None
        try:
            return self._cls.FromString(data)
        except _message.DecodeError as err:
            self._call.cancel()
            raise error_from_grpc(StatusCode.INTERNAL, "cannot decode %s: %s" % (self._cls.__name__, err)) from None

    def cancel(self) -> None:
        self._start = None
        if self._call is not None:
            self._call.cancel()

    @property
    def done(self) -> bool:
        return self._call.done if self._call is not None else self._start is None


def tls_context(tls: TlsSettings) -> ssl.SSLContext:
    """A client SSLContext for the settings: the server's CA, an optional client
    certificate, TLS 1.2 or later, ALPN "h2"."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=tls.ca.decode("ascii"))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls.cert is not None and tls.key is not None:
        # load_cert_chain reads files only: hand it the PEM through a private temporary file.
        import os
        import tempfile

        fd, path = tempfile.mkstemp(prefix="orch-client-", suffix=".pem")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(tls.cert.rstrip(b"\n") + b"\n" + tls.key)
            ctx.load_cert_chain(path)
        finally:
            os.unlink(path)
    ctx.set_alpn_protocols(["h2"])
    return ctx


class H2Transport(Transport):
    """gRPC over h2: each call opens its own connection to ``target`` and closes it when
    the call ends, so calls never wait for each other and nothing needs a lock. Plaintext,
    or TLS (mutual with a client certificate) when ``tls`` is given."""

    def __init__(self, target: str, max_message_bytes: int = 16 * 1024 * 1024, tls: Optional[TlsSettings] = None) -> None:
        _split_target(target)  # fail early on a malformed target
        self.target = target
        self.max_message_bytes = max_message_bytes
        self._ssl = None if tls is None else tls_context(tls)
        self._server_name = None if tls is None else tls.server_name

    def _stream(self, method: str, request: _message.Message, response_cls: Type[M], timeout: Optional[float],
                metadata: Metadata) -> "_H2Stream[M]":
        body = request.SerializeToString()
        return _H2Stream(lambda connect_timeout: H2Call(self.target, method, body, timeout, metadata, self.max_message_bytes,
                                                        self._ssl, self._server_name, connect_timeout), response_cls)

    def unary(
        self,
        method: str,
        request: _message.Message,
        response_cls: Type[M],
        timeout: Optional[float],
        metadata: Metadata = (),
    ) -> M:
        stream = self._stream(method, request, response_cls, timeout, metadata)
        try:
            response = stream.read()
            if response is None:
                raise error_from_grpc(StatusCode.INTERNAL, "no response message for a unary call")
            if stream.read() is not None:
                raise error_from_grpc(StatusCode.INTERNAL, "more than one response message for a unary call")
            return response
        finally:
            stream.cancel()

    def server_stream(
        self,
        method: str,
        request: _message.Message,
        response_cls: Type[M],
        timeout: Optional[float],
        metadata: Metadata = (),
    ) -> ServerStream[M]:
        return self._stream(method, request, response_cls, timeout, metadata)

    def close(self) -> None:
        pass  # no connection outlives its call
