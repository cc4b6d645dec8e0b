"""``assess_frame``: any frame that speaks the Arrow PyCapsule interface, read
column by column in Rust (no Python object per row or cell), assessed on every
core, and returned as a frame of the same kind.

pandas needs pyarrow for its Arrow export; polars and pyarrow need nothing else.
"""

from __future__ import annotations

from typing import Any

from dashrisk import _native
from dashrisk._batch import _check_column_names, _default
from dashrisk._errors import InputError
from dashrisk._native import Scorer

__all__ = ["assess_frame"]

#: Ordered vocabularies of the categorical result columns.
_LEVELS = ("standard", "medium", "high")
_CLASSES = ("parental_conflict", "unclear", "domestic_abuse")
_ORDERED = {
    "risk_level": _LEVELS,
    "actuarial_level": _LEVELS,
    "classification": _CLASSES,
}
_KINDS: dict[str, str] = dict(_native.RESULT_COLUMN_KINDS)


class _Stream:
    """Hands an object's Arrow C stream on (polars and pandas accept any object
    with ``__arrow_c_stream__``)."""

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._obj.__arrow_c_stream__(requested_schema)


def _kind(frame: Any) -> str:
    module = type(frame).__module__.split(".")[0]
    name = type(frame).__name__
    if module == "pandas" and name == "DataFrame":
        return "pandas"
    if module == "polars" and name == "DataFrame":
        return "polars"
    if module == "polars" and name == "LazyFrame":
        raise TypeError("a polars LazyFrame: collect() it first, then pass the DataFrame")
    if module == "pyarrow" and name in ("Table", "RecordBatch"):
        return "pyarrow"
    if hasattr(frame, "__arrow_c_stream__"):
        return "arrow"
    raise TypeError(
        f"assess_frame takes a pandas or polars DataFrame, a pyarrow Table, or any "
        f"object with __arrow_c_stream__ (a RecordBatchReader, DuckDB results, …); "
        f"found {type(frame).__name__}"
    )


def _contract_part(frame: Any, kind: str) -> Any:
    """The frame's columns that the scorer reads, as an Arrow stream; the others
    are never converted (they stay the caller's)."""
    names = (
        [str(c) for c in frame.column_names]
        if kind == "pyarrow"
        else [str(c) for c in frame.columns]
        if kind != "arrow"
        else None
    )
    if names is not None:
        _check_column_names(frame.column_names if kind == "pyarrow" else frame.columns)
        read = _native.read_columns(names)
        if kind == "pandas":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise ImportError(
                    "assess_frame reads pandas frames through Arrow, which needs pyarrow "
                    "(pip install pyarrow); or use assess_dataframe"
                ) from None
            return _pandas_contract(frame[read])
        if kind == "polars":
            import polars as pl

            if not read:
                # No column the scorer reads: one it ignores keeps the row count.
                return _Stream(frame.with_row_index("__dashrisk_rows").select("__dashrisk_rows"))
            # A column of nulls only (dtype Null) is exported by polars in a form
            # Arrow's C interface refuses; as text it is the same: not known.
            return _Stream(
                frame.select(
                    [pl.col(c).cast(pl.String) if frame.schema[c] == pl.Null else pl.col(c) for c in read]
                )
            )
        return _Stream(frame.select(read))  # pyarrow.Table or RecordBatch
    return frame


