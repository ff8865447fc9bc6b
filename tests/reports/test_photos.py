"""Photos: judged by content, size-limited, stored without EXIF (no GPS position)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backend.common.errors import DomainError
from backend.reports.choices import Kind
from backend.reports.models import ReportPhoto
from tests.reports.conftest import ACTIVITY, jpeg_bytes, key, save


def _upload(data: bytes, name="foto.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type)


def _exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (1.0, 15.0, 30.0)  # latitude
    gps[3], gps[4] = "E", (116.0, 50.0, 10.0)  # longitude
    return exif.tobytes()


def test_photo_is_reencoded_without_exif_and_upright(actors, kr):
    data = jpeg_bytes(size=(80, 40), exif=_exif_with_gps())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the upload has a position
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, photo_uploads=[_upload(data)]).report
    photo = report.photos.get()
    with photo.image.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
        stored.load()
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info and "icc_profile" not in stored.info
    assert stored.size == (40, 80) == (photo.width, photo.height)  # orientation applied
    assert photo.image.name.startswith("reports/") and "foto" not in photo.image.name


def test_png_and_webp_are_photos_too(actors, kr):
    uploads = [
        _upload(jpeg_bytes(fmt="PNG"), "a.png", "image/png"),
        _upload(jpeg_bytes(fmt="WEBP", color=(1, 2, 3)), "b.webp", "image/webp"),
    ]
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, photo_uploads=uploads).report
    assert report.photos.count() == 2


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4 not a photo at all", "laporan.jpg"),  # the name lies
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png"),
        (jpeg_bytes()[:60], "potong.jpg"),  # truncated
        (jpeg_bytes(fmt="GIF"), "anim.gif"),  # an image, but not a photo type we take
    ],
)
def test_anything_that_is_not_a_photo_is_refused(actors, kr, data, name):
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, photo_uploads=[_upload(data, name)])
    assert (exc.value.code, exc.value.field) == ("photo_not_an_image", "photos.0")
    assert not ReportPhoto.objects.exists()


def test_oversized_upload_is_refused(actors, kr, settings):
    settings.LAPOR_REPORTS = {**settings.LAPOR_REPORTS, "PHOTO_MAX_BYTES": 1000}
    with pytest.raises(DomainError) as exc:
        save(
            actors.ketua_rt_1,
            Kind.ACTIVITY,
            ACTIVITY,
            photo_uploads=[_upload(jpeg_bytes(size=(400, 400)) + b"\0" * 2000)],
        )
    assert exc.value.code == "photo_too_large"


def test_too_many_pixels_is_refused_before_decoding(actors, kr, settings):
    settings.LAPOR_REPORTS = {**settings.LAPOR_REPORTS, "PHOTO_MAX_PIXELS": 100 * 100}
    with pytest.raises(DomainError) as exc:
        save(
            actors.ketua_rt_1,
            Kind.ACTIVITY,
            ACTIVITY,
            photo_uploads=[_upload(jpeg_bytes(size=(200, 200)))],
        )
    assert exc.value.code == "photo_too_many_pixels"


def test_large_photos_are_scaled_down(actors, kr, settings):
    settings.LAPOR_REPORTS = {**settings.LAPOR_REPORTS, "PHOTO_MAX_SIDE": 100}
    report = save(
        actors.ketua_rt_1,
        Kind.ACTIVITY,
        ACTIVITY,
        photo_uploads=[_upload(jpeg_bytes(size=(400, 200)))],
    ).report
    assert (report.photos.get().width, report.photos.get().height) == (100, 50)


def test_photo_count_is_limited(actors, kr, settings):
    settings.LAPOR_REPORTS = {**settings.LAPOR_REPORTS, "PHOTO_MAX_COUNT": 1}
    uploads = [_upload(jpeg_bytes(color=(i, i, i))) for i in (1, 2)]
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, photo_uploads=uploads)
    assert exc.value.code == "photo_too_many"


def test_draft_photos_can_be_added_and_removed_and_a_retry_stores_each_once(
    actors, kr, django_capture_on_commit_callbacks
):
    client_key = key()
    a, b = jpeg_bytes(color=(10, 10, 10)), jpeg_bytes(color=(90, 90, 90))
    draft = save(
        actors.ketua_rt_1,
        Kind.ACTIVITY,
        ACTIVITY,
        client_key=client_key,
        submit=False,
        photo_uploads=[_upload(a)],
    ).report
    again = save(
        actors.ketua_rt_1,
        Kind.ACTIVITY,
        ACTIVITY,
        client_key=client_key,
        submit=False,
        photo_uploads=[_upload(a)],
    )
    assert again.replayed and draft.photos.count() == 1
    first = draft.photos.get()
    storage, name = first.image.storage, first.image.name
    with django_capture_on_commit_callbacks(execute=True):
        save(
            actors.ketua_rt_1,
            Kind.ACTIVITY,
            ACTIVITY,
            client_key=client_key,
            submit=False,
            photo_uploads=[_upload(b)],
            remove_photo_ids=[first.pk],
        )
    assert draft.photos.count() == 1 and draft.photos.get().pk != first.pk
    assert not storage.exists(name)


def test_a_refused_report_leaves_no_files_behind(actors, kr, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    with pytest.raises(DomainError):
        save(
            actors.ketua_rt_1,
            Kind.ACTIVITY,
            {**ACTIVITY, "title": ""},
            photo_uploads=[_upload(jpeg_bytes())],
        )
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels (a "pixel bomb"): a few hundred bytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [30_000, 10_000], ids=["bomb-error", "bomb-warning"])
def test_a_pixel_bomb_gets_the_too_many_pixels_message(actors, kr, side):
    """Pillow itself refuses 30000 x 30000 (DecompressionBombError) or warns about
    10000 x 10000 (DecompressionBombWarning) as it opens them: a photo far too big,
    not "not a photo"."""
    with pytest.raises(DomainError) as exc:
        save(
            actors.ketua_rt_1,
            Kind.ACTIVITY,
            ACTIVITY,
            photo_uploads=[_upload(_png_header_only(side, side), "bom.png", "image/png")],
        )
    (problem,) = exc.value.problems
    assert (problem.code, problem.field) == ("photo_too_many_pixels", "photos.0")
    assert problem.render() == "Resolusi foto terlalu besar (paling banyak 40 megapiksel)."


def test_a_png_past_the_lossless_ceiling_is_refused_before_decoding(actors, kr, settings):
    """PNG and WebP decode at full size: a small file of many pixels costs seconds and
    gigabytes, so they have a lower ceiling than JPEG (which decodes at reduced scale)."""
    settings.LAPOR_REPORTS = {**settings.LAPOR_REPORTS, "PHOTO_MAX_PIXELS_LOSSLESS": 100 * 100}
    buffer = io.BytesIO()
    Image.new("RGBA", (200, 200), (10, 20, 30, 255)).save(buffer, format="PNG")
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY, photo_uploads=[_upload(buffer.getvalue())])
    assert exc.value.code == "photo_too_many_pixels"
    assert exc.value.problems[0].field == "photos.0"


def test_a_big_jpeg_is_decoded_at_reduced_scale_and_stored_at_the_maximum_side(
    actors, kr, settings
):
    settings.LAPOR_REPORTS = {**settings.LAPOR_REPORTS, "PHOTO_MAX_SIDE": 300}
    report = save(
        actors.ketua_rt_1,
        Kind.ACTIVITY,
        ACTIVITY,
        photo_uploads=[_upload(jpeg_bytes(size=(2400, 1600)))],
    ).report
    photo = report.photos.get()
    assert (photo.width, photo.height) == (300, 200)
