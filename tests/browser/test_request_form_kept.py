"""A patient's contact details survive a new visit to the request form (as after a failed send), in this tab only,
never the reason for the visit; once the request is sent they are gone from the browser."""

import json
from datetime import time

import time_machine
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility
from tests.browser.test_booking import next_wednesday_noon
from tests.factories import make_location, make_rule, make_surgeon

REASON = "Leg pain came back after my fusion."


def kept(page: Page) -> dict[str, str]:
    return {
        key: page.evaluate(f"sessionStorage.getItem({json.dumps(key)})")
        for key in page.evaluate("Object.keys(sessionStorage)")
    }


@time_machine.travel(next_wednesday_noon(), tick=True)
def test_contact_fields_survive_a_new_visit_and_the_reason_is_never_stored(page: Page) -> None:
    albany = make_location(name="Albany Spine (fictional)", slug="albany", timezone="America/New_York")
    surgeon = make_surgeon(slug="ana-lopez", first_name="Ana", last_name="Lopez", locations=[albany])
    for weekday in range(7):
        make_rule(surgeon, albany, weekday=weekday, start_time=time(9), end_time=time(11))

    page.goto("/request/")
    page.get_by_role("group", name="Have you had spine surgery in the last 12 weeks?").get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Dr. Ana Lopez, MD").click()
    page.get_by_role("link", name="First available").click()
    page.locator("#week a.btn-outline-primary").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Fictional")
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Phone number").fill("(518) 555-0123")
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("What would you like to discuss?").fill(REASON)

    # A new visit to the page, not a reload: the browser's own restoring of a reloaded form plays no part.
    page.goto(page.url)

    expect(page.get_by_label("First name")).to_have_value("Robin")
    expect(page.get_by_label("Last name")).to_have_value("Fictional")
    expect(page.get_by_label("Email")).to_have_value("robin@example.com")
    expect(page.get_by_label("Phone number")).to_have_value("(518) 555-0123")
    expect(page.get_by_label("Phone", exact=True)).to_be_checked()
    expect(page.get_by_label("What would you like to discuss?")).to_have_value("")
    stored = kept(page)
    assert json.loads(stored["kept:request-details"])["first_name"] == "Robin"
    assert not any("fusion" in value for value in stored.values())
    check_accessibility(page)

    page.get_by_label("Date of birth").fill("1968-04-02")
    page.get_by_label("What would you like to discuss?").fill(REASON)
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
    stored = kept(page)
    assert "kept:request-details" not in stored
    # Nor does htmx keep snapshots of the pages (its history cache) in the tab's storage.
    assert "htmx-history-cache" not in stored
    assert not any("fusion" in value or "Robin" in value for value in stored.values())
