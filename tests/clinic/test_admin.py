import tempfile
from datetime import UTC, datetime, timedelta
from io import BytesIO

import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from clinic import roles
from clinic.models import Credential, Surgeon
from clinic.photos import MAX_UPLOAD_BYTES
from tests.factories import make_credential, make_location, make_surgeon, make_user, sign_in

CHANGELIST = reverse("admin:clinic_credential_changelist")


# Noon UTC: staff pages use the practice's zone, so near midnight their 'today' differs from UTC's.
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@time_machine.travel(NOON, tick=False)
class MarkVerifiedActionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user(role=roles.ADMIN)
        surgeon = make_surgeon()
        old = timezone.localdate() - timedelta(days=500)
        cls.stale = make_credential(surgeon, title="stale", verified_on=old, source_url="https://old.example.org/")
        cls.other = make_credential(surgeon, title="other", verified_on=old)

    def setUp(self) -> None:
        sign_in(self.client, self.admin)

    def test_the_action_first_asks_where_it_was_checked(self) -> None:
        response = self.client.post(CHANGELIST, {"action": "mark_verified", ACTION_CHECKBOX_NAME: [self.stale.pk]})

        self.assertContains(response, "Where did you check?")
        self.stale.refresh_from_db()
        assert self.stale.verified_on != timezone.localdate()

    def test_with_a_source_it_records_who_verified_and_when(self) -> None:
        response = self.client.post(
            CHANGELIST,
            {
                "action": "mark_verified",
                ACTION_CHECKBOX_NAME: [self.stale.pk],
                "apply": "1",
                "source_url": "https://www.certificationmatters.org/",
            },
            follow=True,
        )

        self.assertContains(response, "Marked 1 credential(s) verified by you today.")
        self.stale.refresh_from_db()
        assert (self.stale.verified_by, self.stale.verified_on) == (self.admin, timezone.localdate())
        assert self.stale.source_url == "https://www.certificationmatters.org/"
        assert self.stale.is_verified
        self.other.refresh_from_db()
        assert not self.other.is_verified

    def test_a_bad_source_is_refused_and_nothing_changes(self) -> None:
        response = self.client.post(
            CHANGELIST,
            {"action": "mark_verified", ACTION_CHECKBOX_NAME: [self.stale.pk], "apply": "1", "source_url": "not a url"},
        )

        self.assertContains(response, "Enter a valid URL.")
        self.stale.refresh_from_db()
        assert self.stale.verified_by != self.admin and self.stale.verified_on != timezone.localdate()

    def test_list_filters_for_expired_and_needing_reverification(self) -> None:
        fresh = make_credential(make_surgeon(), title="fresh")
        expired = make_credential(make_surgeon(), title="gone", expires_on=timezone.localdate())

        needing = self.client.get(CHANGELIST, {"reverify": "needed"}).context["cl"].queryset
        lapsed = self.client.get(CHANGELIST, {"expiry": "expired"}).context["cl"].queryset

        assert set(needing) == {self.stale, self.other, expired}
        assert fresh not in needing
        assert list(lapsed) == [expired]


def image_upload(size: tuple[int, int] = (2400, 1600), image_format: str = "PNG") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=image_format)
    return SimpleUploadedFile(
        f"photo.{image_format.lower()}", buffer.getvalue(), content_type=f"image/{image_format.lower()}"
    )


