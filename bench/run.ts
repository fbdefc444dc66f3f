// Benchmark (not a test): `npm run bench`. The read path, the write path and fan-out, side
// by side with a ceiling, on simulated clusters of 10, 1,000 and 10,000 hosts. Machines
// like this one are noisy, so every figure is also given as a ratio against a baseline
// measured in the same run: ours / the ceiling, journal on / off, 10,000 hosts / 10 hosts,
// 10,000 streams / 1,000. See bench/README.md for what each part does.
//
//   npm run bench [-- --only read,write,fanout] [--sizes 10,1000,10000] [--quick]
//
// Results: bench/results/<timestamp>.{json,md} and bench/results/latest.md.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { ListHostsRequest, ListHostsResponse } from "../gen/ts/ceph_orchestrator/v1/host_service.js";
import { GetInventoryRequest, GetInventoryResponse } from "../gen/ts/ceph_orchestrator/v1/inventory_service.js";
import { CreateOsdsRequest, OsdServiceClient } from "../gen/ts/ceph_orchestrator/v1/osd_service.js";
import type { Operation } from "../gen/ts/ceph_orchestrator/v1/operation.js";
import { DescribeServicesRequest, DescribeServicesResponse } from "../gen/ts/ceph_orchestrator/v1/service_service.js";
import { DEVICES_PER_HOST, QUERY_LABEL, hostname, writeFixture } from "./fixtures.js";
import {
  LOAD_CORE,
  type Proc,
  ROOT,
  SERVER_CORE,
  TASKSET,
  killChildren,
  machine,
  median,
  memory,
  cpuSeconds,
  pinSelf,
  pinned,
  rawCall,
  round,
  startProcess,
  startServer,
  track,
  waitReady,
  freePort,
} from "./lib.js";

const { values: flags } = parseArgs({
  options: {
    only: { type: "string", default: "read,write,fanout" },
    sizes: { type: "string", default: "10,1000,10000" },
    quick: { type: "boolean", default: false },
  },
});
const QUICK = flags.quick!;
const PARTS = new Set(flags.only!.split(","));
const SIZES = flags.sizes!.split(",").map(Number);
const CONCURRENCIES = [1, 50, 200];
/** ghz connections per concurrency: at most 20 calls in flight per connection (the server allows 100). */
const CONNECTIONS: Record<number, number> = { 1: 1, 50: 5, 200: 10 };
/** Seconds of load per ghz run (c=1 runs for this long; others send what c=1 managed in it, at least one call per worker). */
const LOAD_SECONDS = QUICK ? 0.5 : 1.5;
const WARMUP_SECONDS = QUICK ? 0.2 : 0.5;
/** The whole benchmark stops itself after this long. */
const BUDGET_MS = 15 * 60_000;
const GHZ = path.join(ROOT, ".tools", "bin", "ghz");
const PROTOSET = path.join(ROOT, "gen", "descriptor.binpb");
const RESULTS = path.join(ROOT, "bench", "results");
const PKG = "ceph_orchestrator.v1";

const started = Date.now();
const budget = setTimeout(() => {
  process.stderr.write(`bench: over its ${BUDGET_MS / 60_000} min budget, stopping\n`);
  killChildren();
  process.exit(3);
}, BUDGET_MS);
budget.unref();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    killChildren();
    process.exit(130);
  });
}

const log = (s: string) => process.stdout.write(`${s}\n`);
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;

// ---------------------------------------------------------------------------------------
// The read path

interface ReadCall {
  key: string;
  label: string;
  method: string;
  data: Record<string, unknown>;
  request: Uint8Array;
  /** Checks our response and says what it holds. */
  check(bytes: Buffer, hosts: number): string;
}

function expect(ok: boolean, what: string): void {
  if (!ok) throw new Error(`unexpected response: ${what}`);
}

