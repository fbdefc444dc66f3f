"""Conversions between the gRPC API's messages and upstream's objects.

Upstream objects (``ceph.deployment.*``, ``orchestrator.*``) go to the orchestrator CLI,
the dashboard and the volumes module, which run in other ceph-mgr sub-interpreters: they
are used there duck-typed (attributes and methods), never checked with ``isinstance``.
The specs that come *from* those modules are read the same way: by attribute, with
``getattr`` defaults, never ``isinstance``.

Every spec field the API cannot carry is refused with an
``OrchestratorValidationError`` that names it, rather than silently dropped.
"""

import datetime
from typing import Any, Dict, Iterable, List, Optional, Sequence

from google.protobuf import json_format

from ceph.deployment import inventory
from ceph.deployment.drive_group import DriveGroupSpec
from ceph.deployment.hostspec import HostSpec
from ceph.deployment.service_spec import (
    HostPlacementSpec,
    IscsiServiceSpec,
    MDSSpec,
    NFSServiceSpec,
    PlacementSpec,
    RGWSpec,
    ServiceSpec,
)
from mgr_util import format_bytes

import orchestrator
from orchestrator import (
    DaemonDescription,
    DaemonDescriptionStatus,
    InventoryHost,
    OrchestratorValidationError,
    ServiceDescription,
    UpgradeStatusSpec,
)

from ceph_orchestrator.v1 import host_pb2, osd_pb2, service_pb2
from ceph_orchestrator_client import SERVICE_TYPES

MODULE_NAME = 'orchestrator_grpc'

#: ServiceType enum value -> Ceph's name ("mon", "rbd-mirror", ...).
TYPE_NAMES: Dict[int, str] = {v: k for k, v in SERVICE_TYPES.items()}

#: Service types the API manages as "stateless" services (Add/Update/RemoveStatelessService).
STATELESS_TYPES = ('mds', 'rgw', 'nfs', 'iscsi', 'rbd-mirror')

_HOST_STATUS = {
    host_pb2.Host.STATUS_ONLINE: '',
    host_pb2.Host.STATUS_OFFLINE: 'offline',
    host_pb2.Host.STATUS_MAINTENANCE: 'maintenance',
}

_DAEMON_STATUS = {
    service_pb2.DaemonDescription.STATUS_RUNNING: DaemonDescriptionStatus.running,
    service_pb2.DaemonDescription.STATUS_STOPPED: DaemonDescriptionStatus.stopped,
    service_pb2.DaemonDescription.STATUS_ERROR: DaemonDescriptionStatus.error,
    service_pb2.DaemonDescription.STATUS_UNKNOWN: DaemonDescriptionStatus.unknown,
    service_pb2.DaemonDescription.STATUS_STARTING: DaemonDescriptionStatus.starting,
}


def invalid(msg: str) -> OrchestratorValidationError:
    return OrchestratorValidationError(msg)


# --- scalars --------------------------------------------------------------------------

