import re
from datetime import UTC, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import Credential, Location, Surgeon
from consultations.models import AvailabilityRule, Consultation, Intake, PriorOperation, RedFlagScreen
from education.models import Article

NEW_YORK = ZoneInfo("America/New_York")


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
        # Four requests online, and the desk's twelve of today.
        assert len(rows["User"]) == 3 and len(rows["Surgeon"]) == 5 and len(rows["Consultation"]) == 16
        assert "fictional" in first

    def test_the_demo_surgeon_has_a_sent_history_to_review(self) -> None:
        seed("--force")

        surgeon = Surgeon.objects.get(user__username="surgeon")
        intake = Intake.objects.get(consultation__surgeon=surgeon)
        assert intake.is_submitted and intake.operations.count() == 2
        assert intake.consultation.safety_flag == "review"
        assert intake.consultation.red_flag_screen.items == ["night_pain"]
        assert intake.responses.filter(score__isnull=False).exists()

    # Wednesday 10:10 in New York, the practice's zone.
    @time_machine.travel(datetime(2026, 3, 4, 15, 10, tzinfo=UTC), tick=False)
    def test_today_is_a_real_day_at_the_desk(self) -> None:
        seed("--force")

        today = Consultation.objects.exclude(channel="online").order_by("start")
        by_status = [(timezone.localtime(c.start, NEW_YORK).strftime("%H:%M"), c.status) for c in today]
        # Half an hour apart from 08:00: the first two done, the third and the fifth in, the fourth late.
        assert by_status[:6] == [
            ("08:00", "completed"),
            ("08:30", "completed"),
            ("09:00", "checked_in"),
            ("09:30", "confirmed"),
            ("10:00", "checked_in"),
            ("10:30", "confirmed"),
        ]
        assert len(by_status) == 12 and all(status == "confirmed" for _, status in by_status[5:])
        assert today.values("surgeon").distinct().count() == 5
        assert {consultation.booked_by.username for consultation in today} == {"frontdesk"}

        desk = User.objects.get(username="frontdesk")
        self.client.force_login(desk)
        session = self.client.session
        session["otp_device_id"] = TOTPDevice.objects.get(user=desk).persistent_id
        session.save()
        response = self.client.get(reverse("consultations:desk-today"))
        self.assertContains(response, "Avery Placeholder")
        # Each confirmed one can be checked in today; the late one can also be marked a no-show.
        self.assertContains(response, "Check in<span", count=8)
        self.assertContains(response, "No-show<span", count=1)

    def test_the_surgeon_user_has_the_name_of_the_surgeon_it_signs_in_as(self) -> None:
        seed("--force")

        surgeon = Surgeon.objects.get(user__username="surgeon")
        assert (surgeon.user.first_name, surgeon.user.last_name) == (surgeon.first_name, surgeon.last_name)
