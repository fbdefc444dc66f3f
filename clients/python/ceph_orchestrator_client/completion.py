"""Completions of writes: upstream's ``WriteCompletion``, backed by an operation stream.

Every write RPC streams its Operation: ACCEPTED (with the id) -> PERSISTENT -> RUNNING ... ->
SUCCEEDED | FAILED | CANCELLED, each message the operation's full state. A
:class:`Completion` holds that stream. Creating it (done by the client's write methods)
reads the first message, so a refused request (invalid input, no backend, ...) raises at
the call. :meth:`Completion.wait` reads on until the operation is done or the timeout
passes; without threads, so it works inside ceph-mgr. When the stream breaks (connection
lost, the stream's deadline) ``wait`` re-attaches with ``OperationService.WatchOperation``:
the operation goes on on the server regardless.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Generic, List, Optional, TypeVar

from google.protobuf import message as _message

from ceph_orchestrator.v1 import operation_pb2

from .errors import OrchestratorError, StatusCode, error_from_status
from .transport import ReadTimeout, ServerStream

if TYPE_CHECKING:  # pragma: no cover
    from .operations import OperationCalls

__all__ = ["Completion", "STATE_NAMES"]

R = TypeVar("R", bound=_message.Message)

Operation = operation_pb2.Operation

#: Short names of the operation states: "ACCEPTED", "PERSISTENT", ...
STATE_NAMES = {
    v.number: v.name[len("STATE_"):] for v in operation_pb2.Operation.DESCRIPTOR.enum_types_by_name["State"].values
}

# Order of the states, for ignoring stale updates (terminal states all rank last).
_RANK = {
    Operation.STATE_UNSPECIFIED: 0,
    Operation.STATE_ACCEPTED: 1,
    Operation.STATE_PERSISTENT: 2,
    Operation.STATE_RUNNING: 3,
    Operation.STATE_SUCCEEDED: 4,
    Operation.STATE_FAILED: 4,
    Operation.STATE_CANCELLED: 4,
}

# Stream errors after which wait() re-attaches with WatchOperation.
_INTERRUPTED = (StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED, StatusCode.CANCELLED, StatusCode.INTERNAL)
_MAX_REATTACH = 3


class Completion(Generic[R]):
    """A write in progress or done (upstream ``WriteCompletion``).

    ``result_field`` names the field of ``OperationResult`` that holds the typed result
    (e.g. ``"host"``), or None to take whichever is set.
    """

    is_read = False

    def __init__(
        self,
        client: "OperationCalls",
        stream: ServerStream[Any],
        result_field: Optional[str],
        first_timeout: Optional[float],
    ) -> None:
        self._client = client
        self._stream: Optional[ServerStream[Any]] = stream
        self._result_field = result_field
        #: Every state seen, in order (operation snapshots).
        self.history: List[operation_pb2.Operation] = []
        self._op = operation_pb2.Operation()
        try:
            first = stream.read(first_timeout)
        except ReadTimeout:
            stream.cancel()
            raise OrchestratorError(
                "no answer within %ss" % first_timeout, code=StatusCode.DEADLINE_EXCEEDED, reason="DEADLINE_EXCEEDED"
            ) from None
        except BaseException:
            stream.cancel()
            raise
        if first is None:
            raise OrchestratorError("the server ended the stream without an operation", code=StatusCode.INTERNAL)
        self._update(first.operation)
        if self._op.done:
            self._close_stream()

    # --- upstream WriteCompletion ----------------------------------------------------

    @property
    def operation(self) -> operation_pb2.Operation:
        """The operation's latest known state."""
        return self._op

    @property
    def operation_id(self) -> str:
        return self._op.id

    @property
    def state(self) -> int:
        """The ``Operation.State`` value."""
        return int(self._op.state)

    @property
    def state_name(self) -> str:
        """"ACCEPTED", "PERSISTENT", "RUNNING", "SUCCEEDED", "FAILED" or "CANCELLED"."""
        return STATE_NAMES.get(self._op.state) or str(self._op.state)

    @property
    def is_persistent(self) -> bool:
        """The write is recorded and will be carried out, also after a crash of the service."""
        return bool(self._op.persistent)

    @property
    def is_effective(self) -> bool:
        """The write took effect (SUCCEEDED)."""
        return self._op.state == Operation.STATE_SUCCEEDED

    @property
    def is_errored(self) -> bool:
        """The write ended without its effect (FAILED or CANCELLED)."""
        return self._op.state in (Operation.STATE_FAILED, Operation.STATE_CANCELLED)

    @property
    def is_complete(self) -> bool:
        """Done: upstream's ``is_errored or (is_persistent and is_effective)``."""
        return bool(self._op.done) or self.is_errored or (self.is_persistent and self.is_effective)

    @property
    def should_wait(self) -> bool:
        """Upstream: a write is waited on until it is persistent."""
        return not self.is_persistent and not self.is_complete

    @property
    def progress(self) -> float:
        """How much of the work is done, 0 to 1."""
        return float(self._op.progress)

    @property
    def message(self) -> str:
        """What the operation does now, or how it ended."""
        return self._op.message

    @property
    def exception(self) -> Optional[Exception]:
        """The error of a FAILED or CANCELLED operation, else None."""
        if not self.is_errored:
            return None
        if self._op.HasField("error"):
            return error_from_status(self._op.error)
        return OrchestratorError(self._op.message or self.state_name, code=StatusCode.CANCELLED
                                 if self._op.state == Operation.STATE_CANCELLED else StatusCode.UNKNOWN)

    @property
    def result(self) -> R:
        """The typed result of a SUCCEEDED operation. Raises the operation's error when it
        FAILED or was CANCELLED, and an OrchestratorError (reason NOT_COMPLETE) while it
        runs: ``wait()`` first."""
        exc = self.exception
        if exc is not None:
            raise exc
        if not self.is_complete:
            raise OrchestratorError(
                "operation %s is not complete (%s)" % (self.operation_id, self.state_name),
                code=StatusCode.FAILED_PRECONDITION, reason="NOT_COMPLETE",
            )
        field = self._result_field or self._op.result.WhichOneof("result")
        if field is None or not self._op.result.HasField(field):
            raise OrchestratorError(
                "operation %s succeeded without a %s result" % (self.operation_id, field or "typed"),
                code=StatusCode.INTERNAL,
            )
        value: R = getattr(self._op.result, field)
        return value

    def result_str(self) -> str:
        """Upstream: the result as a string; '' when there is none."""
        try:
            return str(self.result)
        except Exception:
            return ""

    # --- waiting ---------------------------------------------------------------------

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Read the operation's stream until it is done or ``timeout`` seconds pass (None:
        no limit). Returns ``is_complete``. A broken stream, or one the server ends at its
        longest watch, is re-attached with WatchOperation; an error the server answers
        there (e.g. NOT_FOUND once the operation was forgotten, or UNAVAILABLE after
        repeated tries) is raised."""
        deadline = None if timeout is None else time.monotonic() + timeout
        failures = 0
        while not self.is_complete:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            if self._stream is None:
                self._stream = self._client._watch_stream(self.operation_id)
            try:
                msg = self._stream.read(remaining)
            except ReadTimeout:
                return False
            except OrchestratorError as err:
                self._close_stream()
                if err.code == StatusCode.RESOURCE_EXHAUSTED and err.reason == "WATCH_LIMIT":
                    continue  # the server's longest watch (--max-watch) passed: watch again
                failures += 1
                if err.code not in _INTERRUPTED or failures > _MAX_REATTACH:
                    raise
                time.sleep(min(0.05 * failures, remaining or 1.0))
                continue
            if msg is None:  # ended without a final state: re-attach
                self._close_stream()
                failures += 1
                if failures > _MAX_REATTACH:
                    raise OrchestratorError("operation stream of %s ended early" % self.operation_id,
                                            code=StatusCode.INTERNAL)
                continue
            failures = 0
            self._update(msg.operation)
        self._close_stream()
        return True

    def refresh(self) -> operation_pb2.Operation:
        """Fetch the operation's current state (GetOperation)."""
        self._update(self._client.get_operation(self.operation_id))
        return self._op

    def cancel(self) -> operation_pb2.Operation:
        """Ask the operation to stop at its next safe point (CancelOperation)."""
        self._update(self._client.cancel(self.operation_id))
        return self._op

    def detach(self) -> None:
        """Stop reading the stream (the operation goes on); ``wait`` re-attaches."""
        self._close_stream()

    # --- internals -------------------------------------------------------------------

    def _update(self, op: operation_pb2.Operation) -> None:
        """Take a newer state; ignore one older than what is known (a lagging stream)."""
        cur = self._op
        if cur.id:
            if op.id != cur.id or op == cur:
                return
            if _RANK.get(op.state, 0) < _RANK.get(cur.state, 0):
                return
            if cur.done and not op.done:
                return
            if (op.update_time.seconds, op.update_time.nanos) < (cur.update_time.seconds, cur.update_time.nanos):
                return
        new = operation_pb2.Operation()
        new.CopyFrom(op)
        self._op = new
        self.history.append(new)
        if new.done:
            self._close_stream()

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.cancel()

    def __del__(self) -> None:
        try:
            self._close_stream()
        except Exception:
            pass

    def __str__(self) -> str:
        # Upstream uses str(completion) as the progress event's message.
        return self._op.description or self._op.method

    def __repr__(self) -> str:
        return "<Completion %s %r %s %d%%>" % (
            self.operation_id, str(self), self.state_name, round(self.progress * 100))

