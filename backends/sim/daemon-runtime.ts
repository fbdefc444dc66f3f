// What a real cluster's daemons show beside their state, simulated: ports, address, memory
// and CPU of a running process, the active mgr and MDS ranks (max_mds 1: the first running
// MDS of a file system holds rank 0), and the image, as cephadm reports them.
import { DaemonDescription_Status as Status, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { DaemonDescription } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { ServiceRecord } from "../../src/backend/backend.js";
import type { SimDaemon } from "./model.js";

const MiB = 1024 * 1024;
/** Typical resident memory and CPU of each kind of daemon, idle. */
const USAGE: Partial<Record<ServiceType, { memory: number; cpu: number }>> = {
  [ServiceType.SERVICE_TYPE_MON]: { memory: 420 * MiB, cpu: 1.1 },
  [ServiceType.SERVICE_TYPE_MGR]: { memory: 510 * MiB, cpu: 2.4 },
  [ServiceType.SERVICE_TYPE_OSD]: { memory: 1180 * MiB, cpu: 0.9 },
  [ServiceType.SERVICE_TYPE_MDS]: { memory: 64 * MiB, cpu: 0.2 },
  [ServiceType.SERVICE_TYPE_RGW]: { memory: 96 * MiB, cpu: 0.3 },
  [ServiceType.SERVICE_TYPE_CRASH]: { memory: 9 * MiB, cpu: 0.0 },
  [ServiceType.SERVICE_TYPE_NODE_EXPORTER]: { memory: 18 * MiB, cpu: 0.1 },
  [ServiceType.SERVICE_TYPE_PROMETHEUS]: { memory: 160 * MiB, cpu: 0.6 },
  [ServiceType.SERVICE_TYPE_GRAFANA]: { memory: 85 * MiB, cpu: 0.2 },
  [ServiceType.SERVICE_TYPE_ALERTMANAGER]: { memory: 24 * MiB, cpu: 0.1 },
};
/** An OSD's osd_memory_target by default. */
const OSD_MEMORY_TARGET = 4096 * MiB;
const RGW_DEFAULT_PORT = 7480;

export type Runtime = Pick<
  DaemonDescription,
  "ports" | "ip" | "memoryUsage" | "memoryRequest" | "memoryLimit" | "cpuPercentage" | "isActive" | "rank" | "image"
>;

/** The daemons that are active: the first running mgr, and each file system's first running MDS. */
export function activeDaemons(daemons: Iterable<SimDaemon>): Set<string> {
  const first = new Map<string, string>();
  for (const d of daemons) {
    if (d.status !== Status.STATUS_RUNNING) continue;
    if (d.type !== ServiceType.SERVICE_TYPE_MGR && d.type !== ServiceType.SERVICE_TYPE_MDS) continue;
    const group = d.type === ServiceType.SERVICE_TYPE_MGR ? "mgr" : d.serviceName;
    const known = first.get(group);
    if (known === undefined || d.name < known) first.set(group, d.name);
  }
  return new Set(first.values());
}

export function runtimeOf(d: SimDaemon, addr: string, active: boolean, service: ServiceRecord | undefined): Runtime {
  const running = d.status === Status.STATUS_RUNNING;
  const usage = USAGE[d.type];
  // A little per process, so that daemons of a kind differ as real ones do.
  const jitter = (d.pid % 97) / 97;
  const isMds = d.type === ServiceType.SERVICE_TYPE_MDS;
  return {
    ports: portsOf(d, service),
    ip: addr,
    memoryUsage: running && usage ? String(Math.round(usage.memory * (0.9 + jitter * 0.2))) : "0",
    memoryRequest: d.type === ServiceType.SERVICE_TYPE_OSD ? String(OSD_MEMORY_TARGET) : "0",
    memoryLimit: "0",
    cpuPercentage: running && usage ? `${(usage.cpu * (0.5 + jitter)).toFixed(1)}%` : "",
    isActive: running && active,
    rank: isMds && running && active ? 0 : undefined,
    image: `quay.io/ceph/ceph:v${d.version}`,
  };
}

/** cephadm's default ports of the monitoring stack. */
const MONITORING_PORTS: Partial<Record<ServiceType, number[]>> = {
  [ServiceType.SERVICE_TYPE_NODE_EXPORTER]: [9100],
  [ServiceType.SERVICE_TYPE_PROMETHEUS]: [9095],
  [ServiceType.SERVICE_TYPE_GRAFANA]: [3000],
  [ServiceType.SERVICE_TYPE_ALERTMANAGER]: [9093, 9094],
};

function portsOf(d: SimDaemon, service: ServiceRecord | undefined): number[] {
  const monitoring = MONITORING_PORTS[d.type];
  if (monitoring) return monitoring;
  if (d.type === ServiceType.SERVICE_TYPE_MON) return [3300, 6789];
  if (d.type === ServiceType.SERVICE_TYPE_RGW) {
    const port = service?.details?.$case === "rgw" ? service.details.value.rgwFrontendPort : 0;
    return [port || RGW_DEFAULT_PORT];
  }
  return [];
}
