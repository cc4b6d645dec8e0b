"""Type stubs for the compiled module ``dashrisk._native`` (crates/dashrisk-py).

Checked against the compiled module by ``python -m mypy.stubtest dashrisk._native``
(scripts/python-test.sh).
"""

from collections.abc import Iterable, Mapping
from typing import Any, final

__all__ = [
    "RESULT_COLUMNS",
    "RESULT_COLUMN_KINDS",
    "SCORER_VERSION",
    "Scorer",
    "default_policy",
    "flatten_result",
    "instrument",
    "instruments",
    "synth",
    "__version__",
]

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
    def assess(self, record: _Record) -> dict[str, Any]: ...
    def ask_next(self, record: _Record) -> list[dict[str, Any]]: ...
    def assess_many(self, records: Iterable[_Record]) -> list[dict[str, Any]]: ...
    def assess_rows(self, rows: Iterable[Mapping[str, object]]) -> list[dict[str, Any]]: ...
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
def synth(n: int, seed: int = 1) -> list[dict[str, Any]]: ...
def flatten_result(result: Mapping[str, Any]) -> dict[str, Any]: ...
