"""A patient passes the safety check, requests a time, fills in every step of the history with two earlier
operations, leaves, comes back from the link in the e-mail on another visit, and sends it."""

import re
from datetime import date, timedelta
from pathlib import Path

import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from consultations.links import patient_token
from consultations.models import AccessLog, Intake, RedFlagScreen
from tests.browser.conftest import VIEWPORTS, check_accessibility, screenshot
from tests.browser.test_booking import next_wednesday_noon
from tests.browser.test_red_flag_screen import SURGERY_QUESTION, make_bookable_surgeon
from tests.factories import make_consultation, make_location, make_patient, make_surgeon

# A required field's label ends in crispy-forms' asterisk.
YEAR = re.compile(r"^Year\*?$")
REPORT = Path(__file__).parent / "data" / "report.pdf"


def save_and_continue(page: Page, next_heading: str) -> None:
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(next_heading)


def fill_operation(page: Page, *, month: str, year: str, procedure: str, levels: list[str]) -> None:
    new = page.get_by_role("group", name="Add operation")
    new.get_by_label("Month", exact=True).select_option(label=month)
    new.get_by_role("spinbutton", name=YEAR).fill(year)
    new.get_by_label("What was done?").select_option(label=procedure)
    for level in levels:
        new.get_by_role("group", name="Which levels were operated on?").get_by_label(level, exact=True).check()


