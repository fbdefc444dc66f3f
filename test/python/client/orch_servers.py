"""Real servers for the Python client tests: `npx tsx src/main.ts` (sim backend) on free
loopback ports below 32768, each in its own process group so that stopping it kills npx,
tsx and node together."""

from __future__ import annotations

import atexit
import os
import random
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Sequence, Set

REPO_ROOT = Path(__file__).resolve().parents[3]

TRANSPORTS = ["grpcio", "h2"]

# Slow steps, so operations can be watched while they run (milliseconds).
SLOW_DELAYS = '{"addHost":1500,"removeHost":1500,"deployDaemon":300,"upgradeDaemon":150}'

# name -> extra server arguments. "default-*" and "slow-*" exist per transport, so tests
# that change the cluster see the same starting state with either transport.
SERVER_SPECS: Dict[str, List[str]] = {
    "default-grpcio": ["--backend-opt", "delays=0"],
    "default-h2": ["--backend-opt", "delays=0"],
    "slow-grpcio": ["--backend-opt", "delays=" + SLOW_DELAYS],
    "slow-h2": ["--backend-opt", "delays=" + SLOW_DELAYS],
    "none": ["--backend", "none"],
    "unreachable": ["--backend-opt", "delays=0", "--backend-opt", 'failures={"unreachableHosts":["node-2"]}'],
    # A test backend that lacks most RPCs and does not support spec.encrypted of CreateOsds.
    "partial": ["--backend", "test/grpc/fixtures/partial-backend.ts"],
}

_used_ports: Set[int] = set()


def free_port() -> int:
    """A free TCP port on 127.0.0.1 in 20000-32767 (below Linux's ephemeral range)."""
    for _ in range(200):
        port = random.randint(20000, 32767)
        if port in _used_ports:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _used_ports.add(port)
        return port
    raise RuntimeError("no free port found")


class Server:
    """One `npx tsx src/main.ts` process (and its children, in their own process group)."""

    def __init__(self, name: str, extra: Sequence[str], log_dir: str) -> None:
        self.name = name
        self.port = free_port()
        self.target = "127.0.0.1:%d" % self.port
        self.log_path = os.path.join(log_dir, "server-%s.log" % name)
        self._log = open(self.log_path, "wb")
        # No reconciliation by itself: each test sees the results of its own calls only
        # (reconcile_service still runs one; test/grpc/reconciler.test.ts covers the loop).
        self.cmd = ["npx", "tsx", "src/main.ts", "--listen", self.target, "--log-level", "warn",
                    "--shutdown-grace", "500", "--reconcile-interval", "0", *extra]
        # A data directory of its own (CEPH_ORCH_DATA_DIR; servers without persistence ignore
        # it): every server starts from the fixture's cluster, and servers never share files.
        # Other CEPH_ORCH_* settings of the calling shell are not inherited.
        env = {k: v for k, v in os.environ.items() if not k.startswith("CEPH_ORCH_")}
        env["CEPH_ORCH_DATA_DIR"] = os.path.join(log_dir, "data-" + name)
        self.proc = subprocess.Popen(
            self.cmd, cwd=str(REPO_ROOT), env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() kills npx, tsx and node together
        )
        self._ready = False

    def log(self) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 90.0) -> "Server":
        """Wait until the server accepts connections (it listens once it serves)."""
        if self._ready:
            return self
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server %s exited with %s:\n%s" % (self.name, self.proc.returncode, self.log()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    self._ready = True
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server %s did not listen on %s within %ss:\n%s" % (self.name, self.target, timeout, self.log()))

    def stop(self) -> None:
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # Children may outlive npx: make sure the whole group is gone.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._log.close()


class ServerPool:
    def __init__(self) -> None:
        self.log_dir = tempfile.mkdtemp(prefix="orch-client-tests-")
        self.servers: Dict[str, Server] = {}
        atexit.register(self.stop_all)

    def start_all(self) -> None:
        for name, extra in SERVER_SPECS.items():
            if name not in self.servers:
                self.servers[name] = Server(name, extra, self.log_dir)

    def get(self, name: str) -> Server:
        if name not in self.servers:
            self.servers[name] = Server(name, SERVER_SPECS[name], self.log_dir)
        return self.servers[name].wait_ready()

    def stop_all(self) -> None:
        for server in self.servers.values():
            server.stop()
