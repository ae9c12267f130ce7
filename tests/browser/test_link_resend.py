"""A patient whose link has expired asks for it again from the page that says so, with the keyboard."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultations.links import patient_token
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import make_consultation, make_location, make_surgeon


def test_an_expired_link_leads_to_the_resend_form(page: Page) -> None:
    location = make_location()
    consultation = make_consultation(make_surgeon(locations=[location]), location, timezone.now() + timedelta(days=5))
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        old = patient_token(consultation)

    page.goto(f"/my-consultation/{old}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    check_accessibility(page)
    screenshot(page, "link-expired")
    page.get_by_role("link", name="send me my link again").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Send me my link again")
    check_accessibility(page)
    page.get_by_label("E-mail address").fill(consultation.patient.email)
    page.get_by_label("Date of birth").focus()
    page.keyboard.type(consultation.patient.date_of_birth.strftime("%m%d%Y"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text(
        "If we found a consultation for those details, we've e-mailed a new link."
    )
    check_accessibility(page)
    screenshot(page, "link-resent")
    assert [message.subject for message in mail.outbox] == ["Your consultation links"]
