"""A patient on a phone fills in the nerves step, partly by keyboard, is told plainly about a number they mistyped,
corrects it, and finds their answers on the check page."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultations.links import patient_token
from consultations.models import Intake
from tests.browser.conftest import check_accessibility, screenshot
from tests.browser.test_intake import save_and_continue
from tests.factories import make_consultation, make_location, make_patient, make_surgeon


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_fill_in_the_nerves_step_on_a_phone(page: Page) -> None:
    albany = make_location()
    consultation = make_consultation(
        make_surgeon(locations=[albany]),
        albany,
        timezone.now() + timedelta(days=10),
        patient=make_patient(date_of_birth=date(1968, 4, 2)),
    )
    token = patient_token(consultation)

    page.goto(f"/my-consultation/{token}/history/nerves/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Numbness, weakness and walking")
    expect(page.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    check_accessibility(page)

    # By keyboard: focus a choice, then Space picks it.
    page.get_by_role("group", name=re.compile("^Lifting your thigh")).get_by_label("Not weak").focus()
    page.keyboard.press("Space")
    page.get_by_role("group", name=re.compile("^Lifting your foot up at the ankle")).get_by_label("Left").check()
    page.get_by_role("group", name=re.compile("^Do you have numbness")).get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="Foot", exact=True).get_by_label("Left").check()
    page.get_by_label(re.compile("makes me stop after a while")).check()
    page.get_by_label("About how many blocks can you walk before you have to stop?").fill("2")
    page.get_by_role("group", name=re.compile("^Does bending forward")).get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="Do you have problems with your balance?").get_by_label("Yes", exact=True).check()
    page.get_by_label("How many times have you fallen in the last 12 months?").fill("-1")
    page.get_by_label("They work normally for me").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("alert")).to_contain_text("Nothing on this page was saved yet")
    expect(page.get_by_text("Please give the number of falls as a whole number from 0 to 365.")).to_be_visible()
    # What was typed is still there to correct.
    expect(page.get_by_label("About how many blocks can you walk before you have to stop?")).to_have_value("2")
    check_accessibility(page)
    screenshot(page, "intake-nerves-error")
    page.get_by_label("How many times have you fallen in the last 12 months?").fill("1")
    screenshot(page, "intake-nerves")
    save_and_continue(page, "Since your surgery")

    intake = Intake.objects.get()
    assert (intake.weak_hip_flexion, intake.weak_ankle_dorsiflexion, intake.falls_last_year) == ("none", "left", 1)
    page.goto(f"/my-consultation/{token}/history/review/")
    nerves = page.get_by_role("region", name="Numbness, weakness and walking")
    expect(nerves).to_contain_text("Lifting the foot (ankle dorsiflexion; foot drop)")
    expect(nerves).to_contain_text("Foot (left)")
    expect(nerves).to_contain_text("Stops after about 2 blocks")
    check_accessibility(page)
    screenshot(page, "intake-nerves-review")
