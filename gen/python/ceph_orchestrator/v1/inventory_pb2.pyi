from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
LIGHT_TYPE_FAULT: LightType
LIGHT_TYPE_IDENT: LightType
LIGHT_TYPE_UNSPECIFIED: LightType

class Device(_message.Message):
    __slots__ = ["available", "ceph_device", "created", "device_id", "device_nodes", "human_readable_size", "lsm_data", "lvs", "model", "osd_id", "path", "rejected_reasons", "rotational", "size_bytes", "sys_api", "type", "vendor"]
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CEPH_DEVICE_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_NODES_FIELD_NUMBER: _ClassVar[int]
    HUMAN_READABLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    LSM_DATA_FIELD_NUMBER: _ClassVar[int]
    LVS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    OSD_ID_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    REJECTED_REASONS_FIELD_NUMBER: _ClassVar[int]
    ROTATIONAL_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SYS_API_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TYPE_HDD: Device.Type
    TYPE_NVME: Device.Type
    TYPE_SSD: Device.Type
    TYPE_UNSPECIFIED: Device.Type
    VENDOR_FIELD_NUMBER: _ClassVar[int]
    available: bool
    ceph_device: bool
    created: _timestamp_pb2.Timestamp
    device_id: str
    device_nodes: str
    human_readable_size: str
    lsm_data: _struct_pb2.Struct
    lvs: _containers.RepeatedCompositeFieldContainer[LogicalVolume]
    model: str
    osd_id: int
    path: str
    rejected_reasons: _containers.RepeatedScalarFieldContainer[str]
    rotational: bool
    size_bytes: int
    sys_api: _struct_pb2.Struct
    type: Device.Type
    vendor: str
    def __init__(self, path: _Optional[str] = ..., device_id: _Optional[str] = ..., available: bool = ..., rejected_reasons: _Optional[_Iterable[str]] = ..., type: _Optional[_Union[Device.Type, str]] = ..., size_bytes: _Optional[int] = ..., rotational: bool = ..., vendor: _Optional[str] = ..., model: _Optional[str] = ..., lvs: _Optional[_Iterable[_Union[LogicalVolume, _Mapping]]] = ..., sys_api: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., human_readable_size: _Optional[str] = ..., osd_id: _Optional[int] = ..., ceph_device: bool = ..., device_nodes: _Optional[str] = ..., lsm_data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., created: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeviceLightLocation(_message.Message):
    __slots__ = ["device_id", "hostname", "path"]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    hostname: str
    path: str
    def __init__(self, hostname: _Optional[str] = ..., device_id: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class InventoryHost(_message.Message):
    __slots__ = ["addr", "devices", "hostname", "labels", "last_refresh"]
    ADDR_FIELD_NUMBER: _ClassVar[int]
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    LAST_REFRESH_FIELD_NUMBER: _ClassVar[int]
    addr: str
    devices: _containers.RepeatedCompositeFieldContainer[Device]
    hostname: str
    labels: _containers.RepeatedScalarFieldContainer[str]
    last_refresh: _timestamp_pb2.Timestamp
    def __init__(self, hostname: _Optional[str] = ..., addr: _Optional[str] = ..., labels: _Optional[_Iterable[str]] = ..., devices: _Optional[_Iterable[_Union[Device, _Mapping]]] = ..., last_refresh: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LogicalVolume(_message.Message):
    __slots__ = ["block_uuid", "cluster_fsid", "cluster_name", "name", "osd_fsid", "osd_id", "osdspec_affinity", "type"]
    BLOCK_UUID_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_FSID_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OSDSPEC_AFFINITY_FIELD_NUMBER: _ClassVar[int]
    OSD_FSID_FIELD_NUMBER: _ClassVar[int]
    OSD_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    block_uuid: str
    cluster_fsid: str
    cluster_name: str
    name: str
    osd_fsid: str
    osd_id: int
    osdspec_affinity: str
    type: str
    def __init__(self, name: _Optional[str] = ..., osd_id: _Optional[int] = ..., cluster_name: _Optional[str] = ..., type: _Optional[str] = ..., osd_fsid: _Optional[str] = ..., cluster_fsid: _Optional[str] = ..., osdspec_affinity: _Optional[str] = ..., block_uuid: _Optional[str] = ...) -> None: ...

class LightType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
