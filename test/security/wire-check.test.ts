// Malformed request bytes are refused with INVALID_ARGUMENT naming the field, never decoded
// into something else or answered INTERNAL (src/transport/wire-check.ts).
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkWire } from "../../src/transport/wire-check.js";
import { apiRegistry } from "../../src/contract/descriptors.js";
import { allRpcs, toRpcError } from "../conformance/api.js";
import { type Sim, startSim } from "../grpc/helpers.js";

const msg = (name: string) => apiRegistry().getMessage(`ceph_orchestrator.v1.${name}`)!;
const hex = (h: string) => Buffer.from(h.replace(/\s/g, ""), "hex");

describe("checkWire", () => {
  it("accepts well-formed messages, unknown fields, and repeated numbers packed or not", () => {
    expect(checkWire(msg("AddHostRequest"), hex("0a 08 0a 06 6e6f64652d34"))).toBeUndefined(); // host { hostname: "node-4" }
    expect(checkWire(msg("AddHostRequest"), hex("f8 01 05"))).toBeUndefined(); // field 31, varint
    expect(checkWire(msg("RemoveOsdsRequest"), hex("0a 03 01 02 03"))).toBeUndefined(); // packed osd_ids
    expect(checkWire(msg("RemoveOsdsRequest"), hex("08 01 08 02"))).toBeUndefined(); // unpacked osd_ids
  });

  it("refuses a known field of another wire type, which decoders would skip or misread", () => {
    // RemoveOsdsRequest.replace (field 2, bool) sent as fixed32: never read as false.
    expect(checkWire(msg("RemoveOsdsRequest"), hex("08 05 15 01 00 00 00"))).toMatchObject({ field: "replace", description: expect.stringMatching(/wire type 5/) });
    expect(checkWire(msg("AddHostRequest"), hex("12 01 78 10 05"))).toMatchObject({ field: "request_id" });
    expect(checkWire(msg("RemoveOsdsRequest"), hex("0d 01 00 00 00"))).toMatchObject({ field: "osd_ids[0]" });
  });

  it("names the field of each kind of damage", () => {
    const cases: [string, string, string, RegExp][] = [
      ["AddHostRequest", "0a 06 0a 08 6e6f6465", "host.hostname", /truncated/],
      ["AddHostRequest", "0a 08 0a 06 6e6f6465", "host", /truncated/],
      ["AddHostRequest", "0a 04 0a 02 ff fe", "host.hostname", /UTF-8/],
      ["AddHostRequest", "0a 05 1a 00 1a 01 80", "host.labels[1]", /UTF-8/],
      ["AddHostRequest", "0f", "host", /wire type 7/],
      ["AddHostRequest", "7f", "#15", /wire type 7/],
      ["AddHostRequest", "0b 0c", "host", /groups/],
      ["AddHostRequest", "00", "", /field number 0/],
      ["RemoveOsdsRequest", "08 ff ff ff ff ff ff ff ff ff ff 01", "osd_ids[0]", /longer than 10 bytes/],
      ["RemoveOsdsRequest", "0a 02 01 ff", "osd_ids", /truncated varint/],
      ["CreateOsdsRequest", "0a 05 6a 03 0a 01 80", "spec.osd_id_claims[0].key", /UTF-8/],
    ];
    for (const [type, bytes, field, description] of cases) {
      const v = checkWire(msg(type), hex(bytes));
      expect(v?.field, `${type} ${bytes}`).toBe(field);
      expect(v?.description, `${type} ${bytes}`).toMatch(description);
    }
  });
});

describe("malformed bytes over gRPC", () => {
  let sim: Sim;
  let client: grpc.Client;
  beforeAll(async () => {
    sim = await startSim();
    client = new grpc.Client(sim.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await sim?.stop();
  });

  it("answers INVALID_ARGUMENT with the field, for every RPC, unary and streaming", async () => {
    const raw = (b: Buffer) => b;
    for (const rpc of allRpcs()) {
      const bytes = hex("0a ff ff ff ff 0f"); // field 1, a length past the end
      const err = await new Promise<grpc.ServiceError>((resolve, reject) => {
        if (!rpc.responseStream) {
          client.makeUnaryRequest(rpc.path, raw, raw, bytes, (e) => (e ? resolve(e) : reject(new Error(`${rpc.fullName} answered OK`))));
        } else {
          const s = client.makeServerStreamRequest(rpc.path, raw, raw, bytes);
          s.on("data", () => reject(new Error(`${rpc.fullName} streamed a message`)));
          s.on("error", resolve);
          s.on("end", () => reject(new Error(`${rpc.fullName} ended OK`)));
        }
      });
      const e = toRpcError(err);
      expect(grpc.status[e.code], rpc.fullName).toBe("INVALID_ARGUMENT");
      expect(e.info?.reason, rpc.fullName).toBe("INVALID_FIELD");
      expect(e.fields.length, rpc.fullName).toBe(1);
    }
  });
});
