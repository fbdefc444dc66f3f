// Mgrs: a key of their own (`auth get-or-create mgr.ID`); removing the active one fails over to
// a standby first.
import type { Json } from "./ceph.js";
import type { Core } from "./core.js";
import type { DaemonKind } from "./daemon-kind.js";
import { scriptFile, shq } from "./remote.js";

const DAEMON_KEYRING = scriptFile("daemon-keyring.sh");

export function mgrKind({ remote, ceph }: Core): DaemonKind {
  const dataDir = (id: string) => `/var/lib/ceph/mgr/ceph-${id}`;
  const entity = (id: string) => `mgr.${id}`;
  return {
    dataDir,
    entity,
    async prepare(_ctx, { hostname, daemonId: id }) {
      await remote.script(hostname, DAEMON_KEYRING, [entity(id), dataDir(id), "mon", "allow profile mgr", "osd", "allow *", "mds", "allow *"]);
      return `exec ceph-mgr -i ${shq(id)} -f --keyring ${shq(`${dataDir(id)}/keyring`)}`;
    },
    async beforeRemove(id) {
      // A standby takes over at once instead of after the beacon grace.
      const dump = (await ceph.askOne({ prefix: "mgr dump" })) as Json;
      if (dump.active_name === id && ((dump.standbys ?? []) as Json[]).length > 0) await ceph.cli(`mgr fail ${shq(id)}`);
    },
  };
}
