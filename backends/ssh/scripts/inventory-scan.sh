#!/bin/bash
# Inventory of a host, three lines of JSON: ceph-volume inventory, ceph-volume raw list, lsblk.
# Run by the ssh backend (Remote.script): bash -s on stdin after set -euo pipefail and PATH.
export CEPH_VOLUME_ALLOW_LOOP_DEVICES=true
# One line each (raw list pretty-prints).
inv=$(ceph-volume inventory --format json 2>/dev/null | tr -d '\n')
raw=$( (ceph-volume raw list --format json 2>/dev/null || echo '{}') | tr -d '\n')
blk=$(lsblk -bdJ -o PATH,SIZE,ROTA 2>/dev/null || echo '{}')
printf '%s\n%s\n%s\n' "$inv" "$raw" "$(echo "$blk" | tr -d '\n')"
