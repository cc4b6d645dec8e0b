"""Flat rows (CSV / DataFrame layout): assess_rows and assess_dataframe."""

from __future__ import annotations

import math
from typing import Any

import pytest

import dashrisk

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


def row_of(record: dict[str, Any]) -> dict[str, Any]:
    """The flat row for a JSON record (answers, screen and context side by side)."""
    row: dict[str, Any] = {k: record[k] for k in ("id",) if k in record}
    row.update(record.get("answers", {}))
    row.update(record.get("conflict_screen", {}))
    row.update(record.get("context", {}))
    return row


def test_row_equals_record(scorer: dashrisk.Scorer, calm: dict[str, Any]) -> None:
    (flat,) = scorer.assess_rows([row_of(calm)])
    assert flat == scorer.assess(calm)
    assert flat["classification"] == "parental_conflict"


@pytest.mark.parametrize("missing", [None, float("nan"), "", "  ", pd.NA, np.nan, np.float64("nan")])
def test_missing_cells_are_not_known(scorer: dashrisk.Scorer, missing: Any) -> None:
    """A missing cell is *not known*, never *no*: the same as leaving the key out."""
    row = {"id": "m", "q2": missing, "fear": missing, "prior_incidents_12m": missing, "q18": "no"}
    (flat,) = scorer.assess_rows([row])
    expected = scorer.assess({"id": "m", "answers": {"q18": "no"}})
    assert flat == expected
    assert flat["not_known_count"] == 26
    assert flat["classification"] != "parental_conflict"


def test_cell_types(scorer: dashrisk.Scorer) -> None:
    record = {
        "answers": {"q2": "no", "q3": "no", "q4": "yes", "q15": "no"},
        "conflict_screen": {"fear": "no", "power_imbalance": "yes", "recent_transitions": ["separation", "new_baby"]},
        "context": {
            "children_in_household": True,
            "prior_incidents_12m": 2,
            "incident_date": "2025-03-31",
            "prior_incident_dates": ["2025-01-02", "2025-02-03"],
        },
    }
    expected = scorer.assess(record)
    rows = [
        # Python bools in answer columns are ticks: True is "yes".
        {"q2": False, "q3": "no", "q4": True, "q15": "no", "fear": False, "power_imbalance": True,
         "recent_transitions": ["separation", "new_baby"], "children_in_household": True,
         "prior_incidents_12m": 2, "incident_date": "2025-03-31",
         "prior_incident_dates": ("2025-01-02", "2025-02-03")},
        # numpy scalars, a whole float, dates and a ';'-joined string.
        {"q2": "no", "q3": "no", "q4": np.bool_(True), "q15": "no", "fear": "no", "power_imbalance": "yes",
         "recent_transitions": "separation;new_baby", "children_in_household": np.bool_(True),
         "prior_incidents_12m": np.int64(2), "incident_date": pd.Timestamp("2025-03-31"),
         "prior_incident_dates": "2025-01-02; 2025-02-03"},
        {"q2": "no", "q3": "no", "q4": "yes", "q15": "no", "fear": "no", "power_imbalance": "yes",
         "recent_transitions": np.array(["separation", "new_baby"]), "children_in_household": "true",
         "prior_incidents_12m": 2.0, "incident_date": __import__("datetime").date(2025, 3, 31),
         "prior_incident_dates": ["2025-01-02", pd.Timestamp("2025-02-03")]},
        {"q2": "no", "q3": "no", "q4": "yes", "q15": "no", "fear": "no", "power_imbalance": "yes",
         "recent_transitions": "separation;new_baby", "children_in_household": "TRUE",
         "prior_incidents_12m": np.float32(2.0), "incident_date": "2025-03-31",
         "prior_incident_dates": "2025-01-02;2025-02-03"},
    ]
    for i, flat in enumerate(scorer.assess_rows(rows)):
        assert flat == expected, f"row {i}: {flat.get('error')}"


def test_empty_transition_list_means_none(scorer: dashrisk.Scorer) -> None:
    a, b = scorer.assess_rows([{"recent_transitions": []}, {"recent_transitions": "none"}])
    assert a == b == scorer.assess({"conflict_screen": {"recent_transitions": []}})


