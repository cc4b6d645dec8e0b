"""The `dashrisk summarise` page in a real browser: Debian's Chromium, headless,
driven by Playwright (its own browser download is not used: scripts/python-setup.sh
installs the `chromium` package and this test points Playwright at it).

The page must render every chart, log no console error, raise no script error, and
ask for nothing from anywhere: every request other than the page itself fails the
test.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("DASHRISK_CHROMIUM", "/usr/bin/chromium"))
# The flags the machine notes give for headless Chromium on a closed network.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/python-setup.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    console: list[str] = []
    errors: list[str] = []
    requests: list[str] = []
    url = page_file.as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: errors.append(str(e)))

            def route(r):  # type: ignore[no-untyped-def]
                if r.request.url != url:
                    requests.append(r.request.url)
                    r.abort()
                else:
                    r.continue_()

            page.route("**/*", route)
            page.goto(url)
            page.wait_for_load_state("load")
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
        finally:
            browser.close()
    bad = [c for c in console if c.startswith(("error", "warning"))]
    assert not bad, bad
    assert not errors, errors
    assert not requests, f"the page asked for {requests}"
