// The fixture's saved service specs and its daemons, checked against the hosts and OSDs.
import type { ServiceRecord } from "../../src/backend/backend.js";
import {
  DaemonDescription_Status,
  IscsiSpec,
  NfsSpec,
  type Placement,
  RgwSpec,
  ServiceType,
} from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { SERVICE_TYPE_NAMES, typeFromName } from "../../src/backend/ceph-names.js";
import { toTimestamp } from "../../src/backend/timestamps.js";
import { VERSION_PATTERN } from "./config.js";
import type { FixtureOsd } from "./fixture-hosts.js";
import { type Kind, type Reader, join, show } from "./fixture-reader.js";

export interface FixtureDaemon {
  daemonType: ServiceType;
  daemonId: string;
  hostname: string;
  serviceName: string;
  status: DaemonDescription_Status;
  statusDesc: string;
  /** Undefined: the cluster's version. */
  version: string | undefined;
  /** Epoch milliseconds; undefined: load time. */
  created: number | undefined;
  started: number | undefined;
}

const SERVICE_KEYS = [
  "service_type",
  "service_id",
  "placement",
  "created",
  "rados_config_location",
  "service_url",
  "unmanaged",
  "rgw",
  "nfs",
  "iscsi",
];
const PLACEMENT_KEYS = ["label", "hosts", "count", "host_pattern"];
const PLACEMENT_HOST_KEYS = ["hostname", "network", "name"];
const DAEMON_KEYS = ["daemon_type", "daemon_id", "hostname", "service_name", "status", "status_desc", "version", "created", "started"];

const RGW_FIELDS: Record<string, Kind> = {
  rgw_realm: "string",
  rgw_zone: "string",
  rgw_zonegroup: "string",
  rgw_frontend_port: "int",
  ssl: "bool",
  rgw_multisite: "bool",
  rgw_zonemaster: "bool",
  rgw_zonesecondary: "bool",
  rgw_multisite_proto: "string",
  rgw_zone_user: "string",
  system_access_key: "string",
  system_secret_key: "string",
};
const NFS_FIELDS: Record<string, Kind> = { pool: "string", namespace: "string", port: "int" };
const ISCSI_FIELDS: Record<string, Kind> = { pool: "string", api_user: "string", api_password: "string", trusted_ip_list: "strings" };
const DAEMON_STATUSES: Record<string, DaemonDescription_Status> = {
  running: DaemonDescription_Status.STATUS_RUNNING,
  stopped: DaemonDescription_Status.STATUS_STOPPED,
  error: DaemonDescription_Status.STATUS_ERROR,
  unknown: DaemonDescription_Status.STATUS_UNKNOWN,
  starting: DaemonDescription_Status.STATUS_STARTING,
};
const SERVICE_TYPES: Record<string, ServiceType> = Object.fromEntries(SERVICE_TYPE_NAMES.map((n) => [n, typeFromName(n)!]));
/** Types whose single service is named after the type alone. */
const PLAIN_SERVICE_TYPES = ["mon", "mgr", "crash", "rbd-mirror"];

function readPlacement(r: Reader, v: unknown, at: string): Placement {
  const m = r.map(v, at, PLACEMENT_KEYS);
  return {
    label: r.str(m.label, join(at, "label"), ""),
    hosts: r.list(m.hosts, join(at, "hosts")).map((h, i) => {
      const hat = `${at}.hosts[${i}]`;
      // A bare name is the usual case; the mapping form carries a mon's network or a daemon name.
      if (typeof h === "string") return { hostname: h, network: "", name: "" };
      const hm = r.map(h, hat, PLACEMENT_HOST_KEYS);
      return {
        hostname: r.str(hm.hostname, join(hat, "hostname")),
        network: r.str(hm.network, join(hat, "network"), ""),
        name: r.str(hm.name, join(hat, "name"), ""),
      };
    }),
    count: r.int(m.count, join(at, "count"), 0),
    hostPattern: r.str(m.host_pattern, join(at, "host_pattern"), ""),
  };
}

