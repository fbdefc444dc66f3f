// Whether the backend works, and what it can do.
import type { GetCapabilitiesResponse, GetStatusResponse } from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import type { Backend } from "../backend/backend.js";
import { RPC_PRIMITIVES, isSupported } from "./capabilities.js";

export async function getStatus(backend: Backend): Promise<GetStatusResponse> {
  const s = await backend.status();
  return { available: s.available, reason: s.reason, backend: backend.name, details: s.details };
}

export function getCapabilities(backend: Backend): GetCapabilitiesResponse {
  return {
    backend: backend.name,
    version: backend.version,
    rpcs: Object.keys(RPC_PRIMITIVES).map((method) => ({
      method,
      supported: isSupported(backend, method),
      unsupportedOptions: [...(backend.unsupportedOptions?.[method] ?? [])],
    })),
  };
}
