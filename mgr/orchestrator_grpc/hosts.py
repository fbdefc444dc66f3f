"""Hosts, their labels and their devices (`ceph orch host ...`, `ceph orch device ...`)."""

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
        if getattr(spec, 'status', '') and str(spec.status).lower() == 'maintenance':
            raise orchestrator.OrchestratorValidationError(
                'adding a host in maintenance is not supported by %s' % MODULE_NAME)
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
        return self._write(lambda cl: cl.add_host(hostname, addr=addr, labels=labels), describe)

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
