from ceph_orchestrator.v1 import options_pb2 as _options_pb2
from ceph_orchestrator.v1 import osd_pb2 as _osd_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
SERVICE_ACTION_REDEPLOY: ServiceAction
SERVICE_ACTION_RELOAD: ServiceAction
SERVICE_ACTION_RESTART: ServiceAction
SERVICE_ACTION_START: ServiceAction
SERVICE_ACTION_STOP: ServiceAction
SERVICE_ACTION_UNSPECIFIED: ServiceAction
SERVICE_TYPE_ALERTMANAGER: ServiceType
SERVICE_TYPE_CRASH: ServiceType
SERVICE_TYPE_GRAFANA: ServiceType
SERVICE_TYPE_ISCSI: ServiceType
SERVICE_TYPE_MDS: ServiceType
SERVICE_TYPE_MGR: ServiceType
SERVICE_TYPE_MON: ServiceType
SERVICE_TYPE_NFS: ServiceType
SERVICE_TYPE_NODE_EXPORTER: ServiceType
SERVICE_TYPE_OSD: ServiceType
SERVICE_TYPE_PROMETHEUS: ServiceType
SERVICE_TYPE_RBD_MIRROR: ServiceType
SERVICE_TYPE_RGW: ServiceType
SERVICE_TYPE_UNSPECIFIED: ServiceType

class DaemonDescription(_message.Message):
    __slots__ = ["container_id", "cpu_percentage", "created", "daemon_id", "daemon_name", "daemon_type", "hostname", "image", "ip", "is_active", "last_refresh", "memory_limit", "memory_request", "memory_usage", "pid", "ports", "rank", "service_name", "started", "status", "status_desc", "version"]
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    CONTAINER_ID_FIELD_NUMBER: _ClassVar[int]
    CPU_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    DAEMON_ID_FIELD_NUMBER: _ClassVar[int]
    DAEMON_NAME_FIELD_NUMBER: _ClassVar[int]
    DAEMON_TYPE_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    LAST_REFRESH_FIELD_NUMBER: _ClassVar[int]
    MEMORY_LIMIT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_REQUEST_FIELD_NUMBER: _ClassVar[int]
    MEMORY_USAGE_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    PORTS_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    STATUS_DESC_FIELD_NUMBER: _ClassVar[int]
    STATUS_ERROR: DaemonDescription.Status
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_RUNNING: DaemonDescription.Status
    STATUS_STARTING: DaemonDescription.Status
    STATUS_STOPPED: DaemonDescription.Status
    STATUS_UNKNOWN: DaemonDescription.Status
    STATUS_UNSPECIFIED: DaemonDescription.Status
    VERSION_FIELD_NUMBER: _ClassVar[int]
    container_id: str
    cpu_percentage: str
    created: _timestamp_pb2.Timestamp
    daemon_id: str
    daemon_name: str
    daemon_type: ServiceType
    hostname: str
    image: str
    ip: str
    is_active: bool
    last_refresh: _timestamp_pb2.Timestamp
    memory_limit: int
    memory_request: int
    memory_usage: int
    pid: int
    ports: _containers.RepeatedScalarFieldContainer[int]
    rank: int
    service_name: str
    started: _timestamp_pb2.Timestamp
    status: DaemonDescription.Status
    status_desc: str
    version: str
    def __init__(self, daemon_type: _Optional[_Union[ServiceType, str]] = ..., daemon_id: _Optional[str] = ..., daemon_name: _Optional[str] = ..., service_name: _Optional[str] = ..., hostname: _Optional[str] = ..., status: _Optional[_Union[DaemonDescription.Status, str]] = ..., status_desc: _Optional[str] = ..., version: _Optional[str] = ..., container_id: _Optional[str] = ..., pid: _Optional[int] = ..., last_refresh: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., created: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., started: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., ports: _Optional[_Iterable[int]] = ..., ip: _Optional[str] = ..., memory_usage: _Optional[int] = ..., memory_request: _Optional[int] = ..., memory_limit: _Optional[int] = ..., cpu_percentage: _Optional[str] = ..., is_active: bool = ..., rank: _Optional[int] = ..., image: _Optional[str] = ...) -> None: ...

