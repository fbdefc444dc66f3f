"""The Python client's security settings against real servers: TLS with the server's CA,
mutual TLS with a client certificate, bearer tokens, over grpcio and the pure-Python h2
transport. Certificates are made with the openssl CLI into a temporary directory."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterator

import pytest

from ceph_orchestrator_client import OrchestratorClient, OrchestratorError, StatusCode, TlsSettings
from orch_servers import Server, free_port

READER_TOKEN = "py-reader-token-0123456789"
ADMIN_TOKEN = "py-admin-token-0123456789"


def _openssl(cwd: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=str(cwd), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _ca(d: Path, name: str) -> None:
    _openssl(d, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
             "-subj", "/CN=%s" % name, "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", name + ".key", "-out", name + ".crt")


def _issue(d: Path, name: str, ca: str, cn: str, usage: str, sans: str = "") -> None:
    ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=%s\nkeyUsage=digitalSignature\n" % usage
    if sans:
        ext += "subjectAltName=%s\n" % sans
    (d / (name + ".ext")).write_text(ext)
    _openssl(d, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + cn,
             "-keyout", name + ".key", "-out", name + ".csr")
    _openssl(d, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
             "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt")


@pytest.fixture(scope="module")
def pki() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="orch-py-pki-"))
    _ca(d, "ca")
    _ca(d, "other-ca")
    _issue(d, "server", "ca", "orchestrator", "serverAuth", "DNS:localhost,IP:127.0.0.1")
    _issue(d, "admin", "ca", "py-admin", "clientAuth")
    _issue(d, "reader", "ca", "py-reader", "clientAuth")
    _issue(d, "foreign", "other-ca", "py-admin", "clientAuth")
    tokens = ["tokens:"]
    for name, role, token in (("py-reader", "reader", READER_TOKEN), ("py-admin", "admin", ADMIN_TOKEN)):
        tokens.append("  - { name: %s, role: %s, sha256: %s }" % (name, role, hashlib.sha256(token.encode()).hexdigest()))
    (d / "tokens.yaml").write_text("\n".join(tokens) + "\n")
    (d / "roles.yaml").write_text(
        "clients:\n"
        "  - { name: admin-cert, role: admin, identity: 'CN=py-admin' }\n"
        "  - { name: reader-cert, role: reader, identity: 'CN=py-reader' }\n")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _tls_args(d: Path) -> list:
    return ["--backend-opt", "delays=0", "--journal=false",
            "--tls-cert", str(d / "server.crt"), "--tls-key", str(d / "server.key"),
            "--tls-client-ca", str(d / "ca.crt"), "--client-roles", str(d / "roles.yaml")]


@pytest.fixture(scope="module")
def tls_servers(pki: Path) -> Iterator[Dict[str, Server]]:
    """"optional": client certificates optional beside tokens; "required": mTLS only."""
    log_dir = tempfile.mkdtemp(prefix="orch-py-tls-")
    servers = {
        "optional": Server("tls-optional", _tls_args(pki) + ["--tls-require-client-cert=false", "--tokens-file", str(pki / "tokens.yaml")], log_dir),
        "required": Server("tls-required", _tls_args(pki), log_dir),
    }
    try:
        for s in servers.values():
            s.wait_ready()
        yield servers
    finally:
        for s in servers.values():
            s.stop()
        shutil.rmtree(log_dir, ignore_errors=True)


def _client(server: Server, transport: str, **kw: object) -> OrchestratorClient:
    return OrchestratorClient(server.target, transport=transport, timeout=10.0, retries=0, **kw)  # type: ignore[arg-type]


def _code(fn: object) -> StatusCode:
    with pytest.raises(OrchestratorError) as info:
        fn()  # type: ignore[operator]
    return info.value.code  # type: ignore[no-any-return]


def test_token_over_tls_reader_reads_and_may_not_write(tls_servers: Dict[str, Server], pki: Path, transport: str) -> None:
    with _client(tls_servers["optional"], transport, tls_ca=str(pki / "ca.crt"), token=READER_TOKEN) as c:
        assert "node-1" in [h.hostname for h in c.get_hosts()]
        err_code = _code(lambda: c.add_host_label("node-1", "py-denied").wait(10))
        assert err_code == StatusCode.PERMISSION_DENIED


def test_client_certificate_as_pem_bytes_gets_its_role(tls_servers: Dict[str, Server], pki: Path, transport: str) -> None:
    with _client(tls_servers["optional"], transport, tls_ca=(pki / "ca.crt").read_bytes(),
                 tls_cert=(pki / "admin.crt").read_bytes(), tls_key=(pki / "admin.key").read_bytes()) as c:
        done = c.add_host_label("node-1", "py-" + transport)
        assert done.wait(20)
        assert done.result.hostname == "node-1"
    with _client(tls_servers["optional"], transport, tls_ca=str(pki / "ca.crt"), tls_cert=str(pki / "reader.crt"),
                 tls_key=str(pki / "reader.key")) as c:
        assert _code(lambda: c.remove_host_label("node-1", "py-" + transport).wait(10)) == StatusCode.PERMISSION_DENIED


def test_without_credentials_or_with_a_foreign_certificate_is_unauthenticated(tls_servers: Dict[str, Server], pki: Path, transport: str) -> None:
    with _client(tls_servers["optional"], transport, tls_ca=str(pki / "ca.crt")) as c:
        assert _code(c.get_hosts) == StatusCode.UNAUTHENTICATED
    with _client(tls_servers["optional"], transport, tls_ca=str(pki / "ca.crt"), tls_cert=str(pki / "foreign.crt"),
                 tls_key=str(pki / "foreign.key")) as c:
        assert _code(c.get_hosts) == StatusCode.UNAUTHENTICATED
    with _client(tls_servers["optional"], transport, tls_ca=str(pki / "ca.crt"), token="not-a-token") as c:
        assert _code(c.get_hosts) == StatusCode.UNAUTHENTICATED


def test_plaintext_and_untrusted_servers_do_not_connect(tls_servers: Dict[str, Server], pki: Path, transport: str) -> None:
    with _client(tls_servers["optional"], transport, token=ADMIN_TOKEN) as c:
        ok, why, _ = c.available()
        assert not ok and why
    with _client(tls_servers["optional"], transport, tls_ca=str(pki / "other-ca.crt"), token=ADMIN_TOKEN) as c:
        assert _code(c.get_hosts) == StatusCode.UNAVAILABLE


def test_required_client_certificates(tls_servers: Dict[str, Server], pki: Path, transport: str) -> None:
    server = tls_servers["required"]
    with _client(server, transport, tls_ca=str(pki / "ca.crt"), tls_cert=str(pki / "admin.crt"), tls_key=str(pki / "admin.key")) as c:
        assert c.available()[0]
        assert c.get_capabilities().rpcs
    # From an unknown CA, or without a certificate: refused by the TLS handshake.
    for kw in ({"tls_cert": str(pki / "foreign.crt"), "tls_key": str(pki / "foreign.key")}, {}):
        with _client(server, transport, tls_ca=str(pki / "ca.crt"), **kw) as c:
            assert _code(c.get_hosts) == StatusCode.UNAVAILABLE


def test_a_tls_server_that_never_answers_holds_a_write_no_longer_than_its_first_answer(pki: Path, transport: str) -> None:
    """The TLS handshake is part of waiting for the first answer: a server that accepts
    connections and never answers ends a write at `timeout`, not at the stream's deadline."""
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    port = free_port()
    silent.bind(("127.0.0.1", port))
    silent.listen(8)  # never accept(): the kernel completes the TCP handshakes, nobody speaks TLS
    try:
        client = OrchestratorClient("127.0.0.1:%d" % port, transport=transport, timeout=1.0, stream_timeout=60.0, retries=0,
                                    tls_ca=pki / "ca.crt", token=ADMIN_TOKEN)
        with client:
            t0 = time.monotonic()
            assert _code(lambda: client.add_host("node-9")) == StatusCode.DEADLINE_EXCEEDED
            assert time.monotonic() - t0 < 5
    finally:
        silent.close()


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        TlsSettings.of(None, b"cert", b"key")
    with pytest.raises(ValueError):
        TlsSettings.of(b"ca", b"cert", None)
    with pytest.raises(ValueError):
        OrchestratorClient("127.0.0.1:1", token="two words")
    assert TlsSettings.of(None) is None
