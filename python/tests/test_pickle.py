"""A Scorer pickles and deep-copies through its JSON artefacts (for
multiprocessing, joblib and scikit-learn style cloning)."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest

import dashrisk

MINI = {
    "format_version": 1,
    "id": "mini",
    "name": "Mini",
    "source": "test",
    "questions": [
        {"id": "q1", "number": 1, "text": "Afraid?", "domains": ["fear"], "markers": ["fear"]},
        {"id": "q2", "number": 2, "text": "Hurt?", "domains": ["physical_harm"], "markers": ["violence"]},
        {"id": "q3", "number": 3, "text": "Controlled?", "domains": ["coercive_control"], "markers": ["power_imbalance"]},
    ],
}


# These tests are about pickling: their custom policy has another grading, so every
# scorer made with it (and every unpickled copy) warns that the shipped calibration's
# conflict guarantee does not hold under it. The warning itself is tested below.
pytestmark = pytest.mark.filterwarnings(
    "ignore:the calibration's conflict guarantee was measured under another grading policy:UserWarning"
)


def test_a_policy_with_other_grading_warns_and_gives_no_conflict() -> None:
    with pytest.warns(UserWarning, match="another grading policy") as caught:
        s = dashrisk.Scorer(policy=custom_policy())
    assert "no case is labelled parental conflict" in str(caught[0].message)
    records = dashrisk.synth(2000, random_state=3)
    assert {r["classification"] for r in s.assess_many(records)} <= {"unclear", "domestic_abuse"}
    assert "parental_conflict" in {r["classification"] for r in dashrisk.Scorer().assess_many(records)}
    # An unpickled copy has the same policy, so it says the same.
    with pytest.warns(UserWarning, match="another grading policy"):
        pickle.loads(pickle.dumps(s))


def custom_policy() -> dict[str, Any]:
    """A policy with other grading thresholds (weights unchanged, so the shipped
    calibration still fits)."""
    p = dashrisk.default_policy()
    p["grading"]["medium_from"] = 8
    p["grading"]["high_from"] = 12
    return p


def scorers() -> list[dashrisk.Scorer]:
    force = copy.deepcopy(dashrisk.instrument("dash-2009"))
    force["id"] = "dash-2009-force"
    force["name"] = "DASH (force wording)"
    return [
        dashrisk.Scorer(),
        dashrisk.Scorer(policy=json.dumps(custom_policy())),
        dashrisk.Scorer(instruments=[json.dumps(MINI)]),
        dashrisk.Scorer(policy=custom_policy(), instruments=[MINI, force]),
    ]


RECORDS: list[dict[str, Any]] = [
    {"answers": {f"q{i}": "yes" for i in range(1, 13)}},
    {"answers": {"q18": "yes"}, "context": {"children_in_household": False}},
]


@pytest.mark.parametrize("index", range(4), ids=["default", "policy", "instrument", "both"])
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(index: int, protocol: int) -> None:
    s = scorers()[index]
    clone = pickle.loads(pickle.dumps(s, protocol=protocol))
    assert type(clone) is dashrisk.Scorer
    assert clone.__getstate__() == s.__getstate__()
    assert clone.policy() == s.policy()
    assert clone.instruments() == s.instruments()
    assert clone.assess_many(RECORDS) == s.assess_many(RECORDS)


@pytest.mark.parametrize("index", range(4))
def test_copy_and_deepcopy(index: int) -> None:
    s = scorers()[index]
    for clone in (copy.copy(s), copy.deepcopy(s)):
        assert clone.__getstate__() == s.__getstate__()
        assert clone.assess_many(RECORDS) == s.assess_many(RECORDS)


def test_custom_parts_survive() -> None:
    s = scorers()[3]
    clone = pickle.loads(pickle.dumps(s))
    assert clone.policy()["grading"]["high_from"] == 12
    assert clone.instrument("dash-2009-force")["name"] == "DASH (force wording)"
    assert [i["id"] for i in clone.instruments()] == ["dash-2009", "dash-2009-partner", "mini", "dash-2009-force"]
    r = clone.assess({"instrument": "mini", "answers": {"q1": "yes"}})
    assert r["instrument"] == "mini" and r["classification"] == "domestic_abuse"
    # 12 yes answers: high under this policy, medium under the default one.
    assert clone.assess(RECORDS[0])["risk_level"] == "high"
    assert dashrisk.Scorer().assess(RECORDS[0])["risk_level"] == "medium"


def test_state_holds_only_custom_instruments() -> None:
    assert dashrisk.Scorer().__getstate__()["instruments"] == []
    state = scorers()[2].__getstate__()
    assert [json.loads(t)["id"] for t in state["instruments"]] == ["mini"]
    assert set(state) == {"policy", "calibration", "instruments"}


def test_setstate_replaces_the_scorer() -> None:
    s = dashrisk.Scorer()
    s.__setstate__(scorers()[3].__getstate__())
    assert s.policy()["grading"]["high_from"] == 12
    with pytest.raises(dashrisk.ArtefactError):
        s.__setstate__({"policy": "{}", "calibration": "{}", "instruments": []})
    with pytest.raises(TypeError):
        s.__setstate__({"policy": "{}"})


def test_reduce_is_the_constructor() -> None:
    s = scorers()[1]
    cls, args = s.__reduce__()
    assert cls is dashrisk.Scorer
    assert cls(*args).__getstate__() == s.__getstate__()