def _pandas_contract(part: Any) -> Any:
    """A pandas frame's contract columns as a pyarrow Table, converted once (by
    pyarrow, in parallel). A column that cannot be converted (mixed types, complex
    numbers, sparse, text with a lone surrogate, …) is an ``InputError`` naming
    it; only then are the columns converted one by one, to find it."""
    import pyarrow as pa

    # What pyarrow raises for a column it cannot convert; MemoryError and others
    # are not the input's fault and pass through.
    refused = (
        pa.ArrowInvalid,
        pa.ArrowTypeError,
        pa.ArrowNotImplementedError,
        TypeError,
        ValueError,
        OverflowError,
    )
    try:
        # The index is not data: pandas would export a named index as a column.
        # The result is put back on the index by row number.
        return pa.Table.from_pandas(part, preserve_index=False)
    except refused as whole:
        for c in part.columns:
            try:
                pa.array(part[c], from_pandas=True)
            except UnicodeError:
                raise InputError(
                    f"column {c!r} holds text that is not valid Unicode (a lone surrogate)",
                    code="invalid_utf8",
                    field=str(c),
                    value=None,
                ) from None
            except refused as e:
                raise InputError(
                    f"column {c!r} ({part[c].dtype}) cannot be read ({type(e).__name__}: "
                    f"{str(e)[:200]}); expected text, booleans, numbers, dates, or lists of them",
                    code="wrong_type",
                    field=str(c),
                    value=str(part[c].dtype),
                ) from None
        raise InputError(
            f"the frame cannot be read as Arrow ({type(whole).__name__}: {str(whole)[:200]})",
            code="wrong_type",
            field="",
            value=None,
        ) from None


def assess_frame(
    frame: Any,
    scorer: Scorer | None = None,
    *,
    errors: str = "raise",
    reasons: bool = False,
) -> Any:
    """Assesses every row of a frame in the flat layout (the columns of
    ``assess_dataframe``) and returns the results as a frame of the same kind:
    pandas in, pandas out (aligned to the input's index); polars in, polars out
    (rows in input order); a pyarrow Table, or any other Arrow stream (DuckDB), in,
    a pyarrow Table out.

    The frame is read column by column in Rust through the Arrow PyCapsule
    interface, and assessed on every core with the GIL released. Only the columns
    the scorer reads are converted; the others stay yours.

    Results:

    - ``classification``, ``risk_level`` and ``actuarial_level`` are ordered
      categoricals (pandas ``category``, polars ``Enum``);
    - ``pathways``, ``flags``, ``reason_codes``, ``marac_criteria`` and
      ``conflict_blockers`` are real list columns;
    - counts are nullable integers, flags nullable booleans, ``p_abuse`` a float;
    - ``reasons`` (the sentences) only with ``reasons=True``;
    - no column shares a name with an input column: ``id`` is left out when the
      input has one, and any other result column named like an input column
      (``children_in_household``) gets the suffix ``_result``. So
      ``df.join(result)`` (pandas) or ``pl.concat([df, result], how="horizontal")``
      (polars) works.

    Errors: a column name the contract refuses (close to a contract name, such as
    ``power_imbalence``) or a column of a type that cannot be read raises
    ``InputError`` before any row is assessed. A bad row raises ``InputError``
    with its ``row`` (0-based position) with ``errors="raise"`` (the default);
    with ``errors="coerce"`` its result columns are missing and ``error_code``,
    ``error_field``, ``error_value`` and ``error_message`` say what was wrong.

    >>> import dashrisk
    >>> df = dashrisk.synth(1000, random_state=2, as_frame=True)
    >>> out = dashrisk.assess_frame(df)
    >>> out["risk_level"].dtype.ordered, list(out["risk_level"].cat.categories)
    (True, ['standard', 'medium', 'high'])
    >>> joined = df.join(out)
    >>> joined.shape == (1000, df.shape[1] + out.shape[1])
    True
    """
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors: {errors!r} is not allowed; expected 'raise' or 'coerce'")
    kind = _kind(frame)
    stream = _contract_part(frame, kind)
    table, n_errors = _native.assess_arrow(scorer or _default(), stream, reasons)
    # The contract columns (a pyarrow Table for pandas) are read: free them before
    # the result is converted.
    del stream
    inputs = (
        {str(c) for c in frame.column_names}
        if kind == "pyarrow"
        else {str(c) for c in frame.columns}
        if kind in ("pandas", "polars")
        else set()
    )
    if kind == "pandas":
        out = _to_pandas(table, frame)
    elif kind == "polars":
        out = _to_polars(table)
    else:
        out = _to_pyarrow(table)
    # Before any renaming, so that the error columns are the scorer's own.
    if n_errors and errors == "raise":
        _raise_first_error(out, kind)
    drop, rename = _renames(_columns_of(out, kind), inputs, reasons)
    if kind == "pandas":
        return out.drop(columns=drop).rename(columns=rename)
    if kind == "polars":
        return out.drop(drop).rename(rename)
    out = out.drop_columns(drop)
    return out.rename_columns([rename.get(c, c) for c in out.column_names])


