"""Photos sent through a form (an officer's phone, the public complaint form): each checked
before anything is stored — its size, that its bytes are an image noticegen can print, that
it decodes — and refused by name with the reason. The original bytes are what is kept: the
renderer makes the upright print copy and reads the capture time from them."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ..errors import InputError, Problem
from ..images import HEAD, PRINTABLE, image_format
from ..render.photos import MAX_SOURCE_PIXELS, PreparedPhoto, prepare_photo
from .app import App
from .views import File

THUMBNAIL = 480
"""Longest side of the upright copy the pages show (about 2x a phone's 240 px column)."""
PHOTO_LIMIT = 15_000_000
"""The largest photo taken (a 48 MP phone JPEG is about 12 MB; HEIC half of that)."""


@dataclass(frozen=True)
class Upload:
    """One file as a form sent it."""

    name: str
    content: bytes
    size: int | None = None
    """The file's whole size when `content` is only its beginning (a form reads no more of a
    file than a photo may be)."""


def file_name(name: str) -> str:
    """A sent file's name as kept: its last part, without control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:120] or "photo"


def checked_photos(uploads: list[Upload], where: str, field: str, most: int) -> list[Upload]:
    """The uploads that are photos (empty file inputs dropped), or every problem at once."""
    given = [u for u in uploads if u.name or u.content]
    problems = []
    if len(given) > most:
        problems.append(Problem(where, None, field, f"{len(given)} photos sent; at most "
                                f"{most} are taken at once", "send the others separately"))
    for upload in given:
        if reason := _refusal(upload):
            problems.append(Problem(where, None, field, f"{upload.name or 'a file'}: {reason}",
                                    "send a photo (JPEG, PNG, HEIC or WebP) of at most "
                                    f"{PHOTO_LIMIT // 1_000_000} MB"))
    if problems:
        raise InputError(problems)
    return given


def _refusal(upload: Upload) -> str | None:
    size = len(upload.content) if upload.size is None else upload.size
    if size == 0:
        return "the file is empty"
    if size > PHOTO_LIMIT:
        return f"the file is {size / 1_000_000:.1f} MB, more than the " \
               f"{PHOTO_LIMIT // 1_000_000} MB a photo may be"
    kind = image_format(upload.content[:HEAD])
    if kind not in PRINTABLE:
        return "not a photo noticegen can print (its bytes are not JPEG, PNG, HEIC or WebP)"
    if kind == "HEIF":
        import pillow_heif  # registered only when a HEIC photo comes

        pillow_heif.register_heif_opener()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload.content), formats=[kind]) as im:
                if im.width * im.height > MAX_SOURCE_PIXELS:
                    return f"{im.width} x {im.height} pixels is more than a photo may be"
                im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "the image is damaged or incomplete"
    return None


def shown_copy(app: App, photo: str | Path) -> PreparedPhoto:
    """The upright copy of a stored photo (a blob's SHA-256, or a file) that pages show, made
    once and cached; it also knows the photo's capture time."""
    source = app.blobs.path(photo) if isinstance(photo, str) else photo
    return prepare_photo(source, app.out / ".cache" / "photos", app.project.settings.zone,
                         THUMBNAIL)


def upright_file(app: App, sha256: str, name: str) -> File:
    """A stored photo upright, downscaled and as JPEG, for a page (HEIC too, which no browser
    shows)."""
    return File(shown_copy(app, sha256).path.read_bytes(), "image/jpeg",
                Path(name).stem + ".jpg", shown=True)
