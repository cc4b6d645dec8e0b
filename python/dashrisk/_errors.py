"""Exceptions raised by dashrisk.

Every exception carries a stable snake_case ``code`` to branch on, the ``field`` at
fault (a dotted path such as ``answers.q28``, or ``""`` for the whole record) and
the offending ``value`` (truncated, and never a whole record), besides a message a
person can act on.
"""

from __future__ import annotations

__all__ = ["ArtefactError", "DashriskError", "InputError"]


class DashriskError(Exception):
    """Base class of every dashrisk error.

    Attributes:
        message: A sentence a person can act on, naming what is allowed.
        code: A stable snake_case code (part of the contract; the message is not).
        field: The field at fault, or ``""``.
        value: The offending value as given (truncated), or ``None``.
        row: In a batch (a frame, a list of records), the 0-based position of the
            record at fault; ``None`` for a single record or an artefact.
        record_id: In a batch, the ``id`` of the record at fault, if it has one.
    """

    message: str
    code: str
    field: str
    value: str | None
    row: int | None = None
    record_id: str | None = None

    def __init__(
        self, message: str, *, code: str = "", field: str = "", value: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.value = value

    # Pickling: BaseException pickles as ``cls(*args)`` plus ``__dict__``, which
    # restores the keyword attributes, so no ``__reduce__`` is needed.

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, code={self.code!r}, "
            f"field={self.field!r}, value={self.value!r})"
        )


class InputError(DashriskError, ValueError):
    """A bad input record: unknown question, value outside the allowed set,
    negative count, wrong type, unknown key, invalid JSON, …

    ``code`` is one of ``invalid_json``, ``invalid_utf8``, ``empty_input``,
    ``wrong_type``, ``unknown_field``, ``unknown_question``, ``invalid_value``,
    ``invalid_count``, ``invalid_date``, ``unknown_instrument``,
    ``duplicate_field``, ``row_length`` or ``too_large``.

    >>> import dashrisk
    >>> try:
    ...     dashrisk.Scorer().assess({"answers": {"q2": "maybe"}})
    ... except dashrisk.InputError as e:
    ...     print(e.code, e.field, e.value)
    invalid_value answers.q2 maybe
    """


class ArtefactError(DashriskError, ValueError):
    """A bad policy, calibration or custom instrument.

    ``code`` is one of ``malformed_artefact`` (not JSON, or not the schema),
    ``invalid_artefact`` (a field breaks a rule; see ``field``),
    ``unsupported_version`` (``value`` is the version found) or
    ``artefact_mismatch`` (a checksum that does not match the contents, or a
    calibration with points for another form).
    ``artefact`` names the artefact (``policy``, ``calibration "…"``, …).
    """

    artefact: str

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        field: str = "",
        value: str | None = None,
        artefact: str = "",
    ) -> None:
        super().__init__(message, code=code, field=field, value=value)
        self.artefact = artefact
