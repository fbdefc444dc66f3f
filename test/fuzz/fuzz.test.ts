// Property-based fuzzing of every RPC (fast-check): random, seeded and mutated request
// bytes (test/fuzz/arbitraries.ts) sent over real gRPC to an in-process server over the
// sim (delays 0). For every case:
//   - the server answers, within the deadline, never INTERNAL, UNKNOWN or UNAVAILABLE, so
//     it neither crashed nor hit an unexpected error;
//   - every error carries google.rpc.ErrorInfo, and INVALID_ARGUMENT a BadRequest with at
//     least one field violation;
//   - a read, and a write that is refused, leave the cluster exactly as it was (hosts,
//     labels, devices, services, daemons, OSDs, device lights, the removal queue and the
//     upgrade) and start no operation; a write that is accepted runs to its end.
// FUZZ_RUNS (default 10,000) is the number of cases, spread over the RPCs; FUZZ_SEED
// replays a run (with `-t <Method>` for one RPC); FUZZ_DUMP=<dir> saves a failing request's
// bytes there. `npm run fuzz -- 50000` runs more.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { type DescField, type DescMessage, type Message, fromBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { ServiceAction, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { RpcName } from "../../src/domain/registry.js";
import { RPC_ACCESS } from "../../src/security/roles.js";
import { methodDescriptor } from "../../src/contract/descriptors.js";
import { type RpcError, type RpcMethod, allRpcs, toRpcError } from "../conformance/api.js";
import { type Sim, startSim } from "../grpc/helpers.js";
import { type FuzzInput, requestBytesArb } from "./arbitraries.js";

const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 10_000));
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
/** A directory to write each failing request's bytes to (FUZZ_DUMP), for replaying them. */
const DUMP = process.env.FUZZ_DUMP;
const RPCS = allRpcs();
const PER_RPC = Math.ceil(RUNS / RPCS.length);
const DOMAIN = "orchestrator.ceph.io";
const CALL_DEADLINE_MS = 20_000;
const UUID = "00000000-0000-4000-8000-000000000000";
const BAD_CODES = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.UNAVAILABLE, grpc.status.DATA_LOSS, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED]);

