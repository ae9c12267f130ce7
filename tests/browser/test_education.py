"""A patient reads up: searches with a typo, opens an article, follows it to a surgeon; runs the self-check."""

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.demo import seed_practice
from education.demo import seed_articles
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import make_user


def seed_library() -> None:
    """The demo practice and its articles, as a patient would find them."""
    today = timezone.localdate()
    surgeons = seed_practice(today=today, verifier=make_user(role="admin"), surgeon_user=None)
    seed_articles(reviewer_by_slug={surgeon.slug: surgeon for surgeon in surgeons}, today=today)


def test_patient_searches_opens_an_article_and_follows_it_to_a_surgeon(page: Page) -> None:
    seed_library()

    page.goto("/learn/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn about pain after spine surgery")
    expect(page.get_by_role("heading", name="Procedures", level=2)).to_be_visible()
    check_accessibility(page)
    screenshot(page, "learn-index")

    page.get_by_label("Search articles").fill("sciatica")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_text(re.compile(r"\d+ articles? found"))).to_be_visible()
    expect(page.locator("main mark").first).to_have_text(re.compile("sciatica", re.I))
    check_accessibility(page)
    screenshot(page, "learn-search")

    page.get_by_label("Search articles").fill("discetomy")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_text("These articles have words close to it")).to_be_visible()
    first = page.locator("main ol > li").first
    expect(first.get_by_role("link")).to_have_text("Endoscopic discectomy")
    check_accessibility(page)
    screenshot(page, "learn-search-typo")

    first.get_by_role("link", name="Endoscopic discectomy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Endoscopic discectomy")
    expect(page.get_by_text("Medically reviewed by")).to_contain_text("Dr. Priya Raman, MD")
    expect(page.get_by_text("general information, not advice about your own health")).to_be_visible()
    page.get_by_role("navigation", name="On this page").get_by_role("link", name="Risks").click()
    expect(page).to_have_url(re.compile(r"#section-risks$"))
    check_accessibility(page)
    screenshot(page, "learn-article")

    surgeons = page.get_by_role("region", name="Our surgeons who perform them")
    expect(surgeons.get_by_role("link")).to_have_count(2)
    surgeons.get_by_role("link", name="Dr. Elena Marsh, MD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr. Elena Marsh, MD")
    check_accessibility(page)


def test_self_check_suggests_reading_or_sends_to_urgent_care(page: Page) -> None:
    seed_library()

    page.goto("/learn/self-check/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Is it worth talking to a spine surgeon?")
    check_accessibility(page)
    screenshot(page, "self-check")

    page.get_by_label("Yes, more than 12 weeks ago").check()
    page.get_by_label("More than 3 months").check()
    page.get_by_label("Mostly in my leg or legs").check()
    page.get_by_label("Physical therapy or a guided exercise program").check()
    page.get_by_role("button", name="See what may help").click()

    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Articles that may help")
    expect(main.get_by_role("link", name="Endoscopic discectomy")).to_be_visible()
    expect(main.get_by_role("link", name="Request a consultation")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "self-check-result")

    page.goto("/learn/self-check/")
    page.get_by_label("Yes, in the last 12 weeks").check()
    page.get_by_label("New trouble starting to pee").check()
    page.get_by_role("button", name="See what may help").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("These symptoms can be a medical emergency.")
    expect(main).to_contain_text("Do not wait for an appointment.")
    expect(main).to_contain_text("also call the surgeon who operated on you")
    expect(main.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    expect(main.get_by_role("link")).to_have_count(1)
    check_accessibility(page)
    screenshot(page, "self-check-urgent")
