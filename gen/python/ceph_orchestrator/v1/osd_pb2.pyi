from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
OSD_METHOD_LVM: OsdMethod
OSD_METHOD_RAW: OsdMethod
OSD_METHOD_UNSPECIFIED: OsdMethod

class CreatedOsd(_message.Message):
    __slots__ = ["crush_device_class", "data", "data_size_bytes", "db", "db_size_bytes", "hostname", "osd_id", "wal", "wal_size_bytes"]
    CRUSH_DEVICE_CLASS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    DATA_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    DB_FIELD_NUMBER: _ClassVar[int]
    DB_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    OSD_ID_FIELD_NUMBER: _ClassVar[int]
    WAL_FIELD_NUMBER: _ClassVar[int]
    WAL_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    crush_device_class: str
    data: str
    data_size_bytes: int
    db: str
    db_size_bytes: int
    hostname: str
    osd_id: int
    wal: str
    wal_size_bytes: int
    def __init__(self, osd_id: _Optional[int] = ..., hostname: _Optional[str] = ..., data: _Optional[str] = ..., db: _Optional[str] = ..., wal: _Optional[str] = ..., data_size_bytes: _Optional[int] = ..., db_size_bytes: _Optional[int] = ..., wal_size_bytes: _Optional[int] = ..., crush_device_class: _Optional[str] = ...) -> None: ...

class DeviceSelection(_message.Message):
    __slots__ = ["all", "count", "id_model", "paths", "rotational", "size", "vendor"]
    ALL_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    ID_MODEL_FIELD_NUMBER: _ClassVar[int]
    PATHS_FIELD_NUMBER: _ClassVar[int]
    ROTATIONAL_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    VENDOR_FIELD_NUMBER: _ClassVar[int]
    all: bool
    count: int
    id_model: str
    paths: _containers.RepeatedScalarFieldContainer[str]
    rotational: bool
    size: str
    vendor: str
    def __init__(self, paths: _Optional[_Iterable[str]] = ..., id_model: _Optional[str] = ..., size: _Optional[str] = ..., rotational: bool = ..., count: _Optional[int] = ..., all: bool = ..., vendor: _Optional[str] = ...) -> None: ...

class DriveGroupSpec(_message.Message):
    __slots__ = ["block_db_size", "block_wal_size", "crush_device_class", "data_allocate_fraction", "data_devices", "data_directories", "db_devices", "db_slots", "encrypted", "filter_logic", "host_pattern", "journal_devices", "journal_size", "method", "objectstore", "osd_id_claims", "osds_per_device", "service_id", "unmanaged", "wal_devices", "wal_slots"]
    class FilterLogic(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    class Objectstore(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    class OsdIdClaimsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: OsdIdList
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[OsdIdList, _Mapping]] = ...) -> None: ...
    BLOCK_DB_SIZE_FIELD_NUMBER: _ClassVar[int]
    BLOCK_WAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    CRUSH_DEVICE_CLASS_FIELD_NUMBER: _ClassVar[int]
    DATA_ALLOCATE_FRACTION_FIELD_NUMBER: _ClassVar[int]
    DATA_DEVICES_FIELD_NUMBER: _ClassVar[int]
    DATA_DIRECTORIES_FIELD_NUMBER: _ClassVar[int]
    DB_DEVICES_FIELD_NUMBER: _ClassVar[int]
    DB_SLOTS_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTED_FIELD_NUMBER: _ClassVar[int]
    FILTER_LOGIC_AND: DriveGroupSpec.FilterLogic
    FILTER_LOGIC_FIELD_NUMBER: _ClassVar[int]
    FILTER_LOGIC_OR: DriveGroupSpec.FilterLogic
    FILTER_LOGIC_UNSPECIFIED: DriveGroupSpec.FilterLogic
    HOST_PATTERN_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_DEVICES_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    OBJECTSTORE_BLUESTORE: DriveGroupSpec.Objectstore
    OBJECTSTORE_FIELD_NUMBER: _ClassVar[int]
    OBJECTSTORE_FILESTORE: DriveGroupSpec.Objectstore
    OBJECTSTORE_UNSPECIFIED: DriveGroupSpec.Objectstore
    OSDS_PER_DEVICE_FIELD_NUMBER: _ClassVar[int]
    OSD_ID_CLAIMS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ID_FIELD_NUMBER: _ClassVar[int]
    UNMANAGED_FIELD_NUMBER: _ClassVar[int]
    WAL_DEVICES_FIELD_NUMBER: _ClassVar[int]
    WAL_SLOTS_FIELD_NUMBER: _ClassVar[int]
    block_db_size: str
    block_wal_size: str
    crush_device_class: str
    data_allocate_fraction: float
    data_devices: DeviceSelection
    data_directories: _containers.RepeatedScalarFieldContainer[str]
    db_devices: DeviceSelection
    db_slots: int
    encrypted: bool
    filter_logic: DriveGroupSpec.FilterLogic
    host_pattern: str
    journal_devices: DeviceSelection
    journal_size: str
    method: OsdMethod
    objectstore: DriveGroupSpec.Objectstore
    osd_id_claims: _containers.MessageMap[str, OsdIdList]
    osds_per_device: int
    service_id: str
    unmanaged: bool
    wal_devices: DeviceSelection
    wal_slots: int
    def __init__(self, service_id: _Optional[str] = ..., host_pattern: _Optional[str] = ..., data_devices: _Optional[_Union[DeviceSelection, _Mapping]] = ..., db_devices: _Optional[_Union[DeviceSelection, _Mapping]] = ..., wal_devices: _Optional[_Union[DeviceSelection, _Mapping]] = ..., journal_devices: _Optional[_Union[DeviceSelection, _Mapping]] = ..., data_directories: _Optional[_Iterable[str]] = ..., osds_per_device: _Optional[int] = ..., objectstore: _Optional[_Union[DriveGroupSpec.Objectstore, str]] = ..., encrypted: bool = ..., db_slots: _Optional[int] = ..., wal_slots: _Optional[int] = ..., osd_id_claims: _Optional[_Mapping[str, OsdIdList]] = ..., unmanaged: bool = ..., block_db_size: _Optional[str] = ..., block_wal_size: _Optional[str] = ..., journal_size: _Optional[str] = ..., data_allocate_fraction: _Optional[float] = ..., crush_device_class: _Optional[str] = ..., filter_logic: _Optional[_Union[DriveGroupSpec.FilterLogic, str]] = ..., method: _Optional[_Union[OsdMethod, str]] = ...) -> None: ...

