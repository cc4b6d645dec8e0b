"""``assess_frame``: pandas, polars and pyarrow frames read as Arrow columns in Rust,
with results of the same kind. The results are the scorer's, checked against
``assess_many`` on the same records; the frame conventions (ordered categoricals,
real lists, nullable dtypes, no colliding names, the errors switch) are checked
one by one."""

from __future__ import annotations

import pytest

import dashrisk

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
np = pytest.importorskip("numpy")


@pytest.fixture(scope="module")
def records() -> list[dict[str, object]]:
    return dashrisk.synth(3000, seed=31, officers=10)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return dashrisk.synth(3000, random_state=31, as_frame=True, officers=10)


def _want(scorer: dashrisk.Scorer, records: list[dict[str, object]]) -> list[dict[str, object]]:
    return [r for r in scorer.assess_many(records)]


def test_pandas_results_are_the_scorers(
    frame: pd.DataFrame, records: list[dict[str, object]], scorer: dashrisk.Scorer
) -> None:
    out = dashrisk.assess_frame(frame)
    want = _want(scorer, records)
    assert out.index.equals(frame.index)
    assert list(out["classification"].astype(str)) == [r["classification"] for r in want]
    assert list(out["p_abuse"].astype(float)) == [r["p_abuse"] for r in want]
    assert list(out["risk_level"].astype(str)) == [r["risk_level"] for r in want]
    assert list(out["actuarial_level"].astype(str)) == [r["actuarial_level"] for r in want]
    # Categoricals are built from the scorer's vocabularies: no row falls outside one.
    for c in ("classification", "risk_level", "actuarial_level"):
        assert not out[c].isna().any(), c
    assert [list(p) for p in out["pathways"]] == [r["pathways"] for r in want]
    assert [list(p) for p in out["reason_codes"]] == [[x["code"] for x in r["reasons"]] for r in want]
    assert list(out["yes_count"]) == [r["yes_count"] for r in want]
    assert list(out["children_in_household_result"]) == [
        r["children"]["in_household"] if r["children"]["in_household"] is not None else pd.NA
        for r in want
    ]
    assert out["classification"].nunique() == 3


def test_nested_json_normalize_frames(records: list[dict[str, object]], scorer: dashrisk.Scorer) -> None:
    nested = pd.json_normalize(records)
    out = dashrisk.assess_frame(nested)
    assert list(out["classification"].astype(str)) == [r["classification"] for r in _want(scorer, records)]


def test_dtypes_are_typed_and_nullable(frame: pd.DataFrame) -> None:
    out = dashrisk.assess_frame(frame)
    assert out["risk_level"].dtype.ordered
    assert list(out["risk_level"].cat.categories) == ["standard", "medium", "high"]
    assert list(out["classification"].cat.categories) == ["parental_conflict", "unclear", "domestic_abuse"]
    assert (out["risk_level"] >= "medium").sum() == (out["risk_level"] != "standard").sum()
    assert str(out["yes_count"].dtype) == "Int64"
    assert str(out["marac_referral"].dtype) == "boolean"
    assert str(out["p_abuse"].dtype) == "Float64"
    assert isinstance(out["pathways"].dtype, pd.ArrowDtype)
    assert "reasons" not in out.columns
    # Pandas and the row-by-row function agree on every row.
    old = dashrisk.assess_dataframe(frame.head(500))
    assert list(out["classification"].head(500).astype(str)) == list(old["classification"])


def test_no_name_collides_so_join_works(frame: pd.DataFrame) -> None:
    out = dashrisk.assess_frame(frame)
    assert not set(out.columns) & set(frame.columns)
    assert "children_in_household_result" in out.columns and "id" not in out.columns
    joined = frame.join(out)
    assert joined.shape == (len(frame), frame.shape[1] + out.shape[1])


