"""Evaluation metrics: the same Rust code as ``dashrisk evaluate`` (``dashrisk::metrics``),
checked against scikit-learn (docs/testing.md).

Arguments follow scikit-learn's order: ``y_true`` first, then the scores. ``y_true``
holds the labels, 1/0 or True/False (abuse or not); scores are numbers (a list, a
numpy array or a pandas Series). Bad input raises ``ValueError`` naming the position
and the value: a label that is not 0/1, a score that is not a finite number, a
probability outside [0, 1], or lengths that differ.

>>> from dashrisk import metrics
>>> y = [0, 0, 1, 1, 1]
>>> s = [0.1, 0.4, 0.35, 0.8, 0.2]
>>> round(metrics.roc_auc(y, s), 4)
0.6667
>>> r = metrics.roc_auc_delong(y, s)
>>> r["ci95"][0] < r["auc"] < r["ci95"][1]
True
>>> r["ci95_method"]
'newcombe-2006-method-5'
>>> metrics.confusion(y, s, 0.3)["sensitivity"]
0.6666666666666666
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Optional

from . import _native

__all__ = [
    "average_precision",
    "brier",
    "calibration_intercept",
    "calibration_slope",
    "confusion",
    "decision_curve",
    "delong_paired",
    "ece",
    "log_loss",
    "reliability",
    "roc_auc",
    "roc_auc_delong",
]


def _labels(y_true: Iterable[Any]) -> list[bool]:
    out: list[bool] = []
    for i, v in enumerate(y_true):
        if isinstance(v, str):
            raise ValueError(f"y_true[{i}] is {v!r}: labels must be 1/0 or True/False")
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"y_true[{i}] is {v!r}: labels must be 1/0 or True/False") from None
        if f == 1.0:
            out.append(True)
        elif f == 0.0:
            out.append(False)
        else:
            raise ValueError(f"y_true[{i}] is {v!r}: labels must be 1/0 or True/False")
    return out


def _scores(values: Iterable[Any], name: str) -> list[float]:
    out: list[float] = []
    for i, v in enumerate(values):
        if isinstance(v, (str, bytes)):
            raise ValueError(f"{name}[{i}] is {v!r}: every value must be a finite number")
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{name}[{i}] is {v!r}: every value must be a finite number") from None
        if not math.isfinite(f):
            raise ValueError(f"{name}[{i}] is {v!r}: every value must be a finite number")
        out.append(f)
    return out


def roc_auc(y_true: Iterable[Any], y_score: Iterable[Any]) -> Optional[float]:
    """ROC AUC (ties count a half), as scikit-learn's ``roc_auc_score``; None when a
    class is absent."""
    return _native.roc_auc(_labels(y_true), _scores(y_score, "y_score"))


def roc_auc_delong(y_true: Iterable[Any], y_score: Iterable[Any]) -> Optional[dict[str, Any]]:
    """ROC AUC with DeLong's standard error and a 95% interval: ``{"auc", "se",
    "ci95", "ci95_method", "ci95_note"}``; None when a class is absent.

    ``ci95`` is Newcombe's (2006) score interval, method 5 (``ci95_method`` is
    ``"newcombe-2006-method-5"``; the name of the function is kept from when it was
    DeLong's Wald interval ``auc ± 1.96 se``, which covered far less than 95% in
    small groups and at AUCs near 1, and was ``[1, 1]`` when every pair was ordered
    rightly). It is defined at an AUC of 0 or 1 and never of zero width. When every
    score is the same, ``ci95`` is None and ``ci95_note`` says why; otherwise
    ``ci95_note`` is None. ``se`` is still DeLong's."""
    return _native.roc_auc_delong(_labels(y_true), _scores(y_score, "y_score"))


def delong_paired(
    y_true: Iterable[Any], score_a: Iterable[Any], score_b: Iterable[Any]
) -> Optional[dict[str, Any]]:
    """Two scores on the same records compared by DeLong's paired test: ``auc_a``,
    ``auc_b``, ``difference`` (a − b), ``se``, ``ci95`` and a two-sided ``p_value``."""
    y = _labels(y_true)
    return _native.delong_paired(y, _scores(score_a, "score_a"), _scores(score_b, "score_b"))


def average_precision(y_true: Iterable[Any], y_score: Iterable[Any]) -> Optional[float]:
    """Average precision, as scikit-learn's ``average_precision_score``."""
    return _native.average_precision(_labels(y_true), _scores(y_score, "y_score"))


def brier(y_true: Iterable[Any], y_prob: Iterable[Any]) -> Optional[float]:
    """Brier score (mean squared error of the probabilities)."""
    return _native.brier(_labels(y_true), _scores(y_prob, "y_prob"))


def log_loss(y_true: Iterable[Any], y_prob: Iterable[Any]) -> Optional[float]:
    """Log loss, probabilities clipped to [eps, 1 − eps] as scikit-learn does."""
    return _native.log_loss(_labels(y_true), _scores(y_prob, "y_prob"))


def ece(y_true: Iterable[Any], y_prob: Iterable[Any]) -> float:
    """Expected calibration error: 10 equal-width bins, weighted by their counts."""
    return _native.ece(_labels(y_true), _scores(y_prob, "y_prob"))


def calibration_slope(y_true: Iterable[Any], y_prob: Iterable[Any]) -> Optional[float]:
    """Calibration slope, as R's ``rms::val.prob`` (1 is ideal)."""
    return _native.calibration_slope(_labels(y_true), _scores(y_prob, "y_prob"))


def calibration_intercept(y_true: Iterable[Any], y_prob: Iterable[Any]) -> Optional[float]:
    """Calibration-in-the-large: the intercept with the slope fixed at 1 (0 is ideal)."""
    return _native.calibration_intercept(_labels(y_true), _scores(y_prob, "y_prob"))


def reliability(y_true: Iterable[Any], y_prob: Iterable[Any], bins: int = 10) -> list[dict[str, Any]]:
    """Reliability bins of equal width: ``lower``, ``upper``, ``count``,
    ``mean_predicted`` and ``observed`` (None for an empty bin)."""
    return _native.reliability(_labels(y_true), _scores(y_prob, "y_prob"), bins)


def confusion(y_true: Iterable[Any], y_score: Iterable[Any], threshold: float) -> dict[str, Any]:
    """Counts at ``threshold`` (a score at or above it is a positive call): ``tp``,
    ``fp``, ``tn``, ``fn``, ``sensitivity``, ``specificity``, ``ppv``, ``npv``."""
    return _native.confusion(_labels(y_true), _scores(y_score, "y_score"), float(threshold))


def decision_curve(
    y_true: Iterable[Any], y_prob: Iterable[Any], thresholds: Optional[Iterable[float]] = None
) -> list[dict[str, Any]]:
    """Net benefit at each threshold (default 0.01 to 0.99 by 0.01), with treat-all
    and treat-none and net interventions avoided per 100, in the columns of Python's
    ``dcurves`` (Vickers & Elkin 2006)."""
    ts = [i / 100 for i in range(1, 100)] if thresholds is None else _scores(thresholds, "thresholds")
    return _native.decision_curve(_labels(y_true), _scores(y_prob, "y_prob"), ts)
