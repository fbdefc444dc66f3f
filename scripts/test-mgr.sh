#!/usr/bin/env bash
# The real `ceph orch` CLI of a Ceph 16.2 cluster (Debian's packages), served through the gRPC
# service by the orchestrator_grpc mgr module (mgr/orchestrator_grpc), checked against the
# service's own state (test/mgr/test_ceph_orch.py).
#
#   1. starts the service three times on loopback: the sim backend (the module's target, with
#      delays so writes take visible time and one failing device), `--backend none`, and a
#      backend lacking most RPCs (test/grpc/fixtures/partial-backend.ts), each with its own
#      data directory in a scratch folder;
#   2. brings up a mon and a mgr in the scratch folder (scripts/ceph-lab/ceph-up.sh), enables
#      the module, points it at the sim service and selects it as the orchestrator backend
#      (`config set ... --force`: Pacific's `orch set backend` refuses names it does not know);
#   3. runs the checks with /usr/bin/python3 -m pytest;
#   4. always tears everything down, tier by tier (mgr and mon, then the services), killing
#      only the processes it started, and removes the scratch folder.
# Exits non-zero when anything fails. Installs nothing: scripts/setup.sh installs the Debian
# packages (ceph-mon, ceph-mgr, ...) and node_modules. Needs root (like the lab scripts).
#
# Environment (all optional): ORCH_MGR_TEST_PORT (first of 5 consecutive ports, default 15071;
# keep < 32768), MON_PORT / MON_V1_PORT (default 13300 / 16789), KEEP_SCRATCH=1 (keep the
# scratch folder and logs), PYTEST_ARGS (e.g. "-k host").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
T0=$(date +%s)
log() { printf '[test-mgr %3ds] %s\n' $(( $(date +%s) - T0 )) "$*"; }

BASE_PORT=${ORCH_MGR_TEST_PORT:-15071}
PORT_SIM=$BASE_PORT; PORT_NONE=$((BASE_PORT + 1)); PORT_PARTIAL=$((BASE_PORT + 2))
PORT_DEAD=$((BASE_PORT + 3)); PORT_HANG=$((BASE_PORT + 4))
export MON_PORT=${MON_PORT:-13300} MON_V1_PORT=${MON_V1_PORT:-16789}
PY=/usr/bin/python3   # Debian's python: the one with h2, protobuf, pytest and Ceph's libraries
. scripts/lib/services.sh