def test_polars_and_pyarrow_give_their_own_kind(frame: pd.DataFrame) -> None:
    want = dashrisk.assess_frame(frame)
    pframe = pl.from_pandas(frame)
    out = dashrisk.assess_frame(pframe)
    assert isinstance(out, pl.DataFrame)
    assert out["risk_level"].dtype == pl.Enum(["standard", "medium", "high"])
    assert out["pathways"].dtype == pl.List(pl.String)
    assert out["classification"].cast(pl.String).to_list() == list(want["classification"].astype(str))
    assert pl.concat([pframe, out], how="horizontal").shape[0] == len(frame)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    out_t = dashrisk.assess_frame(table)
    assert isinstance(out_t, pa.Table)
    assert out_t.column("classification").to_pylist() == list(want["classification"].astype(str))
    # pyarrow results keep the categorical columns as text.
    for c in ("classification", "risk_level", "actuarial_level"):
        assert out_t.schema.field(c).type == pa.string(), c
    assert out_t.column("risk_level").to_pylist() == list(want["risk_level"].astype(str))


def test_cells_of_every_type_are_read_as_the_rows_path_reads_them(scorer: dashrisk.Scorer) -> None:
    frame = pd.DataFrame(
        {
            "q18": pd.array([True, False, None], dtype="boolean"),
            "fear": [True, False, None],
            "children_in_household": pd.array([True, None, False], dtype="boolean"),
            "prior_incidents_12m": [2.0, float("nan"), 0.0],
            "incident_date": pd.to_datetime(["2026-03-01 21:15", None, "2026-02-01 00:00"]),
            "recent_transitions": [["separation"], [], None],
            "area": [object(), "x", 3],  # passed through, never converted
        }
    )
    out = dashrisk.assess_frame(frame, errors="coerce")
    want = scorer.assess_rows(frame.drop(columns=["area"]).to_dict("records"))
    assert list(out["classification"].astype(str)) == [r["classification"] for r in want]
    assert list(out["error_code"].isna()) == [True, True, True]


def test_errors_raise_or_coerce(frame: pd.DataFrame) -> None:
    bad = frame.head(50).copy()
    bad.loc[bad.index[7], "q3"] = "maybe"
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_frame(bad)
    assert (e.value.code, e.value.field, e.value.row) == ("invalid_value", "q3", 7)
    out = dashrisk.assess_frame(bad, errors="coerce")
    assert out["error_code"].notna().sum() == 1
    assert out.iloc[7]["error_field"] == "q3" and pd.isna(out.iloc[7]["classification"])
    assert out.drop(index=bad.index[7])["classification"].notna().all()
    with pytest.raises(ValueError, match="errors"):
        dashrisk.assess_frame(bad, errors="ignore")


def test_column_problems_are_refused_before_any_row(frame: pd.DataFrame) -> None:
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_frame(frame.rename(columns={"power_imbalance": "power_imbalence"}))
    assert (e.value.code, e.value.field) == ("unknown_field", "power_imbalence")
    mixed = frame.head(5).assign(q2=["yes", 1, 2.5, None, "no"])
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_frame(mixed)
    assert (e.value.code, e.value.field) == ("wrong_type", "q2")
    struct = pa.table({"q18": pa.array([{"a": 1}])})
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_frame(struct)
    assert (e.value.code, e.value.field) == ("wrong_type", "q18")
    with pytest.raises(TypeError, match="assess_frame takes"):
        dashrisk.assess_frame([{"q18": "yes"}])


def test_reasons_on_request(frame: pd.DataFrame, scorer: dashrisk.Scorer) -> None:
    out = dashrisk.assess_frame(frame.head(20), reasons=True)
    want = scorer.assess_rows(frame.head(20).to_dict("records"))
    assert list(out["reasons"]) == [" ".join(x["text"] for x in r["reasons"]) for r in want]
    # Every other column is what the frame gives without the sentences.
    many = frame.head(300)
    with_text = dashrisk.assess_frame(many, reasons=True)
    plain = dashrisk.assess_frame(many)
    assert with_text["reasons"].str.len().min() > 50
    pd.testing.assert_frame_equal(
        with_text.drop(columns=["reasons"]), plain.drop(columns=["reasons"], errors="ignore")
    )


