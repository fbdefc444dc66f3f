#!/bin/bash
# orchctl start|stop|restart|hup|remove|status NAME: runs a host's Ceph daemons for the ssh
# backend, which installs it as /var/lib/ceph/orch/orchctl on every host.
#   units:  /var/lib/ceph/orch/units/NAME.run (a bash script that execs the daemon in the
#           foreground) and NAME.meta (service name, creation time)
#   logs:   /var/log/ceph/NAME.out (stdout and stderr; the daemon's own log is beside it)
#   stopped marker: /var/lib/ceph/orch/units/NAME.stopped (stopped on purpose, not crashed)
# Where systemd runs (sd_booted: /run/systemd/system exists), NAME is the systemd service
# ceph-orch-NAME.service, a unit file in /etc/systemd/system (written on start) whose
# ExecStart runs NAME.run, Restart=on-failure, output appended to the log; start enables and
# starts it, stop stops it (it stays enabled: it comes back at boot), restart restarts it,
# hup reloads it (SIGHUP to its main process), remove disables it and deletes its unit file.
# Elsewhere it is a supervised process:
#   pids:   /run/ceph/orch/NAME.pid ("pid starttime": a reused pid is never mistaken for it)
#   stop is SIGTERM, then SIGKILL after 30 s; hup is SIGHUP.
# status prints one line per unit: NAME<TAB>running|stopped|error<TAB>PID<TAB>STARTED<TAB>META
# (PID: the main process as the host sees it; STARTED: its start, epoch seconds).
set -u
U=/var/lib/ceph/orch/units; P=/run/ceph/orch; L=/var/log/ceph; S=/etc/systemd/system
mkdir -p "$U" "$P" "$L"
# A process's start time, empty when it is gone or a zombie (an exited daemon whose parent has not
# reaped it yet is not running). After "pid (comm) ", the state is field 1 and starttime field 20.
starttime() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '$1 != "Z" {print $20}'; }
state_of() { # NAME PID (0: no process): running, or why not
  if [ "$2" != 0 ]; then echo running; elif [ -e "$U/$1.stopped" ]; then echo stopped; else echo error; fi
}
meta_of() { tr '\n\t' '  ' < "$U/$1.meta" 2>/dev/null; }
rss_of() { # a process's resident memory in KiB; 0 when there is none
  local kb
  kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null)
  echo "${kb:-0}"
}
exited_at_once() {
  echo "orchctl: $1 exited at once; the end of $L/$1.out:" >&2; tail -n 15 "$L/$1.out" >&2
  # A daemon may have said why only in its own log (ceph-mon.a.log, ceph-client.rgw.x.log):
  # its errors there are the lines of level -1.
  grep -h -e ' -1 ' "$L/ceph-$1.log" "$L/ceph-client.$1.log" 2>/dev/null | tail -n 5 | cut -d' ' -f4- >&2
  return 1
}

