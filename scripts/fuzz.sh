#!/usr/bin/env bash
# Fuzzes every RPC (test/fuzz/fuzz.test.ts): `npm run fuzz` runs 10,000 cases,
# `npm run fuzz -- 50000` (or FUZZ_RUNS=50000 npm run fuzz) as many as asked, and
# FUZZ_SEED=<seed> replays a run whose failure printed that seed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ $# -gt 0 ]]; then
  [[ "$1" =~ ^[0-9]+$ ]] || { echo "usage: npm run fuzz -- [number of cases]" >&2; exit 2; }
  export FUZZ_RUNS="$1"
  shift
fi
export FUZZ_RUNS="${FUZZ_RUNS:-10000}"
exec npx vitest run --config vitest.fuzz.config.ts "$@"
