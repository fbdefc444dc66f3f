// Placement (upstream's PlacementSpec): validation, the hosts a service's daemons should run
// on (a simplified cephadm HostAssignment), and daemon ids as cephadm names them.
import { Host_Status, type Host } from "../../gen/ts/ceph_orchestrator/v1/host.js";
import {
  type DaemonDescription,
  type HostPlacement,
  type Placement,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { FieldViolation } from "./errors.js";
import { matchHosts, validatePattern } from "./drive-group.js";
import { validateHostname, validateLabel, validateServiceId, validateString } from "./fields.js";

export const MAX_PLACEMENT_COUNT = 1000;

export interface PlacementOptions {
  /** A count of 0 (or no placement at all) is a violation. */
  requireCount?: boolean;
  /** The largest count allowed; MAX_PLACEMENT_COUNT by default. */
  maxCount?: number;
  /** The cluster's hosts. When given, unknown hosts and a label or pattern that selects no host are violations. */
  hosts?: readonly Host[];
}

/** Validates a placement whose field path is `field`, e.g. "spec.placement". */
export function validatePlacement(p: Placement | undefined, field: string, opts: PlacementOptions = {}): FieldViolation[] {
  if (!p) return opts.requireCount ? [{ field: `${field}.count`, description: "is required" }] : [];
  const out: FieldViolation[] = [];
  const maxCount = opts.maxCount ?? MAX_PLACEMENT_COUNT;
  if (p.count < 0) out.push({ field: `${field}.count`, description: "must not be negative" });
  else if (p.count > maxCount) out.push({ field: `${field}.count`, description: `must be at most ${maxCount}` });
  else if (opts.requireCount && p.count === 0) out.push({ field: `${field}.count`, description: "is required" });

  // As upstream: explicit hosts exclude a label and a pattern; a label and a pattern combine.
  if (p.hosts.length > 0 && p.label !== "") {
    out.push({ field: `${field}.label`, description: "cannot be combined with hosts" });
  }
  if (p.hosts.length > 0 && p.hostPattern !== "") {
    out.push({ field: `${field}.host_pattern`, description: "cannot be combined with hosts" });
  }

  const known = opts.hosts ? new Set(opts.hosts.map((h) => h.hostname)) : undefined;
  const seen = new Set<string>();
  p.hosts.forEach((h, i) => {
    const f = `${field}.hosts[${i}]`;
    const v = validateHostname(h.hostname, `${f}.hostname`);
    out.push(...v);
    if (v.length === 0) {
      if (seen.has(h.hostname)) out.push({ field: `${f}.hostname`, description: `host '${h.hostname}' appears more than once` });
      else if (known && !known.has(h.hostname)) out.push({ field: `${f}.hostname`, description: `host '${h.hostname}' is not known` });
      seen.add(h.hostname);
    }
    out.push(...validateString(h.network, `${f}.network`, 256));
    if (h.name !== "") out.push(...validateServiceId(h.name, `${f}.name`));
  });

  if (p.label !== "") {
    const v = validateLabel(p.label, `${field}.label`);
    out.push(...v);
    if (v.length === 0 && opts.hosts && !opts.hosts.some((h) => h.labels.includes(p.label))) {
      out.push({ field: `${field}.label`, description: `no host has the label '${p.label}'` });
    }
  }
  if (p.hostPattern !== "") {
    const v = validatePattern(p.hostPattern, `${field}.host_pattern`);
    out.push(...v);
    if (v.length === 0 && opts.hosts && matchHosts(p.hostPattern, opts.hosts.map((h) => h.hostname)).length === 0) {
      out.push({ field: `${field}.host_pattern`, description: `host_pattern '${p.hostPattern}' does not match any hosts` });
    }
  }
  return out;
}

function byHostname(a: { hostname: string }, b: { hostname: string }): number {
  return a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0;
}

/** The label that keeps every placement off a host (upstream's; DrainHost sets it). */
export const NO_SCHEDULE_LABEL = "_no_schedule";

/** Whether new daemons may go to the host: online, not in maintenance, not labelled `_no_schedule`. */
export function schedulable(h: Host): boolean {
  return h.status !== Host_Status.STATUS_OFFLINE && h.status !== Host_Status.STATUS_MAINTENANCE && !h.labels.includes(NO_SCHEDULE_LABEL);
}

/**
 * The hosts a service's daemons should run on. Candidates are `hosts` (unknown ones are
 * skipped; validatePlacement reports them), else the hosts with `label` (narrowed by
 * `host_pattern` when both are set), else the hosts matching `host_pattern`, else every host;
 * hosts that are not schedulable (offline, in maintenance, `_no_schedule`) are left out. A count of 0 takes every candidate.
 * Otherwise candidates that already run one of `existing` (the service's daemons) come first,
 * so a re-apply keeps daemons where they are, then the rest by hostname; fewer than `count`
 * come back when there are fewer candidates. The result is in that order.
 */
export function resolvePlacement(p: Placement, hosts: readonly Host[], existing: readonly DaemonDescription[]): HostPlacement[] {
  const byName = new Map(hosts.filter(schedulable).map((h) => [h.hostname, h]));
  let candidates: HostPlacement[];
  if (p.hosts.length > 0) {
    const seen = new Set<string>();
    candidates = [];
    for (const h of p.hosts) {
      if (!byName.has(h.hostname) || seen.has(h.hostname)) continue;
      seen.add(h.hostname);
      candidates.push({ hostname: h.hostname, network: h.network, name: h.name });
    }
  } else {
    let names = [...byName.values()].filter((h) => p.label === "" || h.labels.includes(p.label)).map((h) => h.hostname);
    if (p.hostPattern !== "") names = matchHosts(p.hostPattern, names);
    candidates = names.map((hostname) => ({ hostname, network: "", name: "" }));
  }
  candidates.sort(byHostname);
  if (p.count <= 0) return candidates;

  // A candidate with a fixed daemon name only keeps a daemon of that name (as cephadm).
  const runs = (c: HostPlacement): boolean =>
    existing.some((d) => d.hostname === c.hostname && (c.name === "" || c.name === d.daemonId));
  const current = candidates.filter(runs);
  const others = candidates.filter((c) => !runs(c));
  return [...current, ...others].slice(0, p.count);
}
