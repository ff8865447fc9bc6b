"""Report photos: checked by content, re-encoded without metadata, stored via Django storage.

A file is a photo when Pillow decodes it as JPEG, PNG or WebP, whatever its
name or declared type says. It is then re-encoded as a JPEG from the pixels
alone: EXIF (with the phone's GPS position), XMP, comments and colour
profiles are dropped, the orientation the camera recorded is applied first
so the photo is not shown sideways, and large photos are scaled down. Only
the re-encoded file is stored.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from backend.common.errors import DomainError, Problem
from backend.reports import conf

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})
# Formats Pillow decodes only at full size (no reduced-scale draft as for JPEG).
_FULL_SIZE_DECODE = frozenset({"PNG", "WEBP"})
JPEG_QUALITY = 85


class PhotoCode:
    NOT_AN_IMAGE = "photo_not_an_image"
    TOO_LARGE = "photo_too_large"
    TOO_MANY_PIXELS = "photo_too_many_pixels"
    TOO_MANY = "photo_too_many"


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: clean JPEG bytes and the fingerprint of the upload."""

    content: bytes
    width: int
    height: int
    source_sha256: str


def _problem(code: str, message, index: int) -> DomainError:
    return DomainError.from_problems([Problem(code, message, f"photos.{index}")])


def _read(upload, index: int) -> bytes:
    limit = conf.get("PHOTO_MAX_BYTES")
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large(index, limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(index, limit)
    return data


def _too_large(index: int, limit: int) -> DomainError:
    return _problem(
        PhotoCode.TOO_LARGE,
        _("The photo is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
        index,
    )


def prepare_photo(upload, *, index: int = 0) -> PreparedPhoto:
    """Check one upload and re-encode it; raises ``DomainError`` for anything not a photo."""
    data = _read(upload, index)
    not_an_image = _problem(
        PhotoCode.NOT_AN_IMAGE, _("The file is not a photo (JPEG, PNG or WebP)."), index
    )
    max_pixels = conf.get("PHOTO_MAX_PIXELS")

    def too_many_pixels(limit: int = max_pixels) -> DomainError:
        return _problem(
            PhotoCode.TOO_MANY_PIXELS,
            _("The photo has too many pixels (at most %(mp)s megapixels).")
            % {"mp": limit // 1_000_000},
            index,
        )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise not_an_image
                if probe.width * probe.height > max_pixels:
                    raise too_many_pixels()
                lossless_max = conf.get("PHOTO_MAX_PIXELS_LOSSLESS")
                if probe.format in _FULL_SIZE_DECODE and probe.width * probe.height > lossless_max:
                    raise too_many_pixels(lossless_max)
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in _FULL_SIZE_DECODE:
                    # libjpeg decodes at 1/2, 1/4 or 1/8 scale, still at least the stored
                    # size: a 40-megapixel phone photo costs a quarter of its pixels or less.
                    side = conf.get("PHOTO_MAX_SIDE")
                    image.draft("RGB", (side, side))
                image.load()
                content, width, height = _reencode(image)
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses a "pixel bomb" (e.g. 30000 x 30000) as it opens it,
        # before our own count: a photo all the same, just far too big.
        raise too_many_pixels() from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise not_an_image from None
    return PreparedPhoto(
        content=content,
        width=width,
        height=height,
        source_sha256=hashlib.sha256(data).hexdigest(),
    )


def _reencode(image: Image.Image) -> tuple[bytes, int, int]:
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode in ("RGBA", "LA", "P"):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = upright.convert("RGB")
    side = conf.get("PHOTO_MAX_SIDE")
    flat.thumbnail((side, side), Image.Resampling.LANCZOS)
    # A fresh image holds pixels only: no EXIF, XMP, ICC profile or comment survives.
    clean = Image.new("RGB", flat.size)
    clean.paste(flat)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), clean.width, clean.height


def prepare_photos(uploads: Iterable, *, already: int = 0) -> list[PreparedPhoto]:
    """Check a batch of uploads (``already`` photos are on the report); all or nothing."""
    uploads = list(uploads or [])
    limit = conf.get("PHOTO_MAX_COUNT")
    if already + len(uploads) > limit:
        raise DomainError(
            PhotoCode.TOO_MANY,
            _("A report can have at most %(n)d photos.") % {"n": limit},
            field="photos",
        )
    return [prepare_photo(upload, index=i) for i, upload in enumerate(uploads)]


def store_photos(report, prepared: list[PreparedPhoto]) -> list:
    """Save new photos of ``report`` (a photo already on it is skipped); returns them."""
    from backend.reports.models import ReportPhoto

    known = set(report.photos.values_list("source_sha256", flat=True))
    stored = []
    for photo in prepared:
        if photo.source_sha256 in known:
            continue
        known.add(photo.source_sha256)
        row = ReportPhoto(
            report=report,
            width=photo.width,
            height=photo.height,
            size_bytes=len(photo.content),
            source_sha256=photo.source_sha256,
        )
        row.image.save("photo.jpg", ContentFile(photo.content), save=False)
        stored.append(row)
        row.save()
    return stored


def delete_files(photos: Iterable) -> None:
    """Remove stored files (after their rows are gone, or when a write was rolled back)."""
    for photo in photos:
        name = photo.image.name
        if not name:
            continue
        try:
            photo.image.storage.delete(name)
        except OSError:
            logger.warning("report photo file not deleted", extra={"photo_id": photo.pk})
