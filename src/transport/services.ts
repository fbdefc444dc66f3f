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
import type { Deps } from "../domain/context.js";
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

  function unary<Req, Res>(fn: (req: Req, call: UnaryCall<Req>) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      Promise.resolve()
        .then(() => fn(call.request, call))
        .then(
          (res) => callback(null, res),
          (err: unknown) => callback(toServiceError(err, log)),
        );
    };
  }

  /** A write: run the use case, then stream its operation from the ACCEPTED snapshot on. */
  function write<Req, Res>(
    fn: (d: Deps, req: Req) => Promise<Operation> | Operation,
    wrap: (op: Operation) => Res,
  ): grpc.handleServerStreamingCall<Req, Res> {
    return (call) => {
      void streamOperations(
        call as grpc.ServerWritableStream<unknown, Res>,
        async function* (signal) {
          const d = need();
          const op = await fn(d, call.request);
          yield* d.engine.watch(op.id, signal);
        },
        wrap,
        log,
      );
    };
  }
  const op = (operation: Operation) => ({ operation });

  const orchestrator: OrchestratorServiceServer = {
    getStatus: unary(async () =>
      deps ? getStatus(deps.backend) : { available: false, reason: "No orchestrator backend is configured", backend: "", details: {} },
    ),
    getCapabilities: unary(() => getCapabilities(need().backend)),
  };
  const host: HostServiceServer = {
    addHost: write(hosts.addHost, op),
    removeHost: write(hosts.removeHost, op),
    listHosts: unary((req) => hosts.listHosts(need(), req)),
    addHostLabel: write(hosts.addHostLabel, op),
    removeHostLabel: write(hosts.removeHostLabel, op),
  };
  const inv: InventoryServiceServer = {
    getInventory: unary((req) => inventory.getInventory(need(), req)),
    blinkDeviceLight: write(inventory.blinkDeviceLight, op),
  };
  const svc: ServiceServiceServer = {
    describeServices: unary((req) => services.describeServices(need(), req)),
    listDaemons: unary((req) => services.listDaemons(need(), req)),
    serviceAction: write(services.serviceAction, op),
    daemonAction: write(services.daemonAction, op),
    updateMons: write(services.updateMons, op),
    updateMgrs: write(services.updateMgrs, op),
    addStatelessService: write(services.addStatelessService, op),
    updateStatelessService: write(services.updateStatelessService, op),
    removeStatelessService: write(services.removeStatelessService, op),
  };
  const osd: OsdServiceServer = {
    createOsds: write(osds.createOsds, op),
    previewOsds: unary((req) => osds.previewOsds(need(), req)),
    replaceOsds: write(osds.replaceOsds, op),
    removeOsds: write(osds.removeOsds, op),
    getOsdRemovalStatus: unary(() => osds.getOsdRemovalStatus(need())),
  };
  const upgrade: UpgradeServiceServer = {
    getAvailableUpgrades: unary(() => upgrades.getAvailableUpgrades(need())),
    startUpgrade: write(upgrades.startUpgrade, op),
    getUpgradeStatus: unary(() => upgrades.getUpgradeStatus(need())),
    pauseUpgrade: write(upgrades.pauseUpgrade, op),
    resumeUpgrade: write(upgrades.resumeUpgrade, op),
    stopUpgrade: write(upgrades.stopUpgrade, op),
  };
  const operation: OperationServiceServer = {
    getOperation: unary((req) => {
      operations.checkOperationId(req.id);
      return { operation: need().engine.get(req.id) };
    }),
    listOperations: unary((req) => operations.listOperations(need(), req)),
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
    waitOperations: unary((req, call) => {
      const gone = new AbortController();
      call.on("cancelled", () => gone.abort());
      return operations.waitOperations(need(), req, gone.signal);
    }),
    cancelOperation: unary((req) => {
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
