// The cluster as saved in the store (the service's database, key `cluster` of backend
// `sim`): JSON, sizes as decimal strings. A saved cluster outlives the sim that saved it:
// a change to this format needs a new STATE_FORMAT, and the old ones must still load.
import type { BackendStore, ServiceRecord } from "../../src/backend/backend.js";
import { type SimDaemon, type SimDevice, type SimHost, type SimOsd, frozen } from "./model.js";
import type { SimCluster } from "./state.js";

/** The store key of the saved cluster. */
export const STATE_KEY = "cluster";
const STATE_FORMAT = 1;

type SavedDevice = Omit<SimDevice, "sizeBytes"> & { sizeBytes: string };
type SavedMachine = { addr: string; devices: SavedDevice[] };

/** The cluster as saved in the store. */
export interface SimState {
  format: typeof STATE_FORMAT;
  fsid: string;
  pgsPerOsd: number;
  lastPid: number;
  hosts: (Omit<SimHost, "devices"> & { devices: SavedDevice[] })[];
  spares: (SavedMachine & { hostname: string })[];
  services: ServiceRecord[];
  daemons: SimDaemon[];
  osds: SimOsd[];
}

function saveDevice(d: SimDevice): SavedDevice {
  return { ...d, sizeBytes: d.sizeBytes.toString() };
}

function loadDevice(d: SavedDevice): SimDevice {
  return { ...d, sizeBytes: BigInt(d.sizeBytes), sysApi: frozen(d.sysApi) };
}

/** The cluster as it is after the last completed step. */
export function saveState(cluster: SimCluster): SimState {
  const { settled, unstarted } = cluster;
  const daemons: SimDaemon[] = [];
  for (const d of cluster.daemons.values()) {
    const before = settled.get(d.name);
    if (before === undefined) daemons.push({ ...d });
    else if (before !== null) daemons.push({ ...before });
  }
  const device = (d: SimDevice): SavedDevice => {
    const saved = saveDevice(d);
    if (unstarted.size === 0 || !d.lvs.some((lv) => unstarted.has(lv.osdId))) return saved;
    // As releasing the OSDs would leave it: without the unstarted OSDs' LVs.
    const lvs = d.lvs.filter((lv) => !unstarted.has(lv.osdId));
    if (lvs.length > 0) return { ...saved, lvs };
    return { ...saved, lvs, available: true, rejectedReasons: [], sysApi: { ...d.sysApi, locked: 0 } };
  };
  return {
    format: STATE_FORMAT,
    fsid: cluster.fsid,
    pgsPerOsd: cluster.pgsPerOsd,
    lastPid: cluster.lastPid,
    hosts: [...cluster.hosts.values()].map((h) => ({ ...h, devices: h.devices.map(device) })),
    spares: [...cluster.spares].map(([hostname, m]) => ({ hostname, addr: m.addr, devices: m.devices.map(device) })),
    services: [...cluster.services.values()],
    daemons,
    osds: [...cluster.osds.values()].filter((o) => !unstarted.has(o.id)),
  };
}

function restoreState(cluster: SimCluster, raw: unknown, location: string): void {
  const state = raw as SimState;
  if (typeof raw !== "object" || raw === null || state.format !== STATE_FORMAT) {
    throw new Error(`sim backend: the cluster saved in ${location} has an unknown format`);
  }
  cluster.fsid = state.fsid;
  cluster.pgsPerOsd = state.pgsPerOsd;
  cluster.lastPid = state.lastPid;
  cluster.hosts.clear();
  for (const h of state.hosts) cluster.hosts.set(h.hostname, { ...h, devices: h.devices.map(loadDevice) });
  cluster.spares.clear();
  for (const m of state.spares) cluster.spares.set(m.hostname, { addr: m.addr, devices: m.devices.map(loadDevice) });
  cluster.services.clear();
  for (const s of state.services) cluster.services.set(s.serviceName, s);
  cluster.daemons.clear();
  for (const d of state.daemons) cluster.daemons.set(d.name, d);
  cluster.osds.clear();
  for (const o of state.osds) cluster.osds.set(o.id, o);
}

/**
 * Keeps the cluster in `store`: the state saved there replaces the fixture's (true), or,
 * when there is none yet, the fixture's state is saved as the first (false).
 */
export async function useStore(cluster: SimCluster, store: BackendStore): Promise<boolean> {
  cluster.save = () => store.save(STATE_KEY, () => saveState(cluster));
  const saved = store.load(STATE_KEY);
  if (saved === undefined) {
    await cluster.persist();
    return false;
  }
  restoreState(cluster, saved, store.location);
  return true;
}
