from ceph_orchestrator.v1 import inventory_pb2 as _inventory_pb2
from ceph_orchestrator.v1 import operation_pb2 as _operation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BlinkDeviceLightRequest(_message.Message):
    __slots__ = ["light", "locations", "on", "request_id"]
    LIGHT_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    ON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    light: _inventory_pb2.LightType
    locations: _containers.RepeatedCompositeFieldContainer[_inventory_pb2.DeviceLightLocation]
    on: bool
    request_id: str
    def __init__(self, light: _Optional[_Union[_inventory_pb2.LightType, str]] = ..., on: bool = ..., locations: _Optional[_Iterable[_Union[_inventory_pb2.DeviceLightLocation, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class BlinkDeviceLightResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class GetInventoryRequest(_message.Message):
    __slots__ = ["hostnames", "labels", "page_size", "page_token", "refresh"]
    HOSTNAMES_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    hostnames: _containers.RepeatedScalarFieldContainer[str]
    labels: _containers.RepeatedScalarFieldContainer[str]
    page_size: int
    page_token: str
    refresh: bool
    def __init__(self, hostnames: _Optional[_Iterable[str]] = ..., labels: _Optional[_Iterable[str]] = ..., refresh: bool = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetInventoryResponse(_message.Message):
    __slots__ = ["hosts", "next_page_token", "total_size"]
    HOSTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    hosts: _containers.RepeatedCompositeFieldContainer[_inventory_pb2.InventoryHost]
    next_page_token: str
    total_size: int
    def __init__(self, hosts: _Optional[_Iterable[_Union[_inventory_pb2.InventoryHost, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ZapDeviceRequest(_message.Message):
    __slots__ = ["hostname", "path", "request_id"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    path: str
    request_id: str
    def __init__(self, hostname: _Optional[str] = ..., path: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ZapDeviceResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...
