// The crash test: the real service (`node --import tsx src/main.ts`, journal on) takes 200
// concurrent writes from several gRPC clients while it is SIGKILLed at random moments while
// operations run, and restarted after each kill. At least 20 kills must land on running work:
// the service reported operations RUNNING just before the kill, and the restart resumed some
// (a kill that the last of them outran is recorded, and another one follows). At the end:
// - every operation a client saw PERSISTENT exists after the restarts and has ended;
// - no operation's effect happened twice (checked against the sim cluster's state);
// - a retry with the same request_id, across restarts, returns the original operation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { AddHostLabelRequest, AddHostRequest, HostServiceClient } from "../../gen/ts/ceph_orchestrator/v1/host_service.js";
import { GetInventoryRequest, InventoryServiceClient } from "../../gen/ts/ceph_orchestrator/v1/inventory_service.js";
import { type Operation, Operation_State as S } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { ListOperationsRequest, OperationServiceClient } from "../../gen/ts/ceph_orchestrator/v1/operation_service.js";
import { CreateOsdsRequest, OsdServiceClient } from "../../gen/ts/ceph_orchestrator/v1/osd_service.js";
import { ListDaemonsRequest, ServiceServiceClient } from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { freePort, killAll, killHard, type ServiceProcess, startService, waitServing } from "./process.js";

const CLIENTS = 4;
const PER_CLIENT_IN_FLIGHT = 10;
/** Kills that must land on running work. */
const KILLS = 20;
/** Kills at most, counting those that found nothing left to resume. */
const MAX_KILLS = 30;
/** A kill waits until the service reports at least this many operations RUNNING. */
const MIN_RUNNING_AT_KILL = 3;
/** A write is given up (a failure) after this many attempts: a safety net, the kills cost far fewer. */
const MAX_ATTEMPTS = 1000;
const NODES = ["node-1", "node-2", "node-3"];
/** Data devices per node: /dev/sdb .. */
const DEVICES_PER_NODE = 20;
const SPARES = 60;
const LABEL_OPS = 80;

