"""The researcher's walk-through notebook (docs/notebooks/researcher-walkthrough.ipynb)
runs from top to bottom in a fresh kernel, its figures say they are synthetic, its
safety check holds, and its code passes ``mypy --strict``. The notebook is written
by docs/notebooks/make_walkthrough.py, so the two must agree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")

NOTEBOOK = REPO / "docs" / "notebooks" / "researcher-walkthrough.ipynb"
MAKER = REPO / "docs" / "notebooks" / "make_walkthrough.py"


def _code(nb: object) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]  # type: ignore[attr-defined]


def test_the_notebook_is_its_source() -> None:
    sys.path.insert(0, str(MAKER.parent))
    try:
        import make_walkthrough
    finally:
        sys.path.pop(0)
    saved = nbformat.read(NOTEBOOK, as_version=4)
    assert _code(saved) == _code(make_walkthrough.build())
    # Stored without outputs: the test runs it.
    assert all(not c.get("outputs") for c in saved.cells if c.cell_type == "code")


def test_the_notebook_runs(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel talks to this process over loopback sockets (jupyter_client binds
    # 127.0.0.1); the notebook itself uses no network.
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    text = "\n".join(
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "stream"
    )
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert "SYNTHETIC" in text
    assert "conflict labels among records reporting fear or power imbalance: 0" in text
    assert "officers outside the 95% funnel limits" in text
    # The figure was drawn.
    assert (tmp_path / "walkthrough-curves.png").stat().st_size > 10_000


def test_the_notebooks_code_passes_strict_mypy(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    script = tmp_path / "walkthrough.py"
    script.write_text("\n\n".join(_code(nb)) + "\n")
    config = tmp_path / "mypy.ini"
    # pandas and scikit-learn ship no type information: they are Any, as in the
    # package's own configuration (python/pyproject.toml).
    config.write_text(
        "[mypy]\nstrict = True\n\n[mypy-pandas.*]\nignore_missing_imports = True\n\n"
        "[mypy-sklearn.*]\nignore_missing_imports = True\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "--no-incremental", str(script)],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
