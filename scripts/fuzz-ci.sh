#!/usr/bin/env bash
# The fuzz smoke run that scripts/test (and so CI) runs: every fuzz target for
# SECONDS (default 20) under libFuzzer, starting from its committed corpus, which it
# reads but never changes (new inputs go to a temporary directory, and nothing is
# minimised). A crash fails the run and leaves its input in fuzz/artifacts/<target>/.
# Longer runs that grow and minimise the corpora: scripts/fuzz-smoke.sh. Both are
# described in docs/fuzzing.md.
#
#   bash scripts/fuzz-ci.sh        # 20 s per target (loading the corpus included)
#   bash scripts/fuzz-ci.sh 60     # a minute per target
#
# Installs cargo-fuzz (pinned) when it is missing. cargo-fuzz passes nightly-only
# flags; RUSTC_BOOTSTRAP=1 lets the stable compiler accept them, for the fuzz/
# workspace only (the main workspace never sees it).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"
export CARGO_TERM_COLOR=never

secs="${1:-20}"
CARGO_FUZZ_VERSION=0.13.2

if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  echo "fuzz-ci: installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install --quiet --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

start=$(date +%s)
cargo fuzz build -O >/dev/null 2>&1 || cargo fuzz build -O
echo "fuzz-ci: targets built in $(( $(date +%s) - start )) s"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for t in $(cargo fuzz list); do
  mkdir -p "$scratch/$t" "artifacts/$t"
  log="$scratch/$t.log"
  # The first directory receives new inputs; the committed corpus is only read.
  if cargo fuzz run -O "$t" "$scratch/$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -dict=dicts/dashrisk.dict -print_final_stats=1 >"$log" 2>&1; then
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    echo "fuzz-ci: $t: ${secs} s, ${execs:-?} executions, no crash"
  else
    status=1
    echo "fuzz-ci: $t FAILED (its input is in fuzz/artifacts/$t/):" >&2
    grep -m 8 -E 'panicked at|==ERROR|SUMMARY|Test unit written|error' "$log" >&2 || tail -n 40 "$log" >&2
  fi
done
exit "$status"
