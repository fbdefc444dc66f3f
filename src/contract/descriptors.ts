// The API's protobuf descriptors, from the buf-built descriptor set: what the proto says
// about a field (its oneof, its (secret) option) for every layer that needs it — the
// domain's option checks, log redaction, reflection. Imports nothing of this service.
import { readFileSync } from "node:fs";
import { type DescMethod, type FileRegistry, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

export const DESCRIPTOR_SET = new URL("../../gen/descriptor.binpb", import.meta.url);

/** The package of every service and message of the API. */
export const API_PACKAGE = "ceph_orchestrator.v1";

let registry: FileRegistry | undefined;

/** The API's descriptors (with their imports), from the descriptor set; read once. */
export function apiRegistry(): FileRegistry {
  registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET)));
  return registry;
}

/** The descriptor of an RPC by its full name ("ceph_orchestrator.v1.HostService.AddHost"); throws for an unknown one. */
export function methodDescriptor(fullName: string): DescMethod {
  const dot = fullName.lastIndexOf(".");
  const method = apiRegistry()
    .getService(fullName.slice(0, dot))
    ?.methods.find((m) => m.name === fullName.slice(dot + 1));
  if (!method) throw new Error(`no RPC ${fullName} in the descriptor set`);
  return method;
}

/** The full names of every service in a descriptor set (ours, health not included). */
export function serviceNames(bytes: Uint8Array): string[] {
  const set = fromBinary(FileDescriptorSetSchema, bytes);
  return set.file.flatMap((f) => f.service.map((s) => `${f.package ? `${f.package}.` : ""}${s.name}`));
}