export function readService(r: Reader, v: unknown, at: string): ServiceRecord {
  const m = r.map(v, at, SERVICE_KEYS);
  const type = r.str(m.service_type, join(at, "service_type"));
  const serviceType = r.choice(type, join(at, "service_type"), SERVICE_TYPES);
  const serviceId = r.str(m.service_id, join(at, "service_id"), "");
  const created = r.time(m.created, join(at, "created"));
  const kinds = (["rgw", "nfs", "iscsi"] as const).filter((k) => m[k] != null);
  for (const k of kinds) {
    if (k !== type) r.fail(join(at, k), `only a ${k} service takes ${k} settings`);
  }
  const details =
    m.rgw != null
      ? { $case: "rgw" as const, value: RgwSpec.fromPartial(r.table<RgwSpec>(m.rgw, join(at, "rgw"), RGW_FIELDS)) }
      : m.nfs != null
        ? { $case: "nfs" as const, value: NfsSpec.fromPartial(r.table<NfsSpec>(m.nfs, join(at, "nfs"), NFS_FIELDS)) }
        : m.iscsi != null
          ? { $case: "iscsi" as const, value: IscsiSpec.fromPartial(r.table<IscsiSpec>(m.iscsi, join(at, "iscsi"), ISCSI_FIELDS)) }
          : undefined;
  return {
    serviceType,
    serviceId,
    serviceName: serviceId ? `${type}.${serviceId}` : type,
    placement: m.placement == null ? undefined : readPlacement(r, m.placement, join(at, "placement")),
    created: created === undefined ? undefined : toTimestamp(created),
    radosConfigLocation: r.str(m.rados_config_location, join(at, "rados_config_location"), ""),
    serviceUrl: r.str(m.service_url, join(at, "service_url"), ""),
    details,
    unmanaged: r.bool(m.unmanaged, join(at, "unmanaged"), false),
  };
}

export function readDaemon(r: Reader, v: unknown, at: string, hostnames: ReadonlySet<string>, osds: ReadonlyMap<string, FixtureOsd>): FixtureDaemon {
  const m = r.map(v, at, DAEMON_KEYS);
  const type = r.str(m.daemon_type, join(at, "daemon_type"));
  const daemonType = r.choice(type, join(at, "daemon_type"), SERVICE_TYPES);
  const daemonId = r.id(m.daemon_id, join(at, "daemon_id"));
  const hostname = r.str(m.hostname, join(at, "hostname"));
  if (!hostnames.has(hostname)) r.fail(join(at, "hostname"), `no host ${show(hostname)} in hosts`);
  let serviceName: string;
  if (daemonType === ServiceType.SERVICE_TYPE_OSD) {
    const osd = osds.get(daemonId);
    if (!osd || osd.hostname !== hostname) r.fail(join(at, "daemon_id"), `no block LV for osd.${daemonId} on ${hostname}'s devices`);
    serviceName = r.str(m.service_name, join(at, "service_name"), osd.serviceName);
    if (serviceName !== osd.serviceName) r.fail(join(at, "service_name"), `osd.${daemonId}'s LVs say ${osd.serviceName}`);
  } else if (PLAIN_SERVICE_TYPES.includes(type)) {
    serviceName = r.str(m.service_name, join(at, "service_name"), type);
  } else {
    // An mds/rgw/nfs/iscsi daemon id ("cephfs.node-1.abcdef") does not show its service id reliably.
    serviceName = r.str(m.service_name, join(at, "service_name"));
  }
  if (serviceName !== type && !serviceName.startsWith(`${type}.`)) {
    r.fail(join(at, "service_name"), `a ${type} daemon's service is named "${type}" or "${type}.<id>"`);
  }
  const status = r.choice(m.status, join(at, "status"), DAEMON_STATUSES, DaemonDescription_Status.STATUS_RUNNING);
  const version = m.version == null ? undefined : r.str(m.version, join(at, "version"));
  if (version !== undefined && !VERSION_PATTERN.test(version)) r.fail(join(at, "version"), `expected a version like "16.2.15", got ${show(version)}`);
  return {
    daemonType,
    daemonId,
    hostname,
    serviceName,
    status,
    statusDesc: r.str(m.status_desc, join(at, "status_desc"), Object.keys(DAEMON_STATUSES).find((k) => DAEMON_STATUSES[k] === status)),
    version,
    created: r.time(m.created, join(at, "created")),
    started: r.time(m.started, join(at, "started")),
  };
}
