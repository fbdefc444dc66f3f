#!/usr/bin/env bash
# Shared test vectors (test/vectors/README.md): messages encoded by TypeScript must decode in
# Python and Go, and Python's and Go's encodings must decode in TypeScript. Four steps, in
# this order, stopping at the first failure (exit status non-zero):
#   1. TS      test/vectors/data/ is what ts-proto encodes now, and decodes back
#   2. Python  decodes data/, compares with the JSON, writes test/vectors/out/python/*.bin
#   3. Go      the same with proto/protojson, writes test/vectors/out/go/*.bin
#   4. TS      decodes out/python and out/go (VECTORS_CROSS=1) and compares with the cases
# out/ is deleted first, so step 4 never reads files from an earlier run.
# Run scripts/setup.sh once before. Python is Debian's /usr/bin/python3 (python3-protobuf).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VITEST="$ROOT/node_modules/.bin/vitest"
PYTHON="${PYTHON:-/usr/bin/python3}"
export PYTHONDONTWRITEBYTECODE=1 # keep gen/python free of __pycache__

[[ -x "$VITEST" ]] || { echo "test-vectors: $VITEST is missing; run scripts/setup.sh" >&2; exit 1; }

step() { printf '\n== test-vectors: %s\n' "$*"; }

rm -rf test/vectors/out

step "1/4 TypeScript: committed vectors match ts-proto's encoding"
"$VITEST" run test/vectors/vectors.test.ts

step "2/4 Python ($("$PYTHON" -c 'import google.protobuf as p; print("protobuf", p.__version__)'))"
"$PYTHON" -m pytest -p no:cacheprovider -q test/python/test_vectors.py

step "3/4 Go"
(cd test/go && go vet ./... && go test -count=1 -run '^TestVector' ./...)

step "4/4 TypeScript: decode what Python and Go encoded"
VECTORS_CROSS=1 "$VITEST" run test/vectors/vectors.test.ts

step "all steps passed"