const ONE_HOST = hostname(5);
const READ_CALLS: ReadCall[] = [
  {
    key: "ListHosts",
    label: "ListHosts (first page: 100 hosts)",
    method: `${PKG}.HostService/ListHosts`,
    data: {},
    request: ListHostsRequest.encode(ListHostsRequest.fromPartial({})).finish(),
    check: (b, n) => {
      const r = ListHostsResponse.decode(b);
      expect(r.hosts.length === Math.min(n, 100) && r.totalSize === n, `ListHosts: ${r.hosts.length} of ${r.totalSize}`);
      return `${r.hosts.length} hosts`;
    },
  },
  {
    key: "GetInventory.all",
    label: "GetInventory, everything (first page: 100 hosts)",
    method: `${PKG}.InventoryService/GetInventory`,
    data: {},
    request: GetInventoryRequest.encode(GetInventoryRequest.fromPartial({})).finish(),
    check: (b, n) => {
      const r = GetInventoryResponse.decode(b);
      const devices = r.hosts.reduce((k, h) => k + h.devices.length, 0);
      expect(r.hosts.length === Math.min(n, 100) && devices === r.hosts.length * DEVICES_PER_HOST, `GetInventory: ${r.hosts.length} hosts, ${devices} devices`);
      return `${r.hosts.length} hosts, ${devices} devices`;
    },
  },
  {
    key: "GetInventory.host",
    label: "GetInventory, one host",
    method: `${PKG}.InventoryService/GetInventory`,
    data: { hostnames: [ONE_HOST] },
    request: GetInventoryRequest.encode(GetInventoryRequest.fromPartial({ hostnames: [ONE_HOST] })).finish(),
    check: (b) => {
      const r = GetInventoryResponse.decode(b);
      expect(r.hosts.length === 1 && r.hosts[0]!.devices.length === DEVICES_PER_HOST, "GetInventory of one host");
      return `1 host, ${DEVICES_PER_HOST} devices`;
    },
  },
  {
    key: "GetInventory.label",
    label: `GetInventory, one label (${QUERY_LABEL}: 5 hosts)`,
    method: `${PKG}.InventoryService/GetInventory`,
    data: { labels: [QUERY_LABEL] },
    request: GetInventoryRequest.encode(GetInventoryRequest.fromPartial({ labels: [QUERY_LABEL] })).finish(),
    check: (b) => {
      const r = GetInventoryResponse.decode(b);
      expect(r.hosts.length === 5, `GetInventory of label ${QUERY_LABEL}: ${r.hosts.length} hosts`);
      return "5 hosts, 120 devices";
    },
  },
  {
    key: "DescribeServices",
    label: "DescribeServices (all 5 services)",
    method: `${PKG}.ServiceService/DescribeServices`,
    data: {},
    request: DescribeServicesRequest.encode(DescribeServicesRequest.fromPartial({})).finish(),
    check: (b, n) => {
      const r = DescribeServicesResponse.decode(b);
      const osd = r.services.find((s) => s.serviceName === "osd.default_drive_group");
      expect(r.services.length === 5 && osd?.running === n * 20, `DescribeServices: ${r.services.length} services, ${osd?.running} OSDs running`);
      return `5 services over ${n * 21 + Math.min(n, 5) + Math.min(n, 3) + Math.max(0, Math.min(n, 9) - 5)} daemons`;
    },
  },
];

interface LoadFigures {
  count: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** The measured server's CPU use during the run, in cores (1: its core was saturated). */
  serverCpu: number;
  /** The measured server's CPU time per request (ms): what a request costs it, whoever limits the rate. */
  cpuMsPerRequest: number;
}

/** Both servers under one load generator at one concurrency. */
interface Pair {
  /** -z seconds or -n count. */
  mode: string;
  ours: LoadFigures;
  ceiling: LoadFigures;
}

interface ReadRun {
  concurrency: number;
  ghz?: Pair;
  /** bench/load-unary.ts (grpc-js, no decoding), for responses over RAW_ABOVE_BYTES (ghz then runs at c=1 only). */
  raw?: Pair;
}

type Bound = { seconds: number } | { count: number };
interface Target {
  address: string;
  pid: number;
}

/** Responses larger than this are also measured with a client that does not decode them. */
const RAW_ABOVE_BYTES = 64 * 1024;

/** Runs `load`, measuring the server's CPU use meanwhile. */
async function withCpu(pid: number, load: () => Promise<Omit<LoadFigures, "serverCpu" | "cpuMsPerRequest">>): Promise<LoadFigures> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  const r = await load();
  const cpu = cpuSeconds(pid) - c0;
  return { ...r, serverCpu: round(cpu / ((performance.now() - t0) / 1000), 2), cpuMsPerRequest: round((cpu * 1000) / Math.max(1, r.count), 3) };
}

/** bench/load-unary.ts pinned to the load core. */
function rawLoad(target: Target, call: ReadCall, concurrency: number, bound: Bound): Promise<LoadFigures> {
  return withCpu(target.pid, async () => {
    const proc = startProcess(LOAD_CORE, process.execPath, [
      "--import",
      "tsx",
      "bench/load-unary.ts",
      "--address",
      target.address,
      "--path",
      `/${call.method}`,
      "--request",
      Buffer.from(call.request).toString("base64"),
      "--concurrency",
      String(concurrency),
      "--connections",
      String(CONNECTIONS[concurrency] ?? Math.ceil(concurrency / 20)),
      ...("seconds" in bound ? ["--seconds", String(bound.seconds)] : ["--count", String(bound.count)]),
    ]);
    const code = await new Promise<number | null>((resolve) => proc.child.once("exit", resolve));
    if (code !== 0) throw new Error(`load-unary ${call.key} -c ${concurrency} on ${target.address}: exit ${code}: ${proc.output().slice(-2000)}`);
    const r = JSON.parse(proc.output().trim().split("\n").at(-1) ?? "") as { count: number; rps: number; p50Ms: number; p99Ms: number };
    return { count: r.count, rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms };
  });
}

/** Runs ghz pinned to the load core and returns its figures; any non-OK response fails the benchmark. */
function ghz(target: Target, call: ReadCall, concurrency: number, bound: Bound): Promise<LoadFigures> {
  return withCpu(target.pid, () => ghzRun(target.address, call, concurrency, bound));
}

