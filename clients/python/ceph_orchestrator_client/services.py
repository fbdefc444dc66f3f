"""ServiceService calls: list services and daemons, act on them, place mons and mgrs, and
add, update and remove stateless services (generically and by upstream's per-type names)."""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional

from ceph_orchestrator.v1 import operation_pb2, service_pb2, service_service_pb2

from .completion import Completion
from .operations import OperationCalls
from .specs import (
    SERVICE_TYPES,
    HostPlacementLike,
    ServiceTypeLike,
    StatelessSpecLike,
    ensure_request_id,
    invalid,
    stateless_spec_from_dict,
    to_placement,
    to_service_type,
    to_stateless_spec,
)

__all__ = ["ServiceCalls"]

_ACTIONS: Dict[str, service_pb2.ServiceAction] = {
    "start": service_pb2.SERVICE_ACTION_START,
    "stop": service_pb2.SERVICE_ACTION_STOP,
    "restart": service_pb2.SERVICE_ACTION_RESTART,
    "reload": service_pb2.SERVICE_ACTION_RELOAD,
    "redeploy": service_pb2.SERVICE_ACTION_REDEPLOY,
}


class ServiceCalls(OperationCalls):
    def describe_service(self, service_type: Optional[ServiceTypeLike] = None, service_name: Optional[str] = None,
                         host: Optional[str] = None, refresh: bool = False) -> List[service_pb2.ServiceDescription]:
        """The services (all pages). ``service_type`` as Ceph names it ("mds") or a
        ServiceType value."""
        req = service_service_pb2.DescribeServicesRequest(
            service_type=to_service_type(service_type),
            service_name=service_name or "", hostname=host or "", refresh=refresh)
        return self._pages("ServiceService", "DescribeServices", req, service_service_pb2.DescribeServicesResponse,
                           "services")

    def list_daemons(self, service_name: Optional[str] = None, daemon_type: Optional[ServiceTypeLike] = None,
                     daemon_id: Optional[str] = None, host: Optional[str] = None,
                     refresh: bool = False) -> List[service_pb2.DaemonDescription]:
        """The daemons (all pages)."""
        req = service_service_pb2.ListDaemonsRequest(
            daemon_type=to_service_type(daemon_type, "daemon_type"),
            service_name=service_name or "", daemon_id=daemon_id or "", hostname=host or "", refresh=refresh)
        return self._pages("ServiceService", "ListDaemons", req, service_service_pb2.ListDaemonsResponse, "daemons")

    @staticmethod
    def _action(action: str) -> service_pb2.ServiceAction:
        if action not in _ACTIONS:
            raise invalid("action", "must be one of %s, got %r" % (", ".join(_ACTIONS), action))
        return _ACTIONS[action]

    def service_action(self, action: str, service_name: str,
                       request_id: Optional[str] = None) -> Completion[operation_pb2.DaemonsActedOn]:
        """"start", "stop", "restart", "reload" or "redeploy" every daemon of a service.
        Result: DaemonsActedOn."""
        req = service_service_pb2.ServiceActionRequest(
            action=self._action(action),
            service_name=service_name, request_id=ensure_request_id(request_id))
        return self._write("ServiceService", "ServiceAction", req, service_service_pb2.ServiceActionResponse,
                           "daemons", operation_pb2.DaemonsActedOn)

    def daemon_action(self, action: str, daemon_name: str, image: Optional[str] = None,
                      request_id: Optional[str] = None) -> Completion[operation_pb2.DaemonsActedOn]:
        """The same for one daemon, e.g. ``daemon_action("restart", "osd.3")``; with
        "redeploy", ``image`` is the Ceph version to run it on (upstream's argument)."""
        req = service_service_pb2.DaemonActionRequest(
            action=self._action(action), daemon_name=daemon_name, version=image or "",
            request_id=ensure_request_id(request_id))
        return self._write("ServiceService", "DaemonAction", req, service_service_pb2.DaemonActionResponse,
                           "daemons", operation_pb2.DaemonsActedOn)

    def remove_daemons(self, names: Iterable[str], force: bool = False,
                       request_id: Optional[str] = None) -> Completion[operation_pb2.DaemonsActedOn]:
        """Remove daemons by name (upstream ``remove_daemons``); ``force`` lets mons go too.
        Result: the daemons removed."""
        req = service_service_pb2.RemoveDaemonsRequest(daemon_names=list(names), force=force,
                                                       request_id=ensure_request_id(request_id))
        return self._write("ServiceService", "RemoveDaemons", req, service_service_pb2.RemoveDaemonsResponse,
                           "daemons", operation_pb2.DaemonsActedOn)

    def update_mons(self, count: int, hosts: Iterable[HostPlacementLike] = (), label: Optional[str] = None,
                    request_id: Optional[str] = None, unmanaged: bool = False
                    ) -> Completion[service_pb2.ServiceDescription]:
        """Run ``count`` mons; ``hosts`` as upstream's ``[(host, network), ...]`` (or names).
        ``unmanaged`` records the placement and leaves the mons alone. Result: the mon service."""
        req = service_service_pb2.UpdateMonsRequest(
            placement=to_placement(count, hosts, label), request_id=ensure_request_id(request_id), unmanaged=unmanaged)
        return self._write("ServiceService", "UpdateMons", req, service_service_pb2.UpdateMonsResponse,
                           "service", service_pb2.ServiceDescription)

    def update_mgrs(self, count: int, hosts: Iterable[HostPlacementLike] = (), label: Optional[str] = None,
                    request_id: Optional[str] = None, unmanaged: bool = False
                    ) -> Completion[service_pb2.ServiceDescription]:
        """Run ``count`` mgrs, optionally on ``hosts`` (``unmanaged`` as for mons). Result: the mgr service."""
        req = service_service_pb2.UpdateMgrsRequest(
            placement=to_placement(count, hosts, label), request_id=ensure_request_id(request_id), unmanaged=unmanaged)
        return self._write("ServiceService", "UpdateMgrs", req, service_service_pb2.UpdateMgrsResponse,
                           "service", service_pb2.ServiceDescription)

    # Stateless services: the generic calls ...

    def add_stateless_service(self, spec: StatelessSpecLike,
                              request_id: Optional[str] = None) -> Completion[service_pb2.ServiceDescription]:
        """Add an MDS, RGW, NFS, iSCSI or rbd-mirror service (a StatelessServiceSpec or a
        dict, see :func:`~ceph_orchestrator_client.specs.stateless_spec_from_dict`). Result:
        the service."""
        req = service_service_pb2.AddStatelessServiceRequest(spec=to_stateless_spec(spec),
                                                             request_id=ensure_request_id(request_id))
        return self._write("ServiceService", "AddStatelessService", req,
                           service_service_pb2.AddStatelessServiceResponse, "service", service_pb2.ServiceDescription)

    def update_stateless_service(self, spec: StatelessSpecLike,
                                 request_id: Optional[str] = None) -> Completion[service_pb2.ServiceDescription]:
        """Update a stateless service (its type and id name it). Result: the service."""
        req = service_service_pb2.UpdateStatelessServiceRequest(spec=to_stateless_spec(spec),
                                                                request_id=ensure_request_id(request_id))
        return self._write("ServiceService", "UpdateStatelessService", req,
                           service_service_pb2.UpdateStatelessServiceResponse, "service",
                           service_pb2.ServiceDescription)

    def remove_stateless_service(self, service_name: str,
                                 request_id: Optional[str] = None) -> Completion[operation_pb2.RemovedService]:
        """Remove a stateless service by name, e.g. "mds.cephfs". Result: RemovedService."""
        req = service_service_pb2.RemoveStatelessServiceRequest(
            service_name=service_name, request_id=ensure_request_id(request_id))
        return self._write("ServiceService", "RemoveStatelessService", req,
                           service_service_pb2.RemoveStatelessServiceResponse, "removed_service",
                           operation_pb2.RemovedService)

    def reconcile_service(self, service_name: str,
                          request_id: Optional[str] = None) -> Completion[service_pb2.ServiceDescription]:
        """Bring a service back to its stored spec now (what the reconciler does by itself):
        deploy missing daemons, remove surplus ones, redeploy failed ones, create OSDs of a
        drive group on available devices. Result: the service."""
        req = service_service_pb2.ReconcileServiceRequest(service_name=service_name,
                                                          request_id=ensure_request_id(request_id))
        return self._write("ServiceService", "ReconcileService", req, service_service_pb2.ReconcileServiceResponse,
                           "service", service_pb2.ServiceDescription)

    def add_daemon(self, spec: StatelessSpecLike,
                   request_id: Optional[str] = None) -> Completion[operation_pb2.DaemonsActedOn]:
        """Upstream's ``add_daemon``: one daemon of the service on each host of
        ``spec.placement.hosts``, for a service without a spec or an unmanaged one. Result:
        the daemons deployed."""
        req = service_service_pb2.AddDaemonsRequest(spec=to_stateless_spec(spec), request_id=ensure_request_id(request_id))
        return self._write("ServiceService", "AddDaemons", req, service_service_pb2.AddDaemonsResponse,
                           "daemons", operation_pb2.DaemonsActedOn)

    # ... and upstream's per-type names.

    @staticmethod
    def _typed(spec: StatelessSpecLike, type_name: str) -> service_pb2.StatelessServiceSpec:
        want = SERVICE_TYPES[type_name]
        if isinstance(spec, service_pb2.StatelessServiceSpec):
            msg = service_pb2.StatelessServiceSpec()
            msg.CopyFrom(spec)
        else:
            msg = stateless_spec_from_dict(spec, type_name)
        if msg.service_type == service_pb2.SERVICE_TYPE_UNSPECIFIED:
            msg.service_type = want
        elif msg.service_type != want:
            raise invalid("spec.service_type", "must be %s for this call" % type_name)
        return msg

    @staticmethod
    def _name(type_name: str, name: Optional[str]) -> str:
        if not name:
            return type_name
        return name if name.startswith(type_name + ".") else "%s.%s" % (type_name, name)

    def add_mds(self, spec: StatelessSpecLike, request_id: Optional[str] = None
                ) -> Completion[service_pb2.ServiceDescription]:
        return self.add_stateless_service(self._typed(spec, "mds"), request_id)

    def update_mds(self, spec: StatelessSpecLike, request_id: Optional[str] = None
                   ) -> Completion[service_pb2.ServiceDescription]:
        return self.update_stateless_service(self._typed(spec, "mds"), request_id)

    def remove_mds(self, name: str, request_id: Optional[str] = None) -> Completion[operation_pb2.RemovedService]:
        """Remove the MDS service of file system ``name``."""
        return self.remove_stateless_service(self._name("mds", name), request_id)

    def add_rgw(self, spec: StatelessSpecLike, request_id: Optional[str] = None
                ) -> Completion[service_pb2.ServiceDescription]:
        return self.add_stateless_service(self._typed(spec, "rgw"), request_id)

    def update_rgw(self, spec: StatelessSpecLike, request_id: Optional[str] = None
                   ) -> Completion[service_pb2.ServiceDescription]:
        return self.update_stateless_service(self._typed(spec, "rgw"), request_id)

    def remove_rgw(self, zone: str, request_id: Optional[str] = None) -> Completion[operation_pb2.RemovedService]:
        return self.remove_stateless_service(self._name("rgw", zone), request_id)

    def add_nfs(self, spec: StatelessSpecLike, request_id: Optional[str] = None
                ) -> Completion[service_pb2.ServiceDescription]:
        return self.add_stateless_service(self._typed(spec, "nfs"), request_id)

    def update_nfs(self, spec: StatelessSpecLike, request_id: Optional[str] = None
                   ) -> Completion[service_pb2.ServiceDescription]:
        return self.update_stateless_service(self._typed(spec, "nfs"), request_id)

    def remove_nfs(self, name: str, request_id: Optional[str] = None) -> Completion[operation_pb2.RemovedService]:
        return self.remove_stateless_service(self._name("nfs", name), request_id)

    def add_iscsi(self, spec: StatelessSpecLike, request_id: Optional[str] = None
                  ) -> Completion[service_pb2.ServiceDescription]:
        return self.add_stateless_service(self._typed(spec, "iscsi"), request_id)

    def update_iscsi(self, spec: StatelessSpecLike, request_id: Optional[str] = None
                     ) -> Completion[service_pb2.ServiceDescription]:
        return self.update_stateless_service(self._typed(spec, "iscsi"), request_id)

    def remove_iscsi(self, name: str, request_id: Optional[str] = None) -> Completion[operation_pb2.RemovedService]:
        return self.remove_stateless_service(self._name("iscsi", name), request_id)

    def add_rbd_mirror(self, spec: Optional[StatelessSpecLike] = None, request_id: Optional[str] = None
                       ) -> Completion[service_pb2.ServiceDescription]:
        return self.add_stateless_service(self._typed(spec or {}, "rbd-mirror"), request_id)

    def update_rbd_mirror(self, spec: StatelessSpecLike, request_id: Optional[str] = None
                          ) -> Completion[service_pb2.ServiceDescription]:
        return self.update_stateless_service(self._typed(spec, "rbd-mirror"), request_id)

    def remove_rbd_mirror(self, name: Optional[str] = None, request_id: Optional[str] = None
                          ) -> Completion[operation_pb2.RemovedService]:
        return self.remove_stateless_service(self._name("rbd-mirror", name), request_id)
