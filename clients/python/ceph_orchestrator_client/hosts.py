"""HostService calls: add and remove hosts, list them, label them, take them out of service
(ok-to-stop, maintenance, drain)."""

from __future__ import annotations

from typing import Iterable, List, Optional, Tuple, Union

from ceph_orchestrator.v1 import host_pb2, host_service_pb2, operation_pb2

from .completion import Completion
from .operations import OperationCalls
from .specs import ensure_request_id

__all__ = ["HostCalls"]


class HostCalls(OperationCalls):
    def add_host(self, hostname: Union[str, host_pb2.Host], addr: str = "", labels: Iterable[str] = (),
                 request_id: Optional[str] = None, maintenance: bool = False) -> Completion[host_pb2.Host]:
        """Add a host (or a Host/HostSpec-like message); ``maintenance`` adds it in maintenance
        (upstream ``host add --maintenance``). Result: the host."""
        host = hostname if isinstance(hostname, host_pb2.Host) else host_pb2.Host(
            hostname=hostname, addr=addr, labels=list(labels),
            status=host_pb2.Host.STATUS_MAINTENANCE if maintenance else host_pb2.Host.STATUS_UNSPECIFIED)
        req = host_service_pb2.AddHostRequest(host=host, request_id=ensure_request_id(request_id))
        return self._write("HostService", "AddHost", req, host_service_pb2.AddHostResponse, "host", host_pb2.Host)

    def update_host_addr(self, hostname: str, addr: str,
                         request_id: Optional[str] = None) -> Completion[host_pb2.Host]:
        """Reach a host at another address (upstream ``update_host_addr``). Result: the host."""
        req = host_service_pb2.UpdateHostAddrRequest(hostname=hostname, addr=addr, request_id=ensure_request_id(request_id))
        return self._write("HostService", "UpdateHostAddr", req, host_service_pb2.UpdateHostAddrResponse, "host", host_pb2.Host)

    def remove_host(self, hostname: str, force: bool = False,
                    request_id: Optional[str] = None) -> Completion[operation_pb2.RemovedHost]:
        """Remove a host. Result: RemovedHost."""
        req = host_service_pb2.RemoveHostRequest(hostname=hostname, force=force, request_id=ensure_request_id(request_id))
        return self._write("HostService", "RemoveHost", req, host_service_pb2.RemoveHostResponse,
                           "removed_host", operation_pb2.RemovedHost)

    def get_hosts(self, label: Optional[str] = None) -> List[host_pb2.Host]:
        """Every host (all pages), optionally only those with ``label``."""
        req = host_service_pb2.ListHostsRequest(label=label or "")
        return self._pages("HostService", "ListHosts", req, host_service_pb2.ListHostsResponse, "hosts")

    def add_host_label(self, hostname: str, label: str,
                       request_id: Optional[str] = None) -> Completion[host_pb2.Host]:
        req = host_service_pb2.AddHostLabelRequest(hostname=hostname, label=label, request_id=ensure_request_id(request_id))
        return self._write("HostService", "AddHostLabel", req, host_service_pb2.AddHostLabelResponse,
                           "host", host_pb2.Host)

    def remove_host_label(self, hostname: str, label: str,
                          request_id: Optional[str] = None) -> Completion[host_pb2.Host]:
        req = host_service_pb2.RemoveHostLabelRequest(hostname=hostname, label=label,
                                                      request_id=ensure_request_id(request_id))
        return self._write("HostService", "RemoveHostLabel", req, host_service_pb2.RemoveHostLabelResponse,
                           "host", host_pb2.Host)

    def host_ok_to_stop(self, hostname: str) -> Tuple[bool, List[str]]:
        """Whether every daemon on the host may stop now (upstream ``host_ok_to_stop``):
        ``(ok, reasons)``, a reason per check that failed."""
        resp = self._unary("HostService", "HostOkToStop", host_service_pb2.HostOkToStopRequest(hostname=hostname),
                           host_service_pb2.HostOkToStopResponse)
        return bool(resp.ok), list(resp.reasons)

    def enter_host_maintenance(self, hostname: str, force: bool = False,
                               request_id: Optional[str] = None) -> Completion[host_pb2.Host]:
        """Stop every daemon on the host and mark it in maintenance; refused when it is not
        ok to stop, unless ``force``. Result: the host."""
        req = host_service_pb2.EnterHostMaintenanceRequest(hostname=hostname, force=force,
                                                           request_id=ensure_request_id(request_id))
        return self._write("HostService", "EnterHostMaintenance", req, host_service_pb2.EnterHostMaintenanceResponse,
                           "host", host_pb2.Host)

    def exit_host_maintenance(self, hostname: str, request_id: Optional[str] = None) -> Completion[host_pb2.Host]:
        """Start the host's daemons again and end its maintenance. Result: the host."""
        req = host_service_pb2.ExitHostMaintenanceRequest(hostname=hostname, request_id=ensure_request_id(request_id))
        return self._write("HostService", "ExitHostMaintenance", req, host_service_pb2.ExitHostMaintenanceResponse,
                           "host", host_pb2.Host)

    def drain_host(self, hostname: str, request_id: Optional[str] = None) -> Completion[operation_pb2.DaemonsActedOn]:
        """Label the host ``_no_schedule`` and remove every daemon on it (its OSDs drained
        first). Result: the daemons removed."""
        req = host_service_pb2.DrainHostRequest(hostname=hostname, request_id=ensure_request_id(request_id))
        return self._write("HostService", "DrainHost", req, host_service_pb2.DrainHostResponse,
                           "daemons", operation_pb2.DaemonsActedOn)
