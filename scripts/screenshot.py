"""Screenshots an HTML report in Debian's headless Chromium (as the page tests do):

    .venv/bin/python scripts/screenshot.py PAGE.html OUT.png [HEIGHT]

Used for the pictures in docs/ (docs/guide-partnerships.md says how they were made).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

page_file, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
height = int(sys.argv[3]) if len(sys.argv) > 3 else 2200
with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    )
    page = browser.new_page(viewport={"width": 1000, "height": height})
    page.goto(page_file.as_uri())
    page.screenshot(path=str(out), full_page=False)
    browser.close()
print(f"wrote {out}")
