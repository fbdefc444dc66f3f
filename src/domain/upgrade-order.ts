// The order in which an upgrade restarts daemons.
import { ServiceType, type DaemonDescription } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { compareStrings } from "../backend/versions.js";

/** Daemon types in upgrade order; types not listed go last. */
export const UPGRADE_ORDER: readonly ServiceType[] = [
  ServiceType.SERVICE_TYPE_MON,
  ServiceType.SERVICE_TYPE_MGR,
  ServiceType.SERVICE_TYPE_OSD,
  ServiceType.SERVICE_TYPE_MDS,
  ServiceType.SERVICE_TYPE_RGW,
  ServiceType.SERVICE_TYPE_NFS,
  ServiceType.SERVICE_TYPE_ISCSI,
  ServiceType.SERVICE_TYPE_RBD_MIRROR,
  ServiceType.SERVICE_TYPE_CRASH,
];

function rank(t: ServiceType): number {
  const i = UPGRADE_ORDER.indexOf(t);
  return i === -1 ? UPGRADE_ORDER.length : i;
}

/** Numeric ids ("2" < "10") compare as numbers, before other ids, which compare as strings. */
function compareDaemonIds(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return compareStrings(a.padStart(b.length, "0"), b.padStart(a.length, "0"));
  if (an !== bn) return an ? -1 : 1;
  return compareStrings(a, b);
}

/** The daemons in upgrade order: by type (UPGRADE_ORDER), then hostname, then daemon id. */
export function orderDaemonsForUpgrade(daemons: readonly DaemonDescription[]): DaemonDescription[] {
  return [...daemons].sort(
    (a, b) =>
      rank(a.daemonType) - rank(b.daemonType) ||
      compareStrings(a.hostname, b.hostname) ||
      compareDaemonIds(a.daemonId, b.daemonId),
  );
}
