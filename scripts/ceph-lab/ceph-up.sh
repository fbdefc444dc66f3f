#!/usr/bin/env bash
# ceph-up.sh - bring up a throw-away, loopback-only Ceph (Debian 12 "ceph" 16.2.x Pacific)
# cluster WITHOUT systemd, docker or cephadm, vstart.sh-style.
#
#   1 mon (a), 1 mgr (x), NUM_OSDS osds (memstore or bluestore-on-a-file),
#   optional 1 mds (a) + cephfs "cephfs", optional 1 rgw (client.rgw.x on 127.0.0.1:RGW_PORT).
#
# Everything lives in $CEPHLAB_DIR (default /tmp/cephlab/cluster); every daemon binds 127.0.0.1 only.
# Use the cluster with:   export CEPH_CONF=$CEPHLAB_DIR/ceph.conf ; ceph -s
# Tear down with:         ceph-down.sh   (kills the PIDs recorded in $CEPHLAB_DIR/run/*.pid)
# Needs root and: apt-get install ceph-mon ceph-mgr ceph-osd ceph-common ceph-mgr-modules-core
#   (+ ceph-mds / radosgw for WITH_MDS / WITH_RGW, python3-h2 for the orchestrator_grpc module's h2
#    transport, udev for `ceph-volume inventory`). scripts/setup.sh installs what scripts/test-mgr.sh needs.
#
# Copied from the project's lab reference (shared/lab) and adapted: extra mgr modules are also looked
# up in the repository's mgr/ folder, and module options are set with retries.
#
# Example (mon + mgr, with this repository's orchestrator module pointed at a running service):
#   NUM_OSDS=0 MGR_EXTRA_MODULES=orchestrator_grpc MGR_ENABLE_MODULES=orchestrator_grpc \
#   MGR_CONFIG="mgr/orchestrator_grpc/grpc_target=127.0.0.1:15071" \
#   ORCH_BACKEND=orchestrator_grpc scripts/ceph-lab/ceph-up.sh
#
# Env knobs (all optional):
#   CEPHLAB_DIR=/tmp/cephlab/cluster   scratch dir (wiped on start!)
#   NUM_OSDS=1                         0..N
#   OSD_STORE=memstore                 memstore | bluestore   (bluestore uses a sparse file per OSD)
#   OSD_SIZE_GB=1                      memstore device bytes / bluestore block file size
#   CV_RAW_OSDS=0                      extra OSDs deployed the "real" way: sparse file -> loop device ->
#                                      `ceph-volume raw prepare/activate --no-systemd` (bluestore on a
#                                      block device, runs as user ceph, data dir = tmpfs
#                                      /var/lib/ceph/osd/ceph-N). LVM mode is impossible here: the kernel
#                                      has no device-mapper. Size: CV_OSD_SIZE_GB=6 (>=5 for ceph-volume).
#   WITH_MDS=0  WITH_RGW=0             1 to start an MDS (+ create fs "cephfs") / a radosgw
#   MON_PORT=3300 MON_V1_PORT=6789     mon msgr2 / msgr1 ports (keep all lab ports < 32768: the
#   RGW_PORT=7480                      ephemeral range 32768-60999 is used by ceph's own client sockets)
#   MGR_EXTRA_MODULES="dir1 dir2"      extra mgr module dirs (each dir = one module, name = basename);
#                                      they are symlinked next to the stock modules in a private
#                                      mgr_module_path, /usr/share/ceph/mgr is never modified.
#                                      A relative entry is looked up in the current directory first,
#                                      then in the repository's mgr/ folder, then next to this script.
#   MGR_ENABLE_MODULES="m1 m2"         `ceph mgr module enable` these after the mgr is up
#   MGR_CONFIG="k=v k2=v2"             `ceph config set mgr k v` for each (e.g. module options
#                                      mgr/orchestrator_grpc/grpc_target=127.0.0.1:15071)
#   ORCH_BACKEND=name                  `ceph orch set backend name` after enabling (falls back to
#                                      `ceph config set mgr mgr/orchestrator/orchestrator name --force`)
#   MGR_INITIAL_MODULES="iostat"       passed as mgr_initial_modules (default avoids 'restful')
set -euo pipefail

