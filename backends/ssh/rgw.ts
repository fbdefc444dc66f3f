// RGWs: client.rgw.ID, beast on the host's address and the service's rgw_frontend_port (80
// when 0); one counts as deployed only once its port answers HTTP.
import type { DaemonDeployment } from "../../src/backend/backend.js";
import type { Core } from "./core.js";
import { type DaemonKind, rgwPort } from "./daemon-kind.js";
import { scriptFile, shq } from "./remote.js";

const DAEMON_KEYRING = scriptFile("daemon-keyring.sh");
const HTTP_ANSWERS = scriptFile("http-answers.sh");

/** Where the RGW listens: the host's address and the service's port. */
function endpoint(d: DaemonDeployment, addr: string): string {
  return `${addr}:${rgwPort(d.service)}`;
}

export function rgwKind({ state, remote }: Core): DaemonKind {
  const dataDir = (id: string) => `/var/lib/ceph/radosgw/ceph-rgw.${id}`;
  return {
    dataDir,
    entity: (id) => `client.rgw.${id}`,
    async prepare(_ctx, d) {
      const dir = dataDir(d.daemonId);
      const entity = `client.rgw.${d.daemonId}`;
      await remote.script(d.hostname, DAEMON_KEYRING, [entity, dir, "mon", "allow rw", "osd", "allow rwx", "mgr", "allow rw"]);
      const frontends = `beast endpoint=${endpoint(d, state.host(d.hostname).addr)}`;
      return `exec radosgw -n ${shq(entity)} -f --keyring ${shq(`${dir}/keyring`)} --rgw-data ${shq(dir)} --rgw-frontends ${shq(frontends)}`;
    },
    /** Whether the RGW's port answers HTTP (from its own host). */
    async serves(d) {
      const url = `http://${endpoint(d, state.host(d.hostname).addr)}/`;
      return (await remote.script(d.hostname, HTTP_ANSWERS, [url], { check: false, timeoutMs: 15_000 })).code === 0;
    },
  };
}
