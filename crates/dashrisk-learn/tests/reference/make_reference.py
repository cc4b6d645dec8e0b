#!/usr/bin/env python3
"""Regenerates reference.json: scikit-learn's answers on the committed fixture.

How the inputs were made (all synthetic, no real records):
  fixture.csv   `dashrisk synth --n 300 --seed 4242`, generator dashrisk-synth/1
                (input contract + two labels; kept as is when the generator changes)
  features.csv  fixture.csv featurised by dashrisk-learn (feature set in the
                header), with stratified fold ids; written by
                `DASHRISK_REGEN_REFERENCE=1 cargo test -p dashrisk-learn --test reference`

Run from the repository root, with scikit-learn and numpy installed:
  python3 crates/dashrisk-learn/tests/reference/make_reference.py
The Rust test (crates/dashrisk-learn/tests/reference.rs) reads the JSON written
here, so CI needs no scikit-learn to run it.
"""
import csv
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
# Tight tolerances on both sides, so that the comparison measures the optimum and
# not where each solver happened to stop.
TOL = 1e-10
MAX_ITER = 100_000


def load():
    with open(os.path.join(HERE, "features.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    n_feat = header.index("label_abuse")
    names = header[:n_feat]
    cols = {h: i for i, h in enumerate(header)}
    x = np.array([[float(v) for v in r[:n_feat]] for r in body])
    labels = {
        k: np.array([int(r[cols[k]]) for r in body])
        for k in ("label_abuse", "label_serious_harm")
    }
    folds = {
        k: np.array([int(r[cols["fold_" + k]]) for r in body])
        for k in ("label_abuse", "label_serious_harm")
    }
    return names, x, labels, folds


def balanced_integer(y):
    """dashrisk-learn's ClassWeight::Balanced: the rarer class gets round(n_common / n_rare)."""
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 <= n0:
        return {0: 1, 1: max(1, int(np.floor(n0 / max(n1, 1) + 0.5)))}
    return {0: max(1, int(np.floor(n1 / n0 + 0.5))), 1: 1}


def fit(x, y, c, class_weight):
    if class_weight == "balanced_integer":
        # Resolved on each training set, as dashrisk-learn does in every fold.
        class_weight = balanced_integer(y)
    m = LogisticRegression(
        C=c, tol=TOL, max_iter=MAX_ITER, class_weight=class_weight, solver="lbfgs"
    )
    m.fit(x, y)
    return m


def case(name, x, y, folds, c, class_weight):
    m = fit(x, y, c, class_weight)
    p = m.predict_proba(x)[:, 1]
    oof = np.full(len(y), np.nan)
    for k in sorted(set(folds.tolist())):
        test = folds == k
        mk = fit(x[~test], y[~test], c, class_weight)
        oof[test] = mk.predict_proba(x[test])[:, 1]
    if class_weight == "balanced_integer":
        class_weight = balanced_integer(y)  # as applied to the full-data fit
    return {
        "name": name,
        "C": c,
        "class_weight": None
        if class_weight is None
        else {"negative": class_weight[0], "positive": class_weight[1]},
        "coef": m.coef_[0].tolist(),
        "intercept": float(m.intercept_[0]),
        "n_iter": int(m.n_iter_[0]),
        "auc_in_sample": float(roc_auc_score(y, p)),
        "proba_in_sample": p.tolist(),
        "cv_auc": float(roc_auc_score(y, oof)),
        "cv_brier": float(brier_score_loss(y, oof)),
    }


def main():
    names, x, labels, folds = load()
    ya, yh = labels["label_abuse"], labels["label_serious_harm"]
    fa, fh = folds["label_abuse"], folds["label_serious_harm"]
    cases = [
        case("abuse_c1", x, ya, fa, 1.0, None),
        case("abuse_c0.1", x, ya, fa, 0.1, None),
        case("abuse_weighted_2_1", x, ya, fa, 1.0, {0: 2, 1: 1}),
        case("harm_c1", x, yh, fh, 1.0, None),
        case("harm_balanced", x, yh, fh, 1.0, "balanced_integer"),
    ]
    for c, label in zip(cases, ["label_abuse"] * 3 + ["label_serious_harm"] * 2):
        c["label"] = label
    # A tie-heavy score for the AUC metric alone: the number of "yes" indicators.
    yes_cols = [i for i, n in enumerate(names) if n.endswith("=yes")]
    yes_count = x[:, yes_cols].sum(axis=1)
    out = {
        "generated_by": "crates/dashrisk-learn/tests/reference/make_reference.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": sys.version.split()[0],
        "tol": TOL,
        "max_iter": MAX_ITER,
        "n": int(len(ya)),
        "n_features": len(names),
        "cases": cases,
        "ties": {
            "label": "label_abuse",
            "score": yes_count.tolist(),
            "auc": float(roc_auc_score(ya, yes_count)),
        },
    }
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote reference.json ({len(cases)} cases, scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()
