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
import { NoBackendError } from "../domain/errors.js";
import * as hosts from "../domain/hosts.js";
import * as inventory from "../domain/inventory.js";
import * as operations from "../domain/operations.js";
import * as osds from "../domain/osds.js";
import { getCapabilities, getStatus } from "../domain/status.js";
import * as upgrades from "../domain/upgrades.js";
import { streamOperations, toServiceError } from "./operation-stream.js";

type UnaryCall<Req> = grpc.ServerUnaryCall<Req, unknown>;

/** `deps` undefined means no backend is configured: every RPC but status answers NO_BACKEND. */
export function addOrchestratorServices(server: grpc.Server, deps: Deps | undefined, log: Logger): void {
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
  ): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      Promise.resolve()
        .then(() => {
          supported(service, method);
          return fn(call.request, call);
        })
        .then(
          (res) => callback(null, res),
          (err: unknown) => callback(toServiceError(err, log)),
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
          const d = need();
          supported(service, method);
          // A retry returns its operation before any check that the operation itself may
          // have made fail (e.g. "the host exists").
          const { requestId } = call.request as { requestId?: string };
          const known = requestId ? d.engine.byRequest(requestId, rpcName(service, method), fingerprint(call.request as object)) : undefined;
          const op = known ?? (await fn(d, call.request));
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
      void streamOperations(
        call as grpc.ServerWritableStream<unknown, { operation: Operation }>,
        async function* (signal) {
          operations.checkOperationId(call.request.id);
          yield* need().engine.watch(call.request.id, signal);
        },
        op,
        log,
      );
    },
    waitOperations: unary("OperationService", "WaitOperations", (req, call) => {
      const gone = new AbortController();
      call.on("cancelled", () => gone.abort());
      return operations.waitOperations(need(), req, gone.signal);
    }),
    cancelOperation: unary("OperationService", "CancelOperation", (req) => {
      operations.checkOperationId(req.id);
      return { operation: need().engine.cancel(req.id) };
    }),
  };

  server.addService(OrchestratorServiceService, orchestrator);
  server.addService(HostServiceService, host);
  server.addService(InventoryServiceService, inv);
  server.addService(ServiceServiceService, svc);
  server.addService(OsdServiceService, osd);
  server.addService(UpgradeServiceService, upgrade);
  server.addService(OperationServiceService, operation);
}
