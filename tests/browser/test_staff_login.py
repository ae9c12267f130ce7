"""A new front-desk coordinator signs in for the first time, sets up the second factor, and signs out."""

from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from clinic import roles
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import PASSWORD, current_code, make_user


def code_for(secret: str) -> str:
    return f"{TOTP(b32decode(secret.replace(' ', ''))).token():06d}"


def test_first_sign_in_sets_up_the_authenticator(page: Page) -> None:
    user = make_user(role=roles.FRONT_DESK, enrolled=False)
    page.goto("/accounts/sign-in/")
    check_accessibility(page)
    screenshot(page, "sign-in")

    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name="QR code that sets up your authenticator app")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "enrol")
    secret = page.get_by_label("Set-up key").inner_text()
    page.get_by_label("Six-digit code from your app").fill(code_for(secret))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your backup codes")
    expect(page.locator(".backup-codes li")).to_have_count(10)
    check_accessibility(page)
    screenshot(page, "backup-codes")
    page.get_by_role("link", name="I have saved them, continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    check_accessibility(page)
    screenshot(page, "desk-today")

    if page.viewport_name == "phone":
        page.get_by_role("button", name="Show or hide the menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto("/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")


def test_returning_surgeon_signs_in_with_the_keyboard_alone(page: Page) -> None:
    user = make_user(role=roles.SURGEON)
    code = current_code(TOTPDevice.objects.get(user=user))
    page.goto("/accounts/sign-in/")

    page.get_by_label("Username").focus()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    check_accessibility(page)
    screenshot(page, "second-factor")
    expect(page.get_by_label("Code")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("My consultations")
    check_accessibility(page)


def test_wrong_password_says_so_plainly(page: Page) -> None:
    user = make_user(role=roles.FRONT_DESK)
    page.goto("/accounts/sign-in/")

    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    check_accessibility(page)
