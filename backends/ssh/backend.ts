// The ssh backend: real Ceph daemons, from the hosts' installed Debian packages, deployed and
// run on hosts reached over SSH. Hosts are SSH targets; the cluster is asked through librados
// on any reachable host that has the admin keyring (every added host gets it). Daemons are run
// by orchctl (scripts/orchctl.sh): systemd units (ceph-orch-NAME.service) where systemd runs,
// otherwise supervised processes (pid files, log files); both report the same status lines.
// Everything the orchestrator decides (placement, device selection, order) stays in src/domain.
// This file only composes the parts: hosts.ts, inventory.ts, services.ts, daemons.ts (with
// mon.ts, mgr.ts, mds.ts and rgw.ts), osds.ts and maintenance.ts, on the core of core.ts.
import type { Logger } from "pino";
import type { Backend, BackendStore } from "../../src/backend/backend.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { SshConfig } from "./config.js";
import { createCore } from "./core.js";
import { Daemons } from "./daemons.js";
import { Hosts } from "./hosts.js";
import { Maintenance } from "./maintenance.js";
import { Osds } from "./osds.js";
import { Services } from "./services.js";

const OSD_OPTIONS = [
  // Plain BlueStore on one whole device each, by `ceph-volume raw` (its own choice of method).
  "spec.db_devices", "spec.wal_devices", "spec.journal_devices", "spec.encrypted", "spec.objectstore", "spec.osds_per_device", "spec.db_slots",
  "spec.block_db_size", "spec.block_wal_size", "spec.journal_size", "spec.data_allocate_fraction", "spec.method",
  // Ceph picks the device class.
  "spec.crush_device_class",
];
const STATELESS_OPTIONS = [
  "spec.rgw.rgw_realm",
  "spec.rgw.rgw_zone",
  "spec.rgw.rgw_zonegroup",
  "spec.rgw.ssl",
  "spec.rgw.rgw_multisite",
  "spec.rgw.rgw_zonemaster",
  "spec.rgw.rgw_zonesecondary",
  "spec.rgw.rgw_zone_user",
  "spec.rgw.system_access_key",
  "spec.rgw.system_secret_key",
  "spec.nfs",
  "spec.iscsi",
];

export interface SshBackend extends Backend {
  /** Loads the state saved in the store, if any (whether there was one); later changes are saved there. */
  useStore(store: BackendStore): Promise<boolean>;
  /** Starts probing the hosts. */
  start(): void;
}

export function createSshBackend(config: SshConfig, log: Logger): SshBackend {
  const core = createCore(config, log);
  const { state, remote, inventory } = core;
  const hosts = new Hosts(core);
  const services = new Services(state, core.view);
  const osds = new Osds(core);
  const daemons = new Daemons(core, osds);
  const maintenance = new Maintenance(core, hosts, osds);
  return {
    name: "ssh",
    version: "0.1.0",
    // What daemons.ts has a kind for (and OSDs).
    serviceTypes: [ServiceType.SERVICE_TYPE_MON, ServiceType.SERVICE_TYPE_MGR, ServiceType.SERVICE_TYPE_OSD, ServiceType.SERVICE_TYPE_MDS, ServiceType.SERVICE_TYPE_RGW],
    unsupportedOptions: {
      "ceph_orchestrator.v1.OsdService.CreateOsds": OSD_OPTIONS,
      "ceph_orchestrator.v1.OsdService.ReplaceOsds": OSD_OPTIONS,
      "ceph_orchestrator.v1.OsdService.PreviewOsds": OSD_OPTIONS,
      "ceph_orchestrator.v1.ServiceService.AddStatelessService": STATELESS_OPTIONS,
      "ceph_orchestrator.v1.ServiceService.UpdateStatelessService": STATELESS_OPTIONS,
      "ceph_orchestrator.v1.ServiceService.AddDaemons": STATELESS_OPTIONS,
      // No upgrades yet: a daemon is redeployed on the version it runs.
      "ceph_orchestrator.v1.ServiceService.DaemonAction": ["version"],
    },
    useStore: async (store) => state.useStore(store),
    start: () => remote.startProbing(),
    close: () => remote.close(),
    status: async () => hosts.status(),

    listHosts: async () => hosts.list(),
    addHost: (ctx, host) => hosts.add(ctx, host),
    removeHost: (_ctx, hostname) => hosts.remove(hostname),
    setHostLabels: async (_ctx, hostname, labels) => hosts.setLabels(hostname, labels),
    setHostAddr: (ctx, hostname, addr) => hosts.setAddr(ctx, hostname, addr),
    setHostMaintenance: (ctx, hostname, on) => maintenance.set(ctx, hostname, on),
    getInventory: (hostnames, refresh) => inventory.get(hostnames, refresh),

    listServices: () => services.list(),
    saveService: (_ctx, service) => services.save(service),
    deleteService: (_ctx, serviceName) => services.delete(serviceName),
    listDaemons: (refresh) => daemons.list(refresh),
    deployDaemon: (ctx, d) => daemons.deploy(ctx, d),
    removeDaemon: (ctx, daemon) => daemons.remove(ctx, daemon),
    daemonAction: (ctx, daemon, action) => daemons.action(ctx, daemon, action),
    okToStop: (daemonList) => maintenance.okToStop(daemonList),

    listOsds: () => osds.list(),
    zapDevice: (ctx, hostname, path) => osds.zapDevice(ctx, hostname, path),
    createOsd: (ctx, hostname, osd, serviceName, encrypted) => osds.create(ctx, hostname, osd, serviceName, encrypted),
    markOsdOut: (ctx, osdId) => osds.markOut(ctx, osdId),
    osdSafety: (osdId) => osds.safety(osdId),
    purgeOsd: (ctx, osdId) => osds.purge(ctx, osdId),
    destroyOsd: (ctx, osdId) => osds.destroy(ctx, osdId),
  };
}
