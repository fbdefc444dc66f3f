from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Host(_message.Message):
    __slots__ = ["addr", "hostname", "labels", "status", "status_message"]
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    ADDR_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_MAINTENANCE: Host.Status
    STATUS_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STATUS_OFFLINE: Host.Status
    STATUS_ONLINE: Host.Status
    STATUS_UNSPECIFIED: Host.Status
    addr: str
    hostname: str
    labels: _containers.RepeatedScalarFieldContainer[str]
    status: Host.Status
    status_message: str
    def __init__(self, hostname: _Optional[str] = ..., addr: _Optional[str] = ..., labels: _Optional[_Iterable[str]] = ..., status: _Optional[_Union[Host.Status, str]] = ..., status_message: _Optional[str] = ...) -> None: ...