# --- prerequisites (checked, never installed here) ------------------------------------------------
missing=()
for b in ceph ceph-mon ceph-mgr ceph-authtool monmaptool uuidgen node; do command -v "$b" >/dev/null || missing+=("$b"); done
[[ -x node_modules/.bin/tsx ]] || missing+=("node_modules (npm ci)")
[[ -d /usr/share/ceph/mgr/orchestrator ]] || missing+=("ceph-mgr-modules-core")
$PY -c 'import h2, google.protobuf, pytest, yaml, ceph.deployment' 2>/dev/null || missing+=("python3-h2/python3-protobuf/python3-pytest/python3-yaml/python3-ceph-common")
if ((${#missing[@]})); then
  echo "test-mgr: missing: ${missing[*]} -- run scripts/setup.sh first" >&2; exit 1
fi
[[ $EUID -eq 0 ]] || { echo "test-mgr: needs root (the Ceph daemons' lab setup)" >&2; exit 1; }
for p in $PORT_SIM $PORT_NONE $PORT_PARTIAL $PORT_DEAD $PORT_HANG $MON_PORT $MON_V1_PORT; do
  port_free 127.0.0.1 "$p" || { echo "test-mgr: set ORCH_MGR_TEST_PORT / MON_PORT / MON_V1_PORT" >&2; exit 1; }
done

SCRATCH=$(mktemp -d /tmp/orch-grpc-mgr-test.XXXXXX)
export CEPHLAB_DIR=$SCRATCH/cluster
SERVICES=()   # "name:pid:address" of the services this script started (scripts/lib/services.sh)
CHILD=""      # the long-running step now in progress (ceph-up.sh, pytest), run in the background
              # so that a signal reaches the traps at once
run_step() {  # run a command in the background and wait for it (interruptible)
  "$@" & CHILD=$!
  local rc=0; wait "$CHILD" || rc=$?
  CHILD=""; return $rc
}

# --- teardown: always, tier by tier, only our own processes --------------------------------------
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [[ -n $CHILD && -d /proc/$CHILD ]]; then  # interrupted: stop the step that was running
    kill -TERM "$CHILD" 2>/dev/null; for _ in $(seq 1 50); do [[ -d /proc/$CHILD ]] || break; sleep 0.1; done
  fi
  if ((rc != 0)) && [[ -d $CEPHLAB_DIR/out ]]; then
    echo "---- mgr log (orchestrator_grpc lines, last 40) ----"
    grep -h -i 'orchestrator_grpc\|Traceback\|Error' "$CEPHLAB_DIR"/out/mgr.x.log 2>/dev/null | tail -40
    for s in "${SERVICES[@]}"; do echo "---- service ${s%%:*} log (last 15) ----"; tail -15 "$SCRATCH/${s%%:*}.log"; done
  fi
  log "teardown: ceph (mgr, mon)"
  if [[ -d $CEPHLAB_DIR/run ]]; then KEEP_DATA=${KEEP_SCRATCH:-0} scripts/ceph-lab/ceph-down.sh >"$SCRATCH/ceph-down.log" 2>&1 || cat "$SCRATCH/ceph-down.log"; fi
  log "teardown: services"
  stop_services
  if [[ ${KEEP_SCRATCH:-0} == 1 ]]; then log "kept $SCRATCH"; else rm -rf "$SCRATCH"; fi
  log "done (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. the services ------------------------------------------------------------------------------
log "starting the services on 127.0.0.1:$PORT_SIM (sim), :$PORT_NONE (none), :$PORT_PARTIAL (partial)"
start_service sim "127.0.0.1:$PORT_SIM" --backend sim \
  --backend-opt 'delays={"addHost":1500,"createOsd":200,"daemonAction":300,"drainPerPg":10,"upgradeDaemon":1000}' \
  --backend-opt 'failures={"failingDevices":["node-3:/dev/sdf"]}'
start_service none "127.0.0.1:$PORT_NONE" --backend none
start_service partial "127.0.0.1:$PORT_PARTIAL" --backend test/grpc/fixtures/partial-backend.ts
wait_service sim "127.0.0.1:$PORT_SIM"; wait_service none "127.0.0.1:$PORT_NONE"; wait_service partial "127.0.0.1:$PORT_PARTIAL"
log "services up"

# --- 2. the cluster: mon + mgr, the module enabled and selected -----------------------------------
log "ceph: mon + mgr in $CEPHLAB_DIR (mon ports $MON_PORT/$MON_V1_PORT)"
NUM_OSDS=0 MGR_EXTRA_MODULES="$ROOT/mgr/orchestrator_grpc" MGR_ENABLE_MODULES=orchestrator_grpc \
  MGR_CONFIG="mgr/orchestrator_grpc/grpc_target=127.0.0.1:$PORT_SIM mgr/orchestrator_grpc/progress_poll_interval=1" \
  ORCH_BACKEND=orchestrator_grpc run_step scripts/ceph-lab/ceph-up.sh >"$SCRATCH/ceph-up.log" 2>&1 \
  || { cat "$SCRATCH/ceph-up.log"; exit 1; }
export CEPH_CONF=$CEPHLAB_DIR/ceph.conf
backend=$(ceph orch status -f json 2>&1 | $PY -c 'import json,sys; print(json.load(sys.stdin).get("backend"))' 2>/dev/null || true)
[[ $backend == orchestrator_grpc ]] || { echo "test-mgr: orchestrator backend is '$backend', not orchestrator_grpc"; cat "$SCRATCH/ceph-up.log"; exit 1; }
log "ceph up; orch backend: orchestrator_grpc"

# --- 3. the checks ---------------------------------------------------------------------------------
export ORCH_TARGET=127.0.0.1:$PORT_SIM ORCH_TARGET_NONE=127.0.0.1:$PORT_NONE \
  ORCH_TARGET_PARTIAL=127.0.0.1:$PORT_PARTIAL ORCH_TARGET_DEAD=127.0.0.1:$PORT_DEAD ORCH_HANG_PORT=$PORT_HANG
log "pytest test/mgr"
# shellcheck disable=SC2086
run_step $PY -m pytest -p no:cacheprovider -v ${PYTEST_ARGS:-} test/mgr
