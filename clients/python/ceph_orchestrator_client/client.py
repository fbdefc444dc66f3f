"""OrchestratorClient: upstream's ``OrchestratorClientMixin`` method names over gRPC.

Reads return their typed results at once (protobuf messages, lists of them, or tuples);
writes return a :class:`~ceph_orchestrator_client.completion.Completion`. Errors are
upstream's exception classes (:mod:`ceph_orchestrator_client.errors`).
"""

from __future__ import annotations

import time
import uuid
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
    cast,
)

from google.protobuf import duration_pb2, json_format
from google.protobuf import message as _message

from ceph_orchestrator.v1 import (
    host_pb2,
    host_service_pb2,
    inventory_pb2,
    inventory_service_pb2,
    operation_pb2,
    operation_service_pb2,
    orchestrator_service_pb2,
    osd_pb2,
    osd_service_pb2,
    service_pb2,
    service_service_pb2,
    upgrade_pb2,
    upgrade_service_pb2,
)

from .completion import Completion
from .errors import OrchestratorError, OrchestratorValidationError, StatusCode
from .transport import Metadata, PemSource, ServerStream, TlsSettings, Transport

__all__ = ["OrchestratorClient", "SERVICE_TYPES", "TransportName"]

M = TypeVar("M", bound=_message.Message)
R = TypeVar("R", bound=_message.Message)
T = TypeVar("T")

TransportName = str  # "grpcio" or "h2"

_PKG = "ceph_orchestrator.v1"

#: Ceph's service type names and their ServiceType values.
SERVICE_TYPES: Dict[str, service_pb2.ServiceType] = {
    "mon": service_pb2.SERVICE_TYPE_MON,
    "mgr": service_pb2.SERVICE_TYPE_MGR,
    "osd": service_pb2.SERVICE_TYPE_OSD,
    "mds": service_pb2.SERVICE_TYPE_MDS,
    "rgw": service_pb2.SERVICE_TYPE_RGW,
    "nfs": service_pb2.SERVICE_TYPE_NFS,
    "iscsi": service_pb2.SERVICE_TYPE_ISCSI,
    "rbd-mirror": service_pb2.SERVICE_TYPE_RBD_MIRROR,
    "crash": service_pb2.SERVICE_TYPE_CRASH,
}
_TYPE_NAMES = {v: k for k, v in SERVICE_TYPES.items()}

_ACTIONS: Dict[str, service_pb2.ServiceAction] = {
    "start": service_pb2.SERVICE_ACTION_START,
    "stop": service_pb2.SERVICE_ACTION_STOP,
    "restart": service_pb2.SERVICE_ACTION_RESTART,
    "reload": service_pb2.SERVICE_ACTION_RELOAD,
    "redeploy": service_pb2.SERVICE_ACTION_REDEPLOY,
}

_LIGHTS: Dict[str, inventory_pb2.LightType] = {"ident": inventory_pb2.LIGHT_TYPE_IDENT, "fault": inventory_pb2.LIGHT_TYPE_FAULT}

#: Which client methods each RPC serves, for get_feature_set().
_FEATURES: Dict[str, Tuple[str, ...]] = {
    "OrchestratorService.GetStatus": ("available",),
    "OrchestratorService.GetCapabilities": ("get_feature_set",),
    "HostService.AddHost": ("add_host",),
    "HostService.RemoveHost": ("remove_host",),
    "HostService.ListHosts": ("get_hosts",),
    "HostService.AddHostLabel": ("add_host_label",),
    "HostService.RemoveHostLabel": ("remove_host_label",),
    "InventoryService.GetInventory": ("get_inventory",),
    "InventoryService.BlinkDeviceLight": ("blink_device_light",),
    "ServiceService.DescribeServices": ("describe_service",),
    "ServiceService.ListDaemons": ("list_daemons",),
    "ServiceService.ServiceAction": ("service_action",),
    "ServiceService.DaemonAction": ("daemon_action",),
    "ServiceService.UpdateMons": ("update_mons",),
    "ServiceService.UpdateMgrs": ("update_mgrs",),
    "ServiceService.AddStatelessService": (
        "add_stateless_service", "add_mds", "add_rgw", "add_nfs", "add_iscsi", "add_rbd_mirror"),
    "ServiceService.UpdateStatelessService": (
        "update_stateless_service", "update_mds", "update_rgw", "update_nfs", "update_iscsi", "update_rbd_mirror"),
    "ServiceService.RemoveStatelessService": (
        "remove_stateless_service", "remove_mds", "remove_rgw", "remove_nfs", "remove_iscsi", "remove_rbd_mirror"),
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

# Flat keys of upstream's RGWSpec / NFSServiceSpec / iSCSI spec that belong in the
# type-specific message of a StatelessServiceSpec dict.
_DETAIL_KEYS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "rgw": ("rgw", tuple(service_pb2.RgwSpec.DESCRIPTOR.fields_by_name)),
    "nfs": ("nfs", tuple(service_pb2.NfsSpec.DESCRIPTOR.fields_by_name)),
    "iscsi": ("iscsi", tuple(service_pb2.IscsiSpec.DESCRIPTOR.fields_by_name)),
}

