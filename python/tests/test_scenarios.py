"""The shared scenario cases (fixtures/scenarios/*.json) through the Python package.

The same files are run by the Rust API and the CLI; here each scenario goes through
``Scorer.assess`` (dict and JSON text), ``Scorer.assess_many`` (all at once) and
``Scorer.assess_rows`` (flattened to CSV-style cells), and must meet its
``expect`` block.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import dashrisk
from conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.json"))

#: `expect` keys every scenario has; lists are compared as sets, as in the Rust
#: and CLI runners (crates/dashrisk/tests/support/scenario_expect.rs).
EXACT = (
    "classification",
    "risk_level",
    "marac_referral",
    "marac_criteria",
    "pathways",
    "csc_notification",
    "school_notification",
    "recording_category",
)
SETS = ("marac_criteria", "pathways")


def load(path: Path) -> dict[str, Any]:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert "input" in case and "expect" in case, f"{path.name}: needs input and expect"
    return case


def check(result: dict[str, Any], expect: dict[str, Any], name: str) -> None:
    assert "error" not in result, f"{name}: {result.get('error')}"
    for key in EXACT:
        if key in SETS:
            got = result[key]
            assert len(set(got)) == len(got), f"{name}: {key} repeats an item: {got}"
            assert set(got) == set(expect[key]), f"{name}: {key}"
        elif key in expect:
            assert result[key] == expect[key], f"{name}: {key}"
    missing = [k for k in EXACT if k not in expect]
    assert not missing, f"{name}: expect lacks {missing}"
    for flag in expect.get("flags_include", []):
        assert flag in result["flags"], f"{name}: flag {flag} not in {result['flags']}"
    codes = [r["code"] for r in result["reasons"]]
    for code in expect.get("reason_codes_include", []):
        assert code in codes, f"{name}: reason {code} not in {codes}"
    unknown = set(expect) - set(EXACT) - {"flags_include", "reason_codes_include"}
    assert not unknown, f"{name}: expect has keys this test does not check: {unknown}"


def test_scenarios_present() -> None:
    if not FILES:
        pytest.skip(f"no scenario files yet in {SCENARIOS} (another helper writes them)")
    assert len(FILES) >= 1


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario(scorer: dashrisk.Scorer, path: Path) -> None:
    case = load(path)
    result = scorer.assess(case["input"])
    check(result, case["expect"], path.name)
    # The same record as JSON text gives the same result.
    assert scorer.assess(json.dumps(case["input"])) == result


def test_scenarios_as_one_batch(scorer: dashrisk.Scorer) -> None:
    if not FILES:
        pytest.skip(f"no scenario files yet in {SCENARIOS}")
    cases = [load(p) for p in FILES]
    results = scorer.assess_many(c["input"] for c in cases)
    assert len(results) == len(cases)
    for path, case, result in zip(FILES, cases, results):
        check(result, case["expect"], path.name)
        assert result == scorer.assess(case["input"])


def flatten_record(record: dict[str, Any]) -> dict[str, Any] | None:
    """A JSON record as a flat row of Python cells (lists for the `;` columns), or
    None when the flat layout cannot say the same thing (an empty list of dates is
    "known: none" in JSON but "not known" in a CSV cell)."""
    row: dict[str, Any] = {}
    for k in ("id", "instrument", "officer_judgement"):
        if record.get(k) is not None:
            row[k] = record[k]
    row.update(record.get("answers") or {})
    for k, v in (record.get("conflict_screen") or {}).items():
        row[k] = v
    for k, v in (record.get("context") or {}).items():
        if k == "prior_incident_dates" and v == []:
            return None
        row[k] = v
    return row


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_as_flat_row(scorer: dashrisk.Scorer, path: Path) -> None:
    case = load(path)
    row = flatten_record(case["input"])
    if row is None:
        pytest.skip("an empty prior_incident_dates list has no flat equivalent")
    (flat,) = scorer.assess_rows([row])
    check(flat, case["expect"], path.name)
    expected = scorer.assess(case["input"])
    # `meta` has no flat column; everything else must agree.
    expected["meta"] = None
    assert flat == expected


def test_the_comparison_can_fail(scorer: dashrisk.Scorer, calm: dict[str, Any]) -> None:
    """A wrong expectation must fail, or the scenario tests prove nothing."""
    result = scorer.assess(calm)
    right = {k: result[k] for k in EXACT}
    check(result, right, "calm")
    for key, wrong in [
        ("classification", "domestic_abuse"),
        ("pathways", ["rpc_support"]),
        ("marac_criteria", ["repeat_marac"]),
        ("flags_include", ["stalking"]),
        ("reason_codes_include", ["fear_reported"]),
    ]:
        with pytest.raises(AssertionError):
            check(result, dict(right, **{key: wrong}), "calm")
