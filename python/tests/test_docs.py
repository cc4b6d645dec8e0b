"""Every documented example runs: module docstrings and python/README.md."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import dashrisk
import dashrisk._errors
import dashrisk._frame

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("module", [dashrisk, dashrisk._frame, dashrisk._errors], ids=lambda m: m.__name__)
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, raise_on_error=False)  # type: ignore[arg-type]
    assert result.attempted > 0, "no examples found"
    assert result.failed == 0


def test_readme_examples() -> None:
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, "no examples found in README.md"
    assert result.failed == 0
