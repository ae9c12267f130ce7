"""A new front-desk coordinator enrols from an admin's invitation (password, then authenticator) and signs out;
a returning surgeon signs in with the keyboard alone."""

from base64 import b32decode

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from clinic import roles, services
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import PASSWORD, current_code, make_user

NEW_PASSWORD = "a long fictional passphrase 42"


def code_for(secret: str) -> str:
    return f"{TOTP(b32decode(secret.replace(' ', ''))).token():06d}"


def test_a_new_coordinator_enrols_from_the_admins_invitation(page: Page) -> None:
    user = make_user(role=roles.FRONT_DESK, enrolled=False)
    _, token = services.invite_to_enrol(user=user, by=make_user(role=roles.ADMIN))

    # The password alone opens nothing, and says what to do.
    page.goto("/accounts/sign-in/")
    check_accessibility(page)
    screenshot(page, "sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Ask a practice administrator for an enrolment link.")).to_be_visible()
    check_accessibility(page)

    page.goto(reverse("clinic:enrol", args=[token]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    check_accessibility(page)
    screenshot(page, "invitation-password")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type it again").fill(NEW_PASSWORD)
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
    page.goto(reverse("clinic:enrol", args=[token]))
    expect(page.get_by_role("heading", level=1)).to_have_text("This enrolment link has already been used")
    check_accessibility(page)
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
