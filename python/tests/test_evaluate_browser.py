"""The `dashrisk evaluate` report in a real browser (Debian's headless Chromium):
every plot renders as an SVG with drawn lines or points, nothing is asked for from
anywhere, and no console or script error is raised.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from offline_browser import open_offline


@pytest.fixture(scope="module")
def report(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    d = tmp_path_factory.mktemp("evaluate")
    data = d / "labelled.csv"
    subprocess.run(
        [str(cli), "synth", "--n", "8000", "--seed", "3", "--set", "officers=20",
         "--set", "areas=4", "--out", str(data)],
        check=True, capture_output=True,
    )
    page, figures = d / "report.html", d / "metrics.json"
    subprocess.run(
        [str(cli), "evaluate", "--data", str(data), "--label", "label_abuse",
         "--group-by", "officer", "--group-by", "area",
         "--report", str(page), "--json", str(figures)],
        check=True, capture_output=True,
    )
    return page, json.loads(figures.read_text())


def test_the_evaluation_report_renders_every_plot_offline(report: tuple[Path, dict]) -> None:
    page_file, figures = report
    probability_tools = [t for t in figures["tools"] if t["kind"] == "probability"]
    # ROC, one reliability diagram per probability tool, decision curves, and four
    # funnel plots per group-by column.
    expected = 1 + len(probability_tools) + 1 + 4 * len(figures["groups"])

    def check(page) -> None:  # type: ignore[no-untyped-def]
        assert "evaluation" in page.title().lower()
        banner = page.locator(".synthetic")
        assert banner.is_visible() and "SYNTHETIC" in banner.inner_text()
        assert page.locator(".chart-error").count() == 0
        charts = page.locator("figure.chart")
        assert charts.count() == expected, f"{charts.count()} plots, expected {expected}"
        for i in range(charts.count()):
            svg = charts.nth(i).locator("svg")
            assert svg.count() == 1, f"plot {i} has no SVG"
            box = svg.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 200, box
            # Lines with real extent, as laid out by the browser.
            extents = svg.evaluate(
                "s => [...s.querySelectorAll('polyline')].map(p => {"
                " const b = p.getBBox(); return Math.max(b.width, b.height); })"
            )
            assert sum(1 for e in extents if e > 20) >= 2, f"plot {i} drew no curve: {extents}"
        # Reliability diagrams carry their bin counts; funnel plots their groups.
        titles = [charts.nth(i).get_attribute("data-chart") for i in range(charts.count())]
        assert sum(t.startswith("Reliability") for t in titles) == len(probability_tools)
        for rel in page.locator("figure.chart[data-chart^='Reliability'] svg").all():
            assert "n=" in rel.inner_html()
        funnels = page.locator("figure.chart[data-chart*=' by '] svg circle")
        assert funnels.count() >= 20, "officers and areas are plotted"
        # The workload table has a row per tool.
        assert page.locator("#workload tbody tr").count() == len(figures["tools"])

    open_offline(page_file, check)
