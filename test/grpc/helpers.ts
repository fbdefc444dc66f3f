// Helpers for the sim-specific gRPC tests: starting the real server in-process on a loopback
// port with sim options, and reading operation streams.
import { afterEach } from "vitest";
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { Timestamp } from "../../gen/ts/google/protobuf/timestamp.js";
import { STEP_KINDS } from "../../backends/sim/config.js";
import type { Config } from "../../src/config.js";
import { Api, type OpStream } from "../conformance/api.js";
import { type Harness, startHarness } from "../support/harness.js";

export type StepKind = (typeof STEP_KINDS)[number];

export interface SimOptions {
  /** Milliseconds for every step kind (default 0), then per kind. */
  delays?: number | Partial<Record<StepKind, number>>;
  failures?: { unreachableHosts?: string[]; failingDevices?: string[]; clusterUnreachable?: boolean };
  fixture?: string;
  /** Further service flags. */
  args?: string[];
  overrides?: Partial<Config>;
}

export interface Sim extends Harness {
  api: Api;
}

/**
 * A sim per test, for a test file: `start` starts one (the API client of it), `stop` stops
 * the one running (to start another on the same data), and whatever runs is stopped after
 * each test.
 */
export function simPerTest(): { start(o?: SimOptions): Promise<Api>; stop(): Promise<void>; current(): Sim | undefined } {
  let sim: Sim | undefined;
  const stop = async () => {
    await sim?.stop();
    sim = undefined;
  };
  afterEach(stop);
  return {
    async start(o = {}) {
      sim = await startSim(o);
      return sim.api;
    },
    stop,
    current: () => sim,
  };
}

/** The sim with every step instant unless `delays` says otherwise. */
export async function startSim(o: SimOptions = {}): Promise<Sim> {
  const delays = typeof o.delays === "number" || o.delays === undefined
    ? (o.delays ?? 0)
    : { ...Object.fromEntries(STEP_KINDS.map((k) => [k, 0])), ...o.delays };
  const args = ["--backend-opt", `delays=${JSON.stringify(delays)}`];
  if (o.failures) args.push("--backend-opt", `failures=${JSON.stringify(o.failures)}`);
  if (o.fixture) args.push("--backend-opt", `fixture=${o.fixture}`);
  const h = await startHarness([...args, ...(o.args ?? [])], o.overrides);
  return Object.assign(h, { api: new Api(h) });
}

/**
 * Reads a stream until a message satisfies `until`, and returns the messages so far (the
 * last one satisfies it). The stream is paused, not closed: read it on with `rest`, or
 * cancel it.
 */
export function readUntil(s: OpStream, until: (op: Operation) => boolean): Promise<Operation[]> {
  const seen: Operation[] = [];
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      s.off("data", onData);
      s.off("error", onError);
      s.off("end", onEnd);
    };
    const onData = (m: { operation?: Operation }) => {
      if (!m.operation) return;
      seen.push(m.operation);
      if (until(m.operation)) {
        cleanup();
        s.pause();
        resolve(seen);
      }
    };
    const onError = (err: unknown) => {
      cleanup();
      reject(err);
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`stream ended before the condition held; last: ${JSON.stringify(seen.at(-1))}`));
    };
    s.on("data", onData);
    s.on("error", onError);
    s.on("end", onEnd);
    s.resume();
  });
}

/** The rest of a stream that readUntil paused, to its OK end. */
export function rest(s: OpStream): Promise<Operation[]> {
  const out: Operation[] = [];
  return new Promise((resolve, reject) => {
    s.on("data", (m: { operation?: Operation }) => m.operation && out.push(m.operation));
    s.once("error", reject);
    s.once("end", () => resolve(out));
    s.resume();
  });
}

export function ms(t: Timestamp | undefined): number {
  if (!t) throw new Error("no timestamp");
  return Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6);
}

/**
 * When a task started and ended, by the server's clock: the update_time of the first
 * snapshot showing it RUNNING and of the first showing it done.
 */
export function taskSpan(msgs: Operation[], target: string): { start: number; end: number } {
  const at = (pred: (state: number) => boolean) => {
    const m = msgs.find((o) => o.tasks.some((t) => t.target === target && pred(t.state)));
    if (!m) throw new Error(`task ${target} never reached that state in ${msgs.length} snapshots`);
    return ms(m.updateTime);
  };
  return { start: at((s) => s === 3), end: at((s) => s >= 4) };
}

export function sleep(msec: number): Promise<void> {
  return new Promise((r) => setTimeout(r, msec));
}
