"""Upstream's orchestrator exception classes, and the mapping from gRPC statuses to them.

The classes mirror Ceph's ``orchestrator._interface`` (Pacific):

* :class:`OrchestratorError` -- ``OrchestratorError(msg, errno=-EINVAL, event_kind_subject=None)``,
* :class:`NoOrchestrator` -- no backend configured (``errno=-ENOENT``),
* :class:`OrchestratorValidationError` -- invalid input or an unsupported option; carries the
  ``google.rpc.BadRequest`` field violations as ``field_violations``,
* Python's own :class:`NotImplementedError` for a backend that lacks an RPC.

Each :class:`OrchestratorError` made from a gRPC status also carries the status: ``code``
(a :class:`StatusCode`), ``reason``, ``domain`` and ``metadata`` of its
``google.rpc.ErrorInfo``, and ``status`` (the decoded ``google.rpc.Status``). A
``NotImplementedError`` made from a status has such an ``OrchestratorError`` as its
``__cause__``.

The classes pickle (``__reduce__``), as upstream needs for exceptions that cross ceph-mgr's
module sub-interpreters.
"""

from __future__ import annotations

import enum
import errno as _errno
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from google.protobuf import message as _message
from google.rpc import error_details_pb2, status_pb2

__all__ = [
    "ERROR_DOMAIN",
    "StatusCode",
    "OrchestratorError",
    "NoOrchestrator",
    "OrchestratorValidationError",
    "error_from_status",
    "error_from_grpc",
    "decode_status_details",
]

#: google.rpc.ErrorInfo.domain of the errors the orchestrator service reports.
ERROR_DOMAIN = "orchestrator.ceph.io"


class StatusCode(enum.IntEnum):
    """The gRPC status codes (google.rpc.Code), independent of grpcio."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    @classmethod
    def of(cls, value: int) -> "StatusCode":
        """The code for an integer; an unknown integer is UNKNOWN (as gRPC specifies)."""
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN


# The errno an OrchestratorError gets for each code (upstream's default is -EINVAL).
_ERRNO: Dict[StatusCode, int] = {
    StatusCode.CANCELLED: -_errno.ECANCELED,
    StatusCode.DEADLINE_EXCEEDED: -_errno.ETIMEDOUT,
    StatusCode.NOT_FOUND: -_errno.ENOENT,
    StatusCode.ALREADY_EXISTS: -_errno.EEXIST,
    StatusCode.PERMISSION_DENIED: -_errno.EACCES,
    StatusCode.UNAUTHENTICATED: -_errno.EACCES,
    StatusCode.UNAVAILABLE: -_errno.EAGAIN,
    StatusCode.RESOURCE_EXHAUSTED: -_errno.EBUSY,
}


class OrchestratorError(Exception):
    """A deployment, configuration or user error (upstream ``OrchestratorError``).

    ``errno`` is a negative errno as ceph-mgr commands return it; ``event_subject`` is
    upstream's ``(kind, subject)`` pair, e.g. ``("service", "mds.cephfs")``, or None.
    """

    def __init__(self, msg: str, errno: int = -_errno.EINVAL, event_kind_subject: Optional[Tuple[str, str]] = None,
                 *, code: StatusCode = StatusCode.UNKNOWN, reason: str = "", domain: str = "",
                 metadata: Optional[Mapping[str, str]] = None, status: Optional[status_pb2.Status] = None) -> None:
        super().__init__(msg)
        self.errno = errno
        self.event_subject = event_kind_subject
        self.code = code
        self.reason = reason
        self.domain = domain
        self.metadata: Dict[str, str] = dict(metadata or {})
        self.status = status

    @property
    def message(self) -> str:
        """The error's message."""
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> Tuple[Any, ...]:
        # Rebuild from the message alone, then restore the attributes (status as bytes).
        state = dict(self.__dict__)
        if self.status is not None:
            state["status"] = self.status.SerializeToString()
        return (self.__class__, (self.message,), state)

    def __setstate__(self, state: Optional[Dict[str, Any]]) -> None:
        state = state or {}
        status = state.get("status")
        if isinstance(status, bytes):
            state = dict(state, status=status_pb2.Status.FromString(status))
        self.__dict__.update(state)


class NoOrchestrator(OrchestratorError):
    """No orchestrator backend is configured or loaded (upstream ``NoOrchestrator``)."""

    def __init__(self, msg: str = "No orchestrator configured (try `ceph orch set backend`)",
                 *, code: StatusCode = StatusCode.FAILED_PRECONDITION, reason: str = "NO_BACKEND", domain: str = "",
                 metadata: Optional[Mapping[str, str]] = None, status: Optional[status_pb2.Status] = None) -> None:
        super().__init__(msg, errno=-_errno.ENOENT, code=code, reason=reason, domain=domain, metadata=metadata,
                         status=status)


