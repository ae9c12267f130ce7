"""Playwright on the operating system's Chromium, against Django's live server on the test database."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

# Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# What a headless Chromium needs as root in a sandbox with no network beyond this machine.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install the operating system's chromium package."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _static_files_from_finders(settings) -> None:
    """The live server serves static files from the apps' folders, by their plain names."""
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Browser, live_server) -> Iterator[Page]:
    """A fresh browser tab at desktop or phone size that fails the test on any foreign request or console error."""
    # Reduced motion turns off Bootstrap's colour transitions, which axe would otherwise catch half-way.
    context = browser.new_context(base_url=live_server.url, reduced_motion="reduce", **VIEWPORTS[request.param])
    page = context.new_page()
    page.viewport_name = request.param
    foreign, errors = [], []
    page.on("request", lambda r: r.url.startswith((live_server.url, "data:")) or foreign.append(r.url))
    page.on("console", lambda m: m.type == "error" and not _page_answered_4xx(m, page) and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not foreign, f"Requests to other hosts: {foreign}"
    assert not errors, f"Errors in the browser console (a CSP violation shows here): {errors}"


def _page_answered_4xx(message: ConsoleMessage, page: Page) -> bool:
    """Chromium logs the status of a page that answers 4xx (an expired link, a used invitation): when that page is
    the one a test opened, the status is the answer under test, not an error in it."""
    return message.text.startswith("Failed to load resource: the server responded with a status of 4") and (
        message.location.get("url") == page.url
    )


def check_accessibility(page: Page) -> None:
    """Fail on any serious or critical axe violation on the current page."""
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"Accessibility violations on {page.url}: {serious}"


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}-{page.viewport_name}.png", full_page=True)


@pytest.fixture(autouse=True)
def _request_form_without_minimum_time(settings) -> None:
    """A scripted browser fills the request form faster than any person; the guard's own tests set the minimum."""
    settings.REQUEST_FORM_MIN_SECONDS = 0