const dirs: string[] = [];
afterAll(async () => {
  await killAll();
  if (process.env.KEEP_CRASH_DIR !== "1") for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function devicePath(i: number): string {
  return `/dev/sd${String.fromCharCode("b".charCodeAt(0) + i)}`;
}

function spareName(i: number): string {
  return `spare-${String(i + 1).padStart(2, "0")}`;
}

function fixture(): string {
  const lines = ["cluster:", "  fsid: 5f0c2d1e-7a6b-4c3d-9e8f-0a1b2c3d4e5f", "  pgs_per_osd: 8", "hosts:"];
  NODES.forEach((n, i) => {
    lines.push(`  - hostname: ${n}`, `    addr: 10.0.0.${11 + i}`, "    labels: [_admin, mon]", "    devices:");
    for (let d = 0; d < DEVICES_PER_NODE; d++) {
      lines.push(`      - { path: ${devicePath(d)}, type: hdd, size_bytes: 4000787030016, device_id: SIM_HDD_${n}_${d} }`);
    }
  });
  lines.push("spare_hosts:");
  for (let i = 0; i < SPARES; i++) lines.push(`  - { hostname: ${spareName(i)}, addr: 10.1.0.${i + 1}, devices: [] }`);
  lines.push("daemons:");
  for (const n of NODES) lines.push(`  - { daemon_type: mon, daemon_id: ${n}, hostname: ${n} }`);
  return `${lines.join("\n")}\n`;
}

type Kind = "AddHost" | "CreateOsds" | "AddHostLabel";

interface Write {
  key: string;
  kind: Kind;
  request: Record<string, unknown>;
  /** What the write changes, to check the cluster against. */
  target: { hostname: string; label?: string; device?: string; addr?: string };
}

interface Seen {
  /** Every snapshot the client saw, over every attempt. */
  snapshots: Operation[];
  /** Ids of the operations seen PERSISTENT. */
  persistentIds: Set<string>;
  attempts: number;
  final?: Operation;
  hardError?: string;
}

function workload(): Write[] {
  const writes: Write[] = [];
  for (let i = 0; i < SPARES; i++) {
    const hostname = spareName(i);
    const addr = `10.1.0.${i + 1}`;
    writes.push({ key: `add-${hostname}`, kind: "AddHost", request: { host: { hostname, addr } }, target: { hostname, addr } });
  }
  NODES.forEach((hostname) => {
    for (let d = 0; d < DEVICES_PER_NODE; d++) {
      const device = devicePath(d);
      writes.push({
        key: `osd-${hostname}-${device}`,
        kind: "CreateOsds",
        request: {
          spec: {
            serviceId: "crash",
            hostPattern: hostname,
            dataDevices: { paths: [device] },
          },
        },
        target: { hostname, device },
      });
    }
  });
  for (let i = 0; i < LABEL_OPS; i++) {
    const hostname = NODES[i % NODES.length]!;
    const label = `crash-${i}`;
    writes.push({ key: `label-${i}`, kind: "AddHostLabel", request: { hostname, label }, target: { hostname, label } });
  }
  // Shuffled, so that kinds and hosts interleave.
  for (let i = writes.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [writes[i], writes[j]] = [writes[j]!, writes[i]!];
  }
  return writes;
}

/** What each kill hit: operations RUNNING just before it, and operations its restart resumed. */
interface Kill {
  running: number;
  resumed: number;
}

interface Clients {
  hosts: HostServiceClient;
  osds: OsdServiceClient;
  operations: OperationServiceClient;
  inventory: InventoryServiceClient;
  services: ServiceServiceClient;
  close(): void;
}

function makeClients(address: string, n: number): Clients {
  const creds = grpc.credentials.createInsecure();
  // Its own connection per client, reconnecting quickly after a restart.
  const options = { "grpc.use_local_subchannel_pool": 1, "grpc.initial_reconnect_backoff_ms": 50, "grpc.max_reconnect_backoff_ms": 250, "crash-test.client": n };
  const hosts = new HostServiceClient(address, creds, options);
  const osds = new OsdServiceClient(address, creds, options);
  const operations = new OperationServiceClient(address, creds, options);
  const inventory = new InventoryServiceClient(address, creds, options);
  const services = new ServiceServiceClient(address, creds, options);
  return {
    hosts,
    osds,
    operations,
    inventory,
    services,
    close: () => [hosts, osds, operations, inventory, services].forEach((c) => c.close()),
  };
}

function unary<Req, Res>(
  client: grpc.Client,
  method: (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (err: grpc.ServiceError | null, res: Res) => void) => grpc.ClientUnaryCall,
  req: Req,
  timeoutMs = 10_000,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

/** Calls the write's RPC with its request_id and reads its stream, recording every snapshot. */
async function callWrite(c: Clients, w: Write, seen: Seen, onSnapshot: (op: Operation) => void): Promise<Operation | undefined> {
  const request = { ...w.request, requestId: `crash-${w.key}` };
  const stream: grpc.ClientReadableStream<{ operation?: Operation }> =
    w.kind === "AddHost"
      ? c.hosts.addHost(AddHostRequest.fromPartial(request))
      : w.kind === "AddHostLabel"
        ? c.hosts.addHostLabel(AddHostLabelRequest.fromPartial(request))
        : c.osds.createOsds(CreateOsdsRequest.fromPartial(request));
  let last: Operation | undefined;
  for await (const msg of stream as AsyncIterable<{ operation?: Operation }>) {
    const op = msg.operation;
    if (!op) continue;
    seen.snapshots.push(op);
    if (op.persistent) seen.persistentIds.add(op.id);
    onSnapshot(op);
    last = op;
  }
  return last?.done ? last : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the service reports at least `min` operations RUNNING (or `stop()` says the
 * load is over, or 20 s pass); returns the last count it reported (0 if it never answered).
 */
async function waitForRunning(c: Clients, min: number, stop: () => boolean): Promise<number> {
  const deadline = Date.now() + 20_000;
  let running = 0;
  while (!stop() && Date.now() < deadline) {
    try {
      const page = await unary(c.operations, c.operations.listOperations, ListOperationsRequest.fromPartial({ states: [S.STATE_RUNNING], pageSize: 1 }), 2_000);
      running = page.totalSize;
      if (running >= min) break;
    } catch {
      running = 0; // Not serving yet after a restart.
    }
    await sleep(5);
  }
  return running;
}

function resumedBy(service: ServiceProcess): number {
  return (service.output().match(/operation resumed after a restart/g) ?? []).length;
}

describe("crash safety", () => {
  it(
    "keeps every operation a client saw PERSISTENT across SIGKILLs, without doubled effects",
    { timeout: 300_000 },
    async () => {
      const started = Date.now();
      const dir = mkdtempSync(path.join(tmpdir(), "orch-crash-"));
      dirs.push(dir);
      const fixtureFile = path.join(dir, "cluster.yaml");
      writeFileSync(fixtureFile, fixture());
      const dataDir = path.join(dir, "data");
      const logFile = path.join(dir, "service.log");
      const port = await freePort();
      const address = `127.0.0.1:${port}`;
      const args = [
        "--listen", address,
        "--data-dir", dataDir,
        "--log-level", "info",
        "--backend-opt", `fixture=${fixtureFile}`,
        // Small but not zero, so that kills land in the middle of operations.
        "--backend-opt", 'delays={"addHost":30,"createOsd":40,"deployDaemon":20,"removeDaemon":20,"daemonAction":20}',
        "--shutdown-grace", "1000",
      ];

      let generation = 0;
      let service: ServiceProcess = startService(args, logFile);
      await waitServing(service);
      const startups: number[] = [];

      const writes = workload();
      const seen = new Map<string, Seen>(writes.map((w) => [w.key, { snapshots: [], persistentIds: new Set(), attempts: 0 }]));
      let accepted = 0;
      const violations: string[] = [];

      // Several clients, each with its share of the writes and a bounded number in flight.
      const clients = Array.from({ length: CLIENTS }, (_, i) => makeClients(address, i));
      const runClient = async (c: Clients, mine: Write[]) => {
        const queue = [...mine];
        const worker = async () => {
          for (let w = queue.shift(); w; w = queue.shift()) {
            const s = seen.get(w.key)!;
            for (;;) {
              s.attempts++;
              const gen = generation;
              const known = new Set(s.persistentIds);
              try {
                const final = await callWrite(c, w, s, (op) => {
                  if (op.state === S.STATE_ACCEPTED && !s.snapshots.slice(0, -1).some((o) => o.id === op.id)) accepted++;
                  // A retry must come back to the operation already seen PERSISTENT.
                  if (known.size > 0 && !known.has(op.id)) violations.push(`${w.key}: retry returned ${op.id}, not ${[...known].join(",")}`);
                });
                if (final) {
                  s.final = final;
                  break;
                }
              } catch (err) {
                const e = err as grpc.ServiceError;
                // A kill shows as a reset stream: by the time its exit is seen, the generation moved on.
                await sleep(300);
                const transient = e.code === grpc.status.UNAVAILABLE || gen !== generation;
                if (!transient) {
                  s.hardError = `${grpc.status[e.code]}: ${e.details}`;
                  break;
                }
              }
              if (s.attempts > MAX_ATTEMPTS) {
                s.hardError = `gave up after ${MAX_ATTEMPTS} attempts`;
                break;
              }
              await sleep(30 + Math.random() * 70);
            }
          }
        };
        await Promise.all(Array.from({ length: PER_CLIENT_IN_FLIGHT }, worker));
      };
      const share = (i: number) => writes.filter((_, j) => j % CLIENTS === i);
      let loadDone = false;
      const load = Promise.all(clients.map((c, i) => runClient(c, share(i)))).finally(() => (loadDone = true));

      // Kill at random moments, spread over the workload (after roughly every 1/(KILLS+2) of
      // the writes is accepted, plus a random delay, so that the last kills still find work),
      // each once the service reports operations running.
      const observer = makeClients(address, 98);
      const kills: Kill[] = [];
      const landed = () => kills.filter((k) => k.running >= MIN_RUNNING_AT_KILL && k.resumed > 0).length;
      while (landed() < KILLS && kills.length < MAX_KILLS && !loadDone) {
        const threshold = Math.floor((writes.length * (landed() + 1)) / (KILLS + 2) - 5 + Math.random() * 10);
        const deadline = Date.now() + 20_000;
        while (accepted < threshold && Date.now() < deadline) await sleep(5);
        await sleep(Math.random() * 120);
        const running = await waitForRunning(observer, MIN_RUNNING_AT_KILL, () => loadDone);
        await killHard(service);
        generation++;
        const t0 = Date.now();
        service = startService(args, logFile);
        await waitServing(service);
        startups.push(Date.now() - t0);
        kills.push({ running, resumed: resumedBy(service) });
      }
      observer.close();
      await load;
      // KILLS kills landed on running work: the service said so, and the journal agreed.
      expect(landed(), `kills (running before, resumed after): ${JSON.stringify(kills)}`).toBeGreaterThanOrEqual(KILLS);

      // One more kill once every client is done, then check everything on a fresh start.
      await killHard(service);
      generation++;
      service = startService(args, logFile);
      await waitServing(service);
      const check = makeClients(address, 99);

      try {
        expect(violations).toEqual([]);
        const hard = [...seen].filter(([, s]) => s.hardError).map(([k, s]) => `${k}: ${s.hardError}`);
        expect(hard).toEqual([]);

        // Every operation seen PERSISTENT exists and has ended (resumed ones are given time).
        const persistent = [...seen.values()].flatMap((s) => [...s.persistentIds]);
        expect(persistent.length).toBeGreaterThan(0);
        const waited = await unary(check.operations, check.operations.waitOperations, { ids: persistent, timeout: { seconds: "30", nanos: 0 } }, 40_000);
        expect(waited.allDone).toBe(true);
        const failed: string[] = [];
        for (const id of persistent) {
          const { operation } = await unary(check.operations, check.operations.getOperation, { id });
          expect(operation?.done, `operation ${id} done`).toBe(true);
          expect(operation?.persistent).toBe(true);
          if (operation?.state !== S.STATE_SUCCEEDED) failed.push(`${id} ${operation?.method}: ${S[operation!.state]} ${operation?.message}`);
        }
        expect(failed).toEqual([]);

        // A retry with the same request_id after the restarts returns the original operation.
        const retryClients = makeClients(address, 100);
        try {
          for (const w of writes) {
            const s = seen.get(w.key)!;
            const retry: Seen = { snapshots: [], persistentIds: new Set(), attempts: 1 };
            const final = await callWrite(retryClients, w, retry, () => undefined);
            const id = retry.snapshots[0]?.id;
            expect(id, `${w.key}: retry`).toBeDefined();
            if (s.persistentIds.size > 0) expect([...s.persistentIds], `${w.key}: retry id`).toEqual([id]);
            expect(final?.state, `${w.key}: retry state`).toBe(S.STATE_SUCCEEDED);
          }
        } finally {
          retryClients.close();
        }

        // Effects happened once: hosts, labels, OSDs against the sim cluster's state.
        const { hosts } = await unary(check.hosts, check.hosts.listHosts, { label: "", pageSize: 1000, pageToken: "" });
        const names = hosts.map((h) => h.hostname);
        expect(new Set(names).size).toBe(names.length);
        expect(names.length).toBe(NODES.length + SPARES);
        for (const w of writes) {
          const host = hosts.find((h) => h.hostname === w.target.hostname);
          expect(host, `${w.key}: host`).toBeDefined();
          if (w.kind === "AddHost") expect(host!.addr).toBe(w.target.addr);
          if (w.kind === "AddHostLabel") expect(host!.labels.filter((l) => l === w.target.label)).toHaveLength(1);
        }
        for (const n of NODES) {
          const labels = hosts.find((h) => h.hostname === n)!.labels;
          expect(new Set(labels).size).toBe(labels.length);
          const wanted = writes.filter((w) => w.kind === "AddHostLabel" && w.target.hostname === n).map((w) => w.target.label);
          expect(labels.filter((l) => l.startsWith("crash-")).sort()).toEqual(wanted.sort());
        }

        const { hosts: inventory } = await unary(check.inventory, check.inventory.getInventory, GetInventoryRequest.fromPartial({ hostnames: NODES }));
        const osdIds: number[] = [];
        for (const h of inventory) {
          for (const d of h.devices) {
            const blocks = d.lvs.filter((lv) => lv.type === "block");
            expect(blocks.length, `${h.hostname}:${d.path} OSDs`).toBeLessThanOrEqual(1);
            osdIds.push(...blocks.map((b) => b.osdId));
          }
        }
        for (const w of writes.filter((x) => x.kind === "CreateOsds")) {
          const d = inventory.find((h) => h.hostname === w.target.hostname)!.devices.find((x) => x.path === w.target.device)!;
          expect(d.lvs.filter((lv) => lv.type === "block"), `${w.key}: one OSD`).toHaveLength(1);
        }
        expect(osdIds).toHaveLength(NODES.length * DEVICES_PER_NODE);
        expect(new Set(osdIds).size).toBe(osdIds.length);
        const { daemons } = await unary(
          check.services,
          check.services.listDaemons,
          ListDaemonsRequest.fromPartial({ daemonType: ServiceType.SERVICE_TYPE_OSD, pageSize: 1000 }),
        );
        const osdDaemons = daemons.map((d) => d.daemonName).filter((n) => n.startsWith("osd."));
        expect(new Set(osdDaemons).size).toBe(osdDaemons.length);
        expect(osdDaemons.sort()).toEqual(osdIds.map((id) => `osd.${id}`).sort());

        const totals = {
          writes: writes.length,
          kills: kills.length,
          killsOnRunningWork: landed(),
          runningAtKills: kills.map((k) => k.running),
          resumedAtRestarts: kills.map((k) => k.resumed),
          attempts: [...seen.values()].reduce((n, s) => n + s.attempts, 0),
          persistentSeen: persistent.length,
          resumed: (readFileSync(logFile, "utf8").match(/operation resumed after a restart/g) ?? []).length,
          startupMs: startups,
          seconds: Math.round((Date.now() - started) / 1000),
        };
        console.log(`crash test: ${JSON.stringify(totals)}`);
        expect(totals.resumed).toBeGreaterThan(0);
      } finally {
        check.close();
        for (const c of clients) c.close();
        await killHard(service);
      }
    },
  );
});
