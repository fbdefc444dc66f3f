// Configuration from flags, environment variables and an optional YAML file, in that order
// of precedence over the defaults.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";

export interface Config {
  listen: string;
  /** A backend name from backends/, a module path, or "none". */
  backend: string;
  backendConfig: Record<string, unknown>;
  logLevel: string;
  maxParallelHosts: number;
  retentionMaxAgeSeconds: number;
  retentionMaxCount: number;
  shutdownGraceMs: number;
  maxMessageBytes: number;
  reflection: boolean;
  /** Where the database (operations journal, backend state) lives. */
  dataDir: string;
  /** Journal operations (and let the backend keep its state) in dataDir; false: all in memory. */
  journal: boolean;
  // Security (README "Security"; src/security/). Empty strings mean unset.
  /** PEM files of the server's certificate chain and key: TLS. */
  tlsCert: string;
  tlsKey: string;
  /** PEM file of the CA that signs client certificates: mutual TLS. */
  tlsClientCa: string;
  /** With a client CA: refuse connections without a valid client certificate at the handshake. */
  tlsRequireClientCert: boolean;
  /** YAML file of hashed bearer tokens with their roles; enables authentication. */
  tokensFile: string;
  /** YAML file mapping client certificate identities to roles (needs tlsClientCa). */
  clientRolesFile: string;
  /** Serve plaintext on an address that is not loopback (logged as a warning). */
  allowInsecure: boolean;
  /** With authentication on: serve reflection to anyone (otherwise it needs the reader role). */
  reflectionPublic: boolean;
  /** How often (ms) the certificate, key, CA, tokens and client roles files are checked for changes. */
  reloadIntervalMs: number;
  /** HTTP/2 streams (calls) open at once per connection; more wait in the client. */
  maxConcurrentStreams: number;
  /** Writes per second per caller; 0: no limit. */
  writeRate: number;
  /** Writes a caller may send at once before writeRate applies. */
  writeBurst: number;
  /** The longest WaitOperations, in seconds. */
  maxWaitSeconds: number;
  /** The longest WatchOperation stream, in seconds. */
  maxWatchSeconds: number;
}

interface Option {
  flag: string;
  env: string;
  key: keyof Config;
  help: string;
  kind: "string" | "number" | "boolean";
}

