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
# root and scripts/setup.sh's packages.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TESTHOSTS_DIR=${TESTHOSTS_DIR:-/tmp/ceph-testhosts}
export CEPH_SSH_TESTHOSTS=$TESTHOSTS_DIR
export CEPH_SSH_DATA_DIR=$(mktemp -d /tmp/ceph-ssh-test.XXXXXX)
cleanup() { scripts/testhosts/down.sh >/dev/null 2>&1 || true; rm -rf "$CEPH_SSH_DATA_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
scripts/testhosts/down.sh >/dev/null 2>&1 || true
TESTHOSTS_N=4 TESTHOSTS_SYSTEMD=${TESTHOSTS_SYSTEMD-4} scripts/testhosts/up.sh >/dev/null
files=(${CEPH_SSH_TEST_FILES:-test/ssh/sshpool.test.ts test/ssh/cluster.test.ts test/ssh/systemd.test.ts test/conformance/ssh.test.ts test/ssh/fault.test.ts})
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  echo "=== $f"
  npx vitest run "$f"
done
if [[ ${CEPH_SSH_MGR_TEST:-1} == 1 ]]; then
  echo "=== scripts/test-mgr-ssh.sh"
  scripts/test-mgr-ssh.sh
fi
