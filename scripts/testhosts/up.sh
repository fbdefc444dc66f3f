#!/usr/bin/env bash
# up.sh - make N test hosts on this machine for the ssh backend's tests (default 3).
#
# Each host is a network namespace on a private test subnet (a bridge in the root namespace,
# $SUBNET.1/24; host i at $SUBNET.(10+i)), with its own hostname (a UTS namespace) and its own
# /etc/ceph, /var/lib/ceph, /var/log/ceph and /run/ceph (a private mount namespace whose bind
# mounts come from the scratch dir), and an sshd listening on its own address. Commands run
# over SSH inside the host: daemons started there see that host's dirs and address. Nothing
# listens outside the test subnet.
#
# A plain host: an anchor process (`sleep infinity`) holds its namespaces, so sshd can be
# stopped and started again (sshd.sh) in the same host; the machine's /run/systemd is hidden
# from it (a machine that runs systemd must not look like one to the host's orchctl).
#
# A systemd host (TESTHOSTS_SYSTEMD): systemd runs as PID 1 of the host's own PID namespace,
# and sshd is a systemd unit (testhost-sshd.service). It gets its own cgroup, never the
# machine's: a cgroup2 directory ceph-testhost-NETNS made at the root of the machine's cgroup2
# hierarchy (/sys/fs/cgroup on a pure cgroup v2 machine, /sys/fs/cgroup/unified on a hybrid
# one), a cgroup namespace rooted there, and a fresh cgroup2 mount on /sys/fs/cgroup, so
# systemd sees a pure cgroup v2 hierarchy holding only its own subtree (as in a container;
# `container=other`). A machine without cgroup2 cannot have systemd hosts (up.sh says so).
# What it may load is only what is in its own /etc/systemd/system (a per-host dir, bind
# mounted) and its private /run/systemd/system (a tmpfs /run): SYSTEMD_UNIT_PATH leaves out
# the machine's installed units, and no generator runs. It boots testhost.target (sshd plus
# empty stand-ins for sysinit/basic/network-online/multi-user/shutdown.target, the targets a
# normal service unit depends on). /etc/hostname and /etc/machine-id are its own files,
# /proc/sys and /sys are read-only.
#
#   TESTHOSTS_DIR=/tmp/ceph-testhosts   scratch dir (wiped on start; down.sh uses the same default)
#   TESTHOSTS_N=3                       number of hosts
#   TESTHOSTS_LOOP_GB=6                 size of each host's loop device (sparse; 0 = none)
#   TESTHOSTS_SYSTEMD=""                host numbers that boot systemd, e.g. "4"
#   TESTHOSTS_BRIDGE=cephtb0            bridge name
#   TESTHOSTS_SUBNET=10.77.0            the first three octets of the test subnet (a /24)
#   TESTHOSTS_NETNS_PREFIX=cephth-      network namespace names: PREFIX1, PREFIX2, ...
#   TESTHOSTS_VETH_PREFIX=cth           veth names in the root namespace: PREFIX1, PREFIX2, ...
# (Two sets of test hosts can be up at once only with different values of all of these.)
#
# Writes $TESTHOSTS_DIR/hosts.json: [{hostname, addr, netns, loop, systemd}], the client key
# ($TESTHOSTS_DIR/id_ed25519) and known_hosts ($TESTHOSTS_DIR/known_hosts); everything it makes
# is listed in $TESTHOSTS_DIR/state. Needs root, iproute2, openssh-server, util-linux (and
# systemd for systemd hosts). Tear down with down.sh (also after a failed up.sh).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${TESTHOSTS_DIR:-/tmp/ceph-testhosts}
N=${TESTHOSTS_N:-3}
LOOP_GB=${TESTHOSTS_LOOP_GB:-6}
SYSTEMD_HOSTS=" ${TESTHOSTS_SYSTEMD:-} "
BR=${TESTHOSTS_BRIDGE:-cephtb0}
SUBNET_PREFIX=${TESTHOSTS_SUBNET:-10.77.0}
NS_PREFIX=${TESTHOSTS_NETNS_PREFIX:-cephth-}
VETH_PREFIX=${TESTHOSTS_VETH_PREFIX:-cth}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
fail() { echo "up.sh: $*" >&2; exit 1; }

