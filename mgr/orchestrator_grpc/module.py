"""orchestrator_grpc: a ceph-mgr orchestrator backend (Pacific 16.2 interface) that serves
`ceph orch`, the dashboard and the volumes module from the ceph-orchestrator gRPC service.

Enable it and select it (Pacific's `ceph orch set backend` only accepts its built-in
names, hence `--force`)::

    ceph mgr module enable orchestrator_grpc
    ceph config set mgr mgr/orchestrator_grpc/grpc_target 127.0.0.1:50051
    ceph config set mgr mgr/orchestrator/orchestrator orchestrator_grpc --force

Calls go over the pure-Python h2 transport of ``ceph_orchestrator_client``: grpcio
deadlocks inside ceph-mgr's module sub-interpreters. Every call has a deadline.

Writes follow upstream's semantics: a command returns once the service has recorded the
write (the operation is PERSISTENT); a background thread keeps following the operation's
stream and shows it in the progress module (`ceph progress`) until it ends. Operations
other clients start are shown there too (`progress_poll_interval`).

Errors reach the CLI as upstream's exceptions, never as tracebacks: invalid input as
OrchestratorValidationError (EINVAL) naming the field, an RPC the backend lacks as
NotImplementedError ("This Orchestrator does not support ..."), a service without a
backend as NoOrchestrator (ENOENT), and transport failures and timeouts as
OrchestratorError naming the service's address.
"""

import errno
import fnmatch
import functools
import json
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, TypeVar

from . import _paths

_paths.setup()

from mgr_module import MgrModule, Option  # noqa: E402
import orchestrator  # noqa: E402
from ceph.deployment.hostspec import HostSpec, SpecValidationError  # noqa: E402

_IMPORT_ERROR: Optional[str] = None
try:
    import ceph_orchestrator_client as occ
    from ceph_orchestrator_client import Completion, OrchestratorClient, StatusCode
    from ceph_orchestrator.v1 import osd_pb2
    from . import convert as cv
except Exception as _e:  # reported by can_run(): the module shows as "can_run: false" with why
    _IMPORT_ERROR = '%s: %s (searched %s)' % (type(_e).__name__, _e, ', '.join(_paths.candidate_paths()))

T = TypeVar('T')
FuncT = TypeVar('FuncT', bound=Callable[..., Any])

MODULE_NAME = 'orchestrator_grpc'

# Codes whose message only makes sense together with the service's address.
_TRANSPORT_CODES = ('UNAVAILABLE', 'DEADLINE_EXCEEDED', 'CANCELLED', 'UNKNOWN', 'INTERNAL',
                    'UNAUTHENTICATED', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'DATA_LOSS')

_ACTIONS = {'start': 'start', 'stop': 'stop', 'restart': 'restart', 'redeploy': 'redeploy',
            'reconfig': 'reload', 'reload': 'reload'}

_DRY_RUN_WARNING = ('WARNING! Dry-Runs are snapshots of a certain point in time and are bound \n'
                    'to the current inventory setup. If any of these conditions change, the \n'
                    'preview will be invalid. Please make sure to have a minimal \n'
                    'timeframe between planning and applying the specs.')

_MAX_FOLLOWED = 64          # operation streams followed at once (each holds one connection)
_FINISHED_MEMORY = 1000     # finished operation ids remembered, so none is shown twice


def _orch(f: FuncT) -> FuncT:
    """An Orchestrator method: errors become upstream's exceptions, and the result an
    OrchResult (upstream's handle_orch_error) that crosses sub-interpreters."""
    @functools.wraps(f)
    def mapped(self: 'GrpcOrchestrator', *args: Any, **kwargs: Any) -> Any:
        try:
            return f(self, *args, **kwargs)
        except Exception as e:
            raise self._upstream_error(e) from None
    return orchestrator.handle_orch_error(mapped)  # type: ignore[return-value]