class SurgeonPhotoTests(TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        media = tempfile.TemporaryDirectory()
        cls.addClassCleanup(media.cleanup)
        cls.enterClassContext(override_settings(MEDIA_ROOT=media.name))

    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user(role=roles.ADMIN)
        cls.location = make_location()

    def setUp(self) -> None:
        sign_in(self.client, self.admin)

    def add_surgeon(self, photo: SimpleUploadedFile):
        return self.client.post(
            reverse("admin:clinic_surgeon_add"),
            {
                "slug": "pat-doe",
                "first_name": "Pat",
                "last_name": "Doe",
                "degree": "DO",
                "specialty": "orthopaedic",
                "title": "Spine surgeon (fictional)",
                "bio": "Fictional.",
                "languages": "English,Spanish",
                "locations": [self.location.pk],
                "npi": "1234567893",
                "accepts_new_patients": "on",
                "is_listed": "on",
                "photo": photo,
                "surgeon_procedures-TOTAL_FORMS": "0",
                "surgeon_procedures-INITIAL_FORMS": "0",
                "credentials-TOTAL_FORMS": "0",
                "credentials-INITIAL_FORMS": "0",
            },
        )

    def test_an_uploaded_photo_is_shrunk_and_re_encoded_as_jpeg(self) -> None:
        response = self.add_surgeon(image_upload())

        assert response.status_code == 302, response.context["adminform"].errors
        surgeon = Surgeon.objects.get(slug="pat-doe")
        with Image.open(surgeon.photo.path) as stored:
            assert stored.format == "JPEG"
            assert max(stored.size) == 800
            assert not stored.getexif()
        self.client.logout()
        served = self.client.get(reverse("clinic:surgeon-photo", args=["pat-doe"]))
        assert served.status_code == 200
        assert served["Content-Type"] == "image/jpeg"
        self.assertContains(self.client.get(surgeon.get_absolute_url()), 'alt="Photo of Dr. Pat Doe, DO"')

    def test_a_file_that_is_not_a_photo_is_refused_with_a_message(self) -> None:
        fake = SimpleUploadedFile("photo.jpg", b"<script>not an image</script>", content_type="image/jpeg")

        response = self.add_surgeon(fake)

        self.assertContains(response, "Upload a valid image")
        assert not Surgeon.objects.exists()

    def test_formats_other_than_jpeg_png_and_webp_are_refused(self) -> None:
        response = self.add_surgeon(image_upload(size=(40, 40), image_format="GIF"))

        self.assertContains(response, "not a photo we can read")
        assert not Surgeon.objects.exists()

    def test_a_photo_over_five_megabytes_is_refused(self) -> None:
        big = image_upload(size=(2000, 2000), image_format="BMP")
        assert big.size > MAX_UPLOAD_BYTES

        response = self.add_surgeon(big)

        self.assertContains(response, "larger than 5 MB")
        assert not Surgeon.objects.exists()


@time_machine.travel(NOON, tick=False)
class ReverificationPageTests(TestCase):
    def test_front_desk_sees_what_needs_checking_and_why(self) -> None:
        surgeon = make_surgeon(first_name="Ana", last_name="Lopez")
        today = timezone.localdate()
        make_credential(
            surgeon,
            title="Licence NY",
            kind=Credential.Kind.STATE_LICENCE,
            state="NY",
            expires_on=today + timedelta(days=10),
        )
        make_credential(surgeon, title="Board cert", verified_on=today - timedelta(days=400))
        make_credential(surgeon, title="Fresh fellowship", kind=Credential.Kind.FELLOWSHIP)
        sign_in(self.client, make_user(role=roles.FRONT_DESK))

        response = self.client.get(reverse("clinic:credentials-reverify"))

        self.assertContains(response, "Licence NY")
        self.assertContains(response, "Expires within 60 days")
        self.assertContains(response, "Board cert")
        self.assertContains(response, "Last verified over 12 months ago")
        self.assertNotContains(response, "Fresh fellowship")


class SecondFactorSecretsTests(TestCase):
    def test_an_admin_never_sees_another_persons_authenticator_key(self) -> None:
        admin_user = make_user(role=roles.ADMIN)
        device = TOTPDevice.objects.get(user=make_user(role=roles.FRONT_DESK))
        sign_in(self.client, admin_user)

        response = self.client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))

        assert response.status_code == 200
        self.assertNotContains(response, device.key)
        self.assertNotContains(response, "qrcode")
