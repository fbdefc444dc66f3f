// The shapes of the RPC registry (src/domain/registry.ts): what one entry says about one RPC,
// and the helpers that build entries. Every layer derives what it needs from the entries:
// the transport its handlers, security the role and whether a call is a write,
// GetCapabilities and UNIMPLEMENTED the primitives, the unsupported-option check the
// request's descriptor, and resume after a restart the rebuilder.
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import type { Backend } from "../backend/backend.js";
import type { WritePlan } from "../operations/engine.js";
import type { Deps } from "./context.js";

/** The roles, each allowed everything the ones before it are. */
export const ROLES = ["reader", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** A backend method an RPC calls; a backend that lacks one makes the RPC UNIMPLEMENTED. */
export type Primitive = Exclude<keyof Backend, "name" | "version" | "unsupportedOptions" | "status" | "close">;

/** A method of a generated grpc-js service definition. */
export interface MethodDefinition<Req, Res> {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  requestDeserialize(bytes: Buffer): Req;
  responseSerialize(value: Res): Buffer;
}

export type RequestOf<M> = M extends MethodDefinition<infer Req, unknown> ? Req : never;
export type ResponseOf<M> = M extends { responseSerialize(value: infer Res): Buffer } ? Res : never;

/** Checks a request before anything else; throws ValidationError (or NotFoundError, ...) naming the field. */
export type Validate<Req> = (deps: Deps, req: Req) => void | Promise<void>;

interface EntryBase<Req> {
  /** The least role that may call it. */
  readonly role: Role;
  /** The backend primitives it calls. */
  readonly needs: readonly Primitive[];
  /**
   * Request fields a backend may declare unsupported (proto field paths). The check runs
   * after `validate`; a backend may only declare paths listed here (the registry test
   * checks every backend).
   */
  readonly options: readonly string[];
  readonly validate?: Validate<Req>;
}

/** A unary read: answers from the cluster, changes nothing. */
export interface ReadEntry<Req, Res> extends EntryBase<Req> {
  readonly kind: "read";
  call(deps: Deps, req: Req, signal: AbortSignal): Res | Promise<Res>;
  /** The answer when no backend is configured; without it the RPC answers NO_BACKEND. */
  withoutBackend?(): Res;
}

/** A unary command on an operation (CancelOperation): audited and rate-limited like a write. */
export interface CommandEntry<Req, Res> extends EntryBase<Req> {
  readonly kind: "command";
  call(deps: Deps, req: Req): Res | Promise<Res>;
}

/** A server stream of an existing operation's snapshots (WatchOperation). */
export interface WatchEntry<Req> extends EntryBase<Req> {
  readonly kind: "watch";
  /** The id of the operation to watch, once the request is checked. */
  operationId(deps: Deps, req: Req): string;
}

/** A write: planned, journaled, run by the engine, streamed as Operation snapshots. */
export interface WriteEntry<Req extends { requestId: string }> extends EntryBase<Req> {
  readonly kind: "write";
  /**
   * Checks the cluster's state (NOT_FOUND, FAILED_PRECONDITION, ...) and plans the write;
   * an Operation instead of a plan is an existing operation that answers the request.
   */
  plan(deps: Deps, req: Req): Promise<PlannedWrite | Operation>;
  /** The plan of a journaled request that had not finished when the service stopped. */
  rebuild(deps: Deps, req: Req, op: Operation): WritePlan;
}

export type Entry<Req, Res> = Req extends { requestId: string }
  ? WriteEntry<Req> | ReadEntry<Req, Res> | CommandEntry<Req, Res> | WatchEntry<Req>
  : ReadEntry<Req, Res> | CommandEntry<Req, Res> | WatchEntry<Req>;

/** Any entry, its request and response types erased. */
export type AnyEntry = ReadEntry<never, unknown> | CommandEntry<never, unknown> | WatchEntry<never> | WriteEntry<never>;

/** One entry per method of a generated service definition: a method left out does not compile. */
export type ServiceEntries<S> = { readonly [K in keyof S]: Entry<RequestOf<S[K]>, ResponseOf<S[K]>> };

/** What a write use case module exports for one RPC. */
export interface WriteUseCase<Req extends { requestId: string }> {
  validate: Validate<Req>;
  plan(deps: Deps, req: Req): Promise<PlannedWrite | Operation>;
  rebuild(deps: Deps, req: Req, op: Operation): WritePlan;
}

/** A plan, and what to do once the engine has accepted it (not for a retried request_id's operation). */
export type PlannedWrite = WritePlan & { accepted?(op: Operation): void };

interface EntryOptions {
  options?: readonly string[];
}

export function write<Req extends { requestId: string }>(
  role: Role,
  needs: readonly Primitive[],
  useCase: WriteUseCase<Req>,
  o: EntryOptions = {},
): WriteEntry<Req> {
  return { kind: "write", role, needs, options: o.options ?? [], ...useCase };
}

export function read<Req, Res>(
  role: Role,
  needs: readonly Primitive[],
  call: ReadEntry<Req, Res>["call"],
  o: EntryOptions & { validate?: Validate<Req>; withoutBackend?: () => Res } = {},
): ReadEntry<Req, Res> {
  return {
    kind: "read",
    role,
    needs,
    options: o.options ?? [],
    call,
    ...(o.validate && { validate: o.validate }),
    ...(o.withoutBackend && { withoutBackend: o.withoutBackend }),
  };
}

/** "ceph_orchestrator.v1.HostService.AddHost" for the method at "/ceph_orchestrator.v1.HostService/AddHost". */
export function fullName(method: { readonly path: string }): string {
  return method.path.replace(/^\//, "").replace("/", ".");
}
