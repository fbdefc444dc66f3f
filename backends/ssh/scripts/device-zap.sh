#!/bin/bash
# device-zap.sh DEV: erases DEV as `ceph-volume lvm zap --destroy` does: its LVM volume groups
# and physical volume go, then its signatures and first 10 MiB (a raw OSD's label). Refuses a
# device that is mounted. Run by the ssh backend (Remote.script).
DEV=$1
[ -b "$DEV" ] || { echo "$DEV is not a block device" >&2; exit 1; }
if findmnt -rno SOURCE | grep -qx "$DEV\(p\?[0-9]*\)\?"; then echo "$DEV (or a partition of it) is mounted" >&2; exit 1; fi
for vg in $(pvs --noheadings -o vg_name "$DEV" 2>/dev/null); do vgremove -f -y "$vg" >&2; done
pvremove -f -y "$DEV" >/dev/null 2>&1 || true
wipefs -a "$DEV" >/dev/null 2>&1 || true
dd if=/dev/zero of="$DEV" bs=1M count=10 conv=fsync status=none
