"""The connection to the gRPC service: the Python client (imported here, once: when it
cannot be, IMPORT_ERROR says why and can_run() reports it), built from the module's
options, and the errors of calls turned into upstream's exceptions.
"""

import functools
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar

import orchestrator
from ceph.deployment.hostspec import SpecValidationError

from . import _paths

MODULE_NAME = 'orchestrator_grpc'

_paths.setup()  # the client and the stubs on sys.path; protobuf's pure-Python implementation
IMPORT_ERROR: Optional[str] = None
try:
    import ceph_orchestrator_client as occ
    from . import convert as cv
    from . import specs as sp
except Exception as _e:  # the module shows as "can_run: false" with why
    IMPORT_ERROR = '%s: %s (searched %s)' % (type(_e).__name__, _e, ', '.join(_paths.candidate_paths()))
    # The mixins still import; can_run() keeps ceph-mgr from using them, and _client() raises why.
    occ = cv = sp = None  # type: ignore[assignment]

FuncT = TypeVar('FuncT', bound=Callable[..., Any])

# Codes whose message only makes sense together with the service's address.
_TRANSPORT_CODES = ('UNAVAILABLE', 'DEADLINE_EXCEEDED', 'CANCELLED', 'UNKNOWN', 'INTERNAL',
                    'UNAUTHENTICATED', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'DATA_LOSS')


def raising_method(f: FuncT) -> FuncT:
    """An Orchestrator method that upstream calls without an OrchResult (pause, resume):
    refused up front when the backend lacks its RPCs (as get_feature_set says), and its
    errors raised as upstream's exceptions."""
    @functools.wraps(f)
    def mapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            self._refuse_unsupported(f.__name__)
            return f(self, *args, **kwargs)
        except Exception as e:
            raise self._upstream_error(e) from None
    return mapped  # type: ignore[return-value]


def orchestrator_method(f: FuncT) -> FuncT:
    """An Orchestrator method as raising_method, whose result is an OrchResult (upstream's
    handle_orch_error) that crosses sub-interpreters."""
    return orchestrator.handle_orch_error(raising_method(f))  # type: ignore[return-value]


class Connection:
    """The service's client from the module's options, `orch status` and `orch pause|resume`."""

    def _opt(self, name: str) -> Any:
        return self.get_module_option(name)

    def _target(self) -> str:
        return str(self._opt('grpc_target') or '')

    def _client(self) -> 'occ.OrchestratorClient':
        """The client for the current options (rebuilt when they change)."""
        if IMPORT_ERROR:
            raise orchestrator.OrchestratorError('%s cannot run: %s' % (MODULE_NAME, IMPORT_ERROR))
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
                    self._client_obj = occ.OrchestratorClient(
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

    def _refresh_client(self) -> 'occ.OrchestratorClient':
        base = self._client()
        return occ.OrchestratorClient(base.target, transport=base.transport,
                                  timeout=float(self._opt('refresh_timeout')),
                                  stream_timeout=base.stream_timeout, retries=0, metadata=base.metadata)

    def _upstream_error(self, e: Exception) -> Exception:
        """Upstream's exception for any error (exceptions are pickled to cross
        sub-interpreters, so only classes the orchestrator module knows may leave)."""
        if isinstance(e, NotImplementedError):
            # The CLI prints upstream's "This Orchestrator does not support `<command>`".
            return NotImplementedError(str(e))
        if isinstance(e, orchestrator.OrchestratorError):
            return e  # already upstream's (NoOrchestrator, OrchestratorValidationError, ...)
        if IMPORT_ERROR is None:
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

    @raising_method
    def pause(self) -> None:
        """`ceph orch pause`: the service's reconciler starts nothing until resume (the
        service keeps the pause across its restarts); `orch status` says "Paused: Yes"."""
        self._client().pause()

    @raising_method
    def resume(self) -> None:
        """`ceph orch resume`: the reconciler runs again and looks at every service at once."""
        self._client().resume()
