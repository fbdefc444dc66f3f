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
    if running; then
      p=$(cat "$hd/sshd.pid"); kill -TERM "$p"
      for _ in $(seq 1 50); do [ -d /proc/$p ] || break; sleep 0.1; done
    fi
    rm -f "$hd/sshd.pid" ;;
  status) running && echo running || { echo stopped; exit 3; } ;;
  *) echo "sshd.sh: unknown action $action" >&2; exit 2 ;;
esac
