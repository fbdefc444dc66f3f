// Shared helpers for the operations tests.
import { pino } from "pino";
import type { Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { Any } from "../../gen/ts/google/protobuf/any.js";
import type { Status } from "../../gen/ts/google/rpc/status.js";
import { OperationsEngine, type OperationsEngineOptions, type WritePlan } from "../../src/operations/engine.js";

export const silent = pino({ level: "silent" });

export function newEngine(opts: Partial<OperationsEngineOptions> = {}): OperationsEngine {
  return new OperationsEngine({ log: silent, retention: { maxAgeMs: 60_000, maxCount: 1000 }, ...opts });
}

export function spec(over: Partial<WritePlan> = {}): WritePlan {
  return {
    method: "ceph_orchestrator.v1.Test.Do",
    description: "test operation",
    requestId: "",
    requestFingerprint: "",
    request: {},
    hosts: [],
    run: async () => undefined,
    ...over,
  };
}

export async function collect(updates: AsyncIterable<Operation>): Promise<Operation[]> {
  const out: Operation[] = [];
  for await (const op of updates) out.push(op);
  return out;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks and the next macrotask run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The detail of the given google.rpc type packed in a Status, decoded. */
export function detail<T>(status: Status, typeName: string, type: { decode(input: Uint8Array): T }): T | undefined {
  const any = status.details.find((d: Any) => d.typeUrl === `type.googleapis.com/${typeName}`);
  return any && type.decode(any.value);
}
