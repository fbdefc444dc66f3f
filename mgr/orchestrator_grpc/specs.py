"""Upstream's specs (from the orchestrator CLI, the dashboard and the volumes module) as
the gRPC API's messages. The specs come from other ceph-mgr sub-interpreters, so they are
read by attribute, with ``getattr`` defaults, never checked with ``isinstance``.

Every spec field the API cannot carry is refused with an
``OrchestratorValidationError`` that names it, rather than silently dropped. A spec equal to
the one the service keeps (``unchanged``: `ceph orch ls --export` applied back) needs no write.
"""

from typing import Any, Iterable, Optional

from orchestrator import OrchestratorValidationError

from ceph_orchestrator.v1 import osd_pb2, service_pb2
from ceph_orchestrator_client import SERVICE_TYPES

from .convert import MODULE_NAME, STATELESS_TYPES, invalid


def placement_to_proto(p: Any, what: str) -> service_pb2.Placement:
    """An upstream PlacementSpec (from any sub-interpreter) as a Placement."""
    out = service_pb2.Placement()
    if p is None:
        return out
    if getattr(p, 'count_per_host', None):
        raise invalid(f'{what}: placement count-per-host is not supported by {MODULE_NAME}')
    if getattr(p, 'label', None):
        out.label = str(p.label)
    for h in getattr(p, 'hosts', None) or []:
        out.hosts.add(hostname=str(h.hostname), network=str(getattr(h, 'network', '') or ''),
                      name=str(getattr(h, 'name', '') or ''))
    if getattr(p, 'count', None):
        out.count = int(p.count)
    if getattr(p, 'host_pattern', None):
        out.host_pattern = str(p.host_pattern)
    return out


def placement_is_empty(p: Any) -> bool:
    return p is None or not (getattr(p, 'label', None) or getattr(p, 'hosts', None)
                             or getattr(p, 'count', None) or getattr(p, 'host_pattern', None)
                             or getattr(p, 'count_per_host', None))


# Fields of upstream's ServiceSpec the API has no place for: refused when set.
COMMON_UNSUPPORTED = ('config', 'networks', 'extra_container_args', 'extra_entrypoint_args', 'custom_configs')

# cephadm's placement of a stateless service whose spec has none.
# crash and node-exporter: none, a daemon on every host (cephadm's '*').
DEFAULT_COUNTS = {'mds': 2, 'rgw': 2, 'nfs': 1, 'iscsi': 1, 'rbd-mirror': 2, 'prometheus': 1, 'grafana': 1,
                  'alertmanager': 1}


def refuse(spec: Any, fields: Iterable[str], what: str) -> None:
    for field in fields:
        value = getattr(spec, field, None)
        if value not in (None, False, [], {}, '', 0):
            raise invalid(f'{what}: `{field}` is not supported by {MODULE_NAME}')


def stateless_spec_to_proto(spec: Any, nfs_pool: str) -> service_pb2.StatelessServiceSpec:
    """An upstream MDS/RGW/NFS/iSCSI/rbd-mirror ServiceSpec as a StatelessServiceSpec."""
    stype = str(spec.service_type)
    name = spec.service_name()
    refuse(spec, COMMON_UNSUPPORTED, f'service {name}')
    out = service_pb2.StatelessServiceSpec(
        service_type=SERVICE_TYPES[stype], service_id=str(getattr(spec, 'service_id', None) or ''),
        placement=placement_to_proto(getattr(spec, 'placement', None), f'service {name}'),
        unmanaged=bool(getattr(spec, 'unmanaged', False)))
    if stype == 'rgw':
        refuse(spec, ('rgw_frontend_ssl_certificate', 'rgw_frontend_type'), f'service {name}')
        out.rgw.CopyFrom(service_pb2.RgwSpec(
            rgw_realm=getattr(spec, 'rgw_realm', None) or '',
            rgw_zone=getattr(spec, 'rgw_zone', None) or '',
            rgw_frontend_port=int(getattr(spec, 'rgw_frontend_port', None) or 0),
            ssl=bool(getattr(spec, 'ssl', False))))
    elif stype == 'nfs':
        # Pacific's NFS services keep their exports in the ".nfs" pool, one namespace per
        # cluster (service id).
        out.nfs.CopyFrom(service_pb2.NfsSpec(pool=nfs_pool, namespace=out.service_id,
                                             port=int(getattr(spec, 'port', None) or 0)))
    elif stype == 'iscsi':
        refuse(spec, ('ssl_cert', 'ssl_key', 'api_secure'), f'service {name}')
        port = getattr(spec, 'api_port', None)
        if port not in (None, 5000):
            raise invalid(f'service {name}: `api_port` is not supported by {MODULE_NAME}')
        ips = getattr(spec, 'trusted_ip_list', None) or ''
        out.iscsi.CopyFrom(service_pb2.IscsiSpec(
            pool=getattr(spec, 'pool', None) or '',
            api_user=getattr(spec, 'api_user', None) or '',
            api_password=getattr(spec, 'api_password', None) or '',
            trusted_ip_list=[ip.strip() for ip in str(ips).split(',') if ip.strip()]))
    return out


