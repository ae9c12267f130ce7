import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from clinic import roles
from tests.factories import make_user, sign_in

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "consult.example.org",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR),
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class ProductionSettingsTests(SimpleTestCase):
    def test_deploy_check_passes_with_production_values(self) -> None:
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout

    def test_deploy_check_also_passes_behind_a_tls_proxy(self) -> None:
        env = PRODUCTION_ENV | {"DJANGO_BEHIND_TLS_PROXY": "1"}
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

        assert result.returncode == 0, result.stdout + result.stderr

    def test_missing_secret_key_is_a_clear_error_when_debug_is_off(self) -> None:
        result = manage("check", env={"DJANGO_DEBUG": "0"})

        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY must be set" in result.stderr


class SecurityHeaderTests(TestCase):
    def test_pages_forbid_framing_and_foreign_scripts(self) -> None:
        response = self.client.get(reverse("clinic:home"))

        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == "'self'"
        assert policy["script-src"].startswith("'self' 'nonce-")
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert policy["frame-ancestors"] == "'none'"

    def test_every_script_tag_carries_the_responses_nonce(self) -> None:
        sign_in(self.client, make_user(role=roles.FRONT_DESK))
        response = self.client.get(reverse("consultations:desk-today"))
        nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]

        html = response.content.decode()
        assert html.count("<script") == html.count(f'nonce="{nonce}"') >= 2