@pytest.mark.parametrize(
    ("row", "code", "field"),
    [
        ({"q28": "yes"}, "unknown_question", "q28"),
        ({"Q2": "yes"}, "unknown_question", "Q2"),
        ({"q2": "maybe"}, "invalid_value", "q2"),
        ({"q2": 1}, "invalid_value", "q2"),
        ({"prior_incidents_12m": -1}, "invalid_count", "prior_incidents_12m"),
        ({"prior_incidents_12m": 2.5}, "invalid_count", "prior_incidents_12m"),
        ({"prior_incidents_12m": float("inf")}, "invalid_count", "prior_incidents_12m"),
        ({"children_in_household": "maybe"}, "invalid_value", "children_in_household"),
        ({"children_in_household": 1}, "invalid_value", "children_in_household"),
        ({"incident_date": "31/03/2025"}, "invalid_date", "incident_date"),
        ({"fear": {"yes"}}, "wrong_type", "fear"),
        ({"fear": object()}, "wrong_type", "fear"),
        ({"recent_transitions": [["separation"]]}, "wrong_type", "recent_transitions"),
        ({"instrument": "nope"}, "unknown_instrument", "instrument"),
        ({1: "yes"}, "wrong_type", ""),
    ],
)
def test_row_errors(scorer: dashrisk.Scorer, row: dict[Any, Any], code: str, field: str) -> None:
    (out,) = scorer.assess_rows([row])
    assert (out["error"]["code"], out["error"]["field"]) == (code, field), out["error"]["message"]
    assert out["line"] == 1


def test_bad_row_in_the_middle_and_passthrough(scorer: dashrisk.Scorer) -> None:
    rows = [
        {"id": "a", "case_ref": 101, "q18": "yes"},
        {"id": "b", "case_ref": 102, "q2": "perhaps"},
        {"id": "c", "case_ref": 103, "q18": "no", "label": {"anything": "goes"}},
        "not a row",
    ]
    out = scorer.assess_rows(rows)
    assert [o.get("id") for o in out] == ["a", "b", "c", None]
    assert out[0]["classification"] == "domestic_abuse"
    assert out[0]["passthrough"] == {"case_ref": 101}
    assert out[1]["error"]["code"] == "invalid_value" and out[1]["line"] == 2
    assert out[1]["passthrough"] == {"case_ref": 102}
    assert out[2]["passthrough"] == {"case_ref": 103, "label": {"anything": "goes"}}
    assert out[3]["error"]["code"] == "wrong_type" and "passthrough" not in out[3]


def test_series_rows(scorer: dashrisk.Scorer) -> None:
    df = pd.DataFrame({"id": ["x", "y"], "q18": ["yes", None]})
    via_series = scorer.assess_rows(row for _, row in df.iterrows())
    via_records = scorer.assess_rows(df.to_dict("records"))
    assert via_series == via_records


def test_dataframe_round_trip(scorer: dashrisk.Scorer, calm: dict[str, Any]) -> None:
    calm_row = row_of(calm)
    del calm_row["recent_transitions"]
    df = pd.DataFrame(
        [
            calm_row,
            dict(calm_row, id="fear", fear="yes"),
            dict(calm_row, id="gap", q2=float("nan"), q3=None),
            dict(calm_row, id="bad", prior_incidents_12m=-2),
            dict(calm_row, id="repeat", prior_incidents_12m=5),
        ],
        index=pd.Index([10, 20, 30, 40, 50], name="row"),
    )
    df["case_ref"] = ["c1", "c2", "c3", "c4", "c5"]  # a pass-through column
    assert df["children_in_household"].dtype == bool
    assert df["prior_incidents_12m"].dtype == np.int64
    assert df["q2"].isna().sum() == 1
    out = dashrisk.assess_dataframe(df, scorer)
    assert list(out.columns) == list(dashrisk.RESULT_COLUMNS)
    assert out.index.equals(df.index)
    assert out["classification"].tolist()[:3] == ["parental_conflict", "domestic_abuse", "unclear"]
    assert out.loc[30, "not_known_count"] == 2
    assert out.loc[40, "error_code"] == "invalid_count"
    assert out.loc[40, "error_field"] == "prior_incidents_12m"
    assert pd.isna(out.loc[40, "classification"]) and pd.isna(out.loc[40, "yes_count"])
    assert out.loc[50, "marac_referral"]
    assert "marac" in out.loc[50, "pathways"].split(";")
    assert str(out["yes_count"].dtype) == "Int64"
    assert str(out["marac_referral"].dtype) == "boolean"
    assert out["p_abuse"].dtype == np.float64
    assert out.loc[10, "pathways"] == "rpc_support;early_help"
    assert out.loc[10, "children_in_household"]
    # The flat columns agree with the dict results.
    for idx, r in zip(df.index, scorer.assess_rows(df.to_dict("records"))):
        if "error" in r:
            continue
        assert math.isclose(out.loc[idx, "p_abuse"], r["p_abuse"])
        assert out.loc[idx, "reason_codes"] == ";".join(x["code"] for x in r["reasons"])
    joined = df.join(out[["classification", "risk_level"]])
    assert joined.loc[20, "case_ref"] == "c2"


