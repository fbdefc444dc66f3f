"""What every group of the client's calls builds on: unary calls with retries, writes that
return a :class:`~ceph_orchestrator_client.completion.Completion`, paged lists, and the
OperationService calls that follow writes (a Completion uses them to wait and cancel).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple, Type, TypeVar, Union, cast

from google.protobuf import duration_pb2
from google.protobuf import message as _message

from ceph_orchestrator.v1 import operation_pb2, operation_service_pb2

from .completion import Completion
from .errors import OrchestratorError, StatusCode
from .specs import invalid
from .transport import ServerStream, Transport

__all__ = ["PACKAGE", "OperationCalls"]

M = TypeVar("M", bound=_message.Message)
R = TypeVar("R", bound=_message.Message)
T = TypeVar("T")

#: The proto package of every service.
PACKAGE = "ceph_orchestrator.v1"


def _path(service: str, method: str) -> str:
    return "/%s.%s/%s" % (PACKAGE, service, method)


class OperationCalls:
    """The call plumbing and the OperationService calls. The attributes are the
    connection's settings (see :class:`~ceph_orchestrator_client.client.OrchestratorClient`)."""

    target: str
    transport: Transport
    timeout: float
    stream_timeout: Optional[float]
    retries: int
    metadata: List[Tuple[str, str]]
    page_size: int

    # --- plumbing --------------------------------------------------------------------

    def _retrying(self, fn: Callable[[], T]) -> T:
        attempt = 0
        while True:
            try:
                return fn()
            except OrchestratorError as err:
                if err.code != StatusCode.UNAVAILABLE or attempt >= self.retries:
                    raise
            time.sleep(0.1 * 2 ** attempt)
            attempt += 1

    def _unary(self, service: str, method: str, request: _message.Message, response_cls: Type[M],
               timeout: Optional[float] = None) -> M:
        path = _path(service, method)
        deadline = self.timeout if timeout is None else timeout
        return self._retrying(lambda: self.transport.unary(path, request, response_cls, deadline, self.metadata))

    def _write(self, service: str, method: str, request: _message.Message, response_cls: Type[Any],
               result_field: str, result_cls: Type[R]) -> Completion[R]:
        """Start a write and return its completion, once the first state (ACCEPTED) came.
        ``result_cls`` only types the completion."""
        path = _path(service, method)

        def start() -> Completion[R]:
            stream = self.transport.server_stream(path, request, response_cls, self.stream_timeout, self.metadata)
            return Completion(self, stream, result_field, self.timeout)

        return self._retrying(start)

    def _watch_stream(self, operation_id: str) -> ServerStream[operation_service_pb2.WatchOperationResponse]:
        return self.transport.server_stream(
            _path("OperationService", "WatchOperation"),
            operation_service_pb2.WatchOperationRequest(id=operation_id),
            operation_service_pb2.WatchOperationResponse,
            self.stream_timeout,
            self.metadata,
        )

    def _pages(self, service: str, method: str, request: Any, response_cls: Type[Any], field: str) -> List[Any]:
        """Every item of a paged list RPC."""
        items: List[Any] = []
        request.page_size = self.page_size
        while True:
            resp = self._unary(service, method, request, response_cls)
            items.extend(getattr(resp, field))
            if not resp.next_page_token:
                return items
            request.page_token = resp.next_page_token

    # --- operations ------------------------------------------------------------------

    def wait(self, completions: Sequence[Completion[Any]], timeout: float = 0.0) -> bool:
        """Upstream ``wait()``: bring the completions up to date and return whether all are
        complete. Waits up to ``timeout`` seconds for them (WaitOperations; 0 returns at
        once). A wait longer than the server allows (--max-wait) is made of several calls."""
        pending = [c for c in completions if not c.is_complete]
        deadline = time.monotonic() + max(0.0, timeout)
        for start in range(0, len(pending), 1000):
            chunk = pending[start:start + 1000]
            while True:
                left = max(0.0, deadline - time.monotonic())
                wait_for = duration_pb2.Duration()
                wait_for.FromNanoseconds(int(left * 1e9))
                req = operation_service_pb2.WaitOperationsRequest(ids=[c.operation_id for c in chunk], timeout=wait_for)
                try:
                    resp = self._unary("OperationService", "WaitOperations", req,
                                       operation_service_pb2.WaitOperationsResponse, timeout=left + self.timeout)
                except OrchestratorError as err:
                    if err.code == StatusCode.RESOURCE_EXHAUSTED and err.reason == "WAIT_LIMIT":
                        continue  # the server's longest wait passed: wait on
                    raise
                break
            for completion, op in zip(chunk, resp.operations):
                completion._update(op)
        return all(c.is_complete for c in completions)

    def get_operation(self, operation_id: str) -> operation_pb2.Operation:
        resp = self._unary("OperationService", "GetOperation",
                           operation_service_pb2.GetOperationRequest(id=operation_id),
                           operation_service_pb2.GetOperationResponse)
        return resp.operation

    def list_operations(self, states: Iterable[Union[str, int]] = (), method: str = "",
                        host: str = "", origin: Union[str, int] = 0) -> List[operation_pb2.Operation]:
        """Operations, newest first (all pages). ``states`` as "RUNNING" or State values;
        ``origin`` "client" or "reconciler" (or an Origin value) keeps those only."""
        enum = operation_pb2.Operation.DESCRIPTOR.enum_types_by_name["State"]
        values: List[Any] = []
        for s in states:
            name = s if isinstance(s, int) else (s if s.startswith("STATE_") else "STATE_" + s.upper())
            if isinstance(name, str):
                if name not in enum.values_by_name:
                    raise invalid("states", "unknown operation state %r" % (s,))
                values.append(enum.values_by_name[name].number)
            else:
                values.append(name)
        origins = operation_pb2.Operation.DESCRIPTOR.enum_types_by_name["Origin"]
        origin_value = origin
        if isinstance(origin, str):
            name = origin if origin.startswith("ORIGIN_") else "ORIGIN_" + origin.upper()
            if name not in origins.values_by_name:
                raise invalid("origin", "unknown operation origin %r" % (origin,))
            origin_value = origins.values_by_name[name].number
        req = operation_service_pb2.ListOperationsRequest(states=values, method=method, hostname=host,
                                                          origin=cast(Any, origin_value))
        return self._pages("OperationService", "ListOperations", req, operation_service_pb2.ListOperationsResponse,
                           "operations")

    def watch(self, operation_id: str) -> Completion[Any]:
        """A completion for an existing operation (e.g. one started elsewhere)."""
        return self._retrying(lambda: Completion(self, self._watch_stream(operation_id), None, self.timeout))

    def cancel(self, operation: Union[str, Completion[Any]]) -> operation_pb2.Operation:
        """Ask an operation (an id or a completion) to stop at its next safe point."""
        if isinstance(operation, Completion):
            return operation.cancel()
        resp = self._unary("OperationService", "CancelOperation",
                           operation_service_pb2.CancelOperationRequest(id=operation),
                           operation_service_pb2.CancelOperationResponse)
        return resp.operation