/** Valid requests of each RPC (protobuf-es init objects), for the seeded cases; keyed by RpcName, so every RPC has its line. */
const SEEDS: Record<RpcName, Record<string, unknown>[]> = {
  "OrchestratorService.GetStatus": [{}],
  "OrchestratorService.GetCapabilities": [{}],
  "OrchestratorService.PauseReconciliation": [{}],
  "OrchestratorService.ResumeReconciliation": [{}],
  "HostService.AddHost": [{ host: { hostname: "node-4" } }, { host: { hostname: "node-5", addr: "10.0.0.15", labels: ["osd", "mds"] } }],
  "HostService.RemoveHost": [{ hostname: "node-3" }, { hostname: "node-4", force: true }],
  "HostService.UpdateHostAddr": [{ hostname: "node-2", addr: "10.0.0.42" }, { hostname: "node-3", addr: "node-3.example" }],
  "HostService.ListHosts": [{ label: "_admin", pageSize: 2 }],
  "HostService.AddHostLabel": [{ hostname: "node-1", label: "fuzz" }],
  "HostService.RemoveHostLabel": [{ hostname: "node-1", label: "fuzz" }],
  "HostService.HostOkToStop": [{ hostname: "node-1" }],
  "HostService.EnterHostMaintenance": [{ hostname: "node-1" }],
  "HostService.ExitHostMaintenance": [{ hostname: "node-1" }],
  "HostService.DrainHost": [{ hostname: "node-3" }],
  "InventoryService.GetInventory": [{ hostnames: ["node-1"], refresh: true, pageSize: 2 }],
  "InventoryService.BlinkDeviceLight": [{ light: LightType.LIGHT_TYPE_IDENT, on: true, locations: [{ hostname: "node-1", path: "/dev/sdb" }] }],
  "InventoryService.ZapDevice": [{ hostname: "node-1", path: "/dev/sdc" }, { hostname: "node-2", path: "/dev/sdb" }],
  "ServiceService.DescribeServices": [{ serviceType: ServiceType.SERVICE_TYPE_MON, refresh: true }],
  "ServiceService.ListDaemons": [{ hostname: "node-1", serviceName: "mon" }],
  "ServiceService.ServiceAction": [{ action: ServiceAction.SERVICE_ACTION_RESTART, serviceName: "crash" }],
  "ServiceService.DaemonAction": [{ action: ServiceAction.SERVICE_ACTION_RELOAD, daemonName: "mon.node-1" }],
  "ServiceService.RemoveDaemons": [{ daemonNames: ["crash.node-1"] }, { daemonNames: ["mon.node-3"], force: true }],
  "ServiceService.UpdateMons": [{ placement: { count: 3 } }, { placement: { hosts: [{ hostname: "node-1" }, { hostname: "node-2" }] } }],
  "ServiceService.UpdateMgrs": [{ placement: { count: 2, label: "mgr" } }],
  "ServiceService.AddStatelessService": [
    { spec: { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: "fuzz", placement: { count: 1 } } },
    { spec: { serviceType: ServiceType.SERVICE_TYPE_RGW, serviceId: "fuzz", placement: { hostPattern: "node-*" }, details: { case: "rgw", value: { rgwRealm: "r", rgwZone: "z", systemAccessKey: "AK", systemSecretKey: "SK" } } } },
    { spec: { serviceType: ServiceType.SERVICE_TYPE_ISCSI, serviceId: "fuzz", placement: { count: 1 }, details: { case: "iscsi", value: { pool: "iscsi", apiUser: "u", apiPassword: "p", trustedIpList: ["10.0.0.1"] } } } },
  ],
  "ServiceService.UpdateStatelessService": [{ spec: { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: "fuzz", placement: { count: 2 } } }],
  "ServiceService.RemoveStatelessService": [{ serviceName: "mds.fuzz" }],
  "ServiceService.ReconcileService": [{ serviceName: "mds.fuzz" }],
  "ServiceService.AddDaemons": [{ spec: { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: "fuzz", placement: { hosts: [{ hostname: "node-1" }] } } }],
  "OsdService.CreateOsds": [{ spec: { hostPattern: "node-1", dataDevices: { paths: ["/dev/sdc"] } } }, { spec: { hostPattern: "node-*", dataDevices: { rotational: true }, dbDevices: { rotational: false, size: "100G:" } } }],
  "OsdService.PreviewOsds": [{ spec: { hostPattern: "node-*", dataDevices: { rotational: true, limit: 2 }, encrypted: true } }],
  "OsdService.ReplaceOsds": [{ spec: { hostPattern: "node-1", dataDevices: { paths: ["/dev/sdb"] }, osdIdClaims: { "node-1": { osdIds: [0] } } } }],
  "OsdService.RemoveOsds": [{ osdIds: [0], replace: true }, { osdIds: [1, 2], force: true }],
  "OsdService.GetOsdRemovalStatus": [{}],
  "UpgradeService.GetAvailableUpgrades": [{}],
  "UpgradeService.StartUpgrade": [{ targetVersion: "17.2.7" }, { image: "quay.io/ceph/ceph:v17.2.7" }],
  "UpgradeService.GetUpgradeStatus": [{}],
  "UpgradeService.PauseUpgrade": [{}],
  "UpgradeService.ResumeUpgrade": [{}],
  "UpgradeService.StopUpgrade": [{}],
  "OperationService.GetOperation": [{ id: UUID }],
  "OperationService.ListOperations": [{ states: [Operation_State.STATE_SUCCEEDED], pageSize: 3 }],
  "OperationService.WatchOperation": [{ id: UUID }],
  "OperationService.WaitOperations": [{ ids: [UUID], timeout: { seconds: 1n } }],
  "OperationService.CancelOperation": [{ id: UUID }],
};

let sim: Sim;
let client: grpc.Client;
const stats = { cases: 0, ok: 0, byCode: new Map<string, number>(), byKind: new Map<string, number>(), ms: 0 };

type Outcome = { ok: true; messages: Buffer[] } | { ok: false; error: RpcError; messages: Buffer[] };

const raw = (b: Buffer) => b;

