// The ceiling of this stack (benchmark, not a test): a bare grpc-js server, with the same
// server options as ours, that registers the same method paths with passthrough
// serializers and answers each request with the pre-encoded bytes our service gave for it.
// No decoding, no domain, no backend, no encoding, no interceptors: what grpc-js and Node
// cost alone for the same bytes on the wire.
//
//   node --import tsx bench/ceiling-server.ts --listen 127.0.0.1:PORT --responses FILE
//
// FILE: JSON [{ "path": "/pkg.Service/Method", "request": base64, "response": base64 }].
// A request whose bytes match no entry of its path answers with the path's only entry, or
// INTERNAL when the path has several (the benchmark then fails: a wrong ceiling is worse
// than none).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";

const { values } = parseArgs({ options: { listen: { type: "string" }, responses: { type: "string" } } });
if (!values.listen || !values.responses) {
  process.stderr.write("usage: ceiling-server.ts --listen HOST:PORT --responses FILE\n");
  process.exit(2);
}
const entries = JSON.parse(readFileSync(values.responses, "utf8")) as { path: string; request: string; response: string }[];
const byPath = new Map<string, Map<string, Buffer>>();
for (const e of entries) {
  const m = byPath.get(e.path) ?? new Map<string, Buffer>();
  m.set(e.request, Buffer.from(e.response, "base64"));
  byPath.set(e.path, m);
}
const status = "/ceph_orchestrator.v1.OrchestratorService/GetStatus";
if (!byPath.has(status)) byPath.set(status, new Map([["", Buffer.alloc(0)]]));

// Our server's options (src/server.ts), so that only the work per call differs.
const server = new grpc.Server({
  "grpc.max_receive_message_length": 16 * 1024 * 1024,
  "grpc.max_send_message_length": 16 * 1024 * 1024,
  "grpc.keepalive_time_ms": 60_000,
  "grpc.keepalive_timeout_ms": 20_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.http2.min_ping_interval_without_data_ms": 10_000,
  "grpc.max_concurrent_streams": 100,
});
const passthrough = (b: Buffer) => b;
for (const [path, responses] of byPath) {
  const only = responses.size === 1 ? [...responses.values()][0] : undefined;
  server.register<Buffer, Buffer>(
    path,
    (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      const res = responses.get(call.request.toString("base64")) ?? only;
      if (res) callback(null, res);
      else callback({ code: grpc.status.INTERNAL, details: `ceiling: no response recorded for this request to ${path}` });
    },
    passthrough,
    passthrough,
    "unary",
  );
}
server.bindAsync(values.listen, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) {
    process.stderr.write(`ceiling: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`ceiling serving ${byPath.size} methods on ${values.listen}\n`);
});
for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => server.tryShutdown(() => process.exit(0)));