DIR=${CEPHLAB_DIR:-/tmp/cephlab/cluster}
NUM_OSDS=${NUM_OSDS:-1}
OSD_STORE=${OSD_STORE:-memstore}
OSD_SIZE_GB=${OSD_SIZE_GB:-1}
CV_RAW_OSDS=${CV_RAW_OSDS:-0}
CV_OSD_SIZE_GB=${CV_OSD_SIZE_GB:-6}
WITH_MDS=${WITH_MDS:-0}
WITH_RGW=${WITH_RGW:-0}
MON_PORT=${MON_PORT:-3300}
MON_V1_PORT=${MON_V1_PORT:-6789}
RGW_PORT=${RGW_PORT:-7480}
MGR_EXTRA_MODULES=${MGR_EXTRA_MODULES:-}
MGR_ENABLE_MODULES=${MGR_ENABLE_MODULES:-}
MGR_CONFIG=${MGR_CONFIG:-}
ORCH_BACKEND=${ORCH_BACKEND:-}
MGR_INITIAL_MODULES=${MGR_INITIAL_MODULES:-iostat}
IP=127.0.0.1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)   # folder of this script (for MGR_EXTRA_MODULES lookup)
REPO_MGR=$(cd "$HERE/../.." && pwd)/mgr              # the repository's mgr modules (orchestrator_grpc)

# Debian's ceph CLI is a /usr/bin/python3 script; make sure /usr/bin wins over pyenv etc. for the python3 one-liners below
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export CEPH_CONF=$DIR/ceph.conf

T0=$(date +%s%N)
ts() { local d=$(( ($(date +%s%N) - T0) / 1000000 )); printf '[%4d.%03ds] %s\n' $((d/1000)) $((d%1000)) "$*"; }
need() { command -v "$1" >/dev/null || { echo "missing $1 (apt-get install ceph-mon ceph-mgr ceph-osd ceph-common ${2:-})" >&2; exit 1; }; }
for b in ceph ceph-mon ceph-mgr ceph-osd ceph-authtool monmaptool uuidgen; do need $b; done
[ "$WITH_MDS" = 1 ] && need ceph-mds ceph-mds
[ "$WITH_RGW" = 1 ] && need radosgw radosgw