const OPTIONS: Option[] = [
  { flag: "listen", env: "CEPH_ORCH_LISTEN", key: "listen", kind: "string", help: "address to serve on, host:port (default 127.0.0.1:50051)" },
  { flag: "backend", env: "CEPH_ORCH_BACKEND", key: "backend", kind: "string", help: "backend: a name from backends/ (sim, ssh), a module path, or 'none' (default sim)" },
  { flag: "log-level", env: "CEPH_ORCH_LOG_LEVEL", key: "logLevel", kind: "string", help: "pino log level: trace, debug, info, warn, error, silent (default info)" },
  { flag: "max-parallel-hosts", env: "CEPH_ORCH_MAX_PARALLEL_HOSTS", key: "maxParallelHosts", kind: "number", help: "how many hosts operations work on at once (default 8)" },
  { flag: "retention-max-age", env: "CEPH_ORCH_RETENTION_MAX_AGE", key: "retentionMaxAgeSeconds", kind: "number", help: "seconds a finished operation is kept (default 86400)" },
  { flag: "retention-max-count", env: "CEPH_ORCH_RETENTION_MAX_COUNT", key: "retentionMaxCount", kind: "number", help: "how many finished operations are kept at most (default 10000)" },
  { flag: "shutdown-grace", env: "CEPH_ORCH_SHUTDOWN_GRACE_MS", key: "shutdownGraceMs", kind: "number", help: "milliseconds streams and operations get to finish on SIGTERM/SIGINT (default 10000)" },
  { flag: "max-message-bytes", env: "CEPH_ORCH_MAX_MESSAGE_BYTES", key: "maxMessageBytes", kind: "number", help: "largest message sent or received (default 16777216)" },
  { flag: "reflection", env: "CEPH_ORCH_REFLECTION", key: "reflection", kind: "boolean", help: "serve gRPC server reflection (default true)" },
  { flag: "data-dir", env: "CEPH_ORCH_DATA_DIR", key: "dataDir", kind: "string", help: "directory of the database (orchestrator.db): the operations journal and the backend's state, e.g. the sim's cluster (default ./.data)" },
  { flag: "journal", env: "CEPH_ORCH_JOURNAL", key: "journal", kind: "boolean", help: "journal operations in the data directory, so that they survive a restart and resume; false keeps everything in memory, nothing survives a restart (default true)" },
  { flag: "tls-cert", env: "CEPH_ORCH_TLS_CERT", key: "tlsCert", kind: "string", help: "PEM file of the server's certificate chain: serve TLS (with --tls-key); reloaded when it changes" },
  { flag: "tls-key", env: "CEPH_ORCH_TLS_KEY", key: "tlsKey", kind: "string", help: "PEM file of the server's private key; reloaded when it changes" },
  { flag: "tls-client-ca", env: "CEPH_ORCH_TLS_CLIENT_CA", key: "tlsClientCa", kind: "string", help: "PEM file of the CA(s) that sign client certificates: mutual TLS, and authentication on (needs --client-roles); reloaded when it changes" },
  { flag: "tls-require-client-cert", env: "CEPH_ORCH_TLS_REQUIRE_CLIENT_CERT", key: "tlsRequireClientCert", kind: "boolean", help: "with --tls-client-ca: refuse a connection without a valid client certificate at the handshake; false lets token callers in without one (default true)" },
  { flag: "client-roles", env: "CEPH_ORCH_CLIENT_ROLES", key: "clientRolesFile", kind: "string", help: "YAML file giving client certificate identities (CN=..., DNS:..., URI:...) their role; reloaded when it changes" },
  { flag: "tokens-file", env: "CEPH_ORCH_TOKENS_FILE", key: "tokensFile", kind: "string", help: "YAML file of bearer tokens (name, role, sha256 of the token): authentication on; reloaded when it changes" },
  { flag: "allow-insecure", env: "CEPH_ORCH_ALLOW_INSECURE", key: "allowInsecure", kind: "boolean", help: "serve plaintext on an address other than loopback (logged as a warning); without it the service refuses to start so (default false)" },
  { flag: "reflection-public", env: "CEPH_ORCH_REFLECTION_PUBLIC", key: "reflectionPublic", kind: "boolean", help: "with authentication on, serve reflection without credentials; otherwise it needs the reader role (default false)" },
  { flag: "reload-interval", env: "CEPH_ORCH_RELOAD_INTERVAL_MS", key: "reloadIntervalMs", kind: "number", help: "milliseconds between checks of the TLS, tokens and client roles files for changes, besides file watching (default 5000)" },
  { flag: "max-concurrent-streams", env: "CEPH_ORCH_MAX_CONCURRENT_STREAMS", key: "maxConcurrentStreams", kind: "number", help: "calls open at once on one connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); clients queue the next ones (default 100)" },
  { flag: "write-rate", env: "CEPH_ORCH_WRITE_RATE", key: "writeRate", kind: "number", help: "writes per second per caller, beyond --write-burst; more answer RESOURCE_EXHAUSTED with RetryInfo; 0: no limit (default 0)" },
  { flag: "write-burst", env: "CEPH_ORCH_WRITE_BURST", key: "writeBurst", kind: "number", help: "writes a caller may send at once before --write-rate applies (default 20)" },
  { flag: "max-wait", env: "CEPH_ORCH_MAX_WAIT", key: "maxWaitSeconds", kind: "number", help: "seconds a WaitOperations waits at most; a longer wait then answers RESOURCE_EXHAUSTED with RetryInfo (default 3600)" },
  { flag: "max-watch", env: "CEPH_ORCH_MAX_WATCH", key: "maxWatchSeconds", kind: "number", help: "seconds a WatchOperation stream lasts at most; it then ends RESOURCE_EXHAUSTED with RetryInfo, to re-attach (default 3600)" },
];

const DEFAULTS: Config = {
  listen: "127.0.0.1:50051",
  backend: "sim",
  backendConfig: {},
  logLevel: "info",
  maxParallelHosts: 8,
  retentionMaxAgeSeconds: 86400,
  retentionMaxCount: 10000,
  shutdownGraceMs: 10000,
  maxMessageBytes: 16 * 1024 * 1024,
  reflection: true,
  dataDir: ".data",
  journal: true,
  tlsCert: "",
  tlsKey: "",
  tlsClientCa: "",
  tlsRequireClientCert: true,
  tokensFile: "",
  clientRolesFile: "",
  allowInsecure: false,
  reflectionPublic: false,
  reloadIntervalMs: 5000,
  maxConcurrentStreams: 100,
  writeRate: 0,
  writeBurst: 20,
  maxWaitSeconds: 3600,
  maxWatchSeconds: 3600,
};

export class ConfigError extends Error {}

