"""The synthetic population, as records or as a flat table."""

from __future__ import annotations

from typing import Any, Optional

from dashrisk import _native

#: Columns of the synthetic table that hold a question's or the screen's answer.
_TEXT = ("id", "instrument", "incident_date", "area", "officer")


def synth(
    n: int,
    seed: int = 1,
    *,
    random_state: Optional[int] = None,
    as_frame: bool = False,
    **settings: Any,
) -> Any:
    """A seeded SYNTHETIC population of ``n`` incidents: NOT real data, and results on
    it say nothing about real people.

    By default a list of records in the JSON input contract (pass them to
    ``Scorer.assess_many``), each with ``meta`` holding ``synthetic`` (True), the labels
    ``label_abuse`` and ``label_serious_harm`` (1 or 0), and ``officer`` and ``area``
    when officers are set. With ``as_frame=True``, a pandas DataFrame with the flat
    columns of ``dashrisk synth --format csv`` (the columns ``assess_dataframe`` reads),
    the labels and, with officers, ``incident_date``, ``area`` and ``officer``: answers
    as text with *not known* as missing, ``children_in_household`` as a nullable
    boolean, ``prior_incidents_12m`` as a nullable integer, labels as integers.

    ``random_state`` is scikit-learn's name for ``seed``. Further keyword arguments are
    the generator's settings (docs/synthetic-data.md), e.g. ``officers=40, areas=5``:
    officers under-record sensitive items as the documented officer effect says.

    >>> import dashrisk
    >>> df = dashrisk.synth(200, random_state=3, as_frame=True, officers=10)
    >>> list(df.columns[-5:])
    ['incident_date', 'area', 'officer', 'label_abuse', 'label_serious_harm']
    >>> str(df["label_abuse"].dtype), str(df["children_in_household"].dtype)
    ('int64', 'boolean')
    >>> dashrisk.synth(2, seed=3)[0]["meta"]["synthetic"]
    True
    """
    if random_state is not None:
        if seed != 1 and seed != random_state:
            raise ValueError(f"seed={seed} and random_state={random_state}: give one of them")
        seed = random_state
    pairs = [f"{k}={v}" for k, v in settings.items()]
    if not as_frame:
        return _native.synth(n, seed, pairs)
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - pandas is an optional extra
        raise ImportError("synth(as_frame=True) needs pandas: pip install 'dashrisk[pandas]'") from e
    header, rows = _native.synth_table(n, seed, pairs)
    df = pd.DataFrame(rows, columns=header, dtype=object)
    for c in header:
        if c in ("label_abuse", "label_serious_harm"):
            df[c] = df[c].astype("int64")
        elif c == "children_in_household":
            df[c] = df[c].map({"true": True, "false": False, "": pd.NA}).astype("boolean")
        elif c == "prior_incidents_12m":
            df[c] = pd.to_numeric(df[c].replace("", pd.NA)).astype("Int64")
        elif c not in ("id", "instrument"):
            df[c] = df[c].replace("", pd.NA).astype("string")
        else:
            df[c] = df[c].astype("string")
    return df
