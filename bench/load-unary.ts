// Unary load without decoding (benchmark, not a test): a grpc-js client with passthrough
// serializers, `concurrency` calls in flight over `connections` channels, sending fixed
// request bytes and counting response bytes, never decoding them. ghz decodes every
// response into dynamic protobuf messages, which caps it at ~100 responses/s of 200 KiB
// on one core: for large responses it measures itself, not the server. This client is
// what the benchmark uses beside ghz for those. Prints one JSON line (count, rps, p50,
// p99 in ms, response bytes, errors).
//
//   node --import tsx bench/load-unary.ts --address 127.0.0.1:PORT --path /pkg.Svc/Method \
//     --request BASE64 --concurrency 50 --connections 5 (--count N | --seconds S) [--warmup-seconds 0.5]
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { percentile, round } from "./lib.js";

const { values: flags } = parseArgs({
  options: {
    address: { type: "string" },
    path: { type: "string" },
    request: { type: "string", default: "" },
    concurrency: { type: "string", default: "1" },
    connections: { type: "string", default: "1" },
    count: { type: "string" },
    seconds: { type: "string" },
    "warmup-seconds": { type: "string", default: "0" },
    "time-limit-ms": { type: "string", default: "120000" },
  },
});
const REQUEST = Buffer.from(flags.request!, "base64");
const CONCURRENCY = Number(flags.concurrency);
const CONNECTIONS = Number(flags.connections);
const TIME_LIMIT_MS = Number(flags["time-limit-ms"]);

const limit = setTimeout(() => {
  process.stderr.write(`load-unary: over its ${TIME_LIMIT_MS / 1000} s limit\n`);
  process.exit(3);
}, TIME_LIMIT_MS);
limit.unref();

const passthrough = (b: Buffer) => b;
const clients = Array.from(
  { length: CONNECTIONS },
  (_, n) =>
    new grpc.Client(flags.address!, grpc.credentials.createInsecure(), {
      "grpc.use_local_subchannel_pool": 1,
      "bench.channel": n,
      "grpc.max_receive_message_length": 64 * 1024 * 1024,
    }),
);

function call(client: grpc.Client): Promise<number> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(flags.path!, passthrough, passthrough, REQUEST, new grpc.Metadata(), { deadline: Date.now() + 60_000 }, (err, res) =>
      err ? reject(err) : resolve(res!.length),
    ),
  );
}

/** Runs `concurrency` workers until `count` calls are sent or `untilMs` (performance.now()) passes. */
async function run(count: number, untilMs: number): Promise<{ latencies: number[]; bytes: number; ms: number }> {
  const latencies: number[] = [];
  let bytes = 0;
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      const client = clients[w % clients.length]!;
      while (sent < count && performance.now() < untilMs) {
        sent++;
        const t = performance.now();
        const n = await call(client);
        latencies.push(performance.now() - t);
        bytes += n;
      }
    }),
  );
  return { latencies, bytes, ms: performance.now() - t0 };
}

async function main(): Promise<void> {
  const warm = Number(flags["warmup-seconds"]);
  if (warm > 0) await run(Infinity, performance.now() + warm * 1000);
  const r = flags.count ? await run(Number(flags.count), Infinity) : await run(Infinity, performance.now() + Number(flags.seconds) * 1000);
  const sorted = r.latencies.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      count: sorted.length,
      rps: round(sorted.length / (r.ms / 1000), 1),
      p50Ms: round(percentile(sorted, 50), 3),
      p99Ms: round(percentile(sorted, 99), 3),
      responseBytes: r.bytes / Math.max(1, sorted.length),
    })}\n`,
  );
  for (const c of clients) c.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`load-unary failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
