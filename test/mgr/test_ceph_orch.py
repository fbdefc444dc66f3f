"""The real `ceph orch` CLI of a Ceph 16.2 cluster, served through the gRPC service by the
orchestrator_grpc mgr module.

The same checks run against two clusters (ORCH_CLUSTER):

  sim   scripts/test-mgr.sh: a lab cluster (mon + mgr) whose module points at a service with
        the sim backend (hosts node-1..3 with simulated devices; node-4 and node-5 known to it)
  ssh   scripts/test-mgr-ssh.sh: the ssh backend's real cluster on the test hosts, whose own
        mgrs load the module, pointing back at the service that manages them. ORCH_HOSTS names
        its hosts (comma-separated), ORCH_SPARE_HOST / ORCH_SPARE_ADDR the test host it adds.

Both scripts start the services and the cluster and set:

  CEPH_CONF               the cluster's ceph.conf (module enabled, backend set)
  ORCH_TARGET             the service the module points at
  ORCH_TARGET_NONE        a service started with --backend none
  ORCH_TARGET_PARTIAL     a service with a backend that lacks most RPCs
  ORCH_TARGET_DEAD        an address where nothing listens
  ORCH_HANG_PORT          a free port for a server that accepts and never answers (on the
                          host of ORCH_TARGET_DEAD)
  ORCH_TLS_CA, ORCH_TOKEN the services' CA and bearer token, when they use them (the ssh run:
                          off loopback; the module has them in its options)

Each test compares what the CLI prints with the service's own state, read with the Python
client (grpcio transport, in this process). The tests run in file order and build on each
other's changes to the cluster (a host added, OSDs created, ...).
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
import yaml
from google.protobuf import json_format

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [os.path.join(ROOT, 'clients', 'python'), os.path.join(ROOT, 'gen', 'python')]

from ceph_orchestrator.v1 import host_pb2, service_pb2  # noqa: E402
from ceph_orchestrator_client import SERVICE_TYPES, OrchestratorClient  # noqa: E402

MODULE = 'orchestrator_grpc'
TYPE_NAMES = {v: k for k, v in SERVICE_TYPES.items()}
TARGET = os.environ.get('ORCH_TARGET', '')
CLI_TIMEOUT = 60  # no CLI call may hang: the module gives every call a deadline
CLUSTER = os.environ.get('ORCH_CLUSTER', 'sim')

# What differs between the two clusters; everything else is compared with the service's state.
if CLUSTER == 'ssh':
    HOSTS = os.environ.get('ORCH_HOSTS', '').split(',')
    SPARE, SPARE_ADDR = os.environ.get('ORCH_SPARE_HOST', ''), os.environ.get('ORCH_SPARE_ADDR', '')
    # One real OSD on the first host's loop device (ceph-volume raw), removed again later.
    OSD_SERVICE, OSD_PATTERN = 'loop', HOSTS[0]
    OSD_SELECTION: Dict[str, Any] = {'data_devices': {'size': ':5T'}}
    WRITE_TIMEOUT = 300.0  # real daemons: deploying an OSD or a mgr takes tens of seconds
else:
    HOSTS = ['node-1', 'node-2', 'node-3']
    SPARE, SPARE_ADDR = 'node-4', '10.0.0.14'
    OSD_SERVICE, OSD_PATTERN = 'hdd_flash_db', 'node-*'
    OSD_SELECTION = {'data_devices': {'rotational': True, 'size': ':5T'}, 'db_devices': {'rotational': False}}
    WRITE_TIMEOUT = 60.0
MON_VICTIM = 'mon.' + HOSTS[-1]
# Long enough for the service's reconciler to have passed after a write (it passes after every
# write; scripts/test-mgr-ssh.sh also gives it a 5 s interval): what it has not done by then,
# it does not do.
RECONCILE_WAIT = 12.0 if CLUSTER == 'ssh' else 3.0
TOKEN = os.environ.get('ORCH_TOKEN', '')
CREDENTIALS: Dict[str, Any] = {'tls_ca': os.environ['ORCH_TLS_CA'], 'token': TOKEN} if TOKEN else {}


def client(timeout: float = 10) -> OrchestratorClient:
    """The test's own client of the service (grpcio transport), with the module's credentials."""
    return OrchestratorClient(TARGET, transport='grpcio', timeout=timeout, **CREDENTIALS)

pytestmark = pytest.mark.skipif(not (TARGET and os.environ.get('CEPH_CONF')),
                                reason='needs the lab cluster and service of scripts/test-mgr.sh')


# --- helpers ------------------------------------------------------------------------------

def ceph(*args: str, stdin: Optional[str] = None, timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess:
    """Run the real CLI (/usr/bin/ceph); never raises on a non-zero exit."""
    return subprocess.run(['/usr/bin/ceph', *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout)


def ok(*args: str, stdin: Optional[str] = None) -> str:
    p = ceph(*args, stdin=stdin)
    assert p.returncode == 0, 'ceph %s -> %d\nstdout: %s\nstderr: %s' % (' '.join(args), p.returncode, p.stdout, p.stderr)
    return p.stdout


def ok_json(*args: str) -> Any:
    return json.loads(ok(*args, '--format', 'json'))


def fails(expect_rc: int, *args: str, stdin: Optional[str] = None) -> str:
    p = ceph(*args, stdin=stdin)
    assert p.returncode == expect_rc, 'ceph %s -> %d (wanted %d)\nstdout: %s\nstderr: %s' % (
        ' '.join(args), p.returncode, expect_rc, p.stdout, p.stderr)
    return p.stderr.strip()


def eventually(what: str, check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except AssertionError as e:
            last = e
        time.sleep(interval)
    raise AssertionError('timed out waiting for %s (last: %r)' % (what, last))


def set_option(name: str, value: str) -> None:
    ok('config', 'set', 'mgr', 'mgr/%s/%s' % (MODULE, name), value)


def progress() -> Dict[str, List[Dict[str, Any]]]:
    return json.loads(ok('progress', 'json'))


def progress_event(op_id: str) -> Tuple[str, Optional[Dict[str, Any]]]:
    """('events'|'completed', event) of the progress event of an operation (its id is the
    operation's id), or ('', None)."""
    p = progress()
    for where in ('events', 'completed'):
        found = [e for e in p[where] if e['id'] == op_id]
        if found:
            return where, found[-1]
    return '', None


#: Operations the CLI started in these tests, checked once more at the end.
STARTED: List[str] = []


def wait_completed(svc: OrchestratorClient, op_id: str, failed: bool = False, timeout: float = WRITE_TIMEOUT) -> Dict[str, Any]:
    """Wait until the operation's progress event is complete, and check it against the
    operation as the service reports it."""
    def done() -> Optional[Dict[str, Any]]:
        where, ev = progress_event(op_id)
        return ev if where == 'completed' else None
    ev = eventually('the progress event of operation %s to complete' % op_id, done, timeout)
    # a completed ("ghost") event has "failed" and "failure_message" only when it failed
    assert ev.get('failed', False) is failed, ev
    assert ev['finished_at'] >= ev['started_at']
    op = svc.get_operation(op_id)
    assert op.done and ev['message'] == op.description, (ev, op.description)
    assert ['operation', op_id] in ev['refs']
    if failed and op.state == op.STATE_FAILED:
        assert op.error.message in ev['failure_message'], (ev, op.error.message)
    STARTED.append(op_id)
    return ev


def new_operation(svc: OrchestratorClient, method: str, before: set) -> Any:
    """The operation of ``method`` (e.g. "OsdService.CreateOsds") started since ``before``
    (the ids there were then)."""
    def find() -> Any:
        ops = [o for o in svc.list_operations(method='ceph_orchestrator.v1.' + method) if o.id not in before]
        return ops[0] if ops else None
    return eventually('a new %s operation' % method, find, 10)


def op_ids(svc: OrchestratorClient) -> set:
    return {o.id for o in svc.list_operations()}


def op_id_from(stdout: str) -> Optional[str]:
    """The operation id a "Scheduled ... (operation <id>)" message names."""
    if '(operation ' in stdout:
        return stdout.split('(operation ', 1)[1].split(')', 1)[0]
    return None


def exported(service_name: Optional[str] = None) -> List[Dict[str, Any]]:
    """`ceph orch ls --export` (of every service, or of one) as its YAML documents."""
    args = ('--service_name', service_name) if service_name else ()
    return [d for d in yaml.safe_load_all(ok('orch', 'ls', '--export', *args)) if d]


def apply_yaml(*docs: Dict[str, Any]) -> List[str]:
    """`ceph orch apply -i -` of specs, as an operator feeds a spec file; its output lines."""
    return ok('orch', 'apply', '-i', '-', stdin=yaml.safe_dump_all(docs, sort_keys=False)).splitlines()


def stored_specs(svc: OrchestratorClient) -> Dict[str, Any]:
    """Every service's spec as the service keeps it (what its daemons report left out, and
    `created`, which a reconciliation of a drive group sets anew)."""
    out = {}
    for s in svc.describe_service():
        for field in ('last_refresh', 'running', 'size', 'created'):
            s.ClearField(field)
        out[s.service_name] = s
    return out


def reconciliations(svc: OrchestratorClient, service_name: str, before: set) -> List[Any]:
    """The ReconcileService operations the reconciler started for a service since ``before``."""
    return [o for o in svc.list_operations(origin='reconciler', method='ceph_orchestrator.v1.ServiceService.ReconcileService')
            if o.id not in before and o.description == "Reconcile service '%s'" % service_name]


def running(svc: OrchestratorClient, service_name: str) -> List[str]:
    return sorted(d.daemon_name for d in svc.list_daemons(service_name=service_name) if d.status == d.STATUS_RUNNING)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """`ceph orch pause` for a while; always resumed, so that later tests have a reconciler."""
    assert ok('orch', 'pause') == ''
    try:
        yield
    finally:
        ok('orch', 'resume')


def succeeded(svc: OrchestratorClient, op_id: str) -> None:
    """Wait until an operation ended, successfully. (A reconciler's operation shows in `ceph
    progress` only when the module's poll finds it running, which a quick one may never be.)"""
    op = eventually('operation %s to end' % op_id, lambda: (lambda o: o.done and o)(svc.get_operation(op_id)), WRITE_TIMEOUT)
    assert op.state == op.STATE_SUCCEEDED, op


def on_host(addr: str, command: str) -> str:
    """A command on a test host over ssh (scripts/testhosts: their key and known hosts)."""
    hosts_dir = os.environ['CEPH_SSH_TESTHOSTS']
    p = subprocess.run(['ssh', '-i', os.path.join(hosts_dir, 'id_ed25519'), '-o', 'UserKnownHostsFile=%s/known_hosts' % hosts_dir,
                        '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', 'root@' + addr, command],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, 'on %s: %s -> %d\n%s' % (addr, command, p.returncode, p.stderr)
    return p.stdout


def wait_healthy(timeout: float = 120.0) -> None:
    """`ceph health` says HEALTH_OK (within ``timeout``); else fail with its details."""
    try:
        eventually('HEALTH_OK', lambda: ok_json('health')['status'] == 'HEALTH_OK', timeout, 2)
    except AssertionError as e:
        raise AssertionError('%s\n%s' % (e, ok('health', 'detail'))) from None


@pytest.fixture(scope='module')
def svc() -> OrchestratorClient:
    with client() as c:
        yield c


def osd_daemons(svc: OrchestratorClient) -> Dict[str, str]:
    return {d.daemon_name: d.hostname for d in svc.list_daemons(daemon_type='osd')}


def supported(svc: OrchestratorClient, method: str) -> bool:
    """Whether the service's backend supports an RPC, e.g. "UpgradeService.StartUpgrade"."""
    return any(r.supported for r in svc.get_capabilities().rpcs if r.method == 'ceph_orchestrator.v1.' + method)


def not_supported(command: str) -> str:
    """Upstream's NotImplementedError wording, as the CLI prints it (ENOENT)."""
    return 'Error ENOENT: This Orchestrator does not support `orch %s`' % command


# --- status and reads -----------------------------------------------------------------------

def test_orch_status(svc: OrchestratorClient) -> None:
    out = ok('orch', 'status')
    assert out.splitlines()[:3] == ['Backend: %s' % MODULE, 'Available: Yes', 'Paused: No'], out
    st = ok_json('orch', 'status')
    ok_, _, details = svc.available()
    assert ok_ and st['available'] is True and st['backend'] == MODULE
    assert st['paused'] is details['paused'] is False
    assert st['grpc_target'] == TARGET and st['service_backend'] == details['backend'] == CLUSTER
    assert st['tls'] is bool(TOKEN)
    assert st['fsid'] == details['fsid']


def test_other_drive_groups_leave_the_devices_alone(svc: OrchestratorClient) -> None:
    """The OSD tests of this file want the devices their spec (SPEC) selects. A managed drive
    group takes every device it matches that becomes available, so, as a cephadm user would,
    the other drive groups are left unmanaged first (their exported specs, `unmanaged: true`);
    an OSD one of them put on such a device meanwhile (the ssh cluster's osd.raw takes its loop
    device back once its OSD was removed) is removed and the device zapped. First, so that the
    reads below see a cluster at rest."""
    for spec in exported():
        if spec['service_type'] == 'osd' and spec['service_name'] != 'osd.' + OSD_SERVICE and \
                not spec.get('unmanaged') and 'data_devices' in spec.get('spec', {}):
            before = op_ids(svc)
            assert apply_yaml(dict(spec, unmanaged=True)) == ['Scheduled %s update...' % spec['service_name']]
            succeeded(svc, new_operation(svc, 'OsdService.CreateOsds', before).id)
    eventually('no reconciliation running', lambda: not svc.list_operations(
        origin='reconciler', states=['ACCEPTED', 'PERSISTENT', 'RUNNING']), WRITE_TIMEOUT)
    if CLUSTER == 'ssh':  # the sim's spec selects devices no other drive group has taken
        with client(timeout=WRITE_TIMEOUT) as slow:
            [inv] = slow.get_inventory(hosts=[OSD_PATTERN], refresh=True)
        for dev in [d for d in inv.devices if d.osd_id >= 0]:
            ok('orch', 'osd', 'rm', str(dev.osd_id))
            eventually('osd.%d removed' % dev.osd_id, lambda: 'osd.%d' % dev.osd_id not in osd_daemons(svc), WRITE_TIMEOUT, 2)
            set_option('wait_effective', '60')
            try:
                ok('orch', 'device', 'zap', OSD_PATTERN, dev.path, '--force')
            finally:
                set_option('wait_effective', '0')
    assert sum(len(p.osds) for p in svc.preview_osds(DRIVE_GROUP)) > 0


def test_host_ls_matches_service(svc: OrchestratorClient) -> None:
    hosts = {h.hostname: h for h in svc.get_hosts()}
    listed = ok_json('orch', 'host', 'ls')
    assert {h['hostname'] for h in listed} == set(hosts)
    for h in listed:
        want = hosts[h['hostname']]
        assert h['addr'] == (want.addr or want.hostname)
        assert h['labels'] == list(want.labels)
        assert h['status'] == ''
    table = ok('orch', 'host', 'ls').splitlines()
    assert table[0].split() == ['HOST', 'ADDR', 'LABELS', 'STATUS']
    assert table[-1] == '%d hosts in cluster' % len(hosts)
    for name, h in hosts.items():
        row = [line for line in table if line.split()[0] == name]
        assert row and row[0].split()[:2] == [name, h.addr] and row[0].split()[2:] == list(h.labels)


def test_device_ls_json_matches_inventory(svc: OrchestratorClient) -> None:
    inv = {h.hostname: h for h in svc.get_inventory()}
    listed = ok_json('orch', 'device', 'ls')
    assert {h['name'] for h in listed} == set(inv)
    for host in listed:
        want = {d.path: d for d in inv[host['name']].devices}
        assert host['addr'] == inv[host['name']].addr
        assert {d['path'] for d in host['devices']} == set(want)
        for d in host['devices']:
            w = want[d['path']]
            assert d['available'] is w.available, d
            assert sorted(d['rejected_reasons']) == sorted(w.rejected_reasons)
            assert d['device_id'] == (w.device_id or None)
            assert d['sys_api']['size'] == int(w.size_bytes)  # exact, as ceph-volume reports it
            assert d['human_readable_type'] == ('hdd' if w.rotational else 'ssd')
            assert bool(d['lvs']) == bool(len(w.lvs)) and d['ceph_device'] == bool(w.ceph_device or len(w.lvs))
            assert d['lsm_data'] == json_format.MessageToDict(w.lsm_data)
            if w.created.seconds:
                assert d['created'].startswith(w.created.ToDatetime().strftime('%Y-%m-%dT%H:%M:%S')), d
    # one host, rescanned (--refresh); the plain table as cephadm prints it
    one = ok_json('orch', 'device', 'ls', HOSTS[0], '--refresh')
    assert [h['name'] for h in one] == [HOSTS[0]]
    table = ok('orch', 'device', 'ls', HOSTS[0]).splitlines()
    assert table[0].split()[:5] == ['HOST', 'PATH', 'TYPE', 'DEVICE', 'ID']
    assert len(table) == 1 + len(inv[HOSTS[0]].devices)
    # --wide: libstoragemgmt's columns (health, transport, rpm) from the devices' lsm_data
    wide = ok('orch', 'device', 'ls', HOSTS[0], '--wide').splitlines()
    assert wide[0].split()[:6] == ['HOST', 'PATH', 'TYPE', 'TRANSPORT', 'RPM', 'DEVICE'] and 'HEALTH' in wide[0], wide[0]
    assert len(wide) == 1 + len(inv[HOSTS[0]].devices)
    for d in inv[HOSTS[0]].devices:
        health = json_format.MessageToDict(d.lsm_data).get('health')
        row = next(line for line in wide[1:] if line.split()[1] == d.path)
        assert not health or health in row, (health, row)


def test_ls_and_ps_match_service(svc: OrchestratorClient) -> None:
    services = {s.service_name: s for s in svc.describe_service()}
    listed = ok_json('orch', 'ls')
    assert {s['service_name'] for s in listed} == set(services)
    for s in listed:
        want = services[s['service_name']]
        assert s['status']['running'] == want.running and s['status']['size'] == want.size
    plain = ok('orch', 'ls').splitlines()
    assert plain[0].split() == ['NAME', 'PORTS', 'RUNNING', 'REFRESHED', 'AGE', 'PLACEMENT']
    assert {line.split()[0] for line in plain[1:]} == set(services)

    daemons = {d.daemon_name: d for d in svc.list_daemons()}
    ps = ok_json('orch', 'ps')
    assert {d['daemon_name'] for d in ps} == set(daemons)
    for d in ps:
        want = daemons[d['daemon_name']]
        assert d['hostname'] == want.hostname and d.get('version') == (want.version or None)
        assert d['status_desc'] == want.status_desc and d['status'] == 1  # running
        assert d['service_name'] == want.service_name
        # what the service says of the running daemon: its ports and address, its memory, its
        # image; an MDS's rank, the active mgr (memory and CPU change between the two reads)
        assert d.get('ports') == (list(want.ports) or None) and d.get('ip') == (want.ip or None), d
        assert bool(d.get('memory_usage')) == bool(want.memory_usage), d
        assert d.get('memory_request') == (want.memory_request or None) and d.get('memory_limit') == (want.memory_limit or None)
        assert d.get('container_image_name') == (want.image or None) and d['is_active'] is want.is_active
        assert d.get('rank') == (want.rank if want.HasField('rank') else None)
    assert any(d.get('memory_usage') for d in ps) and any(d.get('ports') for d in ps), ps
    ps_plain = ok('orch', 'ps').splitlines()
    assert ps_plain[0].split()[:4] == ['NAME', 'HOST', 'PORTS', 'STATUS']
    assert all('running (' in line for line in ps_plain[1:])
    mons = ok_json('orch', 'ps', '--daemon_type', 'mon')
    assert {d['daemon_name'] for d in mons} == {n for n in daemons if n.startswith('mon.')}
    assert ok('orch', 'ls', 'ingress').strip() == 'No services reported'  # a type the API lacks


def test_upgrade_status_matches_service(svc: OrchestratorClient) -> None:
    if not supported(svc, 'UpgradeService.GetUpgradeStatus'):  # the ssh backend: no upgrades
        assert fails(2, 'orch', 'upgrade', 'status') == not_supported('upgrade status')
        assert fails(2, 'orch', 'upgrade', 'check', '--ceph-version', '17.2.7') == not_supported('upgrade check')
        return
    st = json.loads(ok('orch', 'upgrade', 'status'))
    want = svc.upgrade_status()
    assert st['in_progress'] is want.in_progress is False
    assert set(st) == {'target_image', 'in_progress', 'which', 'services_complete', 'progress',
                       'message', 'is_paused'}
    check = json.loads(ok('orch', 'upgrade', 'check', '--ceph-version', '17.2.7'))
    assert check['available'] is True and check['target_version'] == '17.2.7'
    assert set(check['needs_update']) == {d.daemon_name for d in svc.list_daemons()}


# --- writes and progress --------------------------------------------------------------------

def test_host_add_and_progress(svc: OrchestratorClient) -> None:
    assert SPARE not in {h.hostname for h in svc.get_hosts()}
    t0 = time.monotonic()
    out = ok('orch', 'host', 'add', SPARE, SPARE_ADDR, '--labels', 'osd')
    took = time.monotonic() - t0
    # The command returns once the service recorded the write, and says so; the host shows up
    # when the operation has finished.
    assert out.startswith("Scheduled to add host '%s'" % SPARE), out
    op_id = op_id_from(out)
    assert op_id and svc.get_operation(op_id).persistent
    where, ev = progress_event(op_id)
    if CLUSTER == 'sim':
        # the sim takes 1.5 s to add a host: the command is back well before, the event under way
        assert took < 1.5, took
        assert where == 'events', (where, ev)
    assert where in ('events', 'completed') and ['operation', op_id] in ev['refs'], (where, ev)
    assert ev['message'] == svc.get_operation(op_id).description == "Add host '%s'" % SPARE
    wait_completed(svc, op_id)
    listed = {h['hostname']: h for h in ok_json('orch', 'host', 'ls')}
    assert listed[SPARE]['labels'] == ['osd'] and listed[SPARE]['addr'] == SPARE_ADDR
    assert svc.get_operation(op_id).state == svc.get_operation(op_id).STATE_SUCCEEDED


def test_host_labels(svc: OrchestratorClient) -> None:
    # wait_effective: a quick write reports its outcome rather than "Scheduled ..."
    set_option('wait_effective', '10')
    try:
        assert ok('orch', 'host', 'label', 'add', SPARE, 'rgw').strip() == 'Added label rgw to host %s' % SPARE
    finally:
        set_option('wait_effective', '0')
    assert 'rgw' in next(h.labels for h in svc.get_hosts() if h.hostname == SPARE)
    ok('orch', 'host', 'label', 'rm', SPARE, 'rgw')
    eventually('label rgw gone', lambda: 'rgw' not in next(h.labels for h in svc.get_hosts() if h.hostname == SPARE))
    assert 'rgw' not in next(h for h in ok_json('orch', 'host', 'ls') if h['hostname'] == SPARE)['labels']


def test_host_set_addr_and_add_again(svc: OrchestratorClient) -> None:
    set_option('wait_effective', '10')
    try:
        # Its own address again: no change. Another host's address answers as that host: the
        # write fails naming it, and the address stays.
        assert ok('orch', 'host', 'set-addr', SPARE, SPARE_ADDR).strip() == "Updated host '%s' addr to '%s'" % (SPARE, SPARE_ADDR)
        taken = next(h.addr for h in svc.get_hosts() if h.hostname == HOSTS[0])
        p = ceph('orch', 'host', 'set-addr', SPARE, taken)
        assert p.returncode != 0 and HOSTS[0] in p.stderr, (p.returncode, p.stderr)
        assert next(h.addr for h in svc.get_hosts() if h.hostname == SPARE) == SPARE_ADDR
        assert 'not found' in fails(2, 'orch', 'host', 'set-addr', 'no-such-host', SPARE_ADDR)
        assert 'addr' in fails(22, 'orch', 'host', 'set-addr', SPARE, 'not an address!')
        # Added again with another label: updated, as cephadm does (EEXIST before).
        ok('orch', 'host', 'add', SPARE, SPARE_ADDR, '--labels', 'nfs')
        assert {'osd', 'nfs'} <= set(next(h.labels for h in svc.get_hosts() if h.hostname == SPARE))
        ok('orch', 'host', 'label', 'rm', SPARE, 'nfs')
    finally:
        set_option('wait_effective', '0')


def test_operations_of_other_clients_show_in_progress(svc: OrchestratorClient) -> None:
    # A write another client starts shows in `ceph progress` too, while it runs (the module
    # polls every progress_poll_interval): one that takes a while.
    if CLUSTER == 'sim':
        c = svc.add_host('node-5')  # the sim takes 1.5 s; test_host_rm removes it again
    else:
        c = svc.daemon_action('restart', sorted(osd_daemons(svc))[0])  # a real OSD: stopped, started, up
    eventually('an event for the other client\'s operation', lambda: progress_event(c.operation_id)[1], 15)
    wait_completed(svc, c.operation_id)


def test_host_rm(svc: OrchestratorClient) -> None:
    # a host with nothing of its own on it: in the sim the one another client added above, in
    # the real cluster the spare test host (added, labelled, removed again)
    name = 'node-5' if CLUSTER == 'sim' else SPARE
    force: Tuple[str, ...] = ()
    if any(s.placement.host_pattern == '*' and not s.unmanaged for s in svc.describe_service(service_name='crash')):
        # The reconciler gives every host a crash daemon (the sim's crash service): as cephadm,
        # a host with daemons is refused, naming them, and goes with --force.
        crash = 'crash.' + name
        eventually(crash, lambda: crash in {d.daemon_name for d in svc.list_daemons(service_name='crash')}, WRITE_TIMEOUT)
        err = fails(22, 'orch', 'host', 'rm', name)
        assert crash in err and 'force' in err, err
        force = ('--force',)
    assert not [d.daemon_name for d in svc.list_daemons() if d.hostname == name and not d.daemon_name.startswith('crash.')]
    before = op_ids(svc)
    out = ok('orch', 'host', 'rm', name, *force)
    assert out.startswith("Scheduled to remove host '%s'" % name) or out.startswith("Removed host '%s'" % name), out
    eventually('%s gone' % name, lambda: name not in {h['hostname'] for h in ok_json('orch', 'host', 'ls')})
    wait_completed(svc, new_operation(svc, 'HostService.RemoveHost', before).id)
    assert name not in {h.hostname for h in svc.get_hosts()}


def test_apply_mon_and_mgr(svc: OrchestratorClient) -> None:
    assert ok('orch', 'apply', 'mgr', '--placement=%s' % ' '.join(HOSTS)).strip() == 'Scheduled mgr update...'
    eventually('3 running mgrs', lambda: [d.status == d.STATUS_RUNNING for d in svc.list_daemons(daemon_type='mgr')] == [True] * 3,
               WRITE_TIMEOUT, 1)
    mgr = [s for s in ok_json('orch', 'ls', 'mgr')][0]
    assert mgr['placement']['count'] == 3 and mgr['status']['size'] == 3
    assert {d['hostname'] for d in ok_json('orch', 'ps', '--daemon_type', 'mgr')} == set(HOSTS)
    # a dry run shows what would change, and changes nothing
    out = ok('orch', 'apply', 'mgr', '2', '--dry-run')
    assert 'SERVICESPEC PREVIEWS' in out and len(svc.list_daemons(daemon_type='mgr')) == 3
    # Unmanaged from a spec file (the exported one, `unmanaged: true` added), then managed again:
    # only the spec changes (the API keeps mons and mgrs by count: a placement without one
    # gains it), its daemons stay.
    for stype in ('mon', 'mgr'):
        [spec] = exported(stype)
        daemons = sorted(d.daemon_name for d in svc.list_daemons(daemon_type=stype))
        counted = dict(spec, placement=dict({'count': len(daemons)}, **spec['placement']))
        for unmanaged in (True, False):
            before = op_ids(svc)
            assert apply_yaml(dict(spec, unmanaged=True) if unmanaged else spec) == ['Scheduled %s update...' % stype]
            wait_completed(svc, new_operation(svc, 'ServiceService.Update%ss' % stype.capitalize(), before).id)
            [sd] = svc.describe_service(service_name=stype)
            assert sd.unmanaged is unmanaged and exported(stype) == [dict(counted, unmanaged=True) if unmanaged else counted]
            assert sorted(d.daemon_name for d in svc.list_daemons(daemon_type=stype)) == daemons


def osd_spec(**changes: Any) -> str:
    """The drive group spec file for `apply osd -i`, as an operator writes it; ``changes``
    replace or add keys of its ``spec:`` section."""
    spec = {'service_type': 'osd', 'service_id': OSD_SERVICE, 'placement': {'host_pattern': OSD_PATTERN},
            'spec': dict(OSD_SELECTION, **changes)}
    return yaml.safe_dump(spec, sort_keys=False)


SPEC = osd_spec()
#: The same drive group as the Python client takes it (preview_osds).
DRIVE_GROUP = dict({'service_id': OSD_SERVICE, 'host_pattern': OSD_PATTERN}, **OSD_SELECTION)


def test_apply_osd_dry_run(svc: OrchestratorClient) -> None:
    before = osd_daemons(svc)
    ops_before = len(svc.list_operations(origin='client'))
    out = ok('orch', 'apply', 'osd', '-i', '-', '--dry-run', stdin=SPEC)
    assert 'OSDSPEC PREVIEWS' in out and 'WARNING! Dry-Runs are snapshots' in out
    plans = svc.preview_osds(DRIVE_GROUP)
    rows = {tuple(c.strip() for c in line.strip('|').split('|'))
            for line in out.splitlines() if line.startswith('|osd')}
    want = {('osd', OSD_SERVICE, p.hostname, o.data, o.db or '-', o.wal or '-') for p in plans for o in p.osds}
    assert want and rows == want
    data = json.loads(ok('orch', 'apply', 'osd', '-i', '-', '--dry-run', '--format', 'json', stdin=SPEC))
    osd = [d for d in data if d.get('service_type') == 'osd'][0]
    assert set(osd['data']) == {p.hostname for p in plans}
    # a dry run changes nothing and starts no operation (the reconciler may, on its own)
    assert osd_daemons(svc) == before and len(svc.list_operations(origin='client')) == ops_before


def test_apply_osd(svc: OrchestratorClient) -> None:
    before = osd_daemons(svc)
    plans = svc.preview_osds(DRIVE_GROUP)
    planned = sum(len(p.osds) for p in plans)
    before_ops = op_ids(svc)
    out = ok('orch', 'apply', 'osd', '-i', '-', stdin=SPEC)
    assert out.strip() == 'Scheduled osd.%s update...' % OSD_SERVICE
    op = new_operation(svc, 'OsdService.CreateOsds', before_ops)
    assert "'%s'" % OSD_SERVICE in op.description
    wait_completed(svc, op.id)
    after = osd_daemons(svc)
    assert len(after) == len(before) + planned
    ls = {s['service_name']: s for s in ok_json('orch', 'ls', 'osd')}
    assert ls['osd.' + OSD_SERVICE]['status']['running'] == planned
    assert ls['osd.' + OSD_SERVICE]['placement'] == {'host_pattern': OSD_PATTERN}
    ps = {d['daemon_name'] for d in ok_json('orch', 'ps', '--daemon_type', 'osd')}
    assert ps == set(after)
    # the devices are taken now: the inventory says so
    for p in plans:
        [host] = ok_json('orch', 'device', 'ls', p.hostname)
        taken = {o.data for o in p.osds} | {o.db for o in p.osds if o.db}
        assert taken and all(not d['available'] for d in host['devices'] if d['path'] in taken), host


def test_invalid_specs() -> None:
    ops = len(client().list_operations(origin='client'))
    # Accepted by upstream's DriveGroupSpec, refused by the service: EINVAL naming the field.
    err = fails(22, 'orch', 'apply', 'osd', '-i', '-', stdin=osd_spec(osds_per_device=-1))
    assert err == 'Error EINVAL: spec.osds_per_device: must not be negative', err
    err = fails(22, 'orch', 'apply', 'osd', '-i', '-', stdin=osd_spec(data_devices={'size': '10X'}))
    assert err.startswith("Error EINVAL: spec.data_devices.size: invalid size filter '10X'"), err
    err = fails(22, 'orch', 'apply', 'osd', '-i', '-', stdin=SPEC.replace(OSD_PATTERN, 'nowhere-*'))
    assert "spec.host_pattern: host_pattern 'nowhere-*' does not match any hosts" in err, err
    # Refused by upstream's own spec parsing in the CLI, before the module is asked.
    err = fails(22, 'orch', 'apply', 'osd', '-i', '-', stdin=osd_spec(bogus=1))
    assert err == 'Error EINVAL: Failed to validate OSD spec "%s": Feature `bogus` is not supported' % OSD_SERVICE, err
    # A field the API cannot carry is refused by the module, naming it.
    err = fails(22, 'orch', 'apply', 'osd', '-i', '-', stdin=osd_spec(extra_container_args=['--cpus=2']))
    assert err == ('Error EINVAL: Failed to validate OSD spec "%s": `extra_container_args` is not '
                   'supported by orchestrator_grpc' % OSD_SERVICE), err
    err = fails(22, 'orch', 'host', 'add', 'bad_host!')
    assert err.startswith('Error EINVAL: host.hostname:'), err
    # invalid input changes nothing
    assert len(client().list_operations(origin='client')) == ops


def test_device_zap_refused_while_an_osd_runs_from_it(svc: OrchestratorClient) -> None:
    running = {d.daemon_id for d in svc.list_daemons(daemon_type='osd')}
    host, used = next((h.hostname, d) for h in svc.get_inventory() for d in h.devices if str(d.osd_id) in running)
    # Upstream's CLI asks for --force (it erases data); a device an OSD runs from is refused.
    assert 'force' in fails(22, 'orch', 'device', 'zap', host, used.path)
    p = ceph('orch', 'device', 'zap', host, used.path, '--force')
    assert p.returncode != 0 and 'osd.%d' % used.osd_id in p.stderr, (p.returncode, p.stderr)
    assert str(used.osd_id) in {d.daemon_id for d in svc.list_daemons(daemon_type='osd')}


def test_osd_rm_and_status(svc: OrchestratorClient) -> None:
    # As cephadm, a managed drive group takes its device again once the OSD is gone: a user who
    # wants the device back leaves the spec unmanaged first (its exported spec, `unmanaged: true`).
    [spec] = exported('osd.' + OSD_SERVICE)
    assert spec['spec'] == dict(OSD_SELECTION, filter_logic='AND', objectstore='bluestore'), spec
    before = op_ids(svc)
    assert apply_yaml(dict(spec, unmanaged=True)) == ['Scheduled osd.%s update...' % OSD_SERVICE]
    wait_completed(svc, new_operation(svc, 'OsdService.CreateOsds', before).id)
    [sd] = svc.describe_service(service_name='osd.' + OSD_SERVICE)
    assert sd.unmanaged and sd.drive_group.unmanaged and sd.drive_group.host_pattern == OSD_PATTERN
    row = [line for line in ok('orch', 'ls', 'osd').splitlines() if line.startswith('osd.' + OSD_SERVICE)][0]
    assert row.split()[-1] == '<unmanaged>', row
    osds = osd_daemons(svc)
    # the newest OSD of the service test_apply_osd created
    victim = sorted((d.daemon_name for d in svc.list_daemons(service_name='osd.' + OSD_SERVICE)),
                    key=lambda n: int(n.split('.')[1]))[-1]
    osd_id = victim.split('.')[1]
    # --zap: its devices are zapped once it is gone (test_device_zap zaps one again). Only on
    # the ssh cluster, whose OSD has one device: the sim's OSDs share their DB device, which the
    # service then tries to zap whole and fails ("in use by osd.N"), where cephadm would zap
    # only the OSD's own LVs.
    zap = CLUSTER == 'ssh'
    out = ok('orch', 'osd', 'rm', osd_id, *(('--zap',) if zap else ()))
    assert out.strip() == 'Scheduled OSD(s) for removal'
    status = json.loads(ok('orch', 'osd', 'rm', 'status', '--format', 'json'))
    mine = [r for r in status if str(r['osd_id']) == osd_id]
    assert mine and mine[0]['hostname'] == osds[victim] and mine[0]['zap'] is zap, status
    queue = {r.osd_id: r for r in svc.remove_osds_status()}
    assert int(osd_id) in queue and mine[0]['operation_id'] == queue[int(osd_id)].operation_id
    table = ok('orch', 'osd', 'rm', 'status').splitlines()
    assert table[0].split()[:4] == ['OSD', 'HOST', 'STATE', 'PGS']
    assert any(line.split()[:2] == [osd_id, osds[victim]] for line in table[1:]), table
    wait_completed(svc, queue[int(osd_id)].operation_id)
    assert victim not in osd_daemons(svc)
    done = [r for r in json.loads(ok('orch', 'osd', 'rm', 'status', '--format', 'json')) if str(r['osd_id']) == osd_id]
    assert done and done[0]['state'] == 'done', done
    assert victim not in {d['daemon_name'] for d in ok_json('orch', 'ps', '--daemon_type', 'osd')}


def test_device_zap(svc: OrchestratorClient) -> None:
    # A free device (on the ssh cluster: the loop device test_osd_rm_and_status freed), zapped for real.
    host, free = next((h.hostname, d) for h in svc.get_inventory() for d in h.devices if d.available)
    set_option('wait_effective', '30')
    try:
        out = ok('orch', 'device', 'zap', host, free.path, '--force')
    finally:
        set_option('wait_effective', '0')
    assert out.strip() == 'Zapping successful for: %s on %s' % (free.path, host), out
    [after] = ok_json('orch', 'device', 'ls', host, '--refresh')
    assert next(d for d in after['devices'] if d['path'] == free.path)['available'], after


def test_daemon_stop_and_start(svc: OrchestratorClient) -> None:
    def status(name: str) -> int:
        return [d for d in ok_json('orch', 'ps', '--daemon_type', 'mon') if d['daemon_name'] == name][0]['status']
    before = op_ids(svc)
    out = ok('orch', 'daemon', 'stop', MON_VICTIM)
    assert out.strip() == "Scheduled to stop %s on host '%s'" % (MON_VICTIM, HOSTS[-1]), out
    eventually('%s stopped' % MON_VICTIM, lambda: status(MON_VICTIM) == 0, WRITE_TIMEOUT)
    [d] = [d for d in svc.list_daemons(daemon_type='mon') if d.daemon_name == MON_VICTIM]
    assert d.status == d.STATUS_STOPPED
    assert 'stopped' in [line for line in ok('orch', 'ps', '--daemon_type', 'mon').splitlines()
                         if line.startswith(MON_VICTIM)][0]
    wait_completed(svc, new_operation(svc, 'ServiceService.DaemonAction', before).id)
    before = op_ids(svc)
    out = ok('orch', 'daemon', 'start', MON_VICTIM)
    assert out.strip() == "Scheduled to start %s on host '%s'" % (MON_VICTIM, HOSTS[-1]), out
    eventually('%s running' % MON_VICTIM, lambda: status(MON_VICTIM) == 1, WRITE_TIMEOUT)
    wait_completed(svc, new_operation(svc, 'ServiceService.DaemonAction', before).id)


def test_stateless_services(svc: OrchestratorClient) -> None:
    assert ok('orch', 'apply', 'mds', 'cephfs', '--placement=2').strip() == 'Scheduled mds.cephfs update...'
    assert ok('orch', 'apply', 'rgw', 'web', '--port', '8080').strip() == 'Scheduled rgw.web update...'
    def both_running() -> Dict[str, Any]:
        ls = {s['service_name']: s for s in ok_json('orch', 'ls')
              if s['service_name'] in ('mds.cephfs', 'rgw.web') and s['status']['running'] == s['status']['size'] > 0}
        return ls if len(ls) == 2 else {}
    ls = eventually('mds and rgw services running', both_running, WRITE_TIMEOUT, 1)
    assert ls['mds.cephfs']['status']['size'] == 2 and ls['mds.cephfs']['placement'] == {'count': 2}
    assert ls['rgw.web']['spec']['rgw_frontend_port'] == 8080
    assert '?:8080' in [line for line in ok('orch', 'ls').splitlines() if line.startswith('rgw.web')][0]
    out = ok('orch', 'rm', 'rgw.web')
    assert out.startswith('Scheduled to remove service rgw.web') or out.startswith('Removed service rgw.web'), out
    eventually('rgw.web removed', lambda: 'rgw.web' not in {s.service_name for s in svc.describe_service()}, WRITE_TIMEOUT)


def test_daemon_rm(svc: OrchestratorClient) -> None:
    mds = sorted(d.daemon_name for d in svc.list_daemons(service_name='mds.cephfs'))
    assert len(mds) == 2, mds
    # As cephadm, the reconciler deploys a removed daemon again while its service is managed
    # (test_pause_and_resume): to take one away for good, a user leaves the service unmanaged.
    before = op_ids(svc)
    assert ok('orch', 'apply', 'mds', 'cephfs', '--placement=2', '--unmanaged').strip() == 'Scheduled mds.cephfs update...'
    wait_completed(svc, new_operation(svc, 'ServiceService.UpdateStatelessService', before).id)
    assert svc.describe_service(service_name='mds.cephfs')[0].unmanaged
    gone = mds[-1]
    out = ok('orch', 'daemon', 'rm', gone)
    assert ('%s from host' % gone) in out, out
    eventually('%s removed' % gone, lambda: gone not in {d['daemon_name'] for d in ok_json('orch', 'ps')}, WRITE_TIMEOUT)
    time.sleep(RECONCILE_WAIT)
    assert [d.daemon_name for d in svc.list_daemons(service_name='mds.cephfs')] == mds[:1]
    assert not reconciliations(svc, 'mds.cephfs', before)
    # Upstream's CLI asks for --force before a mon; OSDs go through `orch osd rm`.
    assert 'force' in fails(22, 'orch', 'daemon', 'rm', MON_VICTIM)
    osd = sorted(osd_daemons(svc))[0]
    p = ceph('orch', 'daemon', 'rm', osd, '--force')
    assert p.returncode != 0 and 'RemoveOsds' in p.stderr, (p.returncode, p.stderr)
    assert osd in osd_daemons(svc)
    # Managed again, the spec's two daemons are placed.
    assert ok('orch', 'apply', 'mds', 'cephfs', '--placement=2').strip() == 'Scheduled mds.cephfs update...'
    eventually('two mds again', lambda: len(running(svc, 'mds.cephfs')) == 2, WRITE_TIMEOUT, 1)
    assert not svc.describe_service(service_name='mds.cephfs')[0].unmanaged


def test_pause_and_resume(svc: OrchestratorClient) -> None:
    """`ceph orch pause` stops the service's reconciler, as cephadm's background work: a daemon
    removed from a managed service stays away, and `orch status` says "Paused: Yes" (so does
    the service); `orch resume` and the reconciler deploys it again (a ReconcileService
    operation of origin RECONCILER)."""
    mds = running(svc, 'mds.cephfs')
    assert len(mds) == 2, mds
    before = op_ids(svc)
    with paused():
        assert ok('orch', 'status').splitlines()[2] == 'Paused: Yes'
        assert ok_json('orch', 'status')['paused'] is True and svc.available()[2]['paused'] is True
        gone = mds[-1]
        assert ('%s from host' % gone) in ok('orch', 'daemon', 'rm', gone)
        wait_completed(svc, new_operation(svc, 'ServiceService.RemoveDaemons', before).id)
        time.sleep(RECONCILE_WAIT)
        assert [d.daemon_name for d in svc.list_daemons(service_name='mds.cephfs')] == mds[:1]
        assert not reconciliations(svc, 'mds.cephfs', before)
        assert ok('orch', 'pause') == ''  # again: still paused
    assert ok('orch', 'status').splitlines()[2] == 'Paused: No' and svc.available()[2]['paused'] is False
    op = eventually('the reconciler to redeploy mds.cephfs', lambda: reconciliations(svc, 'mds.cephfs', before),
                    WRITE_TIMEOUT)[-1]
    assert op.origin == op.ORIGIN_RECONCILER
    succeeded(svc, op.id)
    eventually('two mds running again', lambda: len(running(svc, 'mds.cephfs')) == 2, WRITE_TIMEOUT, 1)


@pytest.mark.skipif(CLUSTER != 'ssh', reason='kills a real ceph-mds process on its host')
def test_killed_mds_is_redeployed(svc: OrchestratorClient) -> None:
    """An MDS process killed on its host (SIGKILL: no clean stop) is a failed daemon: the
    reconciler redeploys it (ReconcileService, origin RECONCILER) within its interval, and the
    file system is served by an active MDS and a standby again."""
    wait_healthy()
    victim = svc.list_daemons(service_name='mds.cephfs')[0]
    assert victim.status == victim.STATUS_RUNNING and victim.pid > 0, victim
    addr = next(h.addr for h in svc.get_hosts() if h.hostname == victim.hostname)
    before = op_ids(svc)
    # Only that process: its pid, checked to be `ceph-mds -i <id>` first.
    on_host(addr, 'cmd=$(tr "\\0" " " < /proc/%d/cmdline) && case "$cmd" in *ceph-mds" -i %s "*) kill -KILL %d ;; '
                  '*) echo "pid %d is not %s: $cmd" >&2; exit 1 ;; esac' % (victim.pid, victim.daemon_id, victim.pid,
                                                                            victim.pid, victim.daemon_name))
    t0 = time.monotonic()

    def redeployed() -> bool:
        [d] = [d for d in ok_json('orch', 'ps', '--daemon_type', 'mds') if d['daemon_name'] == victim.daemon_name]
        now = [d for d in svc.list_daemons(service_name='mds.cephfs') if d.daemon_name == victim.daemon_name]
        return d['status'] == 1 and bool(now) and now[0].pid not in (0, victim.pid)
    eventually('%s running again' % victim.daemon_name, redeployed, 120, 1)
    ops = reconciliations(svc, 'mds.cephfs', before)
    assert ops and all(o.origin == o.ORIGIN_RECONCILER for o in ops), ops
    assert list(ops[-1].hosts) == [victim.hostname], ops[-1]
    succeeded(svc, ops[-1].id)

    def served() -> bool:
        ranks = json.loads(ok('fs', 'status', 'cephfs', '--format', 'json'))['mdsmap']
        return sorted(m['state'] for m in ranks) == ['active', 'standby']
    eventually('cephfs served by an active MDS and a standby', served, max(1.0, 120 - (time.monotonic() - t0)), 1)
    wait_healthy(max(10.0, 120 - (time.monotonic() - t0)))


def test_apply_mds_unmanaged(svc: OrchestratorClient) -> None:
    """`ceph orch apply mds <fs> --unmanaged`: the spec is recorded (with cephadm's default
    placement), no daemon is deployed, `orch ls` shows it <unmanaged>; `orch rm` removes it."""
    before = op_ids(svc)
    assert ok('orch', 'apply', 'mds', 'scratch', '--unmanaged').strip() == 'Scheduled mds.scratch update...'
    wait_completed(svc, new_operation(svc, 'ServiceService.AddStatelessService', before).id)
    [sd] = svc.describe_service(service_name='mds.scratch')
    assert sd.unmanaged and sd.placement.count == 2, sd
    time.sleep(RECONCILE_WAIT)
    assert not svc.list_daemons(service_name='mds.scratch') and not reconciliations(svc, 'mds.scratch', before)
    [ls] = ok_json('orch', 'ls', '--service_name', 'mds.scratch')
    assert ls['unmanaged'] is True and ls['status']['running'] == 0, ls
    row = [line for line in ok('orch', 'ls').splitlines() if line.startswith('mds.scratch ')][0]
    assert row.split()[-1] == '<unmanaged>', row
    assert exported('mds.scratch') == [{'service_type': 'mds', 'service_id': 'scratch', 'service_name': 'mds.scratch',
                                        'placement': {'count': 2}, 'unmanaged': True}]
    ok('orch', 'rm', 'mds.scratch')
    eventually('mds.scratch removed', lambda: not svc.describe_service(service_name='mds.scratch'), WRITE_TIMEOUT)


def test_apply_unmanaged_specs_from_yaml(svc: OrchestratorClient) -> None:
    """`ceph orch apply -i` of a spec file whose specs say `unmanaged: true`: each recorded as
    written, no daemon deployed; `orch ls --export` prints them back, and applied again they
    change nothing."""
    caps = svc.get_capabilities()
    deployable = {TYPE_NAMES[t] for t in caps.service_types}  # the ssh backend: no nfs, iscsi, rbd-mirror
    docs = [d for d in [
        {'service_type': 'rgw', 'service_id': 'quiet', 'placement': {'count': 1}, 'unmanaged': True,
         'spec': {'rgw_frontend_port': 8099}},
        {'service_type': 'rbd-mirror', 'placement': {'hosts': [HOSTS[0]]}, 'unmanaged': True},
        {'service_type': 'nfs', 'service_id': 'quiet', 'placement': {'count': 1}, 'unmanaged': True, 'spec': {'port': 12049}},
        {'service_type': 'iscsi', 'service_id': 'quiet', 'placement': {'hosts': [HOSTS[1]]}, 'unmanaged': True,
         'spec': {'pool': 'rbd', 'api_user': 'gw', 'api_password': 'not-shown', 'trusted_ip_list': '10.0.0.1'}},
    ] if d['service_type'] in deployable]
    assert docs
    names = [d['service_type'] + ('.' + d['service_id'] if 'service_id' in d else '') for d in docs]
    before = op_ids(svc)
    try:
        assert apply_yaml(*docs) == ['Scheduled %s update...' % n for n in names]
        for op in [o for o in svc.list_operations(method='ceph_orchestrator.v1.ServiceService.AddStatelessService')
                   if o.id not in before]:
            wait_completed(svc, op.id)
        stored = {s.service_name: s for s in svc.describe_service() if s.service_name in names}
        assert set(stored) == set(names) and all(s.unmanaged for s in stored.values()), stored
        time.sleep(RECONCILE_WAIT)
        assert not [d.daemon_name for d in svc.list_daemons() if d.service_name in names]
        assert not [o for n in names for o in reconciliations(svc, n, before)]
        back = [exported(n)[0] for n in names]
        for doc, e in zip(docs, back):
            assert e['unmanaged'] is True and e['placement'] == doc['placement'], (doc, e)
            assert {k: v for k, v in doc.get('spec', {}).items() if k != 'api_password'}.items() <= e.get('spec', {}).items(), (doc, e)
        assert apply_yaml(*back) == ['Unchanged %s service spec' % n for n in names]
    finally:
        for n in names:
            ceph('orch', 'rm', n)
        eventually('the unmanaged services removed', lambda: not {s.service_name for s in svc.describe_service()} & set(names),
                   WRITE_TIMEOUT)


def test_apply_osd_all_available_devices_unmanaged(svc: OrchestratorClient) -> None:
    """`ceph orch apply osd --all-available-devices --unmanaged=true`: the drive group is kept as
    its service's spec, and no OSD is created, though devices are available."""
    assert any(d.available for h in svc.get_inventory() for d in h.devices)
    osds = osd_daemons(svc)
    before = op_ids(svc)
    out = ok('orch', 'apply', 'osd', '--all-available-devices', '--unmanaged=true')
    assert out.strip() == 'Scheduled osd.all-available-devices update...', out
    wait_completed(svc, new_operation(svc, 'OsdService.CreateOsds', before).id)
    [sd] = svc.describe_service(service_name='osd.all-available-devices')
    assert sd.unmanaged and sd.drive_group.unmanaged and sd.drive_group.data_devices.all and sd.drive_group.host_pattern == '*'
    time.sleep(RECONCILE_WAIT)
    assert osd_daemons(svc) == osds and not reconciliations(svc, 'osd.all-available-devices', before)
    assert exported('osd.all-available-devices') == [{
        'service_type': 'osd', 'service_id': 'all-available-devices', 'service_name': 'osd.all-available-devices',
        'placement': {'host_pattern': '*'}, 'unmanaged': True,
        'spec': {'data_devices': {'all': True}, 'filter_logic': 'AND', 'objectstore': 'bluestore'}}]


def test_drive_group_fields_round_trip(svc: OrchestratorClient) -> None:
    """Every field of upstream's DriveGroupSpec the API has goes into the drive group the
    service keeps and comes back out of `orch ls --export` as written (an unmanaged spec: no
    OSD is made of it). A backend that lacks some refuses them, naming one."""
    fields = {'data_devices': {'rotational': True, 'vendor': 'ATA', 'size': '1G:'}, 'db_devices': {'model': 'SSD*', 'limit': 1},
              'block_db_size': '10G', 'data_allocate_fraction': 0.5, 'crush_device_class': 'fast', 'filter_logic': 'OR',
              'method': 'lvm', 'osds_per_device': 2, 'encrypted': True}
    spec = {'service_type': 'osd', 'service_id': 'fields', 'service_name': 'osd.fields', 'placement': {'host_pattern': OSD_PATTERN},
            'unmanaged': True, 'spec': dict(fields, objectstore='bluestore')}
    unsupported = next(r.unsupported_options for r in svc.get_capabilities().rpcs if r.method.endswith('.CreateOsds'))
    if {'spec.block_db_size', 'spec.crush_device_class', 'spec.filter_logic', 'spec.method'} & set(unsupported):
        err = fails(22, 'orch', 'apply', '-i', '-', stdin=yaml.safe_dump(spec))
        assert 'the %s backend does not support this option' % CLUSTER in err, err
        return
    before = op_ids(svc)
    assert apply_yaml(spec) == ['Scheduled osd.fields update...']
    succeeded(svc, new_operation(svc, 'OsdService.CreateOsds', before).id)
    assert exported('osd.fields') == [spec]
    assert apply_yaml(spec) == ['Unchanged osd.fields service spec']


def test_export_and_apply_back_changes_nothing(svc: OrchestratorClient) -> None:
    """`ceph orch ls --export > x.yaml; ceph orch apply -i x.yaml`: every spec is taken back
    unchanged, so nothing is written and no daemon changes."""
    specs = stored_specs(svc)
    daemons = sorted((d.daemon_name, d.hostname) for d in svc.list_daemons())
    docs = exported()
    assert [d['service_name'] for d in docs] == sorted(specs)
    assert docs == [d for d in yaml.safe_load_all(ok('orch', 'ls', '--export', '--format', 'yaml')) if d]
    assert docs == json.loads(ok('orch', 'ls', '--export', '--format', 'json'))
    # Upstream's CLI takes back no OSD spec without `data_devices` (DriveGroupSpec.validate, as
    # for cephadm's spec-less "osd" service): an OSD service without a drive group (the sim's
    # fixture), or with data directories only (the ssh cluster's).
    kept = [d for d in docs if d['service_type'] != 'osd' or 'data_devices' in d.get('spec', {})]
    for d in docs:
        if d not in kept:
            assert 'Failed to validate OSD spec' in fails(22, 'orch', 'apply', 'osd', '-i', '-', stdin=yaml.safe_dump(d))
    assert len(kept) >= len(docs) - 2
    before = op_ids(svc)
    assert apply_yaml(*kept) == ['Unchanged %s service spec' % d['service_name'] for d in kept]
    assert stored_specs(svc) == specs
    assert not [o for o in svc.list_operations(origin='client') if o.id not in before]
    time.sleep(RECONCILE_WAIT)
    assert sorted((d.daemon_name, d.hostname) for d in svc.list_daemons()) == daemons
    assert exported() == docs


def test_failure_after_recording_reaches_progress(svc: OrchestratorClient) -> None:
    """A write that fails after it was recorded: the command returns once the write is recorded,
    and the failure shows in `ceph progress`, naming the cause. (If the failure comes before the
    command has returned, the command reports it.)"""
    if CLUSTER == 'sim':
        # The sim fails every OSD on node-3:/dev/sdf (scripts/test-mgr.sh).
        check_failure(svc, 'OsdService.CreateOsds', ('daemon', 'add', 'osd', 'node-3:/dev/sdf'),
                      "Scheduled to create osd(s) on host(s) matching 'node-3'", '/dev/sdf')
        # The service keeps the drive group (osd.default), and its reconciler would try the device
        # again and again: left unmanaged, as cephadm leaves the OSDs of `daemon add osd`.
        [spec] = exported('osd.default')
        assert spec['placement'] == {'host_pattern': 'node-3'} and spec['spec']['data_devices'] == {'paths': ['/dev/sdf']}
        apply_yaml(dict(spec, unmanaged=True))
        eventually('osd.default unmanaged', lambda: svc.describe_service(service_name='osd.default')[0].unmanaged)
        return
    # A real failure: a second RGW on the host and port where one already serves S3, so the new
    # radosgw cannot bind and exits. The failure names the daemon and its host, with radosgw's own
    # words ("Address already in use") when it said them before it died.
    [rgw] = [d for d in ok_json('orch', 'ps', '--daemon_type', 'rgw')][:1]
    [running] = [s for s in ok_json('orch', 'ls', 'rgw') if s['service_name'] == rgw['service_name']]
    try:
        check_failure(svc, 'ServiceService.AddStatelessService',
                      ('apply', 'rgw', 'clash', '--port', str(running['spec']['rgw_frontend_port']),
                       '--placement=%s' % rgw['hostname']),
                      'Scheduled rgw.clash update...', 'rgw.clash.%s' % rgw['hostname'])
    finally:
        ceph('orch', 'rm', 'rgw.clash')
        eventually('rgw.clash removed', lambda: 'rgw.clash' not in {s.service_name for s in svc.describe_service()}, WRITE_TIMEOUT)


def check_failure(svc: OrchestratorClient, method: str, command: Tuple[str, ...], scheduled: str, cause: str) -> None:
    before = op_ids(svc)
    p = ceph('orch', *command)
    if p.returncode == 0:
        assert p.stdout.startswith(scheduled), p.stdout
    else:
        assert cause in p.stderr, p.stderr
    op = new_operation(svc, method, before)
    ev = wait_completed(svc, op.id, failed=True)
    assert cause in ev['failure_message'], ev
    op = svc.get_operation(op.id)
    assert op.state == op.STATE_FAILED and cause in op.error.message


def test_upgrade_start_pause_resume_stop(svc: OrchestratorClient) -> None:
    if not supported(svc, 'UpgradeService.StartUpgrade'):  # the ssh backend: no upgrades
        for command in ('start --ceph-version 17.2.7', 'pause', 'resume', 'stop'):
            assert fails(2, 'orch', 'upgrade', *command.split()) == not_supported('upgrade ' + command.split()[0])
        return
    assert ok('orch', 'upgrade', 'start', '--ceph-version', '17.2.7').strip() == 'Initiating upgrade to 17.2.7'
    st = json.loads(ok('orch', 'upgrade', 'status'))
    assert st['in_progress'] is True and st['target_image'] == '17.2.7', st
    assert st['which'] == 'Upgrading all daemon types on all hosts'
    assert ok('orch', 'upgrade', 'pause').strip() == 'Paused upgrade to 17.2.7'
    eventually('upgrade paused', lambda: json.loads(ok('orch', 'upgrade', 'status'))['is_paused'] is True)
    assert svc.upgrade_status().paused
    assert ok('orch', 'upgrade', 'resume').strip() == 'Resumed upgrade to 17.2.7'
    eventually('upgrade resumed', lambda: json.loads(ok('orch', 'upgrade', 'status'))['is_paused'] is False)
    # starting it again is idempotent; another target while it runs is refused (EINVAL)
    assert ok('orch', 'upgrade', 'start', '--ceph-version', '17.2.7').strip() == 'Initiating upgrade to 17.2.7'
    err = fails(22, 'orch', 'upgrade', 'start', '--ceph-version', '18.2.4')
    assert err.startswith('Error EINVAL: an upgrade to 17.2.7 is in progress'), err
    assert ok('orch', 'upgrade', 'stop').strip() == 'Stopped upgrade to 17.2.7'
    eventually('upgrade stopped', lambda: json.loads(ok('orch', 'upgrade', 'status'))['in_progress'] is False)
    assert not svc.upgrade_status().in_progress


def test_progress_json_has_every_write(svc: OrchestratorClient) -> None:
    p = progress()
    done = {e['id']: e for e in p['completed']}
    assert STARTED and set(STARTED) <= set(done), (STARTED, sorted(done))
    for op_id in STARTED:
        assert done[op_id]['message'] == svc.get_operation(op_id).description
    # every event of this module names its operation (a real cluster has events of its own
    # too, e.g. "Global Recovery Event" after an OSD went out)
    ours = [e for e in p['completed'] + p['events'] if e['id'] in op_ids(svc)]
    assert len(ours) >= len(STARTED) and all(['operation', e['id']] in e['refs'] for e in ours)
    # and the plain `ceph progress` lists them
    plain = ok('progress')
    assert all(done[op_id]['message'] in plain for op_id in STARTED)


# --- maintenance, drain, daemons added by hand ----------------------------------------------

#: The host these tests add, take through maintenance and drain, and remove again.
SCRATCH_HOST = 'node-5' if CLUSTER == 'sim' else SPARE
RUNNING, STOPPED = service_pb2.DaemonDescription.STATUS_RUNNING, service_pb2.DaemonDescription.STATUS_STOPPED


def host_status(name: str) -> Optional[str]:
    return next((h['status'] for h in ok_json('orch', 'host', 'ls') if h['hostname'] == name), None)


def daemons_on(svc: OrchestratorClient, host: str) -> Dict[str, int]:
    return {d.daemon_name: d.status for d in svc.list_daemons(host=host)}


def test_host_maintenance_and_drain(svc: OrchestratorClient) -> None:
    """A host added (in maintenance, on the sim), given an MDS of a service without a spec
    (`daemon add mds`), redeployed on a version, checked (`host ok-to-stop`), taken through
    maintenance (its daemons stopped and started again) and drained (its daemons removed,
    `_no_schedule`), then removed again."""
    name = SCRATCH_HOST
    assert name not in {h.hostname for h in svc.get_hosts()}
    try:
        if CLUSTER == 'sim':
            ok('orch', 'host', 'add', name, '--maintenance')
            eventually('%s in maintenance' % name, lambda: host_status(name) == 'maintenance', WRITE_TIMEOUT)
            assert next(h for h in svc.get_hosts() if h.hostname == name).status == host_pb2.Host.STATUS_MAINTENANCE
            ok('orch', 'host', 'maintenance', 'exit', name)
            eventually('%s out of maintenance' % name, lambda: host_status(name) == '', WRITE_TIMEOUT)
        else:
            ok('orch', 'host', 'add', name, SPARE_ADDR)
            eventually('%s added' % name, lambda: host_status(name) == '', WRITE_TIMEOUT)
        # an MDS of a service with no spec, by hand, as cephadm advises for such services
        out = ok('orch', 'daemon', 'add', 'mds', 'handfs', name)
        assert "host '%s'" % name in out, out
        eventually('mds.handfs on %s' % name, lambda: running(svc, 'mds.handfs'), WRITE_TIMEOUT)
        [mds] = [d for d in svc.list_daemons(service_name='mds.handfs')]
        assert mds.hostname == name
        time.sleep(RECONCILE_WAIT)  # no spec: the reconciler leaves it alone
        assert running(svc, 'mds.handfs') == [mds.daemon_name]
        # redeployed on a version (the one it runs): the sim does; the ssh backend refuses a version
        p = ceph('orch', 'daemon', 'redeploy', mds.daemon_name, mds.version)
        if CLUSTER == 'sim':
            assert p.returncode == 0 and mds.daemon_name in p.stdout, (p.stdout, p.stderr)
            eventually('%s running again' % mds.daemon_name, lambda: running(svc, 'mds.handfs'), WRITE_TIMEOUT)
        else:
            assert p.returncode != 0 and 'version' in p.stderr, (p.returncode, p.stderr)

        safe, reasons = svc.host_ok_to_stop(name)
        p = ceph('orch', 'host', 'ok-to-stop', name)
        if safe:
            assert p.returncode == 0 and p.stdout.strip() == 'It is presumed safe to stop host %s' % name, p
        else:
            assert p.returncode != 0 and all(r in p.stderr for r in reasons), (p.stderr, reasons)
        assert 'not found' in fails(2, 'orch', 'host', 'ok-to-stop', 'no-such-host')

        on_host = daemons_on(svc, name)
        assert mds.daemon_name in on_host
        out = ok('orch', 'host', 'maintenance', 'enter', name, '--force')
        assert name in out, out
        eventually('%s in maintenance' % name, lambda: host_status(name) == 'maintenance', WRITE_TIMEOUT)
        eventually('its daemons stopped', lambda: set(daemons_on(svc, name).values()) == {STOPPED}, WRITE_TIMEOUT)
        assert [line for line in ok('orch', 'host', 'ls').splitlines() if line.startswith(name)][0].split()[-1] == 'Maintenance'
        out = ok('orch', 'host', 'maintenance', 'exit', name)
        assert name in out, out
        eventually('%s out of maintenance' % name, lambda: host_status(name) == '', WRITE_TIMEOUT)
        eventually('its daemons running again', lambda: set(daemons_on(svc, name)) >= set(on_host) and
                   set(daemons_on(svc, name).values()) == {RUNNING}, WRITE_TIMEOUT)

        # Not while it holds the file system's last MDS (the service's refusal, naming it; the
        # API has no --force): that one goes first.
        err = fails(22, 'orch', 'host', 'drain', name)
        assert 'is not safe' in err and mds.daemon_name in err, err
        assert 'not supported' in fails(22, 'orch', 'host', 'drain', name, '--force')
        ok('orch', 'rm', 'mds.handfs')
        eventually('mds.handfs gone', lambda: not svc.list_daemons(service_name='mds.handfs'), WRITE_TIMEOUT)
        out = ok('orch', 'host', 'drain', name)
        assert out.startswith("Scheduled to remove the following daemons from host '%s'" % name) or \
            out.startswith("Removed the following daemons from host '%s'" % name), out
        eventually('%s empty' % name, lambda: not daemons_on(svc, name), WRITE_TIMEOUT)
        labels = next(h['labels'] for h in ok_json('orch', 'host', 'ls') if h['hostname'] == name)
        assert '_no_schedule' in labels, labels
        time.sleep(RECONCILE_WAIT)  # placement never picks it again
        assert not daemons_on(svc, name)
    finally:
        ceph('orch', 'rm', 'mds.handfs')
        ceph('orch', 'host', 'rm', name, '--force')
        eventually('%s removed' % name, lambda: name not in {h.hostname for h in svc.get_hosts()}, WRITE_TIMEOUT)
        eventually('mds.handfs gone', lambda: not svc.list_daemons(service_name='mds.handfs'), WRITE_TIMEOUT)


def test_orch_rm_keeps_mons_and_mgrs(svc: OrchestratorClient) -> None:
    # the CLI refuses without --force; with it, the service does, in its own words
    p = ceph('orch', 'rm', 'mon')
    assert p.returncode != 0 and 'The mon and mgr services cannot be removed' in p.stderr, (p.returncode, p.stderr)
    for stype in ('mon', 'mgr'):
        p = ceph('orch', 'rm', stype, '--force')
        assert p.returncode != 0 and 'the %s service cannot be removed' % stype in p.stderr, (p.returncode, p.stderr)
        assert svc.describe_service(service_name=stype)


def test_apply_node_exporter(svc: OrchestratorClient) -> None:
    """A monitoring service: placed where the backend deploys it (the sim: a daemon on every
    host), refused naming its type where it does not (ssh)."""
    if 'node-exporter' not in {TYPE_NAMES.get(t) for t in svc.get_capabilities().service_types}:
        p = ceph('orch', 'apply', 'node-exporter')
        assert p.returncode != 0 and 'node-exporter' in p.stderr, (p.returncode, p.stderr)
        assert not svc.describe_service(service_name='node-exporter')
        return
    try:
        assert ok('orch', 'apply', 'node-exporter').strip() == 'Scheduled node-exporter update...'
        hosts = {h.hostname for h in svc.get_hosts()}
        eventually('a node-exporter on every host', lambda: {d['hostname'] for d in ok_json('orch', 'ps', '--daemon_type', 'node-exporter')
                                                            if d['status'] == 1} == hosts, WRITE_TIMEOUT)
        [ls] = ok_json('orch', 'ls', 'node-exporter')
        assert ls['service_name'] == 'node-exporter' and ls['status']['running'] == len(hosts), ls
        assert [d['service_name'] for d in exported('node-exporter')] == ['node-exporter']
    finally:
        ceph('orch', 'rm', 'node-exporter')
        eventually('node-exporter removed', lambda: not svc.list_daemons(service_name='node-exporter')
                   and not svc.describe_service(service_name='node-exporter'), WRITE_TIMEOUT)


# --- errors -------------------------------------------------------------------------------

def test_errors_from_the_service(svc: OrchestratorClient) -> None:
    assert fails(2, 'orch', 'daemon', 'stop', 'osd.99') == "Error ENOENT: daemon 'osd.99' not found"
    assert fails(2, 'orch', 'host', 'rm', 'nosuch') == "Error ENOENT: host 'nosuch' not found"
    # a method the API does not map: upstream's NotImplementedError wording
    assert fails(2, 'orch', 'host', 'rescan', HOSTS[0]) == not_supported('host rescan')
    if supported(svc, 'UpgradeService.StartUpgrade'):
        err = fails(22, 'orch', 'upgrade', 'start', '--ceph-version', '99.0.0')
        assert err.startswith("Error EINVAL: target_version: '99.0.0' is not available"), err


def _with_target(target: str, fn: Callable[[], None]) -> None:
    set_option('grpc_target', target)
    try:
        fn()
    finally:
        set_option('grpc_target', TARGET)
        eventually('the module back on the sim service', lambda: ceph('orch', 'host', 'ls').returncode == 0, 15)


def test_service_without_backend() -> None:
    target = os.environ['ORCH_TARGET_NONE']

    def check() -> None:
        err = eventually('NoOrchestrator', lambda: (lambda p: p.returncode == 2 and p.stderr.strip())(
            ceph('orch', 'host', 'ls')), 10)
        assert err.startswith('Error ENOENT: No orchestrator backend at the orchestrator service %s' % target), err
        assert 'Available: No' in ok('orch', 'status')
    _with_target(target, check)


def test_backend_lacking_rpcs() -> None:
    target = os.environ['ORCH_TARGET_PARTIAL']

    def check() -> None:
        eventually('partial backend hosts', lambda: ok('orch', 'host', 'ls').splitlines()[-1] == '2 hosts in cluster', 10)
        assert fails(2, 'orch', 'upgrade', 'status') == 'Error ENOENT: This Orchestrator does not support `orch upgrade status`'
        assert fails(2, 'orch', 'ls') == 'Error ENOENT: This Orchestrator does not support `orch ls`'
        assert fails(2, 'orch', 'host', 'add', 'p-3') == 'Error ENOENT: This Orchestrator does not support `orch host add`'
    _with_target(target, check)


def test_unreachable_service() -> None:
    target = os.environ['ORCH_TARGET_DEAD']

    def check() -> None:
        err = eventually('EAGAIN', lambda: (lambda p: p.returncode == 11 and p.stderr.strip())(
            ceph('orch', 'host', 'ls')), 10)
        assert err.startswith('Error EAGAIN: orchestrator service at %s: failed to connect to %s' % (target, target)), err
        status = ok('orch', 'status')
        assert 'Available: No (cannot reach the orchestrator service at %s' % target in status, status
        err = fails(11, 'orch', 'apply', 'osd', '-i', '-', stdin=SPEC)
        assert target in err
    _with_target(target, check)


def test_silent_service_hits_the_deadline() -> None:
    """A server that accepts connections and never answers: every call ends at its deadline
    with an error naming the address, and the mgr stays responsive."""
    port = int(os.environ['ORCH_HANG_PORT'])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    host = os.environ['ORCH_TARGET_DEAD'].rsplit(':', 1)[0]  # where the mgr reaches this machine
    srv.bind((host, port))
    srv.listen(64)  # never accept(): the kernel completes the handshakes, nobody answers
    target = '%s:%d' % (host, port)
    try:
        set_option('grpc_timeout', '2')
        set_option('write_timeout', '2')

        def check() -> None:
            t0 = time.monotonic()
            p = ceph('orch', 'host', 'ls')
            took = time.monotonic() - t0
            assert p.returncode != 0 and target in p.stderr, (p.returncode, p.stderr)
            assert p.stderr.startswith('Error ETIMEDOUT') or p.stderr.startswith('Error EAGAIN'), p.stderr
            assert took < 2 * 2 + 3, took  # one deadline, retried once at most
            p = ceph('orch', 'daemon', 'stop', MON_VICTIM)
            assert p.returncode != 0 and target in p.stderr, (p.returncode, p.stderr)
            assert ok('mgr', 'stat')  # the mgr still answers
        _with_target(target, check)
    finally:
        set_option('grpc_timeout', '10')
        set_option('write_timeout', '30')
        srv.close()
    assert ok('orch', 'status').splitlines()[1] == 'Available: Yes'


@pytest.mark.skipif(not TOKEN, reason='the services use no credentials in this run')
def test_credentials_come_from_the_module_options() -> None:
    """The module talks TLS with a bearer token (its options): a wrong token, or no TLS,
    and the service refuses it; each error names the service's address."""
    def refused(option: str, value: str, expect: str) -> None:
        set_option(option, value)
        try:
            err = eventually('the service refusing %s=%s' % (option, value), lambda: (lambda p: p.returncode != 0 and p.stderr.strip())(
                ceph('orch', 'host', 'ls')), 15)
            assert TARGET in err and expect in err, err
        finally:
            set_option(option, {'auth_token': TOKEN, 'tls': 'true'}[option])
            eventually('the module back in', lambda: ceph('orch', 'host', 'ls').returncode == 0, 15)
    refused('auth_token', 'not-the-token', 'EACCES')
    refused('tls', 'false', 'E')


# --- the feature set, as the dashboard sees it ----------------------------------------------

#: Methods of the module that every backend of these tests supports (the ssh one included).
ALWAYS_AVAILABLE = ('get_hosts', 'get_inventory', 'add_host', 'apply_drivegroups', 'describe_service', 'list_daemons',
                    'zap_device', 'remove_daemons', 'update_host_addr', 'pause', 'resume', 'host_ok_to_stop',
                    'enter_host_maintenance', 'exit_host_maintenance', 'drain_host', 'add_daemon', 'apply_crash',
                    'apply_node_exporter')
#: Methods of upstream's interface the module does not implement.
NOT_IMPLEMENTED = ('rescan_host', 'apply_ingress', 'apply_snmp_gateway')


def module_methods() -> Dict[str, Any]:
    """The module's own table (mgr/orchestrator_grpc/features.py): method -> its RPCs (read
    with a stand-in for upstream's orchestrator package, which only ceph-mgr can import)."""
    import importlib.util
    import types
    spec = importlib.util.spec_from_file_location('features', os.path.join(ROOT, 'mgr', 'orchestrator_grpc', 'features.py'))
    features = importlib.util.module_from_spec(spec)
    saved = sys.modules.get('orchestrator')
    sys.modules['orchestrator'] = types.ModuleType('orchestrator')
    try:
        spec.loader.exec_module(features)  # type: ignore[union-attr]
    finally:
        if saved is None:
            del sys.modules['orchestrator']
        else:
            sys.modules['orchestrator'] = saved
    return dict(features.METHOD_RPCS)


def dashboard_features() -> Dict[str, Dict[str, bool]]:
    """get_feature_set() as a real client sees it: Pacific's dashboard, whose
    /ui-api/orchestrator/status carries the orchestrator's features (enabled for this, on
    the active mgr, then disabled again by the caller)."""
    import urllib.request
    port = os.environ.get('ORCH_DASHBOARD_PORT', '18480')
    ok('config', 'set', 'mgr', 'mgr/dashboard/ssl', 'false')
    ok('config', 'set', 'mgr', 'mgr/dashboard/server_port', port)
    ok('mgr', 'module', 'enable', 'dashboard')
    password = 'Orch-%s-9x!' % os.urandom(6).hex()
    eventually('dashboard commands', lambda: ceph('dashboard', 'ac-user-create', 'orch-test', '-i', '-',
                                                   'administrator', '--force-password', stdin=password).returncode in (0, 17), 90, 1)

    def url() -> str:
        addr = ok_json('mgr', 'dump')['active_addrs']['addrvec'][0]['addr']
        return 'http://%s:%s' % (addr.rsplit(':', 1)[0], port)

    def call(path: str, body: Optional[Dict[str, Any]] = None, token: str = '') -> Any:
        headers = {'Accept': 'application/vnd.ceph.api.v1.0+json', 'Content-Type': 'application/json'}
        if token:
            headers['Authorization'] = 'Bearer ' + token
        req = urllib.request.Request(url() + path, data=json.dumps(body).encode() if body else None, headers=headers)
        with urllib.request.urlopen(req, timeout=CLI_TIMEOUT) as resp:
            return json.loads(resp.read())

    def status() -> Any:
        token = call('/api/auth', {'username': 'orch-test', 'password': password})['token']
        st = call('/ui-api/orchestrator/status', token=token)
        return st if st.get('available') else None
    return eventually('the dashboard\'s orchestrator status', status, 120, 2)['features']


@pytest.mark.skipif(not os.path.isdir('/usr/share/ceph/mgr/dashboard') and os.environ.get('CI') != 'true',
                    reason='needs ceph-mgr-dashboard (scripts/setup.sh); under CI=true its absence fails')
def test_feature_set_from_capabilities(svc: OrchestratorClient) -> None:
    """get_feature_set() has upstream's shape and follows GetCapabilities: a method is
    available when the module implements it and the backend supports its RPCs."""
    table = module_methods()
    caps = {r.method.split('.', 2)[-1]: r.supported for r in svc.get_capabilities().rpcs}
    try:
        features = dashboard_features()
    finally:
        ok('mgr', 'module', 'disable', 'dashboard')
        eventually('orch back after the mgr restarted', lambda: ceph('orch', 'status').returncode == 0
                   and 'Available: Yes' in ceph('orch', 'status').stdout, 120, 1)
    assert all(set(v) == {'available'} for v in features.values()), features
    available = {m for m, v in features.items() if v['available']}
    assert set(table) <= set(features) and not set(NOT_IMPLEMENTED) & available
    assert set(NOT_IMPLEMENTED) <= set(features)  # every method of the interface, implemented or not
    assert available == {m for m, rpcs in table.items() if all(caps.get(r) for r in rpcs)}
    assert set(ALWAYS_AVAILABLE) <= available
    if CLUSTER == 'ssh':  # no lights, no upgrades: the CLI refuses them too (test_upgrade_*)
        assert not {'blink_device_light', 'upgrade_start', 'upgrade_status'} & available
    else:
        assert available == set(table)
