// The standard gRPC services next to ours: grpc.health.v1 (following the backend's
// availability) and grpc.reflection.v1 (serving the real proto files with their imports,
// as grpcurl needs them), each over real gRPC with clients built from their own protos.
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRpcs } from "../conformance/api.js";
import { type Harness, startHarness } from "../support/harness.js";

const HEALTH_PROTO = fileURLToPath(new URL("../../node_modules/grpc-health-check/proto/health/v1/health.proto", import.meta.url));
const REFLECTION_PROTO = fileURLToPath(new URL("../../node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto", import.meta.url));
const LOADER = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

type Ctor = new (address: string, creds: grpc.ChannelCredentials) => grpc.Client;
function clientCtor(file: string, path: string[]): Ctor {
  let node: unknown = grpc.loadPackageDefinition(protoLoader.loadSync(file, LOADER));
  for (const p of path) node = (node as Record<string, unknown>)[p];
  return node as Ctor;
}
const HealthClient = clientCtor(HEALTH_PROTO, ["grpc", "health", "v1", "Health"]);
const ReflectionClient = clientCtor(REFLECTION_PROTO, ["grpc", "reflection", "v1", "ServerReflection"]);

const OUR_SERVICES = [...new Set(allRpcs().map((r) => r.fullName.replace(/\.\w+$/, "")))].sort();

interface HealthApi {
  check(service: string): Promise<string>;
  watchFirst(service: string): Promise<string>;
  close(): void;
}
function health(address: string): HealthApi {
  const c = new HealthClient(address, grpc.credentials.createInsecure()) as grpc.Client & {
    Check(req: { service: string }, cb: (err: grpc.ServiceError | null, res: { status: string }) => void): void;
    Watch(req: { service: string }): grpc.ClientReadableStream<{ status: string }>;
  };
  return {
    check: (service) => new Promise((resolve, reject) => c.Check({ service }, (err, res) => (err ? reject(err) : resolve(res.status)))),
    watchFirst: (service) =>
      new Promise((resolve, reject) => {
        const s = c.Watch({ service });
        s.once("data", (m: { status: string }) => {
          s.on("error", () => undefined);
          s.cancel();
          resolve(m.status);
        });
        s.once("error", reject);
      }),
    close: () => c.close(),
  };
}

describe("grpc.health.v1", () => {
  describe("with the sim available", () => {
    let h: Harness;
    let hc: HealthApi;
    beforeAll(async () => {
      h = await startHarness(["--backend-opt", "delays=0"]);
      hc = health(h.address);
    });
    afterAll(async () => {
      hc?.close();
      await h?.stop();
    });

    it("Check is SERVING for the server ('') and for each of our services", async () => {
      expect(await hc.check("")).toBe("SERVING");
      for (const s of OUR_SERVICES) expect(await hc.check(s), s).toBe("SERVING");
    });

    it("Check of an unknown service is NOT_FOUND; Watch sends the current status", async () => {
      const err = await hc.check("no.such.Service").then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      );
      expect(err?.code).toBe(grpc.status.NOT_FOUND);
      expect(await hc.watchFirst("")).toBe("SERVING");
    });
  });

  for (const [what, args] of [
    ["the sim's cluster unreachable (failures.clusterUnreachable)", ["--backend-opt", "delays=0", "--backend-opt", 'failures={"clusterUnreachable":true}']],
    ["no backend (--backend none)", ["--backend", "none"]],
  ] as const) {
    describe(`with ${what}`, () => {
      let h: Harness;
      let hc: HealthApi;
      beforeAll(async () => {
        h = await startHarness([...args]);
        hc = health(h.address);
      });
      afterAll(async () => {
        hc?.close();
        await h?.stop();
      });

      it("Check is NOT_SERVING for '' and for our services, while the server still answers", async () => {
        expect(await hc.check("")).toBe("NOT_SERVING");
        for (const s of OUR_SERVICES) expect(await hc.check(s), s).toBe("NOT_SERVING");
      });
    });
  }
});

