"""Phone photos made print-ready once (upright, downscaled, EXIF stripped) and cached by hash."""

from __future__ import annotations

import io
import json
import math
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from ..errors import NoticegenError, display_path
from ..files import sha256_bytes, sha256_file, write_atomically
from ..images import PRINTABLE

MAX_SOURCE_PIXELS = 60_000_000
"""Larger sources are refused before decoding: a phone photo is 3–12 MP (decompression bombs)."""
PRINT_MAX_PIXELS = 1000
"""Longest side of a print-ready photo. Appendix B prints a photo at most 7.0 x 3.6 inches
(`figure.photo img` in notice.css): a 4:3 landscape photo at 4.8 x 3.6 in gets 208 dpi, a
portrait one 278 dpi — ample for a halftoned laser print — and a 12 MP phone JPEG decodes at
1/4 scale straight to this size. See docs/performance.md for the sizes measured."""
JPEG_QUALITY = 75
"""With PRINT_MAX_PIXELS, about 120 KB per photo: two photos and the notice stay under 400 KB."""

_TAG_EXIF_IFD = 0x8769
_TAG_DATETIME_ORIGINAL = 36867
_TAG_OFFSET_TIME_ORIGINAL = 36881
_EXIF_TIME = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


class PhotoError(NoticegenError):
    """A photo that cannot go into a notice; the message names the file."""

    exit_code = 2

    def __init__(self, file: Path, message: str, hint: str | None = None) -> None:
        super().__init__(f"{display_path(file)}: {message}", hint)
        self.file = file


@dataclass(frozen=True)
class PreparedPhoto:
    """A source photo and its cached print-ready JPEG."""

    source: Path
    path: Path
    sha256: str
    width: int
    height: int
    taken: datetime | None
    """When the photo was taken, aware, in the agency's time zone; None if not recorded."""


def caption(index: int, photo: PreparedPhoto) -> str:
    """'Photo 3 — taken November 3, 2026 at 10:16 AM' or '… — capture time not recorded'."""
    t = photo.taken
    if t is None:
        return f"Photo {index} — capture time not recorded"
    clock = f"{(t.hour - 1) % 12 + 1}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
    return f"Photo {index} — taken {_MONTHS[t.month - 1]} {t.day}, {t.year} at {clock}"


def print_dpi(photo: PreparedPhoto, printed_width_inches: float) -> float:
    """The resolution the prepared photo has when printed this wide."""
    return photo.width / printed_width_inches


def prepare_photo(source: Path, cache_dir: Path, zone: ZoneInfo,
                  max_pixels: int = PRINT_MAX_PIXELS) -> PreparedPhoto:
    """The print-ready copy of `source`, made once per content and size, then reused."""
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        raise PhotoError(source, "photo not found",
                         "check the file name in the case file; paths are relative to it") from None
    except OSError as exc:
        raise PhotoError(source, f"cannot read the photo ({exc.strerror or exc})",
                         "check that it is a readable file") from None
    sha256 = sha256_bytes(data)
    out = cache_dir / f"{sha256}-{max_pixels}.jpg"
    sidecar = out.with_suffix(".json")
    meta = _read_sidecar(sidecar) if out.exists() else None
    if meta is None:
        meta = _prepare(source, data, out, max_pixels)
        write_atomically(sidecar, json.dumps(meta, sort_keys=True).encode())
    elif sha256_file(out) != meta["sha256"]:
        raise PhotoError(source, f"its print-ready copy {display_path(out)} does not match the "
                         "SHA-256 recorded when it was made (truncated or replaced)",
                         "delete that file and its .json beside it; it is made again from the "
                         "original photo")
    return PreparedPhoto(source=source, path=out, sha256=sha256, width=meta["width"],
                         height=meta["height"],
                         taken=_taken(meta["exif_time"], meta["exif_offset"], zone))


