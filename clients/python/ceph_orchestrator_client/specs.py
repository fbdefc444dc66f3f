"""Request fields from plain Python values: service types by Ceph's names, placements from
host names or tuples, drive groups and stateless service specs from dicts in upstream's
shape, request ids, and client-side validation errors shaped like the server's.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple, TypeVar, Union, cast

from google.protobuf import json_format
from google.protobuf import message as _message

from ceph_orchestrator.v1 import inventory_pb2, osd_pb2, service_pb2

from .errors import OrchestratorValidationError

__all__ = [
    "SERVICE_TYPES", "DeviceLightLike", "DriveGroupLike", "HostPlacementLike", "ServiceTypeLike",
    "StatelessSpecLike", "drive_group_from_dict", "stateless_spec_from_dict",
]

M = TypeVar("M", bound=_message.Message)

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
    "node-exporter": service_pb2.SERVICE_TYPE_NODE_EXPORTER,
    "prometheus": service_pb2.SERVICE_TYPE_PROMETHEUS,
    "grafana": service_pb2.SERVICE_TYPE_GRAFANA,
    "alertmanager": service_pb2.SERVICE_TYPE_ALERTMANAGER,
}
_TYPE_NAMES = {v: k for k, v in SERVICE_TYPES.items()}

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


def ensure_request_id(given: Optional[str]) -> str:
    """The caller's request id, or a new one (a write keeps it across retries)."""
    return given if given else str(uuid.uuid4())


def invalid(field: str, description: str) -> OrchestratorValidationError:
    """A client-side validation error, shaped like the server's."""
    return OrchestratorValidationError(
        "%s: %s" % (field, description), field_violations=[(field, description)], reason="INVALID_FIELD")


_SERVICE_TYPE_ENUM = service_pb2.DESCRIPTOR.enum_types_by_name["ServiceType"]


def to_service_type(value: Optional[ServiceTypeLike], field: str = "service_type") -> service_pb2.ServiceType:
    """A ServiceType from Ceph's name ("mds"), the enum's name or its value."""
    if value is None or value == "":
        return service_pb2.SERVICE_TYPE_UNSPECIFIED
    if isinstance(value, int):
        return cast(service_pb2.ServiceType, value)
    if value in SERVICE_TYPES:
        return SERVICE_TYPES[value]
    if value in _SERVICE_TYPE_ENUM.values_by_name:
        return cast(service_pb2.ServiceType, _SERVICE_TYPE_ENUM.values_by_name[value].number)
    raise invalid(field, "unknown service type %r (one of %s)" % (value, ", ".join(SERVICE_TYPES)))


def _host_placement(item: HostPlacementLike) -> service_pb2.HostPlacement:
    """"host", (host, network), (host, network, name) or a HostPlacement."""
    if isinstance(item, service_pb2.HostPlacement):
        return item
    if isinstance(item, str):
        return service_pb2.HostPlacement(hostname=item)
    parts = list(item) + ["", ""]
    return service_pb2.HostPlacement(hostname=parts[0], network=parts[1] or "", name=parts[2] or "")


def to_placement(count: int = 0, hosts: Iterable[HostPlacementLike] = (), label: Optional[str] = None,
                 host_pattern: Optional[str] = None) -> service_pb2.Placement:
    return service_pb2.Placement(
        count=count, hosts=[_host_placement(h) for h in hosts], label=label or "", host_pattern=host_pattern or "")


def _parse(data: Mapping[str, Any], msg: M, what: str) -> M:
    try:
        return json_format.ParseDict(dict(data), msg)
    except json_format.ParseError as err:
        raise invalid(what, str(err)) from None


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


# Upstream's names and values in a drive group dict, and the proto's.
_SELECTION_KEYS = {"model": "id_model", "limit": "count", "rotates": "rotational"}  # rotates: Nautilus
_SIZE_KEYS = ("block_db_size", "block_wal_size", "journal_size")
_ENUM_PREFIXES = {"objectstore": "OBJECTSTORE_", "filter_logic": "FILTER_LOGIC_", "method": "OSD_METHOD_"}


def _device_selection(sel: Any) -> Any:
    if not isinstance(sel, Mapping):
        return sel
    out = {_SELECTION_KEYS.get(k, k): v for k, v in sel.items()}
    if isinstance(out.get("rotational"), int) and not isinstance(out["rotational"], bool):
        out["rotational"] = bool(out["rotational"])  # upstream's docs write `rotational: 1`
    return out


def drive_group_from_dict(data: Mapping[str, Any]) -> osd_pb2.DriveGroupSpec:
    """A DriveGroupSpec from a dict in upstream's (or the proto's) shape, as ``ceph orch apply
    osd -i`` reads it: the settings at the top or under ``spec:``, ``placement: {host_pattern:
    ...}``, ``objectstore: bluestore``, ``filter_logic: OR``, ``method: raw``, sizes such as
    ``block_db_size`` as bytes (int) or text ("10G"), ``osd_id_claims: {host: [ids]}``, and in
    device selections ``model``, ``limit`` and ``rotational: 1``, besides the proto's fields."""
    d = dict(data)
    nested = d.pop("spec", None)
    if isinstance(nested, Mapping):
        d.update(nested)
    d.pop("service_type", None)
    placement = d.pop("placement", None)
    if placement is not None:
        if not isinstance(placement, Mapping) or set(placement) - {"host_pattern"}:
            raise invalid("spec.placement", "only placement.host_pattern is supported; use host_pattern")
        d.setdefault("host_pattern", placement.get("host_pattern", ""))
    for key, prefix in _ENUM_PREFIXES.items():
        value = d.get(key)
        if isinstance(value, str) and not value.startswith(prefix):
            d[key] = prefix + value.upper()
    for key in _SIZE_KEYS:
        if isinstance(d.get(key), int) and not isinstance(d[key], bool):
            d[key] = str(d[key])
    claims = d.get("osd_id_claims")
    if isinstance(claims, Mapping):
        d["osd_id_claims"] = {
            host: (dict(ids) if isinstance(ids, Mapping) else {"osd_ids": [int(i) for i in ids]})
            for host, ids in claims.items()
        }
    for key in ("data_devices", "db_devices", "wal_devices", "journal_devices"):
        if key in d:
            d[key] = _device_selection(d[key])
    return _parse(d, osd_pb2.DriveGroupSpec(), "spec")


def to_drive_group(value: DriveGroupLike) -> osd_pb2.DriveGroupSpec:
    """A DriveGroupSpec as given, or from a dict (:func:`drive_group_from_dict`)."""
    if isinstance(value, osd_pb2.DriveGroupSpec):
        return value
    return drive_group_from_dict(value)


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


def to_stateless_spec(spec: StatelessSpecLike) -> service_pb2.StatelessServiceSpec:
    """A StatelessServiceSpec as given, or from a dict (:func:`stateless_spec_from_dict`)."""
    return spec if isinstance(spec, service_pb2.StatelessServiceSpec) else stateless_spec_from_dict(spec)
