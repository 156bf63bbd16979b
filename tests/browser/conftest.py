"""Real headless Chromium (Debian's package) driven by Playwright, with axe-core from npm.

A missing browser is a failure, never a skip: `make test` installs Debian chromium.
Use the `page` fixture with `live_server`, sign in with `sign_in(page, live_server, user)`
and call `assert_accessible(page)` on every page a journey visits.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told that this is deliberate (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DEMO_PASSWORD = "demo-password-1"  # the password UserFactory gives everyone


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page in a fresh context; a Content-Security-Policy violation on it fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{message.text} (at {message.location.get('url')})")

    page.on("console", on_console)
    yield page
    context.close()
    assert not violations, "the Content-Security-Policy blocked something:\n" + "\n".join(violations)


def sign_in(page, live_server, user, password=DEMO_PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def assert_accessible(page, *, rules_off=()):
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) in the page; fail listing each violation."""
    # Evaluated through the DevTools protocol, not added as an inline <script> the CSP would block.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
    if rules_off:
        options["rules"] = {rule: {"enabled": False} for rule in rules_off}
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    violations = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    assert not violations, f"axe-core found accessibility problems on {page.url}:\n" + json.dumps(violations, indent=2)