HostPlacementLike = Union[str, Sequence[str], service_pb2.HostPlacement]
DeviceLightLike = Union[inventory_pb2.DeviceLightLocation, Sequence[str]]
DriveGroupLike = Union[osd_pb2.DriveGroupSpec, Mapping[str, Any]]
StatelessSpecLike = Union[service_pb2.StatelessServiceSpec, Mapping[str, Any]]
ServiceTypeLike = Union[str, int]


def _path(service: str, method: str) -> str:
    return "/%s.%s/%s" % (_PKG, service, method)


def _request_id(request_id: Optional[str]) -> str:
    return request_id if request_id else str(uuid.uuid4())


def _invalid(field: str, description: str) -> OrchestratorValidationError:
    """A client-side validation error, shaped like the server's."""
    return OrchestratorValidationError(
        "%s: %s" % (field, description), field_violations=[(field, description)], reason="INVALID_FIELD")


_SERVICE_TYPE_ENUM = service_pb2.DESCRIPTOR.enum_types_by_name["ServiceType"]


def _service_type(value: Optional[ServiceTypeLike], field: str = "service_type") -> service_pb2.ServiceType:
    """A ServiceType from Ceph's name ("mds"), the enum's name or its value."""
    if value is None or value == "":
        return service_pb2.SERVICE_TYPE_UNSPECIFIED
    if isinstance(value, int):
        return cast(service_pb2.ServiceType, value)
    if value in SERVICE_TYPES:
        return SERVICE_TYPES[value]
    if value in _SERVICE_TYPE_ENUM.values_by_name:
        return cast(service_pb2.ServiceType, _SERVICE_TYPE_ENUM.values_by_name[value].number)
    raise _invalid(field, "unknown service type %r (one of %s)" % (value, ", ".join(SERVICE_TYPES)))


def _host_placement(item: HostPlacementLike) -> service_pb2.HostPlacement:
    """"host", (host, network), (host, network, name) or a HostPlacement."""
    if isinstance(item, service_pb2.HostPlacement):
        return item
    if isinstance(item, str):
        return service_pb2.HostPlacement(hostname=item)
    parts = list(item) + ["", ""]
    return service_pb2.HostPlacement(hostname=parts[0], network=parts[1] or "", name=parts[2] or "")


def _placement(count: int = 0, hosts: Iterable[HostPlacementLike] = (), label: Optional[str] = None,
               host_pattern: Optional[str] = None) -> service_pb2.Placement:
    return service_pb2.Placement(
        count=count, hosts=[_host_placement(h) for h in hosts], label=label or "", host_pattern=host_pattern or "")


def _parse(data: Mapping[str, Any], msg: M, what: str) -> M:
    try:
        return json_format.ParseDict(dict(data), msg)
    except json_format.ParseError as err:
        raise _invalid(what, str(err)) from None


def _placement_dict(p: Any) -> Any:
    if isinstance(p, Mapping) and "hosts" in p:
        p = dict(p)
        hosts = []
        for h in p["hosts"]:
            if isinstance(h, Mapping):
                hosts.append(dict(h))
            else:
                hp = _host_placement(h)
                hosts.append({"hostname": hp.hostname, "network": hp.network, "name": hp.name})
        p["hosts"] = hosts
    return p


