"""grpcurl against a running server, through server reflection alone.

Runs the grpcurl binary that scripts/setup.sh installs (go install, pinned version) the way
the README's walk-through does: never with -proto, -protoset or -import-path, and from an
empty working directory, so every service, message and comment comes from reflection.

Environment:
  ORCH_ADDR  host:port of a server over the default sim fixture with delays=0; the write
             test adds the spare host node-5, so give it a fresh server
             (scripts/test-clients.sh starts one).
  GRPCURL    the grpcurl binary (default: .tools/bin/grpcurl).

Run: /usr/bin/python3 -m pytest -p no:cacheprovider -q test/grpcurl/test_grpcurl.py
"""

import json
import os
import re
import subprocess

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GRPCURL = os.environ.get("GRPCURL", os.path.join(REPO_ROOT, ".tools", "bin", "grpcurl"))
ADDR = os.environ.get("ORCH_ADDR", "")
PKG = "ceph_orchestrator.v1"
DOMAIN = "orchestrator.ceph.io"
SERVICES = {
    f"{PKG}.HostService",
    f"{PKG}.InventoryService",
    f"{PKG}.OperationService",
    f"{PKG}.OrchestratorService",
    f"{PKG}.OsdService",
    f"{PKG}.ServiceService",
    f"{PKG}.UpgradeService",
}
# grpcurl exits with 64 + the gRPC code when the call fails.
GRPCURL_STATUS_EXIT_BASE = 64

