"""Writes: start one, wait until the service recorded it, and follow its operation to the
end in a background thread (operations other clients started too, so that all show in
`ceph progress`); `ceph orch cancel`.
"""

import errno
import threading
import time
from typing import Callable

import orchestrator

from .connection import occ

_MAX_FOLLOWED = 64          # operation streams followed at once (each holds one connection)


class Writes:
    """Starting writes and following their operations."""

    def _write(self, start: Callable[['occ.OrchestratorClient'], 'occ.Completion'],
               describe: Callable[['occ.Completion'], str]) -> str:
        """Start a write, wait until the service recorded it (or it ended), and return
        ``describe(completion)``. The operation's progress then goes on in `ceph progress`."""
        c = start(self._client())  # a refused request raises here (validation, no backend, ...)
        op_id = c.operation_id
        with self._lock:
            self._followed.setdefault(op_id, None)  # claimed: the poller leaves it alone
        try:
            self._progress_update(c)
            self._wait_for(c, lambda: c.is_persistent or c.is_complete, float(self._opt('write_timeout')))
            if not (c.is_persistent or c.is_complete):
                raise orchestrator.OrchestratorError(
                    'the orchestrator service at %s did not record operation %s (%s) within %ss; '
                    'it may still run: see `ceph progress`' % (
                        self._target(), op_id, c.operation.description, self._opt('write_timeout')),
                    errno=-errno.ETIMEDOUT)
            settle = float(self._opt('wait_effective') or 0)
            if settle > 0:
                self._wait_for(c, lambda: c.is_complete, settle)
            if c.is_errored:
                raise c.exception or orchestrator.OrchestratorError(c.message)
            return describe(c)
        finally:
            self._hand_off(c)

    def _write_saying(self, start: Callable[['occ.OrchestratorClient'], 'occ.Completion'], done: str,
                      scheduled: str) -> str:
        """_write, answering ``done`` when the write took effect by then, else ``scheduled``
        and the operation's id."""
        return self._write(start, lambda c: done if c.is_effective else
                           '%s (operation %s)' % (scheduled, c.operation_id))

    @staticmethod
    def _wait_for(c: 'occ.Completion', cond: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            c.wait(timeout=min(0.05, left))  # wait() returns early only once complete

    def _hand_off(self, c: 'occ.Completion') -> None:
        """Follow the operation to its end in a background thread (or finish its
        progress event at once if it ended)."""
        if c.is_complete:
            self._progress_finish(c)
            with self._lock:
                self._followed.pop(c.operation_id, None)
            return
        self._follow(c)

    def _follow(self, c: 'occ.Completion') -> None:
        op_id = c.operation_id
        with self._lock:
            current = self._followed.get(op_id)
        if current is not None and current.is_alive():
            c.detach()  # already followed (e.g. an idempotent retry returned the same operation)
            return
        t = threading.Thread(target=self._follower, args=(c,), name='orch-grpc-op-%s' % op_id[:8],
                             daemon=True)
        with self._lock:
            self._followed[op_id] = t
        t.start()

    def _follower(self, c: 'occ.Completion') -> None:
        op_id = c.operation_id
        failures = 0
        try:
            while not self._stop.is_set() and not c.is_complete:
                try:
                    c.wait(timeout=1.0)
                    failures = 0
                except Exception as e:
                    failures += 1
                    gone = isinstance(e, occ.OrchestratorError) and e.code == occ.StatusCode.NOT_FOUND
                    if gone or failures > 30:
                        self._progress_fail(op_id, c.operation.description,
                                            'lost track of the operation at %s: %s' % (self._target(), e))
                        return
                    self.log.debug('operation %s: %s; watching again', op_id, e)
                    self._stop.wait(min(5.0, 0.5 * failures))
                    continue
                self._progress_update(c)
            if c.is_complete:
                self._progress_finish(c)
        except Exception as e:  # never let a follower die silently
            self.log.exception('following operation %s: %s', op_id, e)
        finally:
            c.detach()
            with self._lock:
                self._followed.pop(op_id, None)

    def _adopt_operations(self) -> None:
        """Show operations started by other clients (or before a mgr restart) too."""
        client = self._client()
        ops = client.list_operations(states=['ACCEPTED', 'PERSISTENT', 'RUNNING'])
        for op in ops:
            with self._lock:
                known = op.id in self._followed or op.id in self._finished_set
                full = len(self._followed) >= _MAX_FOLLOWED
                if known or full:
                    continue
                self._followed[op.id] = None
            try:
                c = client.watch(op.id)
            except Exception as e:
                with self._lock:
                    self._followed.pop(op.id, None)
                self.log.debug('cannot watch operation %s: %s', op.id, e)
                continue
            self._progress_update(c)
            self._hand_off(c)

    def cancel_completions(self) -> None:
        """`ceph orch cancel`: ask every unfinished operation of the service to stop."""
        try:
            client = self._client()
            for op in client.list_operations(states=['ACCEPTED', 'PERSISTENT', 'RUNNING']):
                try:
                    client.cancel(op.id)
                except Exception as e:
                    self.log.warning('cancelling operation %s failed: %s', op.id, e)
        except Exception as e:
            self.log.error('cancelling operations failed: %s', e)
