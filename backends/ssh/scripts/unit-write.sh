#!/bin/bash
# unit-write.sh NAME RUN META: writes orchctl's unit NAME (its .run script RUN, and META
# when the unit is new, so that it keeps its creation time). Run by the ssh backend (Remote.script).
U=/var/lib/ceph/orch/units; mkdir -p "$U"
printf '%s\n' "$2" > "$U/$1.run.tmp" && mv "$U/$1.run.tmp" "$U/$1.run"
[ -e "$U/$1.meta" ] || printf '%s\n' "$3" > "$U/$1.meta"
