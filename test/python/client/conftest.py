"""Fixtures of the Python client tests: real servers (`npx tsx src/main.ts`, sim backend)
on free loopback ports below 32768, and an OrchestratorClient per transport.

Every server the session needs starts at once in the background on first use (so they
boot in parallel) and is killed, with its whole process group, at the end of the session
-- also when tests fail or pytest is interrupted (a finalizer plus an atexit hook).

Run: /usr/bin/python3 -m pytest test/python/client   (or scripts/test-python-client.sh)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Iterator, Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
for _p in (Path(__file__).resolve().parent, REPO_ROOT / "clients" / "python", REPO_ROOT / "gen" / "python"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from ceph_orchestrator_client import OrchestratorClient  # noqa: E402

from orch_servers import TRANSPORTS, Server, ServerPool  # noqa: E402


@pytest.fixture(scope="session")
def servers(request: pytest.FixtureRequest) -> Iterator[ServerPool]:
    pool = ServerPool()
    pool.start_all()
    try:
        yield pool
    finally:
        pool.stop_all()
        if request.session.testsfailed == 0:
            shutil.rmtree(pool.log_dir, ignore_errors=True)
        else:
            sys.stderr.write("\nserver logs and data: %s\n" % pool.log_dir)


@pytest.fixture(scope="session", params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def _client(server: Server, transport: str, **kw: object) -> Iterator[OrchestratorClient]:
    client = OrchestratorClient(server.target, transport=transport, timeout=10.0, **kw)  # type: ignore[arg-type]
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def server(servers: ServerPool, transport: str) -> Server:
    """The delays=0 sim server of this transport (its state carries over between tests)."""
    return servers.get("default-" + transport)


@pytest.fixture
def client(server: Server, transport: str) -> Iterator[OrchestratorClient]:
    yield from _client(server, transport)


@pytest.fixture
def slow_server(servers: ServerPool, transport: str) -> Server:
    return servers.get("slow-" + transport)


@pytest.fixture
def slow_client(slow_server: Server, transport: str) -> Iterator[OrchestratorClient]:
    yield from _client(slow_server, transport)


@pytest.fixture
def none_client(servers: ServerPool, transport: str) -> Iterator[OrchestratorClient]:
    yield from _client(servers.get("none"), transport)


@pytest.fixture
def partial_client(servers: ServerPool, transport: str) -> Iterator[OrchestratorClient]:
    yield from _client(servers.get("partial"), transport)


@pytest.fixture
def unreachable_client(servers: ServerPool, transport: str) -> Iterator[OrchestratorClient]:
    yield from _client(servers.get("unreachable"), transport)


def pytest_report_header(config: pytest.Config) -> Optional[str]:
    import google.protobuf
    from google.protobuf.internal import api_implementation

    return "python %s; protobuf %s (%s)" % (
        sys.version.split()[0], google.protobuf.__version__, api_implementation.Type())
