"""Shared fixtures: the repository's paths and a default scorer."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

import dashrisk

#: The repository root (python/tests/ is two levels down).
REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "fixtures" / "scenarios"


@pytest.fixture(scope="session")
def scorer() -> dashrisk.Scorer:
    return dashrisk.Scorer()


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `dashrisk` command-line binary built from this checkout.

    Only the binary named by DASHRISK_CLI is used (scripts/python-test.sh builds it
    and sets it), so that a stale binary from another checkout never decides a test.
    """
    path = os.environ.get("DASHRISK_CLI")
    if not path:
        pytest.skip(
            "DASHRISK_CLI is not set: build the CLI (cargo build --release -p "
            "dashrisk-cli) and set DASHRISK_CLI=target/release/dashrisk, as "
            "scripts/python-test.sh does"
        )
    p = Path(path)
    if not p.is_absolute():
        p = REPO / p
    if not p.exists():
        pytest.fail(f"DASHRISK_CLI={path} does not exist")
    return p


@pytest.fixture(scope="session")
def serve_binary() -> Path:
    """The `dashrisk-serve` binary built from this checkout (DASHRISK_SERVE, set by
    scripts/python-test.sh and scripts/test)."""
    path = os.environ.get("DASHRISK_SERVE")
    if not path:
        pytest.skip("DASHRISK_SERVE is not set: scripts/python-test.sh builds dashrisk-serve and sets it")
    p = Path(path)
    if not p.is_absolute():
        p = REPO / p
    if not p.exists():
        pytest.fail(f"DASHRISK_SERVE={path} does not exist")
    return p


#: A record that is parental conflict under the default policy: every question and
#: both screen gates asked and answered no.
_CALM: dict = {
    "id": "calm",
    "answers": {f"q{i}": "no" for i in range(1, 28)},
    "conflict_screen": {
        "fear": "no",
        "power_imbalance": "no",
        "argument_frequency": "weekly",
        "resolution": "poorly_resolved",
        "children_exposed": "yes",
        "recent_transitions": [],
    },
    "context": {"children_in_household": True, "prior_incidents_12m": 0},
}


@pytest.fixture
def calm() -> dict:
    """A fresh copy of a record the default scorer calls parental conflict."""
    return copy.deepcopy(_CALM)