export function helpText(): string {
  const lines = [
    "Usage: npm start -- [options]   (or: tsx src/main.ts [options])",
    "",
    "Serves Ceph's orchestrator interface over gRPC.",
    "",
    "Options (flag / environment variable):",
    "  --config FILE / CEPH_ORCH_CONFIG",
    "      a YAML file with any of the keys below in camelCase (listen, backend, logLevel, ...)",
    "      and `backendConfig:` holding the backend's own settings",
  ];
  for (const o of OPTIONS) lines.push(`  --${o.flag}${o.kind === "boolean" ? "[=true|false]" : " VALUE"} / ${o.env}`, `      ${o.help}`);
  lines.push(
    "  --backend-opt KEY=VALUE (repeatable) / CEPH_ORCH_BACKEND_CONFIG (a JSON object)",
    "      a setting of the backend; VALUE is parsed as JSON when it can be, e.g.",
    "      --backend-opt fixture=./my-cluster.yaml --backend-opt delays=0",
    "  --help   this text",
    "",
    "Security (README, \"Security\"): without --tls-cert the service serves plaintext, and only on a",
    "loopback address unless --allow-insecure. With --tokens-file or --tls-client-ca every RPC but",
    "health needs a caller: a bearer token or a client certificate, with the role reader, operator or",
    "admin. SIGHUP reads the TLS, tokens and client roles files again.",
  );
  return lines.join("\n");
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config | "help" {
  // A boolean flag alone means true (`--allow-insecure`, as the service's own messages say);
  // followed by a value (`--journal false`) it takes that value, as every flag does.
  const booleanFlags = new Set(OPTIONS.filter((o) => o.kind === "boolean").map((o) => `--${o.flag}`));
  const alone = (i: number) => booleanFlags.has(argv[i]!) && (i + 1 === argv.length || argv[i + 1]!.startsWith("-"));
  const { values: parsed } = parseArgs({
    args: argv.map((a, i) => (alone(i) ? `${a}=true` : a)),
    options: {
      help: { type: "boolean" },
      config: { type: "string" },
      "backend-opt": { type: "string", multiple: true },
      ...Object.fromEntries(OPTIONS.map((o) => [o.flag, { type: "string" as const }])),
    },
    allowPositionals: false,
    strict: true,
  });
  const values = parsed as Record<string, string | string[] | boolean | undefined>;
  if (values.help) return "help";
  const config: Config = { ...DEFAULTS, backendConfig: {} };

  const file = (values.config as string | undefined) ?? env.CEPH_ORCH_CONFIG;
  if (file) Object.assign(config, readConfigFile(file));
  for (const o of OPTIONS) {
    const raw = (values[o.flag] as string | undefined) ?? env[o.env];
    if (raw !== undefined) (config as unknown as Record<string, unknown>)[o.key] = convert(o, raw);
  }
  if (env.CEPH_ORCH_BACKEND_CONFIG) Object.assign(config.backendConfig, parseJsonObject(env.CEPH_ORCH_BACKEND_CONFIG, "CEPH_ORCH_BACKEND_CONFIG"));
  for (const kv of (values["backend-opt"] as string[] | undefined) ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new ConfigError(`--backend-opt '${kv}': expected KEY=VALUE`);
    config.backendConfig[kv.slice(0, eq)] = parseValue(kv.slice(eq + 1));
  }
  if (!/^[^\s]+:\d{1,5}$/.test(config.listen)) throw new ConfigError(`listen '${config.listen}': expected host:port`);
  if (config.maxParallelHosts < 1) throw new ConfigError("max-parallel-hosts must be at least 1");
  if (typeof config.dataDir !== "string" || config.dataDir === "") throw new ConfigError("data-dir must be a directory path");
  checkSecurity(config);
  return config;
}

function checkSecurity(c: Config): void {
  if (Boolean(c.tlsCert) !== Boolean(c.tlsKey)) throw new ConfigError("--tls-cert and --tls-key go together");
  if (c.tlsClientCa && !c.tlsCert) throw new ConfigError("--tls-client-ca needs --tls-cert and --tls-key");
  if (c.tlsClientCa && !c.clientRolesFile) throw new ConfigError("--tls-client-ca needs --client-roles: which client identities get which role");
  if (c.clientRolesFile && !c.tlsClientCa) throw new ConfigError("--client-roles needs --tls-client-ca");
  if (c.maxConcurrentStreams < 1) throw new ConfigError("max-concurrent-streams must be at least 1");
  if (c.writeBurst < 1) throw new ConfigError("write-burst must be at least 1");
  if (!(c.maxWaitSeconds > 0)) throw new ConfigError("max-wait must be more than 0");
  if (!(c.maxWatchSeconds > 0)) throw new ConfigError("max-watch must be more than 0");
}

function readConfigFile(path: string): Partial<Config> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`config file ${path}: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new ConfigError(`config file ${path}: expected a mapping`);
  const known = new Set<string>([...Object.keys(DEFAULTS)]);
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) throw new ConfigError(`config file ${path}: unknown key '${key}'; known: ${[...known].join(", ")}`);
  }
  return parsed as Partial<Config>;
}

function convert(o: Option, raw: string): unknown {
  if (o.kind === "string") return raw;
  if (o.kind === "boolean") {
    if (["true", "1", "yes", ""].includes(raw)) return true;
    if (["false", "0", "no"].includes(raw)) return false;
    throw new ConfigError(`--${o.flag}: expected true or false, got '${raw}'`);
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`--${o.flag}: expected a non-negative number, got '${raw}'`);
  return n;
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function parseJsonObject(raw: string, what: string): Record<string, unknown> {
  const v = parseValue(raw);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ConfigError(`${what}: expected a JSON object`);
  return v as Record<string, unknown>;
}
