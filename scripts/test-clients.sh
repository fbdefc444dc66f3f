#!/usr/bin/env bash
# Client tests against a real server: the Go client tests (test/go, TestClient*, using the
# generated module gen/go) and the grpcurl tests (test/grpcurl, reflection only).
#
# Starts three servers on loopback over the default sim fixture with delays=0, each fresh,
# so that neither suite sees the other's changes:
#   1. for the Go tests                                       -> ORCH_ADDR
#   2. for the Go failed-operation test, node-2 unreachable   -> ORCH_FAILING_ADDR
#   3. for the grpcurl tests                                  -> ORCH_ADDR
# waits until each answers reflection, runs gofmt, go vet and go test in test/go, then
# pytest on test/grpcurl, and always stops the servers on exit. Exits non-zero when any step
# fails (both suites run either way). Ports: the first free ones from $ORCH_TEST_PORT
# (default 15071) up. Run scripts/setup.sh once before (grpcurl, node_modules).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
GRPCURL="$ROOT/.tools/bin/grpcurl"
TSX="$ROOT/node_modules/.bin/tsx"
PYTHON="${PYTHON:-/usr/bin/python3}"
export PYTHONDONTWRITEBYTECODE=1

step() { printf '\n== test-clients: %s\n' "$*"; }
die() { echo "test-clients: $*" >&2; exit 1; }

[[ -x "$GRPCURL" ]] || die "$GRPCURL is missing; run scripts/setup.sh"
[[ -x "$TSX" ]] || die "$TSX is missing; run scripts/setup.sh"
command -v go >/dev/null || die "go is not on PATH"

LOGS="$(mktemp -d "${TMPDIR:-/tmp}/test-clients.XXXXXX")"
PIDS=()

stop_servers() {
  local pid i
  for pid in "${PIDS[@]}"; do
    # Each server is the leader of its own process group (setsid): stop the group, so the
    # node process that tsx runs goes too.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for ((i = 0; i < 50; i++)); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  PIDS=()
}
cleanup() {
  local rc=$?
  stop_servers
  rm -rf "$LOGS"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

NEXT_PORT="${ORCH_TEST_PORT:-15071}"
free_port() { # sets PORT to the next free port from NEXT_PORT
  while port_in_use "$NEXT_PORT"; do
    ((NEXT_PORT++))
    ((NEXT_PORT < 32768)) || die "no free port below 32768"
  done
  PORT=$NEXT_PORT
  ((NEXT_PORT++))
}

# start_server <name> [server options...]: starts a server on a free port and sets
# ADDR_<name> to its address.
start_server() {
  local name="$1"
  shift
  free_port
  local addr="127.0.0.1:$PORT"
  setsid "$TSX" src/main.ts --listen "$addr" --backend sim --backend-opt delays=0 \
    --log-level warn --shutdown-grace 2000 --journal=false "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  PIDS+=("$!")
  printf -v "ADDR_$name" '%s' "$addr"
  printf -v "PID_$name" '%s' "$!"
  echo "   $name: $addr (pid $!) $*"
}

# wait_server <name>: waits until the server answers reflection (grpcurl list), up to 60 s.
wait_server() {
  local name="$1" addr pid i
  addr="ADDR_$name" pid="PID_$name"
  addr="${!addr}" pid="${!pid}"
  for ((i = 0; i < 600; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$LOGS/$name.log" >&2
      die "server $name ($addr) exited before it answered"
    fi
    if "$GRPCURL" -plaintext -max-time 1 "$addr" list >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  cat "$LOGS/$name.log" >&2
  die "server $name ($addr) did not answer within 60 s"
}

step "start the servers (sim backend, delays=0)"
start_server go
start_server go_failing --backend-opt 'failures={"unreachableHosts":["node-2"]}'
start_server grpcurl
for name in go go_failing grpcurl; do wait_server "$name"; done
echo "   all answer"

failed=()

step "Go: gofmt, go vet, go test -run '^TestClient' (test/go)"
if (
  cd test/go
  unformatted="$(gofmt -l .)"
  [[ -z "$unformatted" ]] || { echo "gofmt: not formatted: $unformatted" >&2; exit 1; }
  go vet ./...
  ORCH_ADDR="$ADDR_go" ORCH_FAILING_ADDR="$ADDR_go_failing" ORCH_REQUIRE_SERVER=1 \
    go test -count=1 -run '^TestClient' ./...
); then :; else failed+=("Go client tests"); fi

step "grpcurl ($(go version -m "$GRPCURL" | awk '$1 == "mod" {print $3}')), reflection only (test/grpcurl)"
if ORCH_ADDR="$ADDR_grpcurl" GRPCURL="$GRPCURL" \
  "$PYTHON" -m pytest -p no:cacheprovider -q test/grpcurl/test_grpcurl.py; then :; else failed+=("grpcurl tests"); fi

if ((${#failed[@]})); then
  for name in go go_failing grpcurl; do
    if [[ -s "$LOGS/$name.log" ]]; then
      echo "--- server log ($name, last 20 lines) ---" >&2
      tail -n 20 "$LOGS/$name.log" >&2
    fi
  done
  die "FAILED: ${failed[*]}"
fi
step "all passed"
