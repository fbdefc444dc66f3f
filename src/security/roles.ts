// Who may call what: the role each RPC needs, and which RPCs are writes (audited and
// rate-limited), both read from the RPC registry (src/domain/registry.ts), so that a new RPC
// cannot be left out.
import { allRegisteredRpcs, isWrite, rpcByPath } from "../domain/registry.js";
import { ROLES, type Role } from "../domain/registry-types.js";

export { ROLES, type Role };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` may do what `required` may. */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

export interface RpcAccess {
  /** The least role that may call it. */
  role: Role;
  /** It changes the cluster or an operation: audited, and counted by the write rate limit. */
  write: boolean;
}

/** Every RPC of the API, by full name ("package.Service.Method"). */
export const RPC_ACCESS: Readonly<Record<string, RpcAccess>> = Object.fromEntries(
  allRegisteredRpcs().map((rpc) => [rpc.fullName, { role: rpc.entry.role, write: isWrite(rpc.entry) }]),
);

/** The access rule of a gRPC path, or undefined for a path outside the API (health, reflection). */
export function accessOfPath(path: string): RpcAccess | undefined {
  const rpc = rpcByPath(path);
  return rpc && RPC_ACCESS[rpc.fullName];
}
