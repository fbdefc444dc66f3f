// The sim backend's configuration (BackendOptions.config), checked once at start-up.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compareCephVersions } from "../../src/backend/versions.js";

/** The kinds of step that take time, in milliseconds (drainPerPg: per placement group). */
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

function bad(key: string, message: string): never {
  throw new Error(`sim backend configuration: ${key}: ${message}`);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkKeys(v: Record<string, unknown>, known: string[], prefix: string): void {
  for (const k of Object.keys(v)) {
    if (!known.includes(k)) bad(prefix + k, `unknown key (expected one of: ${known.join(", ")})`);
  }
}

function delay(v: unknown, key: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) bad(key, `expected milliseconds (a number ≥ 0), got ${JSON.stringify(v)}`);
  return v;
}

function stringList(v: unknown, key: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) bad(key, "expected a list of strings");
  return v;
}

function version(v: unknown, key: string): string {
  if (typeof v !== "string" || !VERSION_PATTERN.test(v)) bad(key, `expected a version like "16.2.15", got ${JSON.stringify(v)}`);
  return v;
}

function parseDelays(v: unknown): Delays {
  if (v === undefined) return { ...DEFAULT_DELAYS };
  // One number sets every kind: `delays: 0` makes the cluster instant, for tests.
  if (typeof v === "number") {
    const ms = delay(v, "delays");
    return Object.fromEntries(STEP_KINDS.map((k) => [k, ms])) as Delays;
  }
  if (!isMapping(v)) bad("delays", "expected a number or a mapping of step kind to milliseconds");
  checkKeys(v, [...STEP_KINDS], "delays.");
  const delays = { ...DEFAULT_DELAYS };
  for (const k of STEP_KINDS) if (v[k] !== undefined) delays[k] = delay(v[k], `delays.${k}`);
  return delays;
}

function parseFailures(v: unknown): SimConfig["failures"] {
  if (v === undefined) return { unreachableHosts: [], failingDevices: [], clusterUnreachable: false };
  if (!isMapping(v)) bad("failures", "expected a mapping");
  checkKeys(v, FAILURE_KEYS, "failures.");
  const failingDevices = stringList(v.failingDevices, "failures.failingDevices");
  for (const d of failingDevices) {
    if (!/^[^:]+:.+$/.test(d)) bad("failures.failingDevices", `expected "host:/dev/path", got ${JSON.stringify(d)}`);
  }
  if (v.clusterUnreachable !== undefined && typeof v.clusterUnreachable !== "boolean") {
    bad("failures.clusterUnreachable", "expected true or false");
  }
  return {
    unreachableHosts: stringList(v.unreachableHosts, "failures.unreachableHosts"),
    failingDevices,
    clusterUnreachable: v.clusterUnreachable === true,
  };
}

export function parseConfig(config: Record<string, unknown>): SimConfig {
  checkKeys(config, KEYS, "");
  const { fixture } = config;
  if (fixture !== undefined && (typeof fixture !== "string" || fixture === "")) bad("fixture", "expected a file path");
  const versions = config.availableVersions === undefined
    ? [...DEFAULT_AVAILABLE_VERSIONS]
    : stringList(config.availableVersions, "availableVersions").map((v, i) => version(v, `availableVersions[${i}]`));
  return {
    // A relative path is taken from the working directory, as any command-line path is.
    fixture: fixture === undefined ? DEFAULT_FIXTURE : path.resolve(fixture),
    delays: parseDelays(config.delays),
    failures: parseFailures(config.failures),
    version: config.version === undefined ? DEFAULT_VERSION : version(config.version, "version"),
    availableVersions: [...new Set(versions)].sort(compareCephVersions),
  };
}