def _prepare(source: Path, data: bytes, out: Path, max_pixels: int) -> dict[str, Any]:
    """Decode, orient, downscale and write the JPEG; returns what the sidecar keeps."""
    hint = "export the photo again from the camera or phone as JPEG or HEIC"
    _open_heic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=PRINTABLE)
            if im.width * im.height > MAX_SOURCE_PIXELS:
                raise PhotoError(source, f"image is too large ({im.width}×{im.height} pixels; "
                                 f"at most {MAX_SOURCE_PIXELS:,} accepted)",
                                 "use the camera's normal photo size, or downscale it first")
            exif_time, exif_offset = _exif_strings(im)
            icc = im.info.get("icc_profile")
            scale = max_pixels / max(im.size)
            if scale < 1:  # JPEG decodes at 1/2, 1/4, 1/8 directly; never below the target size
                im.draft("RGB", (math.ceil(im.width * scale), math.ceil(im.height * scale)))
            _load_whole(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(source, "image declares too many pixels (possible decompression bomb)",
                         "use the camera's normal photo size") from None
    except UnidentifiedImageError:
        raise PhotoError(source, "not a JPEG, PNG, HEIC or WebP image, or it is damaged",
                         hint) from None
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
        raise PhotoError(source, f"the image is damaged or incomplete ({exc})", hint) from None
    im = ImageOps.exif_transpose(im)
    im = _to_rgb(im)
    im.thumbnail((max_pixels, max_pixels), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False,
            **({"icc_profile": icc} if icc else {}))
    write_atomically(out, buffer.getvalue())
    return {"width": im.width, "height": im.height, "exif_time": exif_time,
            "exif_offset": exif_offset, "sha256": sha256_bytes(buffer.getvalue())}


def _open_heic() -> None:
    """HEIC support loaded only to decode: a batch's render workers, which use prepared photos,
    are 5 MB smaller without it."""
    import pillow_heif

    pillow_heif.register_heif_opener()


def _load_whole(im: Image.Image) -> None:
    """Decode every byte: a truncated file must fail here. WeasyPrint sets Pillow's global
    LOAD_TRUNCATED_IMAGES on import, so it is switched off for this decode."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        im.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _to_rgb(im: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white paper."""
    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return im.convert("RGB")


def _exif_strings(im: Image.Image) -> tuple[str | None, str | None]:
    """DateTimeOriginal and OffsetTimeOriginal as written; malformed EXIF counts as absent."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ifd = im.getexif().get_ifd(_TAG_EXIF_IFD)
    except Exception:  # EXIF is optional; a damaged block must not lose the photo
        return None, None

    def text(value: Any) -> str | None:
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        if not isinstance(value, str):
            return None
        return value.strip("\x00 ") or None

    return text(ifd.get(_TAG_DATETIME_ORIGINAL)), text(ifd.get(_TAG_OFFSET_TIME_ORIGINAL))


def _taken(exif_time: str | None, exif_offset: str | None, zone: ZoneInfo) -> datetime | None:
    """EXIF time in the agency zone; without an offset it is wall-clock time there."""
    match = _EXIF_TIME.fullmatch(exif_time or "")
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        naive = datetime(year, month, day, hour, minute, second)
        offset = _EXIF_OFFSET.fullmatch(exif_offset or "")
        if offset is None:
            return naive.replace(tzinfo=zone)
        sign = -1 if offset[1] == "-" else 1
        delta = timedelta(hours=int(offset[2]), minutes=int(offset[3]))
        return naive.replace(tzinfo=timezone(sign * delta)).astimezone(zone)
    except ValueError:  # "0000:00:00 00:00:00" and other impossible times
        return None


def _read_sidecar(path: Path) -> dict[str, Any] | None:
    """The cached entry's facts, or None if the entry is incomplete."""
    try:
        meta = json.loads(path.read_bytes())
        return {"width": int(meta["width"]), "height": int(meta["height"]),
                "exif_time": meta["exif_time"], "exif_offset": meta["exif_offset"],
                "sha256": str(meta["sha256"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None
