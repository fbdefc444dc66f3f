// The layer rule (.dependency-cruiser.cjs): the repository keeps it, and the checker catches
// each kind of violation in a scratch tree laid out like the repository (an upward import, a
// backend importing past the plugin kit, a backend importing another, a cycle), while the same
// tree without them passes.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const DEPCRUISE = join(ROOT, "node_modules/.bin/depcruise");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");
const run = promisify(execFile);

/** The rule names depcruise reports for `paths` under `cwd` (empty: no violation). */
async function violations(cwd: string, paths: string[]): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await run(DEPCRUISE, [...paths, "--config", CONFIG, "--output-type", "json"], { cwd, maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    // It exits non-zero when it finds violations; its report is on stdout all the same.
    stdout = (err as { stdout?: string }).stdout ?? "";
    if (stdout === "") throw err;
  }
  const out = JSON.parse(stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A scratch tree with tsconfig.json and the given files ("path": "imports, one per line"). */
function tree(files: Record<string, string[]>): string {
  scratch = mkdtempSync(join(tmpdir(), "layers-"));
  writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext" } }));
  for (const [path, imports] of Object.entries(files)) {
    const file = join(scratch, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${imports.map((i, n) => `import * as m${n} from "${i}";\nvoid m${n};`).join("\n")}\nexport const x = 1;\n`);
  }
  return scratch;
}

const CLEAN = {
  "src/transport/services.ts": ["../security/roles.js", "../domain/registry.js"],
  "src/security/roles.ts": ["../domain/registry.js"],
  "src/domain/registry.ts": ["../operations/engine.js", "../backend/backend.js", "../contract/descriptors.js"],
  "src/operations/engine.ts": ["../backend/errors.js"],
  "src/backend/backend.ts": ["./errors.js"],
  "src/backend/errors.ts": [],
  "src/contract/descriptors.ts": [],
  "backends/sim/index.ts": ["../../src/backend/backend.js", "./cluster.js"],
  "backends/sim/cluster.ts": ["../../src/backend/errors.js"],
  "backends/ssh/index.ts": ["../../src/backend/backend.js"],
};

describe("the layer rule", () => {
  it("holds in the repository (src/, backends/)", { timeout: 120_000 }, async () => {
    expect(await violations(ROOT, ["src", "backends"])).toEqual([]);
  });

  it("passes a scratch tree that keeps it", { timeout: 60_000 }, async () => {
    expect(await violations(tree(CLEAN), ["src", "backends"])).toEqual([]);
  });

  it("catches an import that goes up a layer", { timeout: 60_000 }, async () => {
    const dir = tree({ ...CLEAN, "src/domain/registry.ts": ["../transport/services.js"], "src/operations/engine.ts": ["../domain/registry.js"] });
    const found = await violations(dir, ["src", "backends"]);
    expect(found).toContain("domain-below-security: src/domain/registry.ts -> src/transport/services.ts");
    expect(found).toContain("operations-below-domain: src/operations/engine.ts -> src/domain/registry.ts");
  });

  it("catches a backend importing past the plugin kit, or another backend", { timeout: 60_000 }, async () => {
    const dir = tree({ ...CLEAN, "backends/sim/cluster.ts": ["../../src/domain/registry.js", "../ssh/index.js"] });
    const found = await violations(dir, ["src", "backends"]);
    expect(found).toContain("backend-imports-only-the-plugin-kit: backends/sim/cluster.ts -> src/domain/registry.ts");
    expect(found).toContain("backends-independent: backends/sim/cluster.ts -> backends/ssh/index.ts");
  });

  it("catches a cycle between files of one layer", { timeout: 60_000 }, async () => {
    const dir = tree({ ...CLEAN, "src/backend/errors.ts": ["./backend.js"] });
    const found = await violations(dir, ["src", "backends"]);
    expect(found.filter((v) => v.startsWith("no-cycle:"))).not.toEqual([]);
  });
});
