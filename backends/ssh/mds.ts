// MDSs: the service id names the file system; the first MDS of a service creates it (its
// pools and `fs new`), and each MDS joins it (mds_join_fs). Removal leaves the file system.
import type { Core } from "./core.js";
import type { DaemonKind } from "./daemon-kind.js";
import { scriptFile, shq } from "./remote.js";

const MDS_PREPARE = scriptFile("mds-prepare.sh");

export function mdsKind({ remote, ceph }: Core): DaemonKind {
  const dataDir = (id: string) => `/var/lib/ceph/mds/ceph-${id}`;
  return {
    dataDir,
    entity: (id) => `mds.${id}`,
    async prepare(_ctx, d) {
      const fsName = d.service.serviceId || "cephfs";
      await remote.script(d.hostname, MDS_PREPARE, [d.daemonId, fsName, dataDir(d.daemonId)]);
      return `exec ceph-mds -i ${shq(d.daemonId)} -f --keyring ${shq(`${dataDir(d.daemonId)}/keyring`)}`;
    },
    async removed(id) {
      await ceph.cli(`config rm mds.${shq(id)} mds_join_fs`);
    },
  };
}
