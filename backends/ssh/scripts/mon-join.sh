#!/bin/bash
# mon-join.sh ID: the store of a mon joining the cluster (from its monmap and mon. key), unless
# it exists. Run by the ssh backend (Remote.script).
ID=$1
D=/var/lib/ceph/mon/ceph-$ID
if [ ! -e "$D/kv_backend" ]; then
  T=$(mktemp -d)
  ceph --connect-timeout 20 mon getmap -o "$T/monmap" 2>/dev/null
  ceph --connect-timeout 20 auth get mon. -o "$T/keyring" 2>/dev/null
  rm -rf "$D"; mkdir -p "$D"
  ceph-mon --mkfs -i "$ID" --monmap "$T/monmap" --keyring "$T/keyring"
  rm -rf "$T"
fi
