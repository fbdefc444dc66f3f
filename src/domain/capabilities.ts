// Whether the backend works, and what it can do: an RPC is supported when the backend has
// every primitive its registry entry needs. This decides both what GetCapabilities reports
// and which RPCs answer UNIMPLEMENTED, so the two never disagree; and it checks a request
// against the options the backend does not support.
import type { GetCapabilitiesResponse, GetStatusResponse } from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import { ServiceType } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import type { Backend } from "../backend/backend.js";
import { methodDescriptor } from "../contract/descriptors.js";
import { NotImplementedError } from "./errors.js";
import type { AnyEntry } from "./registry-types.js";
import { ensureOptionsSupported } from "./request-options.js";

const ALL_SERVICE_TYPES = Object.values(ServiceType).filter(
  (t): t is ServiceType => typeof t === "number" && t !== ServiceType.SERVICE_TYPE_UNSPECIFIED && t !== ServiceType.UNRECOGNIZED,
);

/** An RPC as the capability checks see it. */
export interface RpcNeeds {
  readonly fullName: string;
  readonly entry: AnyEntry;
}

export function isSupported(backend: Backend, rpc: RpcNeeds): boolean {
  return rpc.entry.needs.every((p) => typeof backend[p] === "function");
}

/** Throws NotImplementedError (UNIMPLEMENTED) when the backend lacks a primitive of the RPC. */
export function ensureSupported(backend: Backend, rpc: RpcNeeds): void {
  if (!isSupported(backend, rpc)) throw new NotImplementedError(backend.name, rpc.fullName);
}

/** Throws UnsupportedOptionError (INVALID_ARGUMENT) for an option the request sets and the backend does not support. */
export function ensureRequestOptionsSupported(backend: Backend, rpc: RpcNeeds, request: object): void {
  const unsupported = backend.unsupportedOptions?.[rpc.fullName] ?? [];
  if (unsupported.length > 0) ensureOptionsSupported(methodDescriptor(rpc.fullName).input, request, unsupported, backend.name);
}

export async function getStatus(backend: Backend, paused: boolean): Promise<GetStatusResponse> {
  const s = await backend.status();
  return { available: s.available, reason: s.reason, backend: backend.name, details: s.details, paused };
}

/** GetStatus when no backend is configured (--backend none). */
export function statusWithoutBackend(): GetStatusResponse {
  return { available: false, reason: "No orchestrator backend is configured", backend: "", details: {}, paused: false };
}

export function getCapabilities(backend: Backend, rpcs: readonly RpcNeeds[]): GetCapabilitiesResponse {
  return {
    backend: backend.name,
    version: backend.version,
    serviceTypes: backend.serviceTypes ? [...backend.serviceTypes] : ALL_SERVICE_TYPES,
    rpcs: rpcs.map((rpc) => ({
      method: rpc.fullName,
      supported: isSupported(backend, rpc),
      unsupportedOptions: [...(backend.unsupportedOptions?.[rpc.fullName] ?? [])],
    })),
  };
}
