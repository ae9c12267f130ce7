"""A patient on a phone requests a consultation, then moves it and cancels it from the link in the e-mail."""

import re
from datetime import UTC, datetime, time, timedelta

import time_machine
from django.core import mail
from playwright.sync_api import Page, expect

from consultations.booking.details import VIDEO_CONSENT
from consultations.models import Consultation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import make_location, make_rule, make_surgeon


def next_wednesday_noon() -> datetime:
    """A fixed point in the week, in the future (cookies the browser gets must not be dated in its past)."""
    now = datetime.now(UTC)
    days = (2 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=12, minute=0, second=0, microsecond=0)


@time_machine.travel(next_wednesday_noon(), tick=True)
def test_request_reschedule_and_cancel(page: Page) -> None:
    albany = make_location(name="Albany Spine (fictional)", slug="albany", timezone="America/New_York")
    surgeon = make_surgeon(slug="ana-lopez", first_name="Ana", last_name="Lopez", locations=[albany])
    for weekday in range(7):
        make_rule(surgeon, albany, weekday=weekday, start_time=time(9), end_time=time(11))

    page.goto("/request/")
    # The safety screen comes first; with nothing ticked it leads straight on.
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you choose a time: a safety check")
    page.get_by_role("group", name="Have you had spine surgery in the last 12 weeks?").get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a consultation")
    check_accessibility(page)
    page.get_by_role("link", name="Dr. Ana Lopez, MD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    page.get_by_role("link", name="First available").click()
    expect(page.locator("#week a.btn-outline-primary").first).to_be_visible()
    check_accessibility(page)
    screenshot(page, "booking-week")

    page.locator("#week a.btn-outline-primary").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Fictional")
    page.get_by_label("Date of birth").fill("1968-04-02")
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Phone number").fill("(518) 555-0123")
    page.get_by_label("What would you like to discuss?").fill("Leg pain came back after my fusion.")
    # The booking details, grouped and optional; the video consent shows once a video visit is chosen.
    consent = page.get_by_label(VIDEO_CONSENT)
    expect(consent).to_be_hidden()
    page.get_by_role("group", name="Visit").get_by_label("Video call").check()
    expect(consent).to_be_visible()
    about = page.get_by_role("group", name="About you")
    expect(about.get_by_label("Language you would like to use at your visit")).to_have_value("English")
    about.get_by_label("I would like an interpreter at my visit").check()
    about.get_by_role("group", name="Sex (optional)").get_by_label("Prefer not to say").check()
    contacts = page.get_by_role("group", name="People we may call")
    contacts.get_by_label("Someone we can call in an emergency (optional)").fill("Sam Example")
    contacts.get_by_label("Who they are to you (optional)").fill("brother")
    check_accessibility(page)
    screenshot(page, "booking-details")
    page.get_by_role("button", name="Send request").click()

    # Without the consent, the state, or the contact's phone: clear messages, and every answer kept.
    expect(page.get_by_text("To have a video visit, tick the box to agree to it")).to_be_visible()
    expect(page.get_by_text("For a video visit, choose the state where you live.")).to_be_visible()
    expect(page.get_by_text("Enter a phone number for Sam Example, or leave both empty.")).to_be_visible()
    expect(page.get_by_label("I would like an interpreter at my visit")).to_be_checked()
    expect(page.get_by_label("Prefer not to say")).to_be_checked()
    expect(page.get_by_label("Who they are to you (optional)")).to_have_value("brother")
    expect(page.get_by_label("What would you like to discuss?")).to_have_value("Leg pain came back after my fusion.")
    check_accessibility(page)
    screenshot(page, "booking-details-errors")
    page.get_by_label(VIDEO_CONSENT).check()
    page.get_by_label("State where you live").select_option("VT")
    page.get_by_label("Their phone, for emergencies").fill("(518) 555-0102")
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
    consultation = Consultation.objects.get()
    expect(page.get_by_text(consultation.reference)).to_be_visible()
    assert (consultation.red_flag_screen.items, consultation.safety_flag) == ([], "")
    details = consultation.booking_details
    assert (details.interpreter_needed, details.sex, details.state) == (True, "not_said", "VT")
    assert details.emergency_contact_phone == "(518) 555-0102" and details.video_consent_at is not None
    check_accessibility(page)
    screenshot(page, "booking-sent")

    received = next(m for m in mail.outbox if m.subject == "We received your consultation request")
    link = re.search(r"(/my-consultation/\S+/)", received.body)[1]
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your consultation")
    check_accessibility(page)

    page.get_by_role("link", name="Choose another time").click()
    page.get_by_role("link", name="Next week").click()
    expect(page.locator("#week h2")).to_contain_text("Week of")
    # htmx swapped only the week: still one page heading and one week, and the address follows.
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#week")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]week="))
    check_accessibility(page)
    page.locator("#week a.btn-outline-primary").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move your consultation?")
    page.get_by_role("button", name="Confirm the move").click()
    expect(page.get_by_text("Your consultation has a new time.")).to_be_visible()
    moved = Consultation.objects.get()
    assert moved.start > consultation.start and moved.sequence == 1
    screenshot(page, "booking-moved")

    page.get_by_role("link", name="Cancel this consultation").click()
    check_accessibility(page)
    page.get_by_label("Reason (optional)").fill("Feeling better")
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.get_by_text("Your consultation is cancelled.")).to_be_visible()
    assert Consultation.objects.get().status == Consultation.Status.CANCELLED
    check_accessibility(page)
    screenshot(page, "booking-cancelled")
