"""``dashrisk.evaluate``: the CLI's evaluation from a notebook. The figures are the
CLI's own (one shared Rust path per record and for the metrics), checked here by
running both on the same records; bad records raise or are counted, as asked."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import dashrisk

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    df = dashrisk.synth(3000, random_state=9, as_frame=True, officers=12, areas=3)
    # A score the force brings: noisy, so that it is neither perfect nor useless.
    rng = np.random.default_rng(1)
    df["force_score"] = np.clip(0.3 + 0.4 * df["label_abuse"] + rng.normal(0, 0.25, len(df)), 0, 1)
    return df


def test_the_figures_are_the_clis(frame: pd.DataFrame, cli: Path, tmp_path: Path) -> None:
    data = tmp_path / "labelled.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "ev.json"
    tools = ["dash_count", "dash_grade", "p_abuse", "classification", "lap_screen"]
    args = [str(cli), "evaluate", "--data", str(data), "--label", "label_abuse", "--json", str(out)]
    for t in tools:
        args += ["--tool", t]
    args += ["--score-column", "force_score", "--group-by", "officer", "--group-by", "area"]
    subprocess.run(args, check=True, capture_output=True)
    cli_json = json.loads(out.read_text())
    ev = dashrisk.evaluate(frame, "label_abuse", scores=["force_score"], group_by=["officer", "area"])
    ours = ev.to_dict()
    # Everything but where the records came from and how the score was described.
    for d in (cli_json, ours):
        d.pop("source")
        for t in d["tools"]:
            if t["tool"] == "force_score":
                t.pop("description")
    assert ours == cli_json
    assert ours["records"]["evaluated"] == 3000 and ours["synthetic"] is True


def test_the_evaluation_object(frame: pd.DataFrame) -> None:
    p = frame["force_score"].to_numpy()
    ev = dashrisk.evaluate(frame, scores={"mine": p}, group_by={"area": frame["area"]})
    table = ev.to_frame()
    assert list(table.index) == [*dashrisk._evaluate.BUILTIN_TOOLS, "mine"]
    assert table.loc["p_abuse", "kind"] == "probability"
    assert np.isnan(table.loc["dash_count", "brier"])  # a count is not a probability
    low, auc, high = table.loc["p_abuse", ["auc_ci_low", "auc", "auc_ci_high"]]
    assert low < auc < high
    assert table.loc["p_abuse", "auc_ci_note"] is None
    assert ev.auc_interval_method == "newcombe-2006-method-5"
    assert ev.to_dict()["auc_ci95_method"] == ev.auc_interval_method
    ref = dashrisk.metrics.roc_auc(frame["label_abuse"], p)
    assert table.loc["mine", "auc"] == pytest.approx(ref, abs=1e-12)
    groups = ev.group_frame("area")
    assert groups["n"].sum() == 3000 and len(groups) == 3
    assert (groups["auc_ci_low"] < groups["auc"]).all() and (groups["auc"] < groups["auc_ci_high"]).all()
    with pytest.raises(KeyError, match="officer"):
        ev.group_frame("officer")
    html = ev._repr_html_()
    assert html.startswith("<!DOCTYPE html>") and "SYNTHETIC" in html
    assert "SYNTHETIC DATA" in str(ev)
    assert json.loads(ev.to_json(indent=2)) == ev.to_dict()


def test_records_with_labels_in_meta(frame: pd.DataFrame) -> None:
    records = dashrisk.synth(3000, seed=9, officers=12, areas=3)
    a = dashrisk.evaluate(records, group_by=["officer"]).to_dict()
    b = dashrisk.evaluate(frame, group_by=["officer"]).to_dict()
    a.pop("source"), b.pop("source")
    assert a == b


def test_bad_records_raise_or_are_counted(frame: pd.DataFrame) -> None:
    bad = frame.head(400).copy()
    bad.loc[bad.index[5], "q2"] = "maybe"
    bad.loc[bad.index[9], "label_abuse"] = 7
    bad["label_abuse"] = bad["label_abuse"].astype(object)
    bad.loc[bad.index[11], "label_abuse"] = None
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.evaluate(bad)
    assert (e.value.code, e.value.field, e.value.row) == ("invalid_value", "label_abuse", 9)
    ev = dashrisk.evaluate(bad, errors="coerce")
    r = ev.to_dict()["records"]
    # The bad label is an error record, named as the CLI names it, not "unlabelled".
    assert (r["read"], r["errors"], r["missing_label"], r["evaluated"]) == (400, 2, 1, 397)
    assert [x["line"] for x in ev.errors] == [6, 10]
    label_error = ev.errors[1]["error"]
    assert (label_error["code"], label_error["field"], label_error["value"]) == (
        "invalid_value", "label_abuse", "7",
    )
    assert ev.errors[1]["id"] == bad["id"].iloc[9]
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.evaluate(bad.assign(label_abuse=bad["label_abuse"].fillna(0).replace(7, 1)))
    assert (e.value.code, e.value.field, e.value.row) == ("invalid_value", "q2", 5)


def test_wrong_arguments_are_refused(frame: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="label_abus"):
        dashrisk.evaluate(frame, "label_abus")
    with pytest.raises(ValueError, match="model"):
        dashrisk.evaluate(frame, tools=["model"])
    with pytest.raises(ValueError, match="not a built-in tool"):
        dashrisk.evaluate(frame, tools=["p_abus"])
    with pytest.raises(ValueError, match="values for"):
        dashrisk.evaluate(frame, scores={"x": [0.5] * 10})
    with pytest.raises(dashrisk.InputError, match="not a score"):
        dashrisk.evaluate(frame, scores={"x": ["high"] * len(frame)})
    with pytest.raises(ValueError, match="errors"):
        dashrisk.evaluate(frame, errors="ignore")


def test_nullable_scores_and_argument_shapes(frame: pd.DataFrame) -> None:
    s = pd.array(frame["force_score"].to_numpy(), dtype="Float64")
    s[3] = pd.NA
    ev = dashrisk.evaluate(frame, scores={"mine": s})
    assert [t for t in ev.to_dict()["tools"] if t["tool"] == "mine"][0]["missing_scores"] == 1
    with pytest.raises(TypeError, match="not one string"):
        dashrisk.evaluate(frame, scores="force_score")
    with pytest.raises(TypeError, match="not one string"):
        dashrisk.evaluate(frame, group_by="officer")


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("threshold", float("nan")),
        ("threshold", 2),
        ("threshold", -1),
        ("threshold", 0),
        ("threshold", 1.0),
        ("threshold", float("inf")),
        ("threshold", "0.5"),
        ("threshold", True),
        ("threshold", None),
        ("min_cell", 0),
        ("min_cell", -1),
        ("min_cell", 2.5),
        ("min_cell", "10"),
        ("min_cell", True),
        ("min_cell", 2**64),
    ],
)
def test_threshold_and_min_cell_are_checked_as_the_cli_checks_them(
    frame: pd.DataFrame, argument: str, value: object
) -> None:
    """Review finding: NaN, 2 or -1 thresholds and a min_cell of 0 were accepted
    silently (no count withheld), and min_cell=-1 raised OverflowError."""
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.evaluate(frame.head(50), **{argument: value})  # type: ignore[arg-type]
    assert isinstance(e.value, ValueError)
    assert (e.value.code, e.value.field) == ("invalid_value", argument)
    assert argument in str(e.value) and "expected" in str(e.value)


def test_allowed_threshold_and_min_cell_change_the_figures(frame: pd.DataFrame) -> None:
    low = dashrisk.evaluate(frame, threshold=0.2, min_cell=np.int64(1)).to_frame()
    high = dashrisk.evaluate(frame, threshold=np.float64(0.8), min_cell=1).to_frame()
    # A lower threshold calls more records abuse: sensitivity cannot fall.
    assert low.loc["p_abuse", "sensitivity"] > high.loc["p_abuse", "sensitivity"]


def test_synthetic_is_decided_from_the_ids_not_the_label_name(frame: pd.DataFrame) -> None:
    # A force's records whose label column is named like synth's are real figures
    # (the review's finding 3), with a warning; the flag says otherwise.
    force = frame.copy()
    force["id"] = force["id"].str.replace("syn-", "INC-", regex=False)
    with pytest.warns(UserWarning, match="named like dashrisk.synth"):
        ev = dashrisk.evaluate(force, "label_abuse", tools=["p_abuse"])
    assert ev.synthetic is False and "SYNTHETIC" not in repr(ev)
    assert dashrisk.evaluate(force, "label_abuse", tools=["p_abuse"], synthetic=True).synthetic
    assert dashrisk.evaluate(frame, "label_abuse", tools=["p_abuse"]).synthetic
    assert not dashrisk.evaluate(frame, "label_abuse", tools=["p_abuse"], synthetic=False).synthetic


def test_a_series_of_scores_or_groups_is_matched_by_its_index() -> None:
    df = dashrisk.synth(2000, random_state=5, as_frame=True, officers=10)
    p = dashrisk.assess_frame(df)["p_abuse"]
    shuffled = p.sample(frac=1, random_state=0)
    ev = dashrisk.evaluate(df, "label_abuse", tools=["p_abuse"], scores={"mine": shuffled})
    t = ev.to_frame()
    # The same scores, matched by index, give the same AUC as the built-in p_abuse
    # (by position they gave 0.51).
    assert t.loc["mine", "auc"] == pytest.approx(t.loc["p_abuse", "auc"])
    groups = df["officer"].sample(frac=1, random_state=1)
    by_index = dashrisk.evaluate(df, "label_abuse", tools=["p_abuse"], group_by={"officer": groups})
    by_name = dashrisk.evaluate(df, "label_abuse", tools=["p_abuse"], group_by=["officer"])
    assert by_index.to_json() == by_name.to_json()
    with pytest.raises(ValueError, match="index is not the frame's"):
        dashrisk.evaluate(df, "label_abuse", tools=["p_abuse"], scores={"mine": p.reset_index(drop=True).iloc[::-1].reset_index(drop=True).set_axis(range(5, 2005))})
    # Arrays stay positional.
    ev = dashrisk.evaluate(df, "label_abuse", tools=["p_abuse"], scores={"mine": p.to_numpy()})
    assert ev.to_frame().loc["mine", "auc"] == pytest.approx(ev.to_frame().loc["p_abuse", "auc"])


def test_a_meta_key_no_record_has_is_refused() -> None:
    records = dashrisk.synth(300, random_state=4)
    with pytest.raises(KeyError, match="oficer"):
        dashrisk.evaluate(records, "label_abuse", tools=["p_abuse"], group_by=["oficer"])
    with pytest.raises(KeyError, match="risk"):
        dashrisk.evaluate(records, "label_abuse", tools=["p_abuse"], scores=["risk"])
    with pytest.raises(KeyError, match="labl"):
        dashrisk.evaluate(records, "labl", tools=["p_abuse"])


def test_records_that_repeat_an_id_are_refused_unless_allowed() -> None:
    df = dashrisk.synth(500, random_state=6, as_frame=True)
    doubled = pd.concat([df, df.head(7)], ignore_index=True)
    with pytest.raises(ValueError, match="7 record"):
        dashrisk.evaluate(doubled, "label_abuse", tools=["p_abuse"])
    ev = dashrisk.evaluate(doubled, "label_abuse", tools=["p_abuse"], allow_duplicate_ids=True)
    assert ev.to_dict()["records"]["evaluated"] == 507
    assert any("repeat the id" in n for n in ev.to_dict()["notes"])
    assert dashrisk.evaluate(df, "label_abuse", tools=["p_abuse"]).to_dict()["records"]["evaluated"] == 500


def test_a_constant_score_has_no_auc_interval_and_says_why(frame: pd.DataFrame) -> None:
    """The review's finding 6: a constant score was shown as 0.500 [0.500, 0.500]."""
    flat = np.full(len(frame), 0.5)
    ev = dashrisk.evaluate(frame, tools=["p_abuse"], scores={"flat": flat})
    t = ev.to_frame()
    assert t.loc["flat", "auc"] == 0.5
    assert np.isnan(t.loc["flat", "auc_ci_low"]) and np.isnan(t.loc["flat", "auc_ci_high"])
    assert "same score" in t.loc["flat", "auc_ci_note"]
    d = next(x for x in ev.to_dict()["tools"] if x["tool"] == "flat")
    assert d["auc_ci95"] is None and "same score" in d["auc_ci95_note"]
    assert "0.500 [no interval]" in str(ev) and "0.500 [no interval]" in ev.to_html()
