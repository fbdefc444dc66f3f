// Benchmark (not a test): how many writes per second the service accepts and makes
// persistent, with the journal on (SQLite, synchronous=FULL, group commit) and off (memory),
// measured in the same run so that the ratio compares like with like.
//
//   npm run bench [-- --ops 2000 --concurrency 128 --rounds 5]
//
// Each round starts the real service (`node --import tsx src/main.ts`, sim backend,
// delays=0) on 127.0.0.1 and sends AddHostLabel writes from several gRPC clients, each
// write with its own request_id. A client slot sends its next write as soon as the previous
// one is ACCEPTED, and keeps reading that one's stream until PERSISTENT, then detaches (the
// operation goes on): accepted/s is how fast the service takes writes on, persistent/s how
// fast it records them. Rounds alternate between the two modes. Bounded: it stops itself
// after BUDGET_MS. Results: bench/results/journal.{json,md}.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { AddHostLabelRequest, HostServiceClient } from "../gen/ts/ceph_orchestrator/v1/host_service.js";
import type { Operation } from "../gen/ts/ceph_orchestrator/v1/operation.js";
import { OperationServiceClient } from "../gen/ts/ceph_orchestrator/v1/operation_service.js";
import { OrchestratorServiceClient } from "../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const RESULTS = path.join(ROOT, "bench", "results");
/** The whole benchmark stops by itself after this long. */
const BUDGET_MS = 110_000;
const HOSTS = 24;
const CLIENTS = 4;
const WARMUP_OPS = 300;

const { values: flags } = parseArgs({
  options: {
    ops: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "128" },
    rounds: { type: "string", default: "5" },
  },
});
const OPS = Number(flags.ops);
const CONCURRENCY = Number(flags.concurrency);
const ROUNDS = Number(flags.rounds);

type Mode = "journal" | "memory";

interface RoundResult {
  mode: Mode;
  round: number;
  ops: number;
  acceptedPerSec: number;
  persistentPerSec: number;
  acceptLatencyMs: { p50: number; p99: number };
  persistLatencyMs: { p50: number; p99: number };
  /** Time until every operation of the round had ended. */
  allDoneSec: number;
}

const started = Date.now();
const loadAtStart = os.loadavg()[0]!;
const children = new Set<ChildProcess>();
const budget = setTimeout(() => {
  process.stderr.write(`bench: over its ${BUDGET_MS / 1000} s budget, stopping\n`);
  for (const c of children) c.kill("SIGKILL");
  process.exit(3);
}, BUDGET_MS);
budget.unref();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    for (const c of children) c.kill("SIGKILL");
    process.exit(130);
  });
}

function fixture(): string {
  const lines = ["cluster:", "  fsid: 0d8e2b44-5c4f-4e47-9a3e-6f2a1b7c9d10", "hosts:"];
  for (let i = 1; i <= HOSTS; i++) lines.push(`  - { hostname: bench-${i}, addr: bench-${i}.sim.invalid, labels: [bench], devices: [] }`);
  return `${lines.join("\n")}\n`;
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port below 32768");
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

async function waitReady(address: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = new OrchestratorServiceClient(address, grpc.credentials.createInsecure());
  try {
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) throw new Error(`service exited: ${output().slice(-2000)}`);
      const ok = await new Promise<boolean>((resolve) =>
        client.getStatus({}, new grpc.Metadata(), { deadline: Date.now() + 500 }, (err) => resolve(!err)),
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`service not ready: ${output().slice(-2000)}`);
  } finally {
    client.close();
  }
}

