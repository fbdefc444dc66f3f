#!/usr/bin/env bash
# The real `ceph orch` CLI of the ssh backend's own cluster: the cluster that the service built
# on the test hosts (scripts/test-ssh.sh runs this after test/ssh/cluster.test.ts, while the
# hosts are up) loads the orchestrator_grpc mgr module, which points back at the service managing
# it, and test/mgr/test_ceph_orch.py checks the CLI against the service's state (ORCH_CLUSTER=ssh).
#
#   1. starts the service with the ssh backend on the cluster's data dir (CEPH_SSH_DATA_DIR, the
#      flags of test/ssh/env.ts; its reconciler every 5 s), plus `--backend none` and the partial
#      backend, all on the test subnet's bridge address (the mgrs run inside the test hosts and
#      reach the service there), as an operator would off loopback: TLS (a throw-away CA, a
#      certificate for that address) and a bearer token (role admin), which the module is
#      given through its options;
#   2. reads the cluster's ceph.conf and admin keyring from the first host over SSH, puts the
#      module beside the stock ones in a private mgr_module_path, restarts the mgrs through the
#      service's API, enables the module and selects it as the orchestrator backend;
#   3. runs the checks with /usr/bin/python3 -m pytest;
#   4. always: the orchestrator backend unset and the module disabled again (best effort), the
#      services stopped, the scratch folder removed. The test hosts are test-ssh.sh's to tear down.
#
# Environment: CEPH_SSH_TESTHOSTS, CEPH_SSH_DATA_DIR (as test-ssh.sh sets them);
# ORCH_MGR_SSH_TEST_PORT (first of 5 consecutive ports, default 15081; < 32768), KEEP_SCRATCH=1,
# PYTEST_ARGS.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
T0=$(date +%s)
log() { printf '[test-mgr-ssh %3ds] %s\n' $(( $(date +%s) - T0 )) "$*"; }
: "${CEPH_SSH_TESTHOSTS:?set CEPH_SSH_TESTHOSTS (scripts/test-ssh.sh does)}" "${CEPH_SSH_DATA_DIR:?set CEPH_SSH_DATA_DIR}"
PY=/usr/bin/python3   # Debian's python: the one with h2, protobuf, pytest and Ceph's libraries
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
. scripts/lib/services.sh

# The test hosts: the first three carry the cluster, the fourth is the spare the test adds.
read -r FIRST_ADDR HOSTS SPARE SPARE_ADDR < <($PY -c '
import json, sys
h = json.load(open(sys.argv[1] + "/hosts.json"))
if len(h) < 4: sys.exit("test-mgr-ssh: needs 4 test hosts, found %d" % len(h))
print(h[0]["addr"], ",".join(x["hostname"] for x in h[:3]), h[3]["hostname"], h[3]["addr"])' "$CEPH_SSH_TESTHOSTS")
GW=${FIRST_ADDR%.*}.1   # the bridge's address in this namespace (scripts/testhosts/up.sh)
BASE_PORT=${ORCH_MGR_SSH_TEST_PORT:-15081}
PORT_SSH=$BASE_PORT; PORT_NONE=$((BASE_PORT + 1)); PORT_PARTIAL=$((BASE_PORT + 2))
PORT_DEAD=$((BASE_PORT + 3)); PORT_HANG=$((BASE_PORT + 4))
for p in $PORT_SSH $PORT_NONE $PORT_PARTIAL $PORT_DEAD $PORT_HANG; do
  port_free "$GW" "$p" || { echo "test-mgr-ssh: set ORCH_MGR_SSH_TEST_PORT" >&2; exit 1; }
done

SCRATCH=$(mktemp -d /tmp/orch-grpc-mgr-ssh.XXXXXX)
SERVICES=()   # "name:pid:address" (scripts/lib/services.sh)
CHILD=""
run_step() { "$@" & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return $rc; }
ceph_() { timeout 60 ceph --connect-timeout 20 "$@"; }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [[ -n $CHILD && -d /proc/$CHILD ]]; then kill -TERM "$CHILD" 2>/dev/null; sleep 1; fi
  if ((rc != 0)); then
    for s in "${SERVICES[@]}"; do echo "---- service ${s%%:*} log (last 15) ----"; tail -15 "$SCRATCH/${s%%:*}.log"; done
    echo "---- the active mgr's orchestrator_grpc lines (last 30) ----"
    ssh_first "grep -h -i 'orchestrator_grpc\|Traceback' /var/log/ceph/ceph-mgr.*.log | tail -30"
  fi
  if [[ -f $SCRATCH/ceph.conf ]]; then
    log "teardown: orchestrator backend unset, module disabled"
    ceph_ config rm mgr mgr/orchestrator/orchestrator >/dev/null 2>&1
    ceph_ mgr module disable orchestrator_grpc >/dev/null 2>&1
  fi
  log "teardown: services"
  stop_services
  if [[ ${KEEP_SCRATCH:-0} == 1 ]]; then log "kept $SCRATCH"; else rm -rf "$SCRATCH"; fi
  log "done (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ssh_first() {
  ssh -i "$CEPH_SSH_TESTHOSTS/id_ed25519" -o "UserKnownHostsFile=$CEPH_SSH_TESTHOSTS/known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5 "root@$FIRST_ADDR" "$@"
}

