#!/usr/bin/env bash
# selftest.sh - brings the test hosts up, checks that SSH (with host key checking) reaches
# each one, that each sees its own hostname, address, /etc/ceph, /var/lib/ceph and /run/ceph,
# and that sshd.sh stops and starts one host's sshd in the same host; always tears down.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export TESTHOSTS_DIR=${TESTHOSTS_DIR:-/tmp/ceph-testhosts-selftest}
trap '"$HERE/down.sh" >/dev/null' EXIT
"$HERE/up.sh" >/dev/null
D=$TESTHOSTS_DIR
fail() { echo "selftest: FAIL: $*" >&2; exit 1; }
on() { ssh -i "$D/id_ed25519" -o UserKnownHostsFile="$D/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=3 "root@$1" "$2"; }
n=0
for row in $(python3 -c 'import json,sys; [print(h["hostname"]+","+h["addr"]) for h in json.load(open(sys.argv[1]))]' "$D/hosts.json"); do
  name=${row%,*}; addr=${row#*,}; n=$((n+1))
  [ "$(on "$addr" hostname)" = "$name" ] || fail "$addr does not call itself $name"
  on "$addr" "ip -4 -o addr show eth0" | grep -q " $addr/24 " || fail "$name lacks its address"
  on "$addr" "touch /etc/ceph/own /var/lib/ceph/own /run/ceph/own"
  for d in etc-ceph var-lib-ceph run-ceph; do [ -e "$D/hosts/$name/$d/own" ] || fail "$name's $d is not its own"; done
  [ ! -e /etc/ceph/own ] || fail "$name wrote the machine's /etc/ceph"
done
[ "$n" -ge 3 ] || fail "only $n hosts"
# Host key checking: another host's key is refused.
if ssh -i "$D/id_ed25519" -o UserKnownHostsFile=<(sed -n 2p "$D/known_hosts" | sed "s/^[^ ]*/10.77.0.11/") -o StrictHostKeyChecking=yes -o BatchMode=yes root@10.77.0.11 true 2>/dev/null; then
  fail "a wrong host key was accepted"
fi
"$HERE/sshd.sh" stop cephhost-2
if on 10.77.0.12 true 2>/dev/null; then fail "cephhost-2 still answers with its sshd stopped"; fi
"$HERE/sshd.sh" start cephhost-2
[ "$(on 10.77.0.12 'hostname; cat /run/ceph/own && echo same-mounts')" = "$(printf 'cephhost-2\nsame-mounts')" ] || fail "restarted sshd is not in cephhost-2's namespaces"
echo "selftest: $n test hosts OK"
