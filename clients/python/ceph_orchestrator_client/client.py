"""OrchestratorClient: upstream's ``OrchestratorClientMixin`` method names over gRPC.

Reads return their typed results at once (protobuf messages, lists of them, or tuples);
writes return a :class:`~ceph_orchestrator_client.completion.Completion`. Errors are
upstream's exception classes (:mod:`ceph_orchestrator_client.errors`).

The calls are grouped by the service they use: :mod:`.hosts`, :mod:`.inventory`,
:mod:`.services`, :mod:`.osds`, :mod:`.upgrades` and :mod:`.operations` (which the others
build on); this module puts them together with the connection settings and the
OrchestratorService calls.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Union

from ceph_orchestrator.v1 import orchestrator_service_pb2

from .errors import OrchestratorError, StatusCode
from .hosts import HostCalls
from .inventory import InventoryCalls
from .operations import PACKAGE
from .osds import OsdCalls
from .services import ServiceCalls
from .specs import SERVICE_TYPES, drive_group_from_dict, stateless_spec_from_dict
from .transport import Metadata, PemSource, TlsSettings, Transport
from .upgrades import UpgradeCalls

__all__ = ["OrchestratorClient", "SERVICE_TYPES", "TransportName", "drive_group_from_dict", "stateless_spec_from_dict"]

TransportName = str  # "grpcio" or "h2"

#: Which client methods each RPC serves, for get_feature_set().
_FEATURES: Dict[str, Tuple[str, ...]] = {
    "OrchestratorService.GetStatus": ("available",),
    "OrchestratorService.GetCapabilities": ("get_feature_set",),
    "OrchestratorService.PauseReconciliation": ("pause",),
    "OrchestratorService.ResumeReconciliation": ("resume",),
    "HostService.AddHost": ("add_host",),
    "HostService.UpdateHostAddr": ("update_host_addr",),
    "HostService.RemoveHost": ("remove_host",),
    "HostService.ListHosts": ("get_hosts",),
    "HostService.AddHostLabel": ("add_host_label",),
    "HostService.RemoveHostLabel": ("remove_host_label",),
    "HostService.HostOkToStop": ("host_ok_to_stop",),
    "HostService.EnterHostMaintenance": ("enter_host_maintenance",),
    "HostService.ExitHostMaintenance": ("exit_host_maintenance",),
    "HostService.DrainHost": ("drain_host",),
    "InventoryService.GetInventory": ("get_inventory",),
    "InventoryService.BlinkDeviceLight": ("blink_device_light",),
    "InventoryService.ZapDevice": ("zap_device",),
    "ServiceService.DescribeServices": ("describe_service",),
    "ServiceService.ListDaemons": ("list_daemons",),
    "ServiceService.ServiceAction": ("service_action",),
    "ServiceService.DaemonAction": ("daemon_action",),
    "ServiceService.RemoveDaemons": ("remove_daemons",),
    "ServiceService.UpdateMons": ("update_mons",),
    "ServiceService.UpdateMgrs": ("update_mgrs",),
    "ServiceService.AddStatelessService": (
        "add_stateless_service", "add_mds", "add_rgw", "add_nfs", "add_iscsi", "add_rbd_mirror"),
    "ServiceService.UpdateStatelessService": (
        "update_stateless_service", "update_mds", "update_rgw", "update_nfs", "update_iscsi", "update_rbd_mirror"),
    "ServiceService.RemoveStatelessService": (
        "remove_stateless_service", "remove_mds", "remove_rgw", "remove_nfs", "remove_iscsi", "remove_rbd_mirror"),
    "ServiceService.ReconcileService": ("reconcile_service",),
    "ServiceService.AddDaemons": ("add_daemon",),
    "OsdService.CreateOsds": ("create_osds",),
    "OsdService.PreviewOsds": ("preview_osds",),
    "OsdService.ReplaceOsds": ("replace_osds",),
    "OsdService.RemoveOsds": ("remove_osds",),
    "OsdService.GetOsdRemovalStatus": ("remove_osds_status",),
    "UpgradeService.GetAvailableUpgrades": ("upgrade_available",),
    "UpgradeService.StartUpgrade": ("upgrade_start",),
    "UpgradeService.GetUpgradeStatus": ("upgrade_status",),
    "UpgradeService.PauseUpgrade": ("upgrade_pause",),
    "UpgradeService.ResumeUpgrade": ("upgrade_resume",),
    "UpgradeService.StopUpgrade": ("upgrade_stop",),
    "OperationService.GetOperation": ("get_operation",),
    "OperationService.ListOperations": ("list_operations",),
    "OperationService.WatchOperation": ("watch",),
    "OperationService.WaitOperations": ("wait",),
    "OperationService.CancelOperation": ("cancel",),
}


class OrchestratorClient(HostCalls, InventoryCalls, ServiceCalls, OsdCalls, UpgradeCalls):
    """A client of the ceph-orchestrator gRPC service.

    ``target`` is "host:port". ``transport`` is "grpcio" (ordinary processes), "h2" (pure
    Python: use it inside ceph-mgr) or a :class:`Transport`. ``timeout`` is the deadline of
    each unary call and of the first answer to a write, in seconds. ``stream_timeout`` is
    the deadline of an operation stream (None: none); ``Completion.wait`` re-attaches after
    it passes. A call that finds the service UNAVAILABLE is tried ``retries`` more times;
    writes keep their request_id, so a retried write is never done twice. ``page_size``
    is the page size the list methods ask for (0: the server's default); they always
    return every page. ``metadata`` is sent with every call.

    Security (README "Security"): ``tls_ca`` (the CA of the server's certificate) turns on
    TLS; ``tls_cert`` and ``tls_key`` add a client certificate (mutual TLS); each is a PEM
    file's path or its PEM bytes. ``tls_server_name`` is the name to check the server's
    certificate against when it is not the target's host. ``token`` is a bearer token from
    the server's tokens file, sent as ``authorization: Bearer <token>`` with every call
    (over TLS; the server accepts plaintext only on loopback).
    """

    def __init__(
        self,
        target: str,
        transport: Union[TransportName, Transport] = "grpcio",
        timeout: float = 30.0,
        stream_timeout: Optional[float] = None,
        retries: int = 2,
        metadata: Metadata = (),
        page_size: int = 0,
        tls_ca: Optional[PemSource] = None,
        tls_cert: Optional[PemSource] = None,
        tls_key: Optional[PemSource] = None,
        tls_server_name: Optional[str] = None,
        token: Optional[str] = None,
    ) -> None:
        self.target = target
        self.page_size = page_size
        self.timeout = timeout
        self.stream_timeout = stream_timeout
        self.retries = retries
        self.metadata = list(metadata)
        if token is not None:
            if not token or any(ord(c) < 0x21 or ord(c) > 0x7E for c in token):
                raise ValueError("token must be printable ASCII without spaces")
            self.metadata.append(("authorization", "Bearer " + token))
        tls = TlsSettings.of(tls_ca, tls_cert, tls_key, tls_server_name)
        if isinstance(transport, Transport):
            if tls is not None:
                raise ValueError("pass the TLS settings to the Transport itself")
            self.transport = transport
        elif transport == "grpcio":
            from .grpcio_transport import GrpcioTransport

            self.transport = GrpcioTransport(target, tls=tls)
        elif transport == "h2":
            from .h2_transport import H2Transport

            self.transport = H2Transport(target, tls=tls)
        else:
            raise ValueError("transport must be 'grpcio', 'h2' or a Transport, got %r" % (transport,))

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> "OrchestratorClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- orchestrator ----------------------------------------------------------------

    def available(self) -> Tuple[bool, str, Dict[str, Any]]:
        """(available, reason, details) as upstream's ``available()``; the details hold the
        backend's facts, its name under "backend" and whether reconciliation is paused under
        "paused" (as cephadm's). An unreachable service is ``(False, why, {})`` rather than
        an error."""
        try:
            resp = self._unary("OrchestratorService", "GetStatus", orchestrator_service_pb2.GetStatusRequest(),
                               orchestrator_service_pb2.GetStatusResponse)
        except OrchestratorError as err:
            if err.code in (StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED):
                return False, "cannot reach the orchestrator service at %s: %s" % (self.target, err), {}
            raise
        details: Dict[str, Any] = dict(resp.details)
        if resp.backend:
            details.setdefault("backend", resp.backend)
            details["paused"] = bool(resp.paused)
        return bool(resp.available), resp.reason, details

    def pause(self) -> None:
        """Upstream's ``pause()`` (``ceph orch pause``): the reconciler starts nothing until
        :meth:`resume`; kept across restarts of the service."""
        self._unary("OrchestratorService", "PauseReconciliation", orchestrator_service_pb2.PauseReconciliationRequest(),
                    orchestrator_service_pb2.PauseReconciliationResponse)

    def resume(self) -> None:
        """Upstream's ``resume()`` (``ceph orch resume``)."""
        self._unary("OrchestratorService", "ResumeReconciliation", orchestrator_service_pb2.ResumeReconciliationRequest(),
                    orchestrator_service_pb2.ResumeReconciliationResponse)

    def get_capabilities(self) -> orchestrator_service_pb2.GetCapabilitiesResponse:
        """The backend's exact capabilities: every RPC, supported or not, with the request
        fields it does not support."""
        return self._unary("OrchestratorService", "GetCapabilities", orchestrator_service_pb2.GetCapabilitiesRequest(),
                           orchestrator_service_pb2.GetCapabilitiesResponse)

    def get_feature_set(self) -> Dict[str, Dict[str, Any]]:
        """Upstream's ``get_feature_set()``: ``{method name: {"available": bool}}`` for the
        methods of this client, from the backend's capabilities."""
        caps = self.get_capabilities()
        features: Dict[str, Dict[str, Any]] = {}
        for rpc in caps.rpcs:
            short = rpc.method[len(PACKAGE) + 1:] if rpc.method.startswith(PACKAGE + ".") else rpc.method
            for name in _FEATURES.get(short, ()):
                features[name] = {"available": bool(rpc.supported)}
        return features
