import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import Credential, Location, Surgeon
from consultations.models import AvailabilityRule, Consultation, Intake, PriorOperation, RedFlagScreen
from education.models import Article


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


class SeedDemoTests(TestCase):
    def test_refuses_when_debug_is_off_unless_forced(self) -> None:
        with override_settings(DEBUG=False), pytest.raises(CommandError, match="refuses"):
            seed()
        assert not User.objects.exists()

    @override_settings(DEBUG=True)
    def test_one_user_per_role_who_can_sign_in_with_what_is_printed(self) -> None:
        output = seed()

        for role in ("front_desk", "surgeon", "admin"):
            match = re.search(
                rf"{role}\s+username: (\S+)\s+password: (\S+)\s+authenticator key: (\S+)\s+backup codes: (\S+)", output
            )
            assert match, output
            username, password, _, backup_code = match.groups()
            client = self.client_class()
            client.post(reverse("clinic:sign-in"), {"username": username, "password": password})
            response = client.post(reverse("clinic:second-factor"), {"code": backup_code})
            assert response.status_code == 302
            assert client.get(response["Location"]).status_code == 200, role

    def test_running_twice_adds_nothing_and_keeps_second_factors(self) -> None:
        models = [
            User,
            TOTPDevice,
            StaticToken,
            Surgeon,
            Credential,
            Location,
            AvailabilityRule,
            Consultation,
            Article,
            Intake,
            PriorOperation,
            RedFlagScreen,
        ]

        def snapshot() -> dict[str, list[int]]:
            return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in models}

        first = seed("--force")
        rows, keys = snapshot(), sorted(TOTPDevice.objects.values_list("key", flat=True))
        second = seed("--force")

        assert snapshot() == rows
        assert sorted(TOTPDevice.objects.values_list("key", flat=True)) == keys
        assert first == second
        assert len(rows["User"]) == 3 and len(rows["Surgeon"]) == 5 and len(rows["Consultation"]) == 4
        assert "fictional" in first

    def test_the_demo_surgeon_has_a_sent_history_to_review(self) -> None:
        seed("--force")

        surgeon = Surgeon.objects.get(user__username="surgeon")
        intake = Intake.objects.get(consultation__surgeon=surgeon)
        assert intake.is_submitted and intake.operations.count() == 2
        assert intake.consultation.safety_flag == "review"
        assert intake.consultation.red_flag_screen.items == ["night_pain"]
        assert intake.responses.filter(score__isnull=False).exists()