function ghzRun(address: string, call: ReadCall, concurrency: number, bound: Bound): Promise<Omit<LoadFigures, "serverCpu" | "cpuMsPerRequest">> {
  const args = [
    "--insecure",
    "--protoset",
    PROTOSET,
    "--call",
    call.method,
    "-d",
    JSON.stringify(call.data),
    "-c",
    String(concurrency),
    "--connections",
    String(CONNECTIONS[concurrency] ?? Math.ceil(concurrency / 20)),
    "--cpus",
    "1",
    // (No -x: ghz v0.120.0 then always runs for that long, whatever -n.)
    "-t",
    "120s",
    ...("seconds" in bound ? ["-z", `${bound.seconds}s`, "--duration-stop", "wait"] : ["-n", String(bound.count)]),
    "-O",
    "json",
    address,
  ];
  const [cmd, argv] = pinned(LOAD_CORE, GHZ, args);
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, argv, { maxBuffer: 512 * 1024 * 1024, timeout: 150_000 }, (err, stdout, stderr) => {
      if (err && !stdout) return reject(new Error(`ghz ${call.key} -c ${concurrency}: ${err.message} ${stderr}`));
      let r: {
        count: number;
        rps: number;
        latencyDistribution: { percentage: number; latency: number }[] | null;
        statusCodeDistribution?: Record<string, number>;
        errorDistribution?: Record<string, number>;
      };
      try {
        r = JSON.parse(stdout);
      } catch (e) {
        return reject(new Error(`ghz ${call.key}: unreadable output: ${(e as Error).message} ${stderr}`));
      }
      const codes = r.statusCodeDistribution ?? {};
      const bad = Object.entries(codes).filter(([code]) => code !== "OK");
      if (bad.length > 0 || Object.keys(r.errorDistribution ?? {}).length > 0) {
        return reject(new Error(`ghz ${call.key} -c ${concurrency} on ${address}: errors ${JSON.stringify({ codes, errors: r.errorDistribution })}`));
      }
      const at = (p: number) => (r.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? NaN) / 1e6;
      resolve({ count: r.count, rps: round(r.rps, 1), p50Ms: round(at(50), 3), p99Ms: round(at(99), 3) });
    });
    track(child);
  });
}

interface ReadResult {
  hosts: number;
  startupMs: number;
  memory: { afterStartRss: number; peakHwm: number; afterLoadRss: number };
  calls: { key: string; label: string; responseBytes: number; holds: string; runs: ReadRun[] }[];
}

async function readPath(hosts: number, fixture: string, workDir: string): Promise<ReadResult> {
  const server = await startServer({ fixture });
  let ceiling: Proc | undefined;
  try {
    const afterStart = memory(server.pid);
    log(`  ${hosts} hosts: our server up in ${(server.startupMs / 1000).toFixed(1)} s, RSS ${mib(afterStart.rss)} MiB (${elapsed()})`);
    // The bytes our server answers each request with, for the ceiling to send back.
    const client = new grpc.Client(server.address, grpc.credentials.createInsecure(), { "grpc.max_receive_message_length": 64 * 1024 * 1024 });
    const recorded: { path: string; request: string; response: string }[] = [];
    const info = new Map<string, { bytes: number; holds: string }>();
    try {
      for (const call of READ_CALLS) {
        const bytes = await rawCall(client, `/${call.method}`, call.request);
        info.set(call.key, { bytes: bytes.length, holds: call.check(bytes, hosts) });
        recorded.push({ path: `/${call.method}`, request: Buffer.from(call.request).toString("base64"), response: bytes.toString("base64") });
      }
    } finally {
      client.close();
    }
    const file = path.join(workDir, `responses-${hosts}.json`);
    writeFileSync(file, JSON.stringify(recorded));
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    ceiling = startProcess(SERVER_CORE, process.execPath, ["--import", "tsx", "bench/ceiling-server.ts", "--listen", address, "--responses", file]);
    await waitReady(address, ceiling, 30_000);

    const calls: ReadResult["calls"] = [];
    const ours: Target = { address: server.address, pid: server.pid };
    const ceil: Target = { address, pid: ceiling.pid };
    for (const call of READ_CALLS) {
      const i = info.get(call.key)!;
      const tools: ["ghz" | "raw", typeof ghz][] = [["ghz", ghz]];
      if (i.bytes > RAW_ABOVE_BYTES) tools.push(["raw", rawLoad]);
      const runs: ReadRun[] = CONCURRENCIES.map((concurrency) => ({ concurrency }) as ReadRun);
      for (const [tool, load] of tools) {
        // Warm both up (JIT, connections), then c=1 for a fixed time; higher concurrencies send
        // what c=1 managed in that time, at least one call per worker.
        await load(ours, call, 1, { seconds: WARMUP_SECONDS });
        await load(ceil, call, 1, { seconds: WARMUP_SECONDS });
        let base: Pair | undefined;
        for (const run of runs) {
          const c = run.concurrency;
          // ghz on a large response measures ghz: once at c=1, the rest with the raw client.
          if (tool === "ghz" && tools.length > 1 && c > 1) continue;
          const bound = (f: LoadFigures | undefined): Bound => (f === undefined ? { seconds: LOAD_SECONDS } : { count: Math.max(c, Math.round(f.rps * LOAD_SECONDS)) });
          const o = await load(ours, call, c, bound(base?.ours));
          const x = await load(ceil, call, c, bound(base?.ceiling));
          const pair: Pair = { mode: c === 1 ? `${LOAD_SECONDS} s` : `${o.count} / ${x.count}`, ours: o, ceiling: x };
          base ??= pair;
          run[tool] = pair;
          log(
            `  ${hosts} hosts ${call.key.padEnd(18)} ${tool.padEnd(3)} c=${String(c).padEnd(3)} ours ${fmt(o.rps)} rps p50 ${o.p50Ms} p99 ${o.p99Ms} ms cpu ${o.serverCpu} | ceiling ${fmt(x.rps)} rps p50 ${x.p50Ms} p99 ${x.p99Ms} ms cpu ${x.serverCpu} | ${round(o.rps / x.rps, 3)}× (${elapsed()})`,
          );
        }
      }
      calls.push({ key: call.key, label: call.label, responseBytes: i.bytes, holds: i.holds, runs });
    }
    const after = memory(server.pid);
    return {
      hosts,
      startupMs: server.startupMs,
      memory: { afterStartRss: afterStart.rss, peakHwm: after.hwm, afterLoadRss: after.rss },
      calls,
    };
  } finally {
    await ceiling?.stop();
    await server.stop(30_000);
  }
}

