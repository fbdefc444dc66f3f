// The RPC registry (src/domain/registry.ts) is the one place an RPC is described: it has an
// entry for every method of the contract (the descriptor set, not only the generated TS), a
// rebuilder for every write, options that name real request fields, and the options every
// backend declares unsupported are among its entry's, and are refused when set.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DescField, type DescMessage, create, toBinary } from "@bufbuild/protobuf";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend.js";
import { loadBackend } from "../../src/backend/loader.js";
import { DESCRIPTOR_SET, apiRegistry, methodDescriptor, serviceNames } from "../../src/contract/descriptors.js";
import { ensureRequestOptionsSupported } from "../../src/domain/capabilities.js";
import { UnsupportedOptionError } from "../../src/domain/errors.js";
import { allRegisteredRpcs, rpcByName } from "../../src/domain/registry.js";
import { optionValue } from "../../src/domain/request-options.js";

const silent = pino({ level: "silent" });

/** An ssh backend with no hosts reads its key and known_hosts files, and connects to nothing. */
function sshFiles(): { identityFile: string; knownHostsFile: string } {
  const dir = mkdtempSync(join(tmpdir(), "registry-ssh-"));
  writeFileSync(join(dir, "id"), "");
  writeFileSync(join(dir, "known_hosts"), "");
  return { identityFile: join(dir, "id"), knownHostsFile: join(dir, "known_hosts") };
}

/** Every method of every service of the descriptor set, as "package.Service.Method". */
function contractMethods(): string[] {
  return serviceNames(readFileSync(DESCRIPTOR_SET)).flatMap((name) => apiRegistry().getService(name)!.methods.map((m) => `${name}.${m.name}`));
}

/** A request (as the server decodes it) with the field at `path` set to a value other than its default. */
function requestWith(fullName: string, path: string): object {
  const input = methodDescriptor(fullName).input;
  const message = create(input) as unknown as Record<string, unknown>;
  let desc: DescMessage = input;
  let target = message;
  const parts = path.split(".");
  parts.forEach((name, i) => {
    const field: DescField = desc.fields.find((f) => f.name === name)!;
    const last = i === parts.length - 1;
    const value = last ? nonDefault(field) : create(field.message!);
    const container = target as Record<string, unknown>;
    if (field.oneof) container[field.oneof.localName] = { case: field.localName, value };
    else container[field.localName] = value;
    if (!last) {
      target = value as Record<string, unknown>;
      desc = field.message!;
    }
  });
  return decodedRequest(fullName, Buffer.from(toBinary(input, message as never)));
}

function nonDefault(field: DescField): unknown {
  if (field.fieldKind === "list") return field.listKind === "message" ? [create(field.message)] : field.listKind === "enum" ? [1] : ["x"];
  if (field.fieldKind === "map") return { x: field.mapKind === "message" ? create(field.message) : "x" };
  if (field.fieldKind === "message") return create(field.message);
  if (field.fieldKind === "enum") return 1;
  switch (typeof field.getDefaultValue()) {
    case "boolean":
      return true;
    case "string":
      return "x";
    case "bigint":
      return 1n;
    default:
      return 1;
  }
}

describe("the RPC registry", () => {
  it("has one entry for every method of the contract, and nothing else", () => {
    expect(allRegisteredRpcs().map((r) => r.fullName).sort()).toEqual(contractMethods().sort());
  });

  it("makes every RPC that streams an operation it starts a write, with a rebuilder for resume", () => {
    for (const rpc of allRegisteredRpcs()) {
      const streamsOperations = methodDescriptor(rpc.fullName).methodKind === "server_streaming";
      expect(rpc.entry.kind === "write" || rpc.entry.kind === "watch", rpc.fullName).toBe(streamsOperations);
      if (rpc.entry.kind === "write") {
        expect(typeof rpc.entry.rebuild, `${rpc.fullName} has a rebuilder`).toBe("function");
        expect(methodDescriptor(rpc.fullName).input.fields.some((f) => f.name === "request_id"), `${rpc.fullName} takes a request_id`).toBe(true);
      }
    }
  });

  it("names only real request fields as options, each set by requestWith()", () => {
    for (const rpc of allRegisteredRpcs()) {
      for (const path of rpc.entry.options) {
        const input = methodDescriptor(rpc.fullName).input;
        expect(() => optionValue(input, {}, path), `${rpc.fullName} ${path}`).not.toThrow();
        expect(optionValue(input, requestWith(rpc.fullName, path), path), `${rpc.fullName} ${path}`).not.toBeUndefined();
      }
    }
  });

  it("an option path that names no field is an error, not an option never set", () => {
    expect(() => optionValue(methodDescriptor("ceph_orchestrator.v1.OsdService.CreateOsds").input, {}, "spec.encryptd")).toThrow(/spec\.encryptd/);
  });

  // Every backend's declared unsupported options: the built-in ones and the test fake.
  const backends: [string, () => Promise<Backend>][] = [
    ["sim", () => loadBackend("sim", { delays: 0 }, silent)],
    ["partial (test fake)", () => loadBackend("test/grpc/fixtures/partial-backend.ts", {}, silent)],
    ["ssh", () => loadBackend("ssh", { publicNetwork: "10.0.0.0/24", ...sshFiles() }, silent)],
  ];
  for (const [name, load] of backends) {
    it(`${name}: each option it declares unsupported is its RPC's, and a request setting it is refused naming it`, async () => {
      const backend = await load();
      try {
        for (const [fullName, paths] of Object.entries(backend.unsupportedOptions ?? {})) {
          const rpc = rpcByName(fullName);
          expect(rpc, `${fullName} is an RPC`).toBeDefined();
          for (const path of paths) {
            expect(rpc!.entry.options, `${fullName} lists ${path}`).toContain(path);
            const refused = (() => {
              try {
                ensureRequestOptionsSupported(backend, rpc!, requestWith(fullName, path));
                return undefined;
              } catch (err) {
                return err;
              }
            })();
            expect(refused, `${fullName} with ${path} set`).toBeInstanceOf(UnsupportedOptionError);
            expect((refused as UnsupportedOptionError).field).toBe(path);
          }
          // The options at their defaults pass.
          ensureRequestOptionsSupported(backend, rpc!, decodedRequest(fullName, Buffer.alloc(0)));
        }
      } finally {
        await backend.close();
      }
    });
  }
});

/** The request the server decodes from `bytes` (ts-proto's object). */
function decodedRequest(fullName: string, bytes: Buffer): object {
  return rpcByName(fullName)!.method.requestDeserialize(bytes) as object;
}
