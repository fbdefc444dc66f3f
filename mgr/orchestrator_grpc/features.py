"""get_feature_set(): which of upstream's Orchestrator methods work, from the service's
GetCapabilities, so that the dashboard and the CLI offer only what the backend can do.

Upstream's default counts every method the class overrides as available, which would
report upgrades and device lights on a backend that answers UNIMPLEMENTED. Here a method is
available when the module implements it and the backend supports every RPC it calls
(METHOD_RPCS). The same answer refuses such a method before it runs, with upstream's
NotImplementedError, so the CLI never offers what the feature set denies.
"""

import threading
import time
from typing import Any, Dict, Optional, Tuple

import orchestrator

# Upstream method -> the RPCs it always calls (service.method): every method of Pacific's
# interface the module implements (its __init__ logs any mismatch). One table for the
# feature set and for refusing a method up front.
METHOD_RPCS: Dict[str, Tuple[str, ...]] = {
    'pause': ('OrchestratorService.PauseReconciliation',),
    'resume': ('OrchestratorService.ResumeReconciliation',),
    'add_host': ('HostService.AddHost',),
    'remove_host': ('HostService.RemoveHost',),
    'update_host_addr': ('HostService.UpdateHostAddr',),
    'get_hosts': ('HostService.ListHosts',),
    'add_host_label': ('HostService.AddHostLabel',),
    'host_ok_to_stop': ('HostService.HostOkToStop',),
    'enter_host_maintenance': ('HostService.EnterHostMaintenance',),
    'exit_host_maintenance': ('HostService.ExitHostMaintenance',),
    'drain_host': ('HostService.DrainHost',),
    'remove_host_label': ('HostService.RemoveHostLabel',),
    'get_inventory': ('InventoryService.GetInventory',),
    'blink_device_light': ('InventoryService.BlinkDeviceLight',),
    'zap_device': ('InventoryService.ZapDevice',),
    'describe_service': ('ServiceService.DescribeServices',),
    'list_daemons': ('ServiceService.ListDaemons',),
    'service_action': ('ServiceService.ServiceAction',),
    'daemon_action': ('ServiceService.DaemonAction',),
    'remove_daemons': ('ServiceService.RemoveDaemons',),
    'remove_service': ('ServiceService.RemoveStatelessService',),
    # apply dispatches by spec type: available when the service specs the dashboard
    # creates and edits (mds, rgw, nfs, ...) can be applied.
    'apply': ('ServiceService.DescribeServices', 'ServiceService.AddStatelessService',
              'ServiceService.UpdateStatelessService'),
    'apply_mon': ('ServiceService.UpdateMons',),
    'apply_mgr': ('ServiceService.UpdateMgrs',),
    **{m: ('ServiceService.DescribeServices', 'ServiceService.AddStatelessService',
           'ServiceService.UpdateStatelessService')
       for m in ('apply_mds', 'apply_rgw', 'apply_nfs', 'apply_iscsi', 'apply_rbd_mirror', 'apply_crash',
                 'apply_node_exporter', 'apply_prometheus', 'apply_grafana', 'apply_alertmanager')},
    'add_daemon': ('ServiceService.AddDaemons',),
    'apply_drivegroups': ('OsdService.CreateOsds',),
    'create_osds': ('OsdService.CreateOsds',),
    'plan': ('OsdService.PreviewOsds', 'HostService.ListHosts', 'ServiceService.ListDaemons'),
    'preview_osdspecs': ('OsdService.PreviewOsds',),
    'remove_osds': ('OsdService.RemoveOsds',),
    'stop_remove_osds': ('OsdService.GetOsdRemovalStatus', 'OperationService.CancelOperation'),
    'remove_osds_status': ('OsdService.GetOsdRemovalStatus',),
    'upgrade_check': ('UpgradeService.GetAvailableUpgrades', 'ServiceService.ListDaemons'),
    'upgrade_ls': ('UpgradeService.GetAvailableUpgrades',),
    'upgrade_start': ('UpgradeService.StartUpgrade',),
    'upgrade_status': ('UpgradeService.GetUpgradeStatus',),
    'upgrade_pause': ('UpgradeService.PauseUpgrade',),
    'upgrade_resume': ('UpgradeService.ResumeUpgrade',),
    'upgrade_stop': ('UpgradeService.StopUpgrade',),
    'cancel_completions': ('OperationService.ListOperations', 'OperationService.CancelOperation'),
}

