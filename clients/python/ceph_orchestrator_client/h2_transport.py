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

Here: the transport and its streams. One call's HTTP/2 and gRPC framing is
:class:`~ceph_orchestrator_client.h2_call.H2Call`; its socket and TLS,
:mod:`ceph_orchestrator_client.h2_connection`.
"""

from __future__ import annotations

import time
from typing import Callable, Optional, Type, TypeVar

from google.protobuf import message as _message

from .errors import StatusCode, error_from_grpc
from .h2_call import H2Call
from .h2_connection import split_target, tls_context
from .transport import Metadata, ServerStream, TlsSettings, Transport

__all__ = ["H2Transport", "H2Call"]

M = TypeVar("M", bound=_message.Message)


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


class H2Transport(Transport):
    """gRPC over h2: each call opens its own connection to ``target`` and closes it when
    the call ends, so calls never wait for each other and nothing needs a lock. Plaintext,
    or TLS (mutual with a client certificate) when ``tls`` is given."""

    def __init__(self, target: str, max_message_bytes: int = 16 * 1024 * 1024, tls: Optional[TlsSettings] = None) -> None:
        split_target(target)  # fail early on a malformed target
        self.target = target
        self.max_message_bytes = max_message_bytes
        self._ssl = None if tls is None else tls_context(tls)
        self._server_name = None if tls is None else tls.server_name

    def _stream(self, method: str, request: _message.Message, response_cls: Type[M], timeout: Optional[float],
                metadata: Metadata) -> "_H2Stream[M]":
        body = request.SerializeToString()
        return _H2Stream(lambda connect_timeout: H2Call(self.target, method, body, timeout, metadata, self.max_message_bytes,
                                                        self._ssl, self._server_name, connect_timeout), response_cls)

    def unary(self, method: str, request: _message.Message, response_cls: Type[M], timeout: Optional[float],
              metadata: Metadata = ()) -> M:
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

    def server_stream(self, method: str, request: _message.Message, response_cls: Type[M], timeout: Optional[float],
                      metadata: Metadata = ()) -> ServerStream[M]:
        return self._stream(method, request, response_cls, timeout, metadata)

    def close(self) -> None:
        pass  # no connection outlives its call
