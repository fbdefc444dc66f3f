// Configuration from flags, environment variables and an optional YAML file, in that order
// of precedence over the defaults.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { DURATION_FORMS, type PlainDurationUnit, durationIn, parseDuration } from "./backend/config-schema.js";

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
  /** How often (ms) the reconciler compares every service with its spec; 0: it never runs by itself. */
  reconcileIntervalMs: number;
}

/**
 * How an option's value is checked, the same from a flag, the environment or the YAML file:
 * choice: one of `choices`; whole: a whole number of at least `min`; number: a number ≥ 0; duration: one number with a
 * unit (parseDuration), a plain number being in `unit`, which is also the Config field's unit.
 */
type Kind =
  | { kind: "string" | "boolean" | "number" }
  | { kind: "choice"; choices: readonly string[] }
  | { kind: "whole"; min: number }
  | { kind: "duration"; unit: PlainDurationUnit; positive?: true };

type Option = Kind & {
  flag: string;
  env: string;
  /** Also the option's key in the YAML file. */
  key: keyof Config;
  help: string;
};

const OPTIONS: Option[] = [
  { flag: "listen", env: "CEPH_ORCH_LISTEN", key: "listen", kind: "string", help: "address to serve on, host:port (default 127.0.0.1:50051)" },
  { flag: "backend", env: "CEPH_ORCH_BACKEND", key: "backend", kind: "string", help: "backend: a name from backends/ (sim, ssh), a module path, or 'none' (default sim)" },
  { flag: "log-level", env: "CEPH_ORCH_LOG_LEVEL", key: "logLevel", kind: "choice", choices: ["trace", "debug", "info", "warn", "error", "fatal", "silent"], help: "pino log level: trace, debug, info, warn, error, fatal, silent (default info)" },
  { flag: "max-parallel-hosts", env: "CEPH_ORCH_MAX_PARALLEL_HOSTS", key: "maxParallelHosts", kind: "whole", min: 1, help: "how many hosts operations work on at once (default 8)" },
  { flag: "retention-max-age", env: "CEPH_ORCH_RETENTION_MAX_AGE", key: "retentionMaxAgeSeconds", kind: "duration", unit: "s", help: "how long a finished operation is kept; a plain number is seconds (default 1d)" },
  { flag: "retention-max-count", env: "CEPH_ORCH_RETENTION_MAX_COUNT", key: "retentionMaxCount", kind: "whole", min: 0, help: "how many finished operations are kept at most (default 10000)" },
  { flag: "shutdown-grace", env: "CEPH_ORCH_SHUTDOWN_GRACE_MS", key: "shutdownGraceMs", kind: "duration", unit: "ms", help: "how long streams and operations get to finish on SIGTERM/SIGINT; a plain number is milliseconds (default 10s)" },
  { flag: "max-message-bytes", env: "CEPH_ORCH_MAX_MESSAGE_BYTES", key: "maxMessageBytes", kind: "whole", min: 0, help: "largest message sent or received, in bytes (default 16777216)" },
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
  { flag: "reload-interval", env: "CEPH_ORCH_RELOAD_INTERVAL_MS", key: "reloadIntervalMs", kind: "duration", unit: "ms", help: "time between checks of the TLS, tokens and client roles files for changes, besides file watching; a plain number is milliseconds; 0: watching only (default 5s)" },
  { flag: "max-concurrent-streams", env: "CEPH_ORCH_MAX_CONCURRENT_STREAMS", key: "maxConcurrentStreams", kind: "whole", min: 1, help: "calls open at once on one connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); clients queue the next ones (default 100)" },
  { flag: "write-rate", env: "CEPH_ORCH_WRITE_RATE", key: "writeRate", kind: "number", help: "writes per second per caller, beyond --write-burst; more answer RESOURCE_EXHAUSTED with RetryInfo; 0: no limit (default 0)" },
  { flag: "write-burst", env: "CEPH_ORCH_WRITE_BURST", key: "writeBurst", kind: "whole", min: 1, help: "writes a caller may send at once before --write-rate applies (default 20)" },
  { flag: "max-wait", env: "CEPH_ORCH_MAX_WAIT", key: "maxWaitSeconds", kind: "duration", unit: "s", positive: true, help: "how long a WaitOperations waits at most; a longer wait then answers RESOURCE_EXHAUSTED with RetryInfo; a plain number is seconds (default 1h)" },
  { flag: "max-watch", env: "CEPH_ORCH_MAX_WATCH", key: "maxWatchSeconds", kind: "duration", unit: "s", positive: true, help: "how long a WatchOperation stream lasts at most; it then ends RESOURCE_EXHAUSTED with RetryInfo, to re-attach; a plain number is seconds (default 1h)" },
  { flag: "reconcile-interval", env: "CEPH_ORCH_RECONCILE_INTERVAL", key: "reconcileIntervalMs", kind: "duration", unit: "ms", help: "how often the reconciler compares every service with its stored spec (daemons and devices looked at afresh), besides after every write; a plain number is milliseconds; 0: no reconciliation by itself, only ReconcileService (default 1m)" },
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
  reconcileIntervalMs: 60_000,
};

