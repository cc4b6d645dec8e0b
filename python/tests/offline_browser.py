"""Opening a self-contained report in a real browser: Debian's Chromium, headless,
driven by Playwright (its own browser download is not used: scripts/browser-setup.sh
installs the `chromium` package and the tests point Playwright at it).

`open_offline(page_file, check)` loads the page, runs `check(page)`, and then fails
on any console error or warning, any script error, and any request other than the
page itself (every other request is aborted and recorded).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

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


def open_offline(page_file: Path, check: Callable[[Any], None]) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/browser-setup.sh installs Debian's chromium")
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
            check(page)
        finally:
            browser.close()
    bad = [c for c in console if c.startswith(("error", "warning"))]
    assert not bad, bad
    assert not errors, errors
    assert not requests, f"the page asked for {requests}"
