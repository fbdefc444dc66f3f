#!/usr/bin/env bash
# down.sh - tear down the test hosts made by up.sh; idempotent, also after a failed up.sh.
# Kills only the processes inside the test hosts' network namespaces (`ip netns pids`: the
# anchors, the sshds and every daemon started over SSH), Ceph daemons first, then detaches
# the loop devices up.sh attached (checked by their backing file), deletes the namespaces and
# the bridge, and removes the scratch dir. Mounts made inside a host vanish with its processes.
set -uo pipefail
DIR=${TESTHOSTS_DIR:-/tmp/ceph-testhosts}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
[ -f "$DIR/state" ] || { echo "down.sh: nothing in $DIR"; rm -rf "$DIR"; exit 0; }

namespaces=$(awk '$1=="netns"{print $2}' "$DIR/state")
pids_of() { for ns in $namespaces; do ip netns pids "$ns" 2>/dev/null; done; }
comm_of() { cat "/proc/$1/comm" 2>/dev/null; }
# Ceph daemons first, gently (they still reach each other), then everything else.
for round in ceph all; do
  victims=()
  for p in $(pids_of); do
    c=$(comm_of "$p")
    case "$round:$c" in ceph:ceph-*|ceph:radosgw|ceph:msgr-*|all:*) victims+=("$p");; esac
  done
  [ ${#victims[@]} -gt 0 ] || continue
  kill -TERM "${victims[@]}" 2>/dev/null
  for _ in $(seq 1 100); do
    alive=0; for p in "${victims[@]}"; do [ -d "/proc/$p" ] && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  for p in "${victims[@]}"; do [ -d "/proc/$p" ] && kill -KILL "$p" 2>/dev/null; done
done
for _ in $(seq 1 50); do [ -z "$(pids_of)" ] && break; sleep 0.1; done
left=$(pids_of); [ -z "$left" ] || { echo "down.sh: still running in the test hosts: $left" >&2; kill -KILL $left 2>/dev/null; sleep 0.5; }

while read -r kind dev file; do
  [ "$kind" = loop ] || continue
  back=$(losetup -n -O BACK-FILE "$dev" 2>/dev/null | sed 's/ *$//')
  if [ "$back" = "$file" ]; then losetup -d "$dev" && echo "detached $dev"; fi
done < "$DIR/state"
for ns in $namespaces; do ip netns del "$ns" 2>/dev/null && echo "deleted netns $ns"; done
for br in $(awk '$1=="bridge"{print $2}' "$DIR/state"); do ip link del "$br" 2>/dev/null && echo "deleted bridge $br"; done
for d in $(awk '$1=="created_dir"{print $2}' "$DIR/state" | sort -r); do rmdir "$d" 2>/dev/null; done
rm -rf "$DIR"
echo "test hosts down"