export class ConfigError extends Error {}

const PLACEHOLDER: Readonly<Record<Option["kind"], string>> = { string: " VALUE", choice: " VALUE", boolean: "[=true|false]", number: " N", whole: " N", duration: " DURATION" };

export function helpText(): string {
  const lines = [
    "Usage: npm start -- [options]   (or: tsx src/main.ts [options])",
    "",
    "Serves Ceph's orchestrator interface over gRPC.",
    "",
    "Options (flag / environment variable / key in the --config file):",
    "  --config FILE / CEPH_ORCH_CONFIG",
    "      a YAML file with any of the keys below, each checked like its flag (a string, true or",
    "      false, a whole number, a duration), and `backendConfig:`, a mapping of the backend's",
    "      own settings",
  ];
  for (const o of OPTIONS) lines.push(`  --${o.flag}${PLACEHOLDER[o.kind]} / ${o.env} / ${o.key}`, `      ${o.help}`);
  lines.push(
    "  --backend-opt KEY=VALUE (repeatable) / CEPH_ORCH_BACKEND_CONFIG (a JSON object)",
    "      a setting of the backend; VALUE is parsed as JSON when it can be, e.g.",
    "      --backend-opt fixture=./my-cluster.yaml --backend-opt delays=0",
    "  --help   this text",
    "",
    `A DURATION is one number with one unit: ${DURATION_FORMS}; a plain number is in the unit`,
    "the option names. A configuration error (a flag, a variable, a key of the file, a setting",
    "of the backend) stops the service with exit status 2, naming it.",
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
    const flag = values[o.flag] as string | undefined;
    const raw = flag ?? env[o.env];
    if (raw === undefined) continue;
    (config as unknown as Record<string, unknown>)[o.key] = checkedValue(o, fromText(o, raw), flag === undefined ? o.env : `--${o.flag}`);
  }
  if (env.CEPH_ORCH_BACKEND_CONFIG) Object.assign(config.backendConfig, parseJsonObject(env.CEPH_ORCH_BACKEND_CONFIG, "CEPH_ORCH_BACKEND_CONFIG"));
  for (const kv of (values["backend-opt"] as string[] | undefined) ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new ConfigError(`--backend-opt '${kv}': expected KEY=VALUE`);
    config.backendConfig[kv.slice(0, eq)] = parseValue(kv.slice(eq + 1));
  }
  const port = /^\S+:(\d{1,5})$/.exec(config.listen)?.[1];
  if (port === undefined || Number(port) > 65535) throw new ConfigError(`listen '${config.listen}': expected host:port (a port up to 65535)`);
  if (config.dataDir === "") throw new ConfigError("data-dir must be a directory path");
  checkSecurity(config);
  return config;
}

