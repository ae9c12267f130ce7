"""On a phone, a patient lists an operation level by level with its implants (a stimulator still in), an opioid with
the numbers on its label, and the health details a surgeon weighs; the surgeon's risk box then answers each factor
and marks the stimulator for MRI planning."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultations.links import patient_token
from consultations.models import Intake
from consultations.models.intake import Answer
from tests.browser.conftest import check_accessibility, screenshot
from tests.browser.test_intake import YEAR, save_and_continue
from tests.browser.test_surgeon_workspace import sign_in
from tests.factories import make_consultation, make_location, make_patient, make_submitted_intake, make_surgeon_user


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_operation_levels_implants_and_opioid_numbers_reach_the_risk_box(page: Page) -> None:
    surgeon_user, surgeon = make_surgeon_user()
    location = make_location()
    patient = make_patient(first_name="Sam", last_name="Fictional", date_of_birth=date(1966, 2, 3))
    consultation = make_consultation(surgeon, location, timezone.now() + timedelta(days=5), patient=patient)
    make_submitted_intake(consultation, had_spine_surgery=Answer.YES)
    token = patient_token(consultation)

    page.goto(f"/my-consultation/{token}/history/operations/")
    operation = page.get_by_role("group", name="Add operation")
    operation.get_by_label("Month", exact=True).select_option(label="October")
    operation.get_by_role("spinbutton", name=YEAR).fill("2019")
    operation.get_by_label("What was done?").select_option(label="Fusion: TLIF")
    levels = operation.get_by_role("group", name="Which levels were operated on?")
    levels.get_by_label("L4-L5", exact=True).check()
    levels.get_by_label(re.compile("L5-L6")).check()
    operation.get_by_role("group", name=re.compile("Were screws, rods")).get_by_label("Yes", exact=True).check()
    implants = operation.get_by_role("group", name=re.compile("is each one still there"))
    implants.get_by_label("Screws and rods (pedicle screws)").select_option(label="Still in place")
    implants.get_by_label("Spinal cord stimulator").select_option(label="Still in place")
    check_accessibility(page)
    screenshot(page, "hardware-operation")
    save_and_continue(page, "Other treatments")

    page.goto(f"/my-consultation/{token}/history/medications/")
    page.get_by_role("group", name=re.compile("Do you take an opioid")).get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name=re.compile("Do you take a blood thinner")).get_by_label("No", exact=True).check()
    medicine = page.get_by_role("group", name="Add medicine").first
    medicine.get_by_label("If it is an opioid pain medicine, which one?").select_option(
        label="Hydrocodone (Norco, Vicodin)"
    )
    medicine.get_by_label(re.compile("Strength of one tablet")).fill("0")
    medicine.get_by_label("How many tablets (or patches) at a time").fill("1")
    medicine.get_by_label("How many times a day, usually").fill("4")
    page.get_by_label("I have no known allergies").check()
    page.get_by_role("button", name="Save and continue").click()
    # A strength of 0: a clear message, and everything else still filled in.
    expect(page.get_by_text("Please give the strength as a number on the label")).to_be_visible()
    medicine = page.get_by_role("group", name="Add medicine").first
    expect(medicine.get_by_label("How many times a day, usually")).to_have_value("4")
    check_accessibility(page)
    medicine.get_by_label(re.compile("Strength of one tablet")).fill("10")
    medicine.get_by_label("Taking it since: month").select_option(label="January")
    medicine.get_by_role("spinbutton", name="Year").fill("2021")
    screenshot(page, "hardware-medicines")
    save_and_continue(page, "Scans and tests")

    page.goto(f"/my-consultation/{token}/history/health/")
    page.get_by_role("group", name="Do you have diabetes?").get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="Do you use insulin?").get_by_label("No", exact=True).check()
    page.get_by_label(re.compile("Your last HbA1c")).fill("7.2")
    page.get_by_label("Used to, but stopped").check()
    page.get_by_label(re.compile("How many cigarettes a day")).fill("20")
    page.get_by_label("For how many years, in all?").fill("10")
    stopped = page.get_by_role("group", name="If you used to smoke: when did you stop?")
    stopped.get_by_label("Month", exact=True).select_option(label="March")
    stopped.get_by_role("spinbutton", name="Year").fill("2024")
    check_accessibility(page)
    screenshot(page, "hardware-health")
    save_and_continue(page, "Daily activities")

    intake = Intake.objects.get()
    operation_row = intake.operations.get()
    assert operation_row.segments == ["L4-L5", "L5-L6"]
    assert operation_row.hardware == {"pedicle_screws": "in_place", "stimulator": "in_place"}
    assert (intake.hba1c, intake.smoking_quit_year, intake.cigarettes_per_day) == (Decimal("7.2"), 2024, 20)

    page.goto("/")
    sign_in(page, surgeon_user)
    page.goto(f"/surgeon/consultations/{consultation.public_id}/")
    risks = page.locator("#risks")
    expect(risks.locator(".risk-opioids")).to_contain_text("Hydrocodone")
    expect(risks.locator(".risk-opioids")).to_contain_text("40 MME/day")
    expect(risks.locator(".risk-devices")).to_contain_text("Spinal cord stimulator (2019 operation): still in place")
    expect(risks.locator(".risk-smoking")).to_contain_text("stopped Mar 2024")
    expect(risks.locator(".risk-steroids")).to_contain_text("Not answered")
    check_accessibility(page)
    screenshot(page, "hardware-risk-box")
