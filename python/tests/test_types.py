"""``dashrisk.types``: the ``Literal`` aliases are the core's vocabularies, and the
``TypedDict``s have exactly the keys real results and error records have, so
that code type-checked against them reads real results."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import get_args, get_type_hints

import pytest

import dashrisk
from dashrisk import _native, types

ALIASES = {
    "classification": types.Classification,
    "risk_level": types.RiskLevel,
    "decision_basis": types.DecisionBasis,
    "conflict_blocker": types.ConflictBlocker,
    "marac_criterion": types.MaracCriterion,
    "pathway": types.Pathway,
    "recording_category": types.RecordingCategory,
    "flag": types.Flag,
    "child_link": types.ChildLink,
    "reason_code": types.ReasonCode,
    "error_code": types.ErrorCode,
}


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_literals_are_the_cores_vocabularies(name: str) -> None:
    assert get_args(ALIASES[name]) == _native.VOCABULARY[name]


def test_every_vocabulary_is_typed() -> None:
    assert set(_native.VOCABULARY) == set(ALIASES)


def _keys(td: type) -> set[str]:
    return set(get_type_hints(td))


def test_result_keys_are_the_typed_keys(scorer: dashrisk.Scorer) -> None:
    records = dashrisk.synth(200, seed=3)
    results = scorer.assess_many(records)
    typed = _keys(types.AssessmentResult) - {"passthrough"}
    for r in results:
        assert set(r) == typed
        assert set(r["children"]) == _keys(types.Children)
        for reason in r["reasons"]:
            assert set(reason) == _keys(types.Reason)
            assert reason["code"] in get_args(types.ReasonCode)
    rows = scorer.assess_rows([{"q18": "yes", "area": "north"}, {"q2": "maybe"}])
    assert set(rows[0]) == typed | {"passthrough"}
    assert set(rows[1]) == _keys(types.ErrorRecord) - {"passthrough"}
    assert set(rows[1]["error"]) == _keys(types.ErrorDetail)


def test_strict_mypy_accepts_code_reading_results(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    code = textwrap.dedent(
        """
        import dashrisk
        from dashrisk.types import AssessmentResult, Classification, ErrorRecord

        def needs_review(r: AssessmentResult) -> bool:
            c: Classification = r["classification"]
            return c == "unclear" or r["marac_referral"]

        out: list[AssessmentResult | ErrorRecord] = dashrisk.assess_many([{"answers": {"q2": "yes"}}])
        flags = [needs_review(r) for r in out if "error" not in r]
        """
    )
    bad = code + '\nwrong: Classification = dashrisk.assess({})["risk_level"]\n'
    ok_file, bad_file = tmp_path / "ok.py", tmp_path / "bad.py"
    ok_file.write_text(code)
    bad_file.write_text(bad)
    run = lambda f: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(f)],
        capture_output=True, text=True, check=False,
    )
    ok = run(ok_file)
    assert ok.returncode == 0, ok.stdout
    wrong = run(bad_file)
    assert wrong.returncode == 1 and "Incompatible types in assignment" in wrong.stdout, wrong.stdout
