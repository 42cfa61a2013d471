"""Photos: upright, downscaled to print size, cached by content, captioned, bad files refused."""

from __future__ import annotations

import hashlib
import json
import random
import struct
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pillow_heif
import pytest
from conftest import make_photo
from PIL import Image

from noticegen.render.photos import (
    MAX_SOURCE_PIXELS,
    PhotoError,
    PreparedPhoto,
    caption,
    prepare_photo,
    print_dpi,
)

CHICAGO = ZoneInfo("America/Chicago")
RED, BLUE = (255, 0, 0), (0, 0, 255)


def _jpeg_with_exif(path: Path, image: Image.Image, orientation: int = 1,
                    exif_ifd: dict[int, str] | None = None) -> Path:
    exif = Image.Exif()
    exif[274] = orientation
    if exif_ifd:
        exif[0x8769] = exif_ifd
    image.save(path, "JPEG", quality=90, exif=exif)
    return path


def _png_header_only(path: Path, width: int, height: int) -> Path:
    """A few hundred bytes that declare a huge 1-bit image: all a decompression bomb needs."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I",
                                                                        zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b""))
    return path


def _prepared(taken: datetime | None) -> PreparedPhoto:
    return PreparedPhoto(source=Path("a.jpg"), path=Path("b.jpg"), sha256="0" * 64, width=1800,
                         height=1350, taken=taken)


def test_orientation_6_comes_out_upright(tmp_path: Path) -> None:
    # Stored sideways: a viewer turns it 90° clockwise, so the stored left half becomes the top.
    stored = Image.new("RGB", (640, 480), BLUE)
    stored.paste(RED, (0, 0, 320, 480))
    source = _jpeg_with_exif(tmp_path / "sideways.jpg", stored, orientation=6)

    photo = prepare_photo(source, tmp_path / "cache", CHICAGO)

    assert (photo.width, photo.height) == (480, 640)
    with Image.open(photo.path) as out:
        assert out.size == (480, 640)
        top, bottom = out.getpixel((10, 10)), out.getpixel((10, 630))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_large_photo_is_downscaled_to_print_resolution(tmp_path: Path) -> None:
    source = make_photo(tmp_path / "big.jpg", datetime(2026, 11, 3, 10, 16), size=(4000, 3000))

    photo = prepare_photo(source, tmp_path / "cache", CHICAGO)

    assert (photo.width, photo.height) == (1000, 750)
    # Appendix B prints a 4:3 photo at most 4.8 x 3.6 inches (max-height 3.6in).
    assert print_dpi(photo, 4.8) == pytest.approx(208.3, abs=0.1)
    assert 200 <= print_dpi(photo, 4.8) <= 300
    with Image.open(photo.path) as out:
        assert out.format == "JPEG"
        assert out.size == (1000, 750)
        assert not out.getexif()  # the caption carries the time; GPS and the rest stay out


def test_small_photo_is_not_upscaled(tmp_path: Path) -> None:
    photo = prepare_photo(make_photo(tmp_path / "small.jpg"), tmp_path / "cache", CHICAGO)
    assert (photo.width, photo.height) == (640, 480)


def test_cache_is_keyed_by_content_and_reused(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_photo(tmp_path / "yard.jpg", datetime(2026, 11, 3, 10, 16))
    first = prepare_photo(source, tmp_path / "cache", CHICAGO)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert first.sha256 == digest
    assert first.path == tmp_path / "cache" / f"{digest}-1000.jpg"

    def no_decoding(*args: object, **kwargs: object) -> Image.Image:
        raise AssertionError("a cached photo was decoded again")

    monkeypatch.setattr(Image, "open", no_decoding)
    again = prepare_photo(source, tmp_path / "cache", CHICAGO)
    assert again == first
    # The cache keeps the EXIF time as written, so the agency's zone still applies on a hit.
    elsewhere = prepare_photo(source, tmp_path / "cache", ZoneInfo("America/New_York"))
    assert elsewhere.taken == datetime(2026, 11, 3, 10, 16, tzinfo=ZoneInfo("America/New_York"))
    monkeypatch.undo()

    other = prepare_photo(source, tmp_path / "other-cache", CHICAGO)
    assert other.path.read_bytes() == first.path.read_bytes()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        f"{digest}-1000.jpg", f"{digest}-1000.json"]


def _truncate_copy(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _swap_copy(path: Path) -> None:
    """Another whole, valid JPEG of the same size in its place."""
    Image.new("RGB", (640, 480), RED).save(path, "JPEG", quality=75)


@pytest.mark.parametrize("damage", [_truncate_copy, _swap_copy], ids=["truncated", "swapped"])
def test_a_print_ready_copy_changed_after_it_was_made_is_refused(
        tmp_path: Path, damage: Callable[[Path], None]) -> None:
    source = make_photo(tmp_path / "yard.jpg", datetime(2026, 11, 3, 10, 16))
    cache = tmp_path / "cache"
    first = prepare_photo(source, cache, CHICAGO)
    made = first.path.read_bytes()
    sidecar = json.loads(first.path.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar["sha256"] == hashlib.sha256(made).hexdigest()  # the prepared JPEG's own

    damage(first.path)
    with pytest.raises(PhotoError) as raised:
        prepare_photo(source, cache, CHICAGO)
    error = raised.value
    assert error.file == source and "yard.jpg" in str(error)
    assert first.path.name in error.message  # the cached copy, by name
    assert "does not match the SHA-256 recorded when it was made" in error.message
    assert error.hint and ".json" in error.hint
    assert error.exit_code == 2

    # As the hint says: delete the copy and its sidecar, and it is made again, the same.
    first.path.unlink()
    first.path.with_suffix(".json").unlink()
    again = prepare_photo(source, cache, CHICAGO)
    assert again == first and again.path.read_bytes() == made


def test_caption_from_exif_local_time(tmp_path: Path) -> None:
    source = make_photo(tmp_path / "yard.jpg", datetime(2026, 11, 3, 10, 16))
    photo = prepare_photo(source, tmp_path / "cache", CHICAGO)
    assert photo.taken == datetime(2026, 11, 3, 10, 16, tzinfo=CHICAGO)
    assert caption(1, photo) == "Photo 1 — taken November 3, 2026 at 10:16 AM"


def test_caption_converts_exif_offset_to_agency_zone(tmp_path: Path) -> None:
    source = _jpeg_with_exif(tmp_path / "utc.jpg", Image.new("RGB", (64, 48)),
                             exif_ifd={36867: "2026:11:03 16:16:00", 36881: "+00:00"})
    photo = prepare_photo(source, tmp_path / "cache", CHICAGO)
    assert photo.taken is not None and photo.taken.tzinfo == CHICAGO
    assert caption(3, photo) == "Photo 3 — taken November 3, 2026 at 10:16 AM"


@pytest.mark.parametrize("exif_ifd", [None, {36867: "0000:00:00 00:00:00"}, {36867: "    "}])
def test_caption_without_capture_time(tmp_path: Path, exif_ifd: dict[int, str] | None) -> None:
    source = _jpeg_with_exif(tmp_path / "no-time.jpg", Image.new("RGB", (64, 48)),
                             exif_ifd=exif_ifd)
    photo = prepare_photo(source, tmp_path / "cache", CHICAGO)
    assert photo.taken is None
    assert caption(2, photo) == "Photo 2 — capture time not recorded"


@pytest.mark.parametrize(("hour", "minute", "clock"), [
    (0, 5, "12:05 AM"), (9, 0, "9:00 AM"), (12, 0, "12:00 PM"), (23, 59, "11:59 PM")])
def test_caption_twelve_hour_clock(hour: int, minute: int, clock: str) -> None:
    taken = datetime(2027, 1, 9, hour, minute, tzinfo=CHICAGO)
    assert caption(4, _prepared(taken)) == f"Photo 4 — taken January 9, 2027 at {clock}"


def test_heic_is_accepted(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x8769] = {36867: "2026:11:03 10:16:00"}
    source = tmp_path / "IMG_0001.HEIC"
    pillow_heif.from_pillow(Image.new("RGB", (320, 240), RED)).save(source, quality=50,
                                                                     exif=exif.tobytes())

    photo = prepare_photo(source, tmp_path / "cache", CHICAGO)

    assert (photo.width, photo.height) == (320, 240)
    assert caption(1, photo) == "Photo 1 — taken November 3, 2026 at 10:16 AM"
    with Image.open(photo.path) as out:
        assert out.format == "JPEG"


def test_multi_picture_jpeg_from_a_phone_is_accepted(tmp_path: Path) -> None:
    source = tmp_path / "IMG_0002.jpg"
    Image.new("RGB", (300, 200), RED).save(source, "MPO", save_all=True,
                                           append_images=[Image.new("RGB", (30, 20))])
    with Image.open(source) as stored:
        assert stored.format == "MPO"
    photo = prepare_photo(source, tmp_path / "cache", CHICAGO)
    assert (photo.width, photo.height) == (300, 200)


def test_transparent_png_lies_on_white(tmp_path: Path) -> None:
    source = tmp_path / "screenshot.png"
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(source)
    photo = prepare_photo(source, tmp_path / "cache", CHICAGO)
    with Image.open(photo.path) as out:
        assert out.mode == "RGB"
        assert min(out.getpixel((25, 20))) > 245


def _corrupt(path: Path) -> Path:
    path.write_bytes(random.Random(7).randbytes(4096))
    return path


def _truncated(path: Path) -> Path:
    make = Image.effect_noise((400, 300), 60).convert("RGB")
    whole = _jpeg_with_exif(path.with_name("whole.jpg"), make)
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _missing(path: Path) -> Path:
    return path


def _text(path: Path) -> Path:
    path.write_text("not a photo\n", encoding="utf-8")
    return path


def _gif(path: Path) -> Path:
    Image.new("RGB", (20, 20)).save(path, "GIF")
    return path


BAD_PHOTOS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("corrupt.jpg", _corrupt, "not a JPEG, PNG, HEIC or WebP image"),
    ("truncated.jpg", _truncated, "damaged or incomplete (image file is truncated"),
    ("missing.jpg", _missing, "photo not found"),
    ("notes.jpg", _text, "not a JPEG, PNG, HEIC or WebP image"),
    ("animation.gif", _gif, "not a JPEG, PNG, HEIC or WebP image"),
    # Over our limit but under Pillow's: refused by size before any decoding.
    ("big.png", lambda p: _png_header_only(p, 8000, 8000), "image is too large (8000×8000"),
    # Over Pillow's warning limit (the warning is made an error) and over its error limit.
    ("bomb-warn.png", lambda p: _png_header_only(p, 10000, 10000), "decompression bomb"),
    ("bomb.png", lambda p: _png_header_only(p, 20000, 20000), "decompression bomb"),
]


@pytest.mark.parametrize(("name", "make", "expected"), BAD_PHOTOS,
                         ids=[name for name, _, _ in BAD_PHOTOS])
def test_bad_photos_are_refused(tmp_path: Path, name: str, make: Callable[[Path], Path],
                                expected: str) -> None:
    source = make(tmp_path / name)
    cache = tmp_path / "cache"
    with pytest.raises(PhotoError) as raised:
        prepare_photo(source, cache, CHICAGO)
    error = raised.value
    assert name in str(error)
    assert expected in error.message
    assert error.hint
    assert error.exit_code == 2
    assert not cache.exists() or not any(cache.iterdir())  # nothing half-written is left


def test_size_limit_sits_below_pillows_own() -> None:
    assert Image.MAX_IMAGE_PIXELS is not None
    assert MAX_SOURCE_PIXELS < 8000 * 8000
    assert 8000 * 8000 < Image.MAX_IMAGE_PIXELS < 10000 * 10000
