"""Someone who sends too many forms from one address gets a plain page that says when to come back and whom to
call, usable by keyboard and screen reader."""

import re

from playwright.sync_api import Browser, expect

from tests.browser.conftest import VIEWPORTS, check_accessibility
from tests.factories import make_location

# Chromium reports a page answered with an error status in the console; here that status is the point.
EXPECTED_CONSOLE = "Failed to load resource: the server responded with a status of 429 (Too Many Requests)"


def test_the_429_page_explains_and_offers_a_number_to_call(browser: Browser, live_server, settings) -> None:
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"sign-in": (1, 900)}
    make_location(name="Albany Spine (fictional)", phone="(518) 555-0100")
    context = browser.new_context(base_url=live_server.url, reduced_motion="reduce", **VIEWPORTS["phone"])
    page = context.new_page()
    foreign, errors = [], []
    page.on("request", lambda r: r.url.startswith((live_server.url, "data:")) or foreign.append(r.url))
    page.on("console", lambda m: m.type == "error" and m.text != EXPECTED_CONSOLE and errors.append(m.text))

    for attempt in range(2):
        page.goto("/accounts/sign-in/")
        page.get_by_label("Username").fill(f"someone{attempt}")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Please wait a little before trying again")
    expect(page.get_by_text(re.compile(r"Please try again in \d+ minutes?\."))).to_be_visible()
    call = page.get_by_role("link", name="(518) 555-0100")
    expect(call).to_have_attribute("href", "tel:(518) 555-0100")
    call.focus()
    expect(call).to_be_focused()
    check_accessibility(page)
    context.close()
    assert not foreign, f"Requests to other hosts: {foreign}"
    assert not errors, f"Errors in the browser console: {errors}"
