#!/usr/bin/env bash
# down.sh - tear down the test hosts made by up.sh; idempotent, also after a failed up.sh.
# Works only from $TESTHOSTS_DIR/state (what up.sh made). Kills only the processes inside the
# test hosts' network namespaces (`ip netns pids`: the anchors, the sshds, every daemon started
# over SSH, and a systemd host's whole PID namespace), Ceph daemons first, then each systemd
# host's systemd (PID 1 of its namespace: the kernel kills everything left in it), then the
# rest; then removes the cgroups up.sh made (after killing what is left in them through
# cgroup.kill: only those, named ceph-testhost-*), detaches the loop devices up.sh attached
# (checked by their backing file), deletes the namespaces and the bridge, and removes the
# scratch dir. Mounts made inside a host vanish with its processes.
set -uo pipefail
DIR=${TESTHOSTS_DIR:-/tmp/ceph-testhosts}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
[ -f "$DIR/state" ] || { echo "down.sh: nothing in $DIR"; rm -rf "$DIR"; exit 0; }

namespaces=$(awk '$1=="netns"{print $2}' "$DIR/state")
pids_of() { for ns in $namespaces; do ip netns pids "$ns" 2>/dev/null; done; }
comm_of() { cat "/proc/$1/comm" 2>/dev/null; }
wait_gone() { local p alive; for _ in $(seq 1 100); do alive=0; for p in "$@"; do [ -d "/proc/$p" ] && alive=1; done; [ $alive = 0 ] && return 0; sleep 0.1; done; return 1; }
# Ceph daemons first, gently (they still reach each other), then everything else.
for round in ceph systemd all; do
  victims=()
  if [ $round = systemd ]; then
    for p in $(awk '$1=="systemd"{print $3}' "$DIR/state"); do [ "$(comm_of "$p")" = systemd ] && victims+=("$p"); done
    [ ${#victims[@]} -gt 0 ] || continue
    kill -KILL "${victims[@]}" 2>/dev/null; wait_gone "${victims[@]}"
    continue
  fi
  for p in $(pids_of); do
    c=$(comm_of "$p")
    case "$round:$c" in ceph:ceph-*|ceph:radosgw|ceph:msgr-*|all:*) victims+=("$p");; esac
  done
  [ ${#victims[@]} -gt 0 ] || continue
  kill -TERM "${victims[@]}" 2>/dev/null
  wait_gone "${victims[@]}"
  for p in "${victims[@]}"; do [ -d "/proc/$p" ] && kill -KILL "$p" 2>/dev/null; done
done
for _ in $(seq 1 50); do [ -z "$(pids_of)" ] && break; sleep 0.1; done
left=$(pids_of); [ -z "$left" ] || { echo "down.sh: still running in the test hosts: $left" >&2; kill -KILL $left 2>/dev/null; sleep 0.5; }

# The systemd hosts' cgroups: only the ones up.sh made, and only if named as up.sh names them.
for cg in $(awk '$1=="cgroup"{print $2}' "$DIR/state"); do
  [[ "$cg" =~ ^/sys/fs/cgroup(/unified)?/ceph-testhost-[A-Za-z0-9_-]+$ ]] || { echo "down.sh: not touching $cg (not a test host's cgroup)" >&2; continue; }
  [ -d "$cg" ] || continue
  [ -e "$cg/cgroup.kill" ] && echo 1 > "$cg/cgroup.kill" 2>/dev/null
  for _ in $(seq 1 50); do [ -z "$(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] && break; sleep 0.1; done
  find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
  if [ -d "$cg" ]; then echo "down.sh: could not remove the cgroup $cg (processes left: $(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | tr '\n' ' '))" >&2
  else echo "removed cgroup $cg"; fi
done

while read -r kind dev file; do
  [ "$kind" = loop ] || continue
  back=$(losetup -n -O BACK-FILE "$dev" 2>/dev/null | sed 's/ *$//')
  if [ "$back" = "$file" ]; then losetup -d "$dev" && echo "detached $dev"; fi
done < "$DIR/state"
for ns in $namespaces; do ip netns del "$ns" 2>/dev/null && echo "deleted netns $ns"; done
for br in $(awk '$1=="bridge"{print $2}' "$DIR/state"); do ip link del "$br" 2>/dev/null && echo "deleted bridge $br"; done
# A dir up.sh made stays while another set of test hosts mounts something on it.
for d in $(awk '$1=="created_dir"{print $2}' "$DIR/state" | sort -r); do
  if cat /proc/[0-9]*/mountinfo 2>/dev/null | awk '{print $5}' | grep -qxF "$d"; then echo "down.sh: leaving $d (a mount point elsewhere)"; continue; fi
  rmdir "$d" 2>/dev/null
done
rm -rf "$DIR"
echo "test hosts down"
