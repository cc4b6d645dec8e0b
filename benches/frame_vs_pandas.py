"""assess_frame against pandas on the same frame, in one run: prints the times and
the ratio (pandas ÷ dashrisk; above 1 means dashrisk is faster).

pandas computes only the DASH yes-count and its bands (standard, medium, high);
assess_frame makes the whole assessment of every row (classification, p_abuse,
grade, MARAC criteria, notifications, pathways, reason codes), without the reason
sentences. Data: SYNTHETIC records from dashrisk.synth (not real data).

    .venv/bin/python benches/frame_vs_pandas.py --n 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd

import dashrisk


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = dashrisk.synth(min(args.n, 100_000), random_state=1, as_frame=True)
    reps = -(-args.n // len(base))
    df = pd.concat([base] * reps, ignore_index=True).head(args.n)
    q = [f"q{i}" for i in range(1, 28)]
    print(f"{len(df):,} SYNTHETIC rows, {df.shape[1]} columns; answers as {df['q1'].dtype}; "
          f"{os.cpu_count()} cores")

    def pandas_count() -> object:
        count = (df[q] == "yes").sum(axis=1)
        return np.where(count >= 14, "high", np.where(count >= 10, "medium", "standard"))

    def ours() -> object:
        return dashrisk.assess_frame(df)

    times = {}
    for name, fn in [("pandas: DASH count and bands", pandas_count), ("dashrisk.assess_frame: whole assessment", ours)]:
        fn()  # warm up
        before = peak_mb()
        best = min(_timed(fn) for _ in range(args.repeat))
        times[name] = best
        print(f"{name:45s} {best:8.3f} s   peak RSS {peak_mb():.0f} MB (was {before:.0f} MB)")
    p, d = times.values()
    print(f"ratio pandas ÷ dashrisk: {p / d:.2f} (target ≥ 5, aim 10)")
    floor(df, p, args.repeat)


def floor(df: pd.DataFrame, pandas_time: float, repeat: int) -> None:
    """What assess_frame spends outside the scorer, which no faster scorer removes:
    pandas' columns handed to Arrow, and the finished Arrow result made a pandas
    frame (ordered categorical, list columns, nullable dtypes), each timed alone."""
    import pyarrow as pa

    from dashrisk import _arrow, _native

    read = _native.read_columns([str(c) for c in df.columns])

    def to_arrow() -> object:
        return pa.Table.from_pandas(df[read], preserve_index=False)

    to_arrow()
    t_in = min(_timed(to_arrow) for _ in range(repeat))
    t_out = []
    for _ in range(repeat):
        table, _ = _native.assess_arrow(dashrisk.Scorer(), _arrow._Stream(to_arrow()), False)
        t = time.perf_counter()
        out = _arrow._to_pandas(table, df)
        t_out.append(time.perf_counter() - t)
    budget = pandas_time / 5
    both = t_in + min(t_out)
    size = int(out.memory_usage(deep=False).sum())
    print(f"outside the scorer: pandas to Arrow {t_in:.3f} s, the result to pandas {min(t_out):.3f} s "
          f"({size / 1e6:.0f} MB); together {both:.3f} s, "
          f"{both / budget:.1f} × the {budget:.3f} s that 5 × pandas allows")

    # Writing that many bytes into new memory, as any result must be written: numpy's
    # fill (one thread, huge pages where the kernel gives them), a lower bound.
    def write() -> object:
        return np.ones(size, dtype=np.uint8)

    write()
    t_write = min(_timed(write) for _ in range(repeat))
    least = both + t_write / 2  # as if two threads halved it
    print(f"writing {size / 1e6:.0f} MB of new memory: {t_write:.3f} s on one thread; with the "
          f"conversions, at least {least:.3f} s even for a scorer that takes no time: "
          f"a ratio of at most {pandas_time / least:.1f} on this machine")

    # Reading the input's bytes once (numpy's sum over as many bytes as the Arrow
    # columns hold), and the bound with no conversion cost at all but handing the
    # columns to Arrow: reading the input and writing the result, each halved as if
    # two threads shared it.
    in_size = int(to_arrow().nbytes)
    data = np.ones(in_size // 8, dtype=np.uint64)  # read 8 bytes at a time
    t_read = min(_timed(lambda: data.sum()) for _ in range(repeat))
    ideal = t_in + t_read / 2 + t_write / 2
    print(f"reading {in_size / 1e6:.0f} MB of input: {t_read:.3f} s on one thread; reading the input "
          f"and writing the result alone, {ideal:.3f} s: a ratio of at most "
          f"{pandas_time / ideal:.1f} even if the result cost nothing to hand to pandas")


def _timed(fn: object) -> float:
    t = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