describe("grpc.reflection.v1", () => {
  let h: Harness;
  let client: grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<object, ReflectionResponse> };
  beforeAll(async () => {
    h = await startHarness(["--backend-opt", "delays=0"]);
    client = new ReflectionClient(h.address, grpc.credentials.createInsecure()) as typeof client;
  });
  afterAll(async () => {
    client?.close();
    await h?.stop();
  });

  interface ReflectionResponse {
    message_response: string;
    file_descriptor_response?: { file_descriptor_proto: Buffer[] };
    list_services_response?: { service: { name: string }[] };
    error_response?: { error_code: number; error_message: string };
  }

  /** One request on a fresh bidi stream, one response. */
  function ask(req: Record<string, string>): Promise<ReflectionResponse> {
    return new Promise((resolve, reject) => {
      const s = client.ServerReflectionInfo();
      s.once("data", (r: ReflectionResponse) => {
        s.end();
        resolve(r);
      });
      s.once("error", reject);
      s.write({ host: "", ...req });
    });
  }
  async function files(req: Record<string, string>): Promise<FileDescriptorProto[]> {
    const r = await ask(req);
    if (!r.file_descriptor_response) throw new Error(`no file descriptors for ${JSON.stringify(req)}: ${JSON.stringify(r.error_response)}`);
    return r.file_descriptor_response.file_descriptor_proto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
  }

  it("lists our services", async () => {
    const r = await ask({ list_services: "*" });
    const names = r.list_services_response!.service.map((s) => s.name);
    for (const s of OUR_SERVICES) expect(names, s).toContain(s);
  });

  it("gives, for each service, its real file (ceph_orchestrator/v1/...) with every method, and every dependency resolves by name", async () => {
    const known = new Map<string, FileDescriptorProto>();
    for (const service of OUR_SERVICES) {
      const got = await files({ file_containing_symbol: service });
      for (const f of got) known.set(f.name, f);
      const short = service.split(".").at(-1)!;
      const file = got.find((f) => f.service.some((s) => s.name === short));
      expect(file?.name, service).toMatch(/^ceph_orchestrator\/v1\/[a-z_]+_service\.proto$/);
      expect(file!.package).toBe("ceph_orchestrator.v1");
      const methods = file!.service.find((s) => s.name === short)!.method.map((m) => m.name).sort();
      expect(methods).toEqual(allRpcs().filter((r) => r.service === short).map((r) => r.method).sort());
    }
    // Resolve every import, transitively, by filename as grpcurl does.
    const queue = [...known.values()].flatMap((f) => f.dependency);
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (known.has(name)) continue;
      const got = await files({ file_by_filename: name });
      const f = got.find((x) => x.name === name);
      expect(f, `dependency ${name} resolves`).toBeDefined();
      for (const x of got) {
        known.set(x.name, x);
        queue.push(...x.dependency);
      }
    }
    const names = [...known.keys()];
    expect(names).toEqual(expect.arrayContaining([
      "ceph_orchestrator/v1/operation.proto",
      "ceph_orchestrator/v1/host.proto",
      "google/rpc/status.proto",
      "google/protobuf/timestamp.proto",
      "google/protobuf/any.proto",
    ]));
    // Every message a method takes or returns is defined in some resolved file.
    const defined = new Set([...known.values()].flatMap((f) => f.messageType.map((m) => `.${f.package}.${m.name}`)));
    for (const f of known.values()) {
      for (const s of f.service) {
        for (const m of s.method) {
          expect(defined.has(m.inputType), `${s.name}.${m.name} input ${m.inputType}`).toBe(true);
          expect(defined.has(m.outputType), `${s.name}.${m.name} output ${m.outputType}`).toBe(true);
        }
      }
    }
  });

  it("finds a message by its symbol, and answers NOT_FOUND for an unknown one", async () => {
    const got = await files({ file_containing_symbol: "ceph_orchestrator.v1.DriveGroupSpec" });
    expect(got[0]!.name).toBe("ceph_orchestrator/v1/osd.proto");
    const r = await ask({ file_containing_symbol: "ceph_orchestrator.v1.NoSuchThing" });
    expect(r.error_response?.error_code).toBe(grpc.status.NOT_FOUND);
  });
});
