// Prints the flags that start the service with the ssh backend on the test hosts (env.ts's
// serverArgs), one per line, for the shell scripts that start it as a process of its own
// (scripts/test-mgr-ssh.sh). Needs CEPH_SSH_TESTHOSTS and CEPH_SSH_DATA_DIR like env.ts.
import { enabled, serverArgs } from "./env.js";

if (!enabled) {
  console.error("server-args: set CEPH_SSH_TESTHOSTS and CEPH_SSH_DATA_DIR");
  process.exit(2);
}
process.stdout.write(`${serverArgs().join("\n")}\n`);
