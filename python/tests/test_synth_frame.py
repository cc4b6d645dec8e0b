"""`dashrisk.synth(as_frame=True)`: the CLI's synthetic CSV as a typed DataFrame, which
`assess_dataframe` reads to exactly the results the records give (the frame built
the obvious way no longer comes back all `unclear`), with the generator's settings
(officers and areas) and scikit-learn's `random_state`."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

import dashrisk

pd = pytest.importorskip("pandas")


def test_the_frame_assesses_exactly_as_the_records_do(scorer: dashrisk.Scorer) -> None:
    df = dashrisk.synth(800, random_state=11, as_frame=True, officers=20, areas=4)
    records = dashrisk.synth(800, seed=11, officers=20, areas=4)
    flat = dashrisk.assess_dataframe(df)
    want = scorer.assess_many(records)
    assert list(flat["classification"]) == [r["classification"] for r in want]
    assert list(flat["p_abuse"]) == [r["p_abuse"] for r in want]
    assert list(flat["risk_level"]) == [r["risk_level"] for r in want]
    assert (flat["classification"] == "unclear").mean() < 0.5
    # The labels and call-out columns are there, and match the records' meta.
    assert list(df["label_abuse"]) == [r["meta"]["label_abuse"] for r in records]
    assert list(df["officer"]) == [r["meta"]["officer"] for r in records]
    assert df["area"].nunique() == 4 and df["officer"].nunique() == 20


def test_the_frame_is_the_clis_csv(cli: Path) -> None:
    df = dashrisk.synth(300, seed=5, as_frame=True, officers=6)
    out = subprocess.run(
        [str(cli), "synth", "--n", "300", "--seed", "5", "--set", "officers=6", "--format", "csv"],
        capture_output=True, text=True, check=True,
    ).stdout
    csv = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert list(csv.columns) == list(df.columns)
    for c in df.columns:
        mine = ["" if pd.isna(v) else str(v).lower() if isinstance(v, bool) else str(v) for v in df[c].tolist()]
        assert mine == list(csv[c]), c


def test_dtypes_and_arguments() -> None:
    df = dashrisk.synth(50, as_frame=True)
    assert str(df["q1"].dtype) == "string"
    assert str(df["children_in_household"].dtype) == "boolean"
    assert str(df["prior_incidents_12m"].dtype) == "Int64"
    assert str(df["label_serious_harm"].dtype) == "int64"
    assert "officer" not in df.columns
    assert dashrisk.synth(3, random_state=4) == dashrisk.synth(3, seed=4)
    with pytest.raises(ValueError, match="give one of them"):
        dashrisk.synth(3, seed=2, random_state=4)
    with pytest.raises(ValueError, match="ofifcers"):
        dashrisk.synth(3, ofifcers=4)


def test_the_hint_for_a_dataframe_leads_to_results(scorer: dashrisk.Scorer) -> None:
    df = dashrisk.synth(200, seed=8, as_frame=True)
    with pytest.raises(TypeError) as e:
        scorer.assess_many(df)  # type: ignore[arg-type]
    hint = str(e.value)
    assert "assess_dataframe(df, scorer)" in hint and "assess_rows(df.to_dict" in hint
    # Both hints, followed as written, give the records' results.
    want = [r["classification"] for r in scorer.assess_many(dashrisk.synth(200, seed=8))]
    assert list(dashrisk.assess_dataframe(df, scorer)["classification"]) == want
    rows = scorer.assess_rows(df.to_dict("records"))
    assert [r["classification"] for r in rows] == want


def test_module_level_assess_mirrors_the_default_scorer(scorer: dashrisk.Scorer) -> None:
    recs = dashrisk.synth(20, seed=2)
    assert dashrisk.assess(recs[0]) == scorer.assess(recs[0])
    assert dashrisk.assess_many(recs) == scorer.assess_many(recs)
