// loadConfig: the YAML file is checked key by key like the flags (a wrong type names the
// key and the file), durations take one unit ("10s", "500ms", "5m", "1h", "1d") from a flag,
// the environment or the file, and a plain number stays in the unit each option documented.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDuration } from "../../src/backend/config-schema.js";
import { type Config, loadConfig } from "../../src/config.js";

const dir = mkdtempSync(join(tmpdir(), "orch-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A config file holding `yaml`; its path. */
function configFile(yaml: string): string {
  const path = join(dir, `config-${++files}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

function load(argv: string[], env: NodeJS.ProcessEnv = {}): Config {
  const config = loadConfig(argv, env);
  if (config === "help") throw new Error("help");
  return config;
}

describe("the YAML file is type-checked like the flags", () => {
  it("takes every kind of value with its YAML type", () => {
    const file = configFile(
      [
        "listen: 127.0.0.1:50999",
        "logLevel: warn",
        "maxParallelHosts: 3",
        "maxMessageBytes: 1048576",
        "writeRate: 0.5",
        "journal: false",
        "shutdownGraceMs: 2s",
        "retentionMaxAgeSeconds: 1d",
        "maxWaitSeconds: 90",
        "reloadIntervalMs: 250",
        "backendConfig:",
        "  delays: 0",
      ].join("\n"),
    );
    expect(load(["--config", file])).toMatchObject({
      listen: "127.0.0.1:50999",
      logLevel: "warn",
      maxParallelHosts: 3,
      maxMessageBytes: 1048576,
      writeRate: 0.5,
      journal: false,
      shutdownGraceMs: 2000,
      retentionMaxAgeSeconds: 86400,
      maxWaitSeconds: 90,
      reloadIntervalMs: 250,
      backendConfig: { delays: 0 },
    });
  });

  it("refuses a value of the wrong type, naming the file and the key", () => {
    const cases: [string, string][] = [
      ['maxParallelHosts: "eight"', 'maxParallelHosts: expected a whole number ≥ 1, got "eight"'],
      ["maxParallelHosts: 0", "maxParallelHosts: expected a whole number ≥ 1, got 0"],
      ["retentionMaxCount: 2.5", "retentionMaxCount: expected a whole number, got 2.5"],
      ["maxMessageBytes: 16MiB", 'maxMessageBytes: expected a whole number, got "16MiB"'],
      ["writeBurst: true", "writeBurst: expected a whole number ≥ 1, got true"],
      ["writeRate: -1", "writeRate: expected a number ≥ 0, got -1"],
      ['journal: "yes please"', 'journal: expected true or false, got "yes please"'],
      ["reflection: 1", "reflection: expected true or false, got 1"],
      ["listen: 50051", "listen: expected a string, got 50051"],
      ["logLevel: loud", 'logLevel: expected one of trace, debug, info, warn, error, fatal, silent, got "loud"'],
      ["tokensFile: [a, b]", 'tokensFile: expected a string, got ["a","b"]'],
      ["shutdownGraceMs: soon", 'shutdownGraceMs: expected a duration like "500ms", "10s", "5m", "1h" or "1d", or a plain number of milliseconds, got "soon"'],
      ["maxWatchSeconds: 0s", "maxWatchSeconds: expected a duration more than 0"],
      ["backendConfig: delays=0", 'backendConfig: expected a mapping, got "delays=0"'],
      ["backendConfig: [1, 2]", "backendConfig: expected a mapping, got [1,2]"],
      ["maxParallelHost: 3", "unknown key 'maxParallelHost'; known: listen, backend"],
    ];
    for (const [yaml, message] of cases) {
      const file = configFile(yaml);
      expect(() => load(["--config", file]), yaml).toThrow(`config file ${file}: ${message}`);
    }
  });

  it("takes an empty file, and `backendConfig:` with nothing under it, as nothing set", () => {
    expect(load(["--config", configFile("")]).maxParallelHosts).toBe(8);
    expect(load(["--config", configFile("backendConfig:\n  # delays: 0\n")]).backendConfig).toEqual({});
  });

  it("lets the environment win over the file and a flag over both", () => {
    const file = configFile("shutdownGraceMs: 1s\nmaxParallelHosts: 2\n");
    const env = { CEPH_ORCH_SHUTDOWN_GRACE_MS: "2s", CEPH_ORCH_MAX_PARALLEL_HOSTS: "4" };
    expect(load(["--config", file], env)).toMatchObject({ shutdownGraceMs: 2000, maxParallelHosts: 4 });
    expect(load(["--config", file, "--shutdown-grace", "3s"], env)).toMatchObject({ shutdownGraceMs: 3000, maxParallelHosts: 4 });
    expect(load([], { CEPH_ORCH_CONFIG: file })).toMatchObject({ shutdownGraceMs: 1000, maxParallelHosts: 2 });
  });
});

// Each duration option: its flag, its variable, its YAML key, and the unit of a plain number
// (which is also the unit of its Config field).
const DURATIONS = [
  { flag: "--shutdown-grace", env: "CEPH_ORCH_SHUTDOWN_GRACE_MS", key: "shutdownGraceMs", unitMs: 1 },
  { flag: "--reload-interval", env: "CEPH_ORCH_RELOAD_INTERVAL_MS", key: "reloadIntervalMs", unitMs: 1 },
  { flag: "--retention-max-age", env: "CEPH_ORCH_RETENTION_MAX_AGE", key: "retentionMaxAgeSeconds", unitMs: 1000 },
  { flag: "--max-wait", env: "CEPH_ORCH_MAX_WAIT", key: "maxWaitSeconds", unitMs: 1000 },
  { flag: "--max-watch", env: "CEPH_ORCH_MAX_WATCH", key: "maxWatchSeconds", unitMs: 1000 },
] as const;

describe("durations", () => {
  const forms: [string, number][] = [
    ["500ms", 500],
    ["10s", 10_000],
    ["1.5s", 1500],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1d", 86_400_000],
  ];

  it("take a suffix from a flag, the environment and the file", () => {
    for (const d of DURATIONS) {
      for (const [text, ms] of forms) {
        const expected = ms / d.unitMs;
        expect(load([d.flag, text])[d.key], `${d.flag} ${text}`).toBe(expected);
        expect(load([], { [d.env]: text })[d.key], `${d.env}=${text}`).toBe(expected);
        expect(load(["--config", configFile(`${d.key}: ${text}`)])[d.key], `${d.key}: ${text}`).toBe(expected);
      }
    }
  });

  it("take a plain number in the unit each option documented", () => {
    for (const d of DURATIONS) {
      expect(load([d.flag, "30"])[d.key], d.flag).toBe(30);
      expect(load([], { [d.env]: "0.5" })[d.key], d.env).toBe(0.5);
      expect(load(["--config", configFile(`${d.key}: 30`)])[d.key], d.key).toBe(30);
    }
    expect(load(["--shutdown-grace", "300"]).shutdownGraceMs).toBe(300);
    expect(load(["--max-wait", "300"]).maxWaitSeconds).toBe(300);
  });

  it("refuse anything else, naming the flag, the variable or the key", () => {
    for (const d of DURATIONS) {
      for (const bad of ["ten", "10x", "1h30m", "-5s", "", "s", "10 s"]) {
        expect(() => load([`${d.flag}=${bad}`]), `${d.flag}='${bad}'`).toThrow(`${d.flag}: expected a duration`);
        expect(() => load([], { [d.env]: bad }), `${d.env}='${bad}'`).toThrow(`${d.env}: expected a duration`);
      }
      const file = configFile(`${d.key}: 10 minutes`);
      expect(() => load(["--config", file]), d.key).toThrow(`config file ${file}: ${d.key}: expected a duration`);
    }
  });

  it("of a WaitOperations and a WatchOperation are more than 0", () => {
    for (const flag of ["--max-wait", "--max-watch"]) {
      for (const zero of ["0", "0s", "0ms"]) expect(() => load([flag, zero]), `${flag} ${zero}`).toThrow(`${flag}: expected a duration more than 0`);
    }
    expect(load(["--shutdown-grace", "0"]).shutdownGraceMs).toBe(0);
    expect(load(["--reload-interval", "0s"]).reloadIntervalMs).toBe(0);
  });

  it("come from one parser, shared with the backends", () => {
    expect(parseDuration("2d", "ms")).toBe(172_800_000);
    expect(parseDuration(" 250ms ", "s")).toBe(250);
    expect(parseDuration(3, "s")).toBe(3000);
    expect(parseDuration("3", "ms")).toBe(3);
    for (const bad of [-1, Number.NaN, "1w", "1.s", true, null, {}]) expect(parseDuration(bad, "ms"), String(bad)).toBeUndefined();
  });
});

describe("numbers from flags and the environment", () => {
  it("are whole where they count something", () => {
    expect(() => load(["--max-parallel-hosts", "2.5"])).toThrow("--max-parallel-hosts: expected a whole number ≥ 1, got 2.5");
    expect(() => load(["--max-message-bytes", "lots"])).toThrow('--max-message-bytes: expected a whole number, got "lots"');
    expect(() => load([], { CEPH_ORCH_RETENTION_MAX_COUNT: "-1" })).toThrow("CEPH_ORCH_RETENTION_MAX_COUNT: expected a whole number, got -1");
    expect(() => load(["--write-burst", ""])).toThrow('--write-burst: expected a whole number ≥ 1, got ""');
    expect(load(["--max-parallel-hosts", "16", "--write-rate", "0.5"])).toMatchObject({ maxParallelHosts: 16, writeRate: 0.5 });
  });

  it("a port is at most 65535", () => {
    expect(() => load(["--listen", "127.0.0.1:70000"])).toThrow("listen '127.0.0.1:70000': expected host:port");
    expect(load(["--listen", "[::1]:65535"]).listen).toBe("[::1]:65535");
  });

  it("a boolean flag takes true/false, 1/0, yes/no", () => {
    expect(load(["--journal", "no", "--reflection=1"])).toMatchObject({ journal: false, reflection: true });
    expect(() => load([], { CEPH_ORCH_JOURNAL: "maybe" })).toThrow('CEPH_ORCH_JOURNAL: expected true or false, got "maybe"');
  });
});