// ---------------------------------------------------------------------------------------
// The write path

type Mode = "journal" | "memory";

interface WriteRound {
  hosts: number;
  mode: Mode;
  round: number;
  startupMs: number;
  ops: number;
  concurrency: number;
  acceptedPerSec: number;
  persistentPerSec: number;
  firstMessageMs: { p50: number; p99: number };
  persistentMs: { p50: number; p99: number };
  allDoneSec: number | null;
}

/** Load parameters per cluster size and mode: a journal over 10,000 hosts saves the whole simulated cluster at every commit (see the README). */
function writeLoad(hosts: number, mode: Mode): { ops: number; concurrency: number; warmup: number; waitDone: boolean } {
  if (QUICK) return { ops: 200, concurrency: 32, warmup: 20, waitDone: true };
  if (hosts >= 10_000 && mode === "journal") return { ops: 64, concurrency: 64, warmup: 0, waitDone: false };
  return { ops: 2000, concurrency: 128, warmup: 300, waitDone: true };
}

async function writeRound(hosts: number, fixture: string, mode: Mode, round: number, workDir: string): Promise<WriteRound> {
  const dataDir = mode === "journal" ? path.join(workDir, `data-${hosts}-${round}`) : undefined;
  const server = await startServer({ fixture, ...(dataDir && { dataDir }) });
  try {
    const load = writeLoad(hosts, mode);
    // The same 10 hosts at every cluster size: only the cluster around them grows.
    const targets = Array.from({ length: Math.min(10, hosts) }, (_, i) => hostname(i + 1)).join(",");
    const proc = startProcess(LOAD_CORE, process.execPath, [
      "--import",
      "tsx",
      "bench/load-writes.ts",
      "--address",
      server.address,
      "--hosts",
      targets,
      "--ops",
      String(load.ops),
      "--concurrency",
      String(load.concurrency),
      "--warmup",
      String(load.warmup),
      "--tag",
      `${mode}-${hosts}-${round}`,
      "--wait-done",
      String(load.waitDone),
      "--time-limit-ms",
      "120000",
    ]);
    const code = await new Promise<number | null>((resolve) => proc.child.once("exit", resolve));
    const out = proc.output().trim().split("\n").at(-1) ?? "";
    if (code !== 0) throw new Error(`load-writes (${hosts} hosts, ${mode}) exited ${code}: ${proc.output().slice(-3000)}`);
    const r = JSON.parse(out) as Omit<WriteRound, "hosts" | "mode" | "round" | "startupMs">;
    return { hosts, mode, round, startupMs: server.startupMs, ...r };
  } finally {
    await server.stop(30_000);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// Fan-out

interface FanoutResult {
  streams: number;
  operations: number;
  connections: number;
  attachMs: number;
  messages: number;
  messagesPerSec: number;
  errors: string[];
  latencyMs: { p50: number; p99: number; max: number };
  cpu: { server: number; client: number };
  serverRss: { before: number; open: number; end: number; hwm: number };
  bytesPerStream: number;
}

const FANOUT_HOSTS = 100;
const CREATE_OSD_MS = 4000;

async function fanout(streams: number, fixture: string): Promise<FanoutResult> {
  // Without the journal: with it, the sim saves its whole cluster (1.5 MB of JSON here) at
  // every commit of a step, which would be most of what is measured (see the write path).
  const server = await startServer({
    fixture,
    delays: { createOsd: CREATE_OSD_MS },
    // Every CreateOsds runs at once: one host each.
    extraArgs: ["--max-parallel-hosts", String(FANOUT_HOSTS)],
  });
  try {
    // One CreateOsds per host (23 OSDs, one after another, CREATE_OSD_MS each): running, with
    // progress, for ~90 s. Their starts are spread over CREATE_OSD_MS, so that updates come
    // evenly rather than all 100 operations' at the same instants.
    const osd = new OsdServiceClient(server.address, grpc.credentials.createInsecure());
    const ids: string[] = [];
    const t0 = performance.now();
    try {
      for (let i = 1; i <= FANOUT_HOSTS; i++) {
        const at = t0 + ((i - 1) * CREATE_OSD_MS) / FANOUT_HOSTS;
        await new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
        ids.push(
          await new Promise<string>((resolve, reject) => {
            const call = osd.createOsds(
              CreateOsdsRequest.fromPartial({
                spec: { serviceId: "fanout", hostPattern: hostname(i), dataDevices: { rotational: true } },
                requestId: `fanout-${streams}-${i}`,
              }),
            );
            call.once("data", (m: { operation?: Operation }) => {
              resolve(m.operation!.id);
              call.cancel();
            });
            call.once("error", (e: grpc.ServiceError) => {
              if (e.code !== grpc.status.CANCELLED) reject(e);
            });
          }),
        );
      }
    } finally {
      osd.close();
    }
    await new Promise((r) => setTimeout(r, 1500));
    const proc = startProcess(LOAD_CORE, process.execPath, [
      "--import",
      "tsx",
      "bench/load-watch.ts",
      "--address",
      server.address,
      "--ops",
      ids.join(","),
      "--streams",
      String(streams),
      "--server-pid",
      String(server.pid),
      "--settle-ms",
      QUICK ? "500" : "2000",
      "--window-ms",
      QUICK ? "3000" : "10000",
      "--time-limit-ms",
      "60000",
    ]);
    const code = await new Promise<number | null>((resolve) => proc.child.once("exit", resolve));
    if (code !== 0) throw new Error(`load-watch (${streams} streams) exited ${code}: ${proc.output().slice(-3000)}`);
    const r = JSON.parse(proc.output().trim().split("\n").at(-1) ?? "") as FanoutResult;
    if (r.errors.length > 0) throw new Error(`load-watch (${streams} streams): errors ${r.errors.join("; ")}`);
    return r;
  } finally {
    await server.stop(30_000);
  }
}

// ---------------------------------------------------------------------------------------
// Report

const mib = (b: number) => Math.round(b / 1024 / 1024);
const kib = (b: number) => (b >= 10 * 1024 ? Math.round(b / 1024) : round(b / 1024, 1));
const fmt = (x: number) => (x >= 100 ? String(Math.round(x)) : String(round(x, 1)));
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) && Number.isFinite(b) ? round(a / b, 2) : NaN);
const r2 = (x: number) => (Number.isFinite(x) ? (x >= 10 ? String(Math.round(x * 10) / 10) : String(round(x, 2))) : "–");

