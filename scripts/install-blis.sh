#!/usr/bin/env bash
# The system BLIS library for dashrisk-learn's optional `blas` feature (ndarray's
# products through BLIS instead of pure-Rust matrixmultiply; about twice as fast
# training, see docs/model-card-learn.md). Idempotent: does nothing when the library
# is already there. Installs Debian's single-threaded build, libblis-serial-dev
# (about 7 MB), with apt-get when run as root; otherwise says what to install.
# Exit status 0 when BLIS can be linked afterwards, 1 when not.
set -euo pipefail

have_blis() { ldconfig -p 2>/dev/null | grep -qE '^[[:space:]]+libblis\.so[[:space:]]'; }

if have_blis; then
  echo "install-blis: BLIS is installed"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-blis: BLIS is missing; on Debian or Ubuntu: sudo apt-get install libblis-serial-dev" >&2
  exit 1
fi
echo "install-blis: installing libblis-serial-dev with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends libblis-serial-dev >/dev/null
have_blis || { echo "install-blis: libblis-serial-dev installed but libblis.so not found" >&2; exit 1; }
echo "install-blis: BLIS is installed"
