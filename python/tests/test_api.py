"""The public surface: names, versions, instruments, policy and calibration."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest

import dashrisk
from conftest import REPO


def test_all_is_the_public_surface() -> None:
    assert sorted(dashrisk.__all__) == sorted(
        [
            "RESULT_COLUMNS",
            "SCORER_VERSION",
            "ArtefactError",
            "ConflictAbuseScorer",
            "Evaluation",
            "Featuriser",
            "LogisticComparison",
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
    )
    for name in dashrisk.__all__:
        assert getattr(dashrisk, name) is not None
        obj = getattr(dashrisk, name)
        if callable(obj):
            assert obj.__doc__, f"{name} has no docstring"


def test_methods_are_documented() -> None:
    for name in dir(dashrisk.Scorer):
        if not name.startswith("_") or name in ("__getstate__", "__setstate__", "__reduce__"):
            assert getattr(dashrisk.Scorer, name).__doc__, name


def test_version_matches_the_workspace() -> None:
    cargo = tomllib.loads((REPO / "Cargo.toml").read_text())
    assert dashrisk.__version__ == cargo["workspace"]["package"]["version"]
    assert re.fullmatch(r"dashrisk-scorer/\d+\.\d+", dashrisk.SCORER_VERSION)


def test_results_carry_the_versions(scorer: dashrisk.Scorer) -> None:
    r = scorer.assess({})
    assert r["scorer_version"] == dashrisk.SCORER_VERSION
    assert r["calibration_version"] == scorer.calibration()["version"]


def test_result_keys(scorer: dashrisk.Scorer) -> None:
    """The serde form of AssessmentResult, in struct order."""
    r = scorer.assess({"id": "k", "meta": {"source": "test"}})
    assert list(r) == [
        "id", "classification", "decided_by", "conflict_blockers", "p_abuse", "points",
        "risk_level", "actuarial_level",
        "officer_judgement", "yes_count", "not_known_count", "declined_count",
        "marac_referral", "marac_criteria", "flags", "csc_notification",
        "school_notification", "pathways", "recording_category", "children", "reasons",
        "instrument", "scorer_version", "calibration_version", "meta",
    ]  # fmt: skip
    assert r["meta"] == {"source": "test"}
    assert 0.0 <= r["p_abuse"] <= 1.0


def test_instruments() -> None:
    insts = dashrisk.instruments()
    assert [i["id"] for i in insts] == ["dash-2009", "dash-2009-partner"]
    police = dashrisk.instrument("dash-2009")
    assert police == insts[0]
    assert [q["id"] for q in police["questions"]] == [f"q{i}" for i in range(1, 28)]
    partner = dashrisk.instrument("dash-2009-partner")
    assert len(partner["questions"]) == 24
    # Each instrument dict is a valid custom-instrument artefact.
    s = dashrisk.Scorer(instruments=[dict(partner, id="copy")])
    assert s.instrument("copy")["questions"] == partner["questions"]
    assert [i["id"] for i in s.instruments()] == ["dash-2009", "dash-2009-partner", "copy"]


def test_default_policy_round_trips() -> None:
    p = dashrisk.default_policy()
    assert p["grading"]["high_from"] == 14
    s = dashrisk.Scorer(policy=p)
    assert s.policy() == p
    assert repr(s).startswith("Scorer(policy=default")


def test_calibration_round_trips(scorer: dashrisk.Scorer) -> None:
    cal = scorer.calibration()
    assert cal["provenance"]["synthetic"] is True
    s = dashrisk.Scorer(calibration=cal)
    assert s.assess_many(dashrisk.synth(20)) == scorer.assess_many(dashrisk.synth(20))


def test_synth_docstring_says_not_real() -> None:
    assert "NOT real data" in (dashrisk.synth.__doc__ or "")


def test_synth_records_are_valid_input(scorer: dashrisk.Scorer) -> None:
    out = scorer.assess_many(dashrisk.synth(200, seed=9))
    assert all("error" not in o for o in out)
    assert {o["classification"] for o in out} >= {"domestic_abuse", "unclear"}


def test_judgement_raises_never_lowers(scorer: dashrisk.Scorer) -> None:
    base: dict[str, Any] = {"answers": {f"q{i}": "yes" for i in range(1, 15)}}
    assert scorer.assess(base)["risk_level"] == "high"
    lowered = scorer.assess(dict(base, officer_judgement="standard"))
    assert lowered["risk_level"] == "high"
    raised = scorer.assess({"answers": {"q2": "yes"}, "officer_judgement": "high"})
    assert raised["risk_level"] == "high" and raised["marac_referral"]


@pytest.mark.parametrize("name", ["Scorer", "InputError", "ArtefactError"])
def test_importable_from_the_package(name: str) -> None:
    assert name in dir(dashrisk)


def test_flatten_result_reads_lists_as_sets(scorer: dashrisk.Scorer) -> None:
    """A result's lists are sets in a fixed order: read back in any order they come
    out in that order, and a value listed twice is refused, naming it."""
    record = {"answers": {"q3": "yes", "q18": "yes"}}
    result = scorer.assess(record)
    assert len(result["pathways"]) >= 2
    flat = dashrisk.flatten_result(result)
    shuffled = dict(result, pathways=list(reversed(result["pathways"])))
    assert dashrisk.flatten_result(shuffled) == flat
    twice = dict(result, pathways=result["pathways"] + result["pathways"][:1])
    with pytest.raises(ValueError, match=rf'"{result["pathways"][0]}" is listed twice'):
        dashrisk.flatten_result(twice)