def test_polars_and_pyarrow_frames_in_every_route(frame: pd.DataFrame) -> None:
    """featurise, evaluate and the estimators read polars and pyarrow frames as
    they read the pandas frame."""
    pframe = pl.from_pandas(frame)
    tframe = pa.Table.from_pandas(frame, preserve_index=False)
    X = dashrisk.featurise(frame)
    assert np.array_equal(dashrisk.featurise(pframe), X)
    assert np.array_equal(dashrisk.featurise(tframe), X)
    want = dashrisk.evaluate(frame, group_by=["officer"]).to_dict()
    for other in (pframe, tframe):
        got = dashrisk.evaluate(other, group_by=["officer"]).to_dict()
        got.pop("source"), want.pop("source", None)
        assert got == want
    est = dashrisk.ConflictAbuseScorer(recalibrate=False).fit(pframe, pframe["label_abuse"].to_numpy())
    assert np.array_equal(
        est.predict_proba(pframe),
        dashrisk.ConflictAbuseScorer(recalibrate=False).fit(frame, frame["label_abuse"]).predict_proba(frame),
    )


def test_review_findings_on_frames(frame: pd.DataFrame, scorer: dashrisk.Scorer) -> None:
    """Cases a review found: a named index is not data; a polars frame with no
    contract column keeps its rows; an input column named like an error column or
    like a renamed result does not break errors or names; a RecordBatchReader is a
    stream; a LazyFrame is refused; lists of timestamps and categorical booleans
    are read as their values."""
    indexed = pd.DataFrame({"q18": ["yes", "no"], "q1": ["no", "no"]}).set_index("q18")
    out = dashrisk.assess_frame(indexed)
    assert list(out["classification"].astype(str)) == list(
        dashrisk.assess_dataframe(indexed)["classification"]
    )
    assert list(out.index) == ["yes", "no"]
    bare = pd.DataFrame({"area": ["n", "s", "e"]})
    assert len(dashrisk.assess_frame(pl.from_pandas(bare))) == 3
    clash = frame.head(20).assign(error_code="x", risk_level_result="y", risk_level="z")
    clash.loc[clash.index[4], "q2"] = "maybe"
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_frame(clash)
    assert (e.value.code, e.value.field, e.value.row) == ("invalid_value", "q2", 4)
    out = dashrisk.assess_frame(clash, errors="coerce")
    assert not set(out.columns) & set(clash.columns)
    assert "risk_level_result_result" in out.columns and "error_code_result" in out.columns
    reader = pa.Table.from_pandas(frame.head(50), preserve_index=False).to_reader()
    out_r = dashrisk.assess_frame(reader)
    assert isinstance(out_r, pa.Table) and out_r.num_rows == 50
    with pytest.raises(TypeError, match="LazyFrame"):
        dashrisk.assess_frame(pl.from_pandas(frame.head(5)).lazy())
    typed = pd.DataFrame(
        {
            "q18": pd.Categorical([True, False]),
            "incident_date": pd.to_datetime(["2026-03-01", "2026-03-02"]),
            "prior_incident_dates": [
                [pd.Timestamp("2026-01-05"), pd.Timestamp("2025-12-01")],
                [pd.Timestamp("2026-02-01")],
            ],
        }
    )
    out_t = dashrisk.assess_frame(typed)
    want = scorer.assess_rows(typed.to_dict("records"))
    assert list(out_t["classification"].astype(str)) == [r["classification"] for r in want]
    assert out_t["error_code"].isna().all()


def test_an_error_row_without_an_id_raises_input_error() -> None:
    """Review finding: with no id, pandas gives the error row's id as pd.NA, and
    ``if record_id`` raised TypeError instead of the InputError."""
    df = pd.DataFrame({"q18": ["yes", "Yes"]})
    for frame in (df, pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False)):
        with pytest.raises(dashrisk.InputError) as e:
            dashrisk.assess_frame(frame)
        assert (e.value.code, e.value.field, e.value.row) == ("invalid_value", "q18", 1)
        assert e.value.record_id is None and "(id" not in str(e.value)
    # Missing ids, and ids of spaces only, are no id; others lose their spaces.
    ids = pd.DataFrame({"id": [None, "   ", " c-3 "], "q18": ["Yes", "Yes", "Yes"]})
    for row, want in ((0, None), (1, None), (2, "c-3")):
        one = ids.iloc[[row]].reset_index(drop=True)
        with pytest.raises(dashrisk.InputError) as e:
            dashrisk.assess_frame(one)
        assert e.value.record_id == want
        assert ("(id 'c-3')" in str(e.value)) == (want is not None)


