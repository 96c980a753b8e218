"""Headless Debian Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import service_missing

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / "artifacts" / "screenshots")
)

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls
# are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        service_missing(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shoot():
    """Save a full-page screenshot under tests/artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


SIGNING_CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


def newest_code(bodies) -> str | None:
    """The newest one-time signing code in plain-text e-mail bodies (oldest first)."""
    found = None
    for body in bodies:
        match = SIGNING_CODE.search(body)
        found = match.group(1) if match else found
    return found


def type_signing_code(page, codes, timeout: float = 90) -> None:
    """On the code page a signing link opens: ask for the code, wait for its e-mail, type it.

    `codes()` returns the newest code e-mailed to the signatory (or None): the one to type is
    the first that differs from what it returned before the button was pressed.
    """
    page.get_by_test_id("code-page").wait_for()
    before = codes()
    page.get_by_test_id("code-send").click()
    page.wait_for_load_state("networkidle")
    deadline = time.monotonic() + timeout
    while (code := codes()) in (None, before):
        assert time.monotonic() < deadline, "no signing code was e-mailed"
        time.sleep(0.5)
    page.get_by_test_id("code-input").fill(code)
    page.get_by_test_id("code-submit").click()
    page.wait_for_load_state("networkidle")