# All daemons run in the foreground (-f) under setsid with stdout/stderr in out/NAME.stdout.
# (Daemonized ceph daemons close fd 0-2; subprocesses spawned by mgr modules - e.g.
#  test_orchestrator's `ceph-volume inventory` - then die with EBADF. -f also keeps the mgr's PID
#  stable across its self-respawn on `ceph mgr module enable`.)  ceph still writes run/NAME.pid.
start_daemon() {  # start_daemon NAME CMD ARGS...
  local name=$1; shift
  rm -f "$DIR/run/$name.pid"
  # non-interactive bash: the child is no process-group leader, so setsid(1) does not fork -> $! is the daemon
  setsid "$@" -f >> "$DIR/out/$name.stdout" 2>&1 < /dev/null &
  local pid=$!
  for i in $(seq 1 50); do [ -s "$DIR/run/$name.pid" ] && return 0; sleep 0.1; done
  # radosgw in foreground mode writes no pid file -> record $! ourselves (after checking it is the daemon)
  if [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$(basename "$1" | cut -c1-15)" ]; then
    echo "$pid" > "$DIR/run/$name.pid"; return 0
  fi
  echo "$name did not start / write its pid file:"; tail -20 "$DIR/out/$name.stdout"; return 1
}

# resolve extra module dirs before touching anything (relative: cwd first, then this script's folder)
EXTRA_MODULE_DIRS=()
for m in $MGR_EXTRA_MODULES; do
  if [ ! -d "$m" ] && [ "${m#/}" = "$m" ] && [ -d "$REPO_MGR/$m" ]; then m="$REPO_MGR/$m"; fi
  if [ ! -d "$m" ] && [ "${m#/}" = "$m" ] && [ -d "$HERE/$m" ]; then m="$HERE/$m"; fi
  [ -d "$m" ] || { echo "MGR_EXTRA_MODULES: no such module directory: $m" >&2; exit 1; }
  EXTRA_MODULE_DIRS+=("$(readlink -f "$m")")
done

if ls "$DIR"/run/*.pid >/dev/null 2>&1; then
  echo "pid files exist in $DIR/run - run ceph-down.sh first" >&2; exit 1
fi
rm -rf "$DIR"
mkdir -p "$DIR"/{run,out,mon.a,mgr.x,mgr-modules}

# --- private mgr module path: stock modules + extras, via symlinks ---------------------------
for m in /usr/share/ceph/mgr/*; do ln -s "$m" "$DIR/mgr-modules/$(basename "$m")"; done
for m in ${EXTRA_MODULE_DIRS[@]+"${EXTRA_MODULE_DIRS[@]}"}; do
  rm -f "$DIR/mgr-modules/$(basename "$m")"
  ln -s "$m" "$DIR/mgr-modules/$(basename "$m")"
done

FSID=$(uuidgen)
TOTAL_OSDS=$(( NUM_OSDS + CV_RAW_OSDS ))
POOL_SIZE=$(( TOTAL_OSDS >= 3 ? 3 : (TOTAL_OSDS < 1 ? 1 : TOTAL_OSDS) ))
BYTES=$(( OSD_SIZE_GB * 1024 * 1024 * 1024 ))

cat > "$CEPH_CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:$IP:$MON_PORT,v1:$IP:$MON_V1_PORT]
public addr = $IP
cluster addr = $IP
public network = 127.0.0.0/8
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/out/\$name.log
crash dir = $DIR/out/crash
; single-host lab tuning
osd pool default size = $POOL_SIZE
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
mon warn on insecure global id reclaim allowed = false
mon warn on insecure global id reclaim = false
mgr initial modules = $MGR_INITIAL_MODULES

[mon]
mon data = $DIR/mon.\$id
keyring = $DIR/mon.\$id/keyring
mon cluster log file = $DIR/out/cluster.log

[mgr]
mgr data = $DIR/mgr.\$id
keyring = $DIR/mgr.\$id/keyring
mgr module path = $DIR/mgr-modules

[osd]
osd data = $DIR/osd.\$id
keyring = $DIR/osd.\$id/keyring
osd objectstore = $OSD_STORE
memstore device bytes = $BYTES
bluestore block create = true
bluestore block size = $BYTES
bluestore block db create = false
bluestore block wal create = false
bluestore fsck on mount = false
osd memory target = 939524096
osd crush update on start = true

[mds]
mds data = $DIR/mds.\$id
keyring = $DIR/mds.\$id/keyring

[client]
; CLI/librados clients: no admin socket (a shared client.admin.asok collides between concurrent CLIs)
admin socket =

[client.rgw.x]
admin socket = $DIR/run/\$name.asok
rgw data = $DIR/rgw.x
keyring = $DIR/rgw.x/keyring
rgw frontends = beast endpoint=$IP:$RGW_PORT
log file = $DIR/out/rgw.x.log
EOF

# --- mon ------------------------------------------------------------------------------------
ts "fsid $FSID; creating mon.a"
ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:$IP:$MON_PORT,v1:$IP:$MON_V1_PORT]" "$DIR/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
start_daemon mon.a ceph-mon -i a
ceph -s >/dev/null   # waits until the mon answers
ts "mon.a up"

# --- mgr ------------------------------------------------------------------------------------
ceph auth get-or-create mgr.x mon 'allow profile mgr' mds 'allow *' osd 'allow *' -o "$DIR/mgr.x/keyring"
start_daemon mgr.x ceph-mgr -i x
for i in $(seq 1 120); do
  [ "$(ceph mgr stat -f json 2>/dev/null | python3 -c 'import sys,json;print(json.load(sys.stdin).get("available"))' 2>/dev/null)" = True ] && break
  sleep 1
done
ts "mgr.x active"

# --- osds -----------------------------------------------------------------------------------
for n in $(seq 1 "$NUM_OSDS"); do
  uuid=$(uuidgen)
  secret=$(ceph-authtool --gen-print-key)
  printf '{"cephx_secret": "%s"}' "$secret" > "$DIR/osd-new.json"
  id=$(ceph osd new "$uuid" -i "$DIR/osd-new.json")
  rm -f "$DIR/osd-new.json"
  mkdir -p "$DIR/osd.$id"
  ceph-osd -i "$id" --mkfs --key "$secret" --osd-uuid "$uuid" > "$DIR/out/osd.$id.mkfs.log" 2>&1 \
    || { echo "osd.$id mkfs failed:"; tail -20 "$DIR/out/osd.$id.mkfs.log"; exit 1; }
  printf '[osd.%s]\n\tkey = %s\n' "$id" "$secret" > "$DIR/osd.$id/keyring"
  start_daemon "osd.$id" ceph-osd -i "$id"
  ts "osd.$id ($OSD_STORE) started"
done
for i in $(seq 1 120); do
  up=$(ceph osd stat -f json | python3 -c 'import sys,json;print(json.load(sys.stdin)["num_up_osds"])')
  [ "$up" -ge "$NUM_OSDS" ] && break
  sleep 1
done
ts "$up/$NUM_OSDS osds up"

# --- ceph-volume raw OSDs on loop devices ------------------------------------------------------
if [ "$CV_RAW_OSDS" -gt 0 ]; then
  need ceph-volume; need losetup
  export CEPH_VOLUME_ALLOW_LOOP_DEVICES=true      # ceph-volume refuses loop devices otherwise
  chown ceph:ceph "$DIR/run" "$DIR/out"           # ceph-volume runs ceph-osd --setuser ceph
  mkdir -p "$DIR/loop" /var/lib/ceph/bootstrap-osd
  if [ ! -e /var/lib/ceph/bootstrap-osd/ceph.keyring ]; then touch "$DIR/loop/.created-bootstrap-keyring"; fi
  ceph auth get-or-create client.bootstrap-osd mon 'allow profile bootstrap-osd' \
    -o /var/lib/ceph/bootstrap-osd/ceph.keyring
  for n in $(seq 1 "$CV_RAW_OSDS"); do
    img="$DIR/loop/cv-osd$n.img"
    truncate -s "${CV_OSD_SIZE_GB}G" "$img"
    dev=$(losetup -f --show "$img"); echo "$dev" >> "$DIR/run/loops"
    ceph-volume raw prepare --bluestore --data "$dev" > "$DIR/out/cv-prepare-$n.log" 2>&1 \
      || { echo "ceph-volume raw prepare failed:"; tail -20 "$DIR/out/cv-prepare-$n.log"; exit 1; }
    ceph-volume raw activate --device "$dev" --no-systemd > "$DIR/out/cv-activate-$n.log" 2>&1 \
      || { echo "ceph-volume raw activate failed:"; tail -20 "$DIR/out/cv-activate-$n.log"; exit 1; }
    id=$(ceph-volume raw list "$dev" --format json | python3 -c 'import sys,json; print(list(json.load(sys.stdin).values())[0]["osd_id"])')
    start_daemon "osd.$id" ceph-osd -i "$id" --osd-data "/var/lib/ceph/osd/ceph-$id" \
      --keyring "/var/lib/ceph/osd/ceph-$id/keyring" --setuser ceph --setgroup ceph
    ts "osd.$id (bluestore on $dev via ceph-volume raw) started"
  done
  want=$((NUM_OSDS + CV_RAW_OSDS))
  for i in $(seq 1 120); do
    up=$(ceph osd stat -f json | python3 -c 'import sys,json;print(json.load(sys.stdin)["num_up_osds"])')
    [ "$up" -ge "$want" ] && break; sleep 1
  done
  ts "$up/$want osds up"
fi

# --- mds + cephfs ---------------------------------------------------------------------------
if [ "$WITH_MDS" = 1 ]; then
  mkdir -p "$DIR/mds.a"
  ceph auth get-or-create mds.a mon 'allow profile mds' osd 'allow rw tag cephfs *=*' \
    mds 'allow' mgr 'allow profile mds' -o "$DIR/mds.a/keyring"
  ceph osd pool create cephfs_metadata 8 >/dev/null 2>&1
  ceph osd pool create cephfs_data 8 >/dev/null 2>&1
  ceph fs new cephfs cephfs_metadata cephfs_data >/dev/null 2>&1
  start_daemon mds.a ceph-mds -i a
  for i in $(seq 1 60); do ceph mds stat 2>/dev/null | grep -q 'up:active' && break; sleep 1; done
  ts "mds.a: $(ceph mds stat)"
fi

# --- rgw ------------------------------------------------------------------------------------
if [ "$WITH_RGW" = 1 ]; then
  mkdir -p "$DIR/rgw.x"
  ceph auth get-or-create client.rgw.x mon 'allow rw' osd 'allow rwx' mgr 'allow rw' -o "$DIR/rgw.x/keyring"
  start_daemon client.rgw.x radosgw -n client.rgw.x
  for i in $(seq 1 90); do
    curl -s -o /dev/null "http://$IP:$RGW_PORT/" 2>/dev/null && break
    python3 -c "import urllib.request;urllib.request.urlopen('http://$IP:$RGW_PORT/',timeout=1)" 2>/dev/null && break
    sleep 1
  done
  ts "rgw on http://$IP:$RGW_PORT"
fi

# --- extra mgr modules / orchestrator backend ------------------------------------------------
for m in $MGR_ENABLE_MODULES; do
  # the mgr must have reported the module as available first -> retry
  for i in $(seq 1 60); do ceph mgr module enable "$m" 2>/dev/null && break; sleep 1; done
  ceph mgr module ls -f json | python3 -c "import sys,json; d=json.load(sys.stdin); sys.exit(0 if '$m' in d['enabled_modules']+d['always_on_modules'] else 1)" \
    || { echo "could not enable mgr module $m"; ceph mgr module enable "$m"; exit 1; }
done
if [ -n "$MGR_ENABLE_MODULES" ]; then
  # enabling a module makes ceph-mgr re-exec itself (respawn, ~4 s; same PID thanks to -f).
  # Best effort: wait until the mgr is available again (the orch step below retries anyway).
  sleep 2
  for i in $(seq 1 120); do
    [ "$(ceph mgr stat -f json 2>/dev/null | python3 -c 'import sys,json;print(json.load(sys.stdin).get("available"))' 2>/dev/null)" = True ] && break
    sleep 1
  done
  ts "mgr modules enabled: $MGR_ENABLE_MODULES"
fi
# A module's options can only be set once the (respawned) mgr has reported them: retry.
for kv in $MGR_CONFIG; do
  for i in $(seq 1 30); do ceph config set mgr "${kv%%=*}" "${kv#*=}" 2>/dev/null && break; sleep 1; done
  ceph config set mgr "${kv%%=*}" "${kv#*=}"
done
if [ -n "$ORCH_BACKEND" ]; then
  for i in $(seq 1 60); do ceph orch set backend "$ORCH_BACKEND" 2>/dev/null && break; sleep 1; done
  # GOTCHA (Pacific): the orchestrator module's 'orchestrator' option has
  # enum_allowed=[cephadm, rook, test_orchestrator]; `ceph orch set backend other` exits 0 but the mgr
  # only logs "'other' is not one of the permitted values". `config set --force` bypasses the check.
  if ! ceph orch status -f json 2>/dev/null | grep -q "\"backend\": \"$ORCH_BACKEND\""; then
    ceph config set mgr mgr/orchestrator/orchestrator "$ORCH_BACKEND" --force
  fi
  for i in $(seq 1 30); do ceph orch status >/dev/null 2>&1 && break; sleep 1; done
  ts "orch backend: $(ceph orch status 2>&1 | tr '\n' ' ')"
fi

# --- wait (max 60s) until all PGs are active ---------------------------------------------------
for i in $(seq 1 60); do
  ceph pg stat 2>/dev/null | python3 -c 'import sys,re; s=sys.stdin.read(); m=re.match(r"(\d+) pgs: (\d+) active\+clean", s); n=re.match(r"(\d+) pgs", s); sys.exit(0 if (n and n.group(1)=="0") or (m and m.group(1)==m.group(2)) else 1)' && break
  sleep 1
done
ts "pgs: $(ceph pg stat)"
ts "done"
ceph -s
echo "export CEPH_CONF=$CEPH_CONF"
