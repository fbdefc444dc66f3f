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

ceph-mgr finds the module's class here, with its options; the class is made of one mixin
per concern: the connection (connection.py), writes and the operations they start
(writes.py) and their progress events (progress.py), the feature set from the backend's
capabilities (features.py), and the Orchestrator methods by area
(hosts.py, services.py, apply.py, osds.py, upgrades.py); conversions to and from upstream's
objects are in convert.py and specs.py.
"""

import threading
import time
from typing import Any, Dict, List, Optional, Set, Tuple

from mgr_module import MgrModule, Option
import orchestrator

from .apply import Apply
from .connection import IMPORT_ERROR, Connection, occ
from .features import METHOD_RPCS, Features
from .hosts import Hosts
from .osds import Osds
from .progress import Progress
from .services import Services
from .upgrades import Upgrades
from .writes import Writes


class GrpcOrchestrator(Hosts, Services, Apply, Osds, Upgrades, Writes, Progress, Features, Connection,
                       orchestrator.Orchestrator, MgrModule):
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
        if IMPORT_ERROR:
            return False, 'cannot import the ceph-orchestrator Python client: ' + IMPORT_ERROR
        return True, ''

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._client_key: Optional[Tuple[Any, ...]] = None
        self._client_obj: Optional['occ.OrchestratorClient'] = None
        self._stop = threading.Event()
        self._followed: Dict[str, Optional[threading.Thread]] = {}  # op id -> its follower
        self._finished: List[str] = []
        self._finished_set: Set[str] = set()
        self._progress_seen: Dict[str, Tuple[str, float]] = {}
        unmapped = set(self._implemented()) ^ set(METHOD_RPCS)
        if unmapped:  # get_feature_set would misreport these
            self.log.error('methods implemented but not in METHOD_RPCS, or the reverse: %s', sorted(unmapped))

    def serve(self) -> None:
        while not self._stop.is_set():
            interval = float(self._opt('progress_poll_interval') or 0)
            if interval > 0 and not IMPORT_ERROR:
                try:
                    self._adopt_operations()
                except Exception as e:
                    self.log.debug('looking for running operations failed: %s', e)
            if not IMPORT_ERROR:
                try:
                    self._capabilities()  # kept fresh, so that methods are refused up front
                except Exception as e:
                    self.log.debug('GetCapabilities failed: %s', e)
            self._stop.wait(interval if interval > 0 else 5.0)

    def shutdown(self) -> None:
        self._stop.set()
        with self._lock:
            threads = [t for t in self._followed.values() if t is not None]
        deadline = time.monotonic() + 3.0
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))


__all__ = ['GrpcOrchestrator']
