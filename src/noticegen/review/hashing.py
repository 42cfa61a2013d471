"""A template's content hash: its file and everything it pulls in (partials, CSS, assets, DOCX)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2
from jinja2 import meta

from ..errors import NoticegenError
from ..files import sha256_bytes
from .entries import ReviewEntry

REGISTRY_KEY = "registry.yaml#"
"""The pseudo-file that stands for the entry's registry facts (title, directive, …)."""
MISSING = "missing"

_LINK = re.compile(r"""(?:href|src)\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)|@import\s+(["'])([^"']+)\3""")
_SKIP = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|$)", re.IGNORECASE)  # data:, https:, photo:, #x


@dataclass(frozen=True)
class _FileInfo:
    stamp: tuple[int, int]
    sha256: str
    templates: tuple[str, ...]
    links: tuple[str, ...]


_cache: dict[Path, _FileInfo] = {}
_parser = jinja2.Environment()


def _info(path: Path, name: str) -> _FileInfo:
    """A file's SHA-256 and, for a template or stylesheet, what it refers to (cached by mtime)."""
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached and cached.stamp == stamp:
        return cached
    data = path.read_bytes()
    refs: tuple[str, ...] = ()
    links: list[str] = []
    if path.suffix in (".html", ".htm", ".xml"):
        text = data.decode("utf-8")
        try:
            found = list(meta.find_referenced_templates(_parser.parse(text)))
        except jinja2.TemplateSyntaxError as exc:
            raise NoticegenError(f"templates/{name}, line {exc.lineno}: {exc.message}",
                                 "fix the template syntax") from None
        if None in found:
            raise NoticegenError(f"templates/{name} includes a template chosen at render time",
                                 "name included templates literally, so that the approved "
                                 "content hash covers them")
        refs = tuple(str(r) for r in found)
        links = [m.group(2) for m in _LINK.finditer(text)]
        links += [m.group(2) or m.group(4) for m in _CSS_URL.finditer(text)]
    elif path.suffix == ".css":
        text = data.decode("utf-8")
        links = [m.group(2) or m.group(4) for m in _CSS_URL.finditer(text)]
    info = _FileInfo(stamp, sha256_bytes(data), refs,
                     tuple(link.strip() for link in links))
    _cache[path] = info
    return info


def _resolve(folder: PurePosixPath, link: str) -> str | None:
    """A relative link as a path under templates/ (posix), or None for data:, https:, tags."""
    if "{{" in link or "{%" in link or _SKIP.match(link):
        return None
    parts: list[str] = []
    for part in (folder / link.split("#")[0].split("?")[0]).parts:
        if part == "..":
            if not parts:
                return None  # outside templates/: the fetcher refuses it anyway
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def file_hashes(templates: Path, entry: ReviewEntry) -> dict[str, str]:
    """Every file the entry's documents are made from (paths relative to templates/), with its
    SHA-256; a referenced file that does not exist is listed as 'missing'."""
    hashes: dict[str, str] = {}
    base = PurePosixPath(entry.base) if entry.base else PurePosixPath()
    pending: list[tuple[str, PurePosixPath]] = [(entry.file, base)]
    while pending:
        name, folder = pending.pop()
        if name in hashes:
            continue
        path = templates / name
        if not path.is_file():
            hashes[name] = MISSING
            continue
        info = _info(path, name)
        hashes[name] = info.sha256
        pending += [(ref, base) for ref in info.templates]
        # HTML links resolve against the document's base; a stylesheet's against its folder
        link_folder = PurePosixPath(name).parent if path.suffix == ".css" else folder
        for link in info.links:
            resolved = _resolve(link_folder, link)
            if resolved:
                pending.append((resolved, base))
    if entry.docx:
        name = f"docx/{entry.docx}"
        path = templates / name
        hashes[name] = _info(path, name).sha256 if path.is_file() else MISSING
    meta_json = json.dumps(entry.metadata(), sort_keys=True, ensure_ascii=False)
    hashes[REGISTRY_KEY + entry.id] = sha256_bytes(meta_json.encode())
    return dict(sorted(hashes.items()))


def combine(hashes: dict[str, str]) -> str:
    """One SHA-256 over the sorted (file, SHA-256) list."""
    text = "".join(f"{name}\t{digest}\n" for name, digest in sorted(hashes.items()))
    return sha256_bytes(text.encode())


def content_hash(templates: Path, entry: ReviewEntry) -> str:
    """The hash the city attorney approves: changes when any byte of any file above changes,
    or the entry's registry facts do."""
    return combine(file_hashes(templates, entry))
