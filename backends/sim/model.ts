// The simulated cluster's records as it holds them in memory (persistence.ts saves them,
// sizes as strings), and the two helpers that keep answering big clusters cheap.
import type { ServiceType, DaemonDescription_Status } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { FixtureDevice, FixtureOsd } from "./fixture-hosts.js";

export interface SimDevice extends FixtureDevice {
  ident: boolean;
  fault: boolean;
}

export interface SimHost {
  hostname: string;
  addr: string;
  labels: string[];
  devices: SimDevice[];
  /** When the devices were last scanned. */
  refreshedAt: number;
  /** In maintenance (its OSDs noout); absent when not. */
  maintenance?: true;
}

/** A machine outside the cluster: its disks wait there until AddHost. */
export interface SimMachine {
  addr: string;
  devices: SimDevice[];
}

export interface SimDaemon {
  type: ServiceType;
  id: string;
  name: string;
  serviceName: string;
  hostname: string;
  status: DaemonDescription_Status;
  statusDesc: string;
  version: string;
  /** 0 while not running. */
  pid: number;
  created: number;
  started: number | undefined;
  lastRefresh: number;
}

/** Sizes in bytes as decimal strings (0: the whole device, or no such part). */
export interface SimOsdLayout {
  dataSizeBytes: string;
  dbSizeBytes: string;
  walSizeBytes: string;
  crushDeviceClass: string;
  raw: boolean;
}

/** An OSD of the OSD map; once destroyed, only its id and host are left (the rest is empty). */
export interface SimOsd extends Omit<FixtureOsd, "osdId"> {
  id: number;
  /** What its drive group set beyond the devices (osds.ts); absent for an OSD of a fixture. */
  layout?: SimOsdLayout;
  in: boolean;
  /** When it was marked out: its placement groups drain from then on. */
  outSince: number | undefined;
  destroyed: boolean;
}

/**
 * Freezes a JSON value deeply. A device's sys_api is frozen, so that inventories hand it
 * out without a deep copy per device and request (a page of 100 hosts has 2,400); a change
 * replaces it.
 */
export function frozen<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}

/** A Map that counts the changes made to it, so that descriptions made from it can be kept until it changes. */
export class CountingMap<K, V> extends Map<K, V> {
  changes = 0;

  override set(key: K, value: V): this {
    this.changes++;
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.changes++;
    return super.delete(key);
  }

  override clear(): void {
    this.changes++;
    super.clear();
  }
}
