// Write-path load (benchmark, not a test), run as its own process so that the measured
// service does not share an event loop with its clients. Sends AddHostLabel writes, each
// with its own request_id, from several gRPC channels: a slot sends its next write as soon
// as the previous one is ACCEPTED, and keeps reading that one's stream until PERSISTENT,
// then detaches (the operation goes on). Prints one JSON line:
//   accepted/s and persistent/s (writes over the time to the last ACCEPTED / PERSISTENT),
//   the time to the first message of a write's stream (ACCEPTED) and to PERSISTENT,
//   and when every operation had ended.
//
//   node --import tsx bench/load-writes.ts --address 127.0.0.1:PORT --hosts node-00001,... \
//     [--ops 2000] [--concurrency 128] [--channels 4] [--warmup 300] [--tag x] [--time-limit-ms 60000] [--wait-done false]
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { AddHostLabelRequest, HostServiceClient } from "../gen/ts/ceph_orchestrator/v1/host_service.js";
import type { Operation } from "../gen/ts/ceph_orchestrator/v1/operation.js";
import { OperationServiceClient } from "../gen/ts/ceph_orchestrator/v1/operation_service.js";
import { percentile, round } from "./lib.js";

const { values: flags } = parseArgs({
  options: {
    address: { type: "string" },
    hosts: { type: "string" },
    ops: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "128" },
    channels: { type: "string", default: "4" },
    warmup: { type: "string", default: "300" },
    tag: { type: "string", default: "w" },
    "time-limit-ms": { type: "string", default: "60000" },
    "wait-done": { type: "string", default: "true" },
  },
});
const ADDRESS = flags.address!;
const HOSTS = flags.hosts!.split(",");
const OPS = Number(flags.ops);
const CONCURRENCY = Number(flags.concurrency);
const CHANNELS = Number(flags.channels);
const WARMUP = Number(flags.warmup);
const TAG = flags.tag!;
const TIME_LIMIT_MS = Number(flags["time-limit-ms"]);
/** Wait for every operation to end (false: measure accepted and persistent only). */
const WAIT_DONE = flags["wait-done"] !== "false";

const limit = setTimeout(() => {
  process.stderr.write(`load-writes: over its ${TIME_LIMIT_MS / 1000} s limit\n`);
  process.exit(3);
}, TIME_LIMIT_MS);
limit.unref();

interface Timings {
  t0: number;
  submitted: number[];
  accepted: number[];
  persistent: number[];
  ids: string[];
}

/** Sends `count` writes with `concurrency` slots; per-write times in ms since t0. */
async function load(clients: HostServiceClient[], count: number, concurrency: number, tag: string): Promise<Timings> {
  const t: Timings = { t0: performance.now(), submitted: [], accepted: [], persistent: [], ids: [] };
  const recorded: Promise<void>[] = [];
  let next = 0;
  /** Resolves at ACCEPTED; the promise it leaves in `recorded` resolves at PERSISTENT. */
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
      const req = AddHostLabelRequest.fromPartial({ hostname: HOSTS[i % HOSTS.length]!, label: "bench", requestId: `${tag}-${i}` });
      t.submitted[i] = performance.now() - t.t0;
      const stream = client.addHostLabel(req);
      let settled = false;
      stream.on("data", (msg: { operation?: Operation }) => {
        const op = msg.operation;
        if (!op) return;
        const now = performance.now() - t.t0;
        if (t.accepted[i] === undefined) {
          t.accepted[i] = now;
          t.ids[i] = op.id;
          accept();
        }
        if (op.persistent && t.persistent[i] === undefined) {
          t.persistent[i] = now;
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
  return t;
}

async function waitAllDone(ids: string[]): Promise<void> {
  const ops = new OperationServiceClient(ADDRESS, grpc.credentials.createInsecure());
  try {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const res = await new Promise<{ allDone: boolean }>((resolve, reject) =>
        ops.waitOperations({ ids: chunk, timeout: { seconds: "60", nanos: 0 } }, new grpc.Metadata(), { deadline: Date.now() + 70_000 }, (err, r) =>
          err ? reject(err) : resolve(r),
        ),
      );
      if (!res.allDone) throw new Error("operations did not end within 60 s");
    }
  } finally {
    ops.close();
  }
}

async function main(): Promise<void> {
  // Separate connections: a channel option that differs per channel, and no shared subchannel pool.
  const clients = Array.from(
    { length: CHANNELS },
    (_, n) => new HostServiceClient(ADDRESS, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1, "bench.channel": n }),
  );
  try {
    if (WARMUP > 0) {
      const warm = await load(clients, WARMUP, Math.min(CONCURRENCY, 32), `warm-${TAG}`);
      await waitAllDone(warm.ids);
    }
    const r = await load(clients, OPS, CONCURRENCY, TAG);
    if (WAIT_DONE) await waitAllDone(r.ids);
    const allDone = WAIT_DONE ? performance.now() - r.t0 : NaN;
    const lastAccepted = Math.max(...r.accepted);
    const lastPersistent = Math.max(...r.persistent);
    const firstMessage = r.accepted.map((x, i) => x - r.submitted[i]!).sort((a, b) => a - b);
    const toPersistent = r.persistent.map((x, i) => x - r.submitted[i]!).sort((a, b) => a - b);
    const result = {
      ops: OPS,
      concurrency: CONCURRENCY,
      channels: CHANNELS,
      acceptedPerSec: Math.round(OPS / (lastAccepted / 1000)),
      persistentPerSec: Math.round(OPS / (lastPersistent / 1000)),
      firstMessageMs: { p50: round(percentile(firstMessage, 50), 2), p99: round(percentile(firstMessage, 99), 2) },
      persistentMs: { p50: round(percentile(toPersistent, 50), 2), p99: round(percentile(toPersistent, 99), 2) },
      allDoneSec: WAIT_DONE ? round(allDone / 1000, 2) : null,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    for (const c of clients) c.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`load-writes failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
