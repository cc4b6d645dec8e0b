"""The `dashrisk summarise` page in a real browser: Debian's Chromium, headless,
driven by Playwright (its own browser download is not used: scripts/python-setup.sh
installs the `chromium` package and this test points Playwright at it).

The page must render every chart, log no console error, raise no script error, and
ask for nothing from anywhere: every request other than the page itself fails the
test.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from offline_browser import open_offline


@pytest.fixture(scope="module")
def page_file(cli: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("report")
    data = d / "callouts.csv"
    subprocess.run(
        [str(cli), "synth", "--n", "6000", "--seed", "5", "--set", "officers=16",
         "--set", "areas=4", "--out", str(data)],
        check=True, capture_output=True,
    )
    page = d / "summary.html"
    subprocess.run(
        [str(cli), "summarise", str(data), "--group-by", "area", "--period", "quarter",
         "--report", str(page)],
        check=True, capture_output=True,
    )
    return page


def test_the_summary_page_renders_every_chart_with_no_errors_and_no_requests(
    page_file: Path,
) -> None:
    def check(page) -> None:  # type: ignore[no-untyped-def]
        assert "parental conflict" in page.title().lower()
        banner = page.locator(".synthetic")
        assert banner.is_visible() and "SYNTHETIC" in banner.inner_text()
        charts = page.locator("figure.chart")
        n = charts.count()
        assert n >= 8, f"{n} charts"
        assert page.locator(".chart-error").count() == 0
        for i in range(n):
            svg = charts.nth(i).locator("svg")
            assert svg.count() == 1, f"chart {i} has no SVG"
            box = svg.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 80, box
            # Bars: filled rectangles wider than a pixel, as laid out by the browser.
            widths = svg.evaluate(
                "s => [...s.querySelectorAll('rect')].map(r => r.getBBox().width)"
            )
            assert any(w > 1 for w in widths[1:]), f"chart {i} drew no bar"
        tables = page.locator("table")
        assert tables.count() >= 10
        assert page.locator("table.breakdown tbody tr").count() == 16, "4 areas by 4 quarters"

    open_offline(page_file, check)
