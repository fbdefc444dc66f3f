"""Hosts, their labels and their devices (`ceph orch host ...`, `ceph orch device ...`)."""

import errno
from typing import Any, List, Optional

import orchestrator
from ceph.deployment.hostspec import HostSpec

from .connection import MODULE_NAME, cv, occ, orchestrator_method


class Hosts:
    """HostService and InventoryService."""

    @orchestrator_method
    def add_host(self, host_spec: HostSpec) -> str:
        return self._add_host(host_spec)

    def _add_host(self, spec: Any) -> str:
        maintenance = str(getattr(spec, 'status', '') or '').lower() == 'maintenance'
        if getattr(spec, 'location', None):
            raise orchestrator.OrchestratorValidationError(
                'host location is not supported by %s' % MODULE_NAME)
        hostname = str(spec.hostname)
        addr = str(spec.addr) if getattr(spec, 'addr', None) and spec.addr != hostname else ''
        labels = list(getattr(spec, 'labels', None) or [])

        def describe(c: 'occ.Completion') -> str:
            if c.is_effective:
                return "Added host '%s' with addr '%s'" % (hostname, c.result.addr or addr or hostname)
            return "Scheduled to add host '%s'%s (operation %s)" % (
                hostname, " with addr '%s'" % addr if addr else '', c.operation_id)
        return self._write(lambda cl: cl.add_host(hostname, addr=addr, labels=labels,
                                                           maintenance=maintenance), describe)

    @orchestrator_method
    def update_host_addr(self, host: str, addr: str) -> str:
        return self._write_saying(lambda cl: cl.update_host_addr(host, addr),
                                  "Updated host '%s' addr to '%s'" % (host, addr),
                                  "Scheduled to update host '%s' addr to '%s'" % (host, addr))

    @orchestrator_method
    def remove_host(self, host: str, force: bool = False, offline: bool = False) -> str:
        return self._write_saying(lambda cl: cl.remove_host(host, force=bool(force or offline)),
                                  "Removed host '%s'" % host, "Scheduled to remove host '%s'" % host)

    @orchestrator_method
    def host_ok_to_stop(self, hostname: str) -> str:
        ok, reasons = self._client().host_ok_to_stop(hostname)
        if not ok:
            raise orchestrator.OrchestratorError('\n'.join(reasons) or 'It is NOT safe to stop host %s' % hostname,
                                                 errno=-errno.EBUSY)
        return 'It is presumed safe to stop host %s' % hostname

    def _fsid(self) -> str:
        return str(self.get('mon_map').get('fsid', ''))

    @orchestrator_method
    def enter_host_maintenance(self, hostname: str, force: bool = False) -> str:
        return self._write_saying(lambda cl: cl.enter_host_maintenance(hostname, force=bool(force)),
                                  'Ceph cluster %s on %s moved to maintenance' % (self._fsid(), hostname),
                                  'Scheduled to move host %s to maintenance' % hostname)

    @orchestrator_method
    def exit_host_maintenance(self, hostname: str) -> str:
        return self._write_saying(lambda cl: cl.exit_host_maintenance(hostname),
                                  'Ceph cluster %s on %s has exited maintenance mode' % (self._fsid(), hostname),
                                  'Scheduled to take host %s out of maintenance' % hostname)

    @orchestrator_method
    def drain_host(self, hostname: str, force: bool = False) -> str:
        if force:
            raise orchestrator.OrchestratorValidationError(
                'host drain --force is not supported by %s: the service removes only what is safe to' % MODULE_NAME)
        # The daemons are those on the host now: the operation removes them in the background.
        names = sorted(d.daemon_name for d in self._client().list_daemons(host=hostname))

        def describe(c: 'occ.Completion') -> str:
            removed = sorted(c.result.daemon_names) if c.is_effective else names
            table = '\n'.join(['%-20s %s' % ('type', 'id'), '-' * 20 + ' ' + '-' * 15] +
                              ['%-20s %s' % tuple(n.split('.', 1)) for n in removed])
            verb = 'Removed' if c.is_effective else 'Scheduled to remove'
            return "%s the following daemons from host '%s'\n%s" % (verb, hostname, table)
        return self._write(lambda cl: cl.drain_host(hostname), describe)

    @orchestrator_method
    def get_hosts(self) -> List[HostSpec]:
        return [cv.host_to_spec(h) for h in self._client().get_hosts()]

    @orchestrator_method
    def add_host_label(self, host: str, label: str) -> str:
        return self._write_saying(lambda cl: cl.add_host_label(host, label),
                                  'Added label %s to host %s' % (label, host),
                                  'Scheduled to add label %s to host %s' % (label, host))

    @orchestrator_method
    def remove_host_label(self, host: str, label: str, force: bool = False) -> str:
        return self._write_saying(lambda cl: cl.remove_host_label(host, label),
                                  'Removed label %s from host %s' % (label, host),
                                  'Scheduled to remove label %s from host %s' % (label, host))

    @orchestrator_method
    def get_inventory(self, host_filter: Optional[Any] = None, refresh: bool = False) -> List[Any]:
        hosts = list(getattr(host_filter, 'hosts', None) or []) if host_filter else []
        labels = list(getattr(host_filter, 'labels', None) or []) if host_filter else []
        client = self._refresh_client() if refresh else self._client()
        found = client.get_inventory(hosts=hosts, labels=labels, refresh=bool(refresh))
        return [cv.inventory_to_upstream(h) for h in found]

    @orchestrator_method
    def zap_device(self, host: str, path: str) -> str:
        # Upstream's CLI has asked for --force (it erases data) already.
        return self._write_saying(lambda cl: cl.zap_device(host, path),
                                  'Zapping successful for: %s on %s' % (path, host),
                                  'Scheduled to zap %s on %s' % (path, host))

    @orchestrator_method
    def blink_device_light(self, ident_fault: str, on: bool, locations: List[Any]) -> List[str]:
        locs = []
        for loc in locations:
            host, dev, path = (loc.host, loc.dev, loc.path) if hasattr(loc, 'host') else tuple(loc)
            locs.append((host, dev or '', path or ''))
        msgs = ['Set %s light for %s:%s %s' % (ident_fault, h, p or d, 'on' if on else 'off')
                for h, d, p in locs]

        def describe(c: 'occ.Completion') -> str:
            if c.is_effective and len(c.result.messages):
                return '\n'.join(c.result.messages)
            return '\n'.join(msgs)
        self._write(lambda cl: cl.blink_device_light(ident_fault, bool(on), locs), describe)
        return msgs
