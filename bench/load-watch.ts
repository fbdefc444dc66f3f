// Fan-out load (benchmark, not a test), run as its own process: N concurrent
// WatchOperation streams spread over running operations, over enough connections that none
// carries more than the server's 100 concurrent streams (--max-concurrent-streams). Once
// every stream has its first message (the operation's current snapshot), it waits a moment,
// then for a fixed window records, for every update received, the delivery latency:
// receive time − the snapshot's update_time (the same machine's clock; update_time has
// millisecond resolution). Memory per stream is (the server's RSS with the streams open −
// its RSS before) / N, read from /proc/<server pid>/status (medians of samples: before,
// over a second; open, every 500 ms of the window). Prints one JSON line.
//
//   node --import tsx bench/load-watch.ts --address 127.0.0.1:PORT --ops id1,id2,... --streams 1000 \
//     --server-pid PID [--per-connection 100] [--settle-ms 2000] [--window-ms 10000] [--time-limit-ms 90000]
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import type { Operation } from "../gen/ts/ceph_orchestrator/v1/operation.js";
import { OperationServiceClient } from "../gen/ts/ceph_orchestrator/v1/operation_service.js";
import { cpuSeconds, median, memory, percentile, round } from "./lib.js";

const { values: flags } = parseArgs({
  options: {
    address: { type: "string" },
    ops: { type: "string" },
    streams: { type: "string" },
    "server-pid": { type: "string" },
    "per-connection": { type: "string", default: "100" },
    "settle-ms": { type: "string", default: "2000" },
    "window-ms": { type: "string", default: "10000" },
    "time-limit-ms": { type: "string", default: "90000" },
  },
});
const ADDRESS = flags.address!;
const OPS = flags.ops!.split(",");
const STREAMS = Number(flags.streams);
const SERVER_PID = Number(flags["server-pid"]);
const PER_CONNECTION = Number(flags["per-connection"]);
const SETTLE_MS = Number(flags["settle-ms"]);
const WINDOW_MS = Number(flags["window-ms"]);
const TIME_LIMIT_MS = Number(flags["time-limit-ms"]);

const limit = setTimeout(() => {
  process.stderr.write(`load-watch: over its ${TIME_LIMIT_MS / 1000} s limit\n`);
  process.exit(3);
}, TIME_LIMIT_MS);
limit.unref();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Wall-clock milliseconds with sub-millisecond resolution. */
const nowMs = () => performance.timeOrigin + performance.now();

/** The median of `n` RSS samples of the server, `everyMs` apart (RSS moves with its garbage collector). */
async function rssSamples(n: number, everyMs: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) await sleep(everyMs);
    xs.push(memory(SERVER_PID).rss);
  }
  return median(xs);
}

async function main(): Promise<void> {
  const before = await rssSamples(5, 200);
  const connections = Math.ceil(STREAMS / PER_CONNECTION);
  const clients = Array.from(
    { length: connections },
    (_, n) => new OperationServiceClient(ADDRESS, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1, "bench.channel": n }),
  );
  let measuring = false;
  const latencies: number[] = [];
  let attached = 0;
  let ended = 0;
  const errors: string[] = [];
  let allAttached!: () => void;
  const attachedAll = new Promise<void>((r) => (allAttached = r));
  const t0 = performance.now();
  const calls: grpc.ClientReadableStream<unknown>[] = [];
  for (let i = 0; i < STREAMS; i++) {
    const call = clients[i % connections]!.watchOperation({ id: OPS[i % OPS.length]! });
    let first = true;
    call.on("data", (msg: { operation?: Operation }) => {
      if (first) {
        first = false;
        if (++attached === STREAMS) allAttached();
        return; // the current snapshot, not an update
      }
      const t = msg.operation?.updateTime;
      if (measuring && t) latencies.push(nowMs() - (Number(t.seconds) * 1000 + t.nanos / 1e6));
    });
    call.on("error", (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.CANCELLED && errors.length < 20) errors.push(err.message);
    });
    call.on("end", () => ended++);
    calls.push(call);
  }
  await attachedAll;
  const attachMs = performance.now() - t0;
  await sleep(SETTLE_MS);
  measuring = true;
  const w0 = performance.now();
  const serverCpu0 = cpuSeconds(SERVER_PID);
  const clientCpu0 = process.cpuUsage();
  const open = await rssSamples(Math.max(1, Math.floor(WINDOW_MS / 500)), 500);
  await sleep(Math.max(0, WINDOW_MS - (performance.now() - w0)));
  measuring = false;
  const windowMs = performance.now() - w0;
  const serverCpu = (cpuSeconds(SERVER_PID) - serverCpu0) / (windowMs / 1000);
  const clientUsage = process.cpuUsage(clientCpu0);
  const clientCpu = (clientUsage.user + clientUsage.system) / 1000 / windowMs;
  const end = memory(SERVER_PID);
  for (const c of calls) c.cancel();
  for (const c of clients) c.close();
  const sorted = latencies.sort((a, b) => a - b);
  const result = {
    streams: STREAMS,
    operations: OPS.length,
    connections,
    attachMs: Math.round(attachMs),
    messages: sorted.length,
    messagesPerSec: Math.round(sorted.length / (windowMs / 1000)),
    endedEarly: ended,
    errors,
    latencyMs: { p50: round(percentile(sorted, 50), 2), p99: round(percentile(sorted, 99), 2), max: round(sorted.at(-1) ?? NaN, 2) },
    /** CPU use over the window, in cores: the server's and this client's (1: a core saturated). */
    cpu: { server: round(serverCpu, 2), client: round(clientCpu, 2) },
    serverRss: { before, open, end: end.rss, hwm: end.hwm },
    bytesPerStream: Math.round((open - before) / STREAMS),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`load-watch failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
