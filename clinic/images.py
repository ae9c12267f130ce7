"""Decoding an uploaded image with Pillow without trusting it: only the formats asked for, no decompression
bombs, turned upright by its EXIF orientation. Callers re-encode the result and word their own messages."""

from typing import IO

from PIL import Image, ImageOps


class NotAnImage(Exception):
    """Pillow cannot read the file as one of the allowed formats, or its image data is broken."""


class TooManyPixels(Exception):
    """The image says it is larger than the caller allows; it was not decoded."""


def read_image(file: IO[bytes], *, formats: list[str], max_pixels: int) -> tuple[Image.Image, str]:
    """The decoded, upright image in `file` and the format it was read as (e.g. "JPEG")."""
    try:
        with Image.open(file, formats=formats) as source:
            # The header gives the size; checking it before decoding is what stops a bomb.
            if source.width * source.height > max_pixels:
                raise TooManyPixels
            # exif_transpose decodes the pixels, so broken image data fails here, inside the try.
            return ImageOps.exif_transpose(source), str(source.format)
    # Pillow reports damaged files as OSError mostly, but some plugins raise ValueError or EOFError.
    except (OSError, ValueError, EOFError, Image.DecompressionBombError) as error:
        raise NotAnImage from error
