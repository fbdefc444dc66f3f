// The gRPC handlers: decode nothing themselves (ts-proto does), call one use case each,
// and map results and errors onto grpc-js calls. No domain rules here.
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "pino";
import { HostServiceService, type HostServiceServer } from "../../gen/ts/ceph_orchestrator/v1/host_service.js";
import { InventoryServiceService, type InventoryServiceServer } from "../../gen/ts/ceph_orchestrator/v1/inventory_service.js";
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { OperationServiceService, type OperationServiceServer } from "../../gen/ts/ceph_orchestrator/v1/operation_service.js";
import {
  OrchestratorServiceService,
  type OrchestratorServiceServer,
} from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import { OsdServiceService, type OsdServiceServer } from "../../gen/ts/ceph_orchestrator/v1/osd_service.js";
import { ServiceServiceService, type ServiceServiceServer } from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import { UpgradeServiceService, type UpgradeServiceServer } from "../../gen/ts/ceph_orchestrator/v1/upgrade_service.js";
import * as services from "../domain/ceph-services.js";
import { type Deps, fingerprint } from "../domain/context.js";
import { ensureSupported, rpcName } from "../domain/capabilities.js";
import { NoBackendError, RequestIdReusedError, ResourceExhaustedError } from "../domain/errors.js";
import * as hosts from "../domain/hosts.js";
import * as inventory from "../domain/inventory.js";
import * as operations from "../domain/operations.js";
import * as osds from "../domain/osds.js";
import { getCapabilities, getStatus } from "../domain/status.js";
import * as upgrades from "../domain/upgrades.js";
import type { Auditor } from "../security/audit.js";
import { callerOf } from "../security/interceptor.js";
import { streamOperations, toServiceError } from "./operation-stream.js";
import { ensureDecoded, withCheckedRequests } from "./wire-check.js";

type UnaryCall<Req> = grpc.ServerUnaryCall<Req, unknown>;

export interface ServiceOptions {
  /** Gets a line for every write (src/security/audit.ts). */
  audit?: Auditor;
  /** The longest WaitOperations waits; a longer wait that runs out answers RESOURCE_EXHAUSTED. */
  maxWaitMs?: number;
  /** The longest a WatchOperation stream lasts; then it ends RESOURCE_EXHAUSTED (re-attach). */
  maxWatchMs?: number;
}