def _columns_of(out: Any, kind: str) -> list[str]:
    return list(out.column_names) if kind not in ("pandas", "polars") else list(out.columns)


def _renames(columns: list[str], inputs: set[str], reasons: bool) -> tuple[list[str], dict[str, str]]:
    """The result columns to leave out (``__row``; ``id`` when the input has one;
    the empty ``reasons``) and the new names of those named like an input column:
    ``_result`` added, again if that name is taken too."""
    drop = ["__row"]
    if "id" in inputs:
        drop.append("id")
    if not reasons:
        drop.append("reasons")
    taken = set(inputs) | {c for c in columns if c not in drop}
    rename: dict[str, str] = {}
    for c in columns:
        if c in inputs and c not in drop:
            new = f"{c}_result"
            while new in taken:
                new = f"{new}_result"
            taken.add(new)
            rename[c] = new
    return drop, rename


def _to_pandas(table: Any, frame: Any) -> Any:
    import pandas as pd
    import pyarrow as pa

    t = pa.table(_Stream(table))
    rows = t.column("__row").to_numpy()
    # Categorical columns arrive as Arrow dictionaries over their vocabularies
    # (pandas makes them categorical without a Python object per row), then get
    # their order.
    lists = pa.list_(pa.string())
    mapping = {
        pa.string(): pd.StringDtype(),
        pa.bool_(): pd.BooleanDtype(),
        pa.uint32(): pd.Int64Dtype(),
        pa.uint64(): pd.Int64Dtype(),
        pa.float64(): pd.Float64Dtype(),
        lists: pd.ArrowDtype(lists),
    }
    out = t.to_pandas(types_mapper=mapping.get)
    for c, cats in _ORDERED.items():
        out[c] = out[c].cat.set_categories(list(cats), ordered=True)
    out.index = frame.index[rows]
    return out


def _to_polars(table: Any) -> Any:
    import polars as pl

    out = pl.DataFrame(_Stream(table))
    out = out.with_columns(
        [pl.col(c).cast(pl.Enum(list(cats))) for c, cats in _ORDERED.items()]
        + [pl.col(c).cast(pl.Int64) for c in out.columns if _KINDS.get(c) == "count"]
    )
    return out


def _to_pyarrow(table: Any) -> Any:
    import pyarrow as pa

    t = pa.table(_Stream(table))
    # pyarrow results keep categorical columns as text, as they always have.
    for c in _ORDERED:
        i = t.column_names.index(c)
        t = t.set_column(i, c, t.column(c).cast(pa.string()))
    return t


def _raise_first_error(out: Any, kind: str) -> None:
    code_col = "error_code"
    if kind == "pandas":
        pos = int(out[code_col].notna().to_numpy().nonzero()[0][0])
        get = out.iloc[pos].get
    elif kind == "polars":
        import polars as pl

        idx = out.with_row_index("__pos").filter(pl.col(code_col).is_not_null())
        first_row = idx.row(0, named=True)
        pos = int(first_row["__pos"])
        get = first_row.get
    else:
        codes = out.column(code_col).to_pylist()
        pos = next(i for i, c in enumerate(codes) if c is not None)
        first_row = {c: out.column(c)[pos].as_py() for c in out.column_names}
        get = first_row.get
    record_id = _id_text(get("id"))
    where = f"row {pos}" + (f" (id {record_id!r})" if record_id is not None else "")
    exc = InputError(
        f"{where}: {get('error_message')}",
        code=str(get("error_code")),
        field=str(get("error_field")),
        value=get("error_value"),
    )
    exc.row = pos
    exc.record_id = record_id
    raise exc


def _id_text(v: Any) -> str | None:
    """An error row's ``id`` as successful rows read it: missing (None, NA, NaN)
    or only spaces is no id; otherwise the text without surrounding spaces."""
    if v is None or not isinstance(v, str):
        # The id column is text; anything else is a missing value (pd.NA, NaN).
        return None
    v = v.strip()
    return v or None
