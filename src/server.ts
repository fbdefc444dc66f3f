// Builds and runs the gRPC server: our services, reflection, health, limits and a graceful
// shutdown. With a journal (the default), it opens the database first, lets the backend load
// its saved state, and recovers the journaled operations before it serves.
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import type { Logger } from "pino";
import type { Backend } from "./backend/backend.js";
import { loadBackend } from "./backend/loader.js";
import type { Config } from "./config.js";
import type { Deps } from "./domain/context.js";
import { resumePlan } from "./domain/dispatch.js";
import { newOrchestratorState } from "./domain/orchestrator-state.js";
import { Reconciler } from "./domain/reconciler.js";
import { OperationsEngine } from "./operations/engine.js";
import { SqliteJournal } from "./operations/sqlite-journal.js";
import { SqliteBackendStore } from "./persistence/backend-store.js";
import { type OrchestratorDatabase, openDatabase } from "./persistence/database.js";
import { setupSecurity } from "./security/index.js";
import { DESCRIPTOR_SET, serviceNames } from "./contract/descriptors.js";
import { addReflection } from "./transport/reflection.js";
import { addOrchestratorServices } from "./transport/services.js";

/** How long cancelled operations' streams get, after the grace period, to say so. */
const STREAM_FLUSH_MS = 1000;
/** How often health follows the backend's availability. */
const HEALTH_POLL_MS = 2000;
/** The database scope of the orchestrator's own state; no backend module is named so. */
const ORCHESTRATOR_SCOPE = "(orchestrator)";

export interface RunningServer {
  port: number;
  deps: Deps | undefined;
  /** Read the TLS, tokens and client roles files again now (they are also watched). */
  reload(): void;
  /** Stop accepting, let streams and operations finish within the grace period, then close. */
  shutdown(): Promise<void>;
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  // Throws ConfigError for unusable TLS or credential files, or plaintext off loopback.
  const security = setupSecurity(config, log);
  // Throws DatabaseError (naming the file, which stays untouched) when it cannot be used.
  let database: OrchestratorDatabase | undefined;
  try {
    database = config.journal ? openDatabase(config.dataDir) : undefined;
  } catch (err) {
    security.close();
    throw err;
  }
  if (database) log.info({ file: database.file }, "database open: operations are journaled");
  else log.warn("running without a journal: operations and the backend's state do not survive a restart");
  const engine = new OperationsEngine({
    log,
    maxParallelHosts: config.maxParallelHosts,
    retention: { maxAgeMs: config.retentionMaxAgeSeconds * 1000, maxCount: config.retentionMaxCount },
    ...(database && { journal: new SqliteJournal(database) }),
  });
  let backend: Backend | undefined;
  try {
    // The backend keeps its state (the sim: its cluster) in the same database.
    const store = database && config.backend !== "none" ? new SqliteBackendStore(database, config.backend) : undefined;
    backend = config.backend === "none" ? undefined : await loadBackend(config.backend, config.backendConfig, log, store);
  } catch (err) {
    engine.close();
    database?.close();
    security.close();
    throw err;
  }
  const deps: Deps | undefined = backend ? { backend, engine, log, state: newOrchestratorState(), maxWaitMs: config.maxWaitSeconds * 1000 } : undefined;
  let reconciler: Reconciler | undefined;
  if (deps) {
    // The orchestrator's own state (the pause) has its own scope beside the backend's.
    const store = database ? new SqliteBackendStore(database, ORCHESTRATOR_SCOPE) : undefined;
    deps.reconciler = reconciler = new Reconciler(deps, { intervalMs: config.reconcileIntervalMs, ...(store && { store }) });
  }
  // Before serving: every journaled operation is back, and the unfinished ones go on.
  await engine.recover((op, request) => (deps ? resumePlan(deps, op, request) : undefined), { backend: backend?.name ?? "none" });
  reconciler?.start();

  const server = new grpc.Server({
    "grpc.max_receive_message_length": config.maxMessageBytes,
    "grpc.max_send_message_length": config.maxMessageBytes,
    "grpc.keepalive_time_ms": 60_000,
    "grpc.keepalive_timeout_ms": 20_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 10_000,
    "grpc.max_concurrent_streams": config.maxConcurrentStreams,
    interceptors: security.interceptors,
  });
  addOrchestratorServices(server, deps, log, {
    audit: security.audit,
    maxWatchMs: config.maxWatchSeconds * 1000,
  });

  const names = serviceNames(readFileSync(DESCRIPTOR_SET));
  const health = new HealthImplementation(Object.fromEntries(["", ...names].map((n) => [n, "NOT_SERVING" as const])));
  health.addToServer(server);
  if (config.reflection) addReflection(server);

  let lastAvailable: boolean | undefined;
  const followBackend = async () => {
    const available = backend ? (await backend.status().catch(() => ({ available: false }))).available : false;
    if (available !== lastAvailable) {
      log.info({ available }, available ? "backend available: SERVING" : "backend unavailable: NOT_SERVING");
      lastAvailable = available;
    }
    for (const n of ["", ...names]) health.setStatus(n, available ? "SERVING" : "NOT_SERVING");
  };
  await followBackend();
  const healthTimer = setInterval(() => void followBackend(), HEALTH_POLL_MS);
  healthTimer.unref();

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(config.listen, security.credentials, (err, p) => (err ? reject(err) : resolve(p))),
    );
  } catch (err) {
    clearInterval(healthTimer);
    reconciler?.stop();
    await engine.drain(0);
    engine.close();
    await backend?.close();
    database?.close();
    security.close();
    throw err;
  }
  log.info({ listen: config.listen, port, backend: backend?.name ?? "none", tls: Boolean(config.tlsCert), mutualTls: Boolean(config.tlsClientCa), auth: security.auth.enabled }, "serving");

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      log.info({ graceMs: config.shutdownGraceMs }, "shutting down");
      clearInterval(healthTimer);
      reconciler?.stop();
      for (const n of ["", ...names]) health.setStatus(n, "NOT_SERVING");
      const deadline = Date.now() + config.shutdownGraceMs;
      const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      // Operations still running after the grace period are cancelled; their streams get a
      // moment more to deliver that, and then every call is cut, also one whose client
      // stopped reading (tryShutdown's callback would wait for it forever).
      await engine.drain(config.shutdownGraceMs);
      let timer: NodeJS.Timeout | undefined;
      const cut = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(deadline - Date.now(), 0) + STREAM_FLUSH_MS)));
      await Promise.race([drained, cut]);
      clearTimeout(timer);
      server.forceShutdown();
      security.audit.close();
      security.close();
      engine.close();
      await backend?.close();
      if (database) {
        database.close();
        log.info({ file: database.file, ...database.stats }, "database closed");
      }
      log.info("stopped");
    })());
  return { port, deps, reload: () => security.reload(), shutdown };
}