def test_columns_of_nulls_only_are_not_known(scorer: dashrisk.Scorer) -> None:
    """Review finding: a polars column of dtype Null refused the whole frame
    (wrong_type, field ''); it is a column of not-known cells."""
    want = scorer.assess_rows([{"q18": "yes"}, {"q18": "no"}])
    p = pl.DataFrame([{"q18": "yes", "incident_date": None}, {"q18": "no", "incident_date": None}])
    assert p.schema["incident_date"] == pl.Null
    frames = {
        "polars": p,
        "pandas": pd.DataFrame({"q18": ["yes", "no"], "incident_date": [None, None]}),
        "pyarrow": pa.table({"q18": ["yes", "no"], "incident_date": pa.nulls(2)}),
        "polars all-null contract": pl.DataFrame(
            {"q18": ["yes", "no"], "q1": [None, None], "recent_transitions": [None, None]}
        ),
    }
    for name, frame in frames.items():
        out = dashrisk.assess_frame(frame)
        got = out["classification"].cast(pl.String).to_list() if name.startswith("polars") else (
            list(out["classification"].astype(str)) if name == "pandas" else out.column("classification").to_pylist()
        )
        assert got == [r["classification"] for r in want], name
    # The same as the row-by-row function reads the pandas version.
    old = dashrisk.assess_dataframe(p.to_pandas())
    assert list(old["classification"]) == [r["classification"] for r in want]


def test_extension_types_are_refused_not_read_as_their_storage() -> None:
    """Review finding: a pandas Period column reached Rust as its int64 storage,
    so the ordinal 660 (2025-01) was read as 660 prior incidents: a MARAC referral."""
    periods = pd.DataFrame(
        {"q18": ["no"], "prior_incidents_12m": pd.period_range("2025-01", periods=1, freq="M")}
    )
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_frame(periods)
    assert (e.value.code, e.value.field) == ("wrong_type", "prior_incidents_12m")
    assert "pandas.period" in str(e.value)
    # As assess_dataframe reads it.
    assert dashrisk.assess_dataframe(periods)["error_code"].tolist() == ["wrong_type"]
    intervals = pd.DataFrame({"prior_incidents_12m": pd.arrays.IntervalArray.from_breaks([0, 1])})
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_frame(intervals)
    assert (e.value.code, e.value.field) == ("wrong_type", "prior_incidents_12m")
    # An extension type on a list's items, through pyarrow.
    uuid = pa.array([b"0123456789abcdef"], pa.uuid())
    table = pa.table({"recent_transitions": pa.ListArray.from_arrays([0, 1], uuid)})
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_frame(table)
    assert (e.value.code, e.value.field) == ("wrong_type", "recent_transitions")
    assert "arrow.uuid" in str(e.value)


@pytest.mark.parametrize(
    ("column", "code"),
    [
        (pd.arrays.SparseArray([1.0, 0.0]), "wrong_type"),
        (np.array([1 + 2j, 3 + 0j]), "wrong_type"),
        (pd.Series(["yes", "\ud800"], dtype=object), "invalid_utf8"),
        (pd.Series(["yes", b"no"], dtype=object), "wrong_type"),
        (pd.Series([2, 2**70], dtype=object), "wrong_type"),
    ],
    ids=["sparse", "complex", "surrogate", "bytes", "huge-int"],
)
def test_pandas_columns_that_cannot_be_exported_are_input_errors(column: object, code: str) -> None:
    """Review finding: a Sparse column raised TypeError, a complex one
    ArrowNotImplementedError, a lone surrogate UnicodeEncodeError."""
    df = pd.DataFrame({"q18": ["yes", "no"], "prior_incidents_12m": column, "area": [object(), 1j]})
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.assess_frame(df)
    assert (e.value.code, e.value.field) == (code, "prior_incidents_12m")
    assert "prior_incidents_12m" in str(e.value)


