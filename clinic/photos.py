"""Surgeon photos: checked, shrunk and re-encoded with Pillow, so what we store is a plain JPEG we made."""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from clinic.images import NotAnImage, TooManyPixels, read_image

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SOURCE_PIXELS = 40_000_000
STORED_SIZE = (800, 800)


def reencode_photo(upload: UploadedFile, *, name: str) -> ContentFile:
    """A JPEG of at most 800 by 800 pixels, with no metadata, made from `upload`; a clear error if it is no photo."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("The photo is larger than 5 MB. Please upload a smaller one.", code="photo_too_large")
    try:
        source, _ = read_image(upload, formats=["JPEG", "PNG", "WEBP"], max_pixels=MAX_SOURCE_PIXELS)
    except TooManyPixels as error:
        raise ValidationError(
            "The photo has too many pixels. Please upload a smaller one.", code="photo_huge"
        ) from error
    except NotAnImage as error:
        raise ValidationError("That file is not a photo we can read (use JPEG, PNG or WebP).", code="photo") from error
    image = source.convert("RGB")
    image.thumbnail(STORED_SIZE)
    output = BytesIO()
    image.save(output, format="JPEG", quality=85, optimize=True)
    return ContentFile(output.getvalue(), name=f"{name}.jpg")
