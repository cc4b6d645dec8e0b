"""Type stubs for the compiled module ``dashrisk._native`` (crates/dashrisk-py).

Checked against the compiled module by ``python -m mypy.stubtest dashrisk._native``
(scripts/python-test.sh).
"""

from collections.abc import Iterable, Mapping
from typing import Any, final

from dashrisk.types import AssessmentResult, ErrorRecord

__all__ = [
    "RESULT_COLUMNS",
    "RESULT_COLUMN_KINDS",
    "SCORER_VERSION",
    "Scorer",
    "VOCABULARY",
    "arrow_cells",
    "assess_arrow",
    "check_columns",
    "default_policy",
    "feature_names",
    "featurise_batch",
    "flatten_result",
    "instrument",
    "instruments",
    "synth",
    "synth_table",
    "__version__",
    "average_precision",
    "brier",
    "calibration_intercept",
    "calibration_slope",
    "confusion",
    "decision_curve",
    "delong_paired",
    "ece",
    "evaluate_batch",
    "log_loss",
    "logistic_fit",
    "read_columns",
    "recalibrate",
    "reliability",
    "roc_auc",
    "roc_auc_delong",
]

#: Every string of each vocabulary of a result, and every error code, in the
#: core's order (``dashrisk.types`` types them).
VOCABULARY: dict[str, tuple[str, ...]]
#: Version of the scorer rules, reported in every result.
SCORER_VERSION: str
#: The flat result columns, in order (the core's one list).
RESULT_COLUMNS: tuple[str, ...]
#: What each flat column holds: text, bool, count, float or list.
RESULT_COLUMN_KINDS: dict[str, str]
#: Version of the package (the Rust workspace version).
__version__: str

#: One record of the JSON input contract: a dict, or its JSON text.
_Record = Mapping[str, Any] | str | bytes
#: A JSON artefact (policy, calibration, instrument): its JSON text, or a dict.
_Artefact = str | Mapping[str, Any]

@final
class Scorer:
    """A configured scorer: policy, calibration and the instruments it knows."""

    def __new__(
        cls,
        policy: _Artefact | None = None,
        calibration: _Artefact | None = None,
        instruments: Iterable[_Artefact] | None = (),
    ) -> Scorer: ...
    def assess(self, record: _Record) -> AssessmentResult: ...
    def ask_next(self, record: _Record) -> list[dict[str, Any]]: ...
    def assess_many(self, records: Iterable[_Record]) -> list[AssessmentResult | ErrorRecord]: ...
    def assess_rows(
        self, rows: Iterable[Mapping[str, object]]
    ) -> list[AssessmentResult | ErrorRecord]: ...
    def instruments(self) -> list[dict[str, Any]]: ...
    def instrument(self, id: str) -> dict[str, Any]: ...
    def policy(self) -> dict[str, Any]: ...
    def calibration(self) -> dict[str, Any]: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: Mapping[str, Any]) -> None: ...
    def __reduce__(self) -> tuple[type[Scorer], tuple[str, str, list[str]]]: ...

def instruments() -> list[dict[str, Any]]: ...
def instrument(id: str) -> dict[str, Any]: ...
def default_policy() -> dict[str, Any]: ...
def synth(n: int, seed: int = 1, settings: list[str] | None = None) -> list[dict[str, Any]]: ...
def synth_table(
    n: int, seed: int = 1, settings: list[str] | None = None
) -> tuple[list[str], list[list[str]]]: ...
def flatten_result(result: Mapping[str, Any]) -> dict[str, Any]: ...
def check_columns(names: list[str]) -> None: ...
def roc_auc(y_true: list[bool], y_score: list[float]) -> float | None: ...
def roc_auc_delong(y_true: list[bool], y_score: list[float]) -> dict[str, Any] | None: ...
def delong_paired(
    y_true: list[bool], score_a: list[float], score_b: list[float]
) -> dict[str, Any] | None: ...
def average_precision(y_true: list[bool], y_score: list[float]) -> float | None: ...
def brier(y_true: list[bool], y_prob: list[float]) -> float | None: ...
def log_loss(y_true: list[bool], y_prob: list[float]) -> float | None: ...
def ece(y_true: list[bool], y_prob: list[float]) -> float: ...
def calibration_slope(y_true: list[bool], y_prob: list[float]) -> float | None: ...
def calibration_intercept(y_true: list[bool], y_prob: list[float]) -> float | None: ...
def reliability(y_true: list[bool], y_prob: list[float], bins: int = 10) -> list[dict[str, Any]]: ...
def confusion(y_true: list[bool], y_score: list[float], threshold: float) -> dict[str, Any]: ...
def decision_curve(
    y_true: list[bool], y_prob: list[float], thresholds: list[float]
) -> list[dict[str, Any]]: ...
def feature_names() -> list[str]: ...
def featurise_batch(
    scorer: Scorer, items: Any, rows: bool = True
) -> tuple[bytes, int, list[dict[str, Any]]]: ...
def logistic_fit(
    x: bytes,
    n_rows: int,
    n_cols: int,
    y: list[bool],
    alpha: float,
    max_iter: int,
    tol: float,
    sample_weight: bytes | None = None,
) -> dict[str, Any]: ...
def recalibrate(
    scorer: Scorer,
    items: Any,
    labels: list[bool],
    rows: bool = True,
    refit: str | None = None,
    method: str = "isotonic",
    max_abuse_as_conflict: float = 0.005,
    version: str | None = None,
    synthetic: bool = False,
) -> tuple[Scorer, str | None]: ...
def evaluate_batch(
    scorer: Scorer,
    items: Any,
    rows: bool,
    labels: list[bool | None],
    tools: list[str],
    external: list[tuple[str, list[float]]],
    groups: list[tuple[str, list[str | None]]],
    label: str,
    threshold: float,
    min_cell: int,
    synthetic: bool,
    source: str,
    errors_raise: bool,
    notes: list[str],
    label_errors: list[tuple[int, str]] = ...,
) -> tuple[str, str, str, list[dict[str, Any]]]: ...
def read_columns(names: list[str]) -> list[str]: ...
def assess_arrow(scorer: Scorer, data: Any, reasons: bool = False) -> tuple[Any, int]: ...
def arrow_cells(data: Any) -> list[tuple[str, list[str | None]]]: ...