class OrchestratorValidationError(OrchestratorError):
    """Invalid input, or an option the backend does not support (upstream
    ``OrchestratorValidationError``). ``field_violations`` lists ``(field, description)``
    pairs, fields as request paths such as ``"host.hostname"``."""

    def __init__(self, msg: str, errno: int = -_errno.EINVAL, event_kind_subject: Optional[Tuple[str, str]] = None,
                 *, field_violations: Sequence[Tuple[str, str]] = (),
                 code: StatusCode = StatusCode.INVALID_ARGUMENT, reason: str = "", domain: str = "",
                 metadata: Optional[Mapping[str, str]] = None, status: Optional[status_pb2.Status] = None) -> None:
        super().__init__(msg, errno, event_kind_subject, code=code, reason=reason, domain=domain, metadata=metadata,
                         status=status)
        self.field_violations: List[Tuple[str, str]] = list(field_violations)

    @property
    def fields(self) -> List[str]:
        """The names of the invalid fields."""
        return [f for f, _ in self.field_violations]


def _unpack(status: status_pb2.Status) -> List[_message.Message]:
    """The details of a status that this module knows, decoded; others are skipped."""
    known: Tuple[type, ...] = (
        error_details_pb2.ErrorInfo,
        error_details_pb2.BadRequest,
        error_details_pb2.PreconditionFailure,
        error_details_pb2.ResourceInfo,
        error_details_pb2.RetryInfo,
        error_details_pb2.QuotaFailure,
        error_details_pb2.RequestInfo,
        error_details_pb2.DebugInfo,
        error_details_pb2.Help,
        error_details_pb2.LocalizedMessage,
    )
    out: List[_message.Message] = []
    for any_msg in status.details:
        for cls in known:
            msg: _message.Message = cls()
            if any_msg.Is(msg.DESCRIPTOR):
                any_msg.Unpack(msg)
                out.append(msg)
                break
    return out


def decode_status_details(data: Optional[bytes]) -> Optional[status_pb2.Status]:
    """Decode the ``grpc-status-details-bin`` trailer value (raw bytes); None if absent or
    undecodable."""
    if not data:
        return None
    try:
        return status_pb2.Status.FromString(data)
    except _message.DecodeError:
        return None


def error_from_status(status: status_pb2.Status) -> Exception:
    """The exception for a non-OK google.rpc.Status (an RPC's or a failed operation's).

    FAILED_PRECONDITION with reason NO_BACKEND → :class:`NoOrchestrator`;
    INVALID_ARGUMENT → :class:`OrchestratorValidationError`; UNIMPLEMENTED →
    ``NotImplementedError`` (its ``__cause__`` the full :class:`OrchestratorError`);
    anything else → :class:`OrchestratorError`.
    """
    code = StatusCode.of(status.code)
    message = status.message or code.name
    reason = ""
    domain = ""
    metadata: Dict[str, str] = {}
    violations: List[Tuple[str, str]] = []
    subject: Optional[Tuple[str, str]] = None
    for detail in _unpack(status):
        if isinstance(detail, error_details_pb2.ErrorInfo):
            reason, domain, metadata = detail.reason, detail.domain, dict(detail.metadata)
        elif isinstance(detail, error_details_pb2.BadRequest):
            violations.extend((v.field, v.description) for v in detail.field_violations)
        elif isinstance(detail, error_details_pb2.ResourceInfo):
            if detail.resource_type in ("service", "daemon"):
                subject = (detail.resource_type, detail.resource_name)

    kw: Dict[str, Any] = dict(code=code, reason=reason, domain=domain, metadata=metadata, status=status)
    if code == StatusCode.FAILED_PRECONDITION and reason == "NO_BACKEND":
        return NoOrchestrator(message, **kw)
    if code == StatusCode.INVALID_ARGUMENT:
        return OrchestratorValidationError(message, -_errno.EINVAL, subject, field_violations=violations, **kw)
    if code == StatusCode.UNIMPLEMENTED:
        err = NotImplementedError(message)
        err.__cause__ = OrchestratorError(message, -_errno.ENOSYS, subject, **kw)
        return err
    return OrchestratorError(message, _ERRNO.get(code, -_errno.EINVAL), subject, **kw)


def error_from_grpc(code: int, message: str, details_bin: Optional[bytes] = None) -> Exception:
    """The exception for an RPC that ended with a non-OK gRPC status: ``code`` and
    ``message`` from ``grpc-status``/``grpc-message``, ``details_bin`` the raw
    ``grpc-status-details-bin``. The trailer's Status wins when its code matches."""
    status = decode_status_details(details_bin)
    if status is None or status.code != code:
        fallback = status_pb2.Status(code=code, message=message)
        if status is not None:
            fallback.details.extend(status.details)
        status = fallback
    return error_from_status(status)