def to_datetime(ts: Any) -> Optional[datetime.datetime]:
    """A google.protobuf.Timestamp as an aware UTC datetime (upstream's convention); None
    when unset."""
    if not ts.seconds and not ts.nanos:
        return None
    return datetime.datetime.fromtimestamp(ts.seconds, tz=datetime.timezone.utc) + \
        datetime.timedelta(microseconds=ts.nanos // 1000)


def _plain(value: Any) -> Any:
    """A Struct value as ceph-volume prints it: whole numbers as ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def struct_to_dict(struct: Any) -> Dict[str, Any]:
    return _plain(json_format.MessageToDict(struct))


# --- hosts and inventory ----------------------------------------------------------------

def host_to_spec(h: host_pb2.Host) -> HostSpec:
    return HostSpec(h.hostname, addr=h.addr or None, labels=list(h.labels),
                    status=_HOST_STATUS.get(h.status, ''))


def device_to_upstream(d: Any, refreshed: Optional[datetime.datetime]) -> inventory.Device:
    sys_api = struct_to_dict(d.sys_api)
    if d.size_bytes:
        sys_api['size'] = int(d.size_bytes)  # exact, also above 2^53
    sys_api.setdefault('rotational', '1' if d.rotational else '0')
    if d.human_readable_size:
        sys_api.setdefault('human_readable_size', d.human_readable_size)
    if d.vendor:
        sys_api.setdefault('vendor', d.vendor)
    if d.model:
        sys_api.setdefault('model', d.model)
    lvs = []
    for lv in d.lvs:
        entry = {'name': lv.name, 'osd_id': str(lv.osd_id), 'cluster_name': lv.cluster_name,
                 'type': lv.type, 'osd_fsid': lv.osd_fsid, 'cluster_fsid': lv.cluster_fsid,
                 'osdspec_affinity': lv.osdspec_affinity, 'block_uuid': lv.block_uuid}
        lvs.append({k: v for k, v in entry.items() if v != ''})
    return inventory.Device(
        path=d.path,
        sys_api=sys_api,
        available=bool(d.available),
        rejected_reasons=sorted(d.rejected_reasons),
        lvs=lvs,
        device_id=d.device_id or None,
        lsm_data={},
        created=refreshed,
        ceph_device=bool(lvs),
    )


def inventory_to_upstream(ih: Any) -> InventoryHost:
    refreshed = to_datetime(ih.last_refresh)
    devices = inventory.Devices([device_to_upstream(d, refreshed) for d in ih.devices])
    return InventoryHost(ih.hostname, devices, labels=list(ih.labels), addr=ih.addr or None)


# --- placements -----------------------------------------------------------------------

def placement_to_upstream(p: service_pb2.Placement) -> PlacementSpec:
    hosts = [HostPlacementSpec(h.hostname, h.network, h.name) for h in p.hosts]
    kwargs = dict(label=p.label or None, hosts=hosts or None, count=p.count or None,
                  host_pattern=p.host_pattern or None)
    try:
        return PlacementSpec(**kwargs)  # type: ignore[arg-type]
    except Exception:
        # A combination upstream's validate() refuses (e.g. hosts and a label): show it
        # as it is rather than fail the listing.
        spec = PlacementSpec.__new__(PlacementSpec)
        spec.label, spec.hosts, spec.count = kwargs['label'], hosts, kwargs['count']
        spec.count_per_host, spec.host_pattern = None, kwargs['host_pattern']
        return spec


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


# --- services and daemons ---------------------------------------------------------------

def _service_ports(sd: service_pb2.ServiceDescription) -> List[int]:
    which = sd.WhichOneof('details')
    if which == 'rgw' and sd.rgw.rgw_frontend_port:
        return [sd.rgw.rgw_frontend_port]
    if which == 'nfs':
        return [sd.nfs.port or 2049]
    return []


def service_spec_from_proto(sd: Any) -> ServiceSpec:
    stype = TYPE_NAMES.get(sd.service_type, 'mon')
    sid = sd.service_id or None
    placement = placement_to_upstream(sd.placement)
    which = sd.WhichOneof('details')
    if stype == 'osd':
        return DriveGroupSpec(service_id=sid, placement=placement)
    if stype == 'rgw':
        rgw = sd.rgw if which == 'rgw' else service_pb2.RgwSpec()
        return RGWSpec(service_id=sid, placement=placement, rgw_realm=rgw.rgw_realm or None,
                       rgw_zone=rgw.rgw_zone or None, rgw_frontend_port=rgw.rgw_frontend_port or None,
                       ssl=rgw.ssl)
    if stype == 'nfs':
        nfs = sd.nfs if which == 'nfs' else service_pb2.NfsSpec()
        return NFSServiceSpec(service_id=sid, placement=placement, port=nfs.port or None)
    if stype == 'iscsi':
        iscsi = sd.iscsi if which == 'iscsi' else service_pb2.IscsiSpec()
        return IscsiServiceSpec(service_id=sid, placement=placement, pool=iscsi.pool or None,
                                api_user=iscsi.api_user or None, api_password=None,
                                trusted_ip_list=','.join(iscsi.trusted_ip_list) or None)
    if stype == 'mds':
        return MDSSpec(service_id=sid, placement=placement)
    return ServiceSpec(stype, service_id=sid, placement=placement)


def service_to_upstream(sd: Any) -> ServiceDescription:
    return ServiceDescription(
        service_spec_from_proto(sd),
        service_url=sd.service_url or None,
        last_refresh=to_datetime(sd.last_refresh),
        created=to_datetime(sd.created),
        size=sd.size,
        running=sd.running,
        ports=_service_ports(sd),
    )


def daemon_to_upstream(dd: Any) -> DaemonDescription:
    dtype = TYPE_NAMES.get(dd.daemon_type, 'unknown')
    status = _DAEMON_STATUS.get(dd.status, DaemonDescriptionStatus.unknown)
    affinity = None
    if dtype == 'osd' and dd.service_name.startswith('osd.'):
        affinity = dd.service_name[len('osd.'):]
    return DaemonDescription(
        daemon_type=dtype,
        daemon_id=dd.daemon_id,
        hostname=dd.hostname or None,
        container_id=dd.container_id or None,
        version=dd.version or None,
        status=status,
        status_desc=dd.status_desc or DaemonDescriptionStatus.to_str(status),
        last_refresh=to_datetime(dd.last_refresh),
        created=to_datetime(dd.created),
        started=to_datetime(dd.started),
        service_name=dd.service_name or None,
        osdspec_affinity=affinity,
    )


# --- specs from the CLI / other modules --------------------------------------------------

# Fields of upstream's ServiceSpec the API has no place for: refused when set.
_COMMON_UNSUPPORTED = ('unmanaged', 'config', 'networks', 'extra_container_args',
                       'extra_entrypoint_args', 'custom_configs')


def _refuse(spec: Any, fields: Iterable[str], what: str) -> None:
    for field in fields:
        value = getattr(spec, field, None)
        if value not in (None, False, [], {}, '', 0):
            raise invalid(f'{what}: `{field}` is not supported by {MODULE_NAME}')


def stateless_spec_to_proto(spec: Any, nfs_pool: str) -> service_pb2.StatelessServiceSpec:
    """An upstream MDS/RGW/NFS/iSCSI/rbd-mirror ServiceSpec as a StatelessServiceSpec."""
    stype = str(spec.service_type)
    name = spec.service_name()
    _refuse(spec, _COMMON_UNSUPPORTED, f'service {name}')
    out = service_pb2.StatelessServiceSpec(
        service_type=SERVICE_TYPES[stype], service_id=str(getattr(spec, 'service_id', None) or ''),
        placement=placement_to_proto(getattr(spec, 'placement', None), f'service {name}'))
    if stype == 'rgw':
        _refuse(spec, ('rgw_frontend_ssl_certificate', 'rgw_frontend_type'), f'service {name}')
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
        _refuse(spec, ('ssl_cert', 'ssl_key', 'api_secure'), f'service {name}')
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

# DriveGroupSpec fields without a place in the API.
_DG_UNSUPPORTED = ('block_db_size', 'block_wal_size', 'journal_size', 'data_allocate_fraction',
                   'method', 'crush_device_class') + _COMMON_UNSUPPORTED


def _dg_invalid(name: str, msg: str) -> OrchestratorValidationError:
    # Worded like upstream's DriveGroupValidationError.
    return invalid(f'Failed to validate OSD spec "{name}": {msg}')


def _selection(sel: Any, key: str, name: str) -> Optional[osd_pb2.DeviceSelection]:
    if sel is None:
        return None
    if getattr(sel, 'vendor', None):
        raise _dg_invalid(name, f'{key}: filtering for `vendor` is not supported by {MODULE_NAME}')
    out = osd_pb2.DeviceSelection()
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


def drive_group_to_proto(dg: Any, host_pattern: str) -> osd_pb2.DriveGroupSpec:
    """An upstream DriveGroupSpec as the API's, for the hosts ``host_pattern`` matches."""
    name = str(getattr(dg, 'service_id', None) or 'default')
    for field in _DG_UNSUPPORTED:
        value = getattr(dg, field, None)
        if value not in (None, False, [], {}, ''):
            raise _dg_invalid(name, f'`{field}` is not supported by {MODULE_NAME}')
    if str(getattr(dg, 'filter_logic', 'AND') or 'AND').upper() != 'AND':
        raise _dg_invalid(name, f'`filter_logic` OR is not supported by {MODULE_NAME}')
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
    )
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


