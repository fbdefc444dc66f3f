from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class UpgradeStatus(_message.Message):
    __slots__ = ["current_version", "daemons_total", "daemons_upgraded", "in_progress", "message", "operation_id", "paused", "progress", "services_complete", "target_version"]
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    DAEMONS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DAEMONS_UPGRADED_FIELD_NUMBER: _ClassVar[int]
    IN_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    SERVICES_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    TARGET_VERSION_FIELD_NUMBER: _ClassVar[int]
    current_version: str
    daemons_total: int
    daemons_upgraded: int
    in_progress: bool
    message: str
    operation_id: str
    paused: bool
    progress: str
    services_complete: _containers.RepeatedScalarFieldContainer[str]
    target_version: str
    def __init__(self, in_progress: bool = ..., target_version: _Optional[str] = ..., services_complete: _Optional[_Iterable[str]] = ..., progress: _Optional[str] = ..., daemons_upgraded: _Optional[int] = ..., daemons_total: _Optional[int] = ..., message: _Optional[str] = ..., paused: bool = ..., operation_id: _Optional[str] = ..., current_version: _Optional[str] = ...) -> None: ...
