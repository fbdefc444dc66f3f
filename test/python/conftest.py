"""pytest configuration for the Python tests: run with `/usr/bin/python3 -m pytest test/python`.

Puts gen/python (the generated stubs' import root, see gen/python/README.md) first on
sys.path, so `from ceph_orchestrator.v1 import inventory_pb2` and `from google.rpc import
error_details_pb2` work without pip, with Debian's python3-protobuf.
"""

import os
import sys

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GEN_PYTHON = os.path.join(REPO_ROOT, "gen", "python")

if GEN_PYTHON not in sys.path:
    sys.path.insert(0, GEN_PYTHON)
