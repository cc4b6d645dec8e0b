#!/usr/bin/env python3
"""Writes metrics_reference.json: fixture scores and labels, and the value of every
metric of `dashrisk::metrics` on them, from scikit-learn where it has the metric and
from the small reference implementations below where it has not. The Rust test
`crates/dashrisk/tests/metrics.rs` reads the file and compares.

Which function produced each value is recorded in the file (`produced_by`), with the
library versions. Run from the repository root with the project's .venv:

    .venv/bin/python crates/dashrisk/tests/reference/metrics_reference.py

The reference implementations are deliberately the slow, textbook forms, written
independently of the Rust code:
- DeLong (DeLong, DeLong & Clarke-Pearson 1988): the structural components from the
  O(m·n) kernel psi(x, y) = 1 if x > y, 1/2 if x = y, 0 otherwise; the variance of one
  AUC and the covariance of two; the p-value from scipy.stats.norm.sf.
- The AUC's 95% interval (Newcombe 2006, Statistics in Medicine 25:559-573, method 5):
  the AUCs t with (a - t)^2 <= z^2 V(t), V the Hanley-McNeil variance with both sample
  sizes replaced by their mean. The ends are found here as the real roots in [0, 1] of
  the quartic (a - t)^2 (2 - t)(1 + t) - z^2/(mn) t (1 - t) [(2 - t)(1 + t)
  + N*((1 - t)(1 + t) + t (2 - t))], N* = (m + n)/2 - 1, by numpy's polyroots (the
  Rust code bisects instead), nearest a on each side; a itself when a is 0 or 1.
- Calibration slope and calibration-in-the-large (as R's rms::val.prob): the logistic
  log-likelihood of the outcome on logit(p) (p clipped to [1e-6, 1 - 1e-6]) maximised
  with scipy.optimize.minimize (BFGS), free slope or slope fixed at 1.
- ECE: 10 equal-width bins, |mean p - observed| weighted by the bin's share.
- Decision curves (Vickers & Elkin 2006): net benefit TP/N - FP/N * t/(1-t), treat all
  prevalence - (1 - prevalence) * t/(1-t), net interventions avoided per 100.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.polynomial.polynomial as npp
import scipy
import sklearn
from scipy.optimize import minimize
from scipy.stats import norm
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

OUT = Path(__file__).with_name("metrics_reference.json")


def psi(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])


def delong_components(s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = psi(s[y], s[~y])
    return k.mean(axis=1), k.mean(axis=0)


def delong(s: np.ndarray, y: np.ndarray) -> dict:
    v10, v01 = delong_components(s, y)
    var = np.var(v10, ddof=1) / len(v10) + np.var(v01, ddof=1) / len(v01)
    auc = v10.mean()
    se = float(np.sqrt(var))
    return {"auc": float(auc), "se": se}


def newcombe_interval(a: float, m: int, n: int) -> list[float]:
    z = norm.ppf(0.975)
    ns = (m + n) / 2 - 1
    t, one_m_t, one_p_t, two_m_t = [0.0, 1.0], [1.0, -1.0], [1.0, 1.0], [2.0, -1.0]
    a_m_t = [a, -1.0]
    mul, add = npp.polymul, npp.polyadd
    left = mul(mul(a_m_t, a_m_t), mul(two_m_t, one_p_t))
    bracket = add(mul(two_m_t, one_p_t), mul([ns], add(mul(one_m_t, one_p_t), mul(t, two_m_t))))
    right = mul([z * z / (m * n)], mul(mul(t, one_m_t), bracket))
    roots = npp.polyroots(npp.polysub(left, right))
    real = np.real(roots[np.abs(np.imag(roots)) < 1e-9])
    real = real[(real >= -1e-12) & (real <= 1 + 1e-12)]
    below = [r for r in real if r < a - 1e-12]
    above = [r for r in real if r > a + 1e-12]
    low = max(below) if below and a > 0 else 0.0
    high = min(above) if above and a < 1 else 1.0
    return [float(np.clip(low, 0.0, 1.0)), float(np.clip(high, 0.0, 1.0))]


def auc_interval(s: np.ndarray, y: np.ndarray) -> dict:
    auc = float(psi(s[y], s[~y]).mean())
    if np.all(s == s[0]):
        return {"method": "newcombe-2006-method-5", "ci95": None}
    return {"method": "newcombe-2006-method-5", "ci95": newcombe_interval(auc, int(y.sum()), int((~y).sum()))}


def delong_paired(a: np.ndarray, b: np.ndarray, y: np.ndarray) -> dict:
    a10, a01 = delong_components(a, y)
    b10, b01 = delong_components(b, y)
    m, n = len(a10), len(a01)
    s10 = np.cov(np.vstack([a10, b10]), ddof=1)
    s01 = np.cov(np.vstack([a01, b01]), ddof=1)
    s = s10 / m + s01 / n
    diff = float(a10.mean() - b10.mean())
    se = float(np.sqrt(s[0, 0] + s[1, 1] - 2 * s[0, 1]))
    z = norm.ppf(0.975)
    return {"difference": diff, "se": se, "ci95": [diff - z * se, diff + z * se],
            "p_value": float(2 * norm.sf(abs(diff) / se))}


def logit_clipped(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def calibration(p: np.ndarray, y: np.ndarray) -> dict:
    x = logit_clipped(p)
    yf = y.astype(float)

    def nll(theta: np.ndarray, slope: float | None) -> float:
        a = theta[0]
        b = theta[1] if slope is None else slope
        z = a + b * x
        return float(np.sum(np.logaddexp(0, z) - yf * z))

    free = minimize(nll, np.zeros(2), args=(None,), method="BFGS", options={"gtol": 1e-10})
    fixed = minimize(nll, np.zeros(1), args=(1.0,), method="BFGS", options={"gtol": 1e-10})
    return {"slope": float(free.x[1]), "intercept": float(fixed.x[0])}


def ece(p: np.ndarray, y: np.ndarray) -> float:
    b = np.minimum((p * 10).astype(int), 9)
    total = 0.0
    for k in range(10):
        m = b == k
        if m.any():
            total += m.mean() * abs(p[m].mean() - y[m].mean())
    return float(total)


def decision(p: np.ndarray, y: np.ndarray, ts: list[float]) -> list[dict]:
    n = len(p)
    prev = y.mean()
    out = []
    for t in ts:
        call = p >= t
        tp = np.sum(call & y)
        fp = np.sum(call & ~y)
        odds = t / (1 - t)
        nb = tp / n - fp / n * odds
        all_ = prev - (1 - prev) * odds
        out.append({"threshold": t, "net_benefit": float(nb), "net_benefit_all": float(all_),
                    "net_interventions_avoided": float((nb - all_) / odds * 100)})
    return out


def confusion(s: np.ndarray, y: np.ndarray, t: float) -> dict:
    call = s >= t
    tp, fp = int(np.sum(call & y)), int(np.sum(call & ~y))
    tn, fn = int(np.sum(~call & ~y)), int(np.sum(~call & y))
    return {"threshold": t, "tp": tp, "fp": fp, "tn": tn, "fn": fn,
            "sensitivity": tp / (tp + fn), "specificity": tn / (tn + fp),
            "ppv": tp / (tp + fp), "npv": tn / (tn + fn)}


def main() -> None:
    rng = np.random.default_rng(2006)
    n = 400
    y = rng.random(n) < 0.3
    a = 1 / (1 + np.exp(-(1.5 * y - 1.0 + rng.normal(0, 1, n))))
    b = 1 / (1 + np.exp(-(0.8 * y - 0.9 + rng.normal(0, 1.2, n))))
    cases = {
        "continuous": (a, y),
        "ties": (np.round(a, 1), y),
        "counts": (np.round(a * 20), y),  # a ranking score, not a probability
    }
    out: dict = {
        "produced_by": {
            "roc_auc": f"sklearn.metrics.roc_auc_score (scikit-learn {sklearn.__version__})",
            "average_precision": f"sklearn.metrics.average_precision_score (scikit-learn {sklearn.__version__})",
            "brier": f"sklearn.metrics.brier_score_loss (scikit-learn {sklearn.__version__})",
            "log_loss": f"sklearn.metrics.log_loss (scikit-learn {sklearn.__version__})",
            "delong": f"reference O(m*n) structural components in this script (numpy {np.__version__}, scipy {scipy.__version__})",
            "auc_interval": f"reference roots of Newcombe's (2006) method 5 quartic in this script (numpy {np.__version__} polyroots)",
            "calibration": f"reference maximum likelihood in this script (scipy.optimize.minimize BFGS, scipy {scipy.__version__})",
            "ece": "reference in this script",
            "decision_curve": "reference in this script",
            "confusion": "reference in this script",
        },
        "cases": {},
    }
    for name, (s, yy) in cases.items():
        c = {
            "scores": s.tolist(),
            "labels": yy.tolist(),
            "roc_auc": float(roc_auc_score(yy, s)),
            "average_precision": float(average_precision_score(yy, s)),
            "delong": delong(s, yy),
            "auc_interval": auc_interval(s, yy),
            "confusion": confusion(s, yy, 0.5 if name != "counts" else 10.0),
        }
        if name != "counts":
            c["brier"] = float(brier_score_loss(yy, s))
            c["log_loss"] = float(log_loss(yy, s))
            c["ece"] = ece(s, yy)
            c.update(calibration(s, yy))
            c["decision_curve"] = decision(s, yy, [0.05, 0.1, 0.2, 0.3, 0.5, 0.7])
        out["cases"][name] = c
    out["paired"] = {"a": a.tolist(), "b": b.tolist(), "labels": y.tolist(), **delong_paired(a, b, y)}
    # The interval alone, at the edges (AUC 0 and 1, one record of a class) and
    # across sizes and AUCs.
    grid = [(a_, m, n) for a_ in (0.0, 0.25, 0.5, 0.76, 0.9, 0.95, 0.99, 1.0)
            for m, n in ((1, 1), (1, 10), (10, 1), (3, 7), (10, 10), (30, 30), (150, 100), (2000, 6000))]
    out["auc_intervals"] = [{"auc": a_, "positives": m, "negatives": n, "ci95": newcombe_interval(a_, m, n)}
                            for a_, m, n in grid]
    OUT.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
