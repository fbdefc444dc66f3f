// gRPC server reflection from the buf-built descriptor set, so that grpcurl sees the real
// files with their imports (proto-loader would flatten them and lose the dependencies).
import { readFileSync } from "node:fs";
import { type FileRegistry, createFileRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type * as grpc from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";

export const DESCRIPTOR_SET = new URL("../../gen/descriptor.binpb", import.meta.url);

let registry: FileRegistry | undefined;

/** The API's descriptors (with their imports), from the descriptor set; read once. */
export function apiRegistry(): FileRegistry {
  registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET)));
  return registry;
}

/** The full names of every service in the descriptor set (ours, health not included). */
export function serviceNames(bytes: Uint8Array): string[] {
  const set = fromBinary(FileDescriptorSetSchema, bytes);
  return set.file.flatMap((f) => f.service.map((s) => `${f.package ? `${f.package}.` : ""}${s.name}`));
}

export function addReflection(server: grpc.Server, extraFiles: Buffer[] = []): void {
  const bytes = readFileSync(DESCRIPTOR_SET);
  const set = fromBinary(FileDescriptorSetSchema, bytes);
  const files = [...set.file.map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f))), ...extraFiles];
  const def: Record<string, unknown> = {};
  for (const name of serviceNames(bytes)) def[name] = { fileDescriptorProtos: files };
  new ReflectionService(def as unknown as PackageDefinition).addToServer(server);
}
