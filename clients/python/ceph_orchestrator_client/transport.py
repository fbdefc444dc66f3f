"""The transport interface: how :class:`~ceph_orchestrator_client.client.OrchestratorClient`
sends a unary or a server-streaming gRPC call.

Two implementations:

* :class:`~ceph_orchestrator_client.grpcio_transport.GrpcioTransport` -- grpcio, for
  ordinary processes;
* :class:`~ceph_orchestrator_client.h2_transport.H2Transport` -- pure Python over
  ``h2``; safe inside ceph-mgr's module sub-interpreters, where grpcio calls hang.

Both raise the exceptions of :mod:`ceph_orchestrator_client.errors` for a non-OK status
(connection failures as UNAVAILABLE, missed deadlines as DEADLINE_EXCEEDED).
"""

from __future__ import annotations

import abc
import math
import os
from typing import Generic, Iterator, NamedTuple, Optional, Sequence, Tuple, Type, TypeVar, Union

from google.protobuf import message as _message

__all__ = ["Metadata", "PemSource", "ReadTimeout", "ServerStream", "TlsSettings", "Transport", "format_grpc_timeout"]

M = TypeVar("M", bound=_message.Message)

#: Extra request metadata: (key, value) pairs, keys lower case.
Metadata = Sequence[Tuple[str, str]]

#: A PEM file's path, or the PEM itself as bytes.
PemSource = Union[str, "os.PathLike[str]", bytes]


def _pem(source: PemSource) -> bytes:
    if isinstance(source, bytes):
        return source
    with open(source, "rb") as f:
        return f.read()


class TlsSettings(NamedTuple):
    """TLS for a transport: the CA that signed the server's certificate, and for mutual TLS
    this client's certificate chain and key (all PEM bytes). ``server_name`` overrides the
    name the server's certificate is checked against (default: the target's host)."""

    ca: bytes
    cert: Optional[bytes] = None
    key: Optional[bytes] = None
    server_name: Optional[str] = None

    @classmethod
    def of(cls, ca: Optional[PemSource], cert: Optional[PemSource] = None, key: Optional[PemSource] = None,
           server_name: Optional[str] = None) -> Optional["TlsSettings"]:
        """Settings from paths or PEM bytes; None without a CA (plaintext)."""
        if (cert is None) != (key is None):
            raise ValueError("tls_cert and tls_key go together")
        if ca is None:
            if cert is not None or server_name is not None:
                raise ValueError("a client certificate or server name needs TLS: set tls_ca")
            return None
        return cls(_pem(ca), None if cert is None else _pem(cert), None if key is None else _pem(key), server_name)


class ReadTimeout(Exception):
    """:meth:`ServerStream.read` got no message within its timeout. The stream stays
    usable: read again to go on."""


class ServerStream(Generic[M], abc.ABC):
    """The responses of a server-streaming call, in order.

    ``read(timeout)`` returns the next message, or None once the stream ended with status
    OK; it raises the mapped error when the stream ended with another status (then and
    after). Iterating yields the messages until the end. ``cancel()`` ends the call (a
    later ``read`` raises CANCELLED); it is also what ``close()`` and ``with`` do.
    """

    @abc.abstractmethod
    def read(self, timeout: Optional[float] = None) -> Optional[M]:
        """The next message; None at the end. Raises :class:`ReadTimeout` when nothing
        arrives within ``timeout`` seconds (None: wait for as long as the call's deadline
        allows)."""

    @abc.abstractmethod
    def cancel(self) -> None:
        """Cancel the call and free its resources; idempotent."""

    @property
    @abc.abstractmethod
    def done(self) -> bool:
        """Whether the stream has ended (OK, an error, or cancelled)."""

    def close(self) -> None:
        self.cancel()

    def __iter__(self) -> Iterator[M]:
        while True:
            msg = self.read()
            if msg is None:
                return
            yield msg

    def __enter__(self) -> "ServerStream[M]":
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


class Transport(abc.ABC):
    """Sends gRPC calls to one target ("host:port")."""

    target: str

    @abc.abstractmethod
    def unary(self, method: str, request: _message.Message, response_cls: Type[M], timeout: Optional[float],
              metadata: Metadata = ()) -> M:
        """Call a unary RPC. ``method`` is the full path, e.g.
        ``"/ceph_orchestrator.v1.HostService/ListHosts"``; ``timeout`` the deadline in
        seconds from now, or None for none."""

    @abc.abstractmethod
    def server_stream(self, method: str, request: _message.Message, response_cls: Type[M], timeout: Optional[float],
                      metadata: Metadata = ()) -> ServerStream[M]:
        """Start a server-streaming RPC. Errors before the first message are raised by
        the stream's first ``read``."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections; idempotent."""

    def __enter__(self) -> "Transport":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def format_grpc_timeout(seconds: float) -> str:
    """The ``grpc-timeout`` header value for a timeout: at most 8 digits and a unit."""
    if seconds <= 0:
        return "1n"
    for unit, scale in (("n", 1e9), ("u", 1e6), ("m", 1e3), ("S", 1.0), ("M", 1 / 60), ("H", 1 / 3600)):
        value = math.ceil(seconds * scale - 1e-6)  # up (never early), ignoring float noise
        if value < 100_000_000:
            return "%d%s" % (value, unit)
    return "99999999H"