def test_dataframe_with_nullable_dtypes(scorer: dashrisk.Scorer) -> None:
    df = pd.DataFrame(
        {
            "q2": pd.array(["no", pd.NA], dtype="string"),
            "children_in_household": pd.array([True, pd.NA], dtype="boolean"),
            "prior_incidents_12m": pd.array([1, pd.NA], dtype="Int64"),
            "incident_date": pd.to_datetime(["2025-01-01", None]),
        }
    )
    out = dashrisk.assess_dataframe(df, scorer)
    assert out["error_code"].isna().all()
    expected = scorer.assess(
        {"answers": {"q2": "no"}, "context": {"children_in_household": True, "prior_incidents_12m": 1, "incident_date": "2025-01-01"}}
    )
    assert out.loc[0, "p_abuse"] == expected["p_abuse"]
    assert out.loc[1, "not_known_count"] == 27
    assert pd.isna(out.loc[1, "children_in_household"])


def test_dataframe_column_problems(scorer: dashrisk.Scorer) -> None:
    df = pd.DataFrame([["yes", "no"]], columns=["q2", "q2"])
    with pytest.raises(dashrisk.InputError) as info:
        dashrisk.assess_dataframe(df, scorer)
    assert (info.value.code, info.value.field) == ("duplicate_field", "q2")
    with pytest.raises(dashrisk.InputError) as info:
        dashrisk.assess_dataframe(pd.DataFrame({0: ["yes"]}), scorer)
    assert info.value.code == "wrong_type"


def test_empty_dataframe(scorer: dashrisk.Scorer) -> None:
    out = dashrisk.assess_dataframe(pd.DataFrame({"q2": pd.Series([], dtype=object)}))
    assert len(out) == 0 and list(out.columns) == list(dashrisk.RESULT_COLUMNS)


def test_dataframe_misuse(scorer: dashrisk.Scorer) -> None:
    df = pd.DataFrame({"q2": ["yes"]})
    with pytest.raises(TypeError, match="assess_dataframe"):
        scorer.assess_rows(df)
    with pytest.raises(TypeError, match="assess_dataframe"):
        scorer.assess_many(df)
    with pytest.raises(TypeError, match="Series"):
        scorer.assess_rows(df.iloc[0])


def test_synthetic_population_as_a_dataframe(scorer: dashrisk.Scorer) -> None:
    """A researcher's path: synth -> flat DataFrame -> assess_dataframe."""
    recs = dashrisk.synth(500, seed=2)
    rows = []
    for r in recs:
        row = row_of(r)
        row["label_abuse"] = r["meta"]["label_abuse"]
        rows.append(row)
    df = pd.DataFrame(rows)
    out = dashrisk.assess_dataframe(df, scorer)
    assert out["error_code"].isna().all()
    direct = scorer.assess_many(recs)
    assert out["classification"].tolist() == [d["classification"] for d in direct]
    assert np.allclose(out["p_abuse"].to_numpy(), [d["p_abuse"] for d in direct])
    # On the synthetic population, abuse is classified as abuse more often than not.
    abuse = df["label_abuse"] == 1
    assert (out.loc[abuse, "classification"] == "domestic_abuse").mean() > 0.5
