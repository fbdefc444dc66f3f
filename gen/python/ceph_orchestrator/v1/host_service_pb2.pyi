from ceph_orchestrator.v1 import host_pb2 as _host_pb2
from ceph_orchestrator.v1 import operation_pb2 as _operation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AddHostLabelRequest(_message.Message):
    __slots__ = ["hostname", "label", "request_id"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    label: str
    request_id: str
    def __init__(self, hostname: _Optional[str] = ..., label: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddHostLabelResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class AddHostRequest(_message.Message):
    __slots__ = ["host", "request_id"]
    HOST_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    host: _host_pb2.Host
    request_id: str
    def __init__(self, host: _Optional[_Union[_host_pb2.Host, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddHostResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class DrainHostRequest(_message.Message):
    __slots__ = ["hostname", "request_id"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    request_id: str
    def __init__(self, hostname: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class DrainHostResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class EnterHostMaintenanceRequest(_message.Message):
    __slots__ = ["force", "hostname", "request_id"]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    force: bool
    hostname: str
    request_id: str
    def __init__(self, hostname: _Optional[str] = ..., force: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class EnterHostMaintenanceResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class ExitHostMaintenanceRequest(_message.Message):
    __slots__ = ["hostname", "request_id"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    request_id: str
    def __init__(self, hostname: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ExitHostMaintenanceResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class HostOkToStopRequest(_message.Message):
    __slots__ = ["hostname"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    def __init__(self, hostname: _Optional[str] = ...) -> None: ...

class HostOkToStopResponse(_message.Message):
    __slots__ = ["daemon_names", "ok", "reasons"]
    DAEMON_NAMES_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    daemon_names: _containers.RepeatedScalarFieldContainer[str]
    ok: bool
    reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ok: bool = ..., reasons: _Optional[_Iterable[str]] = ..., daemon_names: _Optional[_Iterable[str]] = ...) -> None: ...

class ListHostsRequest(_message.Message):
    __slots__ = ["label", "page_size", "page_token"]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    label: str
    page_size: int
    page_token: str
    def __init__(self, label: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListHostsResponse(_message.Message):
    __slots__ = ["hosts", "next_page_token", "total_size"]
    HOSTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    hosts: _containers.RepeatedCompositeFieldContainer[_host_pb2.Host]
    next_page_token: str
    total_size: int
    def __init__(self, hosts: _Optional[_Iterable[_Union[_host_pb2.Host, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class RemoveHostLabelRequest(_message.Message):
    __slots__ = ["hostname", "label", "request_id"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    label: str
    request_id: str
    def __init__(self, hostname: _Optional[str] = ..., label: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveHostLabelResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class RemoveHostRequest(_message.Message):
    __slots__ = ["force", "hostname", "request_id"]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    force: bool
    hostname: str
    request_id: str
    def __init__(self, hostname: _Optional[str] = ..., force: bool = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveHostResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...

class UpdateHostAddrRequest(_message.Message):
    __slots__ = ["addr", "hostname", "request_id"]
    ADDR_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    addr: str
    hostname: str
    request_id: str
    def __init__(self, hostname: _Optional[str] = ..., addr: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateHostAddrResponse(_message.Message):
    __slots__ = ["operation"]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    operation: _operation_pb2.Operation
    def __init__(self, operation: _Optional[_Union[_operation_pb2.Operation, _Mapping]] = ...) -> None: ...