# Upstream's DriveGroupSpec always says 'bluestore' unless told otherwise, so BlueStore goes as
# the API's default (UNSPECIFIED): a backend that only makes BlueStore OSDs (ssh) refuses an
# explicit objectstore but not the default one.
_OBJECTSTORES = {'bluestore': osd_pb2.DriveGroupSpec.OBJECTSTORE_UNSPECIFIED,
                 'filestore': osd_pb2.DriveGroupSpec.OBJECTSTORE_FILESTORE}

# The same for filter_logic: AND, upstream's default, goes as the API's default.
_FILTER_LOGICS = {'AND': osd_pb2.DriveGroupSpec.FILTER_LOGIC_UNSPECIFIED, 'OR': osd_pb2.DriveGroupSpec.FILTER_LOGIC_OR}
_METHODS = {'lvm': osd_pb2.OSD_METHOD_LVM, 'raw': osd_pb2.OSD_METHOD_RAW}


def _dg_invalid(name: str, msg: str) -> OrchestratorValidationError:
    # Worded like upstream's DriveGroupValidationError.
    return invalid(f'Failed to validate OSD spec "{name}": {msg}')


def _selection(sel: Any, key: str, name: str) -> Optional[osd_pb2.DeviceSelection]:
    if sel is None:
        return None
    out = osd_pb2.DeviceSelection(vendor=str(getattr(sel, 'vendor', None) or ''))
    for p in getattr(sel, 'paths', None) or []:
        out.paths.append(str(getattr(p, 'path', p)))
    if getattr(sel, 'model', None):
        out.id_model = str(sel.model)
    if getattr(sel, 'size', None) not in (None, ''):
        out.size = str(sel.size)
    rot = getattr(sel, 'rotational', None)
    if rot is not None:
        out.rotational = rot if isinstance(rot, bool) else str(rot).lower() in ('1', 'true', 'yes')
    if getattr(sel, 'limit', None):
        out.count = int(sel.limit)
    if getattr(sel, 'all', False):
        out.all = True
    return out


def _text(dg: Any, field: str) -> str:
    """A field upstream keeps as text or a number (sizes, the device class) as text."""
    value = getattr(dg, field, None)
    return '' if value in (None, '') else str(value)


def drive_group_to_proto(dg: Any, host_pattern: str) -> osd_pb2.DriveGroupSpec:
    """An upstream DriveGroupSpec as the API's, for the hosts ``host_pattern`` matches."""
    name = str(getattr(dg, 'service_id', None) or 'default')
    for field in COMMON_UNSUPPORTED:
        value = getattr(dg, field, None)
        if value not in (None, False, [], {}, ''):
            raise _dg_invalid(name, f'`{field}` is not supported by {MODULE_NAME}')
    logic = str(getattr(dg, 'filter_logic', None) or 'AND').upper()
    if logic not in _FILTER_LOGICS:
        raise _dg_invalid(name, 'filter_logic must be either <AND> or <OR>')
    method = getattr(dg, 'method', None)
    method = str(getattr(method, 'value', method) or '')  # upstream's OSDMethod is a str enum
    if method and method not in _METHODS:
        raise _dg_invalid(name, 'method must be one of None, lvm, raw')
    store = str(getattr(dg, 'objectstore', None) or 'bluestore')
    if store not in _OBJECTSTORES:
        raise _dg_invalid(name, f'unknown objectstore {store!r}')
    out = osd_pb2.DriveGroupSpec(
        service_id=str(getattr(dg, 'service_id', None) or ''),
        host_pattern=host_pattern,
        data_directories=[str(d) for d in getattr(dg, 'data_directories', None) or []],
        osds_per_device=int(getattr(dg, 'osds_per_device', None) or 0),
        objectstore=_OBJECTSTORES[store],
        encrypted=bool(getattr(dg, 'encrypted', False)),
        db_slots=int(getattr(dg, 'db_slots', None) or 0),
        wal_slots=int(getattr(dg, 'wal_slots', None) or 0),
        unmanaged=bool(getattr(dg, 'unmanaged', False)),
        block_db_size=_text(dg, 'block_db_size'),
        block_wal_size=_text(dg, 'block_wal_size'),
        journal_size=_text(dg, 'journal_size'),
        crush_device_class=_text(dg, 'crush_device_class'),
        filter_logic=_FILTER_LOGICS[logic],
        method=_METHODS.get(method, osd_pb2.OSD_METHOD_UNSPECIFIED),
    )
    if getattr(dg, 'data_allocate_fraction', None) is not None:
        out.data_allocate_fraction = float(dg.data_allocate_fraction)
    for key in ('data_devices', 'db_devices', 'wal_devices', 'journal_devices'):
        sel = _selection(getattr(dg, key, None), key, name)
        if sel is not None:
            getattr(out, key).CopyFrom(sel)
    for host, ids in (getattr(dg, 'osd_id_claims', None) or {}).items():
        try:
            out.osd_id_claims[str(host)].osd_ids.extend(int(i) for i in ids)
        except (TypeError, ValueError):
            raise _dg_invalid(name, f'osd_id_claims: {host}: OSD ids must be numbers, got {ids!r}')
    return out