# Dispatchers reach different RPCs per spec type: each RPC's own UNIMPLEMENTED answers, so
# they are never refused up front (a backend with OSDs but no stateless services still
# takes `orch apply osd`).
_DISPATCHERS = frozenset({'apply', 'plan'})

CAPABILITIES_TTL = 30.0  # seconds; capabilities change only with the backend


def upstream_methods() -> Tuple[str, ...]:
    """The methods upstream's get_feature_set() reports, with upstream's filter."""
    base = orchestrator.Orchestrator
    return tuple(a for a in base.__dict__ if not a.startswith('_')
                 and not getattr(getattr(base, a), '_hide_in_features', False))


class Features:
    """The backend's capabilities (cached per connection) and the feature set from them."""

    _caps_lock = threading.Lock()
    _caps: Optional[Tuple[Any, float, Dict[str, bool]]] = None  # (client key, fetched, rpc -> supported)

    def _implemented(self) -> Tuple[str, ...]:
        base = orchestrator.Orchestrator
        return tuple(m for m in upstream_methods() if getattr(base, m, None) != getattr(type(self), m))

    def _capabilities(self, fetch: bool = True) -> Optional[Dict[str, bool]]:
        """RPC (service.method) -> supported, fetched again after CAPABILITIES_TTL or when
        the connection's options change; None when unknown (and not fetched, or the
        service did not answer)."""
        client = self._client()
        with self._caps_lock:
            cached = self._caps
        if cached and cached[0] == self._client_key and time.monotonic() - cached[1] < CAPABILITIES_TTL:
            return cached[2]
        if not fetch:
            return None
        key = self._client_key
        caps = {r.method.split('.', 2)[-1]: bool(r.supported) for r in client.get_capabilities().rpcs}
        with self._caps_lock:
            self._caps = (key, time.monotonic(), caps)
        return caps

    def _unsupported_rpcs(self, method: str, caps: Dict[str, bool]) -> Tuple[str, ...]:
        return tuple(r for r in METHOD_RPCS.get(method, ()) if not caps.get(r, False))

    def get_feature_set(self) -> Dict[str, Dict[str, bool]]:
        """Upstream's shape, {method: {'available': bool}} for every method of the
        Orchestrator interface. Never raises: upstream's _oremote calls it while handling
        another error, which must not be hidden; unknown capabilities (the service does not
        answer) leave the implemented methods available, as upstream's default does."""
        implemented = set(self._implemented())
        try:
            caps: Optional[Dict[str, bool]] = self._capabilities()
        except Exception as e:
            self.log.debug('GetCapabilities failed: %s', e)
            caps = None
        return {m: {'available': m in implemented and m in METHOD_RPCS
                    and (caps is None or not self._unsupported_rpcs(m, caps))}
                for m in upstream_methods()}

    def _refuse_unsupported(self, method: str) -> None:
        """Upstream's NotImplementedError for a method the backend cannot serve, judged on
        the capabilities already known (never an extra call before the method's own)."""
        if method in _DISPATCHERS:
            return
        try:
            caps = self._capabilities(fetch=False)
        except Exception:
            return  # the method's own call reports what is wrong
        missing = self._unsupported_rpcs(method, caps) if caps is not None else ()
        if missing:
            raise NotImplementedError('the backend of the orchestrator service at %s does not support %s'
                                      % (self._target(), ', '.join(missing)))
