"""Where the module finds the Python client and the generated stubs.

The module directory is normally a symlink from ceph-mgr's module path into a checkout of
this repository, so the real path of this file leads to the checkout: ``clients/python``
(the ``ceph_orchestrator_client`` package) and ``gen/python`` (``ceph_orchestrator.v1``
and ``google.rpc``) are put first on this sub-interpreter's ``sys.path``. A deployment
that installed both packages with pip needs nothing; ``ORCHESTRATOR_GRPC_PYTHONPATH``
(colon-separated) adds other directories.

Protobuf runs with its pure-Python implementation: ceph-mgr runs every module in a Python
sub-interpreter, and the pure-Python implementation holds no C-level state that could be
shared between interpreters. (``setdefault``: an operator can still choose another.)
"""

import os
import sys

MODULE_DIR = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(MODULE_DIR))


def candidate_paths() -> list:
    extra = [p for p in os.environ.get('ORCHESTRATOR_GRPC_PYTHONPATH', '').split(':') if p]
    return extra + [os.path.join(REPO_ROOT, 'clients', 'python'), os.path.join(REPO_ROOT, 'gen', 'python')]


def setup() -> None:
    os.environ.setdefault('PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION', 'python')
    for path in reversed(candidate_paths()):
        if os.path.isdir(path) and path not in sys.path:
            sys.path.insert(0, path)
