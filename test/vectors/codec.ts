// Encoding helpers shared by generate.ts and vectors.test.ts.
//
// Binary: ts-proto's encode(), the code the service runs.
// JSON:   canonical proto3 JSON, written by @bufbuild/protobuf from the binary encoding with the
//         descriptors of gen/descriptor.binpb. Not ts-proto's toJSON(): that one is not
//         canonical for google.protobuf.Any ({typeUrl, value} instead of {"@type", ...}),
//         drops Timestamp digits below 1 ms and turns unknown enum numbers into
//         "UNRECOGNIZED", so Python's json_format and Go's protojson could not read it back
//         exactly. vectors.test.ts pins those gaps per case (VectorCase.tsProtoJsonLossy).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createFileRegistry,
  type DescMessage,
  equals,
  fromBinary,
  fromJson,
  type FileRegistry,
  type JsonValue,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Device, InventoryHost } from "../../gen/ts/ceph_orchestrator/v1/inventory.js";
import { Operation, OperationResult } from "../../gen/ts/ceph_orchestrator/v1/operation.js";
import { GetStatusResponse } from "../../gen/ts/ceph_orchestrator/v1/orchestrator_service.js";
import { DriveGroupSpec } from "../../gen/ts/ceph_orchestrator/v1/osd.js";
import { StatelessServiceSpec } from "../../gen/ts/ceph_orchestrator/v1/service.js";
import { UpgradeStatus } from "../../gen/ts/ceph_orchestrator/v1/upgrade.js";
import { ErrorInfo } from "../../gen/ts/google/rpc/error_details.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const VECTORS_DIR = join(ROOT, "test", "vectors");
export const DATA_DIR = join(VECTORS_DIR, "data");
export const OUT_DIR = join(VECTORS_DIR, "out");
const DESCRIPTOR_SET = join(ROOT, "gen", "descriptor.binpb");

/** The ts-proto message functions of every message type a vector may have, by full name. */
export const MESSAGES = {
  "ceph_orchestrator.v1.InventoryHost": InventoryHost,
  "ceph_orchestrator.v1.Device": Device,
  "ceph_orchestrator.v1.DriveGroupSpec": DriveGroupSpec,
  "ceph_orchestrator.v1.Operation": Operation,
  "ceph_orchestrator.v1.OperationResult": OperationResult,
  "ceph_orchestrator.v1.GetStatusResponse": GetStatusResponse,
  "ceph_orchestrator.v1.StatelessServiceSpec": StatelessServiceSpec,
  "ceph_orchestrator.v1.UpgradeStatus": UpgradeStatus,
} as const;

export type TypeName = keyof typeof MESSAGES;
export type MessageType<K extends TypeName> = (typeof MESSAGES)[K];
export type ValueOf<K extends TypeName> = ReturnType<MessageType<K>["decode"]>;

/** The types that a google.protobuf.Any in a vector may hold, by type URL. */
const ANY_TYPES: Record<string, { decode(input: Uint8Array): unknown }> = {
  "type.googleapis.com/google.rpc.ErrorInfo": ErrorInfo,
};

interface Fns {
  encode(message: unknown): { finish(): Uint8Array };
  decode(input: Uint8Array): unknown;
  toJSON(message: unknown): unknown;
  fromJSON(object: unknown): unknown;
}

export function fns(type: string): Fns {
  const f = (MESSAGES as Record<string, unknown>)[type];
  if (!f) throw new Error(`no ts-proto message functions for type ${type}; add it to MESSAGES in codec.ts`);
  return f as Fns;
}

/** ts-proto's binary encoding. */
export function encode(type: string, value: unknown): Uint8Array {
  return fns(type).encode(value).finish();
}

/** ts-proto's decoding. */
export function decode(type: string, bytes: Uint8Array): unknown {
  return fns(type).decode(bytes);
}

let registry: FileRegistry | undefined;

/** The descriptors of every generated .proto (with imports), for the conformant codec. */
export function descriptors(): FileRegistry {
  registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET)));
  return registry;
}

export function descriptor(type: string): DescMessage {
  const desc = descriptors().getMessage(type);
  if (!desc) throw new Error(`type ${type} is not in gen/descriptor.binpb`);
  return desc;
}

/**
 * Canonical proto3 JSON of a binary encoding (lowerCamelCase names, enum names, int64 as
 * strings, Any as {"@type", ...}), as @bufbuild/protobuf writes it. Fails on unknown fields,
 * so a vector whose bytes do not fit its declared type is caught here.
 */
export function canonicalJson(type: string, bytes: Uint8Array): JsonValue {
  const desc = descriptor(type);
  const msg = fromBinary(desc, bytes, { readUnknownFields: true });
  if (hasUnknownFields(msg)) throw new Error(`${type}: the encoding has fields that ${type} does not define`);
  return toJson(desc, msg, { registry: descriptors() }) as JsonValue;
}

/** Whether a conformant codec decodes `a` and `b` (both of `type`) to equal messages. */
export function sameMessage(type: string, a: Uint8Array, b: Uint8Array): boolean {
  const desc = descriptor(type);
  const opts = { registry: descriptors(), unpackAny: true, unknown: true };
  return equals(desc, fromBinary(desc, a), fromBinary(desc, b), opts);
}

/** Parses proto3 JSON with the conformant codec and returns the binary encoding. */
export function binaryFromJson(type: string, json: JsonValue): Uint8Array {
  const desc = descriptor(type);
  return toBinary(desc, fromJson(desc, json, { registry: descriptors() }));
}

function hasUnknownFields(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasUnknownFields);
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return false;
  const rec = value as Record<string, unknown>;
  if (Array.isArray(rec.$unknown) && rec.$unknown.length > 0) return true;
  return Object.entries(rec).some(([k, v]) => k !== "$unknown" && hasUnknownFields(v));
}

/**
 * A ts-proto value made comparable across encoders: each google.protobuf.Any becomes its
 * type URL plus the decoded message (another encoder may order an ErrorInfo's metadata map
 * differently, so the packed bytes may differ while the content is the same), and bytes
 * become plain Uint8Arrays (ts-proto decodes them as Buffers).
 */
export function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(comparable);
  if (value === null || typeof value !== "object") return value;
  const rec = value as Record<string, unknown>;
  if (typeof rec.typeUrl === "string" && rec.value instanceof Uint8Array && Object.keys(rec).length === 2) {
    const type = ANY_TYPES[rec.typeUrl];
    if (!type) throw new Error(`Any with unexpected type URL ${rec.typeUrl}; add it to ANY_TYPES in codec.ts`);
    return { typeUrl: rec.typeUrl, unpacked: comparable(type.decode(rec.value)) };
  }
  return Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, comparable(v)]));
}

/** The committed JSON file of a vector. */
export interface VectorJson {
  name: string;
  type: string;
  json: JsonValue;
}

export function vectorJsonText(name: string, type: string, bytes: Uint8Array): string {
  const doc: VectorJson = { name, type, json: canonicalJson(type, bytes) };
  return JSON.stringify(doc, null, 2) + "\n";
}
