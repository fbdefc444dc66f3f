// The embedded default backend: a simulated Ceph cluster, in memory, loaded from a YAML
// fixture, and kept in the service's database when it has one (BackendOptions.store): the
// fixture then only seeds a new database. Configuration keys are described in README.md.
import type { Backend, BackendOptions } from "../../src/backend/backend.js";
import { SimBackend } from "./cluster.js";
import { parseConfig } from "./config.js";
import { loadFixture } from "./fixture.js";

export default async function createBackend(options: BackendOptions): Promise<Backend> {
  const config = parseConfig(options.config);
  const fixture = await loadFixture(config.fixture);
  const backend = new SimBackend(fixture, config);
  const restored = options.store ? await backend.useStore(options.store) : false;
  const counts = backend.counts();
  options.log.info(
    {
      fixture: config.fixture,
      store: options.store?.location,
      hosts: counts.hosts,
      osds: counts.osds,
      version: config.version,
    },
    restored
      ? "sim backend: simulated cluster restored from the database"
      : options.store
        ? "sim backend: simulated cluster loaded from the fixture and saved to the database"
        : "sim backend: simulated cluster loaded (in memory only)",
  );
  return backend;
}
