// What the ssh backend installs on every host (under /var/lib/ceph/orch): `orchctl`, which
// runs the host's Ceph daemons as systemd units where systemd runs and as supervised processes
// elsewhere (foreground under setsid, one pid file and one log file each), and `cephq`, which
// asks the cluster many questions in one process (librados), answering JSON. Both are files
// of ./scripts, as are the scripts the backend runs on hosts.
import { readFileSync } from "node:fs";

export const ORCH_DIR = "/var/lib/ceph/orch";
export const ORCHCTL = `${ORCH_DIR}/orchctl`;
export const CEPHQ = `${ORCH_DIR}/cephq`;

/** A file of ./scripts, read once at start-up (the installed tools and the scripts run on hosts). */
export function scriptFile(name: string): string {
  return readFileSync(new URL(`./scripts/${name}`, import.meta.url), "utf8");
}

/** orchctl start|stop|restart|hup|remove|status NAME (see scripts/orchctl.sh). */
export const ORCHCTL_SCRIPT = scriptFile("orchctl.sh");
/** cephq: a JSON list of cluster commands on stdin, their replies on stdout (see scripts/cephq.py). */
export const CEPHQ_SCRIPT = scriptFile("cephq.py");

/** Single-quotes a word for a POSIX shell. */
export function shq(s: string | number): string {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}
