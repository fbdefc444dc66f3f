# shellcheck shell=bash
# Starting and stopping the gRPC service as a separate process, for the scripts that test it
# from outside (scripts/test-mgr.sh, scripts/test-mgr-ssh.sh). Source it; it uses:
#   SCRATCH    the caller's scratch folder (each service logs to $SCRATCH/NAME.log and keeps its
#              data in $SCRATCH/NAME-data unless its arguments name another --data-dir)
#   SERVICES   an array the caller declares; each start adds "name:pid:address"
#   PY         a python3 (for the port probe)

start_service() {  # name address(host:port) args...
  local name=$1 address=$2; shift 2
  mkdir -p "$SCRATCH/$name-data"
  # Non-interactive bash: the child is no process-group leader, so setsid does not fork and $! is
  # the new session's leader; tsx's node child stays in its group, so teardown signals the group.
  setsid node_modules/.bin/tsx src/main.ts --listen "$address" --data-dir "$SCRATCH/$name-data" \
    --shutdown-grace 2000 --log-level info "$@" >"$SCRATCH/$name.log" 2>&1 </dev/null &
  SERVICES+=("$name:$!:$address")
}

wait_service() {  # name address(host:port)
  local host=${2%:*} port=${2##*:}
  for _ in $(seq 1 150); do
    $PY -c "import socket; socket.create_connection(('$host', $port), timeout=0.5).close()" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "the $1 service did not listen on $2:"; tail -20 "$SCRATCH/$1.log"; return 1
}

stop_service() {  # name pid address: SIGTERM to its process group (we made it a session leader)
  local name=$1 pid=$2 address=$3
  [[ -d /proc/$pid ]] || return 0
  # only if it is still ours: the tsx process serving our --listen address
  if ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--listen $address"; then
    echo "pid $pid is not the $name service any more; leaving it alone"; return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
  if [[ -d /proc/$pid ]]; then echo "$name service (pid $pid) still alive after 10 s: SIGKILL"; kill -KILL -- "-$pid" 2>/dev/null || true; fi
}

stop_services() {  # every service this script started, in order
  local s name pid address
  for s in "${SERVICES[@]}"; do
    IFS=: read -r name pid address <<<"$s"   # address is host:port: read takes the rest
    stop_service "$name" "$pid" "$address"
  done
}

port_free() {  # host port: nothing listens there and it is outside the ephemeral range
  (($2 < 32768)) || { echo "port $2 is in the ephemeral range; use ports < 32768" >&2; return 1; }
  $PY -c "import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('$1', $2))" 2>/dev/null \
    || { echo "$1:$2 is in use" >&2; return 1; }
}