/** Sends `count` writes with `concurrency` slots; returns per-write timings (ms since `t0`). */
async function load(
  clients: HostServiceClient[],
  count: number,
  concurrency: number,
  tag: string,
): Promise<{ t0: number; accepted: number[]; persistent: number[]; submitted: number[]; ids: string[] }> {
  const accepted: number[] = [];
  const persistent: number[] = [];
  const submitted: number[] = [];
  const ids: string[] = [];
  let next = 0;
  const t0 = performance.now();
  const recorded: Promise<void>[] = [];
  /** Resolves at ACCEPTED; the promise it leaves in `recorded` at PERSISTENT. */
  const one = (client: HostServiceClient, i: number) =>
    new Promise<void>((accept, rejectAccept) => {
      let resolve!: () => void;
      let reject!: (err: Error) => void;
      const persisted = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      persisted.catch(() => undefined); // awaited below, after the slots are done
      recorded.push(persisted);
      const req = AddHostLabelRequest.fromPartial({ hostname: `bench-${(i % HOSTS) + 1}`, label: "bench", requestId: `${tag}-${i}` });
      submitted[i] = performance.now() - t0;
      const stream = client.addHostLabel(req);
      let settled = false;
      stream.on("data", (msg: { operation?: Operation }) => {
        const op = msg.operation;
        if (!op) return;
        const t = performance.now() - t0;
        if (accepted[i] === undefined) {
          accepted[i] = t;
          ids[i] = op.id;
          accept();
        }
        if (op.persistent && persistent[i] === undefined) {
          persistent[i] = t;
          settled = true;
          stream.cancel(); // detach: the operation goes on
          resolve();
        }
      });
      const failed = (err: Error) => {
        if (settled) return;
        settled = true;
        reject(err);
        rejectAccept(err);
      };
      stream.on("error", (err: grpc.ServiceError) => failed(new Error(`write ${tag}-${i}: ${err.message}`)));
      stream.on("end", () => failed(new Error(`write ${tag}-${i}: stream ended before PERSISTENT`)));
    });
  await Promise.all(
    Array.from({ length: concurrency }, async (_, slot) => {
      const client = clients[slot % clients.length]!;
      for (let i = next++; i < count; i = next++) await one(client, i);
    }),
  );
  await Promise.all(recorded);
  return { t0, accepted, persistent, submitted, ids };
}

async function waitAllDone(address: string, ids: string[]): Promise<void> {
  const ops = new OperationServiceClient(address, grpc.credentials.createInsecure());
  try {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const res = await new Promise<{ allDone: boolean }>((resolve, reject) =>
        ops.waitOperations({ ids: chunk, timeout: { seconds: "30", nanos: 0 } }, new grpc.Metadata(), { deadline: Date.now() + 40_000 }, (err, r) =>
          err ? reject(err) : resolve(r),
        ),
      );
      if (!res.allDone) throw new Error("operations did not end within 30 s");
    }
  } finally {
    ops.close();
  }
}

