"""Every documented example runs: module docstrings, python/README.md,
docs/guide-python.md and the Python block of the top-level README."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import dashrisk
import dashrisk._errors
import dashrisk._frame
import dashrisk._learn
import dashrisk._synth
import dashrisk.metrics

README = Path(__file__).resolve().parents[1] / "README.md"
REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "guide-python.md"


@pytest.mark.parametrize("module", [dashrisk, dashrisk._frame, dashrisk._errors, dashrisk._learn, dashrisk._synth, dashrisk.metrics], ids=lambda m: m.__name__)
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, raise_on_error=False)  # type: ignore[arg-type]
    assert result.attempted > 0, "no examples found"
    assert result.failed == 0


def test_readme_examples() -> None:
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, "no examples found in README.md"
    assert result.failed == 0


def test_python_guide_examples() -> None:
    result = doctest.testfile(str(GUIDE), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10, "examples missing from docs/guide-python.md"
    assert result.failed == 0


def test_top_level_readme_python_block_runs() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    assert blocks, "README.md has no python block"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
