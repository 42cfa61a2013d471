"""What an image file is, from its first bytes (never from its name): `check` refuses a photo
that is not one noticegen can print, and the web shows a photo only as the image it is."""

from __future__ import annotations

HEAD = 16
"""Bytes enough to tell the formats apart."""
PRINTABLE = ("JPEG", "PNG", "HEIF", "WEBP")
"""The formats a photo in a notice may have (what Pillow is allowed to open, and `check`
accepts). "JPEG" also opens the MPO files many phones write (JPEG + 2nd frame)."""
BROWSER = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
"""The formats a browser shows, with their media types (not HEIC: no browser shows it)."""
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
                b"mif1", b"msf1"}


def image_format(head: bytes) -> str | None:
    """'JPEG', 'PNG', 'GIF', 'WEBP' or 'HEIF' as the file's first bytes declare it; None for
    anything else (a page, a script, a document)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None