def osd_plans_to_preview(name: str, plans: Sequence[osd_pb2.OsdHostPlan]) -> Dict[str, List[Dict[str, Any]]]:
    """PreviewOsds' answer in cephadm's preview shape: ``{host: [{osdspec, host, data,
    notes}]}``, each ``data`` entry as ``ceph-volume lvm batch --report`` prints it."""
    out: Dict[str, List[Dict[str, Any]]] = {}
    for plan in plans:
        osds = []
        for o in plan.osds:
            entry: Dict[str, Any] = {'data': o.data, 'encryption': 'None'}
            if o.size_bytes:
                entry['data_size'] = format_bytes(int(o.size_bytes), 5).strip()
            if o.db:
                entry['block_db'] = o.db
            if o.wal:
                entry['block_wal'] = o.wal
            if o.journal:
                entry['journal'] = o.journal
            if o.osd_id >= 0:
                entry['osd_id'] = o.osd_id
            osds.append(entry)
        out.setdefault(plan.hostname, []).append({
            'osdspec': name, 'host': plan.hostname, 'data': osds,
            'notes': [plan.message] if plan.message else [],
        })
    return out


# --- OSD removal queue -------------------------------------------------------------------

_REMOVAL_STATES = {
    osd_pb2.OsdRemoval.STATE_PENDING: 'not started',
    osd_pb2.OsdRemoval.STATE_DRAINING: 'draining',
    osd_pb2.OsdRemoval.STATE_STOPPING: 'done, waiting for purge',
    osd_pb2.OsdRemoval.STATE_DONE: 'done',
    osd_pb2.OsdRemoval.STATE_FAILED: 'failed',
    osd_pb2.OsdRemoval.STATE_CANCELLED: 'cancelled',
}


