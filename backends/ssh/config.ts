// The ssh backend's configuration (BackendOptions.config), checked once at start-up.
import path from "node:path";

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

function bad(key: string, message: string): never {
  throw new Error(`ssh backend configuration: ${key}: ${message}`);
}

function str(v: unknown, key: string, def?: string): string {
  if (v === undefined) {
    if (def === undefined) bad(key, "is required");
    return def;
  }
  if (typeof v !== "string" || v === "") bad(key, `expected a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function num(v: unknown, key: string, def: number, min = 0): number {
  if (v === undefined) return def;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) bad(key, `expected a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function mapping(v: unknown, key: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(key, "expected a mapping");
  return v as Record<string, unknown>;
}

export function parseConfig(config: Record<string, unknown>): SshConfig {
  for (const k of Object.keys(config)) if (!KEYS.includes(k)) bad(k, `unknown key (expected one of: ${KEYS.join(", ")})`);
  const publicNetwork = str(config.publicNetwork, "publicNetwork");
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(publicNetwork)) bad("publicNetwork", `expected an IPv4 network like 10.77.0.0/24, got ${JSON.stringify(publicNetwork)}`);
  const cephConf: Record<string, string> = {};
  for (const [k, v] of Object.entries(mapping(config.cephConf, "cephConf"))) {
    if (!/^[a-z0-9_ ]+$/i.test(k)) bad(`cephConf.${k}`, "not a ceph.conf option name");
    if (!["string", "number", "boolean"].includes(typeof v) || /[\n\r]/.test(String(v))) bad(`cephConf.${k}`, "expected one line");
    cephConf[k] = String(v);
  }
  const hostDevices: Record<string, string[]> = {};
  for (const [h, v] of Object.entries(mapping(config.hostDevices, "hostDevices"))) {
    if (!Array.isArray(v) || !v.every((p) => typeof p === "string" && p.startsWith("/"))) bad(`hostDevices.${h}`, "expected a list of absolute paths");
    hostDevices[h] = v as string[];
  }
  return {
    user: str(config.user, "user", "root"),
    port: num(config.port, "port", 22, 1),
    identityFile: path.resolve(str(config.identityFile, "identityFile")),
    knownHostsFile: path.resolve(str(config.knownHostsFile, "knownHostsFile")),
    connectTimeoutMs: num(config.connectTimeoutMs, "connectTimeoutMs", 5000, 1),
    commandTimeoutMs: num(config.commandTimeoutMs, "commandTimeoutMs", 120_000, 1),
    keepaliveIntervalMs: num(config.keepaliveIntervalMs, "keepaliveIntervalMs", 5000, 0),
    publicNetwork,
    cephConf,
    osdFileBytes: num(config.osdFileBytes, "osdFileBytes", 4 * 1024 ** 3, 1024 ** 3),
    inventoryTtlMs: num(config.inventoryTtlMs, "inventoryTtlMs", 600_000),
    hostDevices,
    daemonUpTimeoutMs: num(config.daemonUpTimeoutMs, "daemonUpTimeoutMs", 120_000, 1),
  };
}
