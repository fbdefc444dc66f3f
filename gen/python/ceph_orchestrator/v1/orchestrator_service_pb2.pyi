from ceph_orchestrator.v1 import service_pb2 as _service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetCapabilitiesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetCapabilitiesResponse(_message.Message):
    __slots__ = ["backend", "rpcs", "service_types", "version"]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    RPCS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_TYPES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    backend: str
    rpcs: _containers.RepeatedCompositeFieldContainer[RpcCapability]
    service_types: _containers.RepeatedScalarFieldContainer[_service_pb2.ServiceType]
    version: str
    def __init__(self, backend: _Optional[str] = ..., version: _Optional[str] = ..., rpcs: _Optional[_Iterable[_Union[RpcCapability, _Mapping]]] = ..., service_types: _Optional[_Iterable[_Union[_service_pb2.ServiceType, str]]] = ...) -> None: ...

class GetStatusRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ["available", "backend", "details", "paused", "reason"]
    class DetailsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    available: bool
    backend: str
    details: _containers.ScalarMap[str, str]
    paused: bool
    reason: str
    def __init__(self, available: bool = ..., reason: _Optional[str] = ..., backend: _Optional[str] = ..., details: _Optional[_Mapping[str, str]] = ..., paused: bool = ...) -> None: ...

class PauseReconciliationRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class PauseReconciliationResponse(_message.Message):
    __slots__ = ["paused"]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    paused: bool
    def __init__(self, paused: bool = ...) -> None: ...

class ResumeReconciliationRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ResumeReconciliationResponse(_message.Message):
    __slots__ = ["paused"]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    paused: bool
    def __init__(self, paused: bool = ...) -> None: ...

class RpcCapability(_message.Message):
    __slots__ = ["method", "supported", "unsupported_options"]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    SUPPORTED_FIELD_NUMBER: _ClassVar[int]
    UNSUPPORTED_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    method: str
    supported: bool
    unsupported_options: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, method: _Optional[str] = ..., supported: bool = ..., unsupported_options: _Optional[_Iterable[str]] = ...) -> None: ...