/** Sends the bytes as the RPC's request, unary or server-streaming, and reads the answer to its end. */
function send(rpc: RpcMethod, bytes: Uint8Array): Promise<Outcome> {
  const opts = { deadline: Date.now() + CALL_DEADLINE_MS };
  const md = new grpc.Metadata();
  const req = Buffer.from(bytes);
  if (!rpc.responseStream) {
    return new Promise((resolve) =>
      client.makeUnaryRequest(rpc.path, raw, raw, req, md, opts, (err, res) =>
        resolve(err ? { ok: false, error: toRpcError(err), messages: [] } : { ok: true, messages: [res!] }),
      ),
    );
  }
  return new Promise((resolve) => {
    const messages: Buffer[] = [];
    const s = client.makeServerStreamRequest(rpc.path, raw, raw, req, md, opts);
    s.on("data", (m: Buffer) => messages.push(m));
    s.on("error", (err) => resolve({ ok: false, error: toRpcError(err), messages }));
    s.on("end", () => resolve({ ok: true, messages }));
  });
}

/** What a refused request must not change, as one string (refresh times left out). */
function clusterState(): string {
  const deps = sim.server.deps!;
  const backend = deps.backend as unknown as {
    toState(): { hosts: { hostname: string; devices: { path: string }[] }[] };
    deviceLights(hostname: string, path: string): unknown;
  };
  const state = backend.toState();
  const lights = state.hosts.flatMap((h) => h.devices.map((d) => [h.hostname, d.path, backend.deviceLights(h.hostname, d.path)]));
  const newest = deps.engine.list({ states: [], method: "", hostname: "" })[0]?.id ?? "";
  return JSON.stringify({ state, lights, removals: [...deps.state.removals], upgrade: deps.state.upgrade, newest }, (k, v: unknown) =>
    k === "refreshedAt" || k === "lastRefresh" ? undefined : typeof v === "bigint" ? v.toString() : v,
  );
}

/** The path of a message in its file's descriptor (for source comments). */
function messagePath(d: DescMessage): number[] {
  const parent = d.parent;
  if (!parent) return [4, d.file.proto.messageType.indexOf(d.proto)];
  return [...messagePath(parent), 3, parent.proto.nestedType.indexOf(d.proto)];
}

/** Whether the proto documents the field as "Output only." (ignored in requests, AIP-203). */
function isOutputOnly(f: DescField): boolean {
  const path = [...messagePath(f.parent), 2, f.parent.proto.field.indexOf(f.proto)].join(",");
  const loc = f.parent.file.proto.sourceCodeInfo?.location.find((l) => l.path.join(",") === path);
  return /^\s*Output only/.test(loc?.leadingComments ?? "");
}

/**
 * What makes a request invalid whatever the cluster's state, as field paths with the
 * reason: a NUL in any string, a path with a ".." component, an enum value outside its
 * enum, a negative count, size, slot, port, id or page size. Output-only fields, which
 * requests ignore, are not looked at.
 */
function knownInvalid(desc: DescMessage, bytes: Uint8Array): string[] {
  let msg: Message;
  try {
    msg = fromBinary(desc, bytes);
  } catch {
    return [];
  }
  const out: string[] = [];
  const NEGATIVE = /^(page_size|count|limit|osds_per_device|db_slots|wal_slots|osd_ids|port|rgw_frontend_port)$/;
  const PATHS = /^(path|paths|data_directories)$/;
  const walk = (d: DescMessage, m: Record<string, unknown>, at: string) => {
    for (const f of d.fields) {
      if (isOutputOnly(f)) continue;
      const v = f.oneof ? ((m[f.oneof.localName] as { case?: string; value?: unknown } | undefined)?.case === f.localName ? (m[f.oneof.localName] as { value: unknown }).value : undefined) : m[f.localName];
      if (v === undefined) continue;
      const here = `${at}${f.name}`;
      const items: unknown[] = f.fieldKind === "list" ? (v as unknown[]) : f.fieldKind === "map" ? Object.values(v as object) : [v];
      const keys = f.fieldKind === "map" ? Object.keys(v as object) : [];
      for (const k of keys) if (k.includes("\0")) out.push(`${here}: a key with NUL`);
      for (const x of items) {
        if (typeof x === "string") {
          if (x.includes("\0")) out.push(`${here}: NUL`);
          if (PATHS.test(f.name) && x.split("/").includes("..")) out.push(`${here}: '..'`);
        } else if (typeof x === "number" && NEGATIVE.test(f.name) && x < 0) out.push(`${here}: negative`);
        const e = f.fieldKind === "enum" ? f.enum : f.fieldKind === "list" && f.listKind === "enum" ? f.enum : undefined;
        if (e && typeof x === "number" && !e.values.some((ev) => ev.number === x)) out.push(`${here}: unknown enum value ${x}`);
        const md = f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message") || (f.fieldKind === "map" && f.mapKind === "message") ? f.message : undefined;
        if (md && x && typeof x === "object") walk(md, x as Record<string, unknown>, `${here}.`);
      }
    }
  };
  walk(desc, msg as unknown as Record<string, unknown>, "");
  return out;
}

