#!/usr/bin/env bash
# sshd.sh start|stop|status HOSTNAME - the sshd of one test host (made by up.sh), started in
# that host's namespaces (network, mount, UTS: through its anchor process). `stop` kills only
# the sshd of the pid file (checked by /proc/PID/comm); open sessions' processes stay.
set -euo pipefail
DIR=${TESTHOSTS_DIR:-/tmp/ceph-testhosts}
action=${1:?start|stop|status}; name=${2:?hostname}
hd="$DIR/hosts/$name"
[ -f "$hd/sshd_config" ] || { echo "sshd.sh: no test host $name in $DIR" >&2; exit 1; }
running() { local p; p=$(cat "$hd/sshd.pid" 2>/dev/null) && [ "$(cat /proc/$p/comm 2>/dev/null)" = sshd ]; }
case "$action" in
  start)
    running && exit 0
    anchor=$(cat "$hd/anchor.pid")
    [ "$(cat /proc/$anchor/comm 2>/dev/null)" = sleep ] || { echo "sshd.sh: $name's anchor ($anchor) is gone" >&2; exit 1; }
    nsenter -t "$anchor" -m -u -n /usr/sbin/sshd -f "$hd/sshd_config" -E "$hd/sshd.log"
    for _ in $(seq 1 50); do running && exit 0; sleep 0.1; done
    echo "sshd.sh: sshd of $name did not start:" >&2; tail -5 "$hd/sshd.log" >&2; exit 1 ;;
  stop)
    # The listener and every open session's sshd in this host's network namespace: open
    # connections drop too, as when the machine's sshd goes away. Daemons started over SSH
    # run in their own sessions and stay.
    ns=$(awk -v n="$name" '$1=="netns" && $2=="cephth-"substr(n, length("cephhost-")+1) {print $2}' "$DIR/state")
    pids=()
    running && pids+=("$(cat "$hd/sshd.pid")")
    for p in $(ip netns pids "$ns" 2>/dev/null); do [ "$(cat /proc/$p/comm 2>/dev/null)" = sshd ] && pids+=("$p"); done
    if [ ${#pids[@]} -gt 0 ]; then
      kill -TERM "${pids[@]}" 2>/dev/null || true
      for _ in $(seq 1 50); do alive=0; for p in "${pids[@]}"; do [ -d /proc/$p ] && alive=1; done; [ $alive = 0 ] && break; sleep 0.1; done
    fi
    rm -f "$hd/sshd.pid" ;;
  status) running && echo running || { echo stopped; exit 3; } ;;
  *) echo "sshd.sh: unknown action $action" >&2; exit 2 ;;
esac
