"""Uploaded images: trust the bytes, not the file name, and store a small, clean copy."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SIDE = 512
ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
# Decompression bombs: refuse anything that would decode to more pixels than this.
MAX_PIXELS = 25_000_000


def clean_logo(upload: UploadedFile) -> ContentFile:
    """Check an uploaded logo by its content and return it re-encoded as PNG, at most 512 px a side.

    Re-encoding drops anything hidden in the file (metadata, trailing payloads)
    and the name the browser sent.
    """
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The logo is larger than 2 MB."), code="too_large")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            probe.verify()
        if image_format not in ALLOWED_FORMATS:
            raise ValidationError(_("Upload a PNG, JPEG, WebP or GIF image."), code="format")
        with Image.open(io.BytesIO(data)) as source:
            if source.width * source.height > MAX_PIXELS:
                raise ValidationError(_("The image is too large."), code="too_many_pixels")
            source.load()
            image = source.convert("RGBA")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This file is not an image Kanali can read."), code="not_image") from exc
    return ContentFile(out.getvalue(), name="logo.png")
