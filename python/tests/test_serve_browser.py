"""The `dashrisk-serve` pages in a real browser: Debian's headless Chromium, driven by
Playwright, against the binary on a free loopback port.

- a scenario filled in on the officer page shows the library's classification and
  pathways, as the officer answers (with JavaScript) and on submit (without);
- "ask next" lists the decisive questions;
- trainer mode scores an answer; printed exercises and handouts say they are fictional;
- a pending or failed live update never leaves an earlier result looking current;
- the form works from the keyboard alone;
- no console error, no script error, no request to another host;
- axe-core (4.12.1) finds no serious or critical accessibility violation on any page.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from offline_browser import ARGS, CHROMIUM

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((REPO / "fixtures" / "scenarios").glob("*.json"))


def start_server(serve_binary: Path) -> tuple[subprocess.Popen, str]:
    """Starts the server on a free loopback port: the process and its base URL."""
    proc = subprocess.Popen(
        [str(serve_binary), "--bind", "127.0.0.1:0", "--services",
         str(REPO / "crates" / "dashrisk" / "assets" / "services-example.json")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    base = line.strip().rsplit(" ", 1)[-1]
    assert base.startswith("http://127.0.0.1:"), line
    return proc, base


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


@pytest.fixture(scope="module")
def server(serve_binary: Path) -> Iterator[str]:
    proc, base = start_server(serve_binary)
    try:
        yield base
    finally:
        stop_server(proc)


def api_assess(base: str, record: dict) -> dict:
    req = urllib.request.Request(
        base + "/api/assess", data=json.dumps(record).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:  # noqa: S310 (loopback)
        return json.loads(r.read())


def scenario(n: int) -> dict:
    return json.loads(SCENARIOS[n - 1].read_text())


def fill(page: Any, record: dict) -> None:
    """Fills the officer form with a record of the input contract, control by control."""
    for q, v in record.get("answers", {}).items():
        page.check(f"#{q}-{v}")
    screen = record.get("conflict_screen", {})
    for k in ("fear", "power_imbalance", "children_exposed"):
        if k in screen:
            page.check(f"#{k}-{screen[k]}")
    for k in ("argument_frequency", "resolution"):
        if k in screen:
            page.select_option(f"#{k}", screen[k])
    transitions = screen.get("recent_transitions")
    if transitions is not None:
        for t in transitions or ["none"]:
            page.check(f"#rt-{t}")
    ctx = record.get("context", {})
    if "children_in_household" in ctx:
        v = ctx["children_in_household"]
        page.check("#children_in_household-" + ("unknown" if v is None else str(v).lower()))
    if ctx.get("prior_incidents_12m") is not None:
        page.fill("#prior_incidents_12m", str(ctx["prior_incidents_12m"]))
    for k in ("incident_date", "last_marac_date"):
        if ctx.get(k):
            page.fill(f"#{k}", ctx[k])
    if record.get("officer_judgement"):
        page.select_option("#officer_judgement", record["officer_judgement"])


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []

    def watch(self, page: Any) -> Any:
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith(self.base) else self.requests.append(r.url))
        return page

    def check_clean(self) -> None:
        bad = [c for c in self.console if c.startswith(("error", "warning"))]
        assert not bad, bad
        assert not self.errors, self.errors
        assert not self.requests, f"asked another host for {self.requests}"


def axe_check(page: Any, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not bad, f"{where}: {bad}"


# Scenarios whose every field the officer form has (no dated earlier incidents).
FORMABLE = [
    n for n in range(1, len(SCENARIOS) + 1)
    if "prior_incident_dates" not in scenario(n)["input"].get("context", {})
    and scenario(n)["input"].get("instrument", "dash-2009") == "dash-2009"
]


def test_the_officer_page_train_mode_and_services_in_a_real_browser(server: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/browser-setup.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    b = Browser(server)
    picks = [FORMABLE[0], FORMABLE[len(FORMABLE) // 2], FORMABLE[-1]]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = b.watch(browser.new_page())
            page.goto(server + "/")
            axe_check(page, "officer page, empty")
            # Scenarios filled in control by control; the result updates as they go.
            for n in picks:
                sc = scenario(n)
                want = api_assess(server, sc["input"])
                page.goto(server + "/")
                fill(page, sc["input"])
                result = page.locator(f"#result [data-classification='{want['classification']}']")
                result.wait_for(timeout=10_000)
                shown = page.locator("#result [data-pathway]").evaluate_all(
                    "els => els.map(e => e.dataset.pathway)"
                )
                assert shown == want["pathways"], (sc["name"], shown, want["pathways"])
                assert page.locator("#result [data-level]").get_attribute("data-level") == want["risk_level"]
            axe_check(page, "officer page, with a result")
            # "Ask next": an unclear record lists the decisive questions.
            page.goto(server + "/")
            fill(page, {"answers": {"q1": "no", "q2": "no", "q4": "no", "q15": "no"},
                        "conflict_screen": {"fear": "no", "power_imbalance": "no"},
                        "context": {"children_in_household": True, "prior_incidents_12m": 0}})
            page.locator("#result [data-classification='unclear']").wait_for(timeout=10_000)
            asks = page.locator("#result .ask li[data-field]")
            fields = asks.evaluate_all("els => els.map(e => e.dataset.field)")
            assert "answers.q3" in fields, fields
            assert "If yes:" in asks.first.inner_text()
            # The copy and print buttons appear with JavaScript.
            assert page.locator("#copy").is_visible() and page.locator("#print").is_visible()
            # Trainer mode scores an answer.
            sc = scenario(1)
            page.goto(server + "/train/1")
            axe_check(page, "exercise")
            page.check(f"#classification-{sc['expect']['classification']}")
            page.check(f"#risk_level-{sc['expect']['risk_level']}")
            for pw in sc["expect"]["pathways"]:
                page.check(f"#p-{pw}")
            page.click("button[type=submit]")
            score = page.locator(".score")
            assert score.get_attribute("data-right") == "3" and score.get_attribute("data-asked") == "3"
            axe_check(page, "feedback")
            page.click("text=Next scenario")
            assert "Score this session: 3 of 3" in page.locator(".score").inner_text()
            for path in ("/train", "/train/1/handout", "/services"):
                page.goto(server + path)
                axe_check(page, path)
            # The printed exercise and handout say the case is invented.
            page.emulate_media(media="print")
            for path in ("/train/1", "/train/1/handout"):
                page.goto(server + path)
                assert page.locator(".fictional").is_visible(), path
                assert "Fictional training case" in page.locator(".fictional").inner_text()
            page.emulate_media(media="screen")
        finally:
            browser.close()
    b.check_clean()


def test_the_officer_page_works_without_javascript_from_the_keyboard(server: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/browser-setup.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    b = Browser(server)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            ctx = browser.new_context(java_script_enabled=False)
            page = b.watch(ctx.new_page())
            page.goto(server + "/")
            # Keyboard only: focus the first question's "Yes", choose it with Space,
            # then Tab through to the button and press Enter.
            page.focus("#q1-yes")
            page.keyboard.press("Space")
            assert page.is_checked("#q1-yes")
            page.focus("#q18-no")
            page.keyboard.press("ArrowLeft")  # radio groups move with the arrows
            assert page.is_checked("#q18-yes")
            page.focus("button[type=submit]")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.locator("#result [data-classification='domestic_abuse']").count() == 1
            # Without the script the copy and print buttons stay hidden: the text is there.
            assert not page.locator("#copy").is_visible()
            assert "Classification: domestic abuse" in page.locator("#record-text").input_value()
        finally:
            browser.close()
    b.check_clean()


# Every question and both screen gates answered no: parental conflict.
CALM = {
    "answers": {f"q{i}": "no" for i in range(1, 28)},
    "conflict_screen": {"fear": "no", "power_imbalance": "no", "children_exposed": "no",
                        "argument_frequency": "weekly", "recent_transitions": []},
    "context": {"children_in_household": False, "prior_incidents_12m": 0},
}


def assert_not_current(page: Any, stale_class: str) -> None:
    """The earlier result is not shown as current: no visible classification of it,
    and nothing to copy."""
    old = page.locator(f"#result .classification[data-classification='{stale_class}']")
    assert old.count() == 0 or not old.is_visible(), "the earlier classification is still shown"
    copy = page.locator("#result #copy")
    assert copy.count() == 0 or copy.is_disabled(), "the earlier result can still be copied"
    text = page.locator("#result #record-text")
    assert text.count() == 0 or not text.is_visible() or text.is_disabled()


def test_a_pending_or_failed_update_never_leaves_the_earlier_result_looking_current(
    serve_binary: Path,
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/browser-setup.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    proc, base = start_server(serve_binary)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page()
                page.goto(base + "/")
                fill(page, CALM)
                page.locator("#result [data-classification='parental_conflict']").wait_for(timeout=10_000)
                page.locator("#result #copy:enabled").wait_for(timeout=10_000)

                # While an update is pending, the panel says so at once.
                held: list[Any] = []
                page.route("**/fragment", lambda route: held.append(route))
                page.check("#q2-yes")
                page.wait_for_function("() => document.getElementById('result').getAttribute('aria-busy') === 'true'")
                assert "Updating" in page.locator("#result").inner_text()
                assert_not_current(page, "parental_conflict")
                while not held:
                    page.wait_for_timeout(50)
                # A reply that is not a result (a 500 here) is an error, not the old panel.
                held.pop().fulfill(status=500, content_type="text/plain", body="boom")
                page.locator("#result.update-failed").wait_for(timeout=10_000)
                assert "it does not reflect your latest answers" in page.locator("#result").inner_text()
                assert_not_current(page, "parental_conflict")
                page.unroute("**/fragment")

                # A fresh answer with the server up gives a fresh result again.
                page.check("#q2-no")
                page.locator("#result [data-classification='parental_conflict']").wait_for(timeout=10_000)
                assert page.locator("#result").get_attribute("aria-busy") != "true"
                assert page.locator("#result #copy").is_enabled()

                # The reviewer's case: the server is stopped, then fear is recorded.
                stop_server(proc)
                page.check("#q2-yes")
                page.check("#fear-yes")
                page.locator("#result.update-failed").wait_for(timeout=10_000)
                text = page.locator("#result").inner_text()
                assert "The result could not be updated: it does not reflect your latest answers" in text
                assert_not_current(page, "parental_conflict")
            finally:
                browser.close()
    finally:
        stop_server(proc)
