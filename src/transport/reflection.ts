// gRPC server reflection from the buf-built descriptor set, so that grpcurl sees the real
// files with their imports (proto-loader would flatten them and lose the dependencies).
import { readFileSync } from "node:fs";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type * as grpc from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { DESCRIPTOR_SET, serviceNames } from "../contract/descriptors.js";


export function addReflection(server: grpc.Server, extraFiles: Buffer[] = []): void {
  const bytes = readFileSync(DESCRIPTOR_SET);
  const set = fromBinary(FileDescriptorSetSchema, bytes);
  const files = [...set.file.map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f))), ...extraFiles];
  const def: Record<string, unknown> = {};
  for (const name of serviceNames(bytes)) def[name] = { fileDescriptorProtos: files };
  new ReflectionService(def as unknown as PackageDefinition).addToServer(server);
}
