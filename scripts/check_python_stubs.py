#!/usr/bin/env python3
"""Import every generated Python module under gen/python with the current interpreter.

Run with Debian's /usr/bin/python3 (python3-protobuf 4.21.12, python3-grpcio 1.51.1) and
with any venv holding newer PyPI protobuf/grpcio to check the runtime range. Python
warnings are errors here, so a runtime/gencode version warning fails the check too.
Usage: check_python_stubs.py [--without-ceph] [GEN_PYTHON_DIR]
"""
import importlib
import pathlib
import sys
import warnings


def main() -> int:
    args = sys.argv[1:]
    with_ceph = "--without-ceph" not in args
    args = [a for a in args if a != "--without-ceph"]
    root = pathlib.Path(args[0] if args else
                        pathlib.Path(__file__).resolve().parent.parent / "gen" / "python")
    root = root.resolve()
    sys.path.insert(0, str(root))
    warnings.simplefilter("error")
    import google.protobuf
    import grpc
    # Ceph's own regular package `ceph` (python3-ceph-common) is on every machine that runs
    # Ceph; our stubs must import beside it (why the proto package is not `ceph.*`).
    if with_ceph:
        import ceph.deployment.drive_group  # noqa: F401
    print(f"python {sys.version.split()[0]}, protobuf {google.protobuf.__version__}, "
          f"grpcio {grpc.__version__}")
    names = sorted(
        ".".join(p.relative_to(root).with_suffix("").parts)
        for p in root.rglob("*_pb2*.py")
    )
    if not names:
        print(f"no generated modules under {root}", file=sys.stderr)
        return 1
    failed = 0
    for name in names:
        try:
            mod = importlib.import_module(name)
            where = pathlib.Path(mod.__file__).resolve()
            if root not in where.parents:
                # e.g. google.rpc from googleapis-common-protos; fine, but say so
                print(f"  {name}: imported from {where} (not gen/python)")
        except Exception as exc:  # noqa: BLE001 - report every failure
            failed += 1
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
