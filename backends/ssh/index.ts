// The ssh backend: real Ceph daemons on hosts reached over SSH (see README.md).
import type { Backend, BackendOptions } from "../../src/backend/backend.js";
import { createSshBackend } from "./backend.js";
import { parseConfig } from "./config.js";

export default async function createBackend(options: BackendOptions): Promise<Backend> {
  const config = parseConfig(options.config);
  const backend = createSshBackend(config, options.log);
  const restored = options.store ? await backend.useStore(options.store) : false;
  backend.start();
  options.log.info({ user: config.user, port: config.port, knownHosts: config.knownHostsFile, restored }, "ssh backend: ready");
  return backend;
}
