#!/usr/bin/env python3
"""Held-out AUC of `dashrisk train` against scikit-learn on the same features and split.

A synthetic population from a seed used nowhere else (8675309) is split 70/30 by
record order (the generator's records are independent, so this is a random split).
dashrisk-learn is trained and applied through the command line (`dashrisk train`,
`dashrisk predict`); scikit-learn's LogisticRegression (C = 1, lbfgs, default tol) is
fitted on the matrix that dashrisk-learn's featuriser writes
(`cargo run --example featurise`). For each outcome the two held-out ROC AUCs must
agree within 0.005.

CI runs it from scripts/python-test.sh, in the repository's .venv (pinned numpy,
scipy and scikit-learn from scripts/python-setup.sh), with the binaries that
`cargo test --workspace` has just built: DASHRISK_CLI (the `dashrisk` command) and
DASHRISK_FEATURISE (the `featurise` example) name them. Without those variables it
builds both itself (release profile). By hand, from the repository root:
    .venv/bin/python crates/dashrisk-learn/tests/reference/heldout_vs_sklearn.py
Exit status 0 when every comparison is within tolerance, 1 otherwise.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SEED = 8675309
N = 20_000
TOLERANCE = 0.005
LABELS = ("label_abuse", "label_serious_harm")


def cargo(*args):
    subprocess.run(["cargo", *args], cwd=ROOT, check=True)


def target_dir():
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return json.loads(meta.stdout)["target_directory"]


def split(path, train_path, test_path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    cut = int(len(body) * 0.7)
    for out, part in ((train_path, body[:cut]), (test_path, body[cut:])):
        with open(out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(part)


def load_features(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    k = len(header) - len(LABELS)
    x = np.array([[float(v) for v in r[:k]] for r in body])
    ys = {lab: np.array([int(r[k + i]) for r in body]) for i, lab in enumerate(LABELS)}
    return x, ys


def binaries():
    """The `dashrisk` command and the `featurise` example: as named by DASHRISK_CLI
    and DASHRISK_FEATURISE, or built here (release)."""
    dashrisk, featurise = os.environ.get("DASHRISK_CLI"), os.environ.get("DASHRISK_FEATURISE")
    if dashrisk is None:
        cargo("build", "--release", "-q", "--locked", "-p", "dashrisk-cli")
        dashrisk = os.path.join(target_dir(), "release", "dashrisk")
    if featurise is None:
        cargo("build", "--release", "-q", "--locked", "-p", "dashrisk-learn", "--example", "featurise")
        featurise = os.path.join(target_dir(), "release", "examples", "featurise")
    for path in (dashrisk, featurise):
        if not os.access(path, os.X_OK):
            sys.exit(f"heldout_vs_sklearn: {path} is not an executable")
    return dashrisk, featurise


def main():
    dashrisk, featurise = binaries()

    failures = 0
    with tempfile.TemporaryDirectory() as d:
        pop, train, test = (os.path.join(d, f) for f in ("pop.csv", "train.csv", "test.csv"))
        subprocess.run([dashrisk, "synth", "--n", str(N), "--seed", str(SEED), "--out", pop],
                       check=True, stderr=subprocess.DEVNULL)
        split(pop, train, test)
        ftrain, ftest = os.path.join(d, "ftrain.csv"), os.path.join(d, "ftest.csv")
        subprocess.run([featurise, train, ftrain, *LABELS], check=True)
        subprocess.run([featurise, test, ftest, *LABELS], check=True)
        x_tr, y_tr = load_features(ftrain)
        x_te, y_te = load_features(ftest)

        for label in LABELS:
            model = os.path.join(d, f"{label}.json")
            subprocess.run(
                [dashrisk, "train", "--data", train, "--label", label, "--out", model],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            out = subprocess.run([dashrisk, "predict", "--model", model, "--top", "0", test],
                                 check=True, capture_output=True, text=True)
            p_rust = np.array([json.loads(line)["probability"] for line in out.stdout.splitlines()])
            sk = LogisticRegression(C=1.0, max_iter=1000).fit(x_tr, y_tr[label])
            p_sk = sk.predict_proba(x_te)[:, 1]
            auc_rust = roc_auc_score(y_te[label], p_rust)
            auc_sk = roc_auc_score(y_te[label], p_sk)
            ok = abs(auc_rust - auc_sk) <= TOLERANCE
            failures += not ok
            print(f"{label}: held-out AUC dashrisk-learn {auc_rust:.6f}, scikit-learn {auc_sk:.6f}, "
                  f"difference {auc_rust - auc_sk:+.6f} ({'ok' if ok else 'FAIL'}, tolerance {TOLERANCE}); "
                  f"{int(y_te[label].sum())} positives in {len(p_rust)} held-out records")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
