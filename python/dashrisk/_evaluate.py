"""``dashrisk.evaluate``: tools side by side on labelled records, as
``dashrisk evaluate`` computes them (the same Rust code per record and for every
figure), for notebooks.

pandas is needed only for :meth:`Evaluation.to_frame` and
:meth:`Evaluation.group_frame`.
"""

from __future__ import annotations

import json
import math
import operator
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dashrisk import _native
from dashrisk._batch import _batch, _default, _frame_column, _frame_columns, _is_synth_id
from dashrisk._errors import InputError
from dashrisk._native import Scorer

__all__ = ["BUILTIN_TOOLS", "Evaluation", "evaluate"]

#: The built-in tools, in report order (the comparison model is passed as a score:
#: see :func:`evaluate`).
BUILTIN_TOOLS: tuple[str, ...] = ("dash_count", "dash_grade", "p_abuse", "classification", "lap_screen")

_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}


class Evaluation:
    """The figures of one evaluation (schema ``dashrisk-evaluation/1``, described in
    docs/guide-evaluate.md): per tool, per group, and the notes.

    - :meth:`to_dict` / :meth:`to_json`: the whole evaluation, as the CLI's
      ``--json`` writes it.
    - :meth:`to_html`: the self-contained report of ``--report`` (charts as SVG,
      no script, nothing loaded from elsewhere); Jupyter renders it inline.
    - :meth:`to_frame`: one row per tool (AUC with its 95% interval, Brier score,
      calibration, the positive call's sensitivity and specificity, …).
    - :attr:`auc_interval_method`: the method of every AUC interval
      (``"newcombe-2006-method-5"``, Newcombe's 2006 score interval).
    - :meth:`group_frame`: one row per group of a ``group_by`` column.
    - ``str(evaluation)``: the CLI's text table.

    Figures on synthetic data say so (``synthetic`` and the notice in every form).
    """

    def __init__(self, json_text: str, html: str, text: str, errors: list[dict[str, Any]]) -> None:
        self._json = json_text
        self._html = html
        self._text = text
        self._data: dict[str, Any] = json.loads(json_text)
        #: Error records of the records that could not be evaluated
        #: (``errors="coerce"``): ``line`` (from 1), ``id`` and ``error``.
        self.errors = errors

    @property
    def synthetic(self) -> bool:
        """Whether the figures come from synthetic records."""
        return bool(self._data["synthetic"])

    @property
    def auc_interval_method(self) -> str:
        """The method of every AUC interval (``auc_ci95`` in :meth:`to_dict`,
        ``auc_ci_low``/``auc_ci_high`` in the frames): ``"newcombe-2006-method-5"``,
        Newcombe's (2006) score interval. The paired comparisons' intervals are
        DeLong's."""
        return str(self._data["auc_ci95_method"])

    def to_dict(self) -> dict[str, Any]:
        """The evaluation as plain Python objects (a fresh copy)."""
        copy: dict[str, Any] = json.loads(self._json)
        return copy

    def to_json(self, indent: int | None = None) -> str:
        """The evaluation as JSON text, the CLI's ``--json``."""
        return self._json if indent is None else json.dumps(self._data, indent=indent)

    def to_html(self) -> str:
        """The self-contained HTML report, the CLI's ``--report``."""
        return self._html

    def _repr_html_(self) -> str:
        return self._html

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        r = self._data["records"]
        tools = ", ".join(t["tool"] for t in self._data["tools"])
        flag = ", SYNTHETIC" if self.synthetic else ""
        return f"<Evaluation of {tools} on {r['evaluated']} records{flag}>"

    def to_frame(self) -> Any:
        """One row per tool, indexed by tool name: ``kind``, ``n``, ``auc`` with
        ``auc_ci_low``/``auc_ci_high`` (its 95% interval, by
        :attr:`auc_interval_method`; ``NaN`` with the reason in ``auc_ci_note`` when
        there is none, as for a score that is the same on every record),
        ``average_precision``, ``brier``,
        ``log_loss``, ``ece``, ``calibration_slope``, ``calibration_intercept``
        (``NaN`` for a tool that is not a probability), and at the tool's positive
        call (``positive_rule``) its ``sensitivity``, ``specificity``, ``ppv`` and
        ``npv``."""
        import pandas as pd

        rows = []
        for t in self._data["tools"]:
            ci = t.get("auc_ci95") or [None, None]
            at = t.get("at_rule") or {}
            rows.append(
                {
                    "tool": t["tool"],
                    "kind": t["kind"],
                    "n": t["n"],
                    "auc": t["auc"],
                    "auc_ci_low": ci[0],
                    "auc_ci_high": ci[1],
                    "auc_ci_note": t.get("auc_ci95_note"),
                    "average_precision": t["average_precision"],
                    "brier": t["brier"],
                    "log_loss": t["log_loss"],
                    "ece": t["ece"],
                    "calibration_slope": t["calibration_slope"],
                    "calibration_intercept": t["calibration_intercept"],
                    "positive_rule": t["positive_rule"],
                    "sensitivity": at.get("sensitivity"),
                    "specificity": at.get("specificity"),
                    "ppv": at.get("ppv"),
                    "npv": at.get("npv"),
                }
            )
        frame = pd.DataFrame(rows).set_index("tool")
        numeric = [c for c in frame.columns if c not in ("kind", "positive_rule", "n", "auc_ci_note")]
        frame[numeric] = frame[numeric].astype("float64")
        return frame

    def group_frame(self, column: str) -> Any:
        """One row per group of the ``group_by`` column ``column``: ``n``,
        ``abuse``, the reference tool's ``auc`` with ``auc_ci_low``/``auc_ci_high``
        (by :attr:`auc_interval_method`; missing with the reason in ``auc_ci_note``
        when every record of the group has the same score) and
        ``calibration_intercept``, and
        the rates of ``marac``, ``csc``, ``conflict`` and ``medium_or_high`` with
        their funnel-plot position. Suppressed groups (fewer records than
        ``min_cell``) have missing figures."""
        import pandas as pd

        for g in self._data["groups"]:
            if g["column"] == column:
                rows = []
                for r in g["rows"]:
                    ci = r.get("auc_ci95") or [None, None]
                    row: dict[str, Any] = {
                        "group": r["group"],
                        "suppressed": r["suppressed"],
                        "n": r["n"],
                        "abuse": r["abuse"],
                        "auc": r["auc"],
                        "auc_ci_low": ci[0],
                        "auc_ci_high": ci[1],
                        "auc_ci_note": r.get("auc_ci95_note"),
                        "calibration_intercept": r["calibration_intercept"],
                    }
                    for rate in ("marac", "csc", "conflict", "medium_or_high"):
                        row[f"{rate}_rate"] = r[rate]["rate"]
                        row[f"{rate}_funnel"] = r[rate]["funnel"]
                    rows.append(row)
                frame = pd.DataFrame(rows).set_index("group")
                frame["n"] = frame["n"].astype("Int64")
                frame["abuse"] = frame["abuse"].astype("Int64")
                return frame
        known = [g["column"] for g in self._data["groups"]]
        raise KeyError(f"{column!r} is not a group_by column of this evaluation; it has {known}")


