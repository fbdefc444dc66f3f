// A thin typed layer over the generated gRPC clients, shared by the conformance suite and
// the sim-specific tests in test/grpc: one method per RPC taking a partial request, error
// decoding with every google.rpc detail, and a table of every RPC of the API built from the
// generated service definitions (so a new RPC cannot be forgotten).
import * as grpc from "@grpc/grpc-js";
import {
  AddHostLabelRequest,
  AddHostRequest,
  type DeepPartial,
  HostServiceService,
  ListHostsRequest,
  type ListHostsResponse,
  RemoveHostLabelRequest,
  RemoveHostRequest,
  UpdateHostAddrRequest,
  HostOkToStopRequest,
  type HostOkToStopResponse,
  EnterHostMaintenanceRequest,
  ExitHostMaintenanceRequest,
  DrainHostRequest,
} from "../../gen/ts/ceph_orchestrator/v1/host_service.js";
import {
  BlinkDeviceLightRequest,
  GetInventoryRequest,
  type GetInventoryResponse,
  InventoryServiceService,
  ZapDeviceRequest,
} from "../../gen/ts/ceph_orchestrator/v1/inventory_service.js";
import { LightType } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { type Operation, Operation_State } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { ServiceAction, ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { RpcName } from "../../src/domain/registry.js";
import {
  CancelOperationRequest,
  type CancelOperationResponse,
  GetOperationRequest,
  type GetOperationResponse,
  ListOperationsRequest,
  type ListOperationsResponse,
  OperationServiceService,
  WaitOperationsRequest,
  type WaitOperationsResponse,
  WatchOperationRequest,
} from "../../gen/ts/ceph_orchestrator/v1/operation_service.js";
import {
  GetCapabilitiesRequest,
  PauseReconciliationRequest,
  type PauseReconciliationResponse,
  ResumeReconciliationRequest,
  type ResumeReconciliationResponse,
  type GetCapabilitiesResponse,
  GetStatusRequest,
  type GetStatusResponse,
  OrchestratorServiceService,
} from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import {
  CreateOsdsRequest,
  GetOsdRemovalStatusRequest,
  type GetOsdRemovalStatusResponse,
  OsdServiceService,
  PreviewOsdsRequest,
  type PreviewOsdsResponse,
  RemoveOsdsRequest,
  ReplaceOsdsRequest,
} from "../../gen/ts/ceph_orchestrator/v1/osd_service.js";
import {
  AddStatelessServiceRequest,
  DaemonActionRequest,
  RemoveDaemonsRequest,
  DescribeServicesRequest,
  type DescribeServicesResponse,
  ListDaemonsRequest,
  type ListDaemonsResponse,
  RemoveStatelessServiceRequest,
  ReconcileServiceRequest,
  AddDaemonsRequest,
  ServiceActionRequest,
  ServiceServiceService,
  UpdateMgrsRequest,
  UpdateMonsRequest,
  UpdateStatelessServiceRequest,
} from "../../gen/ts/ceph_orchestrator/v1/service_service.js";
import {
  GetAvailableUpgradesRequest,
  type GetAvailableUpgradesResponse,
  GetUpgradeStatusRequest,
  type GetUpgradeStatusResponse,
  PauseUpgradeRequest,
  ResumeUpgradeRequest,
  StartUpgradeRequest,
  StopUpgradeRequest,
  UpgradeServiceService,
} from "../../gen/ts/ceph_orchestrator/v1/upgrade_service.js";
import { Any } from "../../gen/ts/google/protobuf/any.js";
import {
  BadRequest,
  ErrorInfo,
  PreconditionFailure,
  ResourceInfo,
  RetryInfo,
} from "../../gen/ts/google/rpc/error_details.js";
import { Status } from "../../gen/ts/google/rpc/status.js";
import type { Clients } from "../support/harness.js";

export type { DeepPartial };

/** Per-call options: a deadline (ms from now or a Date) and metadata. */
export interface CallOpts {
  deadlineMs?: number;
  metadata?: grpc.Metadata;
}

/** What every write RPC streams. */
export type OpStream = grpc.ClientReadableStream<{ operation?: Operation }>;

function callOptions(o?: CallOpts): Partial<grpc.CallOptions> {
  return o?.deadlineMs !== undefined ? { deadline: Date.now() + o.deadlineMs } : {};
}

type UnaryMethod<Req, Res> = (
  req: Req,
  md: grpc.Metadata,
  opts: Partial<grpc.CallOptions>,
  cb: (err: grpc.ServiceError | null, res: Res) => void,
) => grpc.ClientUnaryCall;

function unary<Req, Res>(client: grpc.Client, method: unknown, req: Req, o?: CallOpts): Promise<Res> {
  const m = method as UnaryMethod<Req, Res>;
  return new Promise((resolve, reject) =>
    m.call(client, req, o?.metadata ?? new grpc.Metadata(), callOptions(o), (err, res) => (err ? reject(err) : resolve(res))),
  );
}

type StreamMethod<Req> = (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>) => OpStream;

function stream<Req>(client: grpc.Client, method: unknown, req: Req, o?: CallOpts): OpStream {
  return (method as StreamMethod<Req>).call(client, req, o?.metadata ?? new grpc.Metadata(), callOptions(o));
}

/** One method per RPC of the API. Writes return the operation stream. */
export class Api {
  constructor(readonly c: Clients) {}

  // OrchestratorService
  getStatus(o?: CallOpts): Promise<GetStatusResponse> {
    return unary(this.c.orchestrator, this.c.orchestrator.getStatus, GetStatusRequest.fromPartial({}), o);
  }
  getCapabilities(o?: CallOpts): Promise<GetCapabilitiesResponse> {
    return unary(this.c.orchestrator, this.c.orchestrator.getCapabilities, GetCapabilitiesRequest.fromPartial({}), o);
  }

  pauseReconciliation(o?: CallOpts): Promise<PauseReconciliationResponse> {
    return unary(this.c.orchestrator, this.c.orchestrator.pauseReconciliation, PauseReconciliationRequest.fromPartial({}), o);
  }

  resumeReconciliation(o?: CallOpts): Promise<ResumeReconciliationResponse> {
    return unary(this.c.orchestrator, this.c.orchestrator.resumeReconciliation, ResumeReconciliationRequest.fromPartial({}), o);
  }

  // HostService
  addHost(r: DeepPartial<AddHostRequest>, o?: CallOpts): OpStream {
    return stream(this.c.hosts, this.c.hosts.addHost, AddHostRequest.fromPartial(r), o);
  }
  updateHostAddr(r: DeepPartial<UpdateHostAddrRequest>, o?: CallOpts): OpStream {
    return stream(this.c.hosts, this.c.hosts.updateHostAddr, UpdateHostAddrRequest.fromPartial(r), o);
  }
  removeHost(r: DeepPartial<RemoveHostRequest>, o?: CallOpts): OpStream {
    return stream(this.c.hosts, this.c.hosts.removeHost, RemoveHostRequest.fromPartial(r), o);
  }
  listHosts(r: DeepPartial<ListHostsRequest> = {}, o?: CallOpts): Promise<ListHostsResponse> {
    return unary(this.c.hosts, this.c.hosts.listHosts, ListHostsRequest.fromPartial(r), o);
  }
  addHostLabel(r: DeepPartial<AddHostLabelRequest>, o?: CallOpts): OpStream {
    return stream(this.c.hosts, this.c.hosts.addHostLabel, AddHostLabelRequest.fromPartial(r), o);
  }
  removeHostLabel(r: DeepPartial<RemoveHostLabelRequest>, o?: CallOpts): OpStream {
    return stream(this.c.hosts, this.c.hosts.removeHostLabel, RemoveHostLabelRequest.fromPartial(r), o);
  }
  hostOkToStop(r: DeepPartial<HostOkToStopRequest>, o?: CallOpts): Promise<HostOkToStopResponse> {
    return unary(this.c.hosts, this.c.hosts.hostOkToStop, HostOkToStopRequest.fromPartial(r), o);
  }
  enterHostMaintenance(r: DeepPartial<EnterHostMaintenanceRequest>, o?: CallOpts): OpStream {
    return stream(this.c.hosts, this.c.hosts.enterHostMaintenance, EnterHostMaintenanceRequest.fromPartial(r), o);
  }
  exitHostMaintenance(r: DeepPartial<ExitHostMaintenanceRequest>, o?: CallOpts): OpStream {
    return stream(this.c.hosts, this.c.hosts.exitHostMaintenance, ExitHostMaintenanceRequest.fromPartial(r), o);
  }
  drainHost(r: DeepPartial<DrainHostRequest>, o?: CallOpts): OpStream {
    return stream(this.c.hosts, this.c.hosts.drainHost, DrainHostRequest.fromPartial(r), o);
  }

  // InventoryService
  getInventory(r: DeepPartial<GetInventoryRequest> = {}, o?: CallOpts): Promise<GetInventoryResponse> {
    return unary(this.c.inventory, this.c.inventory.getInventory, GetInventoryRequest.fromPartial(r), o);
  }
  blinkDeviceLight(r: DeepPartial<BlinkDeviceLightRequest>, o?: CallOpts): OpStream {
    return stream(this.c.inventory, this.c.inventory.blinkDeviceLight, BlinkDeviceLightRequest.fromPartial(r), o);
  }
  zapDevice(r: DeepPartial<ZapDeviceRequest>, o?: CallOpts): OpStream {
    return stream(this.c.inventory, this.c.inventory.zapDevice, ZapDeviceRequest.fromPartial(r), o);
  }

  // ServiceService
  describeServices(r: DeepPartial<DescribeServicesRequest> = {}, o?: CallOpts): Promise<DescribeServicesResponse> {
    return unary(this.c.services, this.c.services.describeServices, DescribeServicesRequest.fromPartial(r), o);
  }
  listDaemons(r: DeepPartial<ListDaemonsRequest> = {}, o?: CallOpts): Promise<ListDaemonsResponse> {
    return unary(this.c.services, this.c.services.listDaemons, ListDaemonsRequest.fromPartial(r), o);
  }
  serviceAction(r: DeepPartial<ServiceActionRequest>, o?: CallOpts): OpStream {
    return stream(this.c.services, this.c.services.serviceAction, ServiceActionRequest.fromPartial(r), o);
  }
  daemonAction(r: DeepPartial<DaemonActionRequest>, o?: CallOpts): OpStream {
    return stream(this.c.services, this.c.services.daemonAction, DaemonActionRequest.fromPartial(r), o);
  }
  removeDaemons(r: DeepPartial<RemoveDaemonsRequest>, o?: CallOpts): OpStream {
    return stream(this.c.services, this.c.services.removeDaemons, RemoveDaemonsRequest.fromPartial(r), o);
  }
  updateMons(r: DeepPartial<UpdateMonsRequest>, o?: CallOpts): OpStream {
    return stream(this.c.services, this.c.services.updateMons, UpdateMonsRequest.fromPartial(r), o);
  }
  updateMgrs(r: DeepPartial<UpdateMgrsRequest>, o?: CallOpts): OpStream {
    return stream(this.c.services, this.c.services.updateMgrs, UpdateMgrsRequest.fromPartial(r), o);
  }
  addStatelessService(r: DeepPartial<AddStatelessServiceRequest>, o?: CallOpts): OpStream {
    return stream(this.c.services, this.c.services.addStatelessService, AddStatelessServiceRequest.fromPartial(r), o);
  }
  updateStatelessService(r: DeepPartial<UpdateStatelessServiceRequest>, o?: CallOpts): OpStream {
    return stream(this.c.services, this.c.services.updateStatelessService, UpdateStatelessServiceRequest.fromPartial(r), o);
  }
  removeStatelessService(r: DeepPartial<RemoveStatelessServiceRequest>, o?: CallOpts): OpStream {
    return stream(this.c.services, this.c.services.removeStatelessService, RemoveStatelessServiceRequest.fromPartial(r), o);
  }

  reconcileService(r: DeepPartial<ReconcileServiceRequest>, o?: CallOpts): OpStream {
    return stream(this.c.services, this.c.services.reconcileService, ReconcileServiceRequest.fromPartial(r), o);
  }

  addDaemons(r: DeepPartial<AddDaemonsRequest>, o?: CallOpts): OpStream {
    return stream(this.c.services, this.c.services.addDaemons, AddDaemonsRequest.fromPartial(r), o);
  }

  // OsdService
  createOsds(r: DeepPartial<CreateOsdsRequest>, o?: CallOpts): OpStream {
    return stream(this.c.osds, this.c.osds.createOsds, CreateOsdsRequest.fromPartial(r), o);
  }
  previewOsds(r: DeepPartial<PreviewOsdsRequest>, o?: CallOpts): Promise<PreviewOsdsResponse> {
    return unary(this.c.osds, this.c.osds.previewOsds, PreviewOsdsRequest.fromPartial(r), o);
  }
  replaceOsds(r: DeepPartial<ReplaceOsdsRequest>, o?: CallOpts): OpStream {
    return stream(this.c.osds, this.c.osds.replaceOsds, ReplaceOsdsRequest.fromPartial(r), o);
  }
  removeOsds(r: DeepPartial<RemoveOsdsRequest>, o?: CallOpts): OpStream {
    return stream(this.c.osds, this.c.osds.removeOsds, RemoveOsdsRequest.fromPartial(r), o);
  }
  getOsdRemovalStatus(o?: CallOpts): Promise<GetOsdRemovalStatusResponse> {
    return unary(this.c.osds, this.c.osds.getOsdRemovalStatus, GetOsdRemovalStatusRequest.fromPartial({}), o);
  }

  // UpgradeService
  getAvailableUpgrades(o?: CallOpts): Promise<GetAvailableUpgradesResponse> {
    return unary(this.c.upgrades, this.c.upgrades.getAvailableUpgrades, GetAvailableUpgradesRequest.fromPartial({}), o);
  }
  startUpgrade(r: DeepPartial<StartUpgradeRequest>, o?: CallOpts): OpStream {
    return stream(this.c.upgrades, this.c.upgrades.startUpgrade, StartUpgradeRequest.fromPartial(r), o);
  }
  getUpgradeStatus(o?: CallOpts): Promise<GetUpgradeStatusResponse> {
    return unary(this.c.upgrades, this.c.upgrades.getUpgradeStatus, GetUpgradeStatusRequest.fromPartial({}), o);
  }
  pauseUpgrade(r: DeepPartial<PauseUpgradeRequest> = {}, o?: CallOpts): OpStream {
    return stream(this.c.upgrades, this.c.upgrades.pauseUpgrade, PauseUpgradeRequest.fromPartial(r), o);
  }
  resumeUpgrade(r: DeepPartial<ResumeUpgradeRequest> = {}, o?: CallOpts): OpStream {
    return stream(this.c.upgrades, this.c.upgrades.resumeUpgrade, ResumeUpgradeRequest.fromPartial(r), o);
  }
  stopUpgrade(r: DeepPartial<StopUpgradeRequest> = {}, o?: CallOpts): OpStream {
    return stream(this.c.upgrades, this.c.upgrades.stopUpgrade, StopUpgradeRequest.fromPartial(r), o);
  }

  // OperationService
  getOperation(id: string, o?: CallOpts): Promise<GetOperationResponse> {
    return unary(this.c.operations, this.c.operations.getOperation, GetOperationRequest.fromPartial({ id }), o);
  }
  listOperations(r: DeepPartial<ListOperationsRequest> = {}, o?: CallOpts): Promise<ListOperationsResponse> {
    return unary(this.c.operations, this.c.operations.listOperations, ListOperationsRequest.fromPartial(r), o);
  }
  watchOperation(id: string, o?: CallOpts): OpStream {
    return stream(this.c.operations, this.c.operations.watchOperation, WatchOperationRequest.fromPartial({ id }), o);
  }
  waitOperations(r: DeepPartial<WaitOperationsRequest>, o?: CallOpts): Promise<WaitOperationsResponse> {
    return unary(this.c.operations, this.c.operations.waitOperations, WaitOperationsRequest.fromPartial(r), o);
  }
  cancelOperation(id: string, o?: CallOpts): Promise<CancelOperationResponse> {
    return unary(this.c.operations, this.c.operations.cancelOperation, CancelOperationRequest.fromPartial({ id }), o);
  }
}

/** A google.protobuf.Duration of `ms` milliseconds. */
export function duration(ms: number): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

// ---------------------------------------------------------------------------------------
// Errors

/** A failed call with every google.rpc detail of its `grpc-status-details-bin` decoded. */
export interface RpcError {
  code: grpc.status;
  message: string;
  /** The google.rpc.Status in the trailer, if any. */
  status: Status | undefined;
  /** Its code, which must equal `code`. */
  statusCode: number | undefined;
  info: ErrorInfo | undefined;
  badRequest: BadRequest | undefined;
  precondition: PreconditionFailure | undefined;
  resource: ResourceInfo | undefined;
  retry: RetryInfo | undefined;
  /** The field paths BadRequest names. */
  fields: string[];
}

/** Decodes the details of a google.rpc.Status (of a call or of a FAILED operation). */
export function decodeDetails(details: Any[]): Omit<RpcError, "code" | "message" | "status" | "statusCode" | "fields"> {
  const find = (t: string) => details.find((d) => d.typeUrl === `type.googleapis.com/google.rpc.${t}`)?.value;
  const dec = <T>(t: string, fns: { decode(b: Uint8Array): T }): T | undefined => {
    const raw = find(t);
    return raw ? fns.decode(raw) : undefined;
  };
  return {
    info: dec("ErrorInfo", ErrorInfo),
    badRequest: dec("BadRequest", BadRequest),
    precondition: dec("PreconditionFailure", PreconditionFailure),
    resource: dec("ResourceInfo", ResourceInfo),
    retry: dec("RetryInfo", RetryInfo),
  };
}

export function toRpcError(err: unknown): RpcError {
  const e = err as grpc.ServiceError;
  if (typeof e?.code !== "number") throw err;
  const raw = e.metadata?.get("grpc-status-details-bin")[0];
  const status = raw ? Status.decode(raw as Buffer) : undefined;
  const d = decodeDetails(status?.details ?? []);
  return {
    code: e.code,
    message: e.details,
    status,
    statusCode: status?.code,
    ...d,
    fields: d.badRequest?.fieldViolations.map((f) => f.field) ?? [],
  };
}

/** Awaits a unary call that must fail, and decodes its error. */
export async function rejection(p: Promise<unknown>): Promise<RpcError> {
  let value: unknown;
  try {
    value = await p;
  } catch (err) {
    return toRpcError(err);
  }
  throw new Error(`expected the call to fail, but it answered ${JSON.stringify(value)}`);
}

/**
 * Reads a write stream that must be refused: the error, and how many messages came before
 * it (the contract says none: a refused request never creates an operation).
 */
export async function refusal(s: OpStream): Promise<RpcError & { messages: Operation[] }> {
  const messages: Operation[] = [];
  try {
    for await (const m of s as AsyncIterable<{ operation?: Operation }>) if (m.operation) messages.push(m.operation);
  } catch (err) {
    return { ...toRpcError(err), messages };
  }
  throw new Error(`expected the stream to be refused, but it ended OK after ${messages.length} messages: ${JSON.stringify(messages.at(-1))}`);
}

/** Every snapshot a write stream sends, in order, until it ends with OK. */
export async function opsOf(s: OpStream): Promise<Operation[]> {
  const out: Operation[] = [];
  for await (const m of s as AsyncIterable<{ operation?: Operation }>) if (m.operation) out.push(m.operation);
  return out;
}

/** The terminal snapshot of a write stream; fails when the stream has none. */
export async function finalOp(s: OpStream): Promise<Operation> {
  const all = await opsOf(s);
  const last = all.at(-1);
  if (!last?.done) throw new Error(`stream ended without a terminal operation: ${JSON.stringify(last)}`);
  return last;
}

/** The first message of a write stream; the stream goes on (read it further or cancel it). */
export function firstOp(s: OpStream): Promise<Operation> {
  return new Promise((resolve, reject) => {
    const onData = (m: { operation?: Operation }) => {
      if (!m.operation) return;
      s.off("data", onData);
      s.off("error", onError);
      s.pause();
      resolve(m.operation);
    };
    const onError = (err: unknown) => reject(err);
    s.on("data", onData);
    s.once("error", onError);
  });
}

/** Cancels a client stream and swallows the CANCELLED error that grpc-js emits for it. */
export function detach(s: OpStream): void {
  s.on("error", () => undefined);
  s.cancel();
}

/** A readable name for an operation state, for messages. */
export function stateName(s: Operation_State): string {
  return Operation_State[s] ?? String(s);
}

/** The operation's error details, when it FAILED. */
export function opError(op: Operation): (ReturnType<typeof decodeDetails> & { code: number; message: string }) | undefined {
  if (op.outcome?.$case !== "error") return undefined;
  const s = op.outcome.value;
  return { code: s.code, message: s.message, ...decodeDetails(s.details) };
}

// ---------------------------------------------------------------------------------------
// The RPCs of the API, from the generated service definitions.

export interface RpcMethod {
  /** "HostService.AddHost": the key of request tables (requestsNamingNothing). */
  name: RpcName;
  /** "HostService" */
  service: string;
  /** "AddHost" */
  method: string;
  /** "ceph_orchestrator.v1.HostService.AddHost", as GetCapabilities names it. */
  fullName: string;
  /** "/ceph_orchestrator.v1.HostService/AddHost", as gRPC routes it. */
  path: string;
  /** The Clients key of its service. */
  client: keyof Clients;
  responseStream: boolean;
  def: grpc.MethodDefinition<unknown, unknown>;
}

export const SERVICE_DEFINITIONS: Record<keyof Clients, grpc.ServiceDefinition> = {
  orchestrator: OrchestratorServiceService as unknown as grpc.ServiceDefinition,
  hosts: HostServiceService as unknown as grpc.ServiceDefinition,
  inventory: InventoryServiceService as unknown as grpc.ServiceDefinition,
  services: ServiceServiceService as unknown as grpc.ServiceDefinition,
  osds: OsdServiceService as unknown as grpc.ServiceDefinition,
  upgrades: UpgradeServiceService as unknown as grpc.ServiceDefinition,
  operations: OperationServiceService as unknown as grpc.ServiceDefinition,
};

/** Every RPC of every service of the API. */
export function allRpcs(): RpcMethod[] {
  const out: RpcMethod[] = [];
  for (const [client, def] of Object.entries(SERVICE_DEFINITIONS) as [keyof Clients, grpc.ServiceDefinition][]) {
    for (const m of Object.values(def)) {
      const match = /^\/([\w.]+)\.(\w+)\/(\w+)$/.exec(m.path);
      if (!match) throw new Error(`unexpected method path ${m.path}`);
      const [, pkg, service, method] = match as unknown as [string, string, string, string];
      out.push({
        name: `${service}.${method}` as RpcName,
        service,
        method,
        fullName: `${pkg}.${service}.${method}`,
        path: m.path,
        client,
        responseStream: m.responseStream,
        def: m as grpc.MethodDefinition<unknown, unknown>,
      });
    }
  }
  return out;
}

/** The outcome of a call made by path: OK with its messages, or the decoded error. */
export type RawOutcome = { ok: true; messages: unknown[] } | { ok: false; error: RpcError; messages: unknown[] };

/**
 * Calls an RPC by its definition with a request message (e.g. `rpc.def.requestDeserialize(
 * Buffer.alloc(0))` for an empty one), unary or server-streaming, and never throws.
 */
export function rawCall(client: grpc.Client, rpc: RpcMethod, request: unknown, o?: CallOpts): Promise<RawOutcome> {
  const { def } = rpc;
  const md = o?.metadata ?? new grpc.Metadata();
  const ser = def.requestSerialize as (v: unknown) => Buffer;
  const deser = def.responseDeserialize as (b: Buffer) => unknown;
  if (!rpc.responseStream) {
    return new Promise((resolve) => {
      client.makeUnaryRequest(def.path, ser, deser, request, md, callOptions(o), (err, res) =>
        resolve(err ? { ok: false, error: toRpcError(err), messages: [] } : { ok: true, messages: [res] }),
      );
    });
  }
  return new Promise((resolve) => {
    const messages: unknown[] = [];
    const s = client.makeServerStreamRequest(def.path, ser, deser, request, md, callOptions(o));
    s.on("data", (m) => messages.push(m));
    s.on("error", (err) => resolve({ ok: false, error: toRpcError(err), messages }));
    s.on("end", () => resolve({ ok: true, messages }));
  });
}

interface MessageFns {
  fromPartial(o: never): unknown;
}

/** The request type of every RPC, by "Service.Method". */
const REQUEST_TYPES: Record<RpcName, MessageFns> = {
  "OrchestratorService.GetStatus": GetStatusRequest,
  "OrchestratorService.GetCapabilities": GetCapabilitiesRequest,
  "OrchestratorService.PauseReconciliation": PauseReconciliationRequest,
  "OrchestratorService.ResumeReconciliation": ResumeReconciliationRequest,
  "HostService.AddHost": AddHostRequest,
  "HostService.RemoveHost": RemoveHostRequest,
  "HostService.UpdateHostAddr": UpdateHostAddrRequest,
  "HostService.ListHosts": ListHostsRequest,
  "HostService.AddHostLabel": AddHostLabelRequest,
  "HostService.RemoveHostLabel": RemoveHostLabelRequest,
  "HostService.HostOkToStop": HostOkToStopRequest,
  "HostService.EnterHostMaintenance": EnterHostMaintenanceRequest,
  "HostService.ExitHostMaintenance": ExitHostMaintenanceRequest,
  "HostService.DrainHost": DrainHostRequest,
  "InventoryService.GetInventory": GetInventoryRequest,
  "InventoryService.BlinkDeviceLight": BlinkDeviceLightRequest,
  "InventoryService.ZapDevice": ZapDeviceRequest,
  "ServiceService.DescribeServices": DescribeServicesRequest,
  "ServiceService.ListDaemons": ListDaemonsRequest,
  "ServiceService.ServiceAction": ServiceActionRequest,
  "ServiceService.DaemonAction": DaemonActionRequest,
  "ServiceService.RemoveDaemons": RemoveDaemonsRequest,
  "ServiceService.UpdateMons": UpdateMonsRequest,
  "ServiceService.UpdateMgrs": UpdateMgrsRequest,
  "ServiceService.AddStatelessService": AddStatelessServiceRequest,
  "ServiceService.UpdateStatelessService": UpdateStatelessServiceRequest,
  "ServiceService.RemoveStatelessService": RemoveStatelessServiceRequest,
  "ServiceService.ReconcileService": ReconcileServiceRequest,
  "ServiceService.AddDaemons": AddDaemonsRequest,
  "OsdService.CreateOsds": CreateOsdsRequest,
  "OsdService.PreviewOsds": PreviewOsdsRequest,
  "OsdService.ReplaceOsds": ReplaceOsdsRequest,
  "OsdService.RemoveOsds": RemoveOsdsRequest,
  "OsdService.GetOsdRemovalStatus": GetOsdRemovalStatusRequest,
  "UpgradeService.GetAvailableUpgrades": GetAvailableUpgradesRequest,
  "UpgradeService.StartUpgrade": StartUpgradeRequest,
  "UpgradeService.GetUpgradeStatus": GetUpgradeStatusRequest,
  "UpgradeService.PauseUpgrade": PauseUpgradeRequest,
  "UpgradeService.ResumeUpgrade": ResumeUpgradeRequest,
  "UpgradeService.StopUpgrade": StopUpgradeRequest,
  "OperationService.GetOperation": GetOperationRequest,
  "OperationService.ListOperations": ListOperationsRequest,
  "OperationService.WatchOperation": WatchOperationRequest,
  "OperationService.WaitOperations": WaitOperationsRequest,
  "OperationService.CancelOperation": CancelOperationRequest,
};

/**
 * For each RPC, a request that passes validation, names nothing that exists (so it changes
 * nothing if it ran) and claims OSDs of `host`: what only a capability check, a missing
 * backend or a missing resource can refuse. Keyed by the registry's RpcName: a new RPC
 * without a request here does not compile.
 */
export function requestsNamingNothing(host: string): Record<RpcName, unknown> {
  const absent = "conformance-absent";
  const uuid = "00000000-0000-4000-8000-000000000000";
  const drives = { hostPattern: host, dataDevices: { paths: [`/dev/${absent}`] } };
  return {
    "OrchestratorService.GetStatus": {},
    "OrchestratorService.GetCapabilities": {},
    "OrchestratorService.PauseReconciliation": {},
    "OrchestratorService.ResumeReconciliation": {},
    "HostService.AddHost": { host: { hostname: `${absent}-host` } },
    "HostService.RemoveHost": { hostname: `${absent}-host` },
    "HostService.UpdateHostAddr": { hostname: `${absent}-host`, addr: "192.0.2.1" },
    "HostService.ListHosts": {},
    "HostService.AddHostLabel": { hostname: `${absent}-host`, label: "conformance" },
    "HostService.RemoveHostLabel": { hostname: `${absent}-host`, label: "conformance" },
    "HostService.HostOkToStop": { hostname: `${absent}-host` },
    "HostService.EnterHostMaintenance": { hostname: `${absent}-host` },
    "HostService.ExitHostMaintenance": { hostname: `${absent}-host` },
    "HostService.DrainHost": { hostname: `${absent}-host` },
    "InventoryService.GetInventory": {},
    "InventoryService.BlinkDeviceLight": { light: LightType.LIGHT_TYPE_IDENT, on: true, locations: [{ hostname: `${absent}-host`, path: `/dev/${absent}` }] },
    "InventoryService.ZapDevice": { hostname: `${absent}-host`, path: `/dev/${absent}` },
    "ServiceService.DescribeServices": {},
    "ServiceService.ListDaemons": {},
    "ServiceService.ServiceAction": { action: ServiceAction.SERVICE_ACTION_RESTART, serviceName: `mds.${absent}` },
    "ServiceService.DaemonAction": { action: ServiceAction.SERVICE_ACTION_RESTART, daemonName: `mds.${absent}` },
    "ServiceService.RemoveDaemons": { daemonNames: [`mds.${absent}`] },
    "ServiceService.UpdateMons": { placement: { count: 15 } },
    "ServiceService.UpdateMgrs": { placement: { count: 15 } },
    "ServiceService.AddStatelessService": { spec: { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: absent, placement: { count: 1000 } } },
    "ServiceService.UpdateStatelessService": { spec: { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: absent } },
    "ServiceService.RemoveStatelessService": { serviceName: `mds.${absent}` },
    "ServiceService.ReconcileService": { serviceName: `mds.${absent}` },
    "ServiceService.AddDaemons": { spec: { serviceType: ServiceType.SERVICE_TYPE_MDS, serviceId: absent, placement: { hosts: [{ hostname: `${absent}-host` }] } } },
    "OsdService.CreateOsds": { spec: drives },
    "OsdService.PreviewOsds": { spec: drives },
    "OsdService.ReplaceOsds": { spec: { ...drives, osdIdClaims: { [host]: { osdIds: [999_999] } } } },
    "OsdService.RemoveOsds": { osdIds: [999_999] },
    "OsdService.GetOsdRemovalStatus": {},
    "UpgradeService.GetAvailableUpgrades": {},
    "UpgradeService.StartUpgrade": { targetVersion: "999.0.0" },
    "UpgradeService.GetUpgradeStatus": {},
    "UpgradeService.PauseUpgrade": {},
    "UpgradeService.ResumeUpgrade": {},
    "UpgradeService.StopUpgrade": {},
    "OperationService.GetOperation": { id: uuid },
    "OperationService.ListOperations": {},
    "OperationService.WatchOperation": { id: uuid },
    "OperationService.WaitOperations": { ids: [uuid] },
    "OperationService.CancelOperation": { id: uuid },
  };
}

/** A full request message for the RPC from a partial one (plain object, as fromPartial takes). */
export function requestFromPartial(rpc: RpcMethod, partial: unknown): unknown {
  const t = REQUEST_TYPES[rpc.name];
  if (!t) throw new Error(`no request type known for ${rpc.fullName}: add it to REQUEST_TYPES`);
  return t.fromPartial(partial as never);
}

/** An empty (all-default) request message for the RPC. */
export function emptyRequest(rpc: RpcMethod): unknown {
  return rpc.def.requestDeserialize(Buffer.alloc(0));
}

// ---------------------------------------------------------------------------------------
// Pagination and cluster snapshots

/** Reads every page of a paginated list; fails on a repeated token or a runaway list. */
export async function allPages<T>(
  fetch: (pageToken: string) => Promise<{ items: T[]; nextPageToken: string; totalSize: number }>,
): Promise<{ items: T[]; pages: number; totalSizes: number[] }> {
  const items: T[] = [];
  const totalSizes: number[] = [];
  const seen = new Set<string>();
  let token = "";
  let pages = 0;
  for (;;) {
    const page = await fetch(token);
    pages++;
    items.push(...page.items);
    totalSizes.push(page.totalSize);
    if (page.nextPageToken === "") break;
    if (seen.has(page.nextPageToken)) throw new Error(`page token repeated: ${page.nextPageToken}`);
    seen.add(page.nextPageToken);
    if (pages > 10_000) throw new Error("more than 10000 pages");
    token = page.nextPageToken;
  }
  return { items, pages, totalSizes };
}

/**
 * What a request must not change when it is refused: hosts, devices, daemons and services
 * (as far as the backend supports reading them), reduced to fields that do not drift on
 * their own (no timestamps, pids or run states).
 */
export async function clusterSnapshot(api: Api, supported: (rpc: string) => boolean): Promise<Record<string, unknown>> {
  const snap: Record<string, unknown> = {};
  // No RPC reports a device's lights; a backend in this process that can tell (the sim's
  // deviceLights) adds them.
  const backend = (api.c as { server?: { deps?: { backend?: unknown } } }).server?.deps?.backend as
    | { deviceLights?: (hostname: string, path: string) => unknown }
    | undefined;
  const lightsOf = (hostname: string, path: string) => backend?.deviceLights?.(hostname, path);
  if (supported("HostService.ListHosts")) {
    const hosts = (await allPages(async (t) => {
      const r = await api.listHosts({ pageToken: t, pageSize: 1000 });
      return { items: r.hosts, nextPageToken: r.nextPageToken, totalSize: r.totalSize };
    })).items;
    snap.hosts = hosts.map((h) => ({ hostname: h.hostname, addr: h.addr, labels: [...h.labels].sort() }));
  }
  if (supported("InventoryService.GetInventory")) {
    const inv = (await api.getInventory({ pageSize: 1000 })).hosts;
    snap.inventory = inv.map((h) => ({
      hostname: h.hostname,
      devices: h.devices.map((d) => ({
        path: d.path,
        deviceId: d.deviceId,
        available: d.available,
        osdId: d.osdId,
        lvs: d.lvs.map((l) => l.name).sort(),
        lights: lightsOf(h.hostname, d.path),
      })),
    }));
  }
  if (supported("ServiceService.ListDaemons")) {
    const daemons = (await api.listDaemons({ pageSize: 1000 })).daemons;
    snap.daemons = daemons.map((d) => `${d.daemonName}@${d.hostname} (${d.serviceName}): ${d.status} ${d.statusDesc}`).sort();
  }
  if (supported("ServiceService.DescribeServices")) {
    const services = (await api.describeServices({ pageSize: 1000 })).services;
    snap.services = services.map((s) => ({ name: s.serviceName, placement: s.placement })).sort((a, b) => (a.name < b.name ? -1 : 1));
  }
  snap.operations = (await api.listOperations({ pageSize: 1 })).totalSize;
  return snap;
}

// ---------------------------------------------------------------------------------------
// Operation lifecycle

const TERMINAL = new Set([Operation_State.STATE_SUCCEEDED, Operation_State.STATE_FAILED, Operation_State.STATE_CANCELLED]);

/** Whether the state ends an operation. */
export function isTerminal(s: Operation_State): boolean {
  return TERMINAL.has(s);
}

/** A stage's rank: states only move forward (the three terminal ones share the last rank). */
export function stageRank(s: Operation_State): number {
  return isTerminal(s) ? 4 : s;
}

/**
 * The lifecycle a write stream must follow (operation.proto), as a list of problems (empty
 * when it is fine): ACCEPTED first with an id, then PERSISTENT, states only forward, one
 * terminal message and it is the last, persistent from PERSISTENT on, progress within [0, 1]
 * and never falling, the same id throughout.
 */
export function lifecycleProblems(msgs: Operation[], opts: { fromStart?: boolean } = {}): string[] {
  const fromStart = opts.fromStart ?? true;
  const p: string[] = [];
  if (msgs.length === 0) return ["no messages"];
  const first = msgs[0]!;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(first.id)) p.push(`id '${first.id}' is not a UUID`);
  if (fromStart) {
    if (first.state !== Operation_State.STATE_ACCEPTED) p.push(`first message is ${stateName(first.state)}, not STATE_ACCEPTED`);
    if (first.persistent) p.push("first message is already persistent");
    const second = msgs[1];
    if (!second) p.push("no second message");
    else if (second.state !== Operation_State.STATE_PERSISTENT) p.push(`second message is ${stateName(second.state)}, not STATE_PERSISTENT`);
  }
  let lastRank = 0;
  let lastProgress = -1;
  msgs.forEach((m, i) => {
    const at = `message ${i} (${stateName(m.state)})`;
    if (m.id !== first.id) p.push(`${at} has id ${m.id}`);
    if (m.state === Operation_State.STATE_UNSPECIFIED) p.push(`${at} has no state`);
    if (stageRank(m.state) < lastRank) p.push(`${at} goes back from rank ${lastRank}`);
    lastRank = stageRank(m.state);
    if (m.state >= Operation_State.STATE_PERSISTENT && !m.persistent) p.push(`${at} is not persistent`);
    if (m.done !== isTerminal(m.state)) p.push(`${at} has done=${m.done}`);
    if (m.done && i !== msgs.length - 1) p.push(`${at} is terminal but not last`);
    if (!(m.progress >= 0 && m.progress <= 1)) p.push(`${at} has progress ${m.progress}`);
    if (m.progress < lastProgress) p.push(`${at} progress fell from ${lastProgress} to ${m.progress}`);
    lastProgress = m.progress;
    if (!m.createTime) p.push(`${at} has no create_time`);
    if (m.done && !m.endTime) p.push(`${at} is done without end_time`);
    if (m.state === Operation_State.STATE_SUCCEEDED && m.outcome?.$case === "error") p.push(`${at} succeeded with an error`);
    if (m.state === Operation_State.STATE_FAILED && m.outcome?.$case !== "error") p.push(`${at} failed without an error`);
    for (const t of m.tasks) {
      if (!(t.progress >= 0 && t.progress <= 1)) p.push(`${at} task ${t.target} has progress ${t.progress}`);
      if (t.state === Operation_State.STATE_PERSISTENT) p.push(`${at} task ${t.target} is PERSISTENT (not used for tasks)`);
    }
  });
  const last = msgs.at(-1)!;
  if (!last.done) p.push(`last message is ${stateName(last.state)}, not terminal`);
  return p;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = "condition", everyMs = 20): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
