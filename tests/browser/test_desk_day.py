"""A coordinator's real day: book a caller for tomorrow morning (inside the patient's 24-hour notice), check in a
patient from today's list, mark another a no-show, and verify a patient's insurance."""

import re
from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from clinic import roles
from consultations.models import Consultation, Coverage
from tests.browser.conftest import check_accessibility, screenshot
from tests.browser.test_booking import next_wednesday_noon
from tests.factories import (
    PASSWORD,
    current_code,
    make_consultation,
    make_coverage,
    make_location,
    make_patient,
    make_rule,
    make_surgeon,
    make_user,
)


def sign_in_as(page: Page, user) -> None:
    code = current_code(TOTPDevice.objects.get(user=user))
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")


# A coordinator works at a desk computer (the patient's own journeys run on a phone too).
@pytest.mark.parametrize("page", ["desktop"], indirect=True)
# Wednesday 11:00 in Albany: tomorrow's 9:00 clinic is 22 hours away, inside a patient's 24-hour notice.
@time_machine.travel(next_wednesday_noon() + timedelta(hours=4), tick=True)
def test_a_coordinator_books_a_caller_and_works_todays_list(page: Page) -> None:
    albany = make_location(name="Albany Spine (fictional)", slug="albany", timezone="America/New_York")
    surgeon = make_surgeon(slug="ana-lopez", first_name="Ana", last_name="Lopez", locations=[albany])
    for weekday in range(7):
        make_rule(surgeon, albany, weekday=weekday, start_time=time(9), end_time=time(12))
    now = timezone.localtime(timezone.now(), albany.zone)
    tomorrow_nine = (now + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    assert tomorrow_nine - now < timedelta(hours=24)
    arrived = make_consultation(
        surgeon,
        albany,
        now.replace(hour=13, minute=0, second=0, microsecond=0),
        status=Consultation.Status.CONFIRMED,
        patient=make_patient(first_name="Avery", email="avery@example.com"),
    )
    insured = make_consultation(
        surgeon,
        albany,
        (now + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0),
        patient=make_patient(first_name="Drew", email="drew@example.com"),
    )
    make_coverage(insured)
    missed = make_consultation(
        surgeon,
        albany,
        now - timedelta(hours=2),
        status=Consultation.Status.CONFIRMED,
        patient=make_patient(first_name="Casey", email="casey@example.com"),
    )
    coordinator = make_user(role=roles.FRONT_DESK)
    sign_in_as(page, coordinator)

    page.get_by_role("navigation", name="Front desk").get_by_role("link", name="Book for a patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book for a patient")
    page.get_by_label("Surgeon").select_option("ana-lopez")
    page.get_by_role("button", name="Show free times").click()
    script = page.get_by_role("region", name=re.compile("First ask"))
    script.get_by_role("group", name=re.compile("Spine surgery in the last 12 weeks")).get_by_label("No").check()
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Caller")
    page.get_by_label("Date of birth").fill("1966-05-14")
    page.get_by_label("Phone number").fill("(518) 555-0142")
    page.get_by_label(re.compile(rf"{tomorrow_nine:%A, %B} {tomorrow_nine.day},\s+9:00 AM")).check()
    page.get_by_label("What the patient would like to discuss").fill("Leg pain again after my fusion")
    check_accessibility(page)
    screenshot(page, "desk-day-booking")
    page.get_by_role("button", name="Book and confirm").click()

    expect(page.locator(".alert-success")).to_contain_text("read the reference out")
    booked = Consultation.objects.get(patient__last_name="Caller")
    assert (booked.start, booked.status, booked.channel) == (tomorrow_nine, "confirmed", "phone")
    expect(page.locator(".alert-success")).to_contain_text(booked.reference)
    check_accessibility(page)
    screenshot(page, "desk-day-booked")

    page.get_by_role("navigation", name="Front desk").get_by_role("link", name="Today").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    check_accessibility(page)
    page.get_by_role("button", name=re.compile(rf"^Check in\W+{arrived.name_as_typed}$")).click()
    expect(page.locator(".alert-success")).to_contain_text("Checked in")
    assert Consultation.objects.get(pk=arrived.pk).status == Consultation.Status.CHECKED_IN
    page.get_by_role("button", name=re.compile(rf"^No-show\W+{missed.name_as_typed}$")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Consultation.objects.get(pk=missed.pk).status == Consultation.Status.NO_SHOW
    check_accessibility(page)
    screenshot(page, "desk-day-no-show")

    page.get_by_role("navigation", name="Front desk").get_by_role("link", name="Request queue").click()
    expect(page.get_by_role("table").get_by_text("Insurance not verified")).to_be_visible()
    page.get_by_role("link", name=insured.name_as_typed, exact=True).click()
    page.get_by_label("Verified with the insurance company").check()
    page.get_by_role("button", name="Save the check").click()
    expect(page.locator(".alert-success")).to_contain_text("verified")
    coverage = Coverage.objects.get(consultation=insured)
    assert (coverage.verification, coverage.verified_by.username) == ("verified", coordinator.username)
    check_accessibility(page)
    screenshot(page, "desk-day-insurance-verified")