class OsdHostPlan(_message.Message):
    __slots__ = ["hostname", "message", "osds"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    OSDS_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    message: str
    osds: _containers.RepeatedCompositeFieldContainer[PlannedOsd]
    def __init__(self, hostname: _Optional[str] = ..., osds: _Optional[_Iterable[_Union[PlannedOsd, _Mapping]]] = ..., message: _Optional[str] = ...) -> None: ...

class OsdIdList(_message.Message):
    __slots__ = ["osd_ids"]
    OSD_IDS_FIELD_NUMBER: _ClassVar[int]
    osd_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, osd_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class OsdRemoval(_message.Message):
    __slots__ = ["force", "hostname", "message", "operation_id", "osd_id", "pg_count", "replace", "started", "state", "zap"]
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    FORCE_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    OSD_ID_FIELD_NUMBER: _ClassVar[int]
    PG_COUNT_FIELD_NUMBER: _ClassVar[int]
    REPLACE_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    STATE_CANCELLED: OsdRemoval.State
    STATE_DONE: OsdRemoval.State
    STATE_DRAINING: OsdRemoval.State
    STATE_FAILED: OsdRemoval.State
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_PENDING: OsdRemoval.State
    STATE_STOPPING: OsdRemoval.State
    STATE_UNSPECIFIED: OsdRemoval.State
    ZAP_FIELD_NUMBER: _ClassVar[int]
    force: bool
    hostname: str
    message: str
    operation_id: str
    osd_id: int
    pg_count: int
    replace: bool
    started: _timestamp_pb2.Timestamp
    state: OsdRemoval.State
    zap: bool
    def __init__(self, osd_id: _Optional[int] = ..., hostname: _Optional[str] = ..., state: _Optional[_Union[OsdRemoval.State, str]] = ..., replace: bool = ..., force: bool = ..., pg_count: _Optional[int] = ..., started: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., message: _Optional[str] = ..., operation_id: _Optional[str] = ..., zap: bool = ...) -> None: ...

class PlannedOsd(_message.Message):
    __slots__ = ["crush_device_class", "data", "data_size_bytes", "db", "db_size_bytes", "journal", "journal_size_bytes", "method", "osd_id", "size_bytes", "wal", "wal_size_bytes"]
    CRUSH_DEVICE_CLASS_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    DATA_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    DB_FIELD_NUMBER: _ClassVar[int]
    DB_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_FIELD_NUMBER: _ClassVar[int]
    JOURNAL_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    OSD_ID_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    WAL_FIELD_NUMBER: _ClassVar[int]
    WAL_SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    crush_device_class: str
    data: str
    data_size_bytes: int
    db: str
    db_size_bytes: int
    journal: str
    journal_size_bytes: int
    method: OsdMethod
    osd_id: int
    size_bytes: int
    wal: str
    wal_size_bytes: int
    def __init__(self, data: _Optional[str] = ..., db: _Optional[str] = ..., wal: _Optional[str] = ..., journal: _Optional[str] = ..., osd_id: _Optional[int] = ..., size_bytes: _Optional[int] = ..., data_size_bytes: _Optional[int] = ..., db_size_bytes: _Optional[int] = ..., wal_size_bytes: _Optional[int] = ..., journal_size_bytes: _Optional[int] = ..., crush_device_class: _Optional[str] = ..., method: _Optional[_Union[OsdMethod, str]] = ...) -> None: ...

class OsdMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
