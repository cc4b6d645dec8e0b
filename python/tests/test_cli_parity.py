"""The package and the `dashrisk` command line give the same output for the same
input: results, error records (line, id, code, field, value, message) and
pass-through columns. Needs DASHRISK_CLI (scripts/python-test.sh sets it)."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path
from typing import Any

import dashrisk
import pytest
from conftest import SCENARIOS


def run_cli(cli: Path, *args: str) -> list[dict[str, Any]]:
    proc = subprocess.run([str(cli), *args], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def json_lines() -> list[str]:
    lines = [json.dumps(json.loads(p.read_text())["input"]) for p in sorted(SCENARIOS.glob("*.json"))]
    lines += [json.dumps(r) for r in dashrisk.synth(300, seed=4)]
    lines[3:3] = [
        '{"id": "e1", "answers": {"q28": "yes"}}',
        "{not json",
        '{"id": "e2", "context": {"prior_incidents_12m": -3}}',
        '{"id": "e3", "conflict_screen": {"fear": "declined"}}',
        "[]",
    ]
    return lines


def test_json_lines_match_the_cli(cli: Path, tmp_path: Path, scorer: dashrisk.Scorer) -> None:
    # No blank lines: the CLI skips them in a file (they are not records), while
    # assess_many reports a blank item as an empty_input error record.
    lines = json_lines()
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = run_cli(cli, "assess", str(path), "--format", "jsonl")
    assert len(expected) == len(lines)
    assert scorer.assess_many(lines) == expected
    # Records given as dicts agree too, wherever the text is a JSON object.
    for line, want in zip(lines, expected):
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            (got,) = scorer.assess_many([value])
            if "error" in want:
                assert got["error"] == want["error"] and got["id"] == want["id"]
            else:
                assert got == want


def test_csv_rows_match_the_cli(cli: Path, tmp_path: Path, scorer: dashrisk.Scorer) -> None:
    header = ["id", "case_ref", *(f"q{i}" for i in range(1, 28)), "fear", "power_imbalance",
              "argument_frequency", "resolution", "children_exposed", "recent_transitions",
              "children_in_household", "prior_incidents_12m", "incident_date", "officer_judgement"]  # fmt: skip
    rows: list[dict[str, str]] = []
    for i, r in enumerate(dashrisk.synth(200, seed=6)):
        row = {k: "" for k in header}
        row["id"] = r["id"]
        row["case_ref"] = f"ref-{i}"
        row.update(r["answers"])
        for k, v in r["conflict_screen"].items():
            if k == "recent_transitions":
                row[k] = "" if v is None else (";".join(v) or "none")
            else:
                row[k] = v
        ctx = r["context"]
        row["children_in_household"] = "" if ctx["children_in_household"] is None else str(ctx["children_in_household"]).lower()
        row["prior_incidents_12m"] = "" if ctx["prior_incidents_12m"] is None else str(ctx["prior_incidents_12m"])
        rows.append(row)
    rows[5]["q3"] = "perhaps"
    rows[6]["prior_incidents_12m"] = "-1"
    rows[7]["incident_date"] = "2025-13-01"
    rows[8]["officer_judgement"] = "high"
    rows[9]["children_in_household"] = "TRUE"
    rows[10]["recent_transitions"] = "separation; new_baby"
    rows[11]["prior_incidents_12m"] = "2.0"
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    expected = run_cli(cli, "assess", str(path), "--output-format", "jsonl")
    with path.open(newline="", encoding="utf-8") as f:
        got = scorer.assess_rows(csv.DictReader(f))
    assert len(expected) == len(rows)
    assert got == expected
    assert [g.get("error", {}).get("code") for g in got[5:8]] == ["invalid_value", "invalid_count", "invalid_date"]


def test_synth_matches_the_cli(cli: Path) -> None:
    proc = subprocess.run(
        [str(cli), "synth", "--n", "50", "--seed", "12", "--format", "jsonl"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert [json.loads(line) for line in proc.stdout.splitlines()] == dashrisk.synth(50, seed=12)


def _as_cli_text(column: str, value: Any, error: bool) -> str:
    """A flatten_result value as the CLI's CSV writes it (an error record's result
    columns are empty; on a result, a household not recorded is "not_known")."""
    if value is None:
        not_known = column in ("children_in_household", "children_linked")
        return "not_known" if not_known and not error else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if column == "p_abuse":
        return f"{value:.4f}"
    if column == "points":
        return f"{value:.2f}"
    return str(value)


def test_flat_columns_and_values_match_the_cli_csv(cli: Path, tmp_path: Path, scorer: dashrisk.Scorer) -> None:
    """flatten_result and the CLI's CSV output both use the core's one list of flat
    columns (crates/dashrisk/src/flat.rs): the same columns in the same order with
    the same values, for results and error records alike (with `--reasons text`:
    by default the CLI's CSV leaves out the `reasons` sentences, and only them)."""
    lines = json_lines()
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    base = [str(cli), "assess", str(path), "--format", "jsonl", "--output-format", "csv"]
    default = subprocess.run(base, capture_output=True, text=True, timeout=120, check=False)
    default_header = next(csv.reader(default.stdout.splitlines()))[1:]
    assert default_header == [c for c in dashrisk.RESULT_COLUMNS if c != "reasons"]
    proc = subprocess.run(
        [*base, "--reasons", "text"], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 1, proc.stderr  # the batch has bad records
    table = list(csv.reader(proc.stdout.splitlines()))
    # From JSON Lines, a record's `meta` is passed through as the first column.
    assert table[0][0] == "meta"
    header, *rows = [line[1:] for line in table]
    assert header == list(dashrisk.RESULT_COLUMNS)
    results = scorer.assess_many(lines)
    assert len(rows) == len(results) == len(lines)
    errors = 0
    for row, result in zip(rows, results):
        flat = dashrisk.flatten_result(result)
        error = flat["error_code"] is not None
        errors += error
        assert row == [_as_cli_text(c, flat[c], error) for c in header], result.get("id")
    assert errors == 5


def test_ask_next_matches_the_cli(cli: Path, tmp_path: Path, scorer: dashrisk.Scorer) -> None:
    lines = [json.dumps(json.loads(p.read_text())["input"]) for p in sorted(SCENARIOS.glob("*.json"))]
    lines += [json.dumps(r) for r in dashrisk.synth(100, seed=9)]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = run_cli(cli, "assess", str(path), "--ask-next")
    assert len(expected) == len(lines)
    nonempty = 0
    for line, want in zip(lines, expected):
        got = scorer.ask_next(line)
        assert got == want["ask_next"]
        assert scorer.ask_next(json.loads(line)) == got
        nonempty += bool(got)
    assert nonempty > 10, "unclear cases have questions to ask"
    with pytest.raises(dashrisk.InputError) as e:
        scorer.ask_next({"answers": {"q18": "maybe"}})
    assert e.value.field == "answers.q18"


def test_every_scenario_through_every_python_route_matches_the_cli(cli: Path, tmp_path: Path, scorer: dashrisk.Scorer) -> None:
    """The scenario cases (fixtures/scenarios) through the CLI and through each
    Python route: assess_many, assess_rows on json_normalize columns, assess_frame
    on the same frame, and the ConflictAbuseScorer; the same decision everywhere."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    records = [json.loads(p.read_text())["input"] for p in sorted(SCENARIOS.glob("*.json"))]
    path = tmp_path / "scenarios.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    want = run_cli(cli, "assess", str(path), "--format", "jsonl")
    assert len(want) == len(records) > 20
    assert scorer.assess_many(records) == want
    frame = pd.json_normalize(records)
    rows = scorer.assess_rows(frame.to_dict("records"))
    out = dashrisk.assess_frame(frame, errors="coerce")
    for i, w in enumerate(want):
        assert "error" not in w, w
        r = rows[i]
        for key in ("classification", "p_abuse", "risk_level", "pathways", "flags", "marac_criteria",
                    "csc_notification", "school_notification", "recording_category", "conflict_blockers"):
            assert r[key] == w[key], (i, key)
        assert [x["code"] for x in r["reasons"]] == [x["code"] for x in w["reasons"]]
        f = out.iloc[i]
        assert str(f["classification"]) == w["classification"]
        assert str(f["risk_level"]) == w["risk_level"]
        assert list(f["pathways"]) == w["pathways"]
        assert list(f["reason_codes"]) == [x["code"] for x in w["reasons"]]
        assert (None if pd.isna(f["p_abuse"]) else float(f["p_abuse"])) == w["p_abuse"]
