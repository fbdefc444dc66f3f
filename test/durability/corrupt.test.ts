// A corrupt or unreadable journal: the real service refuses to start, exits non-zero with a
// message naming the file, and leaves the file exactly as it was.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { freePort, killAll, startService } from "./process.js";

const dirs: string[] = [];

afterEach(async () => {
  await killAll();
});

afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orch-corrupt-"));
  dirs.push(dir);
  return dir;
}

async function startAndExit(dataDir: string): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  const p = startService(["--listen", `127.0.0.1:${port}`, "--data-dir", dataDir, "--backend-opt", "delays=0"]);
  const { code } = await p.exited;
  return { code, output: p.output() };
}

describe("the service with a damaged journal", () => {
  it("refuses to start on garbage, naming the file, and never overwrites it", async () => {
    const dir = tempDir();
    const file = path.join(dir, "orchestrator.db");
    const garbage = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919 + 13) & 0xff));
    writeFileSync(file, garbage);
    const { code, output } = await startAndExit(dir);
    expect(code).not.toBe(0);
    expect(output).toContain(file);
    expect(output).toMatch(/not an SQLite database/);
    expect(output).not.toMatch(/"msg":"serving"/);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it("refuses a journal that is a directory, naming it", async () => {
    const dir = tempDir();
    const file = path.join(dir, "orchestrator.db");
    mkdirSync(file);
    const { code, output } = await startAndExit(dir);
    expect(code).not.toBe(0);
    expect(output).toContain(file);
  });
});
