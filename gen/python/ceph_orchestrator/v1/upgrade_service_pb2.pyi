from ceph_orchestrator.v1 import operation_pb2 as _operation_pb2
from ceph_orchestrator.v1 import upgrade_pb2 as _upgrade_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetAvailableUpgradesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetAvailableUpgradesResponse(_message.Message):
    __slots__ = ["current_version", "versions"]
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    current_version: str
    versions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, current_version: _Optional[str] = ..., versions: _Optional[_Iterable[str]] = ...) -> None: ...

class GetUpgradeStatusRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetUpgradeStatusResponse(_message.Message):
    __slots__ = ["status"]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: _upgrade_pb2.UpgradeStatus
    def __init__(self, status: _Optional[_Union[_upgrade_pb2.UpgradeStatus, _Mapping]] = ...) -> None: ...

class PauseUpgradeRequest(_message.Message):
    __slots__ = ["request_id"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    def __init__(self, request_id: _Optional[str] = ...) -> None: ...

class PauseUpgradeResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class ResumeUpgradeRequest(_message.Message):
    __slots__ = ["request_id"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    def __init__(self, request_id: _Optional[str] = ...) -> None: ...

class ResumeUpgradeResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class StartUpgradeRequest(_message.Message):
    __slots__ = ["request_id", "target_version"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_VERSION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    target_version: str
    def __init__(self, target_version: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartUpgradeResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class StopUpgradeRequest(_message.Message):
    __slots__ = ["request_id"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    def __init__(self, request_id: _Optional[str] = ...) -> None: ...

class StopUpgradeResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...
