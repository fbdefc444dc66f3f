#!/usr/bin/env bash
# The Python stubs must also work with the current protobuf and grpcio from PyPI, not only
# with Debian's (what ceph-mgr runs with). A venv with pinned current releases imports every
# generated module and runs the shared test vectors.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PROTOBUF_VERSION=7.36.2
GRPCIO_VERSION=1.85.3
VENV="$ROOT/.tools/venv-pypi"
PY="${PYTHON_FOR_VENV:-python3}"

if ! "$VENV/bin/python" -c "import google.protobuf, grpc, pytest; assert google.protobuf.__version__ == '$PROTOBUF_VERSION' and grpc.__version__ == '$GRPCIO_VERSION'" 2>/dev/null; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "protobuf==$PROTOBUF_VERSION" "grpcio==$GRPCIO_VERSION" pytest
fi
"$VENV/bin/python" scripts/check_python_stubs.py --without-ceph
"$VENV/bin/python" -m pytest -q -p no:cacheprovider test/python/test_vectors.py