class OSDRemoval:
    """One entry of ``ceph orch osd rm status``, with the attributes and methods the CLI
    reads from cephadm's ``OSD`` class (``drain_status_human()``, ``get_pg_count()``,
    ``to_json()``)."""

    def __init__(self, r: osd_pb2.OsdRemoval) -> None:
        self.osd_id = int(r.osd_id)
        self.hostname = r.hostname or None
        self.state = _REMOVAL_STATES.get(r.state, 'unknown')
        self.message = r.message
        self.replace = bool(r.replace)
        self.force = bool(r.force)
        self.zap = False
        self.pg_count = int(r.pg_count)
        self.started = r.state != osd_pb2.OsdRemoval.STATE_PENDING
        self.draining = r.state == osd_pb2.OsdRemoval.STATE_DRAINING
        self.stopped = r.state in (osd_pb2.OsdRemoval.STATE_DONE, osd_pb2.OsdRemoval.STATE_FAILED,
                                   osd_pb2.OsdRemoval.STATE_CANCELLED)
        self.drain_started_at = to_datetime(r.started)
        self.operation_id = r.operation_id

    def drain_status_human(self) -> str:
        if self.state == 'failed' and self.message:
            return f'failed: {self.message}'
        return self.state

    def get_pg_count(self) -> int:
        return self.pg_count

    def to_json(self) -> Dict[str, Any]:
        from ceph.utils import datetime_to_str
        return {
            'osd_id': self.osd_id,
            'hostname': self.hostname,
            'state': self.state,
            'message': self.message,
            'started': self.started,
            'draining': self.draining,
            'stopped': self.stopped,
            'replace': self.replace,
            'force': self.force,
            'zap': self.zap,
            'pg_count': self.pg_count,
            'drain_started_at': datetime_to_str(self.drain_started_at) if self.drain_started_at else None,
            'operation_id': self.operation_id,
        }

    def __str__(self) -> str:
        return f'osd.{self.osd_id}'


# --- upgrades ---------------------------------------------------------------------------

def upgrade_status_to_upstream(s: Any) -> UpgradeStatusSpec:
    r = UpgradeStatusSpec()
    r.in_progress = bool(s.in_progress)
    # The API upgrades by Ceph version, not by container image: the version stands in
    # for the image.
    r.target_image = s.target_version or None if s.in_progress else None
    r.services_complete = list(s.services_complete)
    r.which = 'Upgrading all daemon types on all hosts' if s.in_progress else '<unknown>'
    r.progress = (s.progress or None) if s.in_progress else None
    r.message = s.message
    r.is_paused = bool(s.paused)
    return r


__all__ = [
    'MODULE_NAME', 'TYPE_NAMES', 'STATELESS_TYPES', 'OSDRemoval', 'to_datetime', 'struct_to_dict',
    'host_to_spec', 'inventory_to_upstream', 'placement_to_upstream', 'placement_to_proto',
    'placement_is_empty', 'service_to_upstream', 'daemon_to_upstream', 'stateless_spec_to_proto',
    'drive_group_to_proto', 'osd_plans_to_preview', 'upgrade_status_to_upstream', 'orchestrator',
]
