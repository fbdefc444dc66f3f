#!/usr/bin/env bash
# Idempotent setup of everything this project needs on a fresh Debian 12 machine that has
# only node/npm, go and git. Safe to re-run: every step checks first and skips when done.
#   1. Debian packages (apt-get update only when something is missing)   -- needs root
#   2. npm ci            (only when node_modules is missing or stale vs package-lock.json)
#   3. pinned Go protoc plugins into .tools/bin (GOBIN), from the Go module proxy
#   4. go mod download   for the generated Go module gen/go (everything go.sum pins)
# Non-interactive (DEBIAN_FRONTEND=noninteractive); usable in CI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# --- Pinned versions / package lists: edit here -------------------------------------------
# Debian 12 packages. Add yours to this list (one place, keep the reason).
DEB_PACKAGES=(
  protobuf-compiler        # /usr/bin/protoc 3.21.12: buf's protoc_builtin python + pyi
  protobuf-compiler-grpc   # /usr/bin/grpc_python_plugin 1.51.1
  python3-protobuf         # Python runtime for generated stubs (4.21.12)
  python3-grpcio           # Python gRPC runtime (1.51.1)
  python3-h2               # pure-Python HTTP/2 gRPC client (ceph-mgr cannot use grpcio)
  python3-pytest           # Python tests
  python3-yaml             # YAML config/fixtures in Python tests
  python3-venv python3-pip # Python client: venvs (mypy; pip install test) and pip with setuptools+wheel
  python3-ceph-common      # Ceph's own `ceph` Python package: the stubs must import beside it
  ceph-mon                 # scripts/test-mgr.sh: a real Ceph 16.2 mon ...
  ceph-mgr                 #   ... and mgr, serving `ceph orch` through mgr/orchestrator_grpc
  ceph-mgr-modules-core    #   the mgr's Python modules (orchestrator CLI, progress)
  ceph-mgr-dashboard       #   test/mgr: get_feature_set as the dashboard reads it (/ui-api/orchestrator/status)
  ceph-common              #   the ceph CLI, ceph-authtool, monmaptool
  ceph-osd                 #   scripts/ceph-lab/ceph-up.sh checks for ceph-osd (OSDs are optional)
  uuid-runtime             #   uuidgen, for the lab cluster's fsid
  openssl                  # the security tests make their test certificates with the openssl CLI
  openssh-server           # scripts/testhosts: an sshd per test host (the ssh backend's tests)
  openssh-client           #   ssh, ssh-keygen, ssh-keyscan
  iproute2                 #   ip netns, bridge and veth for the test hosts
  ceph-mds                 #   the ssh backend deploys MDS daemons (CephFS) ...
  radosgw                  #   ... and RGW daemons (S3)
  udev                     #   udevadm, which `ceph-volume inventory` needs
)
PROTOC_GEN_GO_VERSION=v1.36.12      # google.golang.org/protobuf/cmd/protoc-gen-go
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2   # google.golang.org/grpc/cmd/protoc-gen-go-grpc
GRPCURL_VERSION=v1.9.3              # github.com/fullstorydev/grpcurl: README walk-through and client tests
GHZ_VERSION=v0.120.0                # github.com/bojand/ghz: npm run bench (the read path under load)
TOOLS_BIN="$ROOT/.tools/bin"
# ------------------------------------------------------------------------------------------

export DEBIAN_FRONTEND=noninteractive
step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    %s\n' "$*"; }

for cmd in node npm go git; do
  command -v "$cmd" >/dev/null || { echo "setup: '$cmd' is required but not on PATH" >&2; exit 1; }
done

# 1. Debian packages ---------------------------------------------------------------------
step "Debian packages: ${DEB_PACKAGES[*]}"
missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} == 0)); then
  ok "all installed"
else
  ok "missing: ${missing[*]}"
  SUDO=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=(sudo -E)
  fi
  ok "apt-get update"
  "${SUDO[@]}" apt-get update -q
  ok "apt-get install -y --no-install-recommends ${missing[*]}"
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# 2. npm ---------------------------------------------------------------------------------
step "npm dependencies (package-lock.json)"
stamp="node_modules/.setup-package-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -d node_modules && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  ok "node_modules matches package-lock.json; skipping npm ci"
else
  ok "npm ci"
  npm ci --no-audit --no-fund
  printf '%s\n' "$want" > "$stamp"
fi

# 3. Go protoc plugins -------------------------------------------------------------------
step "Go tools (protoc plugins, grpcurl, ghz) into ${TOOLS_BIN#"$ROOT"/}"
mkdir -p "$TOOLS_BIN"
install_go_tool() { # <binary> <module path@version>: the binary's recorded module version must match
  local bin="$1" pkg="$2" have=""
  local want="${pkg##*@}"
  if [[ -x "$TOOLS_BIN/$bin" ]]; then have="$(go version -m "$TOOLS_BIN/$bin" 2>/dev/null | awk '$1 == "mod" {print $3}')"; fi
  if [[ "$have" == "$want" ]]; then
    ok "$bin $have (already installed)"
  else
    ok "go install $pkg${have:+ (had: $have)}"
    GOBIN="$TOOLS_BIN" go install "$pkg"
    have="$(go version -m "$TOOLS_BIN/$bin" | awk '$1 == "mod" {print $3}')"
    [[ "$have" == "$want" ]] || { echo "setup: $bin is $have, expected $want" >&2; exit 1; }
    ok "$bin $have"
  fi
}
install_go_tool protoc-gen-go "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
install_go_tool protoc-gen-go-grpc "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"
install_go_tool grpcurl "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION"
install_go_tool ghz "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION"

# 4. Go module of the generated code ------------------------------------------------------
# Every module zip that gen/go/go.sum pins: what `go build`/`go vet` need plus what
# `go mod tidy -diff` (scripts/check-generated.sh) loads for its dependencies' tests, so the
# checks later run without the module proxy.
step "go mod download (gen/go: the modules pinned in go.sum)"
(
  cd gen/go
  mapfile -t mods < <(awk '$2 !~ /\/go\.mod$/ {print $1 "@" $2}' go.sum | sort -u)
  go mod download "${mods[@]}"
  ok "${#mods[@]} modules in $(go env GOMODCACHE)"
)

step "setup complete. Next: npm run generate  (scripts/generate.sh)"
