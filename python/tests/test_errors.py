"""Bad input raises InputError with a stable code, the field and the value; bad
artefacts raise ArtefactError; nothing crashes the interpreter."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest

import dashrisk

# (record, code, field, value): value None means "not checked".
CASES: list[tuple[str, Any, str, str, str | None]] = [
    ("unknown question", {"answers": {"q28": "yes"}}, "unknown_question", "answers.q28", "q28"),
    ("misspelt question", {"answers": {"Q2 ": "yes"}}, "unknown_question", "answers.Q2 ", None),
    ("bad answer", {"answers": {"q2": "maybe"}}, "invalid_value", "answers.q2", "maybe"),
    (
        "bad screen enum",
        {"conflict_screen": {"argument_frequency": "hourly"}},
        "invalid_value",
        "conflict_screen.argument_frequency",
        "hourly",
    ),
    ("declined on the screen", {"conflict_screen": {"fear": "declined"}}, "invalid_value", "conflict_screen.fear", "declined"),
    ("bad judgement", {"officer_judgement": "extreme"}, "invalid_value", "officer_judgement", "extreme"),
    (
        "negative count",
        {"context": {"prior_incidents_12m": -1}},
        "invalid_count",
        "context.prior_incidents_12m",
        "-1",
    ),
    (
        "fractional count",
        {"context": {"prior_incidents_12m": 1.5}},
        "invalid_count",
        "context.prior_incidents_12m",
        "1.5",
    ),
    ("answer of wrong type", {"answers": {"q2": 1}}, "wrong_type", "answers.q2", "1"),
    ("bool answer in JSON", {"answers": {"q2": True}}, "wrong_type", "answers.q2", "true"),
    (
        "count as text",
        {"context": {"prior_incidents_12m": "3"}},
        "wrong_type",
        "context.prior_incidents_12m",
        "3",
    ),
    ("answers not an object", {"answers": ["q2"]}, "wrong_type", "answers", None),
    ("unknown key", {"answer": {}}, "unknown_field", "answer", "answer"),
    ("unknown nested key", {"context": {"kids": True}}, "unknown_field", "context.kids", "kids"),
    ("unknown instrument", {"instrument": "dash-2099"}, "unknown_instrument", "instrument", "dash-2099"),
    ("bad date", {"context": {"incident_date": "2025-02-30"}}, "invalid_date", "context.incident_date", "2025-02-30"),
    ("invalid JSON text", '{"answers": {', "invalid_json", "", None),
    ("empty text", "   ", "empty_input", "", None),
    ("JSON text of an array", "[1, 2]", "wrong_type", "", None),
    ("a set in the record", {"answers": {"q2": {"yes"}}}, "wrong_type", "answers.q2", "set"),
    ("non-string key", {"meta": {1: "x"}}, "wrong_type", "meta", "int"),
    ("object in meta", {"meta": {"x": object()}}, "wrong_type", "meta.x", "object"),
    ("infinite count", {"context": {"prior_incidents_12m": float("inf")}}, "wrong_type", "context.prior_incidents_12m", "inf"),
    ("huge int", {"context": {"prior_incidents_12m": 2**70}}, "wrong_type", "context.prior_incidents_12m", None),
    ("not a record", 42, "wrong_type", "", None),
    ("a list, not a record", [1, 2], "wrong_type", "", None),
    ("a lone surrogate", {"id": "\ud800"}, "invalid_utf8", "id", None),
]


@pytest.mark.parametrize(
    ("record", "code", "field", "value"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_input_errors(
    scorer: dashrisk.Scorer, record: Any, code: str, field: str, value: str | None
) -> None:
    with pytest.raises(dashrisk.InputError) as info:
        scorer.assess(record)
    e = info.value
    assert (e.code, e.field) == (code, field), e.message
    if value is not None:
        assert e.value == value
    assert e.message and str(e) == e.message
    assert isinstance(e, ValueError) and isinstance(e, dashrisk.DashriskError)


def test_the_same_errors_in_a_batch(scorer: dashrisk.Scorer) -> None:
    """assess_many never raises for a bad record: each becomes an error record with
    the code and field that assess() raises."""
    records = [c[1] for c in CASES]
    out = scorer.assess_many(records)
    assert len(out) == len(CASES)
    for i, (case, o) in enumerate(zip(CASES, out), start=1):
        assert set(o) == {"line", "id", "error"}, case[0]
        assert o["line"] == i
        assert (o["error"]["code"], o["error"]["field"]) == (case[2], case[3]), case[0]
        assert set(o["error"]) == {"code", "field", "value", "message"}


def test_error_value_is_truncated(scorer: dashrisk.Scorer) -> None:
    with pytest.raises(dashrisk.InputError) as info:
        scorer.assess({"answers": {"q2": "x" * 1000}})
    assert info.value.value is not None and len(info.value.value) <= 65


def test_self_containing_record_is_an_error_not_a_crash(scorer: dashrisk.Scorer) -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(dashrisk.InputError) as info:
        scorer.assess({"meta": {"loop": loop}})
    assert info.value.code == "too_large"


def test_deep_json_text_is_an_error(scorer: dashrisk.Scorer) -> None:
    # Over the nesting limit (32 levels by default): too_large, naming the limit.
    text = '{"meta": ' + "[" * 10_000 + "]" * 10_000 + "}"
    with pytest.raises(dashrisk.InputError) as info:
        scorer.assess(text)
    assert info.value.code == "too_large"
    assert "max_depth" in str(info.value)


def test_deep_dict_is_refused_like_deep_text(scorer: dashrisk.Scorer) -> None:
    deep: Any = []
    for _ in range(40):
        deep = [deep]
    by_dict = scorer.assess_many([{"meta": deep}])[0]
    by_text = scorer.assess_many([json.dumps({"meta": deep})])[0]
    assert by_dict["error"] == by_text["error"]
    assert by_dict["error"]["code"] == "too_large"


def test_repeated_keys_in_json_text_are_refused(scorer: dashrisk.Scorer) -> None:
    with pytest.raises(dashrisk.InputError) as info:
        scorer.assess('{"answers": {"q2": "yes", "q2": "no"}}')
    assert (info.value.code, info.value.field) == ("duplicate_field", "answers.q2")


def test_oversized_record_text(scorer: dashrisk.Scorer) -> None:
    big = json.dumps({"meta": {"note": "x" * (1 << 20)}})
    with pytest.raises(dashrisk.InputError) as info:
        scorer.assess(big)
    assert info.value.code == "too_large"
    (out,) = scorer.assess_many([big])
    assert out["error"]["code"] == "too_large"


def test_exceptions_pickle_and_repr() -> None:
    e = dashrisk.InputError("answers.q28: nope", code="unknown_question", field="answers.q28", value="q28")
    for clone in (pickle.loads(pickle.dumps(e)), copy.deepcopy(e)):
        assert type(clone) is dashrisk.InputError
        assert (clone.code, clone.field, clone.value, clone.message) == (
            "unknown_question",
            "answers.q28",
            "q28",
            "answers.q28: nope",
        )
    assert "unknown_question" in repr(e)
    a = dashrisk.ArtefactError("policy: bad", code="invalid_artefact", field="grading", artefact="policy")
    b = pickle.loads(pickle.dumps(a))
    assert (b.code, b.field, b.artefact) == ("invalid_artefact", "grading", "policy")


def test_raised_errors_pickle(scorer: dashrisk.Scorer) -> None:
    with pytest.raises(dashrisk.InputError) as info:
        scorer.assess({"answers": {"q28": "yes"}})
    clone = pickle.loads(pickle.dumps(info.value))
    assert (clone.code, clone.field) == ("unknown_question", "answers.q28")


def test_exception_hierarchy() -> None:
    assert issubclass(dashrisk.InputError, dashrisk.DashriskError)
    assert issubclass(dashrisk.InputError, ValueError)
    assert issubclass(dashrisk.ArtefactError, dashrisk.DashriskError)
    assert issubclass(dashrisk.ArtefactError, ValueError)
    assert issubclass(dashrisk.DashriskError, Exception)
    assert not issubclass(dashrisk.DashriskError, ValueError)


# --- artefacts ----------------------------------------------------------------


def policy_with(**changes: Any) -> dict[str, Any]:
    p = dashrisk.default_policy()
    for path, value in changes.items():
        node = p
        *parents, leaf = path.split("__")
        for k in parents:
            node = node[k]
        node[leaf] = value
    return p


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"policy": "{not json"}, "malformed_artefact", ""),
        ({"policy": "policy.json"}, "malformed_artefact", ""),
        ({"policy": json.dumps(policy_with(grading__medium_from=20))}, "invalid_artefact", "grading.medium_from"),
        ({"policy": policy_with(format_version=99)}, "unsupported_version", "format_version"),
        # A calibration edited after it was written: its checksum no longer matches.
        ({"calibration": json.dumps(dict(dashrisk.Scorer().calibration(), version="edited"))}, "artefact_mismatch", ""),
        # A policy from before scorer 2.0, with hand-set weights.
        ({"policy": dict(dashrisk.default_policy(), scorer={"weights": {}})}, "malformed_artefact", "scorer.weights"),
        # The schema error names the field it refused.
        ({"calibration": '{"version": 1}'}, "malformed_artefact", "version"),
        ({"instruments": ['{"format_version": 1}']}, "malformed_artefact", ""),
        ({"policy": {"format_version": {1}}}, "malformed_artefact", "format_version"),
    ],
    ids=["not-json", "a-file-name", "invalid", "version", "mismatch", "old-policy", "calibration", "instrument", "set"],
)
def test_artefact_errors(kwargs: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(dashrisk.ArtefactError) as info:
        dashrisk.Scorer(**kwargs)
    assert (info.value.code, info.value.field) == (code, field), info.value.message
    assert isinstance(info.value, ValueError)


def test_file_name_hint() -> None:
    with pytest.raises(dashrisk.ArtefactError, match=r"open\(path\)\.read\(\)"):
        dashrisk.Scorer(policy="my-policy.json")


def test_version_error_names_the_version() -> None:
    with pytest.raises(dashrisk.ArtefactError) as info:
        dashrisk.Scorer(policy=policy_with(format_version=99))
    assert info.value.value == "99"
    assert info.value.artefact == "policy"


@pytest.mark.parametrize(
    "kwargs",
    [{"instruments": "{}"}, {"instruments": {"id": "x"}}, {"policy": 3}, {"instruments": [3]}],
    ids=["str-instruments", "dict-instruments", "int-policy", "int-instrument"],
)
def test_wrong_argument_types(kwargs: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        dashrisk.Scorer(**kwargs)


def test_unknown_instrument_lookup() -> None:
    with pytest.raises(dashrisk.InputError) as info:
        dashrisk.instrument("nope")
    assert (info.value.code, info.value.field) == ("unknown_instrument", "instrument")
    assert "dash-2009" in info.value.message


def test_batch_misuse_is_a_type_error(scorer: dashrisk.Scorer) -> None:
    with pytest.raises(TypeError, match="assess\\(record\\)"):
        scorer.assess_many({"answers": {}})
    with pytest.raises(TypeError):
        scorer.assess_many('{"answers": {}}')
    with pytest.raises(TypeError):
        scorer.assess_many(42)
    with pytest.raises(TypeError):
        scorer.assess_rows({"q2": "yes"})


def test_an_iterator_that_raises_propagates(scorer: dashrisk.Scorer) -> None:
    def records() -> Any:
        yield {"answers": {}}
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError, match="source broke"):
        scorer.assess_many(records())