# --- supervised processes (no systemd) ---
pid_of() {
  local f="$P/$1.pid" pid st
  [ -f "$f" ] || return 1
  read -r pid st < "$f" || return 1
  [ -n "$pid" ] && [ "$(starttime "$pid")" = "$st" ] || return 1
  echo "$pid"
}
start() {
  local name=$1 pid
  rm -f "$U/$name.stopped"
  pid_of "$name" >/dev/null && return 0
  cd /
  # Not a process-group leader (non-interactive bash), so setsid does not fork: $! is the daemon.
  setsid bash "$U/$name.run" >> "$L/$name.out" 2>&1 < /dev/null &
  pid=$!
  echo "$pid $(starttime "$pid")" > "$P/$name.pid"
  sleep 0.5
  pid_of "$name" >/dev/null || exited_at_once "$name"
}
stop() {
  local name=$1 pid i
  [ -f "$U/$name.run" ] && touch "$U/$name.stopped"
  pid=$(pid_of "$name") || { rm -f "$P/$name.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 ${STOP_TIMEOUT:-300}); do [ "$(starttime "$pid")" = "" ] && break; sleep 0.1; done
  if [ -n "$(starttime "$pid")" ]; then kill -KILL "$pid" 2>/dev/null; sleep 0.5; fi
  rm -f "$P/$name.pid"
}
restart() { stop "$1"; start "$1"; }
hup() { local pid; pid=$(pid_of "$1") && kill -HUP "$pid"; }
remove() { stop "$1"; rm -f "$U/$1.run" "$U/$1.meta" "$U/$1.stopped"; }
status() {
  local f name pid started
  for f in "$U"/*.run; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .run)
    if pid=$(pid_of "$name"); then started=$(stat -c %Y "$P/$name.pid"); else pid=0; started=0; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(state_of "$name" "$pid")" "$pid" "$started" "$(meta_of "$name")" "$(rss_of "$pid")"
  done
}

# --- systemd units (ceph-orch-NAME.service) ---
unit() { echo "ceph-orch-$1.service"; }
sd_write_unit() { # writes the unit file when it differs; reloads systemd then
  local name=$1 f tmp
  f="$S/$(unit "$name")"; tmp="$f.tmp"
  mkdir -p "$S"
  cat > "$tmp" <<UNIT
# Written by ceph-orchestrator-grpc (orchctl): Ceph daemon $name. Its command is $U/$name.run.
[Unit]
Description=Ceph $name (ceph-orchestrator-grpc)
After=network-online.target
Wants=network-online.target
StartLimitIntervalSec=30min
StartLimitBurst=5

[Service]
Type=simple
WorkingDirectory=/
ExecStart=/bin/bash $U/$name.run
ExecReload=/bin/kill -HUP \$MAINPID
StandardInput=null
StandardOutput=append:$L/$name.out
StandardError=inherit
Restart=on-failure
RestartSec=10s
TimeoutStopSec=30s
LimitNOFILE=1048576
LimitNPROC=1048576
TasksMax=infinity

[Install]
WantedBy=multi-user.target
UNIT
  if cmp -s "$tmp" "$f"; then rm -f "$tmp"; else mv "$tmp" "$f" && systemctl daemon-reload; fi
}
sd_active() { case "$(systemctl show -p ActiveState --value "$(unit "$1")")" in active|reloading) return 0 ;; esac; return 1; }
sd_run() { # start|restart NAME: the unit file up to date, enabled, then started
  local u; u=$(unit "$2")
  rm -f "$U/$2.stopped"
  sd_write_unit "$2" || return 1
  systemctl is-enabled --quiet "$u" || systemctl enable --quiet "$u" || return 1
  systemctl "$1" "$u" || return 1
  sleep 0.5
  sd_active "$2" || exited_at_once "$2"
}
sd_start() { sd_run start "$1"; }
sd_restart() { sd_run restart "$1"; }
sd_stop() {
  local u rc; u=$(unit "$1")
  [ -f "$U/$1.run" ] && touch "$U/$1.stopped"
  systemctl stop "$u" 2>/dev/null; rc=$?
  [ $rc = 0 ] || [ $rc = 5 ] || { echo "orchctl: systemctl stop $u failed ($rc)" >&2; return $rc; }  # 5: no such unit
  systemctl reset-failed "$u" 2>/dev/null
  return 0
}
sd_hup() { sd_active "$1" && systemctl reload "$(unit "$1")"; }
sd_remove() {
  local u; u=$(unit "$1")
  sd_stop "$1" || return 1
  systemctl disable --quiet "$u" 2>/dev/null
  rm -f "$S/$u" "$U/$1.run" "$U/$1.meta" "$U/$1.stopped"
  systemctl daemon-reload
}
sd_status() { # one systemctl show for every unit: blocks of Id, ActiveState, MainPID
  local names=() f btime hz id active pid st started
  for f in "$U"/*.run; do [ -e "$f" ] || continue; names+=("$(unit "$(basename "$f" .run)")"); done
  [ ${#names[@]} -gt 0 ] || return 0
  btime=$(awk '$1=="btime"{print $2}' /proc/stat); hz=$(getconf CLK_TCK)
  systemctl show -p Id -p ActiveState -p MainPID -- "${names[@]}" | awk -v RS= -F'\n' '{
      for (i = 1; i <= NF; i++) v[substr($i, 1, index($i, "=") - 1)] = substr($i, index($i, "=") + 1)
      print v["Id"], v["ActiveState"], v["MainPID"] }' |
  while read -r id active pid; do
    id=${id#ceph-orch-}; id=${id%.service}
    started=0
    if [[ "$active" =~ ^(active|reloading)$ ]] && [ "$pid" != 0 ] && st=$(starttime "$pid") && [ -n "$st" ]; then
      started=$((btime + st / hz))  # the main process's start: boot time + its start in clock ticks
    else pid=0; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$(state_of "$id" "$pid")" "$pid" "$started" "$(meta_of "$id")" "$(rss_of "$pid")"
  done
}

cmd=${1:-}; shift || true
name=${1:-}
case "$cmd" in
  start|stop|restart|hup|remove)
    [[ "$name" =~ ^[A-Za-z0-9:_.-]+$ ]] || { echo "orchctl: bad unit name '$name'" >&2; exit 2; }
    [ "$cmd" != start ] && [ "$cmd" != restart ] || [ -f "$U/$name.run" ] || { echo "orchctl: no unit $name" >&2; exit 2; } ;;
  status) ;;
  *) echo "usage: orchctl start|stop|restart|hup|remove|status NAME" >&2; exit 2 ;;
esac
if [ -d /run/systemd/system ]; then "sd_$cmd" "$name"; else "$cmd" "$name"; fi