class HostPlacement(_message.Message):
    __slots__ = ["hostname", "name", "network"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    name: str
    network: str
    def __init__(self, hostname: _Optional[str] = ..., network: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class IscsiSpec(_message.Message):
    __slots__ = ["api_password", "api_user", "pool", "trusted_ip_list"]
    API_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    API_USER_FIELD_NUMBER: _ClassVar[int]
    POOL_FIELD_NUMBER: _ClassVar[int]
    TRUSTED_IP_LIST_FIELD_NUMBER: _ClassVar[int]
    api_password: str
    api_user: str
    pool: str
    trusted_ip_list: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, pool: _Optional[str] = ..., api_user: _Optional[str] = ..., api_password: _Optional[str] = ..., trusted_ip_list: _Optional[_Iterable[str]] = ...) -> None: ...

class NfsSpec(_message.Message):
    __slots__ = ["namespace", "pool", "port"]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    POOL_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    pool: str
    port: int
    def __init__(self, pool: _Optional[str] = ..., namespace: _Optional[str] = ..., port: _Optional[int] = ...) -> None: ...

class Placement(_message.Message):
    __slots__ = ["count", "host_pattern", "hosts", "label"]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    HOSTS_FIELD_NUMBER: _ClassVar[int]
    HOST_PATTERN_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    count: int
    host_pattern: str
    hosts: _containers.RepeatedCompositeFieldContainer[HostPlacement]
    label: str
    def __init__(self, label: _Optional[str] = ..., hosts: _Optional[_Iterable[_Union[HostPlacement, _Mapping]]] = ..., count: _Optional[int] = ..., host_pattern: _Optional[str] = ...) -> None: ...

class RgwSpec(_message.Message):
    __slots__ = ["rgw_frontend_port", "rgw_multisite", "rgw_multisite_proto", "rgw_realm", "rgw_zone", "rgw_zone_user", "rgw_zonegroup", "rgw_zonemaster", "rgw_zonesecondary", "ssl", "system_access_key", "system_secret_key"]
    RGW_FRONTEND_PORT_FIELD_NUMBER: _ClassVar[int]
    RGW_MULTISITE_FIELD_NUMBER: _ClassVar[int]
    RGW_MULTISITE_PROTO_FIELD_NUMBER: _ClassVar[int]
    RGW_REALM_FIELD_NUMBER: _ClassVar[int]
    RGW_ZONEGROUP_FIELD_NUMBER: _ClassVar[int]
    RGW_ZONEMASTER_FIELD_NUMBER: _ClassVar[int]
    RGW_ZONESECONDARY_FIELD_NUMBER: _ClassVar[int]
    RGW_ZONE_FIELD_NUMBER: _ClassVar[int]
    RGW_ZONE_USER_FIELD_NUMBER: _ClassVar[int]
    SSL_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_SECRET_KEY_FIELD_NUMBER: _ClassVar[int]
    rgw_frontend_port: int
    rgw_multisite: bool
    rgw_multisite_proto: str
    rgw_realm: str
    rgw_zone: str
    rgw_zone_user: str
    rgw_zonegroup: str
    rgw_zonemaster: bool
    rgw_zonesecondary: bool
    ssl: bool
    system_access_key: str
    system_secret_key: str
    def __init__(self, rgw_realm: _Optional[str] = ..., rgw_zone: _Optional[str] = ..., rgw_zonegroup: _Optional[str] = ..., rgw_frontend_port: _Optional[int] = ..., ssl: bool = ..., rgw_multisite: bool = ..., rgw_zonemaster: bool = ..., rgw_zonesecondary: bool = ..., rgw_multisite_proto: _Optional[str] = ..., rgw_zone_user: _Optional[str] = ..., system_access_key: _Optional[str] = ..., system_secret_key: _Optional[str] = ...) -> None: ...

class ServiceDescription(_message.Message):
    __slots__ = ["created", "drive_group", "iscsi", "last_refresh", "nfs", "placement", "rados_config_location", "rgw", "running", "service_id", "service_name", "service_type", "service_url", "size", "unmanaged"]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    DRIVE_GROUP_FIELD_NUMBER: _ClassVar[int]
    ISCSI_FIELD_NUMBER: _ClassVar[int]
    LAST_REFRESH_FIELD_NUMBER: _ClassVar[int]
    NFS_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    RADOS_CONFIG_LOCATION_FIELD_NUMBER: _ClassVar[int]
    RGW_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_URL_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    UNMANAGED_FIELD_NUMBER: _ClassVar[int]
    created: _timestamp_pb2.Timestamp
    drive_group: _osd_pb2.DriveGroupSpec
    iscsi: IscsiSpec
    last_refresh: _timestamp_pb2.Timestamp
    nfs: NfsSpec
    placement: Placement
    rados_config_location: str
    rgw: RgwSpec
    running: int
    service_id: str
    service_name: str
    service_type: ServiceType
    service_url: str
    size: int
    unmanaged: bool
    def __init__(self, service_type: _Optional[_Union[ServiceType, str]] = ..., service_id: _Optional[str] = ..., service_name: _Optional[str] = ..., placement: _Optional[_Union[Placement, _Mapping]] = ..., running: _Optional[int] = ..., size: _Optional[int] = ..., last_refresh: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., created: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., rados_config_location: _Optional[str] = ..., service_url: _Optional[str] = ..., rgw: _Optional[_Union[RgwSpec, _Mapping]] = ..., nfs: _Optional[_Union[NfsSpec, _Mapping]] = ..., iscsi: _Optional[_Union[IscsiSpec, _Mapping]] = ..., drive_group: _Optional[_Union[_osd_pb2.DriveGroupSpec, _Mapping]] = ..., unmanaged: bool = ...) -> None: ...

class StatelessServiceSpec(_message.Message):
    __slots__ = ["iscsi", "nfs", "placement", "rgw", "service_id", "service_type", "unmanaged"]
    ISCSI_FIELD_NUMBER: _ClassVar[int]
    NFS_FIELD_NUMBER: _ClassVar[int]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    RGW_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    UNMANAGED_FIELD_NUMBER: _ClassVar[int]
    iscsi: IscsiSpec
    nfs: NfsSpec
    placement: Placement
    rgw: RgwSpec
    service_id: str
    service_type: ServiceType
    unmanaged: bool
    def __init__(self, service_type: _Optional[_Union[ServiceType, str]] = ..., service_id: _Optional[str] = ..., placement: _Optional[_Union[Placement, _Mapping]] = ..., rgw: _Optional[_Union[RgwSpec, _Mapping]] = ..., nfs: _Optional[_Union[NfsSpec, _Mapping]] = ..., iscsi: _Optional[_Union[IscsiSpec, _Mapping]] = ..., unmanaged: bool = ...) -> None: ...

class ServiceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ServiceAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
