#!/bin/bash
# mds-prepare.sh ID FS DIR: the file system FS (with its pools) unless it exists, mds.ID's
# keyring in DIR, and mds.ID's mds_join_fs. Run by the ssh backend (Remote.script).
ID=$1; FS=$2; D=$3
C="ceph --connect-timeout 20"
if ! $C fs ls --format json | python3 -c 'import json,sys; sys.exit(0 if any(f["name"]==sys.argv[1] for f in json.load(sys.stdin)) else 1)' "$FS"; then
  $C osd pool create "cephfs.$FS.meta" 8 >/dev/null 2>&1
  $C osd pool create "cephfs.$FS.data" 8 >/dev/null 2>&1
  $C fs new "$FS" "cephfs.$FS.meta" "cephfs.$FS.data" >/dev/null
fi
mkdir -p "$D"
$C auth get-or-create "mds.$ID" mon 'allow profile mds' osd 'allow rw tag cephfs *=*' mds 'allow' mgr 'allow profile mds' -o "$D/keyring"
$C config set "mds.$ID" mds_join_fs "$FS"
