// Test helpers for the sim backend (not a test file itself).
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import type { StepContext } from "../../../src/backend/backend.js";
import createBackend from "../../../backends/sim/index.js";
import type { SimBackend } from "../../../backends/sim/cluster.js";

export const log = pino({ level: "silent" });

export const TINY = fileURLToPath(new URL("../../../backends/sim/fixtures/tiny.yaml", import.meta.url));

/**
 * A test helper standing in for the StepContext the domain gives a backend; it records
 * the progress the step reports.
 */
export function stepContext(signal: AbortSignal = new AbortController().signal): StepContext & {
  reported: { fraction: number; message?: string }[];
} {
  const reported: { fraction: number; message?: string }[] = [];
  return { operationId: "op-test", log, signal, progress: (fraction, message) => reported.push({ fraction, message }), reported };
}

/** The sim on the default fixture (unless `config.fixture` says otherwise), instant unless told. */
export async function sim(config: Record<string, unknown> = {}): Promise<SimBackend> {
  return (await createBackend({ config: { delays: 0, ...config }, log })) as SimBackend;
}

/** Writes a fixture to a fresh temporary file and returns its path. */
export async function fixtureFile(text: string, name = "fixture.yaml"): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "sim-fixture-"));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}