@time_machine.travel(next_wednesday_noon(), tick=True)
def test_fill_in_the_history_over_two_visits_and_send_it(page: Page) -> None:
    make_bookable_surgeon()

    # The safety check, with nothing ticked, then a time and the contact details.
    page.goto("/request/ana-lopez/")
    page.get_by_role("group", name=SURGERY_QUESTION).get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="First available").click()
    page.locator("#week a.btn-outline-primary").first.click()
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Fictional")
    page.get_by_label("Date of birth").fill("1968-04-02")
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Phone number").fill("(518) 555-0123")
    page.get_by_label("What would you like to discuss?").fill("Leg pain came back after my fusion.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
    assert RedFlagScreen.objects.get().items == []

    page.get_by_role("link", name="Fill in your history now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your main problem and goals")
    check_accessibility(page)
    page.get_by_label("What is the main problem you would like help with?").fill("Left leg pain since my fusion.")
    page.get_by_label("What would count as success for you?").fill("Walking to the shops again.")
    save_and_continue(page, "Where it hurts and how much")

    page.get_by_role("group", name="Low back").get_by_label("Both sides").check()
    page.get_by_role("group", name="Thigh").get_by_label("Left").check()
    page.get_by_role("group", name="Your back pain right now").get_by_text("4", exact=True).click()
    page.get_by_role("group", name="Your leg pain right now").get_by_text("7", exact=True).click()
    check_accessibility(page)
    screenshot(page, "intake-pain")
    save_and_continue(page, "Numbness, weakness and walking")
    save_and_continue(page, "Since your surgery")

    page.get_by_role("group", name="Have you had an operation on your spine?").get_by_label("Yes", exact=True).check()
    page.get_by_label("It got better, then came back").check()
    page.get_by_role("spinbutton", name=YEAR).fill("2023")
    save_and_continue(page, "Previous spine operations")

    fill_operation(page, month="March", year="2015", procedure="Microdiscectomy", levels=["L5-S1"])
    check_accessibility(page)
    page.get_by_role("button", name="Save and add another operation").click()
    expect(page.get_by_text("Saved. You can add another below.")).to_be_visible()
    fill_operation(page, month="October", year="2019", procedure="Fusion: TLIF", levels=["L4-L5"])
    page.get_by_role("group", name="Add operation").get_by_role(
        "group", name="Were screws, rods, cages, a stimulator or other implants put in?"
    ).get_by_label("Yes", exact=True).check()
    screenshot(page, "intake-operations")
    save_and_continue(page, "Other treatments")
    assert [operation.levels for operation in Intake.objects.get().operations.all()] == ["L5-S1", "L4-L5"]

    # The patient stops here and comes back later from the link in the e-mail.
    page.goto("/")
    received = next(m for m in mail.outbox if m.subject == "We received your consultation request")
    link = re.search(r"(/my-consultation/\S+/)", received.body)[1]
    page.goto(link)
    page.get_by_role("link", name="Carry on with your history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Other treatments")

    epidural = page.get_by_role("group", name="Epidural steroid injections")
    epidural.get_by_role("group", name="Tried it?").get_by_label("Yes", exact=True).check()
    epidural.get_by_label("Last time (year)").fill("2022")
    epidural.get_by_label("Did it help?").select_option(label="Helped a little")
    check_accessibility(page)
    save_and_continue(page, "Medicines and allergies")

    page.get_by_role("group", name=re.compile("Do you take an opioid")).get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name=re.compile("Do you take a blood thinner")).get_by_label("No", exact=True).check()
    first_medicine = page.get_by_role("group", name="Add medicine").first
    first_medicine.get_by_label("Medicine", exact=True).fill("Oxycodone")
    first_medicine.get_by_label("How much and how often").fill("5 mg twice a day")
    first_medicine.get_by_label("Kind").select_option(label="Opioid pain medicine")
    page.get_by_label("I have no known allergies").check()
    check_accessibility(page)
    save_and_continue(page, "Scans and tests")

    scan = page.get_by_role("group", name="Add scan or test")
    scan.get_by_label("Scan or test").select_option(label="MRI with contrast")
    scan.get_by_label("Part of the body").select_option(label="Low back (lumbar)")
    scan.get_by_role("spinbutton", name=YEAR).fill("2024")
    page.get_by_label("Add a report (PDF, JPEG or PNG, up to 10 MB)").set_input_files(str(REPORT))
    check_accessibility(page)
    save_and_continue(page, "Your general health")

    page.get_by_role("group", name="Do you have diabetes?").get_by_label("No", exact=True).check()
    page.get_by_label("Yes, cigarettes or other tobacco").check()
    page.get_by_label("Height: feet").fill("5")
    page.get_by_label("and inches").fill("9")
    page.get_by_label("Weight in pounds").fill("190")
    check_accessibility(page)
    save_and_continue(page, "Daily activities")

    for group in page.locator("form fieldset").all():
        group.locator("label").first.click()
    check_accessibility(page)
    screenshot(page, "intake-function")
    save_and_continue(page, "How you have been feeling")

    # Every mood question may be left blank.
    save_and_continue(page, "Work")

    page.get_by_label("Off work because of the pain").check()
    page.get_by_label("Your job (or your last job)").fill("Bus driver")
    save_and_continue(page, "Privacy and contact")

    page.get_by_label(re.compile("I have read the privacy notice")).check()
    check_accessibility(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your history")
    expect(page.get_by_text("Left leg pain since my fusion.")).to_be_visible()
    expect(page.get_by_text("L4-L5")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "intake-review")

    page.get_by_role("button", name="Send my history").click()
    expect(page.get_by_text("Your history is sent")).to_be_visible()
    intake = Intake.objects.get()
    assert intake.status == Intake.Status.COMPLETED
    assert intake.uploads.count() == 1 and intake.medications.get().category == "opioid"
    assert intake.bmi is not None
    assert any(m.subject == "We received your history" for m in mail.outbox)
    assert AccessLog.objects.filter(role="patient", action="view_intake").count() >= 11
    check_accessibility(page)


def test_the_steps_work_on_a_phone_without_javascript(browser: Browser, live_server) -> None:
    """Saving, adding another operation and removing a report are plain forms: no script is needed."""
    albany = make_location()
    surgeon = make_surgeon(locations=[albany])
    patient = make_patient(date_of_birth=date(1968, 4, 2))
    consultation = make_consultation(surgeon, albany, timezone.now() + timedelta(days=10), patient=patient)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **VIEWPORTS["phone"])
    page = context.new_page()
    page.viewport_name = "phone-no-js"
    token = patient_token(consultation)
    try:
        page.goto(f"/my-consultation/{token}/history/pain/")
        page.get_by_role("group", name="Foot").get_by_label("Right").check()
        page.get_by_role("group", name="Your leg pain right now").get_by_text("6", exact=True).click()
        save_and_continue(page, "Numbness, weakness and walking")

        page.goto(f"/my-consultation/{token}/history/operations/")
        fill_operation(page, month="March", year="2015", procedure="Microdiscectomy", levels=["L5-S1"])
        page.get_by_role("button", name="Save and add another operation").click()
        expect(page.get_by_role("group", name="Operation 1")).to_be_visible()
        fill_operation(
            page,
            month="May",
            year=str(timezone.localdate().year + 1),
            procedure="Laminectomy (decompression)",
            levels=["L4-L5"],
        )
        page.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_role("alert")).to_contain_text("Nothing on this page was saved yet")
        expect(page.get_by_text("An operation cannot be in the future")).to_be_visible()
        screenshot(page, "intake-error")

        page.goto(f"/my-consultation/{token}/history/imaging/")
        page.get_by_label("Add a report (PDF, JPEG or PNG, up to 10 MB)").set_input_files(str(REPORT))
        page.get_by_role("button", name="Save and add another").click()
        expect(page.get_by_text("The report is added.")).to_be_visible()
        page.get_by_role("button", name=re.compile("^Remove")).click()
        expect(page.get_by_text("The report is removed.")).to_be_visible()
    finally:
        context.close()
    intake = Intake.objects.get()
    assert (
        {area: side for area, side in intake.pain_map.items() if side} == {"foot": "right"}
        and intake.operations.count() == 1
        and not intake.uploads.exists()
    )
