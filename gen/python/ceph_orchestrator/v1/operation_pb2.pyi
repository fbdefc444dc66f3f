from ceph_orchestrator.v1 import host_pb2 as _host_pb2
from ceph_orchestrator.v1 import inventory_pb2 as _inventory_pb2
from ceph_orchestrator.v1 import osd_pb2 as _osd_pb2
from ceph_orchestrator.v1 import service_pb2 as _service_pb2
from ceph_orchestrator.v1 import upgrade_pb2 as _upgrade_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreatedOsds(_message.Message):
    __slots__ = ["osds"]
    OSDS_FIELD_NUMBER: _ClassVar[int]
    osds: _containers.RepeatedCompositeFieldContainer[_osd_pb2.CreatedOsd]
    def __init__(self, osds: _Optional[_Iterable[_Union[_osd_pb2.CreatedOsd, _Mapping]]] = ...) -> None: ...

class DaemonsActedOn(_message.Message):
    __slots__ = ["daemon_names"]
    DAEMON_NAMES_FIELD_NUMBER: _ClassVar[int]
    daemon_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, daemon_names: _Optional[_Iterable[str]] = ...) -> None: ...

class DeviceLightsSet(_message.Message):
    __slots__ = ["messages"]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, messages: _Optional[_Iterable[str]] = ...) -> None: ...

class Operation(_message.Message):
    __slots__ = ["cancel_requested", "create_time", "description", "done", "end_time", "error", "hosts", "id", "message", "method", "origin", "persistent", "progress", "request_id", "result", "state", "tasks", "update_time"]
    class Origin(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    CANCEL_REQUESTED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    HOSTS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_CLIENT: Operation.Origin
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_RECONCILER: Operation.Origin
    ORIGIN_UNSPECIFIED: Operation.Origin
    PERSISTENT_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    STATE_ACCEPTED: Operation.State
    STATE_CANCELLED: Operation.State
    STATE_FAILED: Operation.State
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_PERSISTENT: Operation.State
    STATE_RUNNING: Operation.State
    STATE_SUCCEEDED: Operation.State
    STATE_UNSPECIFIED: Operation.State
    TASKS_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    cancel_requested: bool
    create_time: _timestamp_pb2.Timestamp
    description: str
    done: bool
    end_time: _timestamp_pb2.Timestamp
    error: _status_pb2.Status
    hosts: _containers.RepeatedScalarFieldContainer[str]
    id: str
    message: str
    method: str
    origin: Operation.Origin
    persistent: bool
    progress: float
    request_id: str
    result: OperationResult
    state: Operation.State
    tasks: _containers.RepeatedCompositeFieldContainer[OperationTask]
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., request_id: _Optional[str] = ..., method: _Optional[str] = ..., description: _Optional[str] = ..., state: _Optional[_Union[Operation.State, str]] = ..., persistent: bool = ..., done: bool = ..., progress: _Optional[float] = ..., message: _Optional[str] = ..., hosts: _Optional[_Iterable[str]] = ..., tasks: _Optional[_Iterable[_Union[OperationTask, _Mapping]]] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., cancel_requested: bool = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., result: _Optional[_Union[OperationResult, _Mapping]] = ..., origin: _Optional[_Union[Operation.Origin, str]] = ...) -> None: ...

class OperationResult(_message.Message):
    __slots__ = ["daemons", "device", "device_lights", "host", "osd_removals", "osds", "removed_host", "removed_service", "service", "upgrade"]
    DAEMONS_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_LIGHTS_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    OSDS_FIELD_NUMBER: _ClassVar[int]
    OSD_REMOVALS_FIELD_NUMBER: _ClassVar[int]
    REMOVED_HOST_FIELD_NUMBER: _ClassVar[int]
    REMOVED_SERVICE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    UPGRADE_FIELD_NUMBER: _ClassVar[int]
    daemons: DaemonsActedOn
    device: _inventory_pb2.Device
    device_lights: DeviceLightsSet
    host: _host_pb2.Host
    osd_removals: OsdRemovals
    osds: CreatedOsds
    removed_host: RemovedHost
    removed_service: RemovedService
    service: _service_pb2.ServiceDescription
    upgrade: _upgrade_pb2.UpgradeStatus
    def __init__(self, host: _Optional[_Union[_host_pb2.Host, _Mapping]] = ..., removed_host: _Optional[_Union[RemovedHost, _Mapping]] = ..., daemons: _Optional[_Union[DaemonsActedOn, _Mapping]] = ..., service: _Optional[_Union[_service_pb2.ServiceDescription, _Mapping]] = ..., removed_service: _Optional[_Union[RemovedService, _Mapping]] = ..., osds: _Optional[_Union[CreatedOsds, _Mapping]] = ..., osd_removals: _Optional[_Union[OsdRemovals, _Mapping]] = ..., device_lights: _Optional[_Union[DeviceLightsSet, _Mapping]] = ..., upgrade: _Optional[_Union[_upgrade_pb2.UpgradeStatus, _Mapping]] = ..., device: _Optional[_Union[_inventory_pb2.Device, _Mapping]] = ...) -> None: ...

class OperationTask(_message.Message):
    __slots__ = ["error", "hostname", "message", "progress", "state", "target"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    error: _status_pb2.Status
    hostname: str
    message: str
    progress: float
    state: Operation.State
    target: str
    def __init__(self, target: _Optional[str] = ..., hostname: _Optional[str] = ..., state: _Optional[_Union[Operation.State, str]] = ..., progress: _Optional[float] = ..., message: _Optional[str] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class OsdRemovals(_message.Message):
    __slots__ = ["removals"]
    REMOVALS_FIELD_NUMBER: _ClassVar[int]
    removals: _containers.RepeatedCompositeFieldContainer[_osd_pb2.OsdRemoval]
    def __init__(self, removals: _Optional[_Iterable[_Union[_osd_pb2.OsdRemoval, _Mapping]]] = ...) -> None: ...

class RemovedHost(_message.Message):
    __slots__ = ["hostname"]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    hostname: str
    def __init__(self, hostname: _Optional[str] = ...) -> None: ...

class RemovedService(_message.Message):
    __slots__ = ["daemon_names", "service_name"]
    DAEMON_NAMES_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    daemon_names: _containers.RepeatedScalarFieldContainer[str]
    service_name: str
    def __init__(self, service_name: _Optional[str] = ..., daemon_names: _Optional[_Iterable[str]] = ...) -> None: ...