async function main(): Promise<void> {
  if (PARTS.has("read") && !existsSync(GHZ)) throw new Error(`${path.relative(ROOT, GHZ)} is missing: scripts/setup.sh installs it (go install, pinned)`);
  pinSelf(LOAD_CORE);
  const workDir = mkdtempSync(path.join(os.tmpdir(), "orch-bench-"));
  const m = machine();
  const info = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: m.cpuModel,
      memGiB: m.memGiB,
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverage1m: { start: round(os.loadavg()[0]!, 1), end: NaN },
    },
    pinning: TASKSET
      ? `taskset: servers (ours and the ceiling) on core ${SERVER_CORE}; ghz, the load clients and this runner on core ${LOAD_CORE}`
      : "none (taskset not found)",
    tools: { ghz: "ghz v0.120.0 (go install github.com/bojand/ghz/cmd/ghz@v0.120.0)", grpcJs: "@grpc/grpc-js 1.14.7" },
    quick: QUICK,
  };
  log(`bench: ${info.machine.cpus} CPUs (${info.machine.cpuModel}), Node ${info.machine.node}; pinning: ${info.pinning}`);
  const read: ReadResult[] = [];
  const writes: WriteRound[] = [];
  const fan: FanoutResult[] = [];
  try {
    const fixtures = new Map<number, string>();
    const fixtureFor = (n: number) => {
      if (!fixtures.has(n)) {
        const t = performance.now();
        fixtures.set(n, writeFixture(workDir, n));
        log(`  fixture: ${n} hosts × ${DEVICES_PER_HOST} devices written in ${Math.round(performance.now() - t)} ms`);
      }
      return fixtures.get(n)!;
    };
    if (PARTS.has("read")) {
      log(`\n== read path: ${READ_CALLS.map((c) => c.key).join(", ")} at ${CONCURRENCIES.join(", ")} in flight (ghz), ours and the ceiling`);
      for (const n of SIZES) read.push(await readPath(n, fixtureFor(n), workDir));
    }
    if (PARTS.has("write")) {
      const sizes = QUICK ? [SIZES[0]!] : [SIZES[0]!, SIZES.at(-1)!].filter((x, i, a) => a.indexOf(x) === i);
      log(`\n== write path: AddHostLabel on ${sizes.join(" and ")} hosts, journal on and off`);
      for (const n of sizes) {
        const rounds = QUICK || n >= 10_000 ? 1 : 3;
        for (let r = 1; r <= rounds; r++) {
          // Alternate which mode goes first, so that drift evens out.
          for (const mode of (r % 2 === 1 ? ["journal", "memory"] : ["memory", "journal"]) as Mode[]) {
            const w = await writeRound(n, fixtureFor(n), mode, r, workDir);
            writes.push(w);
            log(
              `  ${n} hosts round ${r} ${mode.padEnd(7)} accepted ${w.acceptedPerSec}/s persistent ${w.persistentPerSec}/s, first message p50 ${w.firstMessageMs.p50} ms p99 ${w.firstMessageMs.p99} ms (${w.ops} writes, ${elapsed()})`,
            );
          }
        }
      }
    }
    if (PARTS.has("fanout")) {
      const counts = QUICK ? [100, 1000] : [1000, 10_000];
      log(`\n== fan-out: ${counts.join(" and ")} WatchOperation streams on ${FANOUT_HOSTS} running CreateOsds`);
      const fixture = writeFixture(workDir, FANOUT_HOSTS, true);
      for (const n of counts) {
        const f = await fanout(n, fixture);
        fan.push(f);
        log(
          `  ${n} streams: ${f.messagesPerSec} updates/s delivered, latency p50 ${f.latencyMs.p50} ms p99 ${f.latencyMs.p99} ms, CPU server ${f.cpu.server} client ${f.cpu.client}, ${Math.round(f.bytesPerStream / 1024)} KiB per stream (${elapsed()})`,
        );
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  info.machine.loadAverage1m.end = round(os.loadavg()[0]!, 1);
  const seconds = Math.round((Date.now() - started) / 1000);
  const summary = summarize(read, writes, fan);
  const result = { ...info, seconds, summary, read, writes, fanout: fan };
  mkdirSync(RESULTS, { recursive: true });
  const stamp = info.date.replace(/[:.]/g, "-");
  const md = markdown(result);
  writeFileSync(path.join(RESULTS, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(RESULTS, `${stamp}.md`), md);
  writeFileSync(path.join(RESULTS, "latest.md"), md);
  log(`\n${md}`);
  log(`bench: done in ${seconds} s; results: bench/results/${stamp}.{json,md}, bench/results/latest.md`);
}

type Summary = ReturnType<typeof summarize>;

function summarize(read: ReadResult[], writes: WriteRound[], fan: FanoutResult[]) {
  const sizes = read.map((r) => r.hosts);
  const small = read[0];
  const big = read.at(-1);
  // The figures of the load generator that does not decode where there is one (large responses), else ghz's.
  const best = (r: ReadResult | undefined, key: string, c: number) => {
    const run = r?.calls.find((x) => x.key === key)?.runs.find((x) => x.concurrency === c);
    return run && { tool: run.raw ? "grpc-js raw" : "ghz", ...(run.raw ?? run.ghz!) };
  };
  const readRows = READ_CALLS.flatMap((call) =>
    CONCURRENCIES.map((c) => {
      const per = read.map((r) => best(r, call.key, c)!);
      const [lo, hi] = [best(small, call.key, c), best(big, call.key, c)];
      return {
        call: call.key,
        concurrency: c,
        tools: per.map((x) => x.tool),
        /** ours / ceiling, requests per second, per cluster size. */
        rpsVsCeiling: per.map((x) => ratio(x.ours.rps, x.ceiling.rps)),
        /** ours / ceiling, p50 latency. */
        p50VsCeiling: per.map((x) => ratio(x.ours.p50Ms, x.ceiling.p50Ms)),
        /** ours / ceiling, server CPU time per request. */
        cpuVsCeiling: per.map((x) => ratio(x.ours.cpuMsPerRequest, x.ceiling.cpuMsPerRequest)),
        ours: per.map((x) => x.ours),
        /** The largest size over the smallest (10,000 hosts / 10): rps and p50 of ours. */
        growth:
          lo && hi && small !== big
            ? { rps: ratio(hi.ours.rps, lo.ours.rps), p50: ratio(hi.ours.p50Ms, lo.ours.p50Ms), cpu: ratio(hi.ours.cpuMsPerRequest, lo.ours.cpuMsPerRequest) }
            : undefined,
      };
    }),
  );
  const writeSizes = [...new Set(writes.map((w) => w.hosts))];
  const wr = writeSizes.map((hosts) => {
    const of = (mode: Mode, f: (w: WriteRound) => number) => median(writes.filter((w) => w.hosts === hosts && w.mode === mode).map(f));
    const j = { acceptedPerSec: of("journal", (w) => w.acceptedPerSec), persistentPerSec: of("journal", (w) => w.persistentPerSec), firstMessageP50: of("journal", (w) => w.firstMessageMs.p50), firstMessageP99: of("journal", (w) => w.firstMessageMs.p99) };
    const mm = { acceptedPerSec: of("memory", (w) => w.acceptedPerSec), persistentPerSec: of("memory", (w) => w.persistentPerSec), firstMessageP50: of("memory", (w) => w.firstMessageMs.p50), firstMessageP99: of("memory", (w) => w.firstMessageMs.p99) };
    return { hosts, journal: j, memory: mm, journalOverMemory: { accepted: ratio(j.acceptedPerSec, mm.acceptedPerSec), persistent: ratio(j.persistentPerSec, mm.persistentPerSec) } };
  });
  const f1 = fan[0];
  const f2 = fan.at(-1);
  return {
    sizes,
    read: readRows,
    memory: read.map((r) => ({ hosts: r.hosts, peakMiB: mib(r.memory.peakHwm), afterLoadMiB: mib(r.memory.afterLoadRss), startupSec: round(r.startupMs / 1000, 1) })),
    writes: wr,
    writeGrowth:
      wr.length > 1
        ? {
            memoryAccepted: ratio(wr.at(-1)!.memory.acceptedPerSec, wr[0]!.memory.acceptedPerSec),
            journalPersistent: ratio(wr.at(-1)!.journal.persistentPerSec, wr[0]!.journal.persistentPerSec),
            memoryFirstMessageP50: ratio(wr.at(-1)!.memory.firstMessageP50, wr[0]!.memory.firstMessageP50),
          }
        : undefined,
    fanout:
      f1 && f2 && f1 !== f2
        ? {
            streams: [f1.streams, f2.streams],
            p99: [f1.latencyMs.p99, f2.latencyMs.p99],
            bytesPerStream: [f1.bytesPerStream, f2.bytesPerStream],
            p99Growth: ratio(f2.latencyMs.p99, f1.latencyMs.p99),
            bytesPerStreamGrowth: ratio(f2.bytesPerStream, f1.bytesPerStream),
          }
        : undefined,
  };
}

function markdown(r: {
  date: string;
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string; platform: string; loadAverage1m: { start: number; end: number } };
  pinning: string;
  tools: Record<string, string>;
  quick: boolean;
  seconds: number;
  summary: Summary;
  read: ReadResult[];
  writes: WriteRound[];
  fanout: FanoutResult[];
}): string {
  const s = r.summary;
  const L: string[] = [];
  const sizeName = (n: number) => n.toLocaleString("en-US");
  L.push(
    "# Benchmark",
    "",
    `${r.date}: ${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.memGiB} GiB, Node ${r.machine.node}, ${r.machine.platform}; load average ${r.machine.loadAverage1m.start} at the start, ${r.machine.loadAverage1m.end} at the end. ${r.tools.ghz}, ${r.tools.grpcJs}. Pinning: ${r.pinning}. \`npm run bench\` took ${r.seconds} s${r.quick ? " (--quick: short runs, not figures to quote)" : ""}.`,
    "",
    "Ratios against a baseline of the same run: **ours / ceiling** (a bare grpc-js server sending the same pre-encoded response bytes), **journal on / off**, **10,000 hosts / 10 hosts**, **10,000 streams / 1,000**.",
    "",
  );
  if (s.read.length > 0 && r.read.length > 0) {
    L.push(
      "## Read path",
      "",
      `Ours / the ceiling, as **requests per second / p50 latency / server CPU time per request**, at 1, 50 and 200 requests in flight, on clusters of ${s.sizes.map(sizeName).join(", ")} hosts (24 devices each). Under ghz; responses over ${RAW_ABOVE_BYTES / 1024} KiB (marked *) under bench/load-unary.ts, a grpc-js client that does not decode (ghz decoding them is slower than either server). On a busy machine the load generator or other work may limit both servers alike; the CPU time per request is the ratio least affected by that.${s.read[0]?.growth ? ` Growth: ours at ${sizeName(s.sizes.at(-1)!)} hosts / ours at ${sizeName(s.sizes[0]!)} hosts, same three figures.` : ""}`,
      "",
      `| call | in flight | ${s.sizes.map((n) => `ours / ceiling, ${sizeName(n)} hosts`).join(" | ")} |${s.read[0]?.growth ? ` growth ${sizeName(s.sizes[0]!)} → ${sizeName(s.sizes.at(-1)!)} hosts |` : ""}`,
      `|---|---:|${s.sizes.map(() => "---:").join("|")}|${s.read[0]?.growth ? "---:|" : ""}`,
      ...s.read.map(
        (x) =>
          `| ${x.call} | ${x.concurrency} | ${x.rpsVsCeiling.map((v, i) => `${r2(v)} / ${r2(x.p50VsCeiling[i]!)} / ${r2(x.cpuVsCeiling[i]!)}${x.tools[i] === "ghz" ? "" : "*"}`).join(" | ")} |${x.growth ? ` ${r2(x.growth.rps)} / ${r2(x.growth.p50)} / ${r2(x.growth.cpu)} |` : ""}`,
      ),
      "",
      "Absolute figures, ours (the ceiling in brackets): requests per second, p50 and p99 latency in ms, the server's CPU use meanwhile in cores (1.0: its core saturated; well below 1, the load generator or other work on the machine was the limit) and its CPU time per request in ms.",
      "",
    );
    for (const rr of r.read) {
      L.push(
        `### ${sizeName(rr.hosts)} hosts`,
        "",
        `Server up in ${round(rr.startupMs / 1000, 1)} s; RSS ${mib(rr.memory.afterStartRss)} MiB after start, ${mib(rr.memory.afterLoadRss)} MiB after the load; **peak (VmHWM) ${mib(rr.memory.peakHwm)} MiB**.`,
        "",
        "| call | response | in flight | tool | requests | rps | p50 ms | p99 ms | server CPU | CPU ms per request |",
        "|---|---|---:|---|---|---:|---:|---:|---:|---:|",
        ...rr.calls.flatMap((c) =>
          c.runs.flatMap((x) =>
            (["ghz", "raw"] as const).flatMap((tool) => {
              const p = x[tool];
              if (!p) return [];
              return [
                `| ${c.key} | ${c.holds}, ${kib(c.responseBytes)} KiB | ${x.concurrency} | ${tool === "raw" ? "grpc-js raw" : "ghz"} | ${p.mode} | ${fmt(p.ours.rps)} (${fmt(p.ceiling.rps)}) | ${p.ours.p50Ms} (${p.ceiling.p50Ms}) | ${p.ours.p99Ms} (${p.ceiling.p99Ms}) | ${p.ours.serverCpu} (${p.ceiling.serverCpu}) | ${p.ours.cpuMsPerRequest} (${p.ceiling.cpuMsPerRequest}) |`,
              ];
            }),
          ),
        ),
        "",
      );
    }
  }
  if (s.writes.length > 0) {
    L.push(
      "## Write path",
      "",
      "AddHostLabel writes on the same 10 hosts, each with its own request_id, from 4 channels; a slot sends its next write once the previous is ACCEPTED and reads that one on to PERSISTENT. First message: the time to a write's first message (ACCEPTED). Medians of the rounds.",
      "",
      "| hosts | | journal on | journal off | on / off |",
      "|---:|---|---:|---:|---:|",
      ...s.writes.flatMap((w) => [
        `| ${sizeName(w.hosts)} | accepted per second | ${w.journal.acceptedPerSec} | ${w.memory.acceptedPerSec} | ${r2(w.journalOverMemory.accepted)} |`,
        `| ${sizeName(w.hosts)} | persistent per second | ${w.journal.persistentPerSec} | ${w.memory.persistentPerSec} | ${r2(w.journalOverMemory.persistent)} |`,
        `| ${sizeName(w.hosts)} | first message p50 / p99 (ms) | ${w.journal.firstMessageP50} / ${w.journal.firstMessageP99} | ${w.memory.firstMessageP50} / ${w.memory.firstMessageP99} | |`,
      ]),
      "",
      ...(s.writeGrowth
        ? [
            `Growth, ${sizeName(s.writes.at(-1)!.hosts)} hosts / ${sizeName(s.writes[0]!.hosts)}: accepted per second without the journal ${r2(s.writeGrowth.memoryAccepted)}, first message p50 ${r2(s.writeGrowth.memoryFirstMessageP50)}; persistent per second with the journal ${r2(s.writeGrowth.journalPersistent)}.`,
            "",
          ]
        : []),
      "| hosts | round | mode | writes | in flight | accepted/s | persistent/s | first message p50 / p99 ms | PERSISTENT p50 / p99 ms | all ended after s | server start s |",
      "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...r.writes.map(
        (w) =>
          `| ${sizeName(w.hosts)} | ${w.round} | ${w.mode} | ${w.ops} | ${w.concurrency} | ${w.acceptedPerSec} | ${w.persistentPerSec} | ${w.firstMessageMs.p50} / ${w.firstMessageMs.p99} | ${w.persistentMs.p50} / ${w.persistentMs.p99} | ${w.allDoneSec ?? "not waited"} | ${round(w.startupMs / 1000, 1)} |`,
      ),
      "",
    );
  }
  if (r.fanout.length > 0) {
    L.push(
      "## Fan-out",
      "",
      `WatchOperation streams spread over ${FANOUT_HOSTS} running CreateOsds (one per host of a ${FANOUT_HOSTS}-host cluster of new nodes, 23 OSDs each, ${CREATE_OSD_MS / 1000} s per OSD; journal off), at most 100 streams per connection. Delivery latency: receive time − the update's update_time, over a 10 s window after all streams are attached. Memory per stream: (server RSS with the streams open − before) / streams.`,
      "",
      "| streams | connections | updates delivered/s | latency p50 ms | latency p99 ms | max ms | CPU server / client (cores) | server RSS before → open (MiB) | KiB per stream | attach all (ms) |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...r.fanout.map(
        (f) =>
          `| ${sizeName(f.streams)} | ${f.connections} | ${f.messagesPerSec} | ${f.latencyMs.p50} | ${f.latencyMs.p99} | ${f.latencyMs.max} | ${f.cpu.server} / ${f.cpu.client} | ${mib(f.serverRss.before)} → ${mib(f.serverRss.open)} | ${round(f.bytesPerStream / 1024, 1)} | ${f.attachMs} |`,
      ),
      "",
      ...(s.fanout ? [`${sizeName(s.fanout.streams[1]!)} streams / ${sizeName(s.fanout.streams[0]!)}: p99 latency ${r2(s.fanout.p99Growth)}×, memory per stream ${r2(s.fanout.bytesPerStreamGrowth)}×.`, ""] : []),
    );
  }
  return `${L.join("\n")}\n`;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killChildren();
    process.exit(1);
  },
);