/** The problems of one case's outcome (empty when all is well). */
function check(rpc: RpcMethod, out: Outcome, before: string, invalid: string[]): string[] {
  const p: string[] = [];
  if (invalid.length > 0 && (out.ok || out.error.code !== grpc.status.INVALID_ARGUMENT)) {
    p.push(`invalid input (${invalid.slice(0, 3).join(", ")}) answered ${out.ok ? "OK" : grpc.status[out.error.code]}`);
  }
  const write = RPC_ACCESS[rpc.fullName]!.write;
  if (!out.ok) {
    const e = out.error;
    if (BAD_CODES.has(e.code)) p.push(`answered ${grpc.status[e.code]}: ${e.message}`);
    if (e.info?.domain !== DOMAIN || !e.info.reason) p.push(`${grpc.status[e.code]} without ErrorInfo: ${e.message}`);
    if (e.code === grpc.status.INVALID_ARGUMENT && !(e.badRequest && e.badRequest.fieldViolations.length > 0)) p.push(`INVALID_ARGUMENT without a field violation: ${e.message}`);
    if (write && out.messages.length > 0) p.push(`a refused write sent ${out.messages.length} messages first`);
  }
  const changed = clusterState() !== before;
  if (!write || !out.ok) {
    if (changed) p.push(`the cluster changed after ${out.ok ? "a read" : `a refused write (${grpc.status[out.error.code]})`}`);
  } else if (rpc.def.responseStream) {
    // A write that starts an operation streams it to its end (commands answer once).
    const last = out.messages.at(-1);
    const op = last ? (rpc.def.responseDeserialize(last) as { operation?: { done: boolean } }).operation : undefined;
    if (!op?.done) p.push("an accepted write's stream ended without a terminal operation");
  }
  return p;
}

beforeAll(async () => {
  // Limits short enough that no wait or watch of a case outlasts the deadline.
  sim = await startSim({ args: ["--max-wait", "1", "--max-watch", "1"] });
  client = new grpc.Client(sim.address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await sim?.stop();
  if (stats.cases > 0) {
    const rate = (stats.cases / (stats.ms / 1000)).toFixed(0);
    const codes = [...stats.byCode].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(", ");
    const kinds = [...stats.byKind].map(([k, n]) => `${k} ${n}`).join(", ");
    process.stdout.write(`fuzz: ${stats.cases} cases in ${(stats.ms / 1000).toFixed(1)} s (${rate}/s); ${kinds}; answers: ${codes}\n`);
  }
});

describe(`fuzz: ${RUNS} cases over ${RPCS.length} RPCs (${PER_RPC} each)`, () => {
  for (const rpc of RPCS) {
    const desc = methodDescriptor(rpc.fullName).input;
    const arb = requestBytesArb(desc, SEEDS[rpc.name]);
    it(`${rpc.service}.${rpc.method}`, async () => {
      await fc.assert(
        fc.asyncProperty(arb, async (input: FuzzInput) => {
          const before = clusterState();
          const t0 = performance.now();
          const out = await send(rpc, input.bytes);
          stats.ms += performance.now() - t0;
          stats.cases++;
          const code = out.ok ? "OK" : grpc.status[out.error.code]!;
          stats.byCode.set(code, (stats.byCode.get(code) ?? 0) + 1);
          stats.byKind.set(input.kind, (stats.byKind.get(input.kind) ?? 0) + 1);
          const problems = check(rpc, out, before, knownInvalid(desc, input.bytes));
          if (problems.length > 0) {
            if (DUMP) writeFileSync(join(DUMP, `${rpc.service}.${rpc.method}.${stats.cases}.bin`), input.bytes);
            throw new Error(`${rpc.fullName}: ${problems.join("; ")}`);
          }
        }),
        { numRuns: PER_RPC, ...(SEED !== undefined && { seed: SEED }), endOnFailure: true },
      );
      // Still serving.
      const status = await send(RPCS.find((r) => r.method === "GetStatus")!, new Uint8Array());
      expect(status.ok).toBe(true);
    }, 600_000);
  }
});