/** `deps` undefined means no backend is configured: every RPC but status answers NO_BACKEND. */
export function addOrchestratorServices(server: grpc.Server, deps: Deps | undefined, log: Logger, opts: ServiceOptions = {}): void {
  const { audit } = opts;
  const need = (): Deps => {
    if (!deps) throw new NoBackendError("No orchestrator backend is configured (set --backend)");
    return deps;
  };

  /** Throws UNIMPLEMENTED before anything else when the backend lacks the RPC. */
  const supported = (service: string, method: string): void => {
    if (deps) ensureSupported(deps.backend, rpcName(service, method));
  };

  function unary<Req, Res>(
    service: string,
    method: string,
    fn: (req: Req, call: UnaryCall<Req>) => Promise<Res> | Res,
    outcome?: (call: UnaryCall<Req>, res: Res | undefined, err?: unknown) => void,
  ): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      Promise.resolve()
        .then(() => {
          supported(service, method);
          ensureDecoded(call.request);
          return fn(call.request, call);
        })
        .then(
          (res) => {
            outcome?.(call, res);
            callback(null, res);
          },
          (err: unknown) => {
            outcome?.(call, undefined, err);
            callback(toServiceError(err, log));
          },
        );
    };
  }

  /** A write: run the use case, then stream its operation from the ACCEPTED snapshot on. */
  function write<Req, Res>(
    service: string,
    method: string,
    fn: (d: Deps, req: Req) => Promise<Operation> | Operation,
    wrap: (op: Operation) => Res,
  ): grpc.handleServerStreamingCall<Req, Res> {
    return (call) => {
      void streamOperations(
        call as grpc.ServerWritableStream<unknown, Res>,
        async function* (signal) {
          const name = rpcName(service, method);
          const caller = callerOf(call.metadata);
          let d: Deps;
          let op: Operation;
          let known: Operation | undefined;
          try {
            d = need();
            supported(service, method);
            ensureDecoded(call.request);
            // A retry returns its operation before any check that the operation itself may
            // have made fail (e.g. "the host exists"). A request_id reused for another
            // request is refused by the engine's submit, after the use case has validated
            // the request: invalid input is INVALID_ARGUMENT whatever its request_id.
            const { requestId } = call.request as { requestId?: string };
            try {
              known = requestId ? d.engine.byRequest(requestId, name, fingerprint(call.request as object)) : undefined;
            } catch (err) {
              if (!(err instanceof RequestIdReusedError)) throw err;
            }
            op = known ?? (await fn(d, call.request));
          } catch (err) {
            audit?.refused(caller, name, call.request, err);
            throw err;
          }
          audit?.accepted(caller, name, call.request, op, d.engine.whenDone(op.id), known !== undefined);
          yield* d.engine.watch(op.id, signal);
        },
        wrap,
        log,
      );
    };
  }
  const op = (operation: Operation) => ({ operation });

  const orchestrator: OrchestratorServiceServer = {
    getStatus: unary("OrchestratorService", "GetStatus", async () =>
      deps ? getStatus(deps.backend) : { available: false, reason: "No orchestrator backend is configured", backend: "", details: {} },
    ),
    getCapabilities: unary("OrchestratorService", "GetCapabilities", () => getCapabilities(need().backend)),
  };
  const host: HostServiceServer = {
    addHost: write("HostService", "AddHost", hosts.addHost, op),
    removeHost: write("HostService", "RemoveHost", hosts.removeHost, op),
    listHosts: unary("HostService", "ListHosts", (req) => hosts.listHosts(need(), req)),
    addHostLabel: write("HostService", "AddHostLabel", hosts.addHostLabel, op),
    removeHostLabel: write("HostService", "RemoveHostLabel", hosts.removeHostLabel, op),
  };
  const inv: InventoryServiceServer = {
    getInventory: unary("InventoryService", "GetInventory", (req) => inventory.getInventory(need(), req)),
    blinkDeviceLight: write("InventoryService", "BlinkDeviceLight", inventory.blinkDeviceLight, op),
  };
  const svc: ServiceServiceServer = {
    describeServices: unary("ServiceService", "DescribeServices", (req) => services.describeServices(need(), req)),
    listDaemons: unary("ServiceService", "ListDaemons", (req) => services.listDaemons(need(), req)),
    serviceAction: write("ServiceService", "ServiceAction", services.serviceAction, op),
    daemonAction: write("ServiceService", "DaemonAction", services.daemonAction, op),
    updateMons: write("ServiceService", "UpdateMons", services.updateMons, op),
    updateMgrs: write("ServiceService", "UpdateMgrs", services.updateMgrs, op),
    addStatelessService: write("ServiceService", "AddStatelessService", services.addStatelessService, op),
    updateStatelessService: write("ServiceService", "UpdateStatelessService", services.updateStatelessService, op),
    removeStatelessService: write("ServiceService", "RemoveStatelessService", services.removeStatelessService, op),
  };
  const osd: OsdServiceServer = {
    createOsds: write("OsdService", "CreateOsds", osds.createOsds, op),
    previewOsds: unary("OsdService", "PreviewOsds", (req) => osds.previewOsds(need(), req)),
    replaceOsds: write("OsdService", "ReplaceOsds", osds.replaceOsds, op),
    removeOsds: write("OsdService", "RemoveOsds", osds.removeOsds, op),
    getOsdRemovalStatus: unary("OsdService", "GetOsdRemovalStatus", () => osds.getOsdRemovalStatus(need())),
  };
  const upgrade: UpgradeServiceServer = {
    getAvailableUpgrades: unary("UpgradeService", "GetAvailableUpgrades", () => upgrades.getAvailableUpgrades(need())),
    startUpgrade: write("UpgradeService", "StartUpgrade", upgrades.startUpgrade, op),
    getUpgradeStatus: unary("UpgradeService", "GetUpgradeStatus", () => upgrades.getUpgradeStatus(need())),
    pauseUpgrade: write("UpgradeService", "PauseUpgrade", upgrades.pauseUpgrade, op),
    resumeUpgrade: write("UpgradeService", "ResumeUpgrade", upgrades.resumeUpgrade, op),
    stopUpgrade: write("UpgradeService", "StopUpgrade", upgrades.stopUpgrade, op),
  };
  const operation: OperationServiceServer = {
    getOperation: unary("OperationService", "GetOperation", (req) => {
      operations.checkOperationId(req.id);
      return { operation: need().engine.get(req.id) };
    }),
    listOperations: unary("OperationService", "ListOperations", (req) => operations.listOperations(need(), req)),
    watchOperation: (call) => {
      const maxMs = opts.maxWatchMs;
      void streamOperations(
        call as grpc.ServerWritableStream<unknown, { operation: Operation }>,
        async function* (signal) {
          ensureDecoded(call.request);
          operations.checkOperationId(call.request.id);
          yield* need().engine.watch(call.request.id, signal);
        },
        op,
        log,
        maxMs === undefined
          ? undefined
          : {
              maxMs,
              error: () =>
                new ResourceExhaustedError("WATCH_LIMIT", `a watch lasts at most ${maxMs / 1000} s: call WatchOperation again to go on`, 0, {
                  maxWatchSeconds: String(maxMs / 1000),
                }),
            },
      );
    },
    waitOperations: unary("OperationService", "WaitOperations", (req, call) => {
      const gone = new AbortController();
      call.on("cancelled", () => gone.abort());
      return operations.waitOperations(need(), req, gone.signal, opts.maxWaitMs);
    }),
    cancelOperation: unary(
      "OperationService",
      "CancelOperation",
      (req) => {
        operations.checkOperationId(req.id);
        return { operation: need().engine.cancel(req.id) };
      },
      // A write: audited.
      (call, res, err) => {
        const name = rpcName("OperationService", "CancelOperation");
        if (err === undefined) audit?.answered(callerOf(call.metadata), name, call.request, res?.operation.id);
        else audit?.refused(callerOf(call.metadata), name, call.request, err);
      },
    ),
  };

  // Each request's bytes are checked before they are decoded (wire-check.ts).
  server.addService(withCheckedRequests(OrchestratorServiceService), orchestrator);
  server.addService(withCheckedRequests(HostServiceService), host);
  server.addService(withCheckedRequests(InventoryServiceService), inv);
  server.addService(withCheckedRequests(ServiceServiceService), svc);
  server.addService(withCheckedRequests(OsdServiceService), osd);
  server.addService(withCheckedRequests(UpgradeServiceService), upgrade);
  server.addService(withCheckedRequests(OperationServiceService), operation);
}
