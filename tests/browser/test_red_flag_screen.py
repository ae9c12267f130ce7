"""The red-flag screen before any free time: one patient stops at the urgent message, another reads the
same-day advice, confirms it and goes on to the week of free times."""

from datetime import time

import time_machine
from playwright.sync_api import Page, expect

from clinic.models import Surgeon
from consultations.booking.red_flags import CALL_YOUR_SURGEON_NOW, EMERGENCY_HEADLINE, FLAGS, SAME_DAY_HEADLINE
from consultations.booking.screening import ACKNOWLEDGEMENTS, Urgency
from consultations.models import Consultation, Patient, RedFlagScreen
from tests.browser.conftest import check_accessibility, screenshot
from tests.browser.test_booking import next_wednesday_noon
from tests.factories import make_location, make_rule, make_surgeon

SCREEN_HEADING = "Before you choose a time: a safety check"
SURGERY_QUESTION = "Have you had spine surgery in the last 12 weeks?"


def make_bookable_surgeon() -> Surgeon:
    albany = make_location(name="Albany Spine (fictional)", slug="albany", timezone="America/New_York")
    surgeon = make_surgeon(slug="ana-lopez", first_name="Ana", last_name="Lopez", locations=[albany])
    for weekday in range(7):
        make_rule(surgeon, albany, weekday=weekday, start_time=time(9), end_time=time(11))
    return surgeon


@time_machine.travel(next_wednesday_noon(), tick=True)
def test_an_emergency_sign_stops_at_the_urgent_message(page: Page) -> None:
    make_bookable_surgeon()

    page.goto("/request/ana-lopez/")
    expect(page.get_by_role("heading", level=1)).to_have_text(SCREEN_HEADING)
    check_accessibility(page)
    screenshot(page, "red-flag-screen")
    page.get_by_role("group", name=SURGERY_QUESTION).get_by_label("Yes").check()
    page.get_by_label(FLAGS["saddle_numbness"].text, exact=True).check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(EMERGENCY_HEADLINE)
    expect(page.get_by_role("alert")).to_contain_text(CALL_YOUR_SURGEON_NOW)
    call = page.get_by_role("main").get_by_role("link", name="Call 911")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:911")
    # Reached from the keyboard, before anything that leads on to booking.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Call 911":
            break
    expect(call).to_be_focused()
    going_on = page.get_by_role("button", name="Continue to choose a time")
    assert call.bounding_box()["y"] < going_on.bounding_box()["y"]
    expect(page.locator("#week")).to_have_count(0)
    check_accessibility(page)
    screenshot(page, "red-flag-urgent")

    # Stopping here leaves nothing behind, and the times stay behind the screen.
    assert (Consultation.objects.count(), Patient.objects.count(), RedFlagScreen.objects.count()) == (0, 0, 0)
    page.goto("/request/ana-lopez/")
    expect(page.get_by_role("heading", level=1)).to_have_text(SCREEN_HEADING)


@time_machine.travel(next_wednesday_noon(), tick=True)
def test_same_day_advice_confirmed_leads_on_to_the_free_times(page: Page) -> None:
    make_bookable_surgeon()

    page.goto("/request/ana-lopez/")
    page.get_by_role("group", name=SURGERY_QUESTION).get_by_label("No").check()
    page.get_by_label(FLAGS["cancer"].text, exact=True).check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(SAME_DAY_HEADLINE)
    check_accessibility(page)
    screenshot(page, "red-flag-advice")
    call = page.get_by_role("main").get_by_role("link", name="Call 911")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:911")
    page.get_by_label(ACKNOWLEDGEMENTS[Urgency.SAME_DAY][1]).check()
    page.get_by_role("button", name="Continue to choose a time").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    page.get_by_role("link", name="First available").click()
    expect(page.locator("#week a.btn-outline-primary").first).to_be_visible()
    check_accessibility(page)
    screenshot(page, "red-flag-week")
    assert not Consultation.objects.exists()


@time_machine.travel(next_wednesday_noon(), tick=True)
def test_an_emergency_sign_had_for_weeks_and_examined_may_go_on_as_urgent(page: Page) -> None:
    make_bookable_surgeon()

    page.goto("/request/ana-lopez/")
    page.get_by_role("group", name=SURGERY_QUESTION).get_by_label("No").check()
    page.get_by_label(FLAGS["both_legs"].text, exact=True).check()
    page.get_by_label(FLAGS["weight_loss"].text, exact=True).check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(EMERGENCY_HEADLINE)
    # The confirmation names only the emergency symptom ticked, and never calls it "not new".
    covered = page.get_by_role("list", name="The symptoms you ticked that this is about:")
    expect(covered.get_by_role("listitem")).to_have_text([FLAGS["both_legs"].text])
    expect(page.get_by_role("main")).not_to_contain_text("not new")
    check_accessibility(page)
    screenshot(page, "red-flag-override")
    page.get_by_label(ACKNOWLEDGEMENTS[Urgency.EMERGENCY][1]).check()
    page.get_by_role("button", name="Continue to choose a time").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    assert not Consultation.objects.exists()
