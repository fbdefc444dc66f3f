// What the ssh backend keeps across restarts, in the service's database (BackendOptions.store):
// the cluster's fsid, the hosts, the service specs and the last units seen on each host.
import type { BackendStore, ServiceRecord } from "../../src/backend/backend.js";
import { ExecutionError, NotFoundError } from "../../src/backend/errors.js";

const STATE_KEY = "state";
const STATE_FORMAT = 1;

export interface HostRecord {
  hostname: string;
  addr: string;
  labels: string[];
  /** In maintenance (noout set for its OSDs); absent when not. */
  maintenance?: true;
}

/** A daemon unit of a host, as orchctl reports it. */
export interface Unit {
  name: string;
  state: "running" | "stopped" | "error";
  pid: number;
  started: number;
  serviceName: string;
  created: number;
  /** OSDs: the data device or directory. */
  data: string;
  /** Resident memory of its process, in KiB; 0 when it does not run. */
  rssKb: number;
}

interface SavedState {
  format: typeof STATE_FORMAT;
  /** Empty until the first mon is deployed (bootstrap). */
  fsid: string;
  /** The host the cluster was bootstrapped on (asked first for cluster commands). */
  bootstrapHost: string;
  hosts: HostRecord[];
  services: ServiceRecord[];
  /** The last units seen per host, for hosts that cannot be reached now. */
  units: Record<string, Unit[]>;
}

export class SshState implements Omit<SavedState, "format"> {
  fsid = "";
  bootstrapHost = "";
  hosts: HostRecord[] = [];
  services: ServiceRecord[] = [];
  units: Record<string, Unit[]> = {};
  private store: BackendStore | undefined;

  /** Whether the store held a saved state (now loaded). */
  useStore(store: BackendStore): boolean {
    this.store = store;
    const saved = store.load(STATE_KEY) as SavedState | undefined;
    if (saved === undefined) return false;
    if (saved.format !== STATE_FORMAT) throw new Error(`ssh backend: the state saved in ${store.location} has an unknown format`);
    ({ fsid: this.fsid, bootstrapHost: this.bootstrapHost, hosts: this.hosts, services: this.services, units: this.units } = saved);
    return true;
  }

  persist(): Promise<void> {
    if (!this.store) return Promise.resolve();
    return this.store.save(STATE_KEY, (): SavedState =>
      structuredClone({ format: STATE_FORMAT, fsid: this.fsid, bootstrapHost: this.bootstrapHost, hosts: this.hosts, services: this.services, units: this.units }),
    );
  }

  host(hostname: string): HostRecord {
    const h = this.hosts.find((x) => x.hostname === hostname);
    if (!h) throw new NotFoundError("host", hostname);
    return h;
  }

  requireCluster(): void {
    if (this.fsid === "") throw new ExecutionError("there is no cluster yet: place the mons first (UpdateMons bootstraps the cluster on the first mon's host)");
  }
}
