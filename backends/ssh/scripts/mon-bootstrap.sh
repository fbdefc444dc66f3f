#!/bin/bash
# mon-bootstrap.sh ID ADDR FSID: a new cluster's keyrings (mon., client.admin,
# client.bootstrap-osd), its monmap and its first mon's store, unless that store exists.
# Run by the ssh backend (Remote.script).
ID=$1; ADDR=$2; FSID=$3
D=/var/lib/ceph/mon/ceph-$ID
mkdir -p /var/lib/ceph/bootstrap-osd /var/log/ceph /run/ceph
if [ ! -e "$D/kv_backend" ]; then
  T=$(mktemp -d)
  ceph-authtool --create-keyring "$T/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring /etc/ceph/ceph.client.admin.keyring --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool --create-keyring /var/lib/ceph/bootstrap-osd/ceph.keyring --gen-key -n client.bootstrap-osd \
    --cap mon 'profile bootstrap-osd' --cap mgr 'allow r' >/dev/null
  ceph-authtool "$T/mon.keyring" --import-keyring /etc/ceph/ceph.client.admin.keyring >/dev/null
  ceph-authtool "$T/mon.keyring" --import-keyring /var/lib/ceph/bootstrap-osd/ceph.keyring >/dev/null
  chmod 600 /etc/ceph/ceph.client.admin.keyring /var/lib/ceph/bootstrap-osd/ceph.keyring
  monmaptool --create --clobber --fsid "$FSID" --addv "$ID" "[v2:$ADDR:3300,v1:$ADDR:6789]" "$T/monmap" >/dev/null
  rm -rf "$D"; mkdir -p "$D"
  ceph-mon --mkfs -i "$ID" --monmap "$T/monmap" --keyring "$T/mon.keyring"
  rm -rf "$T"
fi
