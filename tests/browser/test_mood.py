"""On a phone, a patient answers the mood questions (PHQ-4) with the crisis lines in view; their check page shows
their answers without labels, and their surgeon then sees the screen as a flag on the summary."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultations.links import patient_token
from consultations.models import QuestionnaireResponse
from tests.browser.conftest import check_accessibility, screenshot
from tests.browser.test_surgeon_workspace import sign_in
from tests.factories import make_consultation, make_location, make_patient, make_surgeon_user

STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_a_patient_answers_the_mood_questions_and_the_surgeon_sees_the_flag(page: Page) -> None:
    surgeon_user, surgeon = make_surgeon_user()
    location = make_location()
    patient = make_patient(date_of_birth=date(1968, 4, 2))
    consultation = make_consultation(surgeon, location, timezone.now() + timedelta(days=10), patient=patient)
    token = patient_token(consultation)

    page.goto(f"/my-consultation/{token}/history/mood/")
    expect(page.get_by_role("heading", level=1)).to_have_text("How you have been feeling")
    expect(page.get_by_text(STEM)).to_be_visible()
    crisis = page.get_by_role("complementary")
    expect(crisis.get_by_role("link", name="988").first).to_have_attribute("href", "tel:988")
    expect(crisis.get_by_role("link", name="988").last).to_have_attribute("href", "sms:988")
    expect(crisis.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    check_accessibility(page)

    page.get_by_role("group", name="Feeling nervous, anxious or on edge").get_by_label("Several days").check()
    page.get_by_role("group", name="Not being able to stop or control worrying").get_by_label("Not at all").check()
    page.get_by_role("group", name="Feeling down, depressed, or hopeless").get_by_label("Nearly every day").check()
    page.get_by_role("group", name="Little interest or pleasure in doing things").get_by_label(
        "More than half the days"
    ).check()
    screenshot(page, "intake-mood")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Work")
    saved = QuestionnaireResponse.objects.get(instrument__purpose="mood")
    assert (saved.score, saved.band) == (6, "moderate")

    page.goto(f"/my-consultation/{token}/history/review/")
    mood = page.get_by_role("region", name="How you have been feeling")
    expect(mood).to_contain_text("Nearly every day")
    expect(mood).not_to_contain_text("PHQ")
    expect(mood).not_to_contain_text("Screen positive")

    sign_in(page, surgeon_user)
    page.goto(f"/surgeon/consultations/{consultation.public_id}/")
    # The flag is a row of the risk box on the first screen; the scores are in the closed section below.
    flag = page.locator("#risks .risk-mood")
    expect(flag).to_contain_text("Screen positive for depression")
    expect(flag).not_to_contain_text("anxiety")
    page.get_by_role("heading", name="Mood screen").click()
    scores = page.locator("#mood")
    expect(scores).to_contain_text("PHQ-2 5 of 6, GAD-2 1 of 6")
    expect(scores).not_to_contain_text("anxiety")
    check_accessibility(page)
    screenshot(page, "surgeon-mood")