function checkSecurity(c: Config): void {
  if (Boolean(c.tlsCert) !== Boolean(c.tlsKey)) throw new ConfigError("--tls-cert and --tls-key go together");
  if (c.tlsClientCa && !c.tlsCert) throw new ConfigError("--tls-client-ca needs --tls-cert and --tls-key");
  if (c.tlsClientCa && !c.clientRolesFile) throw new ConfigError("--tls-client-ca needs --client-roles: which client identities get which role");
  if (c.clientRolesFile && !c.tlsClientCa) throw new ConfigError("--client-roles needs --tls-client-ca");
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The file's settings, each checked by its option's kind (a YAML value has its type already). */
function readConfigFile(path: string): Partial<Config> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`config file ${path}: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isMapping(parsed)) throw new ConfigError(`config file ${path}: expected a mapping`);
  const byKey = new Map<string, Option>(OPTIONS.map((o) => [o.key, o]));
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const where = `config file ${path}: ${key}`;
    const o = byKey.get(key);
    if (key === "backendConfig") {
      // `backendConfig:` with nothing under it (every setting commented out) is empty.
      if (value !== null && !isMapping(value)) throw new ConfigError(`${where}: expected a mapping, got ${JSON.stringify(value)}`);
      settings.backendConfig = value ?? {};
    } else if (o) {
      settings[key] = checkedValue(o, value, where);
    } else {
      throw new ConfigError(`config file ${path}: unknown key '${key}'; known: ${[...byKey.keys(), "backendConfig"].join(", ")}`);
    }
  }
  return settings as Partial<Config>;
}

const BOOLEAN_TEXT = new Map<string, boolean>([["true", true], ["1", true], ["yes", true], ["", true], ["false", false], ["0", false], ["no", false]]);

/** A flag's or variable's text as the value it stands for, when it stands for one of its kind. */
function fromText(o: Option, raw: string): unknown {
  if (o.kind === "boolean") return BOOLEAN_TEXT.get(raw) ?? raw;
  const n = Number(raw);
  if ((o.kind === "whole" || o.kind === "number") && raw.trim() !== "" && Number.isFinite(n)) return n;
  return raw;
}

/** `value` as option `o` keeps it; a ConfigError naming `where` when it is not of `o`'s kind. */
function checkedValue(o: Option, value: unknown, where: string): unknown {
  const checked = valueOf(o, value);
  if (checked === undefined) throw new ConfigError(`${where}: expected ${expectation(o)}, got ${JSON.stringify(value)}`);
  return checked;
}

function valueOf(o: Option, value: unknown): unknown {
  switch (o.kind) {
    case "string":
      return typeof value === "string" ? value : undefined;
    case "choice":
      return typeof value === "string" && o.choices.includes(value) ? value : undefined;
    case "boolean":
      return typeof value === "boolean" ? value : undefined;
    case "number":
      return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
    case "whole":
      return typeof value === "number" && Number.isInteger(value) && value >= o.min ? value : undefined;
    case "duration": {
      const ms = parseDuration(value, o.unit);
      return ms === undefined || (o.positive && ms === 0) ? undefined : durationIn(ms, o.unit);
    }
  }
}

function expectation(o: Option): string {
  switch (o.kind) {
    case "string":
      return "a string";
    case "choice":
      return `one of ${o.choices.join(", ")}`;
    case "boolean":
      return "true or false";
    case "number":
      return "a number ≥ 0";
    case "whole":
      return o.min === 0 ? "a whole number" : `a whole number ≥ ${o.min}`;
    case "duration":
      return `a duration${o.positive ? " more than 0" : ""} like ${DURATION_FORMS}, or a plain number of ${o.unit === "ms" ? "milliseconds" : "seconds"}`;
  }
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
  if (!isMapping(v)) throw new ConfigError(`${what}: expected a JSON object`);
  return v;
}
