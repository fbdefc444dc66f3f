#!/bin/bash
# osd-data-remove.sh ID: after osd.ID's unit is removed, its tmpfs data dir unmounted and
# removed. Run by the ssh backend (Remote.script).
ID=$1
mountpoint -q "/var/lib/ceph/osd/ceph-$ID" && umount "/var/lib/ceph/osd/ceph-$ID"
rm -rf "/var/lib/ceph/osd/ceph-$ID"
