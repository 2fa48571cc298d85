#!/bin/sh
# Install the Python peers' packages from Debian apt when missing, then say which BLAS torch uses.
#
#   eval/bench/peers/install.sh               python3-numpy python3-torch libopenblas0-pthread
#   eval/bench/peers/install.sh --numpy-only  python3-numpy (enough for fixtures/reference/)
#
# Idempotent and quiet: apt runs only when a package is missing. Needs root (or sudo) for that.
# Everything runs under /usr/bin/python3, Debian's interpreter (a pyenv python3 on PATH does not
# see Debian's packages). Last line of output, for scripts:  blas: <path of the BLAS torch loaded>
# (or "blas: none (numpy only)").
set -eu

PY=/usr/bin/python3
PKGS="python3-numpy python3-torch libopenblas0-pthread"
if [ "${1:-}" = "--numpy-only" ]; then PKGS="python3-numpy"; fi

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
      echo "install.sh: need root to install:$missing" >&2
      exit 1
    fi
  fi
  echo "install.sh: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ "${1:-}" = "--numpy-only" ]; then
  "$PY" -c 'import numpy; print("numpy", numpy.__version__)'
  echo "blas: none (numpy only)"
  exit 0
fi

# Which BLAS torch really loads: run a matmul and read the shared objects mapped into the process.
"$PY" - <<'EOF'
import numpy, torch
a = torch.randn(256, 256)
_ = a @ a
libs = sorted({l.split()[-1] for l in open("/proc/self/maps")
               if any(s in l for s in ("blas", "lapack", "mkl", "libgomp", "dnnl"))})
blas = [l for l in libs if "blas" in l.rsplit("/", 1)[-1] or "mkl" in l]
print("numpy", numpy.__version__, "torch", torch.__version__)
for l in libs:
    print("  loaded", l)
print("blas:", blas[-1] if blas else "none found")
EOF
