"""The surgeon's summary on a 1366 x 900 laptop screen, as a surgeon opens it with five minutes before clinic: the
first screen holds the red flags, the risk box, the main problem, the pain (back or leg dominant), the nerves and the
operations; the rest is closed below it, and opens on paper."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultations.intake import questionnaires
from consultations.intake.forms import PAIN_AREA_LABELS
from consultations.models import PriorOperation
from consultations.models.intake import Answer
from consultations.models.operations import Level
from tests.browser.conftest import check_accessibility, screenshot
from tests.browser.test_surgeon_workspace import sign_in
from tests.factories import (
    make_consultation,
    make_function_score,
    make_location,
    make_medication,
    make_mood_screen,
    make_operation,
    make_patient,
    make_red_flag_screen,
    make_submitted_intake,
    make_surgeon_user,
)

LAPTOP = {"width": 1366, "height": 900}
FOLD = LAPTOP["height"]


def full_history(surgeon, location):
    """A patient with a red flag, four operations (a stimulator still in), opioids, pain and function scores."""
    patient = make_patient(first_name="Morgan", last_name="Fictional", date_of_birth=date(1961, 2, 3))
    consultation = make_consultation(surgeon, location, timezone.now() + timedelta(days=1), patient=patient)
    make_red_flag_screen(consultation, "cancer")
    intake = make_submitted_intake(
        consultation,
        chief_complaint="Fictional: burning pain down the left leg to the foot since the second fusion.",
        goals="Fictional: walk the dog for half an hour again.",
        takes_opioids=Answer.YES,
        takes_blood_thinners=Answer.NO,
        smoking="former",
        height_inches=68,
        weight_pounds=190,
        pain_map=dict.fromkeys(PAIN_AREA_LABELS, "")
        | {"low_back": "both", "buttock": "left", "below_knee": "left", "foot": "left"},
        had_spine_surgery=Answer.YES,
        pain_pattern="came_back",
        pain_returned_year=2023,
        weak_ankle_dorsiflexion="left",
        weak_toe_extension="left",
        numbness=Answer.YES,
        numbness_map=dict.fromkeys(PAIN_AREA_LABELS, "") | {"below_knee": "left", "foot": "left"},
        walking="limited",
        walking_minutes=10,
        walking_eased_by_bending=Answer.YES,
        balance_problems=Answer.YES,
        falls_last_year=2,
        bladder_bowel="normal",
        workers_comp_claim="open",
    )
    make_operation(intake, year=2014, month=5, procedure=PriorOperation.Procedure.MICRODISCECTOMY, level_from=Level.L5)
    make_operation(
        intake,
        year=2019,
        month=9,
        procedure=PriorOperation.Procedure.FUSION_TLIF,
        level_from=Level.L4,
        level_to=Level.S1,
        implants=Answer.YES,
        surgeon_name="Dr Fictional",
        outcome="better",
        relief_months=18,
    )
    make_operation(
        intake,
        year=2022,
        month=2,
        procedure=PriorOperation.Procedure.FUSION_OTHER,
        level_from=Level.L3,
        level_to=Level.L4,
        implants=Answer.YES,
        complications=[PriorOperation.Complication.DURAL_TEAR],
    )
    make_operation(
        intake,
        year=2023,
        month=6,
        procedure=PriorOperation.Procedure.SCS_IMPLANT,
        implants=Answer.YES,
        hardware={"stimulator": "in_place"},
    )
    make_medication(intake, name="Oxycodone (fictional)", dose="10 mg three times a day", category="opioid")
    pain = questionnaires.current_instrument(questionnaires.PAIN)
    questionnaires.save_response(
        intake=intake,
        instrument=pain,
        answers={"back_now": 4, "back_average": 4, "back_worst": 6, "leg_now": 7, "leg_average": 7, "leg_worst": 9},
    )
    make_function_score(intake, [4, 3, 3, 4, 3, 2, 3, None, 3, 3])
    make_mood_screen(intake, nervous=1, worrying=1, down=2, interest=2)
    return consultation


def bottom(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not on the page"
    return box["y"] + box["height"]


@pytest.mark.parametrize("page", ["desktop"], indirect=True)
def test_the_first_screen_holds_what_a_surgeon_reads_first(page: Page) -> None:
    surgeon_user, surgeon = make_surgeon_user(first_name="Noor", last_name="Haddad")
    consultation = full_history(surgeon, make_location(name="Albany Spine (fictional)"))
    page.set_viewport_size(LAPTOP)
    sign_in(page, surgeon_user)
    page.get_by_role("link", name=str(consultation.patient)).click()
    expect(page.get_by_text("Leg-dominant: leg 7, back 4 (usual day)")).to_be_visible()
    # The alerts: a stimulator still in, a positive mood screen and an open claim, each a row of the risk box.
    risks = page.locator("#risks")
    expect(risks.locator(".risk-devices")).to_contain_text("Yes")
    expect(risks.locator(".risk-mood")).to_contain_text("Screen positive for depression")
    expect(risks.locator(".risk-claim")).to_contain_text("Open: workers")
    screenshot(page, "summary-first-screen")

    # Whole boxes above the fold: red flags, the risk box, the complaint; the pain as far as its back-or-leg line;
    # the operations as far as the first one's heading.
    for selector in (
        "#red-flags",
        "#risks",
        "#about",
        ".pain-dominance",
        "#neuro",
        "#operations .timeline-entry h3",
    ):
        assert bottom(page, selector) <= FOLD, f"{selector} ends at {bottom(page, selector)} px, below {FOLD}"

    # Below it, every other section is closed, with its one line still readable.
    sections = ("imaging", "function", "mood", "treatments", "medications", "health", "work", "questions", "earlier")
    for section in sections:
        expect(page.locator(f"details#{section}")).not_to_have_attribute("open", "")
    expect(page.locator("details#function > summary")).to_contain_text("from 9 of 10 sections")
    check_accessibility(page)

    # Imaging and operations come before the function score.
    order = page.evaluate(
        "['operations', 'imaging', 'function'].map(id => document.getElementById(id).getBoundingClientRect().top)"
    )
    assert order == sorted(order)

    # Printing opens every closed section, and leaves them as they were afterwards.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details.is-collapsible:not([open])").count() == 0
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details.is-collapsible[open]").count() == 0

    page.get_by_role("link", name="Print view").click()
    assert page.locator("details.is-collapsible").count() > 0
    assert page.locator("details.is-collapsible:not([open])").count() == 0
