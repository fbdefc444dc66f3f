// What the ssh backend installs on every host (under /var/lib/ceph/orch): `orchctl`, which
// runs the host's Ceph daemons as supervised processes when systemd does not run (foreground
// under setsid, one pid file and one log file each), and `cephq`, which asks the cluster many
// questions in one process (librados), answering JSON.

export const ORCH_DIR = "/var/lib/ceph/orch";
export const ORCHCTL = `${ORCH_DIR}/orchctl`;
export const CEPHQ = `${ORCH_DIR}/cephq`;

/**
 * orchctl start|stop|restart|hup|remove|status NAME
 *   units:  /var/lib/ceph/orch/units/NAME.run (a bash script that execs the daemon in the
 *           foreground) and NAME.meta (service name, creation time)
 *   pids:   /run/ceph/orch/NAME.pid ("pid starttime": a reused pid is never mistaken for it)
 *   logs:   /var/log/ceph/NAME.out (stdout and stderr; the daemon's own log is beside it)
 *   stopped marker: /var/lib/ceph/orch/units/NAME.stopped (stopped on purpose, not crashed)
 * status prints one line per unit: NAME<TAB>running|stopped|error<TAB>PID<TAB>STARTED<TAB>META
 */
export const ORCHCTL_SCRIPT = String.raw`#!/bin/bash
set -u
U=/var/lib/ceph/orch/units; P=/run/ceph/orch; L=/var/log/ceph
mkdir -p "$U" "$P" "$L"
starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }
pid_of() {
  local f="$P/$1.pid" pid st
  [ -f "$f" ] || return 1
  read -r pid st < "$f" || return 1
  [ -n "$pid" ] && [ "$(starttime "$pid")" = "$st" ] || return 1
  echo "$pid"
}
start() {
  local name=$1 pid
  [ -f "$U/$name.run" ] || { echo "orchctl: no unit $name" >&2; return 2; }
  rm -f "$U/$name.stopped"
  pid_of "$name" >/dev/null && return 0
  cd /
  # Not a process-group leader (non-interactive bash), so setsid does not fork: $! is the daemon.
  setsid bash "$U/$name.run" >> "$L/$name.out" 2>&1 < /dev/null &
  pid=$!
  echo "$pid $(starttime "$pid")" > "$P/$name.pid"
  sleep 0.5
  if ! pid_of "$name" >/dev/null; then
    echo "orchctl: $name exited at once; the end of $L/$name.out:" >&2; tail -n 15 "$L/$name.out" >&2; return 1
  fi
}
stop() {
  local name=$1 pid i
  [ -f "$U/$name.run" ] && touch "$U/$name.stopped"
  pid=$(pid_of "$name") || { rm -f "$P/$name.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 ${'${STOP_TIMEOUT:-300}'}); do [ "$(starttime "$pid")" = "" ] && break; sleep 0.1; done
  if [ -n "$(starttime "$pid")" ]; then kill -KILL "$pid" 2>/dev/null; sleep 0.5; fi
  rm -f "$P/$name.pid"
}
status() {
  local f name pid state started meta
  for f in "$U"/*.run; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .run)
    meta=$(tr '\n\t' '  ' < "$U/$name.meta" 2>/dev/null)
    if pid=$(pid_of "$name"); then
      state=running; started=$(stat -c %Y "$P/$name.pid")
    else
      pid=0; started=0
      if [ -e "$U/$name.stopped" ]; then state=stopped; else state=error; fi
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$state" "$pid" "$started" "$meta"
  done
}
cmd=${'${1:-}'}; shift || true
case "$cmd" in
  start) start "$1" ;;
  stop) stop "$1" ;;
  restart) stop "$1"; start "$1" ;;
  hup) pid=$(pid_of "$1") && kill -HUP "$pid" ;;
  remove) stop "$1"; rm -f "$U/$1.run" "$U/$1.meta" "$U/$1.stopped" ;;
  status) status ;;
  *) echo "usage: orchctl start|stop|restart|hup|remove|status NAME" >&2; exit 2 ;;
esac
`;

/**
 * cephq: reads a JSON list of commands on stdin ({"target": "mon"|"mgr", "cmd": {...}}),
 * runs each through librados in one connection, prints a JSON list of
 * {"ret", "out" (parsed JSON when it is JSON), "err"}.
 */
export const CEPHQ_SCRIPT = String.raw`#!/usr/bin/python3
import json, sys, rados
cmds = json.load(sys.stdin)
c = rados.Rados(conffile='/etc/ceph/ceph.conf', conf={'client_mount_timeout': '15', 'rados_mon_op_timeout': '20', 'rados_osd_op_timeout': '20', 'log_to_stderr': 'false'})
c.connect(timeout=15)
res = []
for q in cmds:
    cmd = dict(q['cmd'])
    cmd.setdefault('format', 'json')
    fn = c.mgr_command if q.get('target') == 'mgr' else c.mon_command
    try:
        ret, out, err = fn(json.dumps(cmd), b'', timeout=20)
    except Exception as e:
        ret, out, err = -1, b'', str(e)
    text = out.decode('utf-8', 'replace')
    try:
        val = json.loads(text) if text.strip() else None
    except ValueError:
        val = text
    res.append({'ret': ret, 'out': val, 'err': err})
c.shutdown()
json.dump(res, sys.stdout)
`;

/** Single-quotes a word for a POSIX shell. */
export function shq(s: string | number): string {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}
