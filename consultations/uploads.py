"""The files patients give us, from the intake's reports to the insurance card photos and referral letters of a
consultation: checked, stored and served in one way.

Checked by content, never by name: PDF, JPEG or PNG. A PDF is kept byte for byte (we cannot rewrite one safely); it
is only ever served as a download. A JPEG or PNG is decoded and re-encoded by us, so what we store is an image we
made, without the camera's or scanner's metadata. Stored in private storage, in a transaction of its own, the file
removed again if the row is not saved. Served only as a download, after the caller has checked access and written
the access log.
"""

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse

from clinic.images import NotAnImage, TooManyPixels, read_image
from consultations.models import Upload

logger = logging.getLogger(__name__)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
PDF_END_WINDOW = 1024
# Above this the image is refused undecoded (a small file can claim billions of pixels).
MAX_SOURCE_PIXELS = 50_000_000
# Full resolution is kept up to this side, enough for a page scanned at 600 dpi; larger is scaled down.
MAX_STORED_SIDE = 6000
JPEG_QUALITY = 90
MAX_NAME_LENGTH = 200
NOT_ACCEPTED = "We can only accept PDF, JPEG or PNG files, and this file is none of those, whatever its name says."


@dataclass(frozen=True)
class PreparedUpload:
    """What to store for one upload: the bytes we accept, their type by content, and a name safe to keep."""

    content: ContentFile
    content_type: str
    sha256: str
    size: int
    original_name: str


def describe_size(limit: int) -> str:
    """A limit as a patient reads it: "10 MB", "512 KB"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= factor:
            return f"{limit / factor:.3g} {unit}"
    return f"{limit} bytes"


def clean_name(name: str) -> str:
    """The file's own name without folders, control or direction-changing characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    name = "".join(char for char in name if unicodedata.category(char) not in {"Cc", "Cf"}).strip()
    if len(name) <= MAX_NAME_LENGTH:
        return name
    stem, extension = os.path.splitext(name)
    extension = extension[:10]
    return stem[: MAX_NAME_LENGTH - len(extension)] + extension


def too_large() -> ValidationError:
    limit = describe_size(settings.INTAKE_UPLOAD_MAX_BYTES)
    return ValidationError(
        f"This file is larger than {limit}. Please upload a smaller file, for example a PDF of only the report's "
        "pages, or a photo of each page.",
        code="upload_too_large",
    )


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-PDF_END_WINDOW:]:
        raise ValidationError(
            "This PDF looks incomplete or damaged. Please save or download it again and upload the new copy.",
            code="upload_damaged_pdf",
        )


def _reencode_image(data: bytes) -> tuple[bytes, str]:
    try:
        image, source_format = read_image(BytesIO(data), formats=["JPEG", "PNG"], max_pixels=MAX_SOURCE_PIXELS)
    except TooManyPixels as error:
        raise ValidationError(
            "This picture has too many pixels for us to handle. Please upload a smaller picture.", code="upload_huge"
        ) from error
    except NotAnImage as error:
        raise ValidationError(NOT_ACCEPTED, code="upload_type") from error
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    # Pillow would write some of what it read (a JPEG comment, a PNG's colour profile) back out: drop it all
    # but a PNG's transparent colour, which is part of the picture.
    transparency = image.info.get("transparency")
    image.info = {}
    output = BytesIO()
    if source_format == "PNG":
        options = {} if transparency is None else {"transparency": transparency}
        image.save(output, format="PNG", **options)
        return output.getvalue(), PNG
    # A JPEG (or a camera's multi-picture JPEG, which Pillow reads as "MPO") is stored as a plain JPEG.
    if image.mode not in {"L", "RGB"}:
        image = image.convert("RGB")
    # No chroma subsampling keeps small coloured text and annotations on scanned reports legible.
    image.save(output, format="JPEG", quality=JPEG_QUALITY, subsampling=0, optimize=True)
    return output.getvalue(), JPEG


def prepare_upload(file: UploadedFile) -> PreparedUpload:
    """Check `file` by its content and make what we store from it; a ValidationError saying why if refused."""
    limit = settings.INTAKE_UPLOAD_MAX_BYTES
    # The size Django counted while receiving it, so nothing large is read into memory here.
    if file.size is None or file.size > limit:
        raise too_large()
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise too_large()
    if not data:
        raise ValidationError("This file is empty. Please choose the file again.", code="upload_empty")
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        content_type = PDF
    else:
        data, content_type = _reencode_image(data)
    return PreparedUpload(
        content=ContentFile(data, name=f"upload{Upload.EXTENSIONS[content_type]}"),
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        original_name=clean_name(file.name or ""),
    )


def delete_stored_file(name: str) -> None:
    if not name:
        return
    try:
        Upload.file.field.storage.delete(name)
    except OSError:
        # The name is the upload's token, never the patient's file name.
        logger.exception("Could not delete the stored upload %s", name)


def store_upload(*, prepared: PreparedUpload, kind: str, attach: Callable[[Upload], None]) -> Upload:
    """Store a checked file as an `Upload` of `kind`. `attach` runs first inside the transaction: it locks the
    owner (an intake or a consultation), checks that the upload may still be added (raising if not) and sets it
    on the upload.

    The file is written before the row and deleted again if anything fails up to and including the commit.
    Django has no hook for the rollback of an enclosing transaction, which would leave the file behind, so the
    transaction is durable: calling this inside `atomic()` is an error.
    """
    upload = Upload(
        kind=kind,
        content_type=prepared.content_type,
        size=prepared.size,
        original_name=prepared.original_name,
        sha256=prepared.sha256,
    )
    try:
        with transaction.atomic(durable=True):
            attach(upload)
            upload.file.save(prepared.content.name, prepared.content, save=False)
            upload.save()
    except BaseException:
        delete_stored_file(upload.file.name)
        raise
    return upload


# What a download is called, by kind: nothing about the patient, only what sort of paper it is.
DOWNLOAD_PREFIXES = {
    Upload.Kind.INSURANCE_CARD_FRONT: "insurance-card-front",
    Upload.Kind.INSURANCE_CARD_BACK: "insurance-card-back",
    Upload.Kind.REFERRAL_LETTER: "referral-letter",
}


def download_name(upload: Upload) -> str:
    """A name that says nothing about the patient: their own file name ("Smith lumbar MRI.pdf") would end up in
    download folders, recent-file lists and browser histories. The token's start ties it to the upload's row."""
    return f"{DOWNLOAD_PREFIXES.get(upload.kind, 'report')}-{upload.token.hex[:8]}{upload.extension}"


class StoredFileAltered(Exception):
    """The stored file is not the one received: its SHA-256 differs from the one taken at upload."""


def file_response(upload: Upload) -> FileResponse:
    """The stored file as a download with the type we found in its content, never guessed, cached or sniffed,
    and only if it is still the file received (HIPAA §164.312(c)(2)).

    Raises FileNotFoundError if the stored file is missing and StoredFileAltered if it changed: our fault, not the
    user's, and an administrator's to look into (the error page, and the error in the log).
    """
    stored = upload.file.storage.open(upload.file.name, "rb")
    digest = hashlib.sha256()
    for chunk in iter(lambda: stored.read(1 << 16), b""):
        digest.update(chunk)
    if digest.hexdigest() != upload.sha256:
        stored.close()
        raise StoredFileAltered(f"Upload {upload.pk} no longer matches its SHA-256")
    stored.seek(0)
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=download_name(upload),
        content_type=upload.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    # Should a browser display it anyway, it runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
