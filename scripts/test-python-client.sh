#!/usr/bin/env bash
# Checks the Python client (clients/python), in about a minute:
#   1. mypy --strict on clients/python/ceph_orchestrator_client (gen/python on MYPYPATH: the
#      generated *_pb2.pyi give the message types);
#   2. pytest test/python/client with Debian's /usr/bin/python3 (python3-protobuf 4.21,
#      python3-grpcio 1.51, python3-h2 4.1: what ceph-mgr runs with). The tests start their
#      own servers (npx tsx src/main.ts, sim backend) on free loopback ports and stop them;
#   3. the same client tests with current protobuf, grpcio and h2 from PyPI.
# Exits non-zero when any step fails. Extra arguments go to both pytest runs (e.g. -x, -k).
#
# Steps 1 and 3 use a venv (.tools/venv-python-client) with the pinned versions below, made
# on the first run from PyPI (the only registry, with Debian's, that CI reaches) and reused
# after. Not Debian's mypy: Debian 12's mypy 1.0.1 would run, but no Debian package carries
# the protobuf stubs (python3-typeshed lists google-stubs/protobuf yet does not ship it), so
# every message type would be Any and --strict would check little.
# Needs scripts/setup.sh first (python3-venv, python3-pytest, python3-h2, python3-grpcio, node).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY=/usr/bin/python3
MYPY_VERSION=1.19.1
TYPES_PROTOBUF_VERSION=4.21.0.7        # the stubs of Debian's protobuf 4.21
TYPES_GRPCIO_VERSION=1.0.0.20251009
PYPI_PROTOBUF_VERSION=7.36.2           # as scripts/check-python-pypi.sh
PYPI_GRPCIO_VERSION=1.85.3
PYPI_H2_VERSION=4.4.1
PYTEST_VERSION=9.2.0
VENV="$ROOT/.tools/venv-python-client"

step() { printf '\n=== %s\n' "$*"; }

want=(
  "mypy==$MYPY_VERSION" "types-protobuf==$TYPES_PROTOBUF_VERSION" "types-grpcio==$TYPES_GRPCIO_VERSION"
  "protobuf==$PYPI_PROTOBUF_VERSION" "grpcio==$PYPI_GRPCIO_VERSION" "h2==$PYPI_H2_VERSION" "pytest==$PYTEST_VERSION"
)
stamp="$VENV/.requirements"
if [[ ! -x "$VENV/bin/mypy" || ! -f "$stamp" || "$(cat "$stamp")" != "${want[*]}" ]]; then
  step "venv $VENV: ${want[*]}"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${want[@]}"
  printf '%s' "${want[*]}" > "$stamp"
fi

step "mypy --strict clients/python/ceph_orchestrator_client (mypy $MYPY_VERSION)"
MYPYPATH="$ROOT/gen/python" "$VENV/bin/mypy" --config-file clients/python/mypy.ini \
  --cache-dir "$VENV/mypy-cache" clients/python/ceph_orchestrator_client

step "pytest test/python/client with $PY (Debian's protobuf, grpcio, h2)"
"$PY" -m pytest -p no:cacheprovider -q test/python/client "$@"

step "pytest test/python/client with protobuf $PYPI_PROTOBUF_VERSION, grpcio $PYPI_GRPCIO_VERSION, h2 $PYPI_H2_VERSION (PyPI)"
"$VENV/bin/python" -m pytest -p no:cacheprovider -q \
  test/python/client/test_units.py test/python/client/test_wire.py test/python/client/test_client.py \
  test/python/client/test_security.py "$@"
