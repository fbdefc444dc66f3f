#!/bin/bash
# daemon-keyring.sh ENTITY DIR CAP...: DIR/keyring holds ENTITY's key, created with the caps
# CAP... (pairs: "mon" "allow profile mgr" ...) when the cluster has none for it yet.
# Run by the ssh backend (Remote.script).
ENTITY=$1; DIR=$2; shift 2
mkdir -p "$DIR"
ceph --connect-timeout 20 auth get-or-create "$ENTITY" "$@" -o "$DIR/keyring"
