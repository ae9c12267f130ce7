"""A surgeon between cases: sign in with the second factor, show only histories not yet reviewed, open one with
two earlier operations and a red flag, print it, mark it reviewed with a note and a priority; the front desk
then sees that priority in its queue."""

import re
from datetime import timedelta

import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from clinic import roles
from consultations.models import AccessLog, IntakeReview, Medication
from consultations.models.intake import Answer, Level, PriorOperation
from tests.browser.conftest import check_accessibility, screenshot
from tests.browser.test_booking import next_wednesday_noon
from tests.factories import (
    PASSWORD,
    current_code,
    make_consultation,
    make_function_score,
    make_location,
    make_medication,
    make_operation,
    make_patient,
    make_red_flag_screen,
    make_submitted_intake,
    make_surgeon_user,
    make_user,
)


def sign_in(page: Page, user) -> None:
    code = current_code(TOTPDevice.objects.get(user=user))
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()


@time_machine.travel(next_wednesday_noon(), tick=True)
def test_a_surgeon_reviews_a_history_and_the_desk_sees_the_priority(page: Page) -> None:
    albany = make_location(name="Albany Spine (fictional)", slug="albany", timezone="America/New_York")
    surgeon_user, surgeon = make_surgeon_user(slug="ana-lopez", first_name="Ana", last_name="Lopez", locations=[albany])
    soon = timezone.now() + timedelta(days=3)
    patient = make_patient(first_name="Morgan", last_name="Demo", email="morgan@example.com")
    consultation = make_consultation(surgeon, albany, soon, patient=patient, safety_flag="urgent")
    make_red_flag_screen(consultation, "weakness")
    intake = make_submitted_intake(
        consultation,
        chief_complaint="Numb left foot since my second operation.",
        takes_opioids=Answer.YES,
        smoking="current",
        height_inches=66,
        weight_pounds=240,
    )
    make_operation(intake, year=2015, month=3, level_from=Level.L5, level_to=Level.S1)
    make_operation(
        intake,
        year=2020,
        month=10,
        procedure=PriorOperation.Procedure.FUSION_TLIF,
        level_from=Level.L4,
        level_to=Level.L5,
        implants=Answer.YES,
        outcome=PriorOperation.Outcome.WORSE,
    )
    make_medication(intake, name="Oxycodone", dose="5 mg twice a day", category=Medication.Category.OPIOID)
    make_function_score(intake, [3, 2, 3, 2, 3, 3, 2, None, 2, 3])
    # Already reviewed: the filter hides it.
    reviewed = make_submitted_intake(
        make_consultation(surgeon, albany, soon + timedelta(hours=1), patient=make_patient(email="r@example.com"))
    )
    IntakeReview.objects.create(intake=reviewed, reviewed_by=surgeon_user, reviewed_at=timezone.now())
    desk = make_user(role=roles.FRONT_DESK)

    sign_in(page, surgeon_user)
    expect(page.get_by_role("heading", level=1)).to_have_text("My consultations")
    check_accessibility(page)
    page.get_by_label("Only histories I have not reviewed").check()
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("link", name=str(patient))).to_be_visible()
    expect(page.get_by_role("link", name=str(reviewed.patient))).to_have_count(0)
    screenshot(page, "surgeon-journey-list")

    page.get_by_role("link", name=str(patient)).click()
    expect(page.get_by_text("Numb left foot since my second operation.")).to_be_visible()
    red_flags = page.get_by_role("region", name=re.compile("Red flag", re.IGNORECASE))
    expect(red_flags).to_contain_text("weakness")
    operations = page.get_by_role("region", name=re.compile("Previous spine operations"))
    expect(operations).to_contain_text("L5-S1")
    expect(operations).to_contain_text("L4-L5")
    check_accessibility(page)
    screenshot(page, "surgeon-journey-summary")

    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    check_accessibility(page)
    page.emulate_media(media="print")
    screenshot(page, "surgeon-journey-print")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Back to the summary").click()

    page.get_by_label("Urgent").check()
    page.get_by_label("Pre-visit notes").fill("Check the fusion on a standing X-ray before the visit.")
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text(re.compile("Reviewed by"))).to_be_visible()
    review = IntakeReview.objects.get(intake=intake)
    assert (review.priority, review.reviewed_by) == ("urgent", surgeon_user)
    assert AccessLog.objects.filter(user=surgeon_user, action="view_summary").exists()
    assert AccessLog.objects.filter(user=surgeon_user, action="print_summary").exists()

    page.context.clear_cookies()
    sign_in(page, desk)
    page.get_by_role("navigation", name="Front desk").get_by_role("link", name="Request queue").click()
    row = page.get_by_role("row", name=re.compile(str(patient)))
    expect(row).to_contain_text("Surgeon: urgent")
    expect(page.get_by_text("standing X-ray")).to_have_count(0)
    check_accessibility(page)
    screenshot(page, "surgeon-journey-desk-sees-priority")