async function runRound(mode: Mode, round: number, workDir: string, fixtureFile: string): Promise<RoundResult> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const dataDir = path.join(workDir, `data-${mode}-${round}`);
  const args = [
    // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the service.
    ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
    "--import", "tsx", "src/main.ts",
    "--listen", address,
    "--log-level", "warn",
    "--backend-opt", `fixture=${fixtureFile}`,
    "--backend-opt", "delays=0",
    ...(mode === "journal" ? ["--data-dir", dataDir] : ["--journal=false"]),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  child.stderr!.on("data", (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  const clients = Array.from(
    { length: CLIENTS },
    (_, n) => new HostServiceClient(address, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1, "bench.client": n }),
  );
  try {
    await waitReady(address, child, () => out);
    const warm = await load(clients, WARMUP_OPS, Math.min(CONCURRENCY, 32), `warm-${mode}-${round}`);
    await waitAllDone(address, warm.ids);
    const r = await load(clients, OPS, CONCURRENCY, `${mode}-${round}`);
    await waitAllDone(address, r.ids);
    const allDone = performance.now() - r.t0;
    const lastAccepted = Math.max(...r.accepted);
    const lastPersistent = Math.max(...r.persistent);
    const acceptLat = r.accepted.map((t, i) => t - r.submitted[i]!).sort((a, b) => a - b);
    const persistLat = r.persistent.map((t, i) => t - r.submitted[i]!).sort((a, b) => a - b);
    return {
      mode,
      round,
      ops: OPS,
      acceptedPerSec: Math.round(OPS / (lastAccepted / 1000)),
      persistentPerSec: Math.round(OPS / (lastPersistent / 1000)),
      acceptLatencyMs: { p50: round1(percentile(acceptLat, 50)), p99: round1(percentile(acceptLat, 99)) },
      persistLatencyMs: { p50: round1(percentile(persistLat, 50)), p99: round1(percentile(persistLat, 99)) },
      allDoneSec: round1(allDone / 1000),
    };
  } finally {
    for (const c of clients) c.close();
    child.kill("SIGTERM");
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else {
        const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
      }
    });
    children.delete(child);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), "orch-bench-"));
  const fixtureFile = path.join(workDir, "cluster.yaml");
  writeFileSync(fixtureFile, fixture());
  const rounds: RoundResult[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate which mode goes first, so that drift (warm caches, other load) evens out.
      const order: Mode[] = round % 2 === 1 ? ["journal", "memory"] : ["memory", "journal"];
      for (const mode of order) {
        const r = await runRound(mode, round, workDir, fixtureFile);
        rounds.push(r);
        process.stdout.write(
          `round ${round} ${mode.padEnd(7)} accepted ${String(r.acceptedPerSec).padStart(6)}/s  persistent ${String(r.persistentPerSec).padStart(6)}/s  ` +
            `p50 accept ${r.acceptLatencyMs.p50} ms, persistent ${r.persistLatencyMs.p50} ms (p99 ${r.persistLatencyMs.p99} ms)\n`,
        );
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  const of = (mode: Mode, f: (r: RoundResult) => number) => median(rounds.filter((r) => r.mode === mode).map(f));
  const summary = {
    journal: { acceptedPerSec: of("journal", (r) => r.acceptedPerSec), persistentPerSec: of("journal", (r) => r.persistentPerSec) },
    memory: { acceptedPerSec: of("memory", (r) => r.acceptedPerSec), persistentPerSec: of("memory", (r) => r.persistentPerSec) },
  };
  const ratio = {
    accepted: Math.round((summary.journal.acceptedPerSec / summary.memory.acceptedPerSec) * 100) / 100,
    persistent: Math.round((summary.journal.persistentPerSec / summary.memory.persistentPerSec) * 100) / 100,
  };
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "",
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      // Other work on the machine skews both modes; alternating rounds and the ratio of medians temper it.
      loadAverage1m: { start: round1(loadAtStart), end: round1(os.loadavg()[0]!) },
    },
    parameters: { ops: OPS, concurrency: CONCURRENCY, clients: CLIENTS, rounds: ROUNDS, warmupOps: WARMUP_OPS, hosts: HOSTS, write: "AddHostLabel, sim delays=0" },
    summary,
    ratio,
    rounds,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, "journal.json"), `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    "# Journal benchmark",
    "",
    `${result.date}, ${result.machine.cpus} CPUs (${result.machine.cpuModel}), Node ${result.machine.node}, load average ${result.machine.loadAverage1m.start} at the start and ${result.machine.loadAverage1m.end} at the end (other work on the machine makes rounds vary). \`npm run bench\` writes this file.`,
    "",
    `${OPS} AddHostLabel writes per round from ${CLIENTS} gRPC clients, ${CONCURRENCY} slots, each sending its next write once`,
    "the previous one is ACCEPTED while still reading that one's stream up to PERSISTENT (then detaching); the service is a",
    "child process on 127.0.0.1 with the sim backend",
    `(delays=0); ${ROUNDS} rounds per mode, alternating, after ${WARMUP_OPS} warm-up writes; medians below.`,
    "",
    "| | journal on (SQLite, synchronous=FULL, group commit) | journal off (memory) | on / off |",
    "|---|---:|---:|---:|",
    `| writes accepted per second | ${summary.journal.acceptedPerSec} | ${summary.memory.acceptedPerSec} | ${ratio.accepted} |`,
    `| writes persistent per second | ${summary.journal.persistentPerSec} | ${summary.memory.persistentPerSec} | ${ratio.persistent} |`,
    "",
    "| round | mode | accepted/s | persistent/s | p50 / p99 to ACCEPTED (ms) | p50 / p99 to PERSISTENT (ms) | all ended after (s) |",
    "|---:|---|---:|---:|---:|---:|---:|",
    ...rounds.map(
      (r) =>
        `| ${r.round} | ${r.mode} | ${r.acceptedPerSec} | ${r.persistentPerSec} | ${r.acceptLatencyMs.p50} / ${r.acceptLatencyMs.p99} | ${r.persistLatencyMs.p50} / ${r.persistLatencyMs.p99} | ${r.allDoneSec} |`,
    ),
    "",
  ].join("\n");
  writeFileSync(path.join(RESULTS, "journal.md"), md);
  process.stdout.write(`\njournal on/off: accepted ${ratio.accepted}x, persistent ${ratio.persistent}x (${result.seconds} s)\n`);
  process.stdout.write(`results: ${path.relative(ROOT, path.join(RESULTS, "journal.md"))}, ${path.relative(ROOT, path.join(RESULTS, "journal.json"))}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    for (const c of children) c.kill("SIGKILL");
    process.exit(1);
  },
);
