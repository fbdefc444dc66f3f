"""How the client is installed and loaded: with pip into a venv, from a source checkout on
sys.path (as the ceph-mgr module loads it), and inside a Python sub-interpreter as ceph-mgr
runs its modules -- where only the h2 transport works."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from orch_servers import REPO_ROOT, ServerPool

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
GEN = REPO_ROOT / "gen" / "python"
CLIENT = REPO_ROOT / "clients" / "python"


def run(args: list, cwd: Path, timeout: float = 120) -> str:  # type: ignore[type-arg]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    proc = subprocess.run(args, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, "%s failed (%s):\n%s\n%s" % (args, proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def test_pip_install_into_a_venv(tmp_path: Path, servers: ServerPool) -> None:
    """`pip install ./gen/python ./clients/python`, Debian style (no build isolation, no
    index: python3-setuptools, python3-wheel, python3-protobuf, python3-h2 provide the rest)."""
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    shutil.copytree(str(GEN), str(src / "gen"), ignore=ignore)
    shutil.copytree(str(CLIENT), str(src / "client"), ignore=ignore)
    venv = tmp_path / "venv"
    run([PYTHON, "-m", "venv", "--system-site-packages", str(venv)], tmp_path)
    run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "--no-build-isolation",
         "--no-deps", "--no-index", str(src / "gen"), str(src / "client")], tmp_path)
    target = servers.get("default-h2").target
    # google.rpc normally comes from googleapis-common-protos (a dependency of the stubs
    # package, not in Debian); here gen/python supplies it, appended after site-packages.
    check = textwrap.dedent("""
        import importlib.metadata as md, json, os, sys
        sys.path.append(%r)
        import ceph_orchestrator_client as c, ceph_orchestrator
        from ceph_orchestrator_client import OrchestratorClient
        pkg = os.path.dirname(c.__file__)
        with OrchestratorClient(%r, transport="h2") as orch:
            hosts = [h.hostname for h in orch.get_hosts()]
        print(json.dumps({
            "client": c.__file__, "stubs": ceph_orchestrator.__file__,
            "typed": os.path.exists(os.path.join(pkg, "py.typed")),
            "pyi": os.path.exists(os.path.join(os.path.dirname(ceph_orchestrator.__file__), "v1", "host_pb2.pyi")),
            "requires": md.requires("ceph-orchestrator-client"), "hosts": hosts,
        }))
    """) % (str(GEN), target)
    out = json.loads(run([str(venv / "bin" / "python"), "-c", check], tmp_path))
    site = str(venv / "lib")
    assert out["client"].startswith(site) and out["stubs"].startswith(site)
    assert out["typed"] and out["pyi"]
    # Setuptools versions spell requirements differently: compare without spaces, () and quotes.
    assert sorted(re.sub(r"[ ()'\"]", "", r) for r in out["requires"]) == [
        "ceph-orchestrator-grpc-stubs==0.1.0", "grpcio>=1.51.1;extra==grpcio", "h2<5,>=4.1.0;extra==h2",
        "protobuf>=4.21.12"]
    assert out["hosts"] == ["node-1", "node-2", "node-3"]


def test_source_checkout_on_sys_path_loads_no_grpcio(tmp_path: Path) -> None:
    """The ceph-mgr way: gen/python and clients/python on sys.path; grpcio is never imported
    unless a client asks for the grpcio transport."""
    check = textwrap.dedent("""
        import json, sys
        sys.path[:0] = [%r, %r]
        from ceph_orchestrator_client import OrchestratorClient
        before = "grpc" in sys.modules, "h2" in sys.modules
        OrchestratorClient("127.0.0.1:1", transport="h2")
        after_h2 = "grpc" in sys.modules, "h2" in sys.modules
        OrchestratorClient("127.0.0.1:1", transport="grpcio")
        print(json.dumps([before, after_h2, "grpc" in sys.modules]))
    """) % (str(GEN), str(CLIENT))
    assert json.loads(run([PYTHON, "-c", check], tmp_path)) == [[False, False], [False, True], True]


def test_h2_transport_works_in_a_sub_interpreter(tmp_path: Path, servers: ServerPool) -> None:
    """ceph-mgr runs each module in a sub-interpreter, where grpcio calls hang forever. The
    h2 transport does a read and a write (with its operation stream) there."""
    target = servers.get("default-h2").target
    result = tmp_path / "result.json"
    inner = textwrap.dedent("""
        import json, sys
        sys.path[:0] = [%r, %r]
        from ceph_orchestrator_client import OrchestratorClient
        with OrchestratorClient(%r, transport="h2", timeout=10) as orch:
            hosts = [h.hostname for h in orch.get_hosts()]
            added = orch.add_host_label("node-3", "subinterp")
            ok = added.wait(10)
            labels = sorted(added.result.labels)
            orch.remove_host_label("node-3", "subinterp").wait(10)
        with open(%r, "w") as f:
            json.dump({"hosts": hosts, "ok": ok, "labels": labels, "grpc": "grpc" in sys.modules}, f)
    """) % (str(GEN), str(CLIENT), target, str(result))
    # A legacy sub-interpreter (sharing the GIL), as ceph-mgr's Py_NewInterpreter makes; the
    # module is _interpreters from Python 3.13 on, _xxsubinterpreters before (3.12 makes
    # isolated ones by default). From 3.13, run_string returns the script's exception.
    outer = textwrap.dedent("""
        try:
            import _interpreters as interpreters
            interp = interpreters.create("legacy")
        except ImportError:
            import _xxsubinterpreters as interpreters
            interp = interpreters.create(isolated=False)
        failed = interpreters.run_string(interp, %r)
        interpreters.destroy(interp)
        if failed is not None:
            raise SystemExit("the sub-interpreter failed: %%r" %% (failed,))
    """) % inner
    run([PYTHON, "-c", outer], tmp_path, timeout=60)
    assert json.loads(result.read_text()) == {
        "hosts": ["node-1", "node-2", "node-3"], "ok": True, "labels": ["mon", "osd", "subinterp"], "grpc": False}
