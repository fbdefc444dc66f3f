#!/bin/bash
# osd-prepare-dir.sh DIR WANT SIZE: a BlueStore OSD on a sparse block file of SIZE bytes in DIR
# (osd.WANT, or a new id when WANT is -1) unless DIR holds one; prints its id. Its uuid and
# secret are kept in DIR first, so that a repeated run makes the same OSD.
# Run by the ssh backend (Remote.script).
DIR=$1; WANT=$2; SIZE=$3
mkdir -p "$DIR"
if [ -e "$DIR/whoami" ] && [ -e "$DIR/keyring" ]; then cat "$DIR/whoami"; exit 0; fi
[ -s "$DIR/orch-osd-uuid" ] || cat /proc/sys/kernel/random/uuid > "$DIR/orch-osd-uuid"
[ -s "$DIR/orch-osd-secret" ] || (umask 077; ceph-authtool --gen-print-key > "$DIR/orch-osd-secret")
UUID=$(cat "$DIR/orch-osd-uuid"); SECRET=$(cat "$DIR/orch-osd-secret")
(umask 077; printf '{"cephx_secret": "%s"}' "$SECRET" > "$DIR/orch-osd-new.json")
if [ "$WANT" -ge 0 ]; then ID=$(ceph --connect-timeout 20 osd new "$UUID" "$WANT" -i "$DIR/orch-osd-new.json")
else ID=$(ceph --connect-timeout 20 osd new "$UUID" -i "$DIR/orch-osd-new.json"); fi
rm -f "$DIR/orch-osd-new.json"
ceph-osd -i "$ID" --mkfs --key "$SECRET" --osd-uuid "$UUID" --osd-data "$DIR" --osd-objectstore bluestore \
  --bluestore-block-create true --bluestore-block-size "$SIZE" --bluestore-block-db-create false --bluestore-block-wal-create false >&2
printf '[osd.%s]\n\tkey = %s\n' "$ID" "$SECRET" > "$DIR/keyring"; chmod 600 "$DIR/keyring"
echo "$ID"
