"""dashrisk: decision support at domestic incidents.

Is this *parental conflict* or *domestic abuse*, and how serious is the risk (DASH)?
Results support, and never replace, an officer's professional judgement, which may
raise a risk level but never lower it. The shipped calibration of ``p_abuse`` is
fitted on SYNTHETIC data (see ``dashrisk.synth``): it says nothing about real
people until a force calibrates it on its own records.

A record follows the JSON input contract (the same as the ``dashrisk`` command
line): ``answers`` to the DASH questions (``q1``…``q27``: ``yes``, ``no``,
``not_known`` or ``declined``; a question left out is *not known*, never *no*), the
parental-conflict screen and the context.

>>> import dashrisk
>>> scorer = dashrisk.Scorer()
>>> r = scorer.assess({
...     "id": "inc-1",
...     "answers": {"q18": "yes"},  # attempted strangulation
...     "context": {"children_in_household": True},
... })
>>> r["classification"], r["risk_level"], r["flags"]
('domestic_abuse', 'standard', ['strangulation'])
>>> r["csc_notification"], r["school_notification"]
(True, True)
>>> r["decided_by"], r["reasons"][0]["code"]  # a safety rule decided, not the estimate
('safety_gate', 'decision_abuse_safety_gate')

Parental conflict needs fear and power imbalance asked about and answered *no*:

>>> calm = {
...     "answers": {f"q{i}": "no" for i in range(1, 28)},
...     "conflict_screen": {"fear": "no", "power_imbalance": "no",
...                         "argument_frequency": "weekly",
...                         "resolution": "poorly_resolved"},
...     "context": {"children_in_household": True, "prior_incidents_12m": 0},
... }
>>> r = scorer.assess(calm)
>>> r["classification"], r["pathways"], r["csc_notification"]
('parental_conflict', ['rpc_support', 'early_help'], False)

Bad input raises ``InputError`` (a ``ValueError``) with a stable ``code``, the
``field`` and the offending ``value``:

>>> try:
...     scorer.assess({"answers": {"q28": "yes"}})
... except dashrisk.InputError as e:
...     print(e.code, e.field)
unknown_question answers.q28

In a batch a bad record does not stop the others; it becomes an error record:

>>> out = scorer.assess_many([calm, {"id": "x", "answers": {"q2": "maybe"}}, calm])
>>> [o.get("classification") for o in out]
['parental_conflict', None, 'parental_conflict']
>>> out[1]["line"], out[1]["id"], out[1]["error"]["code"]
(2, 'x', 'invalid_value')

For tables (CSV, pandas) see ``Scorer.assess_rows`` and ``assess_dataframe``.
"""

from typing import Any, Iterable

from dashrisk._errors import ArtefactError, DashriskError, InputError
from dashrisk import types
from dashrisk.types import AssessmentResult, ErrorRecord
from dashrisk._native import (
    SCORER_VERSION,
    Scorer,
    __version__,
    default_policy,
    instrument,
    instruments,
)
from dashrisk._frame import RESULT_COLUMNS, assess_dataframe, flatten_result
from dashrisk._arrow import assess_frame
from dashrisk import metrics
from dashrisk._synth import synth
from dashrisk._evaluate import Evaluation, evaluate


def _default_scorer() -> Scorer:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Scorer()
    return _DEFAULT


_DEFAULT: "Scorer | None" = None


def assess(record: Any) -> AssessmentResult:
    """Assesses one record with the default scorer (``Scorer().assess``): a dict in
    the JSON input contract, or its JSON text. A bad record raises ``InputError``.

    >>> assess({"answers": {"q18": "yes"}})["classification"]
    'domestic_abuse'
    """
    return _default_scorer().assess(record)


def assess_many(records: Iterable[Any]) -> list[AssessmentResult | ErrorRecord]:
    """Assesses many records with the default scorer (``Scorer().assess_many``): one
    result or error record per record, in order; never raises for a bad record."""
    return _default_scorer().assess_many(records)

# The scikit-learn estimators need numpy and scikit-learn: loaded on first use, so
# that ``import dashrisk`` needs neither.
_LEARN = ("ConflictAbuseScorer", "Featuriser", "LogisticComparison", "feature_names_out", "featurise")


def __getattr__(name: str) -> Any:
    if name in _LEARN:
        from dashrisk import _learn

        return getattr(_learn, name)
    raise AttributeError(f"module 'dashrisk' has no attribute {name!r}")


__all__ = [
    "ConflictAbuseScorer",
    "Evaluation",
    "Featuriser",
    "LogisticComparison",
    "RESULT_COLUMNS",
    "SCORER_VERSION",
    "ArtefactError",
    "DashriskError",
    "InputError",
    "Scorer",
    "__version__",
    "assess",
    "assess_dataframe",
    "assess_frame",
    "assess_many",
    "default_policy",
    "evaluate",
    "feature_names_out",
    "featurise",
    "flatten_result",
    "instrument",
    "instruments",
    "metrics",
    "synth",
    "types",
]
