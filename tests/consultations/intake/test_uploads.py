"""Patients' uploaded reports: judged by content, re-encoded when images, stored privately, served as downloads."""

import hashlib
import tempfile
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import DataError, transaction
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings
from django.utils import timezone
from PIL import Image, PngImagePlugin

from consultations.intake.services import IntakeLocked, TooManyUploads, add_upload, remove_upload
from consultations.models import IntakeReview, Upload
from consultations.uploads import StoredFileAltered, file_response, prepare_upload
from tests.consultations.booking.test_concurrency import run_at_once
from tests.factories import make_intake, make_user

ORIENTATION, MAKE = 0x0112, 0x010F
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"/lib64/ld-linux-x86-64.so.2"
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56) + b"This program cannot be run in DOS mode."


def pdf_bytes(*, padding: int = 0) -> bytes:
    """A small, valid one-page PDF; `padding` adds a comment line of that many bytes to reach a given size."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    if padding:
        out += b"%" + b"x" * (padding - 2) + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_of_size(size: int) -> bytes:
    pdf = pdf_bytes(padding=size - len(pdf_bytes()))
    # The padding moves the cross-reference table, whose offset may then take another digit.
    return pdf_bytes(padding=2 * size - len(pdf) - len(pdf_bytes()))


def image_bytes(image_format: str, size: tuple[int, int] = (60, 40), mode: str = "RGB", **options) -> bytes:
    image = Image.new(mode, size)
    if mode in {"RGB", "RGBA", "CMYK"}:
        image.paste((200, 120, 40, 255)[: len(mode)], (0, 0, size[0] // 2, size[1]))
    buffer = BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def as_upload(data: bytes, name: str = "report.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(file: UploadedFile) -> str:
    try:
        prepare_upload(file)
    except ValidationError as error:
        return " ".join(error.messages)
    raise AssertionError(f"{file.name} was accepted")


def stored_image(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


class PrepareUploadTests(SimpleTestCase):
    def test_a_pdf_is_kept_byte_for_byte(self) -> None:
        pdf = pdf_bytes()

        prepared = prepare_upload(as_upload(pdf))

        assert prepared.content_type == "application/pdf"
        assert prepared.content.read() == pdf
        assert prepared.size == len(pdf)
        assert prepared.sha256 == hashlib.sha256(pdf).hexdigest()

    def test_a_pdf_named_as_a_png_is_taken_as_a_pdf(self) -> None:
        prepared = prepare_upload(as_upload(pdf_bytes(), name="scan.png", content_type="image/png"))

        assert prepared.content_type == "application/pdf"

    def test_a_jpeg_is_turned_upright_and_loses_its_metadata(self) -> None:
        exif = Image.Exif()
        exif[ORIENTATION] = 6  # Shown turned a quarter clockwise.
        exif[MAKE] = "SecretCam"
        original = image_bytes("JPEG", size=(60, 40), exif=exif, comment=b"Pat Fictional")
        assert b"SecretCam" in original
        assert b"Pat Fictional" in original

        prepared = prepare_upload(as_upload(original, name="mri.jpg", content_type="image/jpeg"))

        data = prepared.content.read()
        image = stored_image(data)
        assert (image.format, image.size) == ("JPEG", (40, 60))
        assert not image.getexif()
        assert "comment" not in image.info
        assert b"SecretCam" not in data
        assert b"Pat Fictional" not in data
        assert prepared.content_type == "image/jpeg"
        assert prepared.sha256 == hashlib.sha256(data).hexdigest()
        assert prepared.size == len(data)

    def test_a_png_stays_png_and_loses_its_text(self) -> None:
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", "Pat Fictional")
        original = image_bytes("PNG", pnginfo=text)
        assert b"Pat Fictional" in original

        prepared = prepare_upload(as_upload(original, name="xray.png", content_type="image/png"))

        data = prepared.content.read()
        image = stored_image(data)
        assert (image.format, image.size) == ("PNG", (60, 40))
        assert "Author" not in image.info
        assert b"Pat Fictional" not in data
        assert prepared.content_type == "image/png"

    def test_pngs_of_every_common_kind_are_accepted(self) -> None:
        for mode in ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"]:
            with self.subTest(mode=mode):
                options = {"transparency": 0} if mode == "P" else {}
                prepared = prepare_upload(as_upload(image_bytes("PNG", mode=mode, **options), name="page.png"))

                image = stored_image(prepared.content.read())
                assert (image.format, image.size) == ("PNG", (60, 40))
                if mode == "P":
                    assert image.info["transparency"] == 0

    def test_a_cmyk_jpeg_is_stored_as_an_rgb_jpeg(self) -> None:
        prepared = prepare_upload(as_upload(image_bytes("JPEG", mode="CMYK"), name="scan.jpg"))

        image = stored_image(prepared.content.read())
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (60, 40))

    def test_full_resolution_is_kept(self) -> None:
        prepared = prepare_upload(as_upload(image_bytes("JPEG", size=(3000, 2000)), name="film.jpg"))

        assert stored_image(prepared.content.read()).size == (3000, 2000)

    def test_a_very_long_image_is_scaled_down_to_the_stored_limit(self) -> None:
        prepared = prepare_upload(as_upload(image_bytes("PNG", size=(7200, 100)), name="strip.png"))

        assert stored_image(prepared.content.read()).size == (6000, 83)

    def test_renamed_executables_are_refused(self) -> None:
        for data, name, content_type in [
            (ELF, "report.pdf", "application/pdf"),
            (MZ, "report.pdf", "application/pdf"),
            (MZ, "scan.jpg", "image/jpeg"),
        ]:
            with self.subTest(data=data[:4], name=name):
                message = refusal(as_upload(data, name=name, content_type=content_type))

                assert "only accept PDF, JPEG or PNG" in message

    def test_other_kinds_of_file_are_refused(self) -> None:
        jpeg = image_bytes("JPEG", size=(400, 400))
        for name, data in [
            ("notes.pdf", b"Leg pain since March.\n"),
            ("scan.png", image_bytes("GIF")),
            ("scan.jpg", image_bytes("BMP")),
            ("scan.png", image_bytes("WEBP")),
            ("cut-off.jpg", jpeg[: len(jpeg) // 2]),
            ("page.html", b"<html><script>alert(1)</script></html>"),
        ]:
            with self.subTest(name=name, start=data[:6]):
                assert "only accept PDF, JPEG or PNG" in refusal(as_upload(data, name=name))

    def test_an_empty_file_is_refused(self) -> None:
        assert "This file is empty" in refusal(as_upload(b""))

    def test_a_pdf_without_its_end_is_refused_as_damaged(self) -> None:
        pdf = pdf_bytes()

        message = refusal(as_upload(pdf[: len(pdf) - 20]))

        assert "incomplete or damaged" in message

    def test_an_image_claiming_too_many_pixels_is_refused(self) -> None:
        bomb = image_bytes("PNG", size=(8000, 8000), mode="1")
        assert len(bomb) < 100_000

        assert "too many pixels" in refusal(as_upload(bomb, name="scan.png"))

    @override_settings(INTAKE_UPLOAD_MAX_BYTES=2048)
    def test_a_file_over_the_limit_is_refused_before_it_is_read(self) -> None:
        big = as_upload(pdf_of_size(2049))
        assert big.size == 2049

        message = refusal(big)

        assert "larger than 2 KB" in message
        assert big.tell() == 0
        assert prepare_upload(as_upload(pdf_of_size(2048))).size == 2048

    def test_the_limit_is_ten_megabytes(self) -> None:
        assert settings.INTAKE_UPLOAD_MAX_BYTES == 10 * 1024 * 1024
        # Django counts the size while receiving the file; this one says it is a byte over.
        claimed = UploadedFile(BytesIO(pdf_bytes()), name="report.pdf", size=10 * 1024 * 1024 + 1)

        assert "larger than 10 MB" in refusal(claimed)

    def test_the_original_name_is_cleaned(self) -> None:
        for name, cleaned in [
            ("C:\\Users\\pat\\Desktop\\MRI\x00 re\tport\u202e.pdf", "MRI report.pdf"),
            ("  scan 1.pdf ", "scan 1.pdf"),
            ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
        ]:
            with self.subTest(name=name[:40]):
                assert prepare_upload(as_upload(pdf_bytes(), name=name)).original_name == cleaned


class PrivateMediaMixin:
    """Each test stores into its own empty folder, so what is on disk afterwards can be listed."""

    def setUp(self) -> None:
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.root = Path(folder.name)
        self.enterContext(override_settings(PRIVATE_MEDIA_ROOT=self.root))

    def stored_files(self) -> list[Path]:
        return sorted(path for path in self.root.rglob("*") if path.is_file())


class AddUploadTests(PrivateMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.intake = make_intake()

    def add(self, data: bytes, name: str = "report.pdf", kind: str = Upload.Kind.OPERATIVE_REPORT) -> Upload:
        return add_upload(intake=self.intake, file=as_upload(data, name=name), kind=kind)

    def test_an_upload_is_stored_privately_under_a_name_of_its_own(self) -> None:
        pdf = pdf_bytes()

        upload = self.add(pdf, name="Fictional lumbar MRI.pdf")

        upload.refresh_from_db()
        assert upload.file.name == f"intake-uploads/{upload.token}.pdf"
        assert not {"Fictional", "lumbar", "MRI"} & set(upload.file.name.replace("/", " ").split())
        assert self.stored_files() == [self.root / "intake-uploads" / f"{upload.token}.pdf"]
        assert self.stored_files()[0].read_bytes() == pdf
        assert (upload.intake, upload.kind, upload.content_type) == (self.intake, "operative_report", "application/pdf")
        assert (upload.size, upload.sha256) == (len(pdf), hashlib.sha256(pdf).hexdigest())
        assert upload.original_name == "Fictional lumbar MRI.pdf"
        assert not Path(settings.MEDIA_ROOT, upload.file.name).exists()

    def test_an_image_is_stored_as_re_encoded(self) -> None:
        exif = Image.Exif()
        exif[MAKE] = "SecretCam"

        upload = self.add(image_bytes("JPEG", exif=exif), name="mri.png")

        assert upload.file.name == f"intake-uploads/{upload.token}.jpg"
        stored = self.stored_files()[0].read_bytes()
        assert b"SecretCam" not in stored
        assert upload.sha256 == hashlib.sha256(stored).hexdigest()

    def test_the_eleventh_upload_is_refused_and_nothing_is_saved(self) -> None:
        for _ in range(10):
            self.add(pdf_bytes())

        with self.assertRaises(TooManyUploads):
            self.add(pdf_bytes())

        assert self.intake.uploads.count() == 10
        assert len(self.stored_files()) == 10

    def test_a_report_sent_after_the_surgeon_reviewed_the_history_is_refused(self) -> None:
        IntakeReview.objects.create(
            intake=self.intake, reviewed_by=make_user(role="surgeon"), reviewed_at=timezone.now()
        )

        with self.assertRaises(IntakeLocked):
            self.add(pdf_bytes())

        assert not Upload.objects.exists()
        assert self.stored_files() == []

    def test_a_refused_file_leaves_no_row_and_no_file(self) -> None:
        with self.assertRaises(ValidationError):
            self.add(ELF)

        assert not Upload.objects.exists()
        assert self.stored_files() == []

    def test_a_failure_after_the_file_is_written_removes_it(self) -> None:
        # The kind is too long for its column, so the database refuses the row after the file was written.
        with self.assertRaises(DataError):
            self.add(pdf_bytes(), kind="x" * 30)

        assert not Upload.objects.exists()
        assert self.stored_files() == []

    def test_adding_inside_another_transaction_is_refused(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            self.add(pdf_bytes())

        assert not Upload.objects.exists()
        assert self.stored_files() == []

    def test_removing_deletes_the_row_at_once_and_the_file_on_commit(self) -> None:
        upload = self.add(pdf_bytes())
        kept = self.add(pdf_bytes())

        with self.captureOnCommitCallbacks(execute=True):
            remove_upload(upload=upload)
            assert len(self.stored_files()) == 2

        assert list(self.intake.uploads.all()) == [kept]
        assert self.stored_files() == [self.root / kept.file.name]


class FileResponseTests(PrivateMediaMixin, TestCase):
    def test_the_file_is_served_as_a_download_under_a_neutral_name(self) -> None:
        pdf = pdf_bytes()
        upload = add_upload(
            intake=make_intake(), file=as_upload(pdf, name="Fictional fusion report.pdf"), kind="operative_report"
        )

        response = file_response(upload)

        body = b"".join(response.streaming_content)
        # Not response.close(): outside a real request that would close the test's database connection.
        response.file_to_stream.close()
        assert body == pdf
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="report-{upload.token.hex[:8]}.pdf"'
        assert response["Content-Length"] == str(len(pdf))
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "no-store, private"
        assert "sandbox" in response["Content-Security-Policy"]

    def test_a_file_changed_on_disk_after_upload_is_not_served(self) -> None:
        upload = add_upload(intake=make_intake(), file=as_upload(pdf_bytes(), name="report.pdf"), kind="imaging_report")
        with upload.file.storage.open(upload.file.name, "wb") as stored:
            stored.write(pdf_bytes() + b"% appended behind the application's back")

        with self.assertRaises(StoredFileAltered):
            file_response(upload)

    def test_an_image_keeps_the_type_found_in_its_content(self) -> None:
        upload = add_upload(
            intake=make_intake(), file=as_upload(image_bytes("PNG"), name="scan.jpg"), kind="imaging_report"
        )

        response = file_response(upload)
        response.file_to_stream.close()

        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].endswith(f'filename="report-{upload.token.hex[:8]}.png"')


class SimultaneousUploadTests(PrivateMediaMixin, TransactionTestCase):
    def test_uploads_sent_at_once_never_pass_the_limit(self) -> None:
        intake = make_intake()
        for _ in range(9):
            add_upload(intake=intake, file=as_upload(pdf_bytes()), kind="imaging_report")

        results = run_at_once(
            lambda _: add_upload(intake=intake, file=as_upload(pdf_bytes()), kind="imaging_report"), 4
        )

        assert sorted(type(result).__name__ for result in results) == ["TooManyUploads"] * 3 + ["Upload"], results
        assert intake.uploads.count() == 10
        assert len(self.stored_files()) == 10
