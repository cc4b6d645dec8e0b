"""`dashrisk.metrics` against scikit-learn on random data (and the reference values of
crates/dashrisk/tests/reference for DeLong's standard error, the AUC's interval and
the calibration fits), and
its input checks."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from dashrisk import metrics

REFERENCE = Path(__file__).resolve().parents[2] / "crates" / "dashrisk" / "tests" / "reference" / "metrics_reference.json"


def data(seed: int, n: int = 500) -> tuple[list[int], list[float]]:
    rng = random.Random(seed)
    y = [rng.random() < 0.4 for _ in range(n)]
    # Scores with ties and some signal.
    p = [min(1.0, max(0.0, round(0.3 + 0.3 * yi + rng.gauss(0, 0.2), 2))) for yi in y]
    return [int(v) for v in y], p


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_metrics_agree_with_scikit_learn(seed: int) -> None:
    sk = pytest.importorskip("sklearn.metrics")
    y, p = data(seed)
    assert metrics.roc_auc(y, p) == pytest.approx(sk.roc_auc_score(y, p), abs=1e-12)
    assert metrics.average_precision(y, p) == pytest.approx(sk.average_precision_score(y, p), abs=1e-12)
    assert metrics.brier(y, p) == pytest.approx(sk.brier_score_loss(y, p), abs=1e-12)
    assert metrics.log_loss(y, p) == pytest.approx(sk.log_loss(y, p), abs=1e-9)
    c = metrics.confusion(y, p, 0.5)
    tn, fp, fn, tp = sk.confusion_matrix(y, [int(v >= 0.5) for v in p]).ravel()
    assert (c["tp"], c["fp"], c["tn"], c["fn"]) == (tp, fp, tn, fn)
    assert c["sensitivity"] == pytest.approx(tp / (tp + fn))
    bins = metrics.reliability(y, p)
    assert sum(b["count"] for b in bins) == len(y)
    dc = metrics.decision_curve(y, p)
    assert len(dc) == 99
    prev = sum(y) / len(y)
    t = dc[19]["threshold"]
    assert dc[19]["net_benefit_all"] == pytest.approx(prev - (1 - prev) * t / (1 - t))


def test_every_metric_agrees_with_the_reference_values() -> None:
    """The values of crates/dashrisk/tests/reference/metrics_reference.json
    (scikit-learn, and documented reference implementations for DeLong and the
    calibration fits), at the evaluation issue's tolerances."""
    ref = json.loads(REFERENCE.read_text())
    for name, case in ref["cases"].items():
        y, s = case["labels"], case["scores"]
        assert metrics.roc_auc(y, s) == pytest.approx(case["roc_auc"], abs=1e-9), name
        assert metrics.average_precision(y, s) == pytest.approx(case["average_precision"], abs=1e-9), name
        d = metrics.roc_auc_delong(y, s)
        assert d is not None
        assert d["se"] == pytest.approx(case["delong"]["se"], abs=1e-6), name
        assert d["ci95_method"] == case["auc_interval"]["method"], name
        assert d["ci95"] == pytest.approx(case["auc_interval"]["ci95"], abs=1e-9), name
        if all(0.0 <= v <= 1.0 for v in s):
            assert metrics.brier(y, s) == pytest.approx(case["brier"], abs=1e-9), name
            assert metrics.log_loss(y, s) == pytest.approx(case["log_loss"], abs=1e-9), name
            assert metrics.calibration_slope(y, s) == pytest.approx(case["slope"], abs=1e-4), name
            assert metrics.calibration_intercept(y, s) == pytest.approx(case["intercept"], abs=1e-4), name
    pr = ref["paired"]
    r = metrics.delong_paired(pr["labels"], pr["a"], pr["b"])
    assert r is not None
    assert r["difference"] == pytest.approx(pr["difference"], abs=1e-9)
    assert r["ci95"] == pytest.approx(pr["ci95"], abs=1e-6)
    assert r["p_value"] == pytest.approx(pr["p_value"], rel=1e-4)


def test_the_auc_interval_at_the_edges() -> None:
    """Newcombe's score interval: below 1 when every pair is ordered rightly (DeLong's
    Wald interval was [1, 1]), none with the reason for a constant score (it was
    [0.5, 0.5]); the reference's grid of AUCs and sizes through the same code."""
    y = [1, 1, 1, 0, 0, 0, 0]
    r = metrics.roc_auc_delong(y, [0.9, 0.8, 0.7, 0.3, 0.2, 0.1, 0.0])
    assert r is not None and r["auc"] == 1.0 and r["se"] == 0.0
    low, high = r["ci95"]
    assert low < 0.9 and high == 1.0
    assert r["ci95_method"] == "newcombe-2006-method-5" and r["ci95_note"] is None
    r = metrics.roc_auc_delong(y, [0.5] * 7)
    assert r is not None and r["auc"] == 0.5 and r["ci95"] is None
    assert "same score" in r["ci95_note"]
    # One record of each class, every pair right: the lower end is 1 / (1 + z²).
    r = metrics.roc_auc_delong([1, 0], [0.9, 0.1])
    assert r is not None
    assert r["ci95"][0] == pytest.approx(1 / (1 + 1.959963984540054**2), abs=1e-12)


def test_paired_delong_on_the_same_scores_is_zero() -> None:
    y, p = data(7)
    r = metrics.delong_paired(y, p, p)
    assert r is not None and r["difference"] == 0.0


def test_bad_input_names_the_position_and_value() -> None:
    with pytest.raises(ValueError, match=r"y_true\[2\] is 2"):
        metrics.roc_auc([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"y_score\[1\] is 'high'"):
        metrics.roc_auc([0, 1], [0.1, "high"])
    with pytest.raises(ValueError, match=r"y_score\[0\] is nan"):
        metrics.roc_auc([0, 1], [math.nan, 0.2])
    with pytest.raises(ValueError, match=r"y_prob\[1\] is 1.5: a probability must lie in \[0, 1\]"):
        metrics.brier([0, 1], [0.1, 1.5])
    with pytest.raises(ValueError, match="same length"):
        metrics.brier([0, 1, 1], [0.1, 0.5])
    with pytest.raises(ValueError, match="empty"):
        metrics.ece([], [])
    with pytest.raises(ValueError, match=r"thresholds\[0\] is 1: every threshold must lie strictly between 0 and 1"):
        metrics.decision_curve([0, 1], [0.1, 0.9], [1.0])
    # True/False, numpy and pandas inputs are accepted.
    np = pytest.importorskip("numpy")
    assert metrics.roc_auc(np.array([False, True]), np.array([0.2, 0.8])) == 1.0
    assert metrics.roc_auc([True, False], [0.9, 0.1]) == 1.0
    assert metrics.roc_auc([1, 1], [0.9, 0.1]) is None
