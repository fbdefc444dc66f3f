#!/usr/bin/env bash
# sshd.sh start|stop|status HOSTNAME - the sshd of one test host (made by up.sh), started in
# that host's namespaces: on a plain host through its anchor process (network, mount, UTS), on
# a systemd host as its unit testhost-sshd.service (systemctl inside the host). `stop` kills
# the listener and every open session's sshd; the processes the sessions started stay.
set -euo pipefail
DIR=${TESTHOSTS_DIR:-/tmp/ceph-testhosts}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
action=${1:?start|stop|status}; name=${2:?hostname}
hd="$DIR/hosts/$name"
[ -f "$hd/sshd_config" ] || { echo "sshd.sh: no test host $name in $DIR" >&2; exit 1; }
read -r ns sd < <(awk -v n="$name" '$1=="host" && $2==n {print $3, $4}' "$DIR/state") || true
[ -n "${ns:-}" ] || { echo "sshd.sh: $name is not in $DIR/state" >&2; exit 1; }
anchor=$(cat "$hd/anchor.pid")
if [ "$sd" = true ]; then
  [ "$(cat /proc/$anchor/comm 2>/dev/null)" = systemd ] || { echo "sshd.sh: $name's systemd ($anchor) is gone" >&2; exit 1; }
  sctl() { nsenter -t "$anchor" -m -p systemctl "$@"; }
  running() { sctl is-active --quiet testhost-sshd.service; }
else
  running() { local p; p=$(cat "$hd/sshd.pid" 2>/dev/null) && [ "$(cat /proc/$p/comm 2>/dev/null)" = sshd ]; }
fi
case "$action" in
  start)
    running && exit 0
    if [ "$sd" = true ]; then
      # Type=notify: systemctl returns once sshd listens.
      sctl start testhost-sshd.service || { echo "sshd.sh: sshd of $name did not start:" >&2; tail -5 "$hd/sshd.log" >&2; exit 1; }
      exit 0
    fi
    [ "$(cat /proc/$anchor/comm 2>/dev/null)" = sleep ] || { echo "sshd.sh: $name's anchor ($anchor) is gone" >&2; exit 1; }
    nsenter -t "$anchor" -m -u -n /usr/sbin/sshd -f "$hd/sshd_config" -E "$hd/sshd.log"
    for _ in $(seq 1 50); do running && exit 0; sleep 0.1; done
    echo "sshd.sh: sshd of $name did not start:" >&2; tail -5 "$hd/sshd.log" >&2; exit 1 ;;
  stop)
    # The listener and every open session's sshd in this host's network namespace: open
    # connections drop too, as when the machine's sshd goes away. Daemons started over SSH
    # run in their own sessions (or are systemd units) and stay.
    pids=()
    if [ "$sd" = true ]; then sctl stop testhost-sshd.service || true  # KillMode=process: the listener only
    elif running; then pids+=("$(cat "$hd/sshd.pid")"); fi
    for p in $(ip netns pids "$ns" 2>/dev/null); do [ "$(cat /proc/$p/comm 2>/dev/null)" = sshd ] && pids+=("$p"); done
    if [ ${#pids[@]} -gt 0 ]; then
      kill -TERM "${pids[@]}" 2>/dev/null || true
      for _ in $(seq 1 50); do alive=0; for p in "${pids[@]}"; do [ -d /proc/$p ] && alive=1; done; [ $alive = 0 ] && break; sleep 0.1; done
    fi
    rm -f "$hd/sshd.pid" ;;
  status) running && echo running || { echo stopped; exit 3; } ;;
  *) echo "sshd.sh: unknown action $action" >&2; exit 2 ;;
esac
