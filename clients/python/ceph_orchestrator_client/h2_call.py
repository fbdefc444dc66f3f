"""One gRPC call of the h2 transport on its own HTTP/2 connection: the request's headers
and body (as flow control allows), the response's events, gRPC's length-prefixed messages,
and the call's status from trailers (or a Trailers-Only response), HTTP statuses and
stream resets. What the transport does as a whole: :mod:`.h2_transport`.
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
from typing import Any, Deque, Dict, List, Optional, Tuple

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

from .errors import StatusCode, error_from_grpc
from .h2_connection import connect
from .transport import Metadata, ReadTimeout, format_grpc_timeout

__all__ = ["H2Call"]

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

        sock, authority = connect(target, self._remaining(None), connect_timeout, ssl_context, server_name)
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
