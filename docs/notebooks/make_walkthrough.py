"""Writes docs/notebooks/researcher-walkthrough.ipynb from the cells below (outputs
empty: the test suite executes it, python/tests/test_notebook.py). Edit the cells
here and run this script, so that the notebook and its source never drift:

    .venv/bin/python docs/notebooks/make_walkthrough.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat

MD, CODE = "markdown", "code"

CELLS: list[tuple[str, str]] = [
    (MD, """# dashrisk for researchers: a walk-through

This notebook compares three ways of telling domestic abuse from parental conflict on
the same labelled records:

- the **DASH yes-count** officers use today,
- the **dashrisk scorer** (`p_abuse`, and its three-way classification under the
  safety rules), recalibrated on training records,
- the **linfa comparison model** (`dashrisk.LogisticComparison`), trained out of fold.

**All figures here are on SYNTHETIC data** from `dashrisk.synth`, a documented,
seeded generator (docs/synthetic-data.md). They show how to run the comparison and
say nothing about how any tool performs on real incidents."""),
    (CODE, """from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display needed; figures are saved and shown inline
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import cross_val_predict, train_test_split
from sklearn.pipeline import make_pipeline

import dashrisk

print(dashrisk.__version__, dashrisk.SCORER_VERSION)"""),
    (MD, """## 1. Synthetic records as a DataFrame

`as_frame=True` gives the flat columns `assess_dataframe` reads, the labels, and,
with officers set, `officer` and `area` columns that follow the generator's
documented officer effect (some officers under-record sensitive items)."""),
    (CODE, """df = dashrisk.synth(12_000, random_state=7, as_frame=True, officers=30, areas=4)
print(df.shape)
print(df[["q1", "q18", "fear", "power_imbalance", "officer", "label_abuse"]].head())
print("share labelled abuse:", round(float(df["label_abuse"].mean()), 3))"""),
    (MD, """## 2. Assess every record

Each result carries the classification, `p_abuse`, the DASH grade, MARAC criteria,
pathways and what it means for the children. Parental conflict is given only when
abuse was asked about and screened out; *not known* is never read as *no*."""),
    (CODE, """results = dashrisk.assess_dataframe(df)
print(results["classification"].value_counts())
print(results[["classification", "p_abuse", "risk_level", "pathways"]].head())"""),
    (MD, """## 3. Train on one part, evaluate on the other

The scorer is recalibrated on the training records through the same code as
`dashrisk calibrate --data` (`ConflictAbuseScorer.fit`). The comparison model's
probabilities on the test records come from a pipeline fitted on the training
records."""),
    (CODE, """train, test = train_test_split(df, test_size=0.5, random_state=1, stratify=df["label_abuse"])
y_train = train["label_abuse"].to_numpy()
y_test = test["label_abuse"].to_numpy()

scorer = dashrisk.ConflictAbuseScorer().fit(train, y_train)
model = make_pipeline(dashrisk.Featuriser(), dashrisk.LogisticComparison(alpha=1.0))
model.fit(train, y_train)

p_scorer = scorer.predict_proba(test)[:, 1]
p_model = model.predict_proba(test)[:, 1]
print("comparison model iterations:", int(model[-1].n_iter_[0]))"""),
    (MD, """`dashrisk.evaluate` computes every figure of `dashrisk evaluate` on the test
records: AUC with 95% intervals (Newcombe's score interval, `ev.auc_interval_method`),
calibration, the workload per 1,000 incidents, and the routing safety of the conflict
label. The recalibrated scorer is passed in, and
the model's probabilities are passed as a score."""),
    (CODE, """ev = dashrisk.evaluate(
    test,
    "label_abuse",
    tools=["dash_count", "p_abuse", "classification"],
    scores={"model": p_model},
    group_by=["officer"],
    scorer=scorer.scorer_,
)
print(repr(ev))
table = ev.to_frame()[["kind", "auc", "auc_ci_low", "auc_ci_high", "brier", "calibration_slope"]]
print(table.round(3))"""),
    (MD, """## 4. ROC and calibration curves"""),
    (CODE, """def roc(y: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-score, kind="stable")
    y_sorted = y[order]
    tpr = np.concatenate([[0.0], np.cumsum(y_sorted) / y_sorted.sum()])
    fpr = np.concatenate([[0.0], np.cumsum(1 - y_sorted) / (1 - y_sorted).sum()])
    return fpr, tpr


dash_count = dashrisk.assess_dataframe(test)["yes_count"].to_numpy(dtype=float)
fig, (ax_roc, ax_cal) = plt.subplots(1, 2, figsize=(10, 4.5))
for name, score in [("DASH count", dash_count), ("p_abuse", p_scorer), ("model", p_model)]:
    fpr, tpr = roc(y_test, score)
    ax_roc.plot(fpr, tpr, label=name)
ax_roc.plot([0, 1], [0, 1], color="grey", linestyle=":")
ax_roc.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (SYNTHETIC data)")
ax_roc.legend()

for name, p in [("p_abuse", p_scorer), ("model", p_model)]:
    bins = dashrisk.metrics.reliability(y_test, p, bins=10)
    xs = [b["mean_predicted"] for b in bins if b["count"] > 0]
    ys = [b["observed"] for b in bins if b["count"] > 0]
    ax_cal.plot(xs, ys, marker="o", label=name)
ax_cal.plot([0, 1], [0, 1], color="grey", linestyle=":")
ax_cal.set(xlabel="predicted probability", ylabel="observed share", title="Calibration (SYNTHETIC data)")
ax_cal.legend()
fig.tight_layout()
fig.savefig("walkthrough-curves.png", dpi=80)"""),
    (MD, """## 5. Officer effect

The generator makes some officers under-record sensitive items. By officer, the rate
of medium-or-high grades and the calibration-in-the-large of `p_abuse` show it;
points outside the funnel limits are flagged. Groups smaller than `min_cell` are
suppressed."""),
    (CODE, """by_officer = ev.group_frame("officer")
print(by_officer[["n", "abuse", "medium_or_high_rate", "medium_or_high_funnel", "calibration_intercept"]].head(10))
outside = by_officer[by_officer["medium_or_high_funnel"].isin(["below95", "below998", "above95", "above998"])]
print(len(outside), "officers outside the 95% funnel limits for medium-or-high grades")"""),
    (MD, """## 6. The safety rules hold

Whatever the estimate, no record that reports fear, a power imbalance or any abuse
evidence is classified parental conflict."""),
    (CODE, """classes = scorer.classify(test)
reported = (test["fear"] == "yes") | (test["power_imbalance"] == "yes")
assert not ((classes == "parental_conflict") & reported.to_numpy()).any()
print("conflict labels among records reporting fear or power imbalance:", int(((classes == "parental_conflict") & reported.to_numpy()).sum()))"""),
]


def build() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(src) if kind == MD else nbformat.v4.new_code_cell(src)
        for kind, src in CELLS
    ]
    return nb


if __name__ == "__main__":
    out = Path(__file__).with_name("researcher-walkthrough.ipynb")
    nbformat.write(build(), out)
    print(f"wrote {out}")
