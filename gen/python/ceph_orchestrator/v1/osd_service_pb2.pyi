from ceph_orchestrator.v1 import operation_pb2 as _operation_pb2
from ceph_orchestrator.v1 import osd_pb2 as _osd_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateOsdsRequest(_message.Message):
    __slots__ = ["request_id", "spec"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    spec: _osd_pb2.DriveGroupSpec
    def __init__(self, spec: _Optional[_Union[_osd_pb2.DriveGroupSpec, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateOsdsResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class GetOsdRemovalStatusRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetOsdRemovalStatusResponse(_message.Message):
    __slots__ = ["removals"]
    REMOVALS_FIELD_NUMBER: _ClassVar[int]
    removals: _containers.RepeatedCompositeFieldContainer[_osd_pb2.OsdRemoval]
    def __init__(self, removals: _Optional[_Iterable[_Union[_osd_pb2.OsdRemoval, _Mapping]]] = ...) -> None: ...

class PreviewOsdsRequest(_message.Message):
    __slots__ = ["spec"]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    spec: _osd_pb2.DriveGroupSpec
    def __init__(self, spec: _Optional[_Union[_osd_pb2.DriveGroupSpec, _Mapping]] = ...) -> None: ...

class PreviewOsdsResponse(_message.Message):
    __slots__ = ["hosts"]
    HOSTS_FIELD_NUMBER: _ClassVar[int]
    hosts: _containers.RepeatedCompositeFieldContainer[_osd_pb2.OsdHostPlan]
    def __init__(self, hosts: _Optional[_Iterable[_Union[_osd_pb2.OsdHostPlan, _Mapping]]] = ...) -> None: ...

class RemoveOsdsRequest(_message.Message):
    __slots__ = ["force", "osd_ids", "replace", "request_id", "zap"]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    OSD_IDS_FIELD_NUMBER: _ClassVar[int]
    REPLACE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ZAP_FIELD_NUMBER: _ClassVar[int]
    force: bool
    osd_ids: _containers.RepeatedScalarFieldContainer[int]
    replace: bool
    request_id: str
    zap: bool
    def __init__(self, osd_ids: _Optional[_Iterable[int]] = ..., replace: bool = ..., force: bool = ..., request_id: _Optional[str] = ..., zap: bool = ...) -> None: ...

class RemoveOsdsResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class ReplaceOsdsRequest(_message.Message):
    __slots__ = ["request_id", "spec"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    spec: _osd_pb2.DriveGroupSpec
    def __init__(self, spec: _Optional[_Union[_osd_pb2.DriveGroupSpec, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReplaceOsdsResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...
