"""OSDs: create them from drive groups (`ceph orch apply osd`, `ceph orch daemon add osd`),
preview that, and remove them (`ceph orch osd rm [stop|status]`).
"""

import errno
from typing import Any, Dict, List, Optional

import orchestrator

from .connection import MODULE_NAME, cv, occ, orchestrator_method, sp


class Osds:
    """OsdService."""

    def _drive_groups(self, dg: Any) -> List[Any]:
        """The API's drive groups for an upstream one: one per host pattern (a placement
        by host list or label becomes one drive group per host)."""
        name = str(getattr(dg, 'service_id', None) or 'default')
        pl = getattr(dg, 'placement', None)
        if sp.placement_is_empty(pl):
            raise orchestrator.OrchestratorValidationError(
                'Failed to validate OSD spec "%s": `placement` required' % name)
        if getattr(pl, 'count', None) or getattr(pl, 'count_per_host', None):
            raise orchestrator.OrchestratorValidationError(
                'Failed to validate OSD spec "%s": placement count is not supported by %s' % (name, MODULE_NAME))
        if getattr(pl, 'host_pattern', None):
            patterns = [str(pl.host_pattern)]
        elif getattr(pl, 'hosts', None):
            patterns = [str(h.hostname) for h in pl.hosts]
        else:
            patterns = self._matching_hosts(str(pl.label), None)
            if not patterns:
                raise orchestrator.OrchestratorValidationError(
                    'Failed to validate OSD spec "%s": no host has the label %s' % (name, pl.label))
        return [sp.drive_group_to_proto(dg, p) for p in patterns]

    def _apply_drivegroup(self, dg: Any, no_overwrite: bool = False) -> List[str]:
        name = dg.service_name()
        done, _ = self._no_write_needed(dg, no_overwrite)
        if done is not None:
            return [done]
        out = []
        for proto in self._drive_groups(dg):
            out.append(self._write(lambda cl, p=proto: cl.create_osds(p),
                                   lambda c: 'Scheduled %s update...' % name))
        return out[:1] if len(set(out)) == 1 else out

    @orchestrator_method
    def apply_drivegroups(self, specs: List[Any]) -> List[str]:
        out: List[str] = []
        for dg in specs:
            out.extend(self._apply_drivegroup(dg))
        return out

    @orchestrator_method
    def create_osds(self, drive_group: Any) -> str:
        out = []
        for proto in self._drive_groups(drive_group):
            def describe(c: 'occ.Completion', p: Any = proto) -> str:
                if c.is_effective:
                    by_host: Dict[str, List[str]] = {}
                    for o in c.result.osds:
                        by_host.setdefault(o.hostname, []).append(str(o.osd_id))
                    if not by_host:
                        return 'Created no osd(s) on host(s) matching %s; already created?' % p.host_pattern
                    return '\n'.join("Created osd(s) %s on host '%s'" % (','.join(ids), h)
                                     for h, ids in sorted(by_host.items()))
                return "Scheduled to create osd(s) on host(s) matching '%s' (operation %s)" % (
                    p.host_pattern, c.operation_id)
            out.append(self._write(lambda cl, p=proto: cl.create_osds(p), describe))
        return '\n'.join(out)

    def _preview(self, dg: Any) -> Dict[str, List[Dict[str, Any]]]:
        name = str(getattr(dg, 'service_id', None) or 'default')
        preview: Dict[str, List[Dict[str, Any]]] = {}
        for proto in self._drive_groups(dg):
            for host, entries in cv.osd_plans_to_preview(name, self._client().preview_osds(proto)).items():
                preview.setdefault(host, []).extend(entries)
        return preview

    @orchestrator_method
    def preview_osdspecs(self, osdspec_name: Optional[str] = 'osd',
                         osdspecs: Optional[List[Any]] = None) -> Dict[str, List[Dict[str, Any]]]:
        specs = list(osdspecs or [])
        if not specs and osdspec_name and osdspec_name != 'osd':
            raise orchestrator.OrchestratorValidationError(
                '%s keeps no OSD specs: pass the specs to preview' % MODULE_NAME)
        out: Dict[str, List[Dict[str, Any]]] = {}
        for dg in specs:
            for host, entries in self._preview(dg).items():
                out.setdefault(host, []).extend(entries)
        return out

    @orchestrator_method
    def remove_osds(self, osd_ids: List[str], replace: bool = False, force: bool = False,
                    zap: bool = False, no_destroy: bool = False) -> str:
        if no_destroy:
            raise orchestrator.OrchestratorValidationError('--no-destroy is not supported by %s' % MODULE_NAME)
        try:
            ids = [int(i) for i in osd_ids]
        except (TypeError, ValueError):
            raise orchestrator.OrchestratorValidationError('OSD ids must be numbers, got %s' % ', '.join(osd_ids))
        self._write(lambda cl: cl.remove_osds(ids, replace=bool(replace), force=bool(force), zap=bool(zap)), lambda c: '')
        return 'Scheduled OSD(s) for removal'

    @orchestrator_method
    def stop_remove_osds(self, osd_ids: List[str]) -> str:
        wanted = {str(i) for i in osd_ids}
        client = self._client()
        removals = [r for r in client.remove_osds_status()
                    if str(r.osd_id) in wanted and r.state in cv.REMOVAL_ACTIVE_STATES]
        missing = wanted - {str(r.osd_id) for r in removals}
        if missing:
            raise orchestrator.OrchestratorError(
                'Unable to find OSD in the removal queue: %s' % ', '.join(sorted(missing)), errno=-errno.ENOENT)
        for op_id in sorted({r.operation_id for r in removals if r.operation_id}):
            client.cancel(op_id)
        return 'Stopped OSD(s) removal'

    @orchestrator_method
    def remove_osds_status(self) -> List[Any]:
        return [cv.OSDRemoval(r) for r in self._client().remove_osds_status()]
