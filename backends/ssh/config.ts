// The ssh backend's configuration (BackendOptions.config), checked once at start-up.
import path from "node:path";
import { ConfigSchema } from "../../src/backend/config-schema.js";

export interface SshConfig {
  /** SSH user on every host. */
  user: string;
  port: number;
  /** Absolute path of the private key. */
  identityFile: string;
  /** Absolute path of the known_hosts file the host keys are checked against. */
  knownHostsFile: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** The network the daemons' public addresses are in (ceph.conf `public network`). */
  publicNetwork: string;
  /** Extra [global] settings of the cluster's ceph.conf. */
  cephConf: Record<string, string>;
  /** Size of the block file of a data-directory OSD. */
  osdFileBytes: number;
  /** How long inventory answers come from the cache without `refresh`. */
  inventoryTtlMs: number;
  /** Per host, the only device paths its inventory reports (for test hosts that share one kernel's /dev). */
  hostDevices: Record<string, string[]>;
  /** How long a daemon may take to be reported up. */
  daemonUpTimeoutMs: number;
}

const KEYS = [
  "user",
  "port",
  "identityFile",
  "knownHostsFile",
  "connectTimeoutMs",
  "commandTimeoutMs",
  "keepaliveIntervalMs",
  "publicNetwork",
  "cephConf",
  "osdFileBytes",
  "inventoryTtlMs",
  "hostDevices",
  "daemonUpTimeoutMs",
];

const schema = new ConfigSchema("ssh");

/** The cluster's extra ceph.conf settings: option names, one-line values. */
function cephConfOf(v: unknown): Record<string, string> {
  const cephConf: Record<string, string> = {};
  for (const [k, value] of Object.entries(schema.mapping(v, "cephConf"))) {
    if (!/^[a-z0-9_ ]+$/i.test(k)) schema.fail(`cephConf.${k}`, "not a ceph.conf option name");
    if (!["string", "number", "boolean"].includes(typeof value) || /[\n\r]/.test(String(value))) schema.fail(`cephConf.${k}`, "expected one line");
    cephConf[k] = String(value);
  }
  return cephConf;
}

function hostDevicesOf(v: unknown): Record<string, string[]> {
  const hostDevices: Record<string, string[]> = {};
  for (const [host, paths] of Object.entries(schema.mapping(v, "hostDevices"))) {
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === "string" && p.startsWith("/"))) schema.fail(`hostDevices.${host}`, "expected a list of absolute paths");
    hostDevices[host] = paths as string[];
  }
  return hostDevices;
}

/** The *Ms keys take milliseconds, or a duration such as "5s", "500ms" or "2m". */
export function parseConfig(config: Record<string, unknown>): SshConfig {
  schema.knownKeys(config, KEYS);
  const publicNetwork = schema.string(config.publicNetwork, "publicNetwork");
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(publicNetwork)) schema.fail("publicNetwork", `expected an IPv4 network like 10.77.0.0/24, got ${JSON.stringify(publicNetwork)}`);
  const cephConf = cephConfOf(config.cephConf);
  const hostDevices = hostDevicesOf(config.hostDevices);
  return {
    user: schema.string(config.user, "user", "root"),
    port: schema.integer(config.port, "port", 22, 1),
    identityFile: path.resolve(schema.string(config.identityFile, "identityFile")),
    knownHostsFile: path.resolve(schema.string(config.knownHostsFile, "knownHostsFile")),
    connectTimeoutMs: schema.durationMs(config.connectTimeoutMs, "connectTimeoutMs", 5000, 1),
    commandTimeoutMs: schema.durationMs(config.commandTimeoutMs, "commandTimeoutMs", 120_000, 1),
    keepaliveIntervalMs: schema.durationMs(config.keepaliveIntervalMs, "keepaliveIntervalMs", 5000, 0),
    publicNetwork,
    cephConf,
    osdFileBytes: schema.integer(config.osdFileBytes, "osdFileBytes", 4 * 1024 ** 3, 1024 ** 3),
    inventoryTtlMs: schema.durationMs(config.inventoryTtlMs, "inventoryTtlMs", 600_000),
    hostDevices,
    daemonUpTimeoutMs: schema.durationMs(config.daemonUpTimeoutMs, "daemonUpTimeoutMs", 120_000, 1),
  };
}
