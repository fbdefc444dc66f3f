// The ssh suites' guard: without their environment (the test hosts of scripts/test-ssh.sh)
// they are skipped, but not under CI=true, where a suite skipped wholesale would pass
// without testing anything: there it fails, naming what is missing.

/** Whether to skip a suite that needs `what`: when it is not `available`; under CI=true it throws instead. */
export function skipWithout(available: boolean, what: string): boolean {
  if (available) return false;
  if (process.env.CI === "true") throw new Error(`CI=true, and this suite cannot run: ${what} (scripts/test-ssh.sh sets it up)`);
  return true;
}

/** What the suites on the test hosts need, as skipWithout names it. */
export const TEST_HOSTS = "no test hosts: CEPH_SSH_TESTHOSTS or CEPH_SSH_DATA_DIR is unset";
