// The sim backend's configuration (BackendOptions.config), checked once at start-up.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigSchema, DURATION_FORMS, parseDuration } from "../../src/backend/config-schema.js";
import { compareCephVersions } from "../../src/backend/versions.js";

/** The kinds of step that take time (drainPerPg: per placement group). */
export const STEP_KINDS = [
  "addHost",
  "removeHost",
  "deployDaemon",
  "removeDaemon",
  "daemonAction",
  "createOsd",
  "markOut",
  "drainPerPg",
  "purge",
  "destroy",
  "upgradeDaemon",
  "deviceLight",
  "zapDevice",
  "inventoryRefresh",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export type Delays = Record<StepKind, number>;

/** Short but noticeable, so progress and intermediate states can be watched in a demo. */
export const DEFAULT_DELAYS: Readonly<Delays> = {
  addHost: 300,
  removeHost: 200,
  deployDaemon: 300,
  removeDaemon: 200,
  daemonAction: 200,
  createOsd: 300,
  markOut: 50,
  drainPerPg: 10,
  purge: 100,
  destroy: 100,
  upgradeDaemon: 300,
  deviceLight: 50,
  zapDevice: 200,
  inventoryRefresh: 200,
};

/** The versions the sim takes: plain dotted numbers, as its simulated registry tags images. */
export const VERSION_PATTERN = /^\d+(\.\d+)*$/;

export const DEFAULT_FIXTURE = fileURLToPath(new URL("./fixtures/default.yaml", import.meta.url));
export const DEFAULT_VERSION = "16.2.15";
export const DEFAULT_AVAILABLE_VERSIONS: readonly string[] = ["16.2.15", "17.2.7", "18.2.4"];

export interface SimConfig {
  /** Absolute path of the fixture file. */
  fixture: string;
  delays: Delays;
  failures: {
    unreachableHosts: string[];
    /** "host:/dev/path" */
    failingDevices: string[];
    clusterUnreachable: boolean;
  };
  version: string;
  /** Ascending. */
  availableVersions: string[];
}

const KEYS = ["fixture", "delays", "failures", "version", "availableVersions"];
const FAILURE_KEYS = ["unreachableHosts", "failingDevices", "clusterUnreachable"];

// Typed, so that TypeScript sees that schema.fail() never returns.
const schema: ConfigSchema = new ConfigSchema("sim");

function version(v: unknown, key: string): string {
  if (typeof v !== "string" || !VERSION_PATTERN.test(v)) schema.fail(key, `expected a version like "16.2.15", got ${JSON.stringify(v)}`);
  return v;
}

/** Milliseconds (a number or a string of digits) or a duration such as "200ms" or "2s", per kind or for all. */
function parseDelays(v: unknown): Delays {
  if (v === undefined) return { ...DEFAULT_DELAYS };
  if (!schema.isMapping(v)) {
    // One value sets every kind: `delays: 0` makes the cluster instant, for tests.
    const ms = parseDuration(v, "ms");
    if (ms === undefined) {
      schema.fail("delays", `expected milliseconds (a number ≥ 0) or a duration like ${DURATION_FORMS}, or a mapping of step kind to one, got ${JSON.stringify(v)}`);
    }
    return Object.fromEntries(STEP_KINDS.map((k) => [k, ms])) as Delays;
  }
  schema.knownKeys(v, STEP_KINDS, "delays.");
  return Object.fromEntries(STEP_KINDS.map((k) => [k, schema.durationMs(v[k], `delays.${k}`, DEFAULT_DELAYS[k])])) as Delays;
}

function parseFailures(v: unknown): SimConfig["failures"] {
  const failures = schema.mapping(v, "failures");
  schema.knownKeys(failures, FAILURE_KEYS, "failures.");
  const failingDevices = schema.stringList(failures.failingDevices, "failures.failingDevices");
  for (const d of failingDevices) {
    if (!/^[^:]+:.+$/.test(d)) schema.fail("failures.failingDevices", `expected "host:/dev/path", got ${JSON.stringify(d)}`);
  }
  return {
    unreachableHosts: schema.stringList(failures.unreachableHosts, "failures.unreachableHosts"),
    failingDevices,
    clusterUnreachable: schema.boolean(failures.clusterUnreachable, "failures.clusterUnreachable", false),
  };
}

export function parseConfig(config: Record<string, unknown>): SimConfig {
  schema.knownKeys(config, KEYS);
  const fixture = config.fixture === undefined ? undefined : schema.string(config.fixture, "fixture");
  const versions = config.availableVersions === undefined
    ? [...DEFAULT_AVAILABLE_VERSIONS]
    : schema.stringList(config.availableVersions, "availableVersions").map((v, i) => version(v, `availableVersions[${i}]`));
  return {
    // A relative path is taken from the working directory, as any command-line path is.
    fixture: fixture === undefined ? DEFAULT_FIXTURE : path.resolve(fixture),
    delays: parseDelays(config.delays),
    failures: parseFailures(config.failures),
    version: config.version === undefined ? DEFAULT_VERSION : version(config.version, "version"),
    availableVersions: [...new Set(versions)].sort(compareCephVersions),
  };
}
