from ceph_orchestrator.v1 import operation_pb2 as _operation_pb2
from ceph_orchestrator.v1 import service_pb2 as _service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AddDaemonsRequest(_message.Message):
    __slots__ = ["request_id", "spec"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    spec: _service_pb2.StatelessServiceSpec
    def __init__(self, spec: _Optional[_Union[_service_pb2.StatelessServiceSpec, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddDaemonsResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class AddStatelessServiceRequest(_message.Message):
    __slots__ = ["request_id", "spec"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    spec: _service_pb2.StatelessServiceSpec
    def __init__(self, spec: _Optional[_Union[_service_pb2.StatelessServiceSpec, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddStatelessServiceResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class DaemonActionRequest(_message.Message):
    __slots__ = ["action", "daemon_name", "request_id", "version"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    DAEMON_NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    action: _service_pb2.ServiceAction
    daemon_name: str
    request_id: str
    version: str
    def __init__(self, action: _Optional[_Union[_service_pb2.ServiceAction, str]] = ..., daemon_name: _Optional[str] = ..., request_id: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class DaemonActionResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class DescribeServicesRequest(_message.Message):
    __slots__ = ["hostname", "page_size", "page_token", "refresh", "service_name", "service_type"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    page_size: int
    page_token: str
    refresh: bool
    service_name: str
    service_type: _service_pb2.ServiceType
    def __init__(self, service_type: _Optional[_Union[_service_pb2.ServiceType, str]] = ..., service_name: _Optional[str] = ..., hostname: _Optional[str] = ..., refresh: bool = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class DescribeServicesResponse(_message.Message):
    __slots__ = ["next_page_token", "services", "total_size"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    services: _containers.RepeatedCompositeFieldContainer[_service_pb2.ServiceDescription]
    total_size: int
    def __init__(self, services: _Optional[_Iterable[_Union[_service_pb2.ServiceDescription, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ListDaemonsRequest(_message.Message):
    __slots__ = ["daemon_id", "daemon_type", "hostname", "page_size", "page_token", "refresh", "service_name"]
    DAEMON_ID_FIELD_NUMBER: _ClassVar[int]
    DAEMON_TYPE_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    daemon_id: str
    daemon_type: _service_pb2.ServiceType
    hostname: str
    page_size: int
    page_token: str
    refresh: bool
    service_name: str
    def __init__(self, daemon_type: _Optional[_Union[_service_pb2.ServiceType, str]] = ..., service_name: _Optional[str] = ..., daemon_id: _Optional[str] = ..., hostname: _Optional[str] = ..., refresh: bool = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDaemonsResponse(_message.Message):
    __slots__ = ["daemons", "next_page_token", "total_size"]
    DAEMONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    daemons: _containers.RepeatedCompositeFieldContainer[_service_pb2.DaemonDescription]
    next_page_token: str
    total_size: int
    def __init__(self, daemons: _Optional[_Iterable[_Union[_service_pb2.DaemonDescription, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class ReconcileServiceRequest(_message.Message):
    __slots__ = ["request_id", "service_name"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    service_name: str
    def __init__(self, service_name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReconcileServiceResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class RemoveDaemonsRequest(_message.Message):
    __slots__ = ["daemon_names", "force", "request_id"]
    DAEMON_NAMES_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    daemon_names: _containers.RepeatedScalarFieldContainer[str]
    force: bool
    request_id: str
    def __init__(self, daemon_names: _Optional[_Iterable[str]] = ..., force: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveDaemonsResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class RemoveStatelessServiceRequest(_message.Message):
    __slots__ = ["request_id", "service_name"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    service_name: str
    def __init__(self, service_name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveStatelessServiceResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class ServiceActionRequest(_message.Message):
    __slots__ = ["action", "request_id", "service_name"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    action: _service_pb2.ServiceAction
    request_id: str
    service_name: str
    def __init__(self, action: _Optional[_Union[_service_pb2.ServiceAction, str]] = ..., service_name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ServiceActionResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class UpdateMgrsRequest(_message.Message):
    __slots__ = ["placement", "request_id", "unmanaged"]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNMANAGED_FIELD_NUMBER: _ClassVar[int]
    placement: _service_pb2.Placement
    request_id: str
    unmanaged: bool
    def __init__(self, placement: _Optional[_Union[_service_pb2.Placement, _Mapping]] = ..., request_id: _Optional[str] = ..., unmanaged: bool = ...) -> None: ...

class UpdateMgrsResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class UpdateMonsRequest(_message.Message):
    __slots__ = ["placement", "request_id", "unmanaged"]
    PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNMANAGED_FIELD_NUMBER: _ClassVar[int]
    placement: _service_pb2.Placement
    request_id: str
    unmanaged: bool
    def __init__(self, placement: _Optional[_Union[_service_pb2.Placement, _Mapping]] = ..., request_id: _Optional[str] = ..., unmanaged: bool = ...) -> None: ...

class UpdateMonsResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class UpdateStatelessServiceRequest(_message.Message):
    __slots__ = ["request_id", "spec"]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    spec: _service_pb2.StatelessServiceSpec
    def __init__(self, spec: _Optional[_Union[_service_pb2.StatelessServiceSpec, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateStatelessServiceResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...
