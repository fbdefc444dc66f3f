#!/usr/bin/env bash
# selftest.sh - brings the test hosts up, checks that SSH (with host key checking) reaches
# each one, that each sees its own hostname, address, /etc/ceph, /var/lib/ceph and /run/ceph,
# and that sshd.sh stops and starts one host's sshd in the same host; a systemd host
# (TESTHOSTS_SYSTEMD) runs systemd as its PID 1 in a cgroup subtree of its own; always tears down.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export TESTHOSTS_DIR=${TESTHOSTS_DIR:-/tmp/ceph-testhosts-selftest}
trap '"$HERE/down.sh" >/dev/null' EXIT
"$HERE/up.sh" >/dev/null
D=$TESTHOSTS_DIR
fail() { echo "selftest: FAIL: $*" >&2; exit 1; }
on() { ssh -i "$D/id_ed25519" -o UserKnownHostsFile="$D/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=3 "root@$1" "$2"; }
n=0
addr_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[int(sys.argv[2]) - 1]["addr"])' "$D/hosts.json" "$1"; }
for row in $(python3 -c 'import json,sys; [print(h["hostname"]+","+h["addr"]+","+str(h["systemd"]).lower()) for h in json.load(open(sys.argv[1]))]' "$D/hosts.json"); do
  IFS=, read -r name addr sd <<< "$row"; n=$((n+1))
  [ "$(on "$addr" hostname)" = "$name" ] || fail "$addr does not call itself $name"
  on "$addr" "ip -4 -o addr show eth0" | grep -q " $addr/24 " || fail "$name lacks its address"
  on "$addr" "touch /etc/ceph/own /var/lib/ceph/own /run/ceph/own"
  for d in etc-ceph var-lib-ceph run-ceph; do [ -e "$D/hosts/$name/$d/own" ] || fail "$name's $d is not its own"; done
  [ ! -e /etc/ceph/own ] || fail "$name wrote the machine's /etc/ceph"
  if [ "$sd" = true ]; then
    [ "$(on "$addr" 'systemctl is-system-running; ps -o comm= -p 1; grep "^0::" /proc/self/cgroup')" = "$(printf 'running\nsystemd\n0::/system.slice/testhost-sshd.service')" ] \
      || fail "$name: systemd is not PID 1 running in its own cgroup subtree"
    on "$addr" "touch /etc/systemd/system/own"; [ -e "$D/hosts/$name/etc-systemd-system/own" ] || fail "$name's /etc/systemd/system is not its own"
  else
    on "$addr" '[ ! -d /run/systemd/system ]' || fail "$name sees a systemd"
  fi
done
[ "$n" -ge 3 ] || fail "only $n hosts"
# Host key checking: another host's key is refused.
if ssh -i "$D/id_ed25519" -o UserKnownHostsFile=<(sed -n 2p "$D/known_hosts" | sed "s/^[^ ]*/$(addr_of 1)/") -o StrictHostKeyChecking=yes -o BatchMode=yes "root@$(addr_of 1)" true 2>/dev/null; then
  fail "a wrong host key was accepted"
fi
"$HERE/sshd.sh" stop cephhost-2
if on "$(addr_of 2)" true 2>/dev/null; then fail "cephhost-2 still answers with its sshd stopped"; fi
"$HERE/sshd.sh" start cephhost-2
[ "$(on "$(addr_of 2)" 'hostname; cat /run/ceph/own && echo same-mounts')" = "$(printf 'cephhost-2\nsame-mounts')" ] || fail "restarted sshd is not in cephhost-2's namespaces"
echo "selftest: $n test hosts OK"
