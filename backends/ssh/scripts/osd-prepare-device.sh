#!/bin/bash
# osd-prepare-device.sh DEV WANT: the raw BlueStore OSD on DEV (osd.WANT, or a new id when WANT
# is -1) unless DEV holds one, activated; prints its id. Run by the ssh backend (Remote.script).
DEV=$1; WANT=$2
export CEPH_VOLUME_ALLOW_LOOP_DEVICES=true
osd_of() { ceph-volume raw list "$DEV" --format json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(next(iter(d.values()))["osd_id"] if d else "")'; }
ID=$(osd_of)
if [ -z "$ID" ]; then
  if [ "$WANT" -ge 0 ]; then ceph-volume raw prepare --bluestore --data "$DEV" --osd-id "$WANT" >&2
  else ceph-volume raw prepare --bluestore --data "$DEV" >&2; fi
  ID=$(osd_of)
fi
[ -n "$ID" ] || { echo "ceph-volume raw prepare made no OSD on $DEV" >&2; exit 1; }
if [ ! -e "/var/lib/ceph/osd/ceph-$ID/keyring" ]; then ceph-volume raw activate --device "$DEV" --no-systemd >&2; fi
echo "$ID"
