// What every part of the ssh backend works with: the Base (base.ts), then the cluster's files,
// the cluster view and the inventory, which the Base is enough for.
import type { Logger } from "pino";
import { CephClient } from "./ceph.js";
import { ClusterFiles } from "./cluster-files.js";
import type { Base } from "./base.js";
import type { SshConfig } from "./config.js";
import { Inventory } from "./inventory.js";
import { Remote } from "./remote.js";
import { SshState } from "./state.js";
import { DaemonView } from "./view.js";

export interface Core extends Base {
  readonly files: ClusterFiles;
  readonly view: DaemonView;
  readonly inventory: Inventory;
}

export function createCore(config: SshConfig, log: Logger): Core {
  const state = new SshState();
  const remote = new Remote(config, log, state);
  const base: Base = { config, log, state, remote, ceph: new CephClient(state, remote) };
  return { ...base, files: new ClusterFiles(base), view: new DaemonView(base), inventory: new Inventory(base) };
}
