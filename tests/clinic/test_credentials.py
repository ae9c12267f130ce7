from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import SimpleTestCase, TestCase
from django.utils import timezone

from clinic.models import Credential, Surgeon, months_before
from tests.factories import make_credential, make_surgeon

TODAY = date(2026, 11, 23)


def credential(**fields) -> Credential:
    values = {"status": Credential.Status.ACTIVE, "verified_on": TODAY, "expires_on": None} | fields
    return Credential(**values)


class VerifiedBadgeRuleTests(SimpleTestCase):
    """Verified: checked at its source in the last 12 months, active, and not lapsed."""

    def test_verified_exactly_twelve_months_ago_still_counts(self) -> None:
        assert credential(verified_on=date(2025, 11, 23)).is_verified_on(TODAY)

    def test_one_day_more_than_twelve_months_does_not(self) -> None:
        assert not credential(verified_on=date(2025, 11, 22)).is_verified_on(TODAY)

    def test_never_verified_is_not_verified(self) -> None:
        assert not credential(verified_on=None).is_verified_on(TODAY)

    def test_a_verification_dated_in_the_future_does_not_count(self) -> None:
        assert not credential(verified_on=TODAY + timedelta(days=1)).is_verified_on(TODAY)

    def test_the_badge_goes_the_day_the_credential_lapses(self) -> None:
        assert credential(expires_on=TODAY + timedelta(days=1)).is_verified_on(TODAY)
        assert not credential(expires_on=TODAY).is_verified_on(TODAY)
        assert not credential(expires_on=TODAY - timedelta(days=1)).is_verified_on(TODAY)

    def test_an_inactive_or_revoked_credential_is_not_verified(self) -> None:
        for status in (Credential.Status.INACTIVE, Credential.Status.REVOKED):
            assert not credential(status=status).is_verified_on(TODAY)

    def test_twelve_months_before_a_leap_day_is_the_last_of_february(self) -> None:
        assert months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)
        assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
        assert months_before(date(2026, 1, 15), 12) == date(2025, 1, 15)


class CredentialConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.surgeon = make_surgeon()

    def test_expiry_must_be_after_award_in_the_database(self) -> None:
        with pytest.raises(IntegrityError, match="credential_expires_after_award"):
            make_credential(self.surgeon, awarded_on=date(2020, 1, 1), expires_on=date(2020, 1, 1))

    def test_expiry_before_award_gets_a_clear_message_in_forms(self) -> None:
        bad = Credential(
            surgeon=self.surgeon,
            kind="fellowship",
            issuer="X",
            title="Y",
            awarded_on=date(2020, 1, 2),
            expires_on=date(2020, 1, 1),
        )
        with pytest.raises(ValidationError, match="expiry date must be after"):
            bad.full_clean()

    def test_a_licence_needs_its_state_in_the_database(self) -> None:
        with pytest.raises(IntegrityError, match="credential_licence_has_state"):
            make_credential(self.surgeon, kind=Credential.Kind.STATE_LICENCE, state="")

    def test_a_licence_without_state_gets_a_clear_message_in_forms(self) -> None:
        bad = Credential(surgeon=self.surgeon, kind=Credential.Kind.STATE_LICENCE, issuer="Board", title="Licence")
        with pytest.raises(ValidationError, match="A state licence needs its state"):
            bad.full_clean()

    def test_a_verification_needs_who_checked_and_where(self) -> None:
        for missing in ({"verified_by": None}, {"source_url": ""}):
            with (
                self.subTest(missing=missing),
                pytest.raises(IntegrityError, match="who_and_where"),
                transaction.atomic(),
            ):
                make_credential(self.surgeon, **missing)

    def test_other_kinds_need_no_state(self) -> None:
        assert make_credential(self.surgeon, kind=Credential.Kind.FELLOWSHIP, state="").pk

    def test_an_invalid_npi_is_refused_by_the_model(self) -> None:
        surgeon = Surgeon(
            slug="x", first_name="A", last_name="B", degree="MD", specialty="orthopaedic", title="t", bio="b"
        )
        surgeon.npi = "1234567890"
        with pytest.raises(ValidationError, match="last digit does not match"):
            surgeon.full_clean(exclude=["locations"])


class ReverificationQueryTests(TestCase):
    def test_lists_expired_expiring_stale_and_never_verified_but_not_current(self) -> None:
        surgeon = make_surgeon()
        today = timezone.localdate()
        expected = {
            make_credential(surgeon, title="expired", expires_on=today - timedelta(days=1)),
            make_credential(surgeon, title="expires today", expires_on=today),
            make_credential(surgeon, title="in 60 days", expires_on=today + timedelta(days=60)),
            make_credential(surgeon, title="stale", verified_on=months_before(today, 12) - timedelta(days=1)),
            make_credential(surgeon, title="never", verified_on=None),
        }
        make_credential(surgeon, title="in 61 days", expires_on=today + timedelta(days=61))
        make_credential(surgeon, title="checked a year ago today", verified_on=months_before(today, 12))
        make_credential(surgeon, title="no expiry", expires_on=None)

        assert set(Credential.objects.needing_reverification(today)) == expected
        reasons = {c.title: c.reverification_reason(today) for c in expected}
        assert reasons == {
            "expired": "Expired",
            "expires today": "Expired",
            "in 60 days": "Expires within 60 days",
            "stale": "Last verified over 12 months ago",
            "never": "Never verified",
        }
