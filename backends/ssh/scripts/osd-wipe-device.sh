#!/bin/bash
# osd-wipe-device.sh ID DEV: after osd.ID's unit is removed, its tmpfs data dir unmounted and
# removed, DEV's labels and first 10 MiB wiped. Run by the ssh backend (Remote.script).
ID=$1; DEV=$2
mountpoint -q "/var/lib/ceph/osd/ceph-$ID" && umount "/var/lib/ceph/osd/ceph-$ID"
rm -rf "/var/lib/ceph/osd/ceph-$ID"
wipefs -a "$DEV" >/dev/null 2>&1 || true
dd if=/dev/zero of="$DEV" bs=1M count=10 conv=fsync status=none