def with_default_placement(msg: service_pb2.StatelessServiceSpec, stype: str) -> service_pb2.StatelessServiceSpec:
    """cephadm's default placement when the spec has none (the API's empty placement
    would mean a daemon on every host)."""
    if msg.placement == service_pb2.Placement() and stype in DEFAULT_COUNTS:
        msg.placement.count = DEFAULT_COUNTS[stype]
    return msg


# The password upstream's IscsiServiceSpec fills in when a spec has none, as an exported
# spec has: the service never answers the real one.
_UPSTREAM_ISCSI_PASSWORD = 'admin'


def _stored_stateless_spec(sd: Any) -> service_pb2.StatelessServiceSpec:
    """The StatelessServiceSpec a service was applied with (secrets are never answered)."""
    out = service_pb2.StatelessServiceSpec(service_type=sd.service_type, service_id=sd.service_id,
                                           placement=sd.placement, unmanaged=sd.unmanaged)
    which = sd.WhichOneof('details')
    if which in ('rgw', 'nfs', 'iscsi'):
        getattr(out, which).CopyFrom(getattr(sd, which))
    return out


def _stored_drive_group(sd: Any) -> osd_pb2.DriveGroupSpec:
    """The drive group an OSD service keeps, as drive_group_to_proto makes its exported spec."""
    out = osd_pb2.DriveGroupSpec()
    out.CopyFrom(sd.drive_group)
    out.service_id = sd.service_id  # "default" when the drive group had none
    if out.objectstore == osd_pb2.DriveGroupSpec.OBJECTSTORE_BLUESTORE:
        out.objectstore = osd_pb2.DriveGroupSpec.OBJECTSTORE_UNSPECIFIED  # the same store
    if out.filter_logic == osd_pb2.DriveGroupSpec.FILTER_LOGIC_AND:
        out.filter_logic = osd_pb2.DriveGroupSpec.FILTER_LOGIC_UNSPECIFIED  # the same logic
    return out


def unchanged(spec: Any, sd: Any, nfs_pool: str) -> bool:
    """Whether applying upstream's ``spec`` would leave the service ``sd`` (the service's
    ServiceDescription) as it is: the spec `ceph orch ls --export` printed for it, or one
    equal to it. Specs are compared as the API's messages, so that a field the export
    cannot show (a secret) counts as unchanged when the spec leaves it out."""
    stype = str(spec.service_type)
    if stype in STATELESS_TYPES:
        applied = stateless_spec_to_proto(spec, nfs_pool)
        if applied.WhichOneof('details') == 'iscsi' and applied.iscsi.api_password == _UPSTREAM_ISCSI_PASSWORD:
            applied.iscsi.api_password = ''  # the export's stand-in for the password it never shows
        return applied == _stored_stateless_spec(sd)
    if stype == 'osd':
        pattern = getattr(getattr(spec, 'placement', None), 'host_pattern', None)
        return bool(pattern) and sd.WhichOneof('details') == 'drive_group' and \
            drive_group_to_proto(spec, str(pattern)) == _stored_drive_group(sd)
    name = spec.service_name()
    refuse(spec, COMMON_UNSUPPORTED, f'service {name}')
    return placement_to_proto(getattr(spec, 'placement', None), f'service {name}') == sd.placement and \
        bool(getattr(spec, 'unmanaged', False)) == sd.unmanaged


__all__ = [
    'COMMON_UNSUPPORTED', 'DEFAULT_COUNTS', 'refuse', 'placement_to_proto', 'placement_is_empty',
    'stateless_spec_to_proto', 'with_default_placement', 'drive_group_to_proto', 'unchanged',
]
