"""The connection under each call of the h2 transport: the target's address, a TCP or
Unix socket, and TLS with ALPN "h2" (mutual TLS with a client certificate)."""

from __future__ import annotations

import socket
import ssl
from typing import Any, Optional, Tuple

from .errors import StatusCode, error_from_grpc
from .transport import ReadTimeout, TlsSettings

__all__ = ["connect", "split_target", "tls_context"]


def split_target(target: str) -> Tuple[Any, ...]:
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


def connect(target: str, deadline_left: Optional[float], connect_timeout: Optional[float],
            ssl_context: Optional[ssl.SSLContext], server_name: Optional[str]) -> Tuple[socket.socket, str]:
    """A socket connected to ``target`` (TLS when ``ssl_context`` is given) and the
    ``:authority`` to send. Connecting and the TLS handshake take at most what is
    ``deadline_left`` of the call (past it: DEADLINE_EXCEEDED) and ``connect_timeout``
    (past it: :class:`ReadTimeout`); other failures are UNAVAILABLE."""
    family, address, authority = split_target(target)
    limit = deadline_left if connect_timeout is None or (
        deadline_left is not None and deadline_left <= connect_timeout) else connect_timeout
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
    return sock, authority


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
