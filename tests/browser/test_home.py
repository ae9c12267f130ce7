"""A patient arrives at the home page, on a computer or a phone, and finds their way on."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility, screenshot


def test_home_page_explains_and_leads_on(page: Page) -> None:
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Still in pain after back surgery?")
    expect(page.get_by_text("minimally invasive spine surgery (MISS)")).to_be_visible()
    expect(page.locator("footer")).to_contain_text("This site is not for emergencies")
    expect(page.locator("footer").get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    check_accessibility(page)
    screenshot(page, "home")

    page.get_by_role("link", name="Request a consultation").last.click()
    # The safety check comes before anyone is shown a time.
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you choose a time: a safety check")
    check_accessibility(page)


def test_skip_link_is_the_first_stop_for_the_keyboard(page: Page) -> None:
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()


def test_menu_reaches_every_section(page: Page) -> None:
    page.goto("/")
    menu = page.get_by_role("navigation", name="Main")
    if page.viewport_name == "phone":
        # The menu folds away on a phone; the toggle only works if Bootstrap's script ran under our CSP.
        expect(menu.get_by_role("link", name="Learn")).to_be_hidden()
        menu.get_by_role("button", name="Show or hide the menu").click()

    for name, heading in [
        ("Learn", "Learn about pain after spine surgery"),
        ("Surgeons", "Our surgeons"),
        ("Staff sign-in", "Staff sign-in"),
    ]:
        expect(menu.get_by_role("link", name=name)).to_be_visible()
        menu.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_accessibility(page)
        page.go_back()
        if page.viewport_name == "phone":
            menu.get_by_role("button", name="Show or hide the menu").click()
