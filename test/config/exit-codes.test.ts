// The real process (`node --import tsx src/main.ts`): every configuration error (a flag, a
// variable, a key of the --config file, a backend's setting) exits 2 with a message on
// stderr naming what is at fault, never "failed to start" with 1.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, freePort } from "../durability/process.js";

const dir = mkdtempSync(join(tmpdir(), "orch-config-exit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the service until it exits; its exit code and what it wrote to stderr. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "", ...env },
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  // A service that serves instead of refusing its configuration is stopped: the test fails.
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

/** Arguments that would serve, on a free port without a journal: only the error stops it. */
async function serving(...args: string[]): Promise<string[]> {
  return ["--listen", `127.0.0.1:${await freePort()}`, "--journal=false", ...args];
}

describe("a configuration error exits 2 naming what is at fault", () => {
  it("a key of the YAML file of the wrong type: the file and the key", async () => {
    const file = join(dir, "my.yaml");
    writeFileSync(file, 'maxParallelHosts: "eight"\n');
    const { code, stderr } = await run(await serving("--config", file));
    expect(code).toBe(2);
    expect(stderr).toContain(`config file ${file}: maxParallelHosts: expected a whole number ≥ 1, got "eight"`);
  });

  it("a duration without a unit it knows, from a flag or the environment", async () => {
    const flag = await run(await serving("--shutdown-grace", "10 seconds"));
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--shutdown-grace: expected a duration like "500ms", "10s", "5m", "1h" or "1d", or a plain number of milliseconds, got "10 seconds"');
    const env = await run(await serving(), { CEPH_ORCH_MAX_WAIT: "1w" });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('CEPH_ORCH_MAX_WAIT: expected a duration more than 0 like "500ms", "10s", "5m", "1h" or "1d", or a plain number of seconds, got "1w"');
  });

  it("a backend's setting it refuses (BackendConfigError): the backend and the key", async () => {
    const bad = await run(await serving("--backend-opt", "delays=-1"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("sim backend configuration: delays: expected milliseconds (a number ≥ 0)");
    expect(bad.stderr).not.toContain("failed to start");
    const unknown = await run(await serving("--backend-opt", "delay=0"));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("sim backend configuration: delay: unknown key");
  });

  it("an unknown backend, and a log level pino does not have", async () => {
    const backend = await run(await serving("--backend", "nosuch"));
    expect(backend.code).toBe(2);
    expect(backend.stderr).toMatch(/unknown backend 'nosuch'/);
    const level = await run(await serving("--log-level", "loud"));
    expect(level.code).toBe(2);
    expect(level.stderr).toContain('--log-level: expected one of trace, debug, info, warn, error, fatal, silent, got "loud"');
  });
});
