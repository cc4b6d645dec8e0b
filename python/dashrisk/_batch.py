"""Batches for the native functions: frames and lists of records, the default
scorer, and the first error of a batch as an exception. No heavy imports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dashrisk import _native
from dashrisk._errors import InputError
from dashrisk._native import Scorer


def _is_frame(data: Any) -> bool:
    return hasattr(data, "columns") and hasattr(data, "to_dict")


def _batch(data: Any) -> tuple[list[Any], bool, Any]:
    """The records of ``data`` for the native batch functions: ``(items, rows,
    index)``. A pandas DataFrame gives its rows (flat layout, columns checked once);
    any other iterable gives JSON-contract records (dicts or JSON text)."""
    if _is_frame(data):
        columns = [str(c) for c in data.columns]
        _native.check_columns(columns)
        return data.to_dict("records"), True, data.index
    if isinstance(data, (str, bytes, Mapping)):
        raise TypeError(
            "expected a DataFrame of flat rows or a list of records, found a single "
            f"{type(data).__name__}; wrap one record in a list"
        )
    if hasattr(data, "to_pandas") and hasattr(data, "columns"):
        raise TypeError(
            "a polars (or Arrow) frame: convert it with .to_pandas() first; "
            "Arrow frames are read directly in a later release"
        )
    return list(data), False, None


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


