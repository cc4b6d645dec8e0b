"""Batches for the native functions: frames and lists of records, the default
scorer, and the first error of a batch as an exception. No heavy imports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dashrisk import _native
from dashrisk._errors import InputError
from dashrisk._native import Scorer


def _library(data: Any) -> str:
    return type(data).__module__.split(".")[0]


def _is_frame(data: Any) -> bool:
    """A pandas, polars or pyarrow table (or anything with pandas' frame API)."""
    if _library(data) in ("polars", "pyarrow") and hasattr(data, "columns"):
        return True
    return hasattr(data, "columns") and hasattr(data, "to_dict")


def _frame_columns(data: Any) -> list[str]:
    """A frame's column names."""
    if _library(data) == "pyarrow":
        return [str(c) for c in data.column_names]
    return [str(c) for c in data.columns]


def _frame_column(data: Any, name: str) -> list[Any]:
    """One column of a frame as a list; ``KeyError`` naming the columns when it has
    no such column."""
    names = _frame_columns(data)
    if name not in names:
        raise KeyError(f"{name!r} is not a column of the frame; its columns are {', '.join(names)}")
    lib = _library(data)
    if lib == "polars":
        return list(data[name].to_list())
    if lib == "pyarrow":
        return list(data.column(name).to_pylist())
    return list(data[name].tolist())


def _check_column_names(columns: Any) -> list[str]:
    """A frame's column names, checked once as the CSV reader checks a header:
    names must be strings, and a repeated column, a name close to a contract name
    (``power_imbalence``) or a nested name its section lacks raise ``InputError``.
    Returns the names."""
    for c in columns:
        if not isinstance(c, str):
            raise InputError(
                f"column names must be strings, found {c!r} ({type(c).__name__}); "
                "rename the columns (df.columns = df.columns.map(str))",
                code="wrong_type",
                field=str(c),
                value=type(c).__name__,
            )
    names = list(columns)
    _native.check_columns(names)
    return names


def _batch(data: Any) -> tuple[list[Any], bool, Any]:
    """The records of ``data`` for the native batch functions: ``(items, rows,
    index)``. A frame (pandas, polars, pyarrow) gives its rows (flat layout, columns
    checked once); any other iterable gives JSON-contract records (dicts or JSON
    text)."""
    if _is_frame(data):
        _check_column_names(
            data.column_names if _library(data) == "pyarrow" else data.columns
        )
        lib = _library(data)
        if lib == "polars":
            return data.to_dicts(), True, None
        if lib == "pyarrow":
            return data.to_pylist(), True, None
        return data.to_dict("records"), True, data.index
    if isinstance(data, (str, bytes, Mapping)):
        raise TypeError(
            "expected a DataFrame of flat rows or a list of records, found a single "
            f"{type(data).__name__}; wrap one record in a list"
        )
    return list(data), False, None


def _is_synth_id(value: Any) -> bool:
    """An id ``dashrisk synth`` writes (``syn-`` and seven ASCII digits), as the
    CLI tells synthetic records."""
    if not isinstance(value, str) or not value.startswith("syn-"):
        return False
    digits = value[4:]
    return len(digits) == 7 and all("0" <= ch <= "9" for ch in digits)


def _raise_first(errors: Sequence[Mapping[str, Any]]) -> None:
    if not errors:
        return
    e = errors[0]
    err = e["error"]
    row = int(e["line"]) - 1
    where = f"row {row}" + (f" (id {e['id']!r})" if e.get("id") else "")
    exc = InputError(
        f"{where}: {err['message']}",
        code=err["code"],
        field=err["field"],
        value=err.get("value"),
    )
    exc.row = row
    exc.record_id = e.get("id")
    raise exc


_DEFAULT_SCORER: Scorer | None = None


def _default() -> Scorer:
    global _DEFAULT_SCORER
    if _DEFAULT_SCORER is None:
        _DEFAULT_SCORER = Scorer()
    return _DEFAULT_SCORER