_LIST_CELLS = {
    "all null": ([None], None, 1.0),
    "two nulls": ([None, None], None, 1.0),
    "empty": ([], "none", 0.0),
    "null and a value": ([None, "separation"], "separation", 0.0),
    "value": (["separation"], "separation", 0.0),
    "missing": (None, None, 1.0),
}


def test_list_cells_are_read_as_the_rows_path_reads_them(scorer: dashrisk.Scorer) -> None:
    """Review finding: ``[None]`` and ``[[None]]`` were "none" (known to be none)
    in assess_frame but not known in assess_rows; nested lists were flattened.
    A list of nulls only is not known; an empty list is none; nested lists are
    refused by both."""
    # Control and violence: separation adds the flag separation_control_violence.
    base = {"q1": "yes", "q2": "no", "q4": "no", "q15": "no", "fear": "yes", "power_imbalance": "yes",
            "children_in_household": True, "prior_incidents_12m": 0}
    cells = [v for v, _, _ in _LIST_CELLS.values()]
    rows = [dict(base, recent_transitions=v) for v in cells]
    want = scorer.assess_rows(rows)
    sep = ["separation_control_violence" in r["flags"] for r in want]
    assert sep == [False, False, False, True, True, False]
    # The rows path: featurise reads pandas rows as assess_rows does, and says
    # whether the transitions are known ([None, None] was ";", read as none).
    not_known = list(dashrisk.feature_names_out()).index("screen.recent_transitions=not_known")
    X = dashrisk.featurise(pd.DataFrame(rows))
    assert list(X[:, not_known]) == [k for _, _, k in _LIST_CELLS.values()]
    frames = {
        "pandas": pd.DataFrame(rows),
        "polars": pl.DataFrame(rows, schema_overrides={"recent_transitions": pl.List(pl.String)}),
        "pyarrow": pa.Table.from_pylist(rows),
        "pyarrow large list": pa.table(
            {"recent_transitions": pa.array(cells, pa.large_list(pa.string()))}
        ),
    }
    for name, frame in frames.items():
        # The Arrow path reads each list as the text the rows path gives it.
        read = dict(dashrisk._native.arrow_cells(frame))
        assert read["recent_transitions"] == [t for _, t, _ in _LIST_CELLS.values()], name
        if name == "pyarrow large list":
            continue
        out = dashrisk.assess_frame(frame)
        got = out.to_pandas() if not isinstance(out, pd.DataFrame) else out
        assert ["separation_control_violence" in list(f) for f in got["flags"]] == sep, name
        assert list(got["classification"].astype(str)) == [r["classification"] for r in want], name
    # In another list column, a list of nulls only is not known too, as is an
    # empty list there (empty text, as the rows path gives it).
    dates = pa.table(
        {"prior_incident_dates": pa.array([[None], [], ["2026-01-02", None]], pa.list_(pa.string()))}
    )
    assert dict(dashrisk._native.arrow_cells(dates))["prior_incident_dates"] == [None, "", "2026-01-02"]
    for nested in ([[None]], [["separation"]], [[]]):
        error = scorer.assess_rows([dict(base, recent_transitions=nested)])[0]["error"]
        assert (error["code"], error["field"]) == ("wrong_type", "recent_transitions")
        for frame in (pd.DataFrame([dict(base, recent_transitions=nested)]),
                      pa.Table.from_pylist([dict(base, recent_transitions=nested)])):
            with pytest.raises(dashrisk.InputError) as e:
                dashrisk.assess_frame(frame)
            assert (e.value.code, e.value.field) == ("wrong_type", "recent_transitions"), nested
    # numpy arrays inside a list are nested lists too, never flattened.
    error = scorer.assess_rows([dict(base, recent_transitions=[np.array(["separation"])])])[0]["error"]
    assert (error["code"], error["field"]) == ("wrong_type", "recent_transitions")
