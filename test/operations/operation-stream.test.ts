import { EventEmitter } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Operation_State as S, type Operation } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import {
  GetOperationRequest,
  type GetOperationResponse,
  OperationServiceClient,
  OperationServiceService,
  type WatchOperationRequest,
  WatchOperationResponse,
} from "../../gen/ts/ceph_orchestrator/v1/operation_service.js";
import { Code } from "../../gen/ts/google/rpc/code.js";
import { ErrorInfo, ResourceInfo } from "../../gen/ts/google/rpc/error_details.js";
import { Status } from "../../gen/ts/google/rpc/status.js";
import type { OperationsEngine } from "../../src/operations/engine.js";
import { STATUS_DETAILS_KEY, toServiceError } from "../../src/security/grpc-status.js";
import { streamOperations } from "../../src/transport/operation-stream.js";
import { type Deferred, deferred, detail, newEngine, silent, spec, tick } from "./helpers.js";

/** A write RPC as the services will have: it submits and streams from ACCEPTED on. */
const WriterService = {
  write: {
    path: "/test.v1.Writer/Write",
    requestStream: false,
    responseStream: true,
    requestSerialize: (v: GetOperationRequest) => Buffer.from(GetOperationRequest.encode(v).finish()),
    requestDeserialize: (b: Buffer) => GetOperationRequest.decode(b),
    responseSerialize: (v: WatchOperationResponse) => Buffer.from(WatchOperationResponse.encode(v).finish()),
    responseDeserialize: (b: Buffer) => WatchOperationResponse.decode(b),
  },
} satisfies grpc.ServiceDefinition;

