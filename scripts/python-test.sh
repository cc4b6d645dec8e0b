#!/usr/bin/env bash
# Python package tests, idempotent and from a fresh clone: set up .venv and build the
# package (scripts/python-setup.sh, dev profile), build the CLI for the parity tests,
# check the stubs against the compiled module (mypy.stubtest), type-check the Python
# sources, install the browser for the page tests (scripts/browser-setup.sh), run
# pytest (warnings are errors; see python/pyproject.toml), and compare
# dashrisk-learn's held-out AUC with scikit-learn's
# (crates/dashrisk-learn/tests/reference/heldout_vs_sklearn.py, in the same .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$SECONDS
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

# The dev profile compiles in about half the time of release on 2 cores and, after
# `cargo test --workspace` (scripts/test), reuses its build of the core crate and the
# CLI; the tests run in seconds either way.
DASHRISK_PY_PROFILE=${DASHRISK_PY_PROFILE:-dev} bash scripts/python-setup.sh
t_setup=$((SECONDS - start))

# The CLI for the parity tests (python/tests/test_cli_parity.py). A caller that has
# just built it (scripts/test, after `cargo test --workspace`) can pass
# DASHRISK_CLI=target/debug/dashrisk and save a rebuild: `cargo build -p
# dashrisk-cli` alone unifies features differently from a workspace build, so it
# recompiles much of the dependency tree.
echo "== dashrisk CLI for the parity tests"
if [ -n "${DASHRISK_CLI:-}" ]; then
  echo "using DASHRISK_CLI=$DASHRISK_CLI"
elif [ "${DASHRISK_PY_PROFILE:-dev}" = release ]; then
  cargo build --locked --release -p dashrisk-cli
  export DASHRISK_CLI="$root/target/release/dashrisk"
else
  cargo build --locked -p dashrisk-cli
  export DASHRISK_CLI="$root/target/debug/dashrisk"
fi

# The web app for its page tests (python/tests/test_serve_browser.py), likewise.
if [ -n "${DASHRISK_SERVE:-}" ]; then
  echo "using DASHRISK_SERVE=$DASHRISK_SERVE"
elif [ "${DASHRISK_PY_PROFILE:-dev}" = release ]; then
  cargo build --locked --release -p dashrisk-serve
  export DASHRISK_SERVE="$root/target/release/dashrisk-serve"
else
  cargo build --locked -p dashrisk-serve
  export DASHRISK_SERVE="$root/target/debug/dashrisk-serve"
fi

# Chromium, Playwright and axe-core for the page tests (python/tests/test_*_browser.py).
bash scripts/browser-setup.sh

echo "== stubtest: python/dashrisk/_native.pyi against the compiled module"
.venv/bin/python -m mypy.stubtest dashrisk._native

echo "== mypy --strict on the package sources"
(cd python && ../.venv/bin/python -m mypy --strict dashrisk)

echo "== pytest"
(cd python && ../.venv/bin/python -m pytest)

# The featuriser for the held-out comparison, likewise: scripts/test passes the one
# `cargo test --workspace` built (examples are built by `cargo test`).
echo "== held-out AUC of dashrisk-learn against scikit-learn"
if [ -n "${DASHRISK_FEATURISE:-}" ]; then
  echo "using DASHRISK_FEATURISE=$DASHRISK_FEATURISE"
elif [ "${DASHRISK_PY_PROFILE:-dev}" = release ]; then
  cargo build --locked --release -p dashrisk-learn --example featurise
  export DASHRISK_FEATURISE="$root/target/release/examples/featurise"
else
  cargo build --locked -p dashrisk-learn --example featurise
  export DASHRISK_FEATURISE="$root/target/debug/examples/featurise"
fi
t_heldout=$SECONDS
.venv/bin/python crates/dashrisk-learn/tests/reference/heldout_vs_sklearn.py
echo "held-out comparison: $((SECONDS - t_heldout)) s"

echo "python-test: done in $((SECONDS - start)) s (set-up and build ${t_setup} s)"