# --- 1. the services ------------------------------------------------------------------------------
PKI=$SCRATCH/pki
mkdir -p "$PKI"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -days 2 -subj /CN=orch-test-ca -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
openssl req "${ec[@]}" -subj "/CN=$GW" -keyout "$PKI/server.key" -out "$PKI/server.csr" 2>/dev/null
openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 -out "$PKI/server.crt" \
  -extfile <(printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$GW") 2>/dev/null
TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf 'tokens:\n  - { name: ceph-mgr, role: admin, sha256: %s }\n' "$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" > "$PKI/tokens.yaml"
SECURE=(--tls-cert "$PKI/server.crt" --tls-key "$PKI/server.key" --tokens-file "$PKI/tokens.yaml")
mapfile -t SSH_ARGS < <(node_modules/.bin/tsx test/ssh/server-args.ts)
log "starting the services (TLS, token) on $GW:$PORT_SSH (ssh), :$PORT_NONE (none), :$PORT_PARTIAL (partial)"
# A short reconcile interval: the test kills a daemon and waits for the reconciler to redeploy it.
start_service ssh "$GW:$PORT_SSH" "${SECURE[@]}" --reconcile-interval 5s "${SSH_ARGS[@]}"   # its --data-dir (the cluster's) comes last and wins
start_service none "$GW:$PORT_NONE" "${SECURE[@]}" --backend none
start_service partial "$GW:$PORT_PARTIAL" "${SECURE[@]}" --backend test/grpc/fixtures/partial-backend.ts
wait_service ssh "$GW:$PORT_SSH"; wait_service none "$GW:$PORT_NONE"; wait_service partial "$GW:$PORT_PARTIAL"

# --- 2. the cluster's CLI here, the module in its mgrs ----------------------------------------------
ssh_first cat /etc/ceph/ceph.conf > "$SCRATCH/ceph.conf"
ssh_first cat /etc/ceph/ceph.client.admin.keyring > "$SCRATCH/ceph.client.admin.keyring"
chmod 600 "$SCRATCH/ceph.client.admin.keyring"
printf '\n[client.admin]\nkeyring = %s\nlog file = %s\n' "$SCRATCH/ceph.client.admin.keyring" "$SCRATCH/client.admin.log" >> "$SCRATCH/ceph.conf"
export CEPH_CONF=$SCRATCH/ceph.conf
ceph_ -s >/dev/null
# The module beside the stock ones (the test hosts share this machine's filesystem outside their
# Ceph folders); /usr/share/ceph/mgr is never modified.
mkdir -p "$SCRATCH/mgr-modules"
for m in /usr/share/ceph/mgr/*; do ln -s "$m" "$SCRATCH/mgr-modules/$(basename "$m")"; done
ln -s "$ROOT/mgr/orchestrator_grpc" "$SCRATCH/mgr-modules/orchestrator_grpc"
ceph_ config set mgr mgr_module_path "$SCRATCH/mgr-modules"
log "restarting the mgrs through the service (mgr_module_path is read at start)"
$PY - "$GW:$PORT_SSH" "$PKI/ca.crt" "$TOKEN" <<'PYEOF'
import sys
sys.path[:0] = ['clients/python', 'gen/python']
from ceph_orchestrator_client import OrchestratorClient
with OrchestratorClient(sys.argv[1], transport='grpcio', timeout=30, tls_ca=sys.argv[2], token=sys.argv[3]) as c:
    done = c.service_action('restart', 'mgr')
    if not done.wait(300) or done.exception:
        sys.exit('restarting the mgrs failed: %s %s' % (done.state_name, done.exception))
PYEOF
for _ in $(seq 1 90); do ceph_ mgr module enable orchestrator_grpc 2>/dev/null && break; sleep 1; done
ceph_ mgr module ls -f json | $PY -c "import sys,json; sys.exit('orchestrator_grpc' not in json.load(sys.stdin)['enabled_modules'])" \
  || { echo "test-mgr-ssh: could not enable orchestrator_grpc"; ceph_ mgr module enable orchestrator_grpc; exit 1; }
# The options exist once the (respawned) mgr has reported the module: retry.
for kv in tls=true "tls_ca_cert=$PKI/ca.crt" "auth_token=$TOKEN" progress_poll_interval=1 "grpc_target=$GW:$PORT_SSH"; do
  for _ in $(seq 1 60); do ceph_ config set mgr "mgr/orchestrator_grpc/${kv%%=*}" "${kv#*=}" 2>/dev/null && break; sleep 1; done
  ceph_ config set mgr "mgr/orchestrator_grpc/${kv%%=*}" "${kv#*=}"
done
# Pacific's `orch set backend` only knows its own backends; --force sets ours (ceph-lab.md).
ceph_ config set mgr mgr/orchestrator/orchestrator orchestrator_grpc --force
backend=""
for _ in $(seq 1 60); do
  backend=$(ceph_ orch status -f json 2>/dev/null | $PY -c 'import json,sys; print(json.load(sys.stdin).get("backend"))' 2>/dev/null || true)
  [[ $backend == orchestrator_grpc ]] && break; sleep 1
done
[[ $backend == orchestrator_grpc ]] || { echo "test-mgr-ssh: orchestrator backend is '$backend', not orchestrator_grpc"; exit 1; }
log "ceph orch of the ssh cluster goes through the service at $GW:$PORT_SSH"

# --- 3. the checks ---------------------------------------------------------------------------------
export ORCH_CLUSTER=ssh ORCH_TLS_CA=$PKI/ca.crt ORCH_TOKEN=$TOKEN ORCH_TARGET=$GW:$PORT_SSH ORCH_TARGET_NONE=$GW:$PORT_NONE \
  ORCH_TARGET_PARTIAL=$GW:$PORT_PARTIAL ORCH_TARGET_DEAD=$GW:$PORT_DEAD ORCH_HANG_PORT=$PORT_HANG \
  ORCH_HOSTS=$HOSTS ORCH_SPARE_HOST=$SPARE ORCH_SPARE_ADDR=$SPARE_ADDR
log "pytest test/mgr (ORCH_CLUSTER=ssh)"
# shellcheck disable=SC2086
run_step $PY -m pytest -p no:cacheprovider -v ${PYTEST_ARGS:-} test/mgr
