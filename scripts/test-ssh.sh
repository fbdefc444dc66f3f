#!/usr/bin/env bash
# The ssh backend's tests on a real Ceph 16.2 cluster: brings up the test hosts
# (scripts/testhosts/up.sh, 4 hosts in network namespaces; host 4 boots systemd as its PID 1,
# TESTHOSTS_SYSTEMD), runs, in this order and sharing one cluster and one data dir:
# test/ssh/cluster.test.ts (bootstrap and every daemon kind through the API),
# test/ssh/systemd.test.ts (daemons as systemd units on host 4), test/conformance/ssh.test.ts
# (the backend conformance suite), test/ssh/fault.test.ts
# (one host's sshd stopped in the middle of an operation); then scripts/test-mgr-ssh.sh (the
# real `ceph orch` CLI of that cluster, through the orchestrator_grpc mgr module; skipped with
# CEPH_SSH_MGR_TEST=0). Always tears the hosts down (trap), also on failure or a signal. Needs
# root and scripts/setup.sh's packages. CEPH_SSH_TEST_FILES replaces the list of test files.
# Fails on a test file that does not exist; a suite that ran no test or skipped all of its
# tests fails the run under CI=true (elsewhere it is a warning: TESTHOSTS_SYSTEMD= leaves
# no systemd host, for one).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
files=(${CEPH_SSH_TEST_FILES:-test/ssh/sshpool.test.ts test/ssh/cluster.test.ts test/ssh/systemd.test.ts test/conformance/ssh.test.ts test/ssh/fault.test.ts})
for f in "${files[@]}"; do
  [[ -f $f ]] || { echo "FAIL: no such test file: $f" >&2; exit 1; }
done

# Prints one line for each top-level suite of a vitest JSON report that passed no test (a
# failed test has stopped the run before), or "ran no test".
untested_suites() {
  node -e '
    const report = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const suites = new Map();
    for (const t of report.testResults.flatMap((file) => file.assertionResults)) {
      const name = t.ancestorTitles[0] ?? "(outside any describe)";
      const s = suites.get(name) ?? { passed: 0, other: 0 };
      if (t.status === "passed") s.passed++;
      else s.other++;
      suites.set(name, s);
    }
    if (suites.size === 0) console.log("ran no test");
    for (const [name, s] of suites) if (s.passed === 0) console.log(`suite "${name}" skipped all of its ${s.other} tests`);
  ' "$1"
}

export TESTHOSTS_DIR=${TESTHOSTS_DIR:-/tmp/ceph-testhosts}
export CEPH_SSH_TESTHOSTS=$TESTHOSTS_DIR
export CEPH_SSH_DATA_DIR=$(mktemp -d /tmp/ceph-ssh-test.XXXXXX)
REPORT=$(mktemp /tmp/ceph-ssh-vitest.XXXXXX.json)
cleanup() { scripts/testhosts/down.sh >/dev/null 2>&1 || true; rm -rf "$CEPH_SSH_DATA_DIR" "$REPORT"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
scripts/testhosts/down.sh >/dev/null 2>&1 || true
TESTHOSTS_N=4 TESTHOSTS_SYSTEMD=${TESTHOSTS_SYSTEMD-4} scripts/testhosts/up.sh >/dev/null
for f in "${files[@]}"; do
  echo "=== $f"
  rm -f "$REPORT"
  npx vitest run "$f" --reporter=default --reporter=json --outputFile.json="$REPORT"
  untested=$(untested_suites "$REPORT")
  [[ -z $untested ]] && continue
  if [[ ${CI:-} == true ]]; then
    sed "s|^|FAIL: $f: |" <<<"$untested" >&2
    exit 1
  fi
  sed "s|^|WARNING: $f: |; s|\$| (a failure under CI=true)|" <<<"$untested" >&2
done
if [[ ${CEPH_SSH_MGR_TEST:-1} == 1 ]]; then
  echo "=== scripts/test-mgr-ssh.sh"
  scripts/test-mgr-ssh.sh
fi