def _label(v: Any, row: int, field: str) -> bool | None:
    if _missing(v):
        return None
    if v is False or v is True:
        return bool(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v in (0, 1):
        return bool(v)
    text = str(v).strip().lower()
    if text in ("", "nan", "none", "<na>", "null"):
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    exc = InputError(
        f"row {row}: {field}: {str(v)[:80]!r} is not a label; expected 1/0, true/false or yes/no "
        "(missing: the record is left out)",
        code="invalid_value",
        field=field,
        value=str(v)[:80],
    )
    exc.row = row
    raise exc


def _missing(v: Any) -> bool:
    """None, NaN, pandas' NA and NaT: no value."""
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return type(v).__name__ in ("NAType", "NaTType")


def _score(v: Any, row: int, field: str) -> float:
    if _missing(v):
        return math.nan
    try:
        x = float(v)
    except (TypeError, ValueError):
        text = str(v).strip()
        if text == "":
            return math.nan
        exc = InputError(
            f"row {row}: {field}: {text[:80]!r} is not a score; expected a finite number, or missing for no score",
            code="invalid_value",
            field=field,
            value=text[:80],
        )
        exc.row = row
        raise exc from None
    if math.isinf(x):
        exc = InputError(
            f"row {row}: {field}: {x} is not a score; expected a finite number",
            code="invalid_value",
            field=field,
            value=str(x),
        )
        exc.row = row
        raise exc
    return x


def _group(v: Any) -> str | None:
    if _missing(v):
        return None
    text = str(v)
    return None if text in ("", "nan", "<NA>", "None") else text


def _argument_error(name: str, value: Any, allowed: str) -> InputError:
    shown = repr(value)[:80]
    return InputError(
        f"{name}: {shown} is not allowed; expected {allowed}",
        code="invalid_value",
        field=name,
        value=shown,
    )


def _threshold(v: Any) -> float:
    """``threshold`` as the CLI's ``--threshold`` takes it: a number strictly
    between 0 and 1 (0 or 1 would call every record, or none, abuse)."""
    allowed = "a number between 0 and 1 (exclusive), such as 0.5"
    if isinstance(v, bool) or isinstance(v, (str, bytes)):
        raise _argument_error("threshold", v, allowed)
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise _argument_error("threshold", v, allowed) from None
    if not 0.0 < x < 1.0:  # also refuses NaN
        raise _argument_error("threshold", v, allowed)
    return x


def _min_cell(v: Any) -> int:
    """``min_cell`` as the CLI's ``--min-cell`` takes it: a whole number, at least 1."""
    allowed = "a whole number of at least 1, such as 10"
    if isinstance(v, bool):
        raise _argument_error("min_cell", v, allowed)
    try:
        n = operator.index(v)  # int, numpy integers; never 2.5 or "10"
    except TypeError:
        raise _argument_error("min_cell", v, allowed) from None
    if n < 1 or n > 2**64 - 1:
        raise _argument_error("min_cell", v, allowed)
    return int(n)


def _column(data: Any, rows: bool, records: list[Any], name: str) -> list[Any]:
    """A column of a frame, or a ``meta`` value of JSON records (as the CLI reads
    labels and groups from JSON Lines)."""
    if rows:
        return _frame_column(data, name)
    out = []
    found = False
    for r in records:
        meta = r.get("meta") if isinstance(r, Mapping) else None
        found |= isinstance(meta, Mapping) and name in meta
        out.append(meta.get(name) if isinstance(meta, Mapping) else None)
    if records and not found:
        # As a frame's missing column does: a misspelt key must not read as a
        # tool scored on no record, or one blank group.
        raise KeyError(f"{name!r}: no record's meta has this key; check the spelling")
    return out


def _aligned(data: Any, rows: bool, name: str, values: Iterable[Any]) -> list[Any]:
    """One value per record of ``data``, in its order. A pandas Series given with
    a frame is matched by its index, as pandas matches it (not by position: a
    sorted or sampled Series would silently pair scores with other records); one
    whose index is not the frame's raises. Lists and arrays are positional."""
    index = getattr(data, "index", None) if rows else None
    if index is not None and type(values).__name__ == "Series" and hasattr(values, "index"):
        v_index = values.index
        if v_index.equals(index):
            return list(values)
        if v_index.is_unique and index.is_unique and len(v_index) == len(index) and v_index.isin(index).all():
            return list(values.reindex(index))  # type: ignore[attr-defined]
        raise ValueError(
            f"{name}: a Series whose index is not the frame's; give one value per row of "
            "the frame, indexed like it (or a list or array, read in row order)"
        )
    return list(values)


def evaluate(
    data: Any,
    label: str = "label_abuse",
    *,
    tools: Sequence[str] | None = None,
    scores: Mapping[str, Iterable[Any]] | Sequence[str] | None = None,
    group_by: Sequence[str] | Mapping[str, Iterable[Any]] | None = None,
    threshold: float = 0.5,
    min_cell: int = 10,
    synthetic: bool | None = None,
    errors: str = "raise",
    scorer: Scorer | None = None,
    source: str | None = None,
    allow_duplicate_ids: bool = False,
) -> Evaluation:
    """Evaluates tools side by side on labelled records: the figures of
    ``dashrisk evaluate``, computed by the same code.

    ``data`` is a pandas DataFrame in the flat layout with a ``label`` column (1 =
    domestic abuse, 0 = not; missing = left out and counted), or a list of records
    in the JSON input contract with the label in ``meta``. ``tools`` are built-in
    tools (default all of :data:`BUILTIN_TOOLS`). ``scores`` adds tools you bring:
    a mapping of name to one score per record (a probability in [0, 1], or any
    ranking), or names of score columns of the frame. For the comparison model,
    pass its out-of-fold probabilities::

        from sklearn.model_selection import cross_val_predict
        p = cross_val_predict(make_pipeline(Featuriser(), LogisticComparison()),
                              df, df["label_abuse"], method="predict_proba")[:, 1]
        dashrisk.evaluate(df, scores={"model": p})

    ``group_by`` names columns (or ``meta`` keys) to break the figures down by, or
    maps names to one group value per record. ``threshold`` (probability tools
    call a record abuse at or above it) is a number strictly between 0 and 1, and
    ``min_cell`` (per-group counts below it are withheld) a whole number of at
    least 1, as the CLI's ``--threshold`` and ``--min-cell``; anything else raises
    ``InputError`` (code ``invalid_value``, ``field`` the argument's name).
    ``errors="raise"`` (the default)
    raises ``InputError`` for the first record that cannot be read, with its
    ``row``; ``errors="coerce"`` leaves such records out, counts them, and lists
    them in ``Evaluation.errors``. Records from ``dashrisk.synth`` are recognised
    by their ids (every id ``syn-NNNNNNN``), and the figures then say they are
    synthetic; ``synthetic=True`` or ``False`` says so instead. The label column's
    name decides nothing: ``label_abuse`` on records with other ids warns and is
    taken as real. Records that repeat an earlier record's ``id`` raise
    ``ValueError`` (a record counted twice narrows every interval), unless
    ``allow_duplicate_ids=True``, which evaluates them and says so in the notes.

    >>> import dashrisk
    >>> df = dashrisk.synth(2000, random_state=5, as_frame=True, officers=10)
    >>> ev = dashrisk.evaluate(df, "label_abuse", group_by=["officer"])
    >>> ev.synthetic, list(ev.to_frame().index)
    (True, ['dash_count', 'dash_grade', 'p_abuse', 'classification', 'lap_screen'])
    >>> bool(ev.to_frame().loc["p_abuse", "auc"] > ev.to_frame().loc["dash_grade", "auc"])
    True
    >>> "SYNTHETIC" in ev.to_html()
    True
    """
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors: {errors!r} is not allowed; expected 'raise' or 'coerce'")

    threshold = _threshold(threshold)
    min_cell = _min_cell(min_cell)

    items, rows, _ = _batch(data)
    n = len(items)
    tool_names = list(BUILTIN_TOOLS if tools is None else tools)
    labels: list[bool | None] = []
    notes: list[str] = []
    # Records whose label is not a label: with errors="coerce", error records (as in
    # the CLI), named in Evaluation.errors and counted under errors, not as unlabelled.
    label_errors: list[tuple[int, str]] = []
    for i, v in enumerate(_column(data, rows, items, label)):
        try:
            labels.append(_label(v, i, label))
        except InputError as e:
            if errors == "raise":
                raise
            label_errors.append((i, str(e.value)))
            labels.append(None)
    for name, arg in (("scores", scores), ("group_by", group_by)):
        if isinstance(arg, (str, bytes)):
            raise TypeError(f"{name}: give a list of column names or a mapping, not one string ({arg!r}); e.g. {name}=[{arg!r}]")
    external: list[tuple[str, list[float]]] = []
    if scores is not None:
        pairs = (
            [(str(c), _column(data, rows, items, str(c))) for c in scores]
            if not isinstance(scores, Mapping)
            else [(str(k), _aligned(data, rows, f"scores[{k!r}]", v)) for k, v in scores.items()]
        )
        for name, values in pairs:
            if name in tool_names or name == label:
                raise ValueError(f"scores: {name!r} is already a tool or the label; rename it")
            if len(values) != n:
                raise ValueError(f"scores[{name!r}]: {len(values)} values for {n} records")
            external.append((name, [_score(v, i, name) for i, v in enumerate(values)]))
    groups: list[tuple[str, list[str | None]]] = []
    if group_by is not None:
        pairs = (
            [(str(k), _aligned(data, rows, f"group_by[{k!r}]", v)) for k, v in group_by.items()]
            if isinstance(group_by, Mapping)
            else [(str(c), _column(data, rows, items, str(c))) for c in group_by]
        )
        for name, values in pairs:
            if len(values) != n:
                raise ValueError(f"group_by[{name!r}]: {len(values)} values for {n} records")
            groups.append((name, [_group(v) for v in values]))
    all_ids = (
        (_frame_column(data, "id") if "id" in _frame_columns(data) else [])
        if rows
        else [r.get("id") if isinstance(r, Mapping) else None for r in items]
    )
    seen: set[str] = set()
    repeated: list[str] = []
    for v in all_ids:
        if isinstance(v, str) and v.strip():
            key = v.strip()
            if key in seen:
                repeated.append(key)
            seen.add(key)
    if repeated and not allow_duplicate_ids:
        raise ValueError(
            f"{len(repeated)} record(s) repeat the id of an earlier record (the first: "
            f"{repeated[0][:64]!r}): a record counted twice makes the intervals too narrow. "
            "Remove the copies, or pass allow_duplicate_ids=True if the records are distinct"
        )
    if repeated:
        notes.append(
            f"{len(repeated)} record(s) repeat the id of an earlier record (evaluated with "
            "allow_duplicate_ids=True): if they are copies, the intervals are too narrow."
        )
    if synthetic is None:
        if rows:
            ids = _frame_column(data, "id") if "id" in _frame_columns(data) else []
        else:
            ids = [r.get("id") if isinstance(r, Mapping) else None for r in items]
        # From the ids alone: a force may name its own label column label_abuse.
        synthetic = bool(ids) and all(_is_synth_id(i) for i in ids)
        if not synthetic and label in ("label_abuse", "label_serious_harm"):
            warnings.warn(
                f"the label column {label!r} is named like dashrisk.synth's, but not every "
                "id is a synth id (syn-0000001): the records are taken as real "
                "(synthetic=True to mark them synthetic)",
                UserWarning,
                stacklevel=2,
            )
    if source is None:
        source = "a DataFrame" if rows else "a list of records"
    json_text, html, text, errs = _native.evaluate_batch(
        scorer or _default(),
        items,
        rows,
        labels,
        tool_names,
        external,
        groups,
        label,
        threshold,
        min_cell,
        bool(synthetic),
        source,
        errors == "raise",
        notes,
        label_errors,
    )
    return Evaluation(json_text, html, text, errs)
