"""The gRPC API's messages as upstream's objects (the other direction, upstream's specs
as the API's messages, is :mod:`.specs`).

Upstream objects (``ceph.deployment.*``, ``orchestrator.*``) go to the orchestrator CLI,
the dashboard and the volumes module, which run in other ceph-mgr sub-interpreters: they
are used there duck-typed (attributes and methods), never checked with ``isinstance``.
"""

import datetime
import inspect
from typing import Any, Dict, List, Optional, Sequence

from google.protobuf import json_format

from ceph.deployment import inventory
from ceph.deployment.drive_group import DeviceSelection, DriveGroupSpec
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

#: Service types the API manages as "stateless" services (Add/Update/RemoveStatelessService);
#: the last five have no service id. Which of them a backend deploys, it decides.
STATELESS_TYPES = ('mds', 'rgw', 'nfs', 'iscsi', 'rbd-mirror',
                   'crash', 'node-exporter', 'prometheus', 'grafana', 'alertmanager')

# Later python-common releases' inventory.Device takes device_nodes; 16.2's does not.
_DEVICE_HAS_NODES = 'device_nodes' in inspect.signature(inventory.Device.__init__).parameters

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
    extra = {'device_nodes': d.device_nodes or None} if _DEVICE_HAS_NODES else {}
    return inventory.Device(
        path=d.path,
        sys_api=sys_api,
        available=bool(d.available),
        rejected_reasons=sorted(d.rejected_reasons),
        lvs=lvs,
        device_id=d.device_id or None,
        lsm_data=struct_to_dict(d.lsm_data),
        created=to_datetime(d.created) or refreshed,
        ceph_device=bool(d.ceph_device or lvs),
        **extra,
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


# --- services and daemons ---------------------------------------------------------------

def _service_ports(sd: service_pb2.ServiceDescription) -> List[int]:
    which = sd.WhichOneof('details')
    if which == 'rgw' and sd.rgw.rgw_frontend_port:
        return [sd.rgw.rgw_frontend_port]
    if which == 'nfs':
        return [sd.nfs.port or 2049]
    return []


_OBJECTSTORE_NAMES = {osd_pb2.DriveGroupSpec.OBJECTSTORE_FILESTORE: 'filestore'}
_METHOD_NAMES = {osd_pb2.OSD_METHOD_LVM: 'lvm', osd_pb2.OSD_METHOD_RAW: 'raw'}


def _selection_to_upstream(sel: osd_pb2.DeviceSelection) -> DeviceSelection:
    return DeviceSelection(paths=list(sel.paths) or None, model=sel.id_model or None, vendor=sel.vendor or None,
                           size=sel.size or None, rotational=sel.rotational if sel.HasField('rotational') else None,
                           limit=sel.count or None, all=sel.all)


def drive_group_to_upstream(dg: osd_pb2.DriveGroupSpec, service_id: str, unmanaged: bool) -> DriveGroupSpec:
    """A stored drive group (of the service ``osd.<service_id>``) as the spec `ceph orch
    apply -i` takes back unchanged."""
    selections = {key: _selection_to_upstream(getattr(dg, key))
                  for key in ('data_devices', 'db_devices', 'wal_devices', 'journal_devices') if dg.HasField(key)}
    return DriveGroupSpec(
        service_id=service_id, placement=PlacementSpec(host_pattern=dg.host_pattern),
        data_directories=list(dg.data_directories) or None, osds_per_device=dg.osds_per_device or None,
        objectstore=_OBJECTSTORE_NAMES.get(dg.objectstore, 'bluestore'), encrypted=dg.encrypted,
        db_slots=dg.db_slots or None, wal_slots=dg.wal_slots or None, unmanaged=unmanaged,
        block_db_size=dg.block_db_size or None, block_wal_size=dg.block_wal_size or None,
        journal_size=dg.journal_size or None, crush_device_class=dg.crush_device_class or None,
        data_allocate_fraction=dg.data_allocate_fraction if dg.HasField('data_allocate_fraction') else None,
        filter_logic='OR' if dg.filter_logic == osd_pb2.DriveGroupSpec.FILTER_LOGIC_OR else 'AND',
        method=_METHOD_NAMES.get(dg.method), **selections)


def service_spec_from_proto(sd: Any) -> ServiceSpec:
    """The service's spec as upstream's, the way `ceph orch ls --export` prints it."""
    stype = TYPE_NAMES.get(sd.service_type, 'mon')
    sid = sd.service_id or None
    placement = placement_to_upstream(sd.placement)
    which = sd.WhichOneof('details')
    unmanaged = bool(sd.unmanaged)
    if stype == 'osd':
        if which == 'drive_group':
            return drive_group_to_upstream(sd.drive_group, sd.service_id, unmanaged)
        # OSDs no drive group describes (created before drive groups were kept): the
        # reconciler leaves them alone, which cephadm shows as unmanaged.
        return DriveGroupSpec(service_id=sid, placement=placement, unmanaged=True)
    if stype == 'rgw':
        rgw = sd.rgw if which == 'rgw' else service_pb2.RgwSpec()
        return RGWSpec(service_id=sid, placement=placement, rgw_realm=rgw.rgw_realm or None,
                       rgw_zone=rgw.rgw_zone or None, rgw_frontend_port=rgw.rgw_frontend_port or None,
                       ssl=rgw.ssl, unmanaged=unmanaged)
    if stype == 'nfs':
        nfs = sd.nfs if which == 'nfs' else service_pb2.NfsSpec()
        return NFSServiceSpec(service_id=sid, placement=placement, port=nfs.port or None, unmanaged=unmanaged)
    if stype == 'iscsi':
        iscsi = sd.iscsi if which == 'iscsi' else service_pb2.IscsiSpec()
        return IscsiServiceSpec(service_id=sid, placement=placement, pool=iscsi.pool or None,
                                api_user=iscsi.api_user or None, api_password=None,
                                trusted_ip_list=','.join(iscsi.trusted_ip_list) or None, unmanaged=unmanaged)
    if stype == 'mds':
        return MDSSpec(service_id=sid, placement=placement, unmanaged=unmanaged)
    return ServiceSpec(stype, service_id=sid, placement=placement, unmanaged=unmanaged)


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
        ports=list(dd.ports) or None,
        ip=dd.ip or None,
        memory_usage=dd.memory_usage or None,
        memory_request=dd.memory_request or None,
        memory_limit=dd.memory_limit or None,
        cpu_percentage=dd.cpu_percentage or None,
        is_active=bool(dd.is_active),
        rank=dd.rank if dd.HasField('rank') else None,
        container_image_name=dd.image or None,
    )


# --- OSD previews ------------------------------------------------------------------------

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

#: Removal states in which the removal can still be stopped.
REMOVAL_ACTIVE_STATES = (osd_pb2.OsdRemoval.STATE_PENDING, osd_pb2.OsdRemoval.STATE_DRAINING,
                         osd_pb2.OsdRemoval.STATE_STOPPING)

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
        self.zap = bool(r.zap)
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
    'MODULE_NAME', 'TYPE_NAMES', 'STATELESS_TYPES', 'REMOVAL_ACTIVE_STATES', 'OSDRemoval', 'invalid', 'to_datetime',
    'struct_to_dict', 'host_to_spec', 'inventory_to_upstream', 'placement_to_upstream', 'drive_group_to_upstream',
    'service_spec_from_proto', 'service_to_upstream',
    'daemon_to_upstream', 'osd_plans_to_preview', 'upgrade_status_to_upstream',
]
