#!/usr/bin/env python3
"""dashrisk against the Python stack, on the same data, in one run; prints ratios.

1. **DASH count and bands, end to end.** pandas reads the CSV, counts the "yes"
   answers of q1-q27, bands them (standard < 10, medium 10-13, high >= 14) and
   writes a CSV. dashrisk does a whole assessment of every row
   (`dashrisk assess FILE --out OUT`: parsing, the safety rules, the estimate,
   pathways, reason codes, CSV out, on every core). dashrisk does far more per row.
2. **The comparison model's predictions.** scikit-learn's LogisticRegression
   (`predict_proba`, on a feature matrix already made: featurisation not timed) and
   dashrisk-learn (`LogisticModel::probability`, featurising each record from its
   answers: featurisation timed), each trained on the same records: one row (the
   median of many calls) and the whole file. For the whole file, dashrisk-learn is
   also timed like for like: `FittedLogistic::predict_proba` on the same feature
   matrix, made first and not timed.

The data are synthetic (`dashrisk synth`, seed 2009): NOT real data. Timings on a
shared two-core machine are noisy: run it twice. Not run in CI.

From the repository root, after `bash scripts/setup` (release binary, .venv):

    .venv/bin/python benches/compare_python.py [--n 1000000]

Prints each time and the ratio (the Python time divided by dashrisk's: above 1,
dashrisk is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / "target" / "release" / "dashrisk"


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def pandas_dash(src: Path, out: Path) -> float:
    t = time.perf_counter()
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    q = [f"q{i}" for i in range(1, 28)]
    count = (df[q] == "yes").sum(axis=1)
    band = np.where(count >= 14, "high", np.where(count >= 10, "medium", "standard"))
    pd.DataFrame({"id": df["id"], "yes_count": count, "risk_level": band}).to_csv(out, index=False)
    return time.perf_counter() - t


def timed(*args: str) -> float:
    t = time.perf_counter()
    run(*args)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--predict-n", type=int, default=100_000)
    args = ap.parse_args()
    # Built every time (nothing to do when up to date): an old binary would time
    # old code.
    run("cargo", "build", "--release", "--locked", "-p", "dashrisk-cli")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"pandas {pd.__version__}, numpy {np.__version__}")
    print("data: SYNTHETIC (dashrisk synth, seed 2009), not real data\n")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        data = d / "synth.csv"
        run(str(CLI), "synth", "--n", str(args.n), "--seed", "2009", "--out", str(data))
        size = data.stat().st_size / 1e6

        py = pandas_dash(data, d / "pandas.csv")
        rs = timed(str(CLI), "assess", str(data), "--out", str(d / "dashrisk.csv"))
        print(f"1. {args.n:,} rows ({size:.0f} MB CSV), read -> per-row work -> CSV written")
        print(f"   pandas, DASH count and bands:        {py:8.2f} s  ({args.n / py:>10,.0f} rows/s)")
        print(f"   dashrisk assess, whole assessment:   {rs:8.2f} s  ({args.n / rs:>10,.0f} rows/s)")
        print(f"   ratio pandas / dashrisk:             {py / rs:8.2f}\n")

        # 2. Predictions, on the first predict-n records.
        small = d / "small.csv"
        with open(data, encoding="utf-8") as f, open(small, "w", encoding="utf-8") as g:
            for i, line in enumerate(f):
                if i > args.predict_n:
                    break
                g.write(line)
        feats = d / "features.csv"
        featurise = ROOT / "target" / "release" / "examples" / "featurise"
        timing = ROOT / "target" / "release" / "examples" / "predict_timing"
        # Always built: cargo does nothing when they are up to date, and an old
        # binary would time old code.
        run("cargo", "build", "--release", "--locked", "-p", "dashrisk-learn",
            "--example", "featurise", "--example", "predict_timing")
        run(str(featurise), str(small), str(feats), "label_abuse")
        table = pd.read_csv(feats)
        y = table.pop("label_abuse").to_numpy()
        x = np.ascontiguousarray(table.to_numpy(dtype=np.float64))
        model = LogisticRegression(C=1.0, max_iter=5000).fit(x, y)
        row = x[:1]
        for _ in range(200):
            model.predict_proba(row)
        one = []
        for i in range(2000):
            r = x[i % len(x)][None, :]
            t = time.perf_counter()
            model.predict_proba(r)
            one.append(time.perf_counter() - t)
        sk_one = float(np.median(one))
        t = time.perf_counter()
        model.predict_proba(x)
        sk_batch = time.perf_counter() - t
        out = subprocess.run([str(timing), str(small), "label_abuse"], check=True,
                             capture_output=True, text=True).stdout
        rust = json.loads(out)
        n = rust["n"]
        print(f"2. the comparison model, {n:,} records ({x.shape[1]} features)")
        print(f"   one row: scikit-learn predict_proba  {sk_one * 1e6:8.2f} us")
        print(f"            dashrisk-learn probability  {rust['one_row_s'] * 1e6:8.2f} us (featurising included)")
        print(f"            ratio                       {sk_one / rust['one_row_s']:8.2f}")
        print(f"   batch:   scikit-learn predict_proba  {sk_batch:8.3f} s (features already made)")
        print(f"            dashrisk-learn predict_proba{rust['matrix_s']:8.3f} s (features already made)")
        print(f"            ratio                       {sk_batch / rust['matrix_s']:8.2f}")
        print(f"            dashrisk-learn probability  {rust['batch_s']:8.3f} s (featurising included)")
        print(f"            ratio                       {sk_batch / rust['batch_s']:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
