#!/usr/bin/env bash
# Python package set-up, idempotent and from a fresh clone:
#   1. a virtualenv at .venv (repo root), made with `python3 -m venv` if missing;
#   2. pinned tools in it (maturin, pytest, pandas, mypy, and numpy, scipy and
#      scikit-learn for the comparisons of dashrisk-learn against scikit-learn:
#      crates/dashrisk-learn/tests/reference/*.py, benches/learn_vs_sklearn.py),
#      from PyPI with pip;
#   3. the package built from python/ (crates/dashrisk-py) and installed editable.
#
# Why `maturin develop` rather than `pip install ./python`: on 2 cores the compile
# dominates, and `maturin develop` builds in the workspace's own target/ with no
# isolated build environment, so it reuses what cargo already built (the dashrisk
# crate and its dependencies) and rebuilds incrementally; the install is editable
# (python/dashrisk is imported in place), so Python-only edits need no rebuild.
# `pip install ./python` would first make a fresh build environment (a maturin
# download on every run) and then build and copy a wheel.
#
# DASHRISK_PY_PROFILE picks the Cargo profile: `release` (the default: fast for
# notebooks, and it shares the release build of scripts/setup) or `dev` (what
# scripts/python-test.sh uses: it compiles faster and reuses `cargo test`'s build).
# PYTHON picks the interpreter used to make the venv (default python3, >= 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Pins checked to install on this machine's Python 3.11 (maturin >= 1.9.4 is needed
# for pyo3 0.30 without the deprecated `extension-module` feature).
MATURIN=maturin==1.16.0
PYTEST=pytest==9.2.0
PANDAS=pandas==3.1.1
MYPY=mypy==2.4.1
# The versions that wrote crates/dashrisk-learn/tests/reference/reference.json.
NUMPY=numpy==2.4.6
SCIPY=scipy==1.17.1
SKLEARN=scikit-learn==1.9.1
# For the Hypothesis tests and the executed notebook (python/tests/test_hostile.py,
# test_notebook.py).
HYPOTHESIS=hypothesis==6.170.17
NOTEBOOK=(nbclient==0.11.0 nbformat==5.11.1 ipykernel==7.4.0 matplotlib==3.11.2)
# Arrow frames (assess_frame, python/tests/test_arrow_frames.py): pandas exports
# Arrow through pyarrow; polars is the other frame library researchers use.
FRAMES=(pyarrow==22.0.0 polars==1.35.2)

python=${PYTHON:-python3}
profile=${DASHRISK_PY_PROFILE:-release}
case "$profile" in
  release) profile_args=(--release) ;;
  dev) profile_args=() ;;
  *) echo "python-setup: DASHRISK_PY_PROFILE must be release or dev, not '$profile'" >&2; exit 2 ;;
esac

command -v cargo >/dev/null || { echo "python-setup: cargo (Rust >= 1.88) is required" >&2; exit 1; }

too_old='import sys; sys.exit(sys.version_info < (3, 11))'
if [ -x .venv/bin/python ] && ! .venv/bin/python -c "$too_old" 2>/dev/null; then
  echo "python-setup: .venv has a Python older than 3.11 (or a broken one); remaking it"
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  command -v "$python" >/dev/null || { echo "python-setup: $python (>= 3.11) is required" >&2; exit 1; }
  "$python" -c "$too_old" || { echo "python-setup: $python is older than 3.11" >&2; exit 1; }
  echo "== creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi

echo "== tools in .venv: $MATURIN $PYTEST $PANDAS $MYPY $NUMPY $SCIPY $SKLEARN $HYPOTHESIS ${NOTEBOOK[*]} ${FRAMES[*]}"
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  "$MATURIN" "$PYTEST" "$PANDAS" "$MYPY" "$NUMPY" "$SCIPY" "$SKLEARN" "$HYPOTHESIS" "${NOTEBOOK[@]}" "${FRAMES[@]}"

echo "== building and installing the dashrisk package ($profile)"
(
  cd python
  VIRTUAL_ENV="$root/.venv" PATH="$root/.venv/bin:$PATH" \
    maturin develop --locked "${profile_args[@]}"
)
.venv/bin/python -c 'import dashrisk; print(f"dashrisk {dashrisk.__version__} ({dashrisk.SCORER_VERSION}) installed in .venv")'
