"""Flat (tabular) views of results, and ``assess_dataframe`` for pandas users.

pandas is imported only inside :func:`assess_dataframe`: it is not a dependency of
the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dashrisk._batch import _check_column_names
from dashrisk import _native
from dashrisk._native import Scorer

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["RESULT_COLUMNS", "assess_dataframe", "flatten_result"]

#: Columns of :func:`flatten_result` and :func:`assess_dataframe`, in order: the
#: core's one list of flat result columns (``dashrisk::flat``), the same as the
#: CLI's CSV result columns (``dashrisk assess --output-format csv``). Lists are
#: ``;``-joined; reason texts are joined with spaces.
RESULT_COLUMNS: tuple[str, ...] = tuple(_native.RESULT_COLUMNS)

_KINDS: dict[str, str] = dict(_native.RESULT_COLUMN_KINDS)
_COUNT_COLUMNS = tuple(c for c in RESULT_COLUMNS if _KINDS[c] == "count")
_BOOL_COLUMNS = tuple(c for c in RESULT_COLUMNS if _KINDS[c] == "bool")
_FLOAT_COLUMNS = tuple(c for c in RESULT_COLUMNS if _KINDS[c] == "float")


def flatten_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """One result (or error record) of ``assess``/``assess_many``/``assess_rows``
    as a flat dict with the keys of :data:`RESULT_COLUMNS`.

    Lists become ``;``-joined text (``"marac;idva"``); ``children_in_household``
    and ``children_linked`` are ``True``, ``False`` or ``None`` (not known).
    ``p_abuse`` keeps full precision (the CLI's CSV rounds it to 4 places). On an
    error record the result columns are ``None`` and ``error_code``,
    ``error_field``, ``error_value`` and ``error_message`` are filled; on a result
    they are ``None``. The mapping is the core's (one definition for the CLI and
    Python).

    >>> import dashrisk
    >>> r = dashrisk.Scorer().assess({"answers": {"q18": "yes"}})
    >>> flat = dashrisk.flatten_result(r)
    >>> flat["classification"], flat["decided_by"], flat["flags"], flat["error_code"]
    ('domestic_abuse', 'safety_gate', 'strangulation', None)
    """
    return _native.flatten_result(result)


_DEFAULT_SCORER: Scorer | None = None


def _default_scorer() -> Scorer:
    global _DEFAULT_SCORER
    if _DEFAULT_SCORER is None:
        _DEFAULT_SCORER = Scorer()
    return _DEFAULT_SCORER


def assess_dataframe(df: pd.DataFrame, scorer: Scorer | None = None) -> pd.DataFrame:
    """Assesses every row of a DataFrame in the flat (CSV) layout and returns the
    results as a DataFrame with the columns of :data:`RESULT_COLUMNS`, aligned to
    ``df.index`` (join it back with ``df.join(results)``).

    Columns are those of ``Scorer.assess_rows``: ``q1``…``q27``, ``fear``,
    ``power_imbalance``, ``children_in_household``, ``prior_incidents_12m``, ….
    Nested names from ``pandas.json_normalize`` of JSON records
    (``answers.q18``, ``conflict_screen.fear``, ``context.incident_date``) are
    read as their flat names. A column whose name is close to a contract name
    (``power_imbalence``, ``prior_incidents``, ``Fear``), a nested name its
    section does not have, or a repeated column raises ``InputError`` naming the
    column (and the contract column it probably meant) before any row is read.
    Missing cells (NaN, ``None``, ``pd.NA``, ``""``) are *not known*, never *no*;
    ``True``/``False`` and whole numbers (also as floats, such as ``2.0``) are read
    as you would expect. Columns that are not part of the contract are ignored
    here (they are still in ``df``).

    A bad row does not stop the others: its result columns are missing and
    ``error_code``, ``error_field``, ``error_value`` and ``error_message`` say what
    was wrong. Counts are ``Int64`` and flags ``boolean`` (pandas' nullable dtypes),
    so error rows stay missing rather than turning into floats.

    >>> import pandas as pd
    >>> import dashrisk
    >>> df = pd.DataFrame(
    ...     {
    ...         "q18": ["yes", None, "no"],
    ...         "fear": ["yes", float("nan"), "maybe"],
    ...         "children_in_household": [True, False, True],
    ...         "prior_incidents_12m": [2, 0, 1],
    ...     },
    ...     index=["a", "b", "c"],
    ... )
    >>> out = dashrisk.assess_dataframe(df)
    >>> out.loc["a", "classification"], bool(out.loc["a", "csc_notification"])
    ('domestic_abuse', True)
    >>> out.loc["c", ["error_code", "error_field"]].tolist()
    ['invalid_value', 'fear']
    """
    import pandas as pd

    if scorer is None:
        scorer = _default_scorer()
    # Once for the frame, as the CSV reader does for its header.
    _check_column_names(df.columns)
    results = scorer.assess_rows(df.to_dict("records"))
    flat = [flatten_result(r) for r in results]
    data: dict[str, Any] = {}
    for c in RESULT_COLUMNS:
        values = [f[c] for f in flat]
        if c in _COUNT_COLUMNS:
            data[c] = pd.array(values, dtype="Int64")
        elif c in _BOOL_COLUMNS:
            data[c] = pd.array(values, dtype="boolean")
        elif c in _FLOAT_COLUMNS:
            data[c] = pd.array(
                [float("nan") if v is None else v for v in values], dtype="float64"
            )
        else:
            data[c] = pd.array(values, dtype=object)
    return pd.DataFrame(data, index=df.index, columns=list(RESULT_COLUMNS))
