"""The progress module's events (`ceph progress`, `ceph -s`) of the operations the module
follows: one event per operation, its id the operation's, updated, completed or failed as
the operation goes; failures also go to the cluster log.
"""

from typing import Any

from .connection import MODULE_NAME, occ

_FINISHED_MEMORY = 1000     # finished operation ids remembered, so none is shown twice


class Progress:
    """Progress events of operations."""

    @staticmethod
    def _event_message(op: Any) -> str:
        return op.description or op.method.rsplit('.', 1)[-1] or 'orchestrator operation %s' % op.id

    def _progress_update(self, c: 'occ.Completion') -> None:
        op = c.operation
        if op.done:
            return
        msg, progress = self._event_message(op), float(op.progress)
        if self._progress_seen.get(op.id) == (msg, progress):
            return
        self._progress_seen[op.id] = (msg, progress)
        try:
            self.remote('progress', 'update', op.id, ev_msg=msg, ev_progress=progress,
                        refs=[['operation', op.id]] + [['host', h] for h in op.hosts],
                        add_to_ceph_s=True)
        except Exception as e:
            self.log.debug('progress update of %s failed: %s', op.id, e)

    def _progress_finish(self, c: 'occ.Completion') -> None:
        op = c.operation
        if not self._remember_finished(op.id):
            return
        self._progress_update_final(c)
        if c.is_effective:
            self.log.info('operation %s (%s) succeeded', op.id, self._event_message(op))
            try:
                self.remote('progress', 'complete', op.id)
            except Exception as e:
                self.log.debug('progress complete of %s failed: %s', op.id, e)
        elif op.state == op.STATE_CANCELLED:
            # Asked for (orch cancel, osd rm stop, upgrade stop): not an error.
            why = 'cancelled' + (': %s' % op.message if op.message and op.message != 'cancelled' else '')
            self.log.info('operation %s (%s) %s', op.id, self._event_message(op), why)
            try:
                self.remote('progress', 'fail', op.id, why)
            except Exception as e:
                self.log.debug('progress fail of %s failed: %s', op.id, e)
        else:
            exc = c.exception
            why = (getattr(exc, 'message', None) or str(exc)) if exc else (op.message or c.state_name)
            self._progress_fail(op.id, self._event_message(op), why, remembered=True)

    def _progress_update_final(self, c: 'occ.Completion') -> None:
        # An operation that ended before any update still needs its event to exist.
        op = c.operation
        if op.id not in self._progress_seen:
            try:
                self.remote('progress', 'update', op.id, ev_msg=self._event_message(op),
                            ev_progress=float(op.progress),
                            refs=[['operation', op.id]] + [['host', h] for h in op.hosts],
                            add_to_ceph_s=True)
            except Exception as e:
                self.log.debug('progress update of %s failed: %s', op.id, e)
        self._progress_seen.pop(op.id, None)

    def _progress_fail(self, op_id: str, description: str, why: str, remembered: bool = False) -> None:
        if not remembered and not self._remember_finished(op_id):
            return
        self._progress_seen.pop(op_id, None)
        self.log.error('operation %s (%s) failed: %s', op_id, description, why)
        try:
            self.cluster_log('cluster', self.ClusterLogPrio.ERROR,
                             '%s: %s failed: %s' % (MODULE_NAME, description, why))
        except Exception:
            pass
        try:
            self.remote('progress', 'fail', op_id, why)
        except Exception as e:
            self.log.debug('progress fail of %s failed: %s', op_id, e)

    def _remember_finished(self, op_id: str) -> bool:
        """Record that an operation's event was finished; False if it already was."""
        with self._lock:
            if op_id in self._finished_set:
                return False
            self._finished_set.add(op_id)
            self._finished.append(op_id)
            while len(self._finished) > _FINISHED_MEMORY:
                self._finished_set.discard(self._finished.pop(0))
            return True
