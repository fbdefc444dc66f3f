#!/usr/bin/env bash
# CI check for the generation toolchain:
#   0. proto/ is `buf format`ted (third_party/ is upstream's and not checked);
#   1. regenerate (scripts/generate.sh: buf lint + buf generate + buf build) and fail if
#      gen/ differs from what is committed (stale or hand-edited generated code);
#   2. the generated Go module vets and builds, and its go.mod/go.sum are tidy;
#   3. every generated Python module imports with Debian's /usr/bin/python3 runtime;
#   4. buf breaking (FILE) against the previous commit, when it exists and has proto/.
# Run scripts/setup.sh once before.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUF="$ROOT/node_modules/.bin/buf"
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

echo "== check-generated: buf breaking against HEAD~1"
if ! git rev-parse --verify --quiet 'HEAD~1^{commit}' >/dev/null; then
  echo "skip: no HEAD~1 (first commit, or a shallow clone: fetch with --depth=2 or more)"
elif [[ -z "$(git ls-tree -d --name-only 'HEAD~1' -- proto)" ]] \
  || ! git ls-tree -r --name-only 'HEAD~1' -- proto | grep -q '\.proto$'; then
  echo "skip: HEAD~1 has no proto/ files to compare against"
elif ! git cat-file -e 'HEAD~1:buf.yaml' 2>/dev/null; then
  echo "skip: HEAD~1 has no buf.yaml (its protos cannot be built as this workspace)"
elif "$BUF" breaking --against '.git#ref=HEAD~1'; then
  echo "ok: no breaking change against HEAD~1"
else
  echo "FAIL: breaking change against HEAD~1 (buf breaking, category FILE)" >&2
  fail=1
fi

if ((fail)); then
  echo "check-generated: FAILED" >&2
  exit 1
fi
echo "check-generated: all checks passed"
