"""A coordinator's Monday: sign in with the second factor, confirm one request, propose another time for a
second, mark a no-show on a third, add time off and see who it affects."""

import re
from datetime import time, timedelta

import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from clinic import roles
from consultations.models import Consultation
from tests.browser.conftest import check_accessibility, screenshot
from tests.browser.test_booking import next_wednesday_noon
from tests.factories import (
    PASSWORD,
    current_code,
    make_consultation,
    make_location,
    make_patient,
    make_rule,
    make_surgeon,
    make_user,
)


@time_machine.travel(next_wednesday_noon(), tick=True)
def test_a_coordinator_works_the_queue_and_adds_time_off(page: Page) -> None:
    albany = make_location(name="Albany Spine (fictional)", slug="albany", timezone="America/New_York")
    surgeon = make_surgeon(slug="ana-lopez", first_name="Ana", last_name="Lopez", locations=[albany])
    for weekday in range(7):
        make_rule(surgeon, albany, weekday=weekday, start_time=time(9), end_time=time(12))
    in_three_days = (timezone.localtime(timezone.now(), albany.zone) + timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    to_confirm = make_consultation(
        surgeon, albany, in_three_days, patient=make_patient(first_name="Avery", email="avery@example.com")
    )
    to_move = make_consultation(
        surgeon,
        albany,
        in_three_days + timedelta(minutes=30),
        patient=make_patient(first_name="Blake", email="blake@example.com"),
    )
    # This morning's confirmed visit; the patient did not come.
    missed = make_consultation(
        surgeon,
        albany,
        timezone.now() - timedelta(hours=2),
        status=Consultation.Status.CONFIRMED,
        patient=make_patient(first_name="Casey", email="casey@example.com"),
    )
    coordinator = make_user(role=roles.FRONT_DESK)
    code = current_code(TOTPDevice.objects.get(user=coordinator))

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    check_accessibility(page)
    screenshot(page, "desk-journey-today")
    # Wide tables scroll in their own box: the page itself is no wider than the screen, on a phone too.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    page.get_by_role("navigation", name="Front desk").get_by_role("link", name="Request queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request queue")
    check_accessibility(page)
    screenshot(page, "desk-journey-queue")
    page.get_by_role("button", name=re.compile(rf"^Confirm\W+{to_confirm.name_as_typed}$")).click()
    expect(page.get_by_role("alert").or_(page.locator(".alert-success")).first).to_contain_text("Avery")
    to_confirm.refresh_from_db()
    assert to_confirm.status == Consultation.Status.CONFIRMED and to_confirm.status_changed_by == coordinator

    page.get_by_role("link", name=re.compile(rf"^Propose another time\W+for {to_move.name_as_typed}$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose another time")
    check_accessibility(page)
    page.locator("form button[name='slot']").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose this time?")
    check_accessibility(page)
    page.get_by_role("button", name="Confirm the move").click()
    expect(page.locator(".alert-success")).to_be_visible()
    moved = Consultation.objects.get(pk=to_move.pk)
    assert moved.start != to_move.start and moved.sequence == to_move.sequence + 1
    screenshot(page, "desk-journey-proposed")

    page.get_by_role("navigation", name="Front desk").get_by_role("link", name="Today").click()
    page.get_by_role("button", name=re.compile(rf"^No-show\W+{missed.name_as_typed}$")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert Consultation.objects.get(pk=missed.pk).status == Consultation.Status.NO_SHOW

    page.get_by_role("navigation", name="Front desk").get_by_role("link", name="Availability and time off").click()
    page.get_by_role("link", name=re.compile("Ana Lopez")).first.click()
    page.get_by_role("link", name="Add time off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add time off")
    check_accessibility(page)
    page.get_by_label("First day").fill(in_three_days.date().isoformat())
    page.get_by_label("Reason").fill("Fictional conference")
    page.get_by_role("button", name="Add time off").click()
    expect(page.get_by_role("heading", name="Patients affected")).to_be_visible()
    affected = page.get_by_role("link", name=re.compile(rf"^Propose another time\W+to {to_confirm.patient}$"))
    expect(affected).to_be_visible()
    check_accessibility(page)
    screenshot(page, "desk-journey-time-off")
