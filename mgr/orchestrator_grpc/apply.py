"""Specs: `ceph orch apply` of hosts, mons, mgrs, OSDs and stateless services, and its
`--dry-run` (plan). A spec equal to the service's (`ceph orch ls --export` applied back) is
not written again: nothing would change.
"""

import fnmatch
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .connection import MODULE_NAME, cv, occ, orchestrator_method, sp

_DRY_RUN_WARNING = ('WARNING! Dry-Runs are snapshots of a certain point in time and are bound \n'
                    'to the current inventory setup. If any of these conditions change, the \n'
                    'preview will be invalid. Please make sure to have a minimal \n'
                    'timeframe between planning and applying the specs.')


class Apply:
    """Applying specs, by service type."""

    @orchestrator_method
    def apply(self, specs: Sequence[Any], no_overwrite: bool = False) -> List[str]:
        """Apply specs (upstream dispatches by service_type; hosts are added). A spec marked
        preview_only (--dry-run) changes nothing: plan() answers for it."""
        results: List[str] = []
        for spec in specs:
            stype = str(getattr(spec, 'service_type', ''))
            if stype == 'host':
                results.append(self._add_host(spec))
            elif getattr(spec, 'preview_only', False):
                results.append('Preview only: %s' % spec.service_name())
            elif stype == 'osd':
                results.extend(self._apply_drivegroup(spec, no_overwrite))
            elif stype in ('mon', 'mgr'):
                results.append(self._apply_mon_mgr(spec, no_overwrite))
            elif stype in cv.STATELESS_TYPES:
                results.append(self._apply_stateless(spec, no_overwrite))
            else:
                # No RPC writes such specs (ingress, ...): only the service's own spec, as
                # `orch ls --export` printed it, goes through, changing nothing.
                done, _ = self._no_write_needed(spec, no_overwrite)
                if done is None:
                    raise NotImplementedError('%s does not manage %s services' % (MODULE_NAME, stype))
                results.append(done)
        return results

    @orchestrator_method
    def plan(self, specs: Sequence[Any]) -> List[Dict[str, Any]]:
        """`--dry-run`: what applying the specs would do, in cephadm's shape."""
        if any(str(getattr(s, 'service_type', '')) == 'host' for s in specs):
            return [{'error': 'Found <HostSpec>. Previews that include Host Specifications are not supported, yet.'}]
        results: List[Dict[str, Any]] = [{'warning': _DRY_RUN_WARNING}]
        for spec in specs:
            stype = str(spec.service_type)
            if stype == 'osd':
                results.append({'service_type': 'osd', 'service_name': spec.service_name(),
                                'data': self._preview(spec)})
            else:
                results.append(self._plan_service(spec))
        return results

    def _plan_service(self, spec: Any) -> Dict[str, Any]:
        """Hosts that would gain or lose a daemon: upstream's placement applied to the
        current hosts and daemons (a preview; the service decides when applying)."""
        name = spec.service_name()
        client = self._client()
        hosts = [cv.host_to_spec(h) for h in client.get_hosts()]
        pl = getattr(spec, 'placement', None)
        candidates = pl.filter_matching_hostspecs(hosts) if pl is not None else [h.hostname for h in hosts]
        current = [d.hostname for d in client.list_daemons(service_name=name)]
        count = getattr(pl, 'count', None)
        keep = [h for h in current if h in candidates]
        if count:
            keep = keep[:count]
            add = [h for h in candidates if h not in keep][:max(0, count - len(keep))]
        else:
            add = [h for h in candidates if h not in current]
        remove = [h for h in current if h not in keep and h not in add]
        return {'service_type': str(spec.service_type), 'service_name': name,
                'add': add, 'remove': remove}

    def _no_write_needed(self, spec: Any, no_overwrite: bool) -> Tuple[Optional[str], bool]:
        """(what to answer when the spec needs no write, else None; whether the service
        exists): an existing service is skipped with --no-overwrite, and left alone when
        the spec is the one it has."""
        name = spec.service_name()
        current = self._client().describe_service(service_name=name)
        if not current:
            return None, False
        if no_overwrite:
            return 'Skipped %s service spec. To change %s spec omit --no-overwrite flag' % (name, name), True
        if sp.unchanged(spec, current[0], self._nfs_pool()):
            return 'Unchanged %s service spec' % name, True
        return None, True

    def _nfs_pool(self) -> str:
        return str(self._opt('nfs_pool') or '.nfs')

    @orchestrator_method
    def apply_mon(self, spec: Any) -> str:
        return self._apply_mon_mgr(spec)

    @orchestrator_method
    def apply_mgr(self, spec: Any) -> str:
        return self._apply_mon_mgr(spec)

    def _apply_mon_mgr(self, spec: Any, no_overwrite: bool = False) -> str:
        stype = str(spec.service_type)
        done, _ = self._no_write_needed(spec, no_overwrite)
        if done is not None:
            return done
        sp.refuse(spec, sp.COMMON_UNSUPPORTED, 'service %s' % stype)
        pl = getattr(spec, 'placement', None)
        placement = sp.placement_to_proto(pl, 'service %s' % stype)
        count = placement.count or len(placement.hosts)
        if not count and (placement.label or placement.host_pattern):
            count = len(self._matching_hosts(placement.label, placement.host_pattern))
        if not count:
            count = 5 if stype == 'mon' else 2  # cephadm's defaults
        hosts = [(h.hostname, h.network, h.name) for h in placement.hosts]
        label = placement.label or None
        if placement.host_pattern:
            hosts = [(h, '', '') for h in self._matching_hosts(None, placement.host_pattern)]
        update = 'update_mons' if stype == 'mon' else 'update_mgrs'
        unmanaged = bool(getattr(spec, 'unmanaged', False))
        start = lambda cl: getattr(cl, update)(count, hosts=hosts, label=label, unmanaged=unmanaged)  # noqa: E731
        return self._write(start, lambda c: 'Scheduled %s update...' % stype)

    def _matching_hosts(self, label: Optional[str], pattern: Optional[str]) -> List[str]:
        hosts = self._client().get_hosts(label=label or None)
        names = [h.hostname for h in hosts]
        return fnmatch.filter(names, pattern) if pattern else names

    @orchestrator_method
    def apply_mds(self, spec: Any) -> str:
        return self._apply_stateless(spec)

    # Upstream has a method per stateless type; the spec's service_type says which (all
    # need the same RPCs, so apply_mds's name also serves for refusing them up front).
    apply_rgw = apply_nfs = apply_iscsi = apply_rbd_mirror = apply_mds
    apply_crash = apply_node_exporter = apply_prometheus = apply_grafana = apply_alertmanager = apply_mds

    def _apply_stateless(self, spec: Any, no_overwrite: bool = False) -> str:
        name = spec.service_name()
        done, exists = self._no_write_needed(spec, no_overwrite)
        if done is not None:
            return done
        msg = sp.with_default_placement(sp.stateless_spec_to_proto(spec, self._nfs_pool()), str(spec.service_type))
        if exists:
            start = lambda cl: cl.update_stateless_service(msg)  # noqa: E731
        else:
            start = lambda cl: cl.add_stateless_service(msg)  # noqa: E731
        return self._write(start, lambda c: 'Scheduled %s update...' % name)
