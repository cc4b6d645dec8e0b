#!/usr/bin/env bash
# Fuzz every target (or the ones named) for SECONDS each, one at a time, starting
# from its committed corpus; print one Markdown table row per target for
# docs/fuzzing.md. Not part of scripts/test: CI replays the corpora on stable instead
# (crates/dashrisk-fuzz/tests/replay.rs). See docs/fuzzing.md.
#
#   bash scripts/fuzz-smoke.sh               # every target, 20 s each
#   bash scripts/fuzz-smoke.sh 600 csv_input # one target, 10 minutes
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz passes nightly-only
# flags (-Zsanitizer=address); on a stable toolchain RUSTC_BOOTSTRAP=1 lets the
# stable compiler accept them, for this build only (the main workspace never sees
# it). A crash leaves the input in fuzz/artifacts/<target>/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"
export CARGO_TERM_COLOR=never

secs="${1:-20}"
shift || true
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build -O >/dev/null
logs="${FUZZ_LOGS:-$(mktemp -d)}"
mkdir -p "$logs"
status=0
echo "| target | seconds | execs | exec/s | corpus before → after run → after cmin | crashes |"
echo "| --- | --- | --- | --- | --- | --- |"
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  before=$(find "corpus/$t" -type f | wc -l)
  crashes_before=$(find "artifacts/$t" -type f | wc -l)
  log="$logs/$t.log"
  # -jobs=1: one worker process (two cores are shared with other work); its output
  # goes to fuzz-0.log, moved to the log directory.
  if ! cargo fuzz run -O "$t" "corpus/$t" -- \
      -jobs=1 -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -dict=dicts/dashrisk.dict -print_final_stats=1 >"$log.driver" 2>&1; then
    status=1
  fi
  if [ -f fuzz-0.log ]; then mv fuzz-0.log "$log"; else cp "$log.driver" "$log"; fi
  after=$(find "corpus/$t" -type f | wc -l)
  cargo fuzz cmin -O "$t" "corpus/$t" >"$log.cmin" 2>&1 || true
  minimised=$(find "corpus/$t" -type f | wc -l)
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  crashes=$(( $(find "artifacts/$t" -type f | wc -l) - crashes_before ))
  if [ "$crashes" -gt 0 ] || grep -qE '^==[0-9]+==ERROR|panicked at' "$log"; then status=1; fi
  echo "| $t | $secs | ${execs:-?} | ${rate:-?} | $before → $after → $minimised | $crashes |"
done
echo "logs: $logs" >&2
exit "$status"