def drive_group_from_dict(data: Mapping[str, Any]) -> osd_pb2.DriveGroupSpec:
    """A DriveGroupSpec from a dict in upstream's (or the proto's) shape:
    ``objectstore: "bluestore"``, ``placement: {host_pattern: ...}``,
    ``osd_id_claims: {host: [ids]}`` are accepted besides the proto's own fields."""
    d = dict(data)
    d.pop("service_type", None)
    placement = d.pop("placement", None)
    if placement is not None:
        if not isinstance(placement, Mapping) or set(placement) - {"host_pattern"}:
            raise _invalid("spec.placement", "only placement.host_pattern is supported; use host_pattern")
        d.setdefault("host_pattern", placement.get("host_pattern", ""))
    store = d.get("objectstore")
    if isinstance(store, str) and not store.startswith("OBJECTSTORE_"):
        d["objectstore"] = "OBJECTSTORE_" + store.upper()
    claims = d.get("osd_id_claims")
    if isinstance(claims, Mapping):
        d["osd_id_claims"] = {
            host: (dict(ids) if isinstance(ids, Mapping) else {"osd_ids": [int(i) for i in ids]})
            for host, ids in claims.items()
        }
    for key in ("data_devices", "db_devices", "wal_devices", "journal_devices"):
        sel = d.get(key)
        if isinstance(sel, Mapping) and "rotates" in sel:  # Nautilus' name
            sel = dict(sel)
            sel["rotational"] = sel.pop("rotates")
            d[key] = sel
    return _parse(d, osd_pb2.DriveGroupSpec(), "spec")


def stateless_spec_from_dict(data: Mapping[str, Any], service_type: Optional[str] = None) -> service_pb2.StatelessServiceSpec:
    """A StatelessServiceSpec from a dict: ``service_type`` as Ceph names it ("mds"),
    ``placement.hosts`` as host names or (host, network, name) tuples, and upstream's flat
    RGWSpec / NFSServiceSpec keys (``rgw_zone``, ``pool``, ...) besides the nested
    ``rgw`` / ``nfs`` / ``iscsi`` messages."""
    d = dict(data)
    stype = d.get("service_type", service_type)
    if isinstance(stype, int):
        stype = _TYPE_NAMES.get(cast(service_pb2.ServiceType, stype), stype)
    if isinstance(stype, str) and stype in SERVICE_TYPES:
        d["service_type"] = _SERVICE_TYPE_ENUM.values_by_number[SERVICE_TYPES[stype]].name
    if "service_id" not in d and "name" in d:  # upstream's StatelessServiceSpec(name=...)
        d["service_id"] = d.pop("name")
    if "placement" in d:
        d["placement"] = _placement_dict(d["placement"])
    if "count" in d:  # upstream's StatelessServiceSpec(count=...)
        placement = dict(d.get("placement") or {})
        placement.setdefault("count", d.pop("count"))
        d["placement"] = placement
    detail = _DETAIL_KEYS.get(stype) if isinstance(stype, str) else None
    if detail is not None:
        key, names = detail
        flat = {k: d.pop(k) for k in list(d) if k in names and k != key}
        if flat:
            nested = dict(d.get(key) or {})
            nested.update(flat)
            d[key] = nested
    return _parse(d, service_pb2.StatelessServiceSpec(), "spec")


