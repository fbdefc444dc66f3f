// Starts the real server in this process on a loopback port and gives typed gRPC clients.
// Every test file that uses it calls `stop()` in afterAll/afterEach, also when a test fails.
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import { HostServiceClient } from "../../gen/ts/ceph_orchestrator/v1/host_service.js";
import { InventoryServiceClient } from "../../gen/ts/ceph_orchestrator/v1/inventory_service.js";
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { OperationServiceClient } from "../../gen/ts/ceph_orchestrator/v1/operation_service.js";
import { OrchestratorServiceClient } from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import { OsdServiceClient } from "../../gen/ts/ceph_orchestrator/v1/osd_service.js";
import { ServiceServiceClient } from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import { UpgradeServiceClient } from "../../gen/ts/ceph_orchestrator/v1/upgrade_service.js";
import { Status } from "../../gen/ts/google/rpc/status.js";
import { Any } from "../../gen/ts/google/protobuf/any.js";
import { BadRequest, ErrorInfo } from "../../gen/ts/google/rpc/error_details.js";
import { type ClientSecurityOptions, clientSecurity } from "../../clients/ts/credentials.js";
import { type Config, loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logging.js";
import { type RunningServer, startServer } from "../../src/server.js";

export interface Clients {
  orchestrator: OrchestratorServiceClient;
  hosts: HostServiceClient;
  inventory: InventoryServiceClient;
  services: ServiceServiceClient;
  osds: OsdServiceClient;
  upgrades: UpgradeServiceClient;
  operations: OperationServiceClient;
}

export interface Harness extends Clients {
  server: RunningServer;
  address: string;
  stop(): Promise<void>;
}

/**
 * `args` are the service's own command-line flags, e.g. ["--backend-opt", "delays=0"].
 * Without a journal unless they say otherwise (["--journal=true", "--data-dir", dir]), so
 * that tests never share a database. `client` gives the clients TLS, a client certificate or
 * a token (clients/ts/credentials.ts); `logger` replaces the silent one.
 */
export async function startHarness(
  args: string[] = [],
  overrides: Partial<Config> = {},
  client: ClientSecurityOptions = {},
  logger?: Logger,
): Promise<Harness> {
  // Reconciliation is off unless a test turns it on: the other tests watch their own writes alone.
  const config = loadConfig(["--listen", "127.0.0.1:0", "--journal=false", "--reconcile-interval=0", ...args], {});
  if (config === "help") throw new Error("unexpected --help");
  const log = logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? "silent");
  const server = await startServer({ ...config, ...overrides }, log);
  const address = `127.0.0.1:${server.port}`;
  const clients = makeClients(address, client);
  return {
    ...clients,
    server,
    address,
    async stop() {
      for (const c of Object.values(clients)) (c as grpc.Client).close();
      await server.shutdown();
    },
  };
}

/** Clients of every service; `security` gives TLS, a client certificate or a token (clients/ts). */
export function makeClients(address: string, security: ClientSecurityOptions = {}): Clients {
  const { credentials: creds, options: o } = clientSecurity(security);
  return {
    orchestrator: new OrchestratorServiceClient(address, creds, o),
    hosts: new HostServiceClient(address, creds, o),
    inventory: new InventoryServiceClient(address, creds, o),
    services: new ServiceServiceClient(address, creds, o),
    osds: new OsdServiceClient(address, creds, o),
    upgrades: new UpgradeServiceClient(address, creds, o),
    operations: new OperationServiceClient(address, creds, o),
  };
}

/** Calls a unary method of a generated client as a promise. */
export function call<Req, Res>(
  client: grpc.Client,
  method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => grpc.ClientUnaryCall,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => method.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));
}

/** Reads a write's stream to its end and returns every operation snapshot, in order. */
export async function collect(stream: grpc.ClientReadableStream<{ operation?: Operation }>): Promise<Operation[]> {
  const out: Operation[] = [];
  for await (const msg of stream as AsyncIterable<{ operation?: Operation }>) {
    if (msg.operation) out.push(msg.operation);
  }
  return out;
}

/** The terminal snapshot of a write's stream. */
export async function finalOf(stream: grpc.ClientReadableStream<{ operation?: Operation }>): Promise<Operation> {
  const all = await collect(stream);
  const last = all.at(-1);
  if (!last?.done) throw new Error(`stream ended without a terminal operation: ${JSON.stringify(all.at(-1))}`);
  return last;
}

export interface DecodedError {
  code: grpc.status;
  message: string;
  reason: string;
  domain: string;
  metadata: Record<string, string>;
  fieldViolations: { field: string; description: string }[];
}

/** Decodes the google.rpc details of a failed call. */
export function decodeError(err: unknown): DecodedError {
  const e = err as grpc.ServiceError;
  const raw = e.metadata?.get("grpc-status-details-bin")[0];
  const status = raw ? Status.decode(raw as Buffer) : undefined;
  let info: ErrorInfo | undefined;
  let bad: BadRequest | undefined;
  for (const any of status?.details ?? []) {
    if (any.typeUrl.endsWith("google.rpc.ErrorInfo")) info = ErrorInfo.decode(any.value);
    if (any.typeUrl.endsWith("google.rpc.BadRequest")) bad = BadRequest.decode(any.value);
  }
  return {
    code: e.code,
    message: e.details,
    reason: info?.reason ?? "",
    domain: info?.domain ?? "",
    metadata: info?.metadata ?? {},
    fieldViolations: bad?.fieldViolations.map((f) => ({ field: f.field, description: f.description })) ?? [],
  };
}

/** Decodes an operation's error details. */
export function errorInfoOf(op: Operation): ErrorInfo | undefined {
  if (op.outcome?.$case !== "error") return undefined;
  const any = op.outcome.value.details.find((d: Any) => d.typeUrl.endsWith("google.rpc.ErrorInfo"));
  return any ? ErrorInfo.decode(any.value) : undefined;
}
