// The embedded default backend: a simulated Ceph cluster, in memory, loaded from a YAML
// fixture. Configuration keys are described in README.md.
import type { Backend, BackendOptions } from "../../src/backend/backend.js";
import { SimBackend } from "./cluster.js";
import { parseConfig } from "./config.js";
import { loadFixture } from "./fixture.js";

export default async function createBackend(options: BackendOptions): Promise<Backend> {
  const config = parseConfig(options.config);
  const fixture = await loadFixture(config.fixture);
  const backend = new SimBackend(fixture, config);
  options.log.info(
    { fixture: config.fixture, hosts: fixture.hosts.length, osds: fixture.osds.length, version: config.version },
    "sim backend: simulated cluster loaded",
  );
  return backend;
}
