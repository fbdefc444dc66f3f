"""Services and daemons: list them (`ceph orch ls`, `ceph orch ps`), act on them
(`ceph orch start|stop|... <service>`, `ceph orch daemon ...`) and remove stateless
services (`ceph orch rm`).
"""

from typing import Any, Dict, List, Optional

import orchestrator

from .connection import MODULE_NAME, cv, occ, orchestrator_method, sp

_ACTIONS = {'start': 'start', 'stop': 'stop', 'restart': 'restart', 'redeploy': 'redeploy',
            'reconfig': 'reload', 'reload': 'reload'}


class Services:
    """ServiceService's reads and actions."""

    @orchestrator_method
    def describe_service(self, service_type: Optional[str] = None, service_name: Optional[str] = None,
                         refresh: bool = False) -> List[Any]:
        if service_type and service_type not in occ.SERVICE_TYPES:
            return []  # a type the API does not manage (ingress, ...) has no services
        client = self._client() if not refresh else self._refresh_client()
        services = client.describe_service(service_type=service_type or None,
                                           service_name=service_name or None, refresh=bool(refresh))
        return [cv.service_to_upstream(s) for s in services]

    @orchestrator_method
    def list_daemons(self, service_name: Optional[str] = None, daemon_type: Optional[str] = None,
                     daemon_id: Optional[str] = None, host: Optional[str] = None,
                     refresh: bool = False) -> List[Any]:
        if daemon_type and daemon_type not in occ.SERVICE_TYPES:
            return []
        client = self._client() if not refresh else self._refresh_client()
        daemons = client.list_daemons(service_name=service_name or None, daemon_type=daemon_type or None,
                                      daemon_id=daemon_id or None, host=host or None, refresh=bool(refresh))
        return [cv.daemon_to_upstream(d) for d in daemons]

    def _daemon_hosts(self, **filters: Any) -> Dict[str, str]:
        """Daemon name -> host, for the messages of actions."""
        try:
            return {d.daemon_name: d.hostname for d in self._client().list_daemons(**filters)}
        except Exception:
            return {}

    @orchestrator_method
    def service_action(self, action: str, service_name: str) -> List[str]:
        api_action = self._action(action)

        def describe(c: 'occ.Completion') -> str:
            return ''
        self._write(lambda cl: cl.service_action(api_action, service_name), describe)
        hosts = self._daemon_hosts(service_name=service_name)
        return ["Scheduled to %s %s on host '%s'" % (action, name, host)
                for name, host in sorted(hosts.items())] or \
            ['Scheduled to %s service %s' % (action, service_name)]

    @orchestrator_method
    def daemon_action(self, action: str, daemon_name: str, image: Optional[str] = None) -> str:
        # The API redeploys on a Ceph version, which stands in for upstream's image (a
        # backend that cannot choose one refuses it).
        if image and action != 'redeploy':
            raise orchestrator.OrchestratorValidationError('an image is only taken by redeploy, not %s' % action)
        api_action = self._action(action)

        def describe(c: 'occ.Completion') -> str:
            host = self._daemon_hosts(daemon_id=daemon_name).get(daemon_name)
            if c.is_effective:
                return "%s %s%s" % (self._past(action), daemon_name, " on host '%s'" % host if host else '')
            return "Scheduled to %s %s%s" % (action, daemon_name, " on host '%s'" % host if host else '')
        return self._write(lambda cl: cl.daemon_action(api_action, daemon_name, image=image or None), describe)

    @orchestrator_method
    def remove_daemons(self, names: List[str]) -> str:
        # Upstream's CLI has asked for --force before a mon or an OSD already: pass it on.
        hosts = self._daemon_hosts()

        def describe(c: 'occ.Completion') -> str:
            verb = 'Removed' if c.is_effective else 'Scheduled to remove'
            lines = ["%s %s from host '%s'" % (verb, n, hosts.get(n, '?')) for n in names]
            return '\n'.join(lines) + ('' if c.is_effective else ' (operation %s)' % c.operation_id)
        return self._write(lambda cl: cl.remove_daemons(names, force=True), describe)

    @staticmethod
    def _past(action: str) -> str:
        return {'start': 'Started', 'stop': 'Stopped', 'restart': 'Restarted', 'redeploy': 'Redeployed',
                'reconfig': 'Reconfigured', 'reload': 'Reloaded'}.get(action, action)

    @staticmethod
    def _action(action: str) -> str:
        if action not in _ACTIONS:
            raise orchestrator.OrchestratorValidationError(
                'unknown action %r: one of %s' % (action, ', '.join(sorted(_ACTIONS))))
        return _ACTIONS[action]

    @orchestrator_method
    def remove_service(self, service_name: str, force: bool = False) -> str:
        # The service refuses mon and mgr, and removes only an OSD service's spec.
        return self._write_saying(lambda cl: cl.remove_stateless_service(service_name),
                                  'Removed service %s' % service_name,
                                  'Scheduled to remove service %s' % service_name)

    @orchestrator_method
    def add_daemon(self, spec: Any) -> str:
        stype = str(spec.service_type)
        if stype not in cv.STATELESS_TYPES:
            raise orchestrator.OrchestratorValidationError(
                '%s adds daemons only of %s services' % (MODULE_NAME, ', '.join(cv.STATELESS_TYPES)))
        msg = sp.stateless_spec_to_proto(spec, self._nfs_pool())
        hosts = [h.hostname for h in msg.placement.hosts]

        def describe(c: 'occ.Completion') -> str:
            if c.is_effective:
                by_name = self._daemon_hosts(service_name=spec.service_name())
                return '\n'.join("Deployed %s on host '%s'" % (n, by_name.get(n, '?'))
                                 for n in sorted(c.result.daemon_names))
            return '\n'.join("Scheduled to deploy %s daemon on host '%s' (operation %s)" % (stype, h, c.operation_id)
                             for h in hosts)
        return self._write(lambda cl: cl.add_daemon(msg), describe)
