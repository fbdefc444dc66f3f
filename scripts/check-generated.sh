#!/usr/bin/env bash
# CI check for the generation toolchain:
#   0. proto/ is `buf format`ted (third_party/ is upstream's and not checked);
#   1. regenerate (scripts/generate.sh: buf lint + buf generate + buf build) and fail if
#      gen/ differs from what is committed (stale or hand-edited generated code);
#   2. the generated Go module vets and builds, and its go.mod/go.sum are tidy;
#   3. every generated Python module imports with Debian's /usr/bin/python3 runtime;
#   4. buf breaking (FILE) against the released contract, proto/baseline/ceph_orchestrator_v1.binpb
#      (committed, so every clone has it, shallow ones too): the image of proto/ as released,
#      taken at package version 0.1.0. Rebuild it only at a release that deliberately breaks
#      the contract: node_modules/.bin/buf build proto --exclude-source-info -o "$BASELINE"
# Run scripts/setup.sh once before.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUF="$ROOT/node_modules/.bin/buf"
BASELINE=proto/baseline/ceph_orchestrator_v1.binpb
fail=0

echo "== check-generated: buf format (proto/)"
if "$BUF" format --diff --exit-code proto; then
  echo "ok: proto/ is buf-formatted"
else
  echo "FAIL: proto/ is not formatted; run: node_modules/.bin/buf format -w proto" >&2
  fail=1
fi

echo "== check-generated: regenerate"
scripts/generate.sh

echo "== check-generated: gen/ is up to date"
if [[ -n "$(git status --porcelain -- gen)" ]]; then
  echo "FAIL: gen/ is stale or was edited by hand. Run 'npm run generate' and commit the result:" >&2
  git status --porcelain -- gen >&2
  git --no-pager diff --stat -- gen >&2 || true
  fail=1
else
  echo "ok: gen/ matches the committed tree"
fi

echo "== check-generated: Go module gen/go"
if find gen/go -name '*.go' -print -quit | grep -q .; then
  if (cd gen/go && go mod tidy -diff && go vet ./... && go build ./...); then
    echo "ok: go mod tidy -diff, go vet, go build"
  else
    echo "FAIL: gen/go does not build/vet, or go.mod/go.sum are not tidy (diff above)" >&2
    fail=1
  fi
else
  echo "skip: no generated Go code yet"
fi

echo "== check-generated: Python stubs import with Debian's runtime"
if /usr/bin/python3 scripts/check_python_stubs.py gen/python; then
  echo "ok: python stubs import"
else
  echo "FAIL: generated Python stubs do not import with /usr/bin/python3" >&2
  fail=1
fi
# The imports above may leave __pycache__ under gen/python (git-ignored); drop them anyway.
find gen/python -name __pycache__ -type d -prune -exec rm -rf {} +

echo "== check-generated: buf breaking against the released contract ($BASELINE)"
if [[ ! -f "$BASELINE" ]]; then
  echo "FAIL: $BASELINE is missing (the image of the released contract to compare against)" >&2
  fail=1
elif "$BUF" breaking proto --against "$BASELINE"; then
  echo "ok: no breaking change against $BASELINE"
else
  echo "FAIL: breaking change against the released contract $BASELINE (buf breaking, category FILE)" >&2
  fail=1
fi

if ((fail)); then
  echo "check-generated: FAILED" >&2
  exit 1
fi
echo "check-generated: all checks passed"