describe("streamOperations over grpc-js", () => {
  let engine: OperationsEngine;
  let server: grpc.Server;
  let client: OperationServiceClient;
  let writer: grpc.Client;
  /** What the next Write's operation waits for before it succeeds. */
  let writeGate: Deferred<void>;
  /** Each WatchOperation handler's streamOperations promise, in call order. */
  const handlers: Promise<void>[] = [];

  beforeAll(async () => {
    engine = newEngine();
    server = new grpc.Server();
    server.addService(OperationServiceService, {
      watchOperation: (call: grpc.ServerWritableStream<WatchOperationRequest, WatchOperationResponse>) => {
        handlers.push(
          streamOperations(call, (signal) => engine.watch(call.request.id, signal), (operation) => ({ operation }), silent),
        );
      },
      getOperation: (
        call: grpc.ServerUnaryCall<GetOperationRequest, GetOperationResponse>,
        callback: grpc.sendUnaryData<GetOperationResponse>,
      ) => {
        try {
          callback(null, { operation: engine.get(call.request.id) });
        } catch (err) {
          callback(toServiceError(err, silent));
        }
      },
    });
    server.addService(WriterService, {
      write: (call: grpc.ServerWritableStream<GetOperationRequest, WatchOperationResponse>) => {
        const gate = writeGate;
        const write = spec({ run: () => gate.promise.then(() => undefined) });
        handlers.push(
          streamOperations(call, (signal) => engine.submitAndWatch(write, signal).updates, (operation) => ({ operation }), silent),
        );
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = new OperationServiceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    writer = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    writer.close();
    engine.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  /** Reads a server stream until it ends, fails, or `stopAt` returns true (then cancels). */
  function read(stream: grpc.ClientReadableStream<WatchOperationResponse>, stopAt?: (op: Operation) => boolean) {
    const seen: Operation[] = [];
    const ended = new Promise<{ error?: grpc.ServiceError }>((resolve) => {
      stream.on("data", (res: WatchOperationResponse) => {
        seen.push(res.operation!);
        if (stopAt?.(res.operation!)) stream.cancel();
      });
      stream.on("error", (error: grpc.ServiceError) => resolve({ error }));
      stream.on("end", () => resolve({}));
    });
    return { seen, ended };
  }

  const watch = (id: string) => read(client.watchOperation({ id }));

  it("streams a write from ACCEPTED, detaches on disconnect while the operation goes on, then reattaches", async () => {
    writeGate = deferred();
    const first = read(
      writer.makeServerStreamRequest(
        WriterService.write.path,
        WriterService.write.requestSerialize,
        WriterService.write.responseDeserialize,
        { id: "" },
      ),
      (o) => o.state === S.STATE_RUNNING,
    );
    const r1 = await first.ended;
    expect(r1.error?.code).toBe(grpc.status.CANCELLED);
    expect(first.seen.map((o) => o.state)).toEqual([S.STATE_ACCEPTED, S.STATE_PERSISTENT, S.STATE_RUNNING]);
    const id = first.seen[0]!.id;
    // The server side notices the cancel and stops watching; the operation is untouched.
    await handlers.at(-1);
    expect(engine.get(id)).toMatchObject({ state: S.STATE_RUNNING, cancelRequested: false });

    const second = watch(id);
    while (second.seen.length === 0) await tick();
    writeGate.resolve();
    const r2 = await second.ended;
    expect(r2.error).toBeUndefined();
    expect(second.seen.map((o) => o.state)).toEqual([S.STATE_RUNNING, S.STATE_SUCCEEDED]);
    expect(second.seen[1]).toMatchObject({ id, done: true, progress: 1 });
  });

  it("ends with OK after a FAILED operation", async () => {
    const op = engine.submit(
      spec({
        run: async () => {
          throw new Error("boom");
        },
      }),
    );
    const w = watch(op.id);
    expect((await w.ended).error).toBeUndefined();
    const last = w.seen.at(-1)!;
    expect(last.state).toBe(S.STATE_FAILED);
    expect(last.outcome).toMatchObject({ $case: "error", value: { code: Code.INTERNAL } });
  });

  it("fails the stream with the details trailer when the watch is refused", async () => {
    const { error } = await watch("no-such-operation").ended;
    expect(error?.code).toBe(grpc.status.NOT_FOUND);
    expect(error?.details).toBe("operation 'no-such-operation' not found");
    const [bin] = error!.metadata.get(STATUS_DETAILS_KEY);
    const status = Status.decode(bin as Buffer);
    expect(status.code).toBe(Code.NOT_FOUND);
    expect(detail(status, "google.rpc.ErrorInfo", ErrorInfo)).toMatchObject({ reason: "NOT_FOUND", domain: "orchestrator.ceph.io" });
    expect(detail(status, "google.rpc.ResourceInfo", ResourceInfo)).toMatchObject({ resourceType: "operation", resourceName: "no-such-operation" });
  });

  it("maps errors of unary handlers with toServiceError", async () => {
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.getOperation({ id: "gone" }, (err) => resolve(err)),
    );
    expect(error?.code).toBe(grpc.status.NOT_FOUND);
    const status = Status.decode(error!.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer);
    expect(detail(status, "google.rpc.ErrorInfo", ErrorInfo)?.reason).toBe("NOT_FOUND");
  });
});

describe("streamOperations back-pressure", () => {
  /** A stand-in for a ServerWritableStream whose buffer is full after every write. */
  class FullCall extends EventEmitter {
    cancelled = false;
    written: number[] = [];
    ended = false;
    write(n: number): boolean {
      this.written.push(n);
      return false;
    }
    end(): void {
      this.ended = true;
    }
  }

  async function* three(): AsyncIterable<Operation> {
    for (const progress of [0.1, 0.2, 0.3]) yield { progress } as Operation;
  }

  it("waits for 'drain' before the next write", async () => {
    const call = new FullCall();
    const done = streamOperations(call as unknown as grpc.ServerWritableStream<unknown, number>, three, (op) => op.progress, silent);
    await tick();
    expect(call.written).toEqual([0.1]);
    call.emit("drain");
    await tick();
    expect(call.written).toEqual([0.1, 0.2]);
    call.emit("drain");
    await tick();
    call.emit("drain");
    await done;
    expect(call.written).toEqual([0.1, 0.2, 0.3]);
    expect(call.ended).toBe(true);
  });

  it("stops without ending the call when cancelled while waiting", async () => {
    const call = new FullCall();
    let signal: AbortSignal | undefined;
    const done = streamOperations(
      call as unknown as grpc.ServerWritableStream<unknown, number>,
      (s) => {
        signal = s;
        return three();
      },
      (op) => op.progress,
      silent,
    );
    await tick();
    call.cancelled = true;
    call.emit("cancelled");
    await done;
    expect(signal?.aborted).toBe(true);
    expect(call.written).toEqual([0.1]);
    expect(call.ended).toBe(false);
  });
});