class OrchestratorClient:
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
        self.transport: Transport
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

    # --- plumbing --------------------------------------------------------------------

    def _retrying(self, fn: Callable[[], T]) -> T:
        attempt = 0
        while True:
            try:
                return fn()
            except OrchestratorError as err:
                if err.code != StatusCode.UNAVAILABLE or attempt >= self.retries:
                    raise
            time.sleep(0.1 * 2 ** attempt)
            attempt += 1

    def _unary(self, service: str, method: str, request: _message.Message, response_cls: Type[M],
               timeout: Optional[float] = None) -> M:
        path = _path(service, method)
        deadline = self.timeout if timeout is None else timeout
        return self._retrying(lambda: self.transport.unary(path, request, response_cls, deadline, self.metadata))

    def _write(self, service: str, method: str, request: _message.Message, response_cls: Type[Any],
               result_field: str, result_cls: Type[R]) -> Completion[R]:
        """Start a write and return its completion, once the first state (ACCEPTED) came.
        ``result_cls`` only types the completion."""
        path = _path(service, method)

        def start() -> Completion[R]:
            stream = self.transport.server_stream(path, request, response_cls, self.stream_timeout, self.metadata)
            return Completion(self, stream, result_field, self.timeout)

        return self._retrying(start)

    def _watch_stream(self, operation_id: str) -> ServerStream[operation_service_pb2.WatchOperationResponse]:
        return self.transport.server_stream(
            _path("OperationService", "WatchOperation"),
            operation_service_pb2.WatchOperationRequest(id=operation_id),
            operation_service_pb2.WatchOperationResponse,
            self.stream_timeout,
            self.metadata,
        )

    def _pages(self, service: str, method: str, request: Any, response_cls: Type[Any], field: str) -> List[Any]:
        """Every item of a paged list RPC."""
        items: List[Any] = []
        request.page_size = self.page_size
        while True:
            resp = self._unary(service, method, request, response_cls)
            items.extend(getattr(resp, field))
            if not resp.next_page_token:
                return items
            request.page_token = resp.next_page_token

    # --- orchestrator ----------------------------------------------------------------

    def available(self) -> Tuple[bool, str, Dict[str, Any]]:
        """(available, reason, details) as upstream's ``available()``; the details hold the
        backend's facts and its name under "backend". An unreachable service is
        ``(False, why, {})`` rather than an error."""
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
        return bool(resp.available), resp.reason, details

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
            short = rpc.method[len(_PKG) + 1:] if rpc.method.startswith(_PKG + ".") else rpc.method
            for name in _FEATURES.get(short, ()):
                features[name] = {"available": bool(rpc.supported)}
        return features

    # --- hosts -----------------------------------------------------------------------

    def add_host(self, hostname: Union[str, host_pb2.Host], addr: str = "", labels: Iterable[str] = (),
                 request_id: Optional[str] = None) -> Completion[host_pb2.Host]:
        """Add a host (or a Host/HostSpec-like message). Result: the host."""
        host = hostname if isinstance(hostname, host_pb2.Host) else host_pb2.Host(
            hostname=hostname, addr=addr, labels=list(labels))
        req = host_service_pb2.AddHostRequest(host=host, request_id=_request_id(request_id))
        return self._write("HostService", "AddHost", req, host_service_pb2.AddHostResponse, "host", host_pb2.Host)

    def remove_host(self, hostname: str, force: bool = False,
                    request_id: Optional[str] = None) -> Completion[operation_pb2.RemovedHost]:
        """Remove a host. Result: RemovedHost."""
        req = host_service_pb2.RemoveHostRequest(hostname=hostname, force=force, request_id=_request_id(request_id))
        return self._write("HostService", "RemoveHost", req, host_service_pb2.RemoveHostResponse,
                           "removed_host", operation_pb2.RemovedHost)

    def get_hosts(self, label: Optional[str] = None) -> List[host_pb2.Host]:
        """Every host (all pages), optionally only those with ``label``."""
        req = host_service_pb2.ListHostsRequest(label=label or "")
        return self._pages("HostService", "ListHosts", req, host_service_pb2.ListHostsResponse, "hosts")

    def add_host_label(self, hostname: str, label: str,
                       request_id: Optional[str] = None) -> Completion[host_pb2.Host]:
        req = host_service_pb2.AddHostLabelRequest(hostname=hostname, label=label, request_id=_request_id(request_id))
        return self._write("HostService", "AddHostLabel", req, host_service_pb2.AddHostLabelResponse,
                           "host", host_pb2.Host)

    def remove_host_label(self, hostname: str, label: str,
                          request_id: Optional[str] = None) -> Completion[host_pb2.Host]:
        req = host_service_pb2.RemoveHostLabelRequest(hostname=hostname, label=label,
                                                      request_id=_request_id(request_id))
        return self._write("HostService", "RemoveHostLabel", req, host_service_pb2.RemoveHostLabelResponse,
                           "host", host_pb2.Host)

    # --- inventory -------------------------------------------------------------------

    def get_inventory(self, hosts: Optional[Iterable[str]] = None, labels: Optional[Iterable[str]] = None,
                      refresh: bool = False) -> List[inventory_pb2.InventoryHost]:
        """The devices of the hosts (all pages); ``hosts`` and ``labels`` are upstream's
        InventoryFilter."""
        req = inventory_service_pb2.GetInventoryRequest(
            hostnames=list(hosts or ()), labels=list(labels or ()), refresh=refresh)
        return self._pages("InventoryService", "GetInventory", req, inventory_service_pb2.GetInventoryResponse, "hosts")

    def blink_device_light(self, ident_fault: str, on: bool, locations: Iterable[DeviceLightLike],
                           request_id: Optional[str] = None) -> Completion[operation_pb2.DeviceLightsSet]:
        """Switch the "ident" or "fault" light of devices on or off. ``locations`` are
        upstream's DeviceLightLoc tuples ``(host, dev[, path])`` (``dev`` the device id) or
        DeviceLightLocation messages. Result: DeviceLightsSet."""
        if ident_fault not in _LIGHTS:
            raise _invalid("light", "must be 'ident' or 'fault', got %r" % (ident_fault,))
        locs = []
        for loc in locations:
            if isinstance(loc, inventory_pb2.DeviceLightLocation):
                locs.append(loc)
            else:
                parts = list(loc) + ["", ""]
                locs.append(inventory_pb2.DeviceLightLocation(
                    hostname=parts[0], device_id=parts[1] or "", path=parts[2] or ""))
        req = inventory_service_pb2.BlinkDeviceLightRequest(
            light=_LIGHTS[ident_fault], on=on, locations=locs, request_id=_request_id(request_id))
        return self._write("InventoryService", "BlinkDeviceLight", req, inventory_service_pb2.BlinkDeviceLightResponse,
                           "device_lights", operation_pb2.DeviceLightsSet)

    # --- services and daemons --------------------------------------------------------

    def describe_service(self, service_type: Optional[ServiceTypeLike] = None, service_name: Optional[str] = None,
                         host: Optional[str] = None, refresh: bool = False) -> List[service_pb2.ServiceDescription]:
        """The services (all pages). ``service_type`` as Ceph names it ("mds") or a
        ServiceType value."""
        req = service_service_pb2.DescribeServicesRequest(
            service_type=_service_type(service_type),
            service_name=service_name or "", hostname=host or "", refresh=refresh)
        return self._pages("ServiceService", "DescribeServices", req, service_service_pb2.DescribeServicesResponse,
                           "services")

    def list_daemons(self, service_name: Optional[str] = None, daemon_type: Optional[ServiceTypeLike] = None,
                     daemon_id: Optional[str] = None, host: Optional[str] = None,
                     refresh: bool = False) -> List[service_pb2.DaemonDescription]:
        """The daemons (all pages)."""
        req = service_service_pb2.ListDaemonsRequest(
            daemon_type=_service_type(daemon_type, "daemon_type"),
            service_name=service_name or "", daemon_id=daemon_id or "", hostname=host or "", refresh=refresh)
        return self._pages("ServiceService", "ListDaemons", req, service_service_pb2.ListDaemonsResponse, "daemons")

    @staticmethod
    def _action(action: str) -> service_pb2.ServiceAction:
        if action not in _ACTIONS:
            raise _invalid("action", "must be one of %s, got %r" % (", ".join(_ACTIONS), action))
        return _ACTIONS[action]

    def service_action(self, action: str, service_name: str,
                       request_id: Optional[str] = None) -> Completion[operation_pb2.DaemonsActedOn]:
        """"start", "stop", "restart", "reload" or "redeploy" every daemon of a service.
        Result: DaemonsActedOn."""
        req = service_service_pb2.ServiceActionRequest(
            action=self._action(action),
            service_name=service_name, request_id=_request_id(request_id))
        return self._write("ServiceService", "ServiceAction", req, service_service_pb2.ServiceActionResponse,
                           "daemons", operation_pb2.DaemonsActedOn)

    def daemon_action(self, action: str, daemon_name: str,
                      request_id: Optional[str] = None) -> Completion[operation_pb2.DaemonsActedOn]:
        """The same for one daemon, e.g. ``daemon_action("restart", "osd.3")``."""
        req = service_service_pb2.DaemonActionRequest(
            action=self._action(action),
            daemon_name=daemon_name, request_id=_request_id(request_id))
        return self._write("ServiceService", "DaemonAction", req, service_service_pb2.DaemonActionResponse,
                           "daemons", operation_pb2.DaemonsActedOn)

    def update_mons(self, count: int, hosts: Iterable[HostPlacementLike] = (), label: Optional[str] = None,
                    request_id: Optional[str] = None) -> Completion[service_pb2.ServiceDescription]:
        """Run ``count`` mons; ``hosts`` as upstream's ``[(host, network), ...]`` (or names).
        Result: the mon service."""
        req = service_service_pb2.UpdateMonsRequest(
            placement=_placement(count, hosts, label), request_id=_request_id(request_id))
        return self._write("ServiceService", "UpdateMons", req, service_service_pb2.UpdateMonsResponse,
                           "service", service_pb2.ServiceDescription)

    def update_mgrs(self, count: int, hosts: Iterable[HostPlacementLike] = (), label: Optional[str] = None,
                    request_id: Optional[str] = None) -> Completion[service_pb2.ServiceDescription]:
        """Run ``count`` mgrs, optionally on ``hosts``. Result: the mgr service."""
        req = service_service_pb2.UpdateMgrsRequest(
            placement=_placement(count, hosts, label), request_id=_request_id(request_id))
        return self._write("ServiceService", "UpdateMgrs", req, service_service_pb2.UpdateMgrsResponse,
                           "service", service_pb2.ServiceDescription)

    # Stateless services: the generic calls ...

    def add_stateless_service(self, spec: StatelessSpecLike,
                              request_id: Optional[str] = None) -> Completion[service_pb2.ServiceDescription]:
        """Add an MDS, RGW, NFS, iSCSI or rbd-mirror service (a StatelessServiceSpec or a
        dict, see :func:`stateless_spec_from_dict`). Result: the service."""
        msg = spec if isinstance(spec, service_pb2.StatelessServiceSpec) else stateless_spec_from_dict(spec)
        req = service_service_pb2.AddStatelessServiceRequest(spec=msg, request_id=_request_id(request_id))
        return self._write("ServiceService", "AddStatelessService", req,
                           service_service_pb2.AddStatelessServiceResponse, "service", service_pb2.ServiceDescription)

    def update_stateless_service(self, spec: StatelessSpecLike,
                                 request_id: Optional[str] = None) -> Completion[service_pb2.ServiceDescription]:
        """Update a stateless service (its type and id name it). Result: the service."""
        msg = spec if isinstance(spec, service_pb2.StatelessServiceSpec) else stateless_spec_from_dict(spec)
        req = service_service_pb2.UpdateStatelessServiceRequest(spec=msg, request_id=_request_id(request_id))
        return self._write("ServiceService", "UpdateStatelessService", req,
                           service_service_pb2.UpdateStatelessServiceResponse, "service",
                           service_pb2.ServiceDescription)

    def remove_stateless_service(self, service_name: str,
                                 request_id: Optional[str] = None) -> Completion[operation_pb2.RemovedService]:
        """Remove a stateless service by name, e.g. "mds.cephfs". Result: RemovedService."""
        req = service_service_pb2.RemoveStatelessServiceRequest(
            service_name=service_name, request_id=_request_id(request_id))
        return self._write("ServiceService", "RemoveStatelessService", req,
                           service_service_pb2.RemoveStatelessServiceResponse, "removed_service",
                           operation_pb2.RemovedService)

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
            raise _invalid("spec.service_type", "must be %s for this call" % type_name)
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

    # --- OSDs ------------------------------------------------------------------------

    @staticmethod
    def _drive_group(drive_group: DriveGroupLike) -> osd_pb2.DriveGroupSpec:
        if isinstance(drive_group, osd_pb2.DriveGroupSpec):
            return drive_group
        return drive_group_from_dict(drive_group)

    def create_osds(self, drive_group: DriveGroupLike,
                    request_id: Optional[str] = None) -> Completion[operation_pb2.CreatedOsds]:
        """Create OSDs from a drive group (a DriveGroupSpec or a dict, see
        :func:`drive_group_from_dict`). Result: CreatedOsds."""
        req = osd_service_pb2.CreateOsdsRequest(spec=self._drive_group(drive_group), request_id=_request_id(request_id))
        return self._write("OsdService", "CreateOsds", req, osd_service_pb2.CreateOsdsResponse,
                           "osds", operation_pb2.CreatedOsds)

    def preview_osds(self, drive_group: DriveGroupLike) -> List[osd_pb2.OsdHostPlan]:
        """What create_osds would create, per host (upstream ``preview_osdspecs``)."""
        req = osd_service_pb2.PreviewOsdsRequest(spec=self._drive_group(drive_group))
        resp = self._unary("OsdService", "PreviewOsds", req, osd_service_pb2.PreviewOsdsResponse)
        return list(resp.hosts)

    def replace_osds(self, drive_group: DriveGroupLike,
                     request_id: Optional[str] = None) -> Completion[operation_pb2.CreatedOsds]:
        """Replace the OSDs named in the drive group's ``osd_id_claims``. Result: CreatedOsds."""
        req = osd_service_pb2.ReplaceOsdsRequest(spec=self._drive_group(drive_group), request_id=_request_id(request_id))
        return self._write("OsdService", "ReplaceOsds", req, osd_service_pb2.ReplaceOsdsResponse,
                           "osds", operation_pb2.CreatedOsds)

    def remove_osds(self, osd_ids: Iterable[Union[int, str]], replace: bool = False, force: bool = False,
                    request_id: Optional[str] = None) -> Completion[operation_pb2.OsdRemovals]:
        """Remove OSDs safely (``replace``: destroy them, keeping their ids). Result:
        OsdRemovals."""
        try:
            ids = [int(i) for i in osd_ids]
        except ValueError as err:
            raise _invalid("osd_ids", "must be OSD ids: %s" % err) from None
        req = osd_service_pb2.RemoveOsdsRequest(osd_ids=ids, replace=replace, force=force,
                                                request_id=_request_id(request_id))
        return self._write("OsdService", "RemoveOsds", req, osd_service_pb2.RemoveOsdsResponse,
                           "osd_removals", operation_pb2.OsdRemovals)

    def remove_osds_status(self) -> List[osd_pb2.OsdRemoval]:
        """The OSD removal queue."""
        resp = self._unary("OsdService", "GetOsdRemovalStatus", osd_service_pb2.GetOsdRemovalStatusRequest(),
                           osd_service_pb2.GetOsdRemovalStatusResponse)
        return list(resp.removals)

    # --- upgrades --------------------------------------------------------------------

    def upgrade_available(self) -> upgrade_service_pb2.GetAvailableUpgradesResponse:
        """``current_version`` and the newer ``versions``, oldest first."""
        return self._unary("UpgradeService", "GetAvailableUpgrades", upgrade_service_pb2.GetAvailableUpgradesRequest(),
                           upgrade_service_pb2.GetAvailableUpgradesResponse)

    def upgrade_start(self, version: str,
                      request_id: Optional[str] = None) -> Completion[upgrade_pb2.UpgradeStatus]:
        """Start upgrading to ``version``. Result: the UpgradeStatus at the end."""
        req = upgrade_service_pb2.StartUpgradeRequest(target_version=version, request_id=_request_id(request_id))
        return self._write("UpgradeService", "StartUpgrade", req, upgrade_service_pb2.StartUpgradeResponse,
                           "upgrade", upgrade_pb2.UpgradeStatus)

    def upgrade_status(self) -> upgrade_pb2.UpgradeStatus:
        resp = self._unary("UpgradeService", "GetUpgradeStatus", upgrade_service_pb2.GetUpgradeStatusRequest(),
                           upgrade_service_pb2.GetUpgradeStatusResponse)
        return resp.status

    def upgrade_pause(self, request_id: Optional[str] = None) -> Completion[upgrade_pb2.UpgradeStatus]:
        req = upgrade_service_pb2.PauseUpgradeRequest(request_id=_request_id(request_id))
        return self._write("UpgradeService", "PauseUpgrade", req, upgrade_service_pb2.PauseUpgradeResponse,
                           "upgrade", upgrade_pb2.UpgradeStatus)

    def upgrade_resume(self, request_id: Optional[str] = None) -> Completion[upgrade_pb2.UpgradeStatus]:
        req = upgrade_service_pb2.ResumeUpgradeRequest(request_id=_request_id(request_id))
        return self._write("UpgradeService", "ResumeUpgrade", req, upgrade_service_pb2.ResumeUpgradeResponse,
                           "upgrade", upgrade_pb2.UpgradeStatus)

    def upgrade_stop(self, request_id: Optional[str] = None) -> Completion[upgrade_pb2.UpgradeStatus]:
        req = upgrade_service_pb2.StopUpgradeRequest(request_id=_request_id(request_id))
        return self._write("UpgradeService", "StopUpgrade", req, upgrade_service_pb2.StopUpgradeResponse,
                           "upgrade", upgrade_pb2.UpgradeStatus)

    # --- operations ------------------------------------------------------------------

    def wait(self, completions: Sequence[Completion[Any]], timeout: float = 0.0) -> bool:
        """Upstream ``wait()``: bring the completions up to date and return whether all are
        complete. Waits up to ``timeout`` seconds for them (WaitOperations; 0 returns at
        once). A wait longer than the server allows (--max-wait) is made of several calls."""
        pending = [c for c in completions if not c.is_complete]
        deadline = time.monotonic() + max(0.0, timeout)
        for start in range(0, len(pending), 1000):
            chunk = pending[start:start + 1000]
            while True:
                left = max(0.0, deadline - time.monotonic())
                wait_for = duration_pb2.Duration()
                wait_for.FromNanoseconds(int(left * 1e9))
                req = operation_service_pb2.WaitOperationsRequest(ids=[c.operation_id for c in chunk], timeout=wait_for)
                try:
                    resp = self._unary("OperationService", "WaitOperations", req,
                                       operation_service_pb2.WaitOperationsResponse, timeout=left + self.timeout)
                except OrchestratorError as err:
                    if err.code == StatusCode.RESOURCE_EXHAUSTED and err.reason == "WAIT_LIMIT":
                        continue  # the server's longest wait passed: wait on
                    raise
                break
            for completion, op in zip(chunk, resp.operations):
                completion._update(op)
        return all(c.is_complete for c in completions)

    def get_operation(self, operation_id: str) -> operation_pb2.Operation:
        resp = self._unary("OperationService", "GetOperation",
                           operation_service_pb2.GetOperationRequest(id=operation_id),
                           operation_service_pb2.GetOperationResponse)
        return resp.operation

    def list_operations(self, states: Iterable[Union[str, int]] = (), method: str = "",
                        host: str = "") -> List[operation_pb2.Operation]:
        """Operations, newest first (all pages). ``states`` as "RUNNING" or State values."""
        enum = operation_pb2.Operation.DESCRIPTOR.enum_types_by_name["State"]
        values: List[Any] = []
        for s in states:
            name = s if isinstance(s, int) else (s if s.startswith("STATE_") else "STATE_" + s.upper())
            if isinstance(name, str):
                if name not in enum.values_by_name:
                    raise _invalid("states", "unknown operation state %r" % (s,))
                values.append(enum.values_by_name[name].number)
            else:
                values.append(name)
        req = operation_service_pb2.ListOperationsRequest(states=values, method=method, hostname=host)
        return self._pages("OperationService", "ListOperations", req, operation_service_pb2.ListOperationsResponse,
                           "operations")

    def watch(self, operation_id: str) -> Completion[Any]:
        """A completion for an existing operation (e.g. one started elsewhere)."""
        return self._retrying(lambda: Completion(self, self._watch_stream(operation_id), None, self.timeout))

    def cancel(self, operation: Union[str, Completion[Any]]) -> operation_pb2.Operation:
        """Ask an operation (an id or a completion) to stop at its next safe point."""
        if isinstance(operation, Completion):
            return operation.cancel()
        resp = self._unary("OperationService", "CancelOperation",
                           operation_service_pb2.CancelOperationRequest(id=operation),
                           operation_service_pb2.CancelOperationResponse)
        return resp.operation