if not ADDR:
    pytest.skip(
        "ORCH_ADDR is not set: run scripts/test-clients.sh, which starts the server",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def empty_dir(tmp_path_factory):
    """A working directory without any proto file, for every grpcurl run."""
    return tmp_path_factory.mktemp("no-protos")


def grpcurl(empty_dir, *args, data=None, check=True):
    """Runs `grpcurl -plaintext -max-time 20 [-d data] args...` on ORCH_ADDR."""
    cmd = [GRPCURL, "-plaintext", "-max-time", "20"]
    if data is not None:
        cmd += ["-d", json.dumps(data)]
    head = [a for a in args if a.startswith("-")]
    rest = [a for a in args if not a.startswith("-")]
    cmd += head + [ADDR] + rest
    for banned in ("-proto", "-protoset", "-import-path"):
        assert banned not in cmd, "these tests use reflection only"
    proc = subprocess.run(cmd, cwd=empty_dir, capture_output=True, text=True, timeout=60)
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def json_stream(text):
    """Parses grpcurl's output: a sequence of pretty-printed JSON objects, one per message."""
    decoder = json.JSONDecoder()
    objs, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return objs
        obj, i = decoder.raw_decode(text, i)
        objs.append(obj)


def test_grpcurl_is_the_pinned_version():
    pin = re.search(r"^GRPCURL_VERSION=(\S+)", open(os.path.join(REPO_ROOT, "scripts", "setup.sh")).read(), re.M)
    assert pin, "scripts/setup.sh pins GRPCURL_VERSION"
    info = subprocess.run(["go", "version", "-m", GRPCURL], capture_output=True, text=True, timeout=60, check=True)
    mods = [line.split() for line in info.stdout.splitlines()]
    assert ["mod", "github.com/fullstorydev/grpcurl", pin.group(1)] in [m[:3] for m in mods], info.stdout


def test_list_shows_the_seven_services(empty_dir):
    out = grpcurl(empty_dir, "list").stdout.split()
    assert {s for s in out if s.startswith(PKG + ".")} == SERVICES
    methods = grpcurl(empty_dir, "list", f"{PKG}.OsdService").stdout.split()
    assert sorted(methods) == sorted(
        f"{PKG}.OsdService.{m}" for m in ("CreateOsds", "PreviewOsds", "ReplaceOsds", "RemoveOsds", "GetOsdRemovalStatus")
    )


def test_describe_service_shows_a_server_streaming_write(empty_dir):
    out = grpcurl(empty_dir, "describe", f"{PKG}.OsdService").stdout
    assert f"{PKG}.OsdService is a service:" in out
    assert (
        f"rpc CreateOsds ( .{PKG}.CreateOsdsRequest ) returns ( stream .{PKG}.CreateOsdsResponse );" in out
    ), out
    # A read is unary.
    assert f"rpc PreviewOsds ( .{PKG}.PreviewOsdsRequest ) returns ( .{PKG}.PreviewOsdsResponse );" in out, out
    # The proto comments come along through reflection.
    assert "// Create OSDs from a drive group" in out, out


def test_describe_message_from_another_file(empty_dir):
    # Device is defined in inventory.proto, not in a service's file, and uses a
    # google.protobuf.Struct from a well-known file: both resolve through reflection.
    out = grpcurl(empty_dir, "describe", f"{PKG}.Device").stdout
    assert f"{PKG}.Device is a message:" in out, out
    assert ".google.protobuf.Struct sys_api = 11;" in out, out
    assert "int64 size_bytes = 6;" in out, out
    assert "TYPE_HDD = 1;" in out, out
    struct = grpcurl(empty_dir, "describe", "google.protobuf.Struct").stdout
    assert "google.protobuf.Struct is a message:" in struct, struct
    assert "map<string, .google.protobuf.Value> fields = 1;" in struct, struct


def test_read_list_hosts(empty_dir):
    resp = json.loads(grpcurl(empty_dir, f"{PKG}.HostService/ListHosts").stdout)
    hosts = {h["hostname"]: h for h in resp["hosts"]}
    assert {"node-1", "node-2", "node-3"} <= set(hosts), resp
    assert resp["totalSize"] == len(resp["hosts"]), resp
    assert "nextPageToken" not in resp, resp
    assert hosts["node-1"]["addr"] == "10.0.0.11"
    assert hosts["node-1"]["status"] == "STATUS_ONLINE"  # enums as names
    assert "_admin" in hosts["node-1"]["labels"]

    # A request body with -d: one page of one host.
    page = json.loads(grpcurl(empty_dir, f"{PKG}.HostService/ListHosts", data={"page_size": 1}).stdout)
    assert [h["hostname"] for h in page["hosts"]] == ["node-1"], page
    assert page["nextPageToken"], page


def test_read_inventory_int64_and_struct(empty_dir):
    resp = json.loads(grpcurl(empty_dir, f"{PKG}.InventoryService/GetInventory", data={"hostnames": ["node-3"]}).stdout)
    [host] = resp["hosts"]
    sdf = next(d for d in host["devices"] if d["path"] == "/dev/sdf")
    # proto3 JSON writes int64 as a decimal string: exact.
    assert sdf["sizeBytes"] == "20000588955648", sdf
    assert sdf["type"] == "TYPE_HDD"
    assert sdf["sysApi"]["rotational"] == "1"
    assert sdf["sysApi"]["size"] == 20000588955648
    assert sdf["sysApi"]["partitions"] == {}


def test_server_streaming_write_add_host(empty_dir):
    proc = grpcurl(empty_dir, f"{PKG}.HostService/AddHost", data={"host": {"hostname": "node-5", "labels": ["grpcurl"]}})
    msgs = json_stream(proc.stdout)
    ops = [m["operation"] for m in msgs]
    states = [op["state"] for op in ops]
    assert len(ops) >= 3, states
    assert states[0] == "STATE_ACCEPTED", states
    assert states[1] == "STATE_PERSISTENT", states
    assert states[-1] == "STATE_SUCCEEDED", states
    assert all(s == "STATE_RUNNING" for s in states[2:-1]), states
    op_id = ops[0]["id"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", op_id), op_id
    assert all(op["id"] == op_id for op in ops)
    assert all(op["method"] == f"{PKG}.HostService.AddHost" for op in ops)
    assert [bool(op.get("done")) for op in ops] == [False] * (len(ops) - 1) + [True]
    progress = [op.get("progress", 0) for op in ops]
    assert progress == sorted(progress) and progress[-1] == 1, progress
    end = ops[-1]
    assert "error" not in end
    assert end["result"]["host"]["hostname"] == "node-5", end
    assert end["result"]["host"]["addr"] == "10.0.0.15", end  # from the fixture's spare host
    assert "grpcurl" in end["result"]["host"]["labels"], end

    # The effect, and the finished operation through WatchOperation.
    hosts = json.loads(grpcurl(empty_dir, f"{PKG}.HostService/ListHosts", data={"label": "grpcurl"}).stdout)
    assert [h["hostname"] for h in hosts["hosts"]] == ["node-5"], hosts
    watched = json_stream(grpcurl(empty_dir, f"{PKG}.OperationService/WatchOperation", data={"id": op_id}).stdout)
    assert [m["operation"] for m in watched] == [end]


def test_format_error_shows_bad_request(empty_dir):
    proc = grpcurl(
        empty_dir,
        "-format-error",
        f"{PKG}.HostService/AddHost",
        data={"host": {"hostname": "bad host!"}},
        check=False,
    )
    assert proc.returncode == GRPCURL_STATUS_EXIT_BASE + 3, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout.strip() == "", "refused before any operation existed: no stream message"
    status = json.loads(proc.stderr)
    assert status["code"] == 3, status
    assert "host.hostname" in status["message"], status
    by_type = {d["@type"]: d for d in status["details"]}
    info = by_type["type.googleapis.com/google.rpc.ErrorInfo"]
    assert (info["domain"], info["reason"]) == (DOMAIN, "INVALID_FIELD"), info
    violations = by_type["type.googleapis.com/google.rpc.BadRequest"]["fieldViolations"]
    assert [v["field"] for v in violations] == ["host.hostname"], violations
    assert violations[0]["description"], violations


def test_error_without_format_error(empty_dir):
    proc = grpcurl(
        empty_dir,
        f"{PKG}.OperationService/GetOperation",
        data={"id": "00000000-0000-4000-8000-000000000000"},
        check=False,
    )
    assert proc.returncode == GRPCURL_STATUS_EXIT_BASE + 5, (proc.returncode, proc.stderr)
    assert "Code: NotFound" in proc.stderr, proc.stderr
    assert "type.googleapis.com/google.rpc.ResourceInfo" in proc.stderr, proc.stderr