class GrpcOrchestrator(orchestrator.Orchestrator, MgrModule):
    MODULE_OPTIONS = [
        Option('grpc_target', type='str', default='127.0.0.1:50051', runtime=True,
               desc='host:port of the ceph-orchestrator gRPC service'),
        Option('grpc_timeout', type='float', default=10.0, min=0.1, runtime=True,
               desc='deadline of each read call, in seconds'),
        Option('refresh_timeout', type='float', default=60.0, min=0.1, runtime=True,
               desc='deadline of a read with --refresh (the service rescans hosts), in seconds'),
        Option('write_timeout', type='float', default=30.0, min=0.1, runtime=True,
               desc='how long a command waits for the service to record a write (PERSISTENT)'),
        Option('wait_effective', type='float', default=0.0, min=0.0, runtime=True,
               desc='after a write is recorded, wait up to this many seconds for it to finish, '
                    'so quick writes report their outcome (0: return at once, as upstream)'),
        Option('stream_timeout', type='float', default=300.0, min=1.0, runtime=True,
               desc='deadline of each operation stream; a longer operation is watched again'),
        Option('progress_poll_interval', type='float', default=5.0, min=0.0, runtime=True,
               desc='how often to look for operations started by other clients, to show them '
                    'in `ceph progress` (0: only this module\'s own writes)'),
        Option('nfs_pool', type='str', default='.nfs', runtime=True,
               desc='RADOS pool of NFS services (Pacific keeps them in ".nfs")'),
        Option('auth_token', type='str', default='', runtime=True,
               desc='bearer token sent with every call (authorization metadata)'),
        Option('tls', type='bool', default=False, runtime=True,
               desc='talk TLS to the service (needs tls_ca_cert)'),
        Option('tls_ca_cert', type='str', default='', runtime=True,
               desc='PEM file of the CA that signed the service\'s certificate'),
        Option('tls_client_cert', type='str', default='', runtime=True,
               desc='PEM file of this module\'s client certificate'),
        Option('tls_client_key', type='str', default='', runtime=True,
               desc='PEM file of this module\'s client key'),
        Option('tls_server_name', type='str', default='', runtime=True,
               desc='name to verify the service\'s certificate against (default: the target host)'),
    ]
    NOTIFY_TYPES: List[str] = []

    @classmethod
    def can_run(cls) -> Tuple[bool, str]:
        if _IMPORT_ERROR:
            return False, 'cannot import the ceph-orchestrator Python client: ' + _IMPORT_ERROR
        return True, ''

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._client_key: Optional[Tuple[Any, ...]] = None
        self._client_obj: Optional['OrchestratorClient'] = None
        self._stop = threading.Event()
        self._followed: Dict[str, Optional[threading.Thread]] = {}  # op id -> its follower
        self._finished: List[str] = []
        self._finished_set: Set[str] = set()
        self._progress_seen: Dict[str, Tuple[str, float]] = {}

    # ------------------------------------------------------------------ plumbing ----

    def _opt(self, name: str) -> Any:
        return self.get_module_option(name)

    def _target(self) -> str:
        return str(self._opt('grpc_target') or '')

    def _client(self) -> 'OrchestratorClient':
        """The client for the current options (rebuilt when they change)."""
        if _IMPORT_ERROR:
            raise orchestrator.OrchestratorError('%s cannot run: %s' % (MODULE_NAME, _IMPORT_ERROR))
        target = self._target()
        if not target:
            raise orchestrator.OrchestratorError(
                'no orchestrator service configured: set mgr/%s/grpc_target' % MODULE_NAME)
        tls = bool(self._opt('tls'))
        files = tuple(str(self._opt(o) or '') for o in ('tls_ca_cert', 'tls_client_cert', 'tls_client_key'))
        server_name = str(self._opt('tls_server_name') or '')
        if tls and not files[0]:
            # Never fall back to cleartext when TLS was asked for.
            raise orchestrator.OrchestratorError(
                'mgr/%s/tls is set without mgr/%s/tls_ca_cert: refusing to talk to %s in cleartext'
                % (MODULE_NAME, MODULE_NAME, target))
        token = str(self._opt('auth_token') or '')
        key = (target, float(self._opt('grpc_timeout')), float(self._opt('stream_timeout')), token,
               tls, files, server_name)
        with self._lock:
            if self._client_key != key or self._client_obj is None:
                try:
                    self._client_obj = OrchestratorClient(
                        target, transport='h2', timeout=key[1], stream_timeout=key[2], retries=1,
                        token=token or None,
                        tls_ca=files[0] if tls else None,
                        tls_cert=(files[1] or None) if tls else None,
                        tls_key=(files[2] or None) if tls else None,
                        tls_server_name=(server_name or None) if tls else None)
                except (OSError, ValueError) as e:
                    raise orchestrator.OrchestratorError('mgr/%s TLS or token settings: %s' % (MODULE_NAME, e))
                self._client_key = key
            return self._client_obj

    def _upstream_error(self, e: Exception) -> Exception:
        """Upstream's exception for any error (exceptions are pickled to cross
        sub-interpreters, so only classes the orchestrator module knows may leave)."""
        if isinstance(e, NotImplementedError):
            # The CLI prints upstream's "This Orchestrator does not support `<command>`".
            return NotImplementedError(str(e))
        if isinstance(e, orchestrator.OrchestratorError):
            return e  # already upstream's (NoOrchestrator, OrchestratorValidationError, ...)
        if _IMPORT_ERROR is None:
            if isinstance(e, occ.NoOrchestrator):
                return orchestrator.NoOrchestrator(
                    'No orchestrator backend at the orchestrator service %s: %s' % (self._target(), e.message))
            if isinstance(e, occ.OrchestratorValidationError):
                msg = e.message
                missing = ['%s: %s' % (f, d) for f, d in e.field_violations if f not in msg]
                if missing:
                    msg = '%s (%s)' % (msg, '; '.join(missing))
                return orchestrator.OrchestratorValidationError(msg)
            if isinstance(e, occ.OrchestratorError):
                msg = e.message
                if e.code.name in _TRANSPORT_CODES:
                    msg = 'orchestrator service at %s: %s' % (self._target(), msg)
                return orchestrator.OrchestratorError(msg, errno=e.errno,
                                                      event_kind_subject=e.event_subject)
        if isinstance(e, SpecValidationError):
            return orchestrator.OrchestratorValidationError(str(e))
        return orchestrator.OrchestratorError('%s: %s' % (type(e).__name__, e))

    def _read_timeout(self, refresh: bool) -> Optional[float]:
        return float(self._opt('refresh_timeout')) if refresh else None

    # ------------------------------------------------------------------ writes ------

    def _write(self, start: Callable[['OrchestratorClient'], 'Completion'],
               describe: Callable[['Completion'], str]) -> str:
        """Start a write, wait until the service recorded it (or it ended), and return
        ``describe(completion)``. The operation's progress then goes on in `ceph progress`."""
        c = start(self._client())  # a refused request raises here (validation, no backend, ...)
        op_id = c.operation_id
        with self._lock:
            self._followed.setdefault(op_id, None)  # claimed: the poller leaves it alone
        try:
            self._progress_update(c)
            self._wait_for(c, lambda: c.is_persistent or c.is_complete, float(self._opt('write_timeout')))
            if not (c.is_persistent or c.is_complete):
                raise orchestrator.OrchestratorError(
                    'the orchestrator service at %s did not record operation %s (%s) within %ss; '
                    'it may still run: see `ceph progress`' % (
                        self._target(), op_id, c.operation.description, self._opt('write_timeout')),
                    errno=-errno.ETIMEDOUT)
            settle = float(self._opt('wait_effective') or 0)
            if settle > 0:
                self._wait_for(c, lambda: c.is_complete, settle)
            if c.is_errored:
                raise c.exception or orchestrator.OrchestratorError(c.message)
            return describe(c)
        finally:
            self._hand_off(c)

    @staticmethod
    def _wait_for(c: 'Completion', cond: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            c.wait(timeout=min(0.05, left))  # wait() returns early only once complete

    def _hand_off(self, c: 'Completion') -> None:
        """Follow the operation to its end in a background thread (or finish its
        progress event at once if it ended)."""
        if c.is_complete:
            self._progress_finish(c)
            with self._lock:
                self._followed.pop(c.operation_id, None)
            return
        self._follow(c)

    def _follow(self, c: 'Completion') -> None:
        op_id = c.operation_id
        with self._lock:
            current = self._followed.get(op_id)
        if current is not None and current.is_alive():
            c.detach()  # already followed (e.g. an idempotent retry returned the same operation)
            return
        t = threading.Thread(target=self._follower, args=(c,), name='orch-grpc-op-%s' % op_id[:8],
                             daemon=True)
        with self._lock:
            self._followed[op_id] = t
        t.start()

    def _follower(self, c: 'Completion') -> None:
        op_id = c.operation_id
        failures = 0
        try:
            while not self._stop.is_set() and not c.is_complete:
                try:
                    c.wait(timeout=1.0)
                    failures = 0
                except Exception as e:
                    failures += 1
                    gone = isinstance(e, occ.OrchestratorError) and e.code == StatusCode.NOT_FOUND
                    if gone or failures > 30:
                        self._progress_fail(op_id, c.operation.description,
                                            'lost track of the operation at %s: %s' % (self._target(), e))
                        return
                    self.log.debug('operation %s: %s; watching again', op_id, e)
                    self._stop.wait(min(5.0, 0.5 * failures))
                    continue
                self._progress_update(c)
            if c.is_complete:
                self._progress_finish(c)
        except Exception as e:  # never let a follower die silently
            self.log.exception('following operation %s: %s', op_id, e)
        finally:
            c.detach()
            with self._lock:
                self._followed.pop(op_id, None)

    # ------------------------------------------------------------------ progress ----

    @staticmethod
    def _event_message(op: Any) -> str:
        return op.description or op.method.rsplit('.', 1)[-1] or 'orchestrator operation %s' % op.id

    def _progress_update(self, c: 'Completion') -> None:
        op = c.operation
        if op.done:
            return
        msg, progress = self._event_message(op), float(op.progress)
        if self._progress_seen.get(op.id) == (msg, progress):
            return
        self._progress_seen[op.id] = (msg, progress)
        try:
            self.remote('progress', 'update', op.id, ev_msg=msg, ev_progress=progress,
                        refs=[['operation', op.id]] + [['host', h] for h in op.hosts],
                        add_to_ceph_s=True)
        except Exception as e:
            self.log.debug('progress update of %s failed: %s', op.id, e)

    def _progress_finish(self, c: 'Completion') -> None:
        op = c.operation
        if not self._remember_finished(op.id):
            return
        self._progress_update_final(c)
        if c.is_effective:
            self.log.info('operation %s (%s) succeeded', op.id, self._event_message(op))
            try:
                self.remote('progress', 'complete', op.id)
            except Exception as e:
                self.log.debug('progress complete of %s failed: %s', op.id, e)
        elif op.state == op.STATE_CANCELLED:
            # Asked for (orch cancel, osd rm stop, upgrade stop): not an error.
            why = 'cancelled' + (': %s' % op.message if op.message and op.message != 'cancelled' else '')
            self.log.info('operation %s (%s) %s', op.id, self._event_message(op), why)
            try:
                self.remote('progress', 'fail', op.id, why)
            except Exception as e:
                self.log.debug('progress fail of %s failed: %s', op.id, e)
        else:
            exc = c.exception
            why = (getattr(exc, 'message', None) or str(exc)) if exc else (op.message or c.state_name)
            self._progress_fail(op.id, self._event_message(op), why, remembered=True)

    def _progress_update_final(self, c: 'Completion') -> None:
        # An operation that ended before any update still needs its event to exist.
        op = c.operation
        if op.id not in self._progress_seen:
            try:
                self.remote('progress', 'update', op.id, ev_msg=self._event_message(op),
                            ev_progress=float(op.progress),
                            refs=[['operation', op.id]] + [['host', h] for h in op.hosts],
                            add_to_ceph_s=True)
            except Exception as e:
                self.log.debug('progress update of %s failed: %s', op.id, e)
        self._progress_seen.pop(op.id, None)

    def _progress_fail(self, op_id: str, description: str, why: str, remembered: bool = False) -> None:
        if not remembered and not self._remember_finished(op_id):
            return
        self._progress_seen.pop(op_id, None)
        self.log.error('operation %s (%s) failed: %s', op_id, description, why)
        try:
            self.cluster_log('cluster', self.ClusterLogPrio.ERROR,
                             '%s: %s failed: %s' % (MODULE_NAME, description, why))
        except Exception:
            pass
        try:
            self.remote('progress', 'fail', op_id, why)
        except Exception as e:
            self.log.debug('progress fail of %s failed: %s', op_id, e)

    def _remember_finished(self, op_id: str) -> bool:
        """Record that an operation's event was finished; False if it already was."""
        with self._lock:
            if op_id in self._finished_set:
                return False
            self._finished_set.add(op_id)
            self._finished.append(op_id)
            while len(self._finished) > _FINISHED_MEMORY:
                self._finished_set.discard(self._finished.pop(0))
            return True

    def _adopt_operations(self) -> None:
        """Show operations started by other clients (or before a mgr restart) too."""
        client = self._client()
        ops = client.list_operations(states=['ACCEPTED', 'PERSISTENT', 'RUNNING'])
        for op in ops:
            with self._lock:
                known = op.id in self._followed or op.id in self._finished_set
                full = len(self._followed) >= _MAX_FOLLOWED
                if known or full:
                    continue
                self._followed[op.id] = None
            try:
                c = client.watch(op.id)
            except Exception as e:
                with self._lock:
                    self._followed.pop(op.id, None)
                self.log.debug('cannot watch operation %s: %s', op.id, e)
                continue
            self._progress_update(c)
            self._hand_off(c)

    def serve(self) -> None:
        while not self._stop.is_set():
            interval = float(self._opt('progress_poll_interval') or 0)
            if interval > 0 and not _IMPORT_ERROR:
                try:
                    self._adopt_operations()
                except Exception as e:
                    self.log.debug('looking for running operations failed: %s', e)
            self._stop.wait(interval if interval > 0 else 5.0)

    def shutdown(self) -> None:
        self._stop.set()
        with self._lock:
            threads = [t for t in self._followed.values() if t is not None]
        deadline = time.monotonic() + 3.0
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))

    # ------------------------------------------------------------------ basics ------

    def available(self) -> Tuple[bool, str, Dict[str, Any]]:
        target = self._target()
        details: Dict[str, Any] = {'grpc_target': target, 'transport': 'h2', 'tls': bool(self._opt('tls'))}
        try:
            ok, why, info = self._client().available()
        except Exception as e:
            return False, str(self._upstream_error(e)), details
        for k, v in info.items():
            details['service_backend' if k == 'backend' else k] = v
        if not ok and not why:
            why = 'the orchestrator service at %s is not available' % target
        return ok, why, details

    def cancel_completions(self) -> None:
        """`ceph orch cancel`: ask every unfinished operation of the service to stop."""
        try:
            client = self._client()
            for op in client.list_operations(states=['ACCEPTED', 'PERSISTENT', 'RUNNING']):
                try:
                    client.cancel(op.id)
                except Exception as e:
                    self.log.warning('cancelling operation %s failed: %s', op.id, e)
        except Exception as e:
            self.log.error('cancelling operations failed: %s', e)

    # ------------------------------------------------------------------ hosts -------

    @_orch
    def add_host(self, host_spec: HostSpec) -> str:
        return self._add_host(host_spec)

    def _add_host(self, spec: Any) -> str:
        if getattr(spec, 'status', '') and str(spec.status).lower() == 'maintenance':
            raise orchestrator.OrchestratorValidationError(
                'adding a host in maintenance is not supported by %s' % MODULE_NAME)
        if getattr(spec, 'location', None):
            raise orchestrator.OrchestratorValidationError(
                'host location is not supported by %s' % MODULE_NAME)
        hostname = str(spec.hostname)
        addr = str(spec.addr) if getattr(spec, 'addr', None) and spec.addr != hostname else ''
        labels = list(getattr(spec, 'labels', None) or [])

        def describe(c: Completion) -> str:
            if c.is_effective:
                return "Added host '%s' with addr '%s'" % (hostname, c.result.addr or addr or hostname)
            return "Scheduled to add host '%s'%s (operation %s)" % (
                hostname, " with addr '%s'" % addr if addr else '', c.operation_id)
        return self._write(lambda cl: cl.add_host(hostname, addr=addr, labels=labels), describe)

    @_orch
    def remove_host(self, host: str, force: bool = False, offline: bool = False) -> str:
        def describe(c: Completion) -> str:
            if c.is_effective:
                return "Removed host '%s'" % host
            return "Scheduled to remove host '%s' (operation %s)" % (host, c.operation_id)
        return self._write(lambda cl: cl.remove_host(host, force=bool(force or offline)), describe)

    @_orch
    def get_hosts(self) -> List[HostSpec]:
        return [cv.host_to_spec(h) for h in self._client().get_hosts()]

    @_orch
    def add_host_label(self, host: str, label: str) -> str:
        def describe(c: Completion) -> str:
            if c.is_effective:
                return 'Added label %s to host %s' % (label, host)
            return 'Scheduled to add label %s to host %s (operation %s)' % (label, host, c.operation_id)
        return self._write(lambda cl: cl.add_host_label(host, label), describe)

    @_orch
    def remove_host_label(self, host: str, label: str, force: bool = False) -> str:
        def describe(c: Completion) -> str:
            if c.is_effective:
                return 'Removed label %s from host %s' % (label, host)
            return 'Scheduled to remove label %s from host %s (operation %s)' % (label, host, c.operation_id)
        return self._write(lambda cl: cl.remove_host_label(host, label), describe)

    # ------------------------------------------------------------------ inventory ---

    @_orch
    def get_inventory(self, host_filter: Optional[Any] = None, refresh: bool = False) -> List[Any]:
        hosts = list(getattr(host_filter, 'hosts', None) or []) if host_filter else []
        labels = list(getattr(host_filter, 'labels', None) or []) if host_filter else []
        client = self._refresh_client() if refresh else self._client()
        found = client.get_inventory(hosts=hosts, labels=labels, refresh=bool(refresh))
        return [cv.inventory_to_upstream(h) for h in found]

    @_orch
    def blink_device_light(self, ident_fault: str, on: bool, locations: List[Any]) -> List[str]:
        locs = []
        for loc in locations:
            host, dev, path = (loc.host, loc.dev, loc.path) if hasattr(loc, 'host') else tuple(loc)
            locs.append((host, dev or '', path or ''))
        msgs = ['Set %s light for %s:%s %s' % (ident_fault, h, p or d, 'on' if on else 'off')
                for h, d, p in locs]

        def describe(c: Completion) -> str:
            if c.is_effective and len(c.result.messages):
                return '\n'.join(c.result.messages)
            return '\n'.join(msgs)
        self._write(lambda cl: cl.blink_device_light(ident_fault, bool(on), locs), describe)
        return msgs

    # ------------------------------------------------------------------ services ----

    @_orch
    def describe_service(self, service_type: Optional[str] = None, service_name: Optional[str] = None,
                         refresh: bool = False) -> List[Any]:
        if service_type and service_type not in occ.SERVICE_TYPES:
            return []  # a type the API does not manage (grafana, ingress, ...) has no services
        client = self._client() if not refresh else self._refresh_client()
        services = client.describe_service(service_type=service_type or None,
                                           service_name=service_name or None, refresh=bool(refresh))
        return [cv.service_to_upstream(s) for s in services]

    @_orch
    def list_daemons(self, service_name: Optional[str] = None, daemon_type: Optional[str] = None,
                     daemon_id: Optional[str] = None, host: Optional[str] = None,
                     refresh: bool = False) -> List[Any]:
        if daemon_type and daemon_type not in occ.SERVICE_TYPES:
            return []
        client = self._client() if not refresh else self._refresh_client()
        daemons = client.list_daemons(service_name=service_name or None, daemon_type=daemon_type or None,
                                      daemon_id=daemon_id or None, host=host or None, refresh=bool(refresh))
        return [cv.daemon_to_upstream(d) for d in daemons]

    def _refresh_client(self) -> 'OrchestratorClient':
        base = self._client()
        return OrchestratorClient(base.target, transport=base.transport,
                                  timeout=float(self._opt('refresh_timeout')),
                                  stream_timeout=base.stream_timeout, retries=0, metadata=base.metadata)

    def _daemon_hosts(self, **filters: Any) -> Dict[str, str]:
        """Daemon name -> host, for the messages of actions."""
        try:
            return {d.daemon_name: d.hostname for d in self._client().list_daemons(**filters)}
        except Exception:
            return {}

    @_orch
    def service_action(self, action: str, service_name: str) -> List[str]:
        api_action = self._action(action)

        def describe(c: Completion) -> str:
            return ''
        self._write(lambda cl: cl.service_action(api_action, service_name), describe)
        hosts = self._daemon_hosts(service_name=service_name)
        return ["Scheduled to %s %s on host '%s'" % (action, name, host)
                for name, host in sorted(hosts.items())] or \
            ['Scheduled to %s service %s' % (action, service_name)]

    @_orch
    def daemon_action(self, action: str, daemon_name: str, image: Optional[str] = None) -> str:
        if image:
            raise orchestrator.OrchestratorValidationError(
                'redeploying with a container image (--image) is not supported by %s' % MODULE_NAME)
        api_action = self._action(action)

        def describe(c: Completion) -> str:
            host = self._daemon_hosts(daemon_id=daemon_name).get(daemon_name)
            if c.is_effective:
                return "%s %s%s" % (self._past(action), daemon_name, " on host '%s'" % host if host else '')
            return "Scheduled to %s %s%s" % (action, daemon_name, " on host '%s'" % host if host else '')
        return self._write(lambda cl: cl.daemon_action(api_action, daemon_name), describe)

    @staticmethod
    def _past(action: str) -> str:
        return {'start': 'Started', 'stop': 'Stopped', 'restart': 'Restarted', 'redeploy': 'Redeployed',
                'reconfig': 'Reconfigured', 'reload': 'Reloaded'}.get(action, action)

    @staticmethod
    def _action(action: str) -> str:
        if action not in _ACTIONS:
            raise orchestrator.OrchestratorValidationError(
                'unknown action %r: one of %s' % (action, ', '.join(sorted(_ACTIONS))))
        return _ACTIONS[action]

    @_orch
    def remove_service(self, service_name: str, force: bool = False) -> str:
        stype = service_name.split('.', 1)[0]
        if stype not in cv.STATELESS_TYPES:
            raise orchestrator.OrchestratorValidationError(
                'service %s cannot be removed: %s removes only %s services' % (
                    service_name, MODULE_NAME, ', '.join(cv.STATELESS_TYPES)))

        def describe(c: Completion) -> str:
            if c.is_effective:
                return 'Removed service %s' % service_name
            return 'Scheduled to remove service %s (operation %s)' % (service_name, c.operation_id)
        return self._write(lambda cl: cl.remove_stateless_service(service_name), describe)

    # ------------------------------------------------------------------ apply -------

    @_orch
    def apply(self, specs: Sequence[Any], no_overwrite: bool = False) -> List[str]:
        """Apply specs (upstream dispatches by service_type; hosts are added). A spec marked
        preview_only (--dry-run) changes nothing: plan() answers for it."""
        results: List[str] = []
        for spec in specs:
            stype = str(getattr(spec, 'service_type', ''))
            if stype == 'host':
                results.append(self._add_host(spec))
            elif getattr(spec, 'preview_only', False):
                results.append('Preview only: %s' % spec.service_name())
            elif stype == 'osd':
                results.extend(self._apply_drivegroup(spec, no_overwrite))
            elif stype in ('mon', 'mgr'):
                results.append(self._apply_mon_mgr(spec, no_overwrite))
            elif stype in cv.STATELESS_TYPES:
                results.append(self._apply_stateless(spec, no_overwrite))
            else:
                raise NotImplementedError('%s does not manage %s services' % (MODULE_NAME, stype))
        return results

    def _exists(self, service_name: str) -> bool:
        return bool(self._client().describe_service(service_name=service_name))

    def _skipped(self, name: str) -> str:
        return 'Skipped %s service spec. To change %s spec omit --no-overwrite flag' % (name, name)

    @_orch
    def apply_mon(self, spec: Any) -> str:
        return self._apply_mon_mgr(spec)

    @_orch
    def apply_mgr(self, spec: Any) -> str:
        return self._apply_mon_mgr(spec)

    def _apply_mon_mgr(self, spec: Any, no_overwrite: bool = False) -> str:
        stype = str(spec.service_type)
        if no_overwrite and self._exists(stype):
            return self._skipped(stype)
        cv._refuse(spec, cv._COMMON_UNSUPPORTED, 'service %s' % stype)
        pl = getattr(spec, 'placement', None)
        placement = cv.placement_to_proto(pl, 'service %s' % stype)
        count = placement.count or len(placement.hosts)
        if not count and (placement.label or placement.host_pattern):
            count = len(self._matching_hosts(placement.label, placement.host_pattern))
        if not count:
            count = 5 if stype == 'mon' else 2  # cephadm's defaults
        hosts = [(h.hostname, h.network, h.name) for h in placement.hosts]
        label = placement.label or None
        if placement.host_pattern:
            hosts = [(h, '', '') for h in self._matching_hosts(None, placement.host_pattern)]
        if stype == 'mon':
            start = lambda cl: cl.update_mons(count, hosts=hosts, label=label)  # noqa: E731
        else:
            start = lambda cl: cl.update_mgrs(count, hosts=hosts, label=label)  # noqa: E731
        return self._write(start, lambda c: 'Scheduled %s update...' % stype)

    def _matching_hosts(self, label: Optional[str], pattern: Optional[str]) -> List[str]:
        hosts = self._client().get_hosts(label=label or None)
        names = [h.hostname for h in hosts]
        return fnmatch.filter(names, pattern) if pattern else names

    @_orch
    def apply_mds(self, spec: Any) -> str:
        return self._apply_stateless(spec)

    @_orch
    def apply_rgw(self, spec: Any) -> str:
        return self._apply_stateless(spec)

    @_orch
    def apply_nfs(self, spec: Any) -> str:
        return self._apply_stateless(spec)

    @_orch
    def apply_iscsi(self, spec: Any) -> str:
        return self._apply_stateless(spec)

    @_orch
    def apply_rbd_mirror(self, spec: Any) -> str:
        return self._apply_stateless(spec)

    def _apply_stateless(self, spec: Any, no_overwrite: bool = False) -> str:
        name = spec.service_name()
        exists = self._exists(name)
        if exists and no_overwrite:
            return self._skipped(name)
        msg = cv.stateless_spec_to_proto(spec, str(self._opt('nfs_pool') or '.nfs'))
        if exists:
            start = lambda cl: cl.update_stateless_service(msg)  # noqa: E731
        else:
            start = lambda cl: cl.add_stateless_service(msg)  # noqa: E731
        return self._write(start, lambda c: 'Scheduled %s update...' % name)

    # ------------------------------------------------------------------ OSDs --------

    def _drive_groups(self, dg: Any) -> List[Any]:
        """The API's drive groups for an upstream one: one per host pattern (a placement
        by host list or label becomes one drive group per host)."""
        name = str(getattr(dg, 'service_id', None) or 'default')
        pl = getattr(dg, 'placement', None)
        if cv.placement_is_empty(pl):
            raise orchestrator.OrchestratorValidationError(
                'Failed to validate OSD spec "%s": `placement` required' % name)
        if getattr(pl, 'count', None) or getattr(pl, 'count_per_host', None):
            raise orchestrator.OrchestratorValidationError(
                'Failed to validate OSD spec "%s": placement count is not supported by %s' % (name, MODULE_NAME))
        if getattr(pl, 'host_pattern', None):
            patterns = [str(pl.host_pattern)]
        elif getattr(pl, 'hosts', None):
            patterns = [str(h.hostname) for h in pl.hosts]
        else:
            patterns = self._matching_hosts(str(pl.label), None)
            if not patterns:
                raise orchestrator.OrchestratorValidationError(
                    'Failed to validate OSD spec "%s": no host has the label %s' % (name, pl.label))
        return [cv.drive_group_to_proto(dg, p) for p in patterns]

    def _apply_drivegroup(self, dg: Any, no_overwrite: bool = False) -> List[str]:
        name = dg.service_name()
        if no_overwrite and self._exists(name):
            return [self._skipped(name)]
        out = []
        for proto in self._drive_groups(dg):
            out.append(self._write(lambda cl, p=proto: cl.create_osds(p),
                                   lambda c: 'Scheduled %s update...' % name))
        return out[:1] if len(set(out)) == 1 else out

    @_orch
    def apply_drivegroups(self, specs: List[Any]) -> List[str]:
        out: List[str] = []
        for dg in specs:
            out.extend(self._apply_drivegroup(dg))
        return out

    @_orch
    def create_osds(self, drive_group: Any) -> str:
        out = []
        for proto in self._drive_groups(drive_group):
            def describe(c: Completion, p: Any = proto) -> str:
                if c.is_effective:
                    by_host: Dict[str, List[str]] = {}
                    for o in c.result.osds:
                        by_host.setdefault(o.hostname, []).append(str(o.osd_id))
                    if not by_host:
                        return 'Created no osd(s) on host(s) matching %s; already created?' % p.host_pattern
                    return '\n'.join("Created osd(s) %s on host '%s'" % (','.join(ids), h)
                                     for h, ids in sorted(by_host.items()))
                return "Scheduled to create osd(s) on host(s) matching '%s' (operation %s)" % (
                    p.host_pattern, c.operation_id)
            out.append(self._write(lambda cl, p=proto: cl.create_osds(p), describe))
        return '\n'.join(out)

    def _preview(self, dg: Any) -> Dict[str, List[Dict[str, Any]]]:
        name = str(getattr(dg, 'service_id', None) or 'default')
        preview: Dict[str, List[Dict[str, Any]]] = {}
        for proto in self._drive_groups(dg):
            for host, entries in cv.osd_plans_to_preview(name, self._client().preview_osds(proto)).items():
                preview.setdefault(host, []).extend(entries)
        return preview

    @_orch
    def preview_osdspecs(self, osdspec_name: Optional[str] = 'osd',
                         osdspecs: Optional[List[Any]] = None) -> Dict[str, List[Dict[str, Any]]]:
        specs = list(osdspecs or [])
        if not specs and osdspec_name and osdspec_name != 'osd':
            raise orchestrator.OrchestratorValidationError(
                '%s keeps no OSD specs: pass the specs to preview' % MODULE_NAME)
        out: Dict[str, List[Dict[str, Any]]] = {}
        for dg in specs:
            for host, entries in self._preview(dg).items():
                out.setdefault(host, []).extend(entries)
        return out

    @_orch
    def plan(self, specs: Sequence[Any]) -> List[Dict[str, Any]]:
        """`--dry-run`: what applying the specs would do, in cephadm's shape."""
        if any(str(getattr(s, 'service_type', '')) == 'host' for s in specs):
            return [{'error': 'Found <HostSpec>. Previews that include Host Specifications are not supported, yet.'}]
        results: List[Dict[str, Any]] = [{'warning': _DRY_RUN_WARNING}]
        for spec in specs:
            stype = str(spec.service_type)
            if stype == 'osd':
                results.append({'service_type': 'osd', 'service_name': spec.service_name(),
                                'data': self._preview(spec)})
            else:
                results.append(self._plan_service(spec))
        return results

    def _plan_service(self, spec: Any) -> Dict[str, Any]:
        """Hosts that would gain or lose a daemon: upstream's placement applied to the
        current hosts and daemons (a preview; the service decides when applying)."""
        name = spec.service_name()
        client = self._client()
        hosts = [cv.host_to_spec(h) for h in client.get_hosts()]
        pl = getattr(spec, 'placement', None)
        candidates = pl.filter_matching_hostspecs(hosts) if pl is not None else [h.hostname for h in hosts]
        current = [d.hostname for d in client.list_daemons(service_name=name)]
        count = getattr(pl, 'count', None)
        keep = [h for h in current if h in candidates]
        if count:
            keep = keep[:count]
            add = [h for h in candidates if h not in keep][:max(0, count - len(keep))]
        else:
            add = [h for h in candidates if h not in current]
        remove = [h for h in current if h not in keep and h not in add]
        return {'service_type': str(spec.service_type), 'service_name': name,
                'add': add, 'remove': remove}

    @_orch
    def remove_osds(self, osd_ids: List[str], replace: bool = False, force: bool = False,
                    zap: bool = False, no_destroy: bool = False) -> str:
        if zap:
            raise orchestrator.OrchestratorValidationError('--zap is not supported by %s' % MODULE_NAME)
        if no_destroy:
            raise orchestrator.OrchestratorValidationError('--no-destroy is not supported by %s' % MODULE_NAME)
        try:
            ids = [int(i) for i in osd_ids]
        except (TypeError, ValueError):
            raise orchestrator.OrchestratorValidationError('OSD ids must be numbers, got %s' % ', '.join(osd_ids))
        self._write(lambda cl: cl.remove_osds(ids, replace=bool(replace), force=bool(force)), lambda c: '')
        return 'Scheduled OSD(s) for removal'

    @_orch
    def stop_remove_osds(self, osd_ids: List[str]) -> str:
        wanted = {str(i) for i in osd_ids}
        client = self._client()
        active = (osd_pb2.OsdRemoval.STATE_PENDING, osd_pb2.OsdRemoval.STATE_DRAINING,
                  osd_pb2.OsdRemoval.STATE_STOPPING)
        removals = [r for r in client.remove_osds_status() if str(r.osd_id) in wanted and r.state in active]
        missing = wanted - {str(r.osd_id) for r in removals}
        if missing:
            raise orchestrator.OrchestratorError(
                'Unable to find OSD in the removal queue: %s' % ', '.join(sorted(missing)), errno=-errno.ENOENT)
        for op_id in sorted({r.operation_id for r in removals if r.operation_id}):
            client.cancel(op_id)
        return 'Stopped OSD(s) removal'

    @_orch
    def remove_osds_status(self) -> List[Any]:
        return [cv.OSDRemoval(r) for r in self._client().remove_osds_status()]

    # ------------------------------------------------------------------ upgrades ----

    def _version_arg(self, image: Optional[str], version: Optional[str]) -> str:
        if version:
            return str(version)
        if image:
            raise orchestrator.OrchestratorValidationError(
                '%s upgrades by Ceph version, not by container image: use --ceph-version' % MODULE_NAME)
        raise orchestrator.OrchestratorValidationError('must specify either image or version')

    @_orch
    def upgrade_check(self, image: Optional[str], version: Optional[str]) -> str:
        target = self._version_arg(image, version)
        client = self._client()
        avail = client.upgrade_available()
        needs: Dict[str, Dict[str, str]] = {}
        up_to_date: List[str] = []
        for d in client.list_daemons():
            if d.version == target:
                up_to_date.append(d.daemon_name)
            else:
                needs[d.daemon_name] = {'current_version': d.version}
        return json.dumps({
            'target_version': target,
            'current_version': avail.current_version,
            'available': target in avail.versions,
            'available_versions': list(avail.versions),
            'needs_update': needs,
            'up_to_date': sorted(up_to_date),
        }, indent=4, sort_keys=True)

    @_orch
    def upgrade_ls(self, image: Optional[str], tags: bool) -> Dict[str, Any]:
        avail = self._client().upgrade_available()
        return {'current_version': avail.current_version, 'versions': list(avail.versions)}

    @_orch
    def upgrade_available(self) -> List[str]:
        return list(self._client().upgrade_available().versions)

    @_orch
    def upgrade_start(self, image: Optional[str], version: Optional[str], daemon_types: Optional[List[str]] = None,
                      hosts: Optional[str] = None, services: Optional[List[str]] = None,
                      limit: Optional[int] = None) -> str:
        target = self._version_arg(image, version)
        for name, value in (('--daemon-types', daemon_types), ('--hosts', hosts),
                            ('--services', services), ('--limit', limit)):
            if value:
                raise orchestrator.OrchestratorValidationError(
                    'staggered upgrades (%s) are not supported by %s' % (name, MODULE_NAME))
        return self._write(lambda cl: cl.upgrade_start(target), lambda c: 'Initiating upgrade to %s' % target)

    @_orch
    def upgrade_status(self) -> Any:
        return cv.upgrade_status_to_upstream(self._client().upgrade_status())

    def _upgrade_write(self, verb: str, start: Callable[['OrchestratorClient'], 'Completion']) -> str:
        target = ''
        try:
            target = self._client().upgrade_status().target_version
        except Exception:
            pass
        return self._write(start, lambda c: '%s upgrade to %s' % (verb, target or 'the target version'))

    @_orch
    def upgrade_pause(self) -> str:
        return self._upgrade_write('Paused', lambda cl: cl.upgrade_pause())

    @_orch
    def upgrade_resume(self) -> str:
        return self._upgrade_write('Resumed', lambda cl: cl.upgrade_resume())

    @_orch
    def upgrade_stop(self) -> str:
        return self._upgrade_write('Stopped', lambda cl: cl.upgrade_stop())


__all__ = ['GrpcOrchestrator']
