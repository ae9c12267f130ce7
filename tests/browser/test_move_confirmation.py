"""A patient on a phone moves their consultation from the link in their e-mail: choosing another time shows the
move from where to where, and only the confirmation makes it."""

import re
from datetime import time, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic import roles
from consultations.links import patient_token
from consultations.models import Consultation
from tests.browser.conftest import check_accessibility, screenshot
from tests.browser.test_booking import next_wednesday_noon
from tests.factories import make_consultation, make_location, make_rule, make_surgeon, make_user


@pytest.mark.parametrize("page", ["phone"], indirect=True)
@time_machine.travel(next_wednesday_noon(), tick=True)
def test_a_patient_confirms_the_move_before_it_is_made(page: Page) -> None:
    albany = make_location(name="Albany Spine (fictional)", slug="albany", timezone="America/New_York")
    surgeon = make_surgeon(slug="ana-lopez", first_name="Ana", last_name="Lopez", locations=[albany])
    for weekday in range(7):
        make_rule(surgeon, albany, weekday=weekday, start_time=time(9), end_time=time(11))
    make_user(role=roles.FRONT_DESK)  # told when a patient moves
    in_three_days = (timezone.localtime(timezone.now(), albany.zone) + timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    consultation = make_consultation(surgeon, albany, in_three_days)

    page.goto(f"/my-consultation/{patient_token(consultation)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your consultation")
    page.get_by_role("link", name="Choose another time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose another time")
    page.get_by_role("link", name="Next week").click()
    expect(page).to_have_url(re.compile(r"[?&]week="))
    chosen = page.locator("#week a.btn-outline-primary").first
    expect(chosen).to_be_visible()
    check_accessibility(page)
    chosen.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Move your consultation?")
    expect(page.get_by_role("definition").first).to_contain_text(
        f"{in_three_days:%A, %B} {in_three_days.day}, {in_three_days.year} at 9:00 AM"
    )
    expect(page.get_by_role("definition").last).to_contain_text("Dr. Ana Lopez, MD, Albany Spine (fictional)")
    expect(page.get_by_role("button", name="Confirm the move")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the free times")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "move-confirmation")
    unchanged = Consultation.objects.get(pk=consultation.pk)
    assert (unchanged.start, unchanged.sequence) == (in_three_days, 0) and not mail.outbox
    new_time = page.get_by_role("definition").last.locator("strong").inner_text()

    page.get_by_role("button", name="Confirm the move").click()

    expect(page.get_by_text("Your consultation has a new time.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your consultation")
    expect(page.locator("main")).to_contain_text(new_time)
    moved = Consultation.objects.get(pk=consultation.pk)
    assert moved.start > in_three_days and moved.sequence == 1
    assert [m.subject for m in mail.outbox] == ["Your consultation has a new time", "A patient changed a consultation"]
    check_accessibility(page)
    screenshot(page, "move-confirmed")
