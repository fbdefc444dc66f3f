#!/usr/bin/env bash
# up.sh - make N test hosts on this machine for the ssh backend's tests (default 3).
#
# Each host is a network namespace on a private test subnet (a bridge in the root namespace,
# 10.77.0.1/24; host i at 10.77.0.(10+i)), with its own hostname (a UTS namespace) and its own
# /etc/ceph, /var/lib/ceph, /var/log/ceph and /run/ceph (a private mount namespace whose bind
# mounts come from the scratch dir), and an sshd listening on its own address. An anchor
# process (`sleep infinity`) holds each host's namespaces, so sshd can be stopped and started
# again (sshd.sh) in the same host. Commands run over SSH inside the host: daemons started there
# see that host's dirs and address. Nothing listens outside the test subnet.
#
#   TESTHOSTS_DIR=/tmp/ceph-testhosts   scratch dir (wiped on start; down.sh uses the same default)
#   TESTHOSTS_N=3                       number of hosts
#   TESTHOSTS_LOOP_GB=6                 size of each host's loop device (sparse; 0 = none)
#
# Writes $TESTHOSTS_DIR/hosts.json: [{hostname, addr, netns, loop}], the client key
# ($TESTHOSTS_DIR/id_ed25519) and known_hosts ($TESTHOSTS_DIR/known_hosts). Needs root,
# iproute2, openssh-server, util-linux. Tear down with down.sh (also after a failed up.sh).
# One set of test hosts at a time: the bridge and namespace names are fixed.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${TESTHOSTS_DIR:-/tmp/ceph-testhosts}
N=${TESTHOSTS_N:-3}
LOOP_GB=${TESTHOSTS_LOOP_GB:-6}
BR=cephtb0
SUBNET_PREFIX=10.77.0
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

for c in ip unshare nsenter ssh-keygen losetup; do command -v $c >/dev/null || { echo "up.sh: missing $c" >&2; exit 1; }; done
[ -x /usr/sbin/sshd ] || { echo "up.sh: missing /usr/sbin/sshd (apt-get install openssh-server)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "up.sh: needs root" >&2; exit 1; }
if [ -e "$DIR/state" ]; then echo "up.sh: $DIR is in use; run down.sh first" >&2; exit 1; fi

rm -rf "$DIR"
mkdir -p "$DIR"
touch "$DIR/state"            # down.sh reads what was made from here
mkdir -p /run/sshd            # sshd's privilege separation dir
for d in /etc/ceph /var/lib/ceph /var/log/ceph /run/ceph; do
  [ -d "$d" ] || { mkdir -p "$d"; echo "created_dir $d" >> "$DIR/state"; }
done

ssh-keygen -q -t ed25519 -N '' -C ceph-testhosts -f "$DIR/id_ed25519"
: > "$DIR/known_hosts"

ip link add "$BR" type bridge
echo "bridge $BR" >> "$DIR/state"
ip addr add "$SUBNET_PREFIX.1/24" dev "$BR"
ip link set "$BR" up

json="["
for i in $(seq 1 "$N"); do
  name="cephhost-$i"; ns="cephth-$i"; addr="$SUBNET_PREFIX.$((10 + i))"; hd="$DIR/hosts/$name"
  mkdir -p "$hd"/{etc-ceph,var-lib-ceph,var-log-ceph,run-ceph,disks}
  chown ceph:ceph "$hd"/var-lib-ceph "$hd"/var-log-ceph "$hd"/run-ceph 2>/dev/null || true

  ip netns add "$ns"
  echo "netns $ns" >> "$DIR/state"
  ip link add "cth$i" type veth peer name "cth$i-in"
  ip link set "cth$i" master "$BR" up
  ip link set "cth$i-in" netns "$ns"
  ip -n "$ns" link set "cth$i-in" name eth0
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up

  ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$hd/ssh_host_ed25519_key"
  echo "$addr $(cut -d' ' -f1,2 "$hd/ssh_host_ed25519_key.pub")" >> "$DIR/known_hosts"
  cat > "$hd/sshd_config" <<CFG
Port 22
ListenAddress $addr
HostKey $hd/ssh_host_ed25519_key
PidFile $hd/sshd.pid
AuthorizedKeysFile $DIR/id_ed25519.pub
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
MaxSessions 64
MaxStartups 64:30:128
ClientAliveInterval 15
Subsystem sftp internal-sftp
CFG

  # The host's loop device (its "disk"): a sparse file in its scratch dir.
  loop=""
  if [ "$LOOP_GB" -gt 0 ]; then
    truncate -s "${LOOP_GB}G" "$hd/disks/disk0.img"
    loop=$(losetup -f --show "$hd/disks/disk0.img")
    echo "loop $loop $hd/disks/disk0.img" >> "$DIR/state"
  fi

  # The anchor: enters a private mount namespace and a UTS namespace inside the network
  # namespace, bind-mounts the host's dirs, sets its hostname, then holds the namespaces.
  rm -f "$hd/anchor.ready"
  ip netns exec "$ns" unshare --mount --uts --propagation private /bin/bash -c '
    set -e
    hd=$1; name=$2
    mount --bind "$hd/etc-ceph" /etc/ceph
    mount --bind "$hd/var-lib-ceph" /var/lib/ceph
    mount --bind "$hd/var-log-ceph" /var/log/ceph
    mount --bind "$hd/run-ceph" /run/ceph
    hostname "$name"
    echo $$ > "$hd/anchor.pid"
    touch "$hd/anchor.ready"
    exec -a ceph-testhost-anchor sleep infinity
  ' anchor "$hd" "$name" </dev/null >"$hd/anchor.log" 2>&1 &
  for _ in $(seq 1 50); do [ -e "$hd/anchor.ready" ] && break; sleep 0.1; done
  [ -e "$hd/anchor.ready" ] || { echo "up.sh: $name: the namespace anchor did not start:" >&2; cat "$hd/anchor.log" >&2; exit 1; }
  echo "anchor $name $(cat "$hd/anchor.pid")" >> "$DIR/state"

  "$HERE/sshd.sh" start "$name"
  [ "$i" -gt 1 ] && json+=","
  json+="{\"hostname\":\"$name\",\"addr\":\"$addr\",\"netns\":\"$ns\",\"loop\":\"$loop\"}"
done
json+="]"
echo "$json" > "$DIR/hosts.json"

# Every sshd answers, and its host sees its own /etc/ceph.
for i in $(seq 1 "$N"); do
  addr="$SUBNET_PREFIX.$((10 + i))"
  for _ in $(seq 1 50); do
    ssh -i "$DIR/id_ed25519" -o UserKnownHostsFile="$DIR/known_hosts" -o StrictHostKeyChecking=yes \
        -o BatchMode=yes -o ConnectTimeout=2 "root@$addr" true 2>/dev/null && break
    sleep 0.1
  done
done
echo "test hosts up: $json"
