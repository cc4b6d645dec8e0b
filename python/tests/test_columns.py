"""Column names of frames and rows: a misspelt contract column is refused, naming the
column it probably meant, never read as *not known*; nested names from
``pandas.json_normalize`` are read as their flat names, or refused; never dropped.

The researcher's finding this answers: ``power_imbalence`` misspelt turned 500 of
500 conflict rows into ``unclear`` without a word."""

from __future__ import annotations

import pytest

import dashrisk

pd = pytest.importorskip("pandas")


def _conflict_rows(n: int) -> dict[str, list[object]]:
    """``n`` rows that screen out as parental conflict when read correctly."""
    cols: dict[str, list[object]] = {f"q{i}": ["no"] * n for i in range(1, 28)}
    cols.update(
        fear=["no"] * n,
        power_imbalance=["no"] * n,
        children_in_household=[False] * n,
        prior_incidents_12m=[0] * n,
    )
    return cols


def test_the_correct_frame_is_parental_conflict() -> None:
    # The control: without it, the refusals below could pass on a frame that
    # would not have been conflict anyway.
    out = dashrisk.assess_dataframe(pd.DataFrame(_conflict_rows(50)))
    assert set(out["classification"]) == {"parental_conflict"}


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ("power_imbalence", "power_imbalance"),
        ("prior_incidents", "prior_incidents_12m"),
        ("Power Imbalance", "power_imbalance"),
        ("children_in_houshold", "children_in_household"),
        # Short names in another case or with a stray space were once passed
        # through, their answers read as not known.
        ("Fear", "fear"),
        ("fear ", "fear"),
    ],
)
def test_a_misspelt_contract_column_is_refused_naming_the_right_one(
    wrong: str, right: str
) -> None:
    cols = _conflict_rows(50)
    cols[wrong] = cols.pop(right)
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_dataframe(pd.DataFrame(cols))
    assert e.value.code == "unknown_field"
    assert e.value.field == wrong
    assert f'"{right}"' in str(e.value)
    assert isinstance(e.value, ValueError)


def test_rows_refuse_a_misspelt_column_on_every_row() -> None:
    rows = [{"q18": "no", "power_imbalence": "no", "id": f"r{i}"} for i in range(3)]
    out = dashrisk.Scorer().assess_rows(rows)
    assert [r["error"]["code"] for r in out] == ["unknown_field"] * 3
    assert all(r["error"]["field"] == "power_imbalence" for r in out)
    assert all("classification" not in r for r in out)


def test_json_normalize_columns_are_read_as_the_records_are(
    scorer: dashrisk.Scorer,
) -> None:
    records = dashrisk.synth(400, seed=21, officers=8)
    frame = pd.json_normalize(records)
    assert "answers.q18" in frame.columns or "answers.q1" in frame.columns
    assert any(c.startswith("conflict_screen.") for c in frame.columns)
    assert any(c.startswith("context.") for c in frame.columns)
    out = dashrisk.assess_dataframe(frame, scorer)
    want = scorer.assess_many(records)
    assert out["error_code"].isna().all(), out["error_message"].dropna().head()
    assert list(out["classification"]) == [r["classification"] for r in want]
    assert list(out["p_abuse"]) == [r["p_abuse"] for r in want]
    assert list(out["csc_notification"]) == [r["csc_notification"] for r in want]
    # Not all one class: a frame read as all "unclear" would fail here.
    assert out["classification"].nunique() == 3


@pytest.mark.parametrize(
    ("column", "code"),
    [
        ("conflict_screen.feer", "unknown_field"),
        ("context.prior_incidents", "unknown_field"),
        ("answers.q99", "unknown_question"),
    ],
)
def test_a_nested_name_its_section_lacks_is_refused(column: str, code: str) -> None:
    frame = pd.DataFrame({"q18": ["no"], column: ["yes"]})
    if code == "unknown_field":
        with pytest.raises(dashrisk.InputError) as e:
            dashrisk.assess_dataframe(frame)
        assert (e.value.code, e.value.field) == (code, column)
    else:
        # A question id is checked against each row's instrument: a row error.
        out = dashrisk.assess_dataframe(frame)
        assert (out.loc[0, "error_code"], out.loc[0, "error_field"]) == (code, column)


def test_a_field_given_nested_and_flat_is_a_duplicate() -> None:
    frame = pd.DataFrame({"q18": ["no"], "answers.q18": ["yes"]})
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_dataframe(frame)
    assert e.value.code == "duplicate_field"


def test_meta_and_other_columns_still_pass_through() -> None:
    frame = pd.DataFrame({"q18": ["yes"], "meta.area": ["north"], "label_abuse": [1]})
    out = dashrisk.assess_dataframe(frame)
    assert out.loc[0, "classification"] == "domestic_abuse"
    row = dashrisk.Scorer().assess_rows(frame.to_dict("records"))[0]
    assert row["passthrough"] == {"meta.area": "north", "label_abuse": 1}


def test_pass_through_cells_of_any_type_do_not_break_the_frame() -> None:
    # A force's export has dates and odd objects in its own columns: they are not
    # the scorer's business, and once made assess_dataframe fail.
    frame = pd.DataFrame(
        {
            "q18": ["yes", "no"],
            "call_time": pd.to_datetime(["2026-03-01 10:00", "2026-03-02 11:30"]),
            "raw": [b"\x00\xff", "\ud800"],
        }
    )
    out = dashrisk.assess_dataframe(frame)
    assert list(out["classification"]) == ["domestic_abuse", "unclear"]
    assert out["error_code"].isna().all()


def test_nested_booleans_and_empty_lists_read_by_their_key(scorer: dashrisk.Scorer) -> None:
    frame = pd.DataFrame(
        {
            "answers.q18": [True, False],
            "conflict_screen.fear": [False, True],
            "conflict_screen.recent_transitions": [[], ["separation"]],
        }
    )
    rows = scorer.assess_rows(frame.to_dict("records"))
    want = scorer.assess_many(
        [
            {"answers": {"q18": "yes"}, "conflict_screen": {"fear": "no", "recent_transitions": []}},
            {"answers": {"q18": "no"}, "conflict_screen": {"fear": "yes", "recent_transitions": ["separation"]}},
        ]
    )
    for got, w in zip(rows, want):
        assert "error" not in got, got
        got.pop("passthrough", None)
        assert got == w
