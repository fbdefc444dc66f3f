// The Base every part of the ssh backend works with: its configuration, the saved state, the
// hosts as reached over SSH and the cluster's commands.
import type { Logger } from "pino";
import type { CephClient } from "./ceph.js";
import type { SshConfig } from "./config.js";
import type { Remote } from "./remote.js";
import type { SshState } from "./state.js";

export interface Base {
  readonly config: SshConfig;
  readonly log: Logger;
  readonly state: SshState;
  readonly remote: Remote;
  readonly ceph: CephClient;
}
