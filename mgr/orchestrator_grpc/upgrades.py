"""Upgrades, by Ceph version (`ceph orch upgrade ...`)."""

import json
from typing import Any, Callable, Dict, List, Optional

import orchestrator

from .connection import MODULE_NAME, cv, occ, orchestrator_method


class Upgrades:
    """UpgradeService."""

    def _version_arg(self, image: Optional[str], version: Optional[str]) -> str:
        if version:
            return str(version)
        if image:
            raise orchestrator.OrchestratorValidationError(
                '%s upgrades by Ceph version, not by container image: use --ceph-version' % MODULE_NAME)
        raise orchestrator.OrchestratorValidationError('must specify either image or version')

    @orchestrator_method
    def upgrade_check(self, image: Optional[str], version: Optional[str]) -> str:
        target = self._version_arg(image, version)
        client = self._client()
        avail = client.upgrade_available()
        needs: Dict[str, Dict[str, str]] = {}
        up_to_date: List[str] = []
        for d in client.list_daemons():
            if d.version == target:
                up_to_date.append(d.daemon_name)
            else:
                needs[d.daemon_name] = {'current_version': d.version}
        return json.dumps({
            'target_version': target,
            'current_version': avail.current_version,
            'available': target in avail.versions,
            'available_versions': list(avail.versions),
            'needs_update': needs,
            'up_to_date': sorted(up_to_date),
        }, indent=4, sort_keys=True)

    @orchestrator_method
    def upgrade_ls(self, image: Optional[str], tags: bool) -> Dict[str, Any]:
        avail = self._client().upgrade_available()
        return {'current_version': avail.current_version, 'versions': list(avail.versions)}

    @orchestrator_method
    def upgrade_available(self) -> List[str]:
        return list(self._client().upgrade_available().versions)

    @orchestrator_method
    def upgrade_start(self, image: Optional[str], version: Optional[str], daemon_types: Optional[List[str]] = None,
                      hosts: Optional[str] = None, services: Optional[List[str]] = None,
                      limit: Optional[int] = None) -> str:
        target = self._version_arg(image, version)
        for name, value in (('--daemon-types', daemon_types), ('--hosts', hosts),
                            ('--services', services), ('--limit', limit)):
            if value:
                raise orchestrator.OrchestratorValidationError(
                    'staggered upgrades (%s) are not supported by %s' % (name, MODULE_NAME))
        return self._write(lambda cl: cl.upgrade_start(target), lambda c: 'Initiating upgrade to %s' % target)

    @orchestrator_method
    def upgrade_status(self) -> Any:
        return cv.upgrade_status_to_upstream(self._client().upgrade_status())

    def _upgrade_write(self, verb: str, start: Callable[['occ.OrchestratorClient'], 'occ.Completion']) -> str:
        target = ''
        try:
            target = self._client().upgrade_status().target_version
        except Exception:
            pass
        return self._write(start, lambda c: '%s upgrade to %s' % (verb, target or 'the target version'))

    @orchestrator_method
    def upgrade_pause(self) -> str:
        return self._upgrade_write('Paused', lambda cl: cl.upgrade_pause())

    @orchestrator_method
    def upgrade_resume(self) -> str:
        return self._upgrade_write('Resumed', lambda cl: cl.upgrade_resume())

    @orchestrator_method
    def upgrade_stop(self) -> str:
        return self._upgrade_write('Stopped', lambda cl: cl.upgrade_stop())
