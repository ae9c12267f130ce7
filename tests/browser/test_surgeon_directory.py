"""A patient compares surgeons: filters the directory to a procedure and checks a surgeon's credentials."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.models import Credential
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import make_credential, make_location, make_procedure, make_surgeon


def test_patient_filters_to_a_procedure_and_checks_credentials(page: Page) -> None:
    phoenix = make_location(name="Phoenix Spine (fictional)", timezone="America/Phoenix")
    tlif = make_procedure(name="MI-TLIF", slug="mi-tlif")
    endoscopic = make_procedure(name="Endoscopic discectomy", slug="endoscopic-discectomy")
    ana = make_surgeon(
        slug="ana-lopez",
        first_name="Ana",
        last_name="Lopez",
        locations=[phoenix],
        procedures=[tlif],
        takes_revision_cases=True,
        languages=["English", "Spanish"],
    )
    make_credential(ana, title="Orthopaedic Surgery")
    make_credential(
        ana,
        kind=Credential.Kind.STATE_LICENCE,
        issuer="NJ medical board",
        title="Medical licence",
        state="NJ",
        identifier="NJ-555",
        expires_on=timezone.localdate() - timedelta(days=3),
    )
    make_surgeon(slug="ben-ito", first_name="Ben", last_name="Ito", locations=[phoenix], procedures=[endoscopic])

    page.goto("/surgeons/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Our surgeons")
    expect(page.locator("article")).to_have_count(2)
    check_accessibility(page)
    screenshot(page, "directory")

    page.get_by_label("Procedure").select_option(label="MI-TLIF")
    page.get_by_role("button", name="Show surgeons").click()

    assert "procedure=mi-tlif" in page.url
    expect(page.locator("article")).to_have_count(1)
    expect(page.get_by_label("Procedure")).to_have_value("mi-tlif")
    expect(page.get_by_text("1 surgeon found.")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "directory-filtered")

    page.get_by_role("link", name="Dr. Ana Lopez, MD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr. Ana Lopez, MD")
    board = page.get_by_role("listitem").filter(has_text="Orthopaedic Surgery")
    licence = page.get_by_role("listitem").filter(has_text="NJ-555")
    expect(board.get_by_text("Verified")).to_be_visible()
    expect(licence.get_by_text("Expired")).to_be_visible()
    expect(licence.get_by_text("Verified")).to_have_count(0)
    expect(page.get_by_role("link", name="Request a consultation with Dr. Lopez")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "surgeon-profile")