for c in ip unshare nsenter ssh-keygen losetup; do command -v $c >/dev/null || fail "missing $c"; done
[ -x /usr/sbin/sshd ] || fail "missing /usr/sbin/sshd (apt-get install openssh-server)"
[ "$(id -u)" = 0 ] || fail "needs root"
if [ -e "$DIR/state" ]; then fail "$DIR is in use; run down.sh first"; fi
[[ "$SUBNET_PREFIX" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "TESTHOSTS_SUBNET must be three octets, like 10.77.0"
for i in $SYSTEMD_HOSTS; do [[ "$i" =~ ^[0-9]+$ ]] && [ "$i" -ge 1 ] && [ "$i" -le "$N" ] || fail "TESTHOSTS_SYSTEMD: no host $i among 1..$N"; done

# Systemd hosts need: systemd, a cgroup2 hierarchy they can have a subtree of, cgroup
# namespaces, and files of their own to bind over /etc/hostname and /etc/machine-id.
CG2=""
if [ -n "${SYSTEMD_HOSTS// /}" ]; then
  [ -x /lib/systemd/systemd ] || fail "TESTHOSTS_SYSTEMD needs systemd (/lib/systemd/systemd)"
  [ -e /proc/self/ns/cgroup ] || fail "TESTHOSTS_SYSTEMD needs cgroup namespaces (Linux 4.6)"
  if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then CG2=/sys/fs/cgroup                 # pure cgroup v2
  elif [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then CG2=/sys/fs/cgroup/unified  # hybrid
  else fail "TESTHOSTS_SYSTEMD needs a cgroup2 hierarchy (at /sys/fs/cgroup or /sys/fs/cgroup/unified); this machine has only cgroup v1, and systemd must not be given the machine's own v1 hierarchies"
  fi
  for f in /etc/hostname /etc/machine-id; do [ -f "$f" ] || fail "TESTHOSTS_SYSTEMD: $f is missing (a systemd host binds its own file over it)"; done
fi

rm -rf "$DIR"
mkdir -p "$DIR"
touch "$DIR/state"            # down.sh reads what was made from here
mkdir -p /run/sshd            # sshd's privilege separation dir
dirs="/etc/ceph /var/lib/ceph /var/log/ceph /run/ceph"
[ -z "${SYSTEMD_HOSTS// /}" ] || dirs+=" /etc/systemd/system"
for d in $dirs; do
  [ -d "$d" ] || { mkdir -p "$d"; echo "created_dir $d" >> "$DIR/state"; }
done

ssh-keygen -q -t ed25519 -N '' -C ceph-testhosts -f "$DIR/id_ed25519"
: > "$DIR/known_hosts"

ip link add "$BR" type bridge
echo "bridge $BR" >> "$DIR/state"
ip addr add "$SUBNET_PREFIX.1/24" dev "$BR"
ip link set "$BR" up

# A systemd host's units: the sshd, the boot target, and empty stand-ins for the targets
# that a service with default dependencies (and After=/Wants=network-online.target) needs.
systemd_units() {
  local hd=$1 u=$hd/units t
  mkdir -p "$u"
  for t in sysinit basic network network-online multi-user shutdown; do
    printf '[Unit]\nDescription=%s (stand-in on a test host)\n' "$t.target" > "$u/$t.target"
  done
  cat > "$u/testhost.target" <<UNIT
[Unit]
Description=ceph test host
Wants=testhost-sshd.service multi-user.target
UNIT
  cat > "$u/testhost-sshd.service" <<UNIT
[Unit]
Description=sshd of the test host
[Service]
Type=notify
ExecStart=/usr/sbin/sshd -D -f $hd/sshd_config -E $hd/sshd.log
KillMode=process
Restart=no
UNIT
}

json="["
for i in $(seq 1 "$N"); do
  name="cephhost-$i"; ns="$NS_PREFIX$i"; addr="$SUBNET_PREFIX.$((10 + i))"; hd="$DIR/hosts/$name"; veth="$VETH_PREFIX$i"
  sd=false; [[ "$SYSTEMD_HOSTS" == *" $i "* ]] && sd=true
  mkdir -p "$hd"/{etc-ceph,var-lib-ceph,var-log-ceph,run-ceph,disks}
  chown ceph:ceph "$hd"/var-lib-ceph "$hd"/var-log-ceph "$hd"/run-ceph 2>/dev/null || true

  ip netns add "$ns"
  echo "netns $ns" >> "$DIR/state"
  echo "host $name $ns $sd" >> "$DIR/state"
  ip link add "$veth" type veth peer name "$veth-in"
  ip link set "$veth" master "$BR" up
  ip link set "$veth-in" netns "$ns"
  ip -n "$ns" link set "$veth-in" name eth0
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up

  ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$hd/ssh_host_ed25519_key"
  echo "$addr $(cut -d' ' -f1,2 "$hd/ssh_host_ed25519_key.pub")" >> "$DIR/known_hosts"
  # A systemd host's sshd runs in its PID namespace (systemd tracks it): no pid file.
  if $sd; then pidfile=none; else pidfile="$hd/sshd.pid"; fi
  cat > "$hd/sshd_config" <<CFG
Port 22
ListenAddress $addr
HostKey $hd/ssh_host_ed25519_key
PidFile $pidfile
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

  rm -f "$hd/anchor.ready"
  if ! $sd; then
    # The anchor: enters a private mount namespace and a UTS namespace inside the network
    # namespace, bind-mounts the host's dirs, sets its hostname, then holds the namespaces.
    ip netns exec "$ns" unshare --mount --uts --propagation private /bin/bash -c '
      set -e
      hd=$1; name=$2
      mount --bind "$hd/etc-ceph" /etc/ceph
      mount --bind "$hd/var-lib-ceph" /var/lib/ceph
      mount --bind "$hd/var-log-ceph" /var/log/ceph
      mount --bind "$hd/run-ceph" /run/ceph
      if [ -d /run/systemd/system ]; then mount -t tmpfs -o mode=755,size=1m tmpfs /run/systemd; fi
      hostname "$name"
      echo $$ > "$hd/anchor.pid"
      touch "$hd/anchor.ready"
      exec -a ceph-testhost-anchor sleep infinity
    ' anchor "$hd" "$name" </dev/null >"$hd/anchor.log" 2>&1 &
    for _ in $(seq 1 50); do [ -e "$hd/anchor.ready" ] && break; sleep 0.1; done
    [ -e "$hd/anchor.ready" ] || { echo "up.sh: $name: the namespace anchor did not start:" >&2; cat "$hd/anchor.log" >&2; exit 1; }
    echo "anchor $name $(cat "$hd/anchor.pid")" >> "$DIR/state"
    "$HERE/sshd.sh" start "$name"
  else
    mkdir -p "$hd/etc-systemd-system"
    echo "$name" > "$hd/hostname"
    tr -d '-' < /proc/sys/kernel/random/uuid > "$hd/machine-id"
    : > "$hd/console"
    systemd_units "$hd"
    cg="$CG2/ceph-testhost-$ns"
    mkdir "$cg" || fail "$name: cannot make its cgroup $cg"
    echo "cgroup $cg" >> "$DIR/state"
    # Into its cgroup first (the cgroup namespace is rooted where unshare runs), then the
    # namespaces; inside, the mounts, then systemd as PID 1.
    (
      echo "$BASHPID" > "$cg/cgroup.procs"
      exec ip netns exec "$ns" unshare --mount --uts --pid --cgroup --fork --mount-proc --propagation private /bin/bash -c '
        set -e
        hd=$1; name=$2
        mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys
        mount --bind /sys /sys && mount -o remount,bind,ro /sys
        mount -t cgroup2 cgroup2 /sys/fs/cgroup
        mount -t tmpfs -o mode=755,size=64m tmpfs /run
        mkdir -p /run/ceph /run/sshd /run/lock /run/systemd/system /run/testhost/no-generators
        cp "$hd"/units/* /run/systemd/system/
        mount --bind "$hd/run-ceph" /run/ceph
        mount --bind "$hd/etc-ceph" /etc/ceph
        mount --bind "$hd/var-lib-ceph" /var/lib/ceph
        mount --bind "$hd/var-log-ceph" /var/log/ceph
        mount --bind "$hd/etc-systemd-system" /etc/systemd/system
        mount --bind "$hd/hostname" /etc/hostname
        mount --bind "$hd/machine-id" /etc/machine-id
        mount --bind "$hd/console" /dev/console
        hostname "$name"
        touch "$hd/anchor.ready"
        exec env -i container=other PATH=/usr/sbin:/usr/bin:/sbin:/bin \
          SYSTEMD_UNIT_PATH=/etc/systemd/system:/run/systemd/system \
          SYSTEMD_GENERATOR_PATH=/run/testhost/no-generators SYSTEMD_ENVIRONMENT_GENERATOR_PATH=/run/testhost/no-generators \
          /lib/systemd/systemd --system --unit=testhost.target --log-target=console --show-status=no
      ' testhost "$hd" "$name"
    ) </dev/null >"$hd/anchor.log" 2>&1 &
    wrapper=$!
    for _ in $(seq 1 50); do [ -e "$hd/anchor.ready" ] && break; sleep 0.1; done
    [ -e "$hd/anchor.ready" ] || { echo "up.sh: $name: its namespaces were not made:" >&2; cat "$hd/anchor.log" >&2; exit 1; }
    # systemd, as the machine sees it: the child of unshare (which stays as its parent).
    pid=""
    for _ in $(seq 1 50); do
      pid=$(cat "/proc/$wrapper/task/$wrapper/children" 2>/dev/null | awk '{print $1}')
      [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ] && break
      pid=""; sleep 0.1
    done
    [ -n "$pid" ] || { echo "up.sh: $name: systemd did not start:" >&2; cat "$hd/anchor.log" "$hd/console" >&2; exit 1; }
    echo "$pid" > "$hd/anchor.pid"
    echo "anchor $name $pid" >> "$DIR/state"
    echo "systemd $name $pid" >> "$DIR/state"
    state=""
    for _ in $(seq 1 100); do
      state=$(nsenter -t "$pid" -m -p systemctl is-system-running 2>/dev/null) && break
      case "$state" in starting|initializing|"") sleep 0.1 ;; *) break ;; esac
    done
    [ "$state" = running ] || { echo "up.sh: $name: systemd is '$state', not running:" >&2; nsenter -t "$pid" -m -p systemctl --failed --no-pager >&2 || true; cat "$hd/console" >&2; exit 1; }
  fi
  [ "$i" -gt 1 ] && json+=","
  json+="{\"hostname\":\"$name\",\"addr\":\"$addr\",\"netns\":\"$ns\",\"loop\":\"$loop\",\"systemd\":$sd}"
done
json+="]"
echo "$json" > "$DIR/hosts.json"

# Every sshd answers.
for i in $(seq 1 "$N"); do
  addr="$SUBNET_PREFIX.$((10 + i))"; ok=false
  for _ in $(seq 1 50); do
    ssh -i "$DIR/id_ed25519" -o UserKnownHostsFile="$DIR/known_hosts" -o StrictHostKeyChecking=yes \
        -o BatchMode=yes -o ConnectTimeout=2 "root@$addr" true 2>/dev/null && { ok=true; break; }
    sleep 0.1
  done
  $ok || fail "cephhost-$i ($addr) does not answer SSH"
done
echo "test hosts up: $json"
