"""One chunk PDF split back into self-contained files, and many files streamed into one."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pikepdf

_RESOURCE_OPERATORS = {"Do": "/XObject", "Tf": "/Font", "gs": "/ExtGState", "sh": "/Shading",
                       "scn": "/Pattern", "SCN": "/Pattern"}


@dataclass(frozen=True)
class Part:
    """Pages [start, stop) of a chunk PDF that become one file, with that file's metadata."""

    start: int
    stop: int
    title: str
    created: str
    """A PDF date (D:YYYYMMDDHHmmSS+HH'mm'), the document's issue time."""


def _used_names(page: pikepdf.Object) -> dict[str, set[str]]:
    """The resource names a page's content stream uses, by resource category."""
    used: dict[str, set[str]] = {}
    for operands, operator in pikepdf.parse_content_stream(page, " ".join(_RESOURCE_OPERATORS)):
        op = str(operator)
        names = [o for o in operands if isinstance(o, pikepdf.Name)]
        if names:
            used.setdefault(_RESOURCE_OPERATORS[op], set()).add(str(names[-1]))
    return used


def _pruned(pdf: pikepdf.Pdf, resources: pikepdf.Dictionary,
            used: dict[str, set[str]]) -> pikepdf.Object:
    """A Resources dictionary holding only what `used` names (WeasyPrint gives every page
    of a document the same Resources, listing every image and font of the whole chunk)."""
    pruned = pikepdf.Dictionary()
    for key, value in resources.items():
        if key in used or key in _RESOURCE_OPERATORS.values():
            if key in used:
                pruned[key] = pikepdf.Dictionary({name: value[name] for name in
                                                  sorted(used[key]) if name in value})
        else:  # ColorSpace and the like: small, shared, kept whole
            pruned[key] = value
    return pdf.make_indirect(pruned)


def split(chunk: bytes, parts: Sequence[Part]) -> list[bytes]:
    """Each part as its own PDF, carrying only the objects its pages use."""
    source = pikepdf.open(io.BytesIO(chunk))
    pages = list(source.pages)
    used = [_used_names(page.obj) for page in pages]
    files = []
    for part in parts:
        names: dict[str, set[str]] = {}
        for index in range(part.start, part.stop):
            for key, values in used[index].items():
                names.setdefault(key, set()).update(values)
        resources = _pruned(source, pages[part.start].obj.Resources, names)
        out = pikepdf.new()
        for index in range(part.start, part.stop):
            pages[index].obj.Resources = resources
            out.pages.append(pages[index])
        with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False):
            pass  # no XMP: the Info dictionary below is the whole metadata
        out.docinfo = out.make_indirect(pikepdf.Dictionary({
            "/Title": pikepdf.String(part.title), "/Producer": pikepdf.String("noticegen"),
            "/Creator": pikepdf.String("noticegen"),
            "/CreationDate": pikepdf.String(part.created),
            "/ModDate": pikepdf.String(part.created)}))
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        files.append(buffer.getvalue())
    return files


# -- print.pdf: many PDFs streamed into one, one source open at a time ---------------------


class PrintFile:
    """Concatenates PDF files into one, writing each source's objects as soon as it is read:
    memory holds one source and a list of offsets, whatever the number of files."""

    def __init__(self, path: Path, seed: str) -> None:
        self.path, self.seed = path, seed
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                          suffix=".part")
        self._out: BinaryIO = os.fdopen(fd, "wb")
        self._offsets: list[int] = [0, 0, 0]  # 1 catalog, 2 page tree: written last
        self._kids: list[int] = []
        self._digest = hashlib.md5(seed.encode(), usedforsecurity=False)
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._digest.update(data)

    def _reserve(self) -> int:
        self._offsets.append(0)
        return len(self._offsets) - 1

    def _object(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._out.tell()
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def add(self, source: Path | bytes, pad_to_even: bool = False) -> int:
        """Append every page of `source` (a file or a PDF's bytes); a blank page after it if
        it has an odd count."""
        with pikepdf.open(io.BytesIO(source) if isinstance(source, bytes) else source) as pdf:
            numbers: dict[tuple[int, int], int] = {}
            order: list[pikepdf.Object] = []

            def number_of(obj: pikepdf.Object) -> int:
                if obj.objgen not in numbers:
                    numbers[obj.objgen] = self._reserve()
                    order.append(obj)
                return numbers[obj.objgen]

            pages = [number_of(page.obj) for page in pdf.pages]
            done = 0
            while done < len(order):  # breadth first: every object the pages reach
                obj = order[done]
                done += 1
                self._object(numbers[obj.objgen], self._serialize(obj, number_of))
            count = len(pages)
        self._kids += pages
        if pad_to_even and count % 2:
            blank = self._reserve()
            self._object(blank, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                         b"/Resources << >> >>")
            self._kids.append(blank)
        return count

    def _serialize(self, obj: Any, number_of: Any, top: bool = True) -> bytes:
        if not isinstance(obj, pikepdf.Object):
            return _scalar(obj)
        if not top and obj.is_indirect:
            return b"%d 0 R" % number_of(obj)
        if isinstance(obj, pikepdf.Stream):
            raw = obj.read_raw_bytes()
            entries = {k: v for k, v in obj.items() if k != "/Length"}
            head = self._dictionary(entries, number_of, is_page=False)
            return (head[:-2] + b" /Length %d >>\nstream\n" % len(raw) + raw
                    + b"\nendstream")
        if isinstance(obj, pikepdf.Dictionary):
            is_page = top and obj.get("/Type") == pikepdf.Name.Page
            return self._dictionary(dict(obj.items()), number_of, is_page)
        if isinstance(obj, pikepdf.Array):
            return b"[" + b" ".join(self._serialize(v, number_of, False) for v in obj) + b"]"
        return obj.unparse()

    def _dictionary(self, entries: dict[str, Any], number_of: Any, is_page: bool) -> bytes:
        parts = [b"<<"]
        for key in sorted(entries):
            if is_page and key == "/Parent":
                continue
            value = entries[key]
            parts.append(pikepdf.Name(key).unparse() + b" " +
                         self._serialize(value, number_of, False))
        if is_page:
            parts.append(b"/Parent 2 0 R")
        return b" ".join(parts) + b" >>"

    def close(self, info: dict[str, str]) -> None:
        """Write the page tree, the catalog, the cross-reference table; rename into place."""
        kids = b" ".join(b"%d 0 R" % k for k in self._kids)
        self._object(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(self._kids), kids))
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        info_number = self._reserve()
        self._object(info_number, b"<<" + b"".join(
            pikepdf.Name("/" + k).unparse() + b" " + pikepdf.String(v).unparse()
            for k, v in sorted(info.items())) + b" >>")
        file_id = self._digest.hexdigest().encode()
        xref = self._out.tell()
        rows = [b"xref\n0 %d\n" % len(self._offsets), b"0000000000 65535 f \n"]
        rows += [b"%010d 00000 n \n" % offset for offset in self._offsets[1:]]
        self._out.write(b"".join(rows))
        self._out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
                        b"startxref\n%d\n%%%%EOF\n"
                        % (len(self._offsets), info_number, file_id, file_id, xref))
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        os.replace(self._temp, self.path)

    def abort(self) -> None:
        self._out.close()
        Path(self._temp).unlink(missing_ok=True)


def _scalar(value: Any) -> bytes:
    """pikepdf hands numbers, booleans and null over as Python values."""
    if value is None:
        return b"null"
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, Decimal):
        text = format(value, "f")
        return (text.rstrip("0").rstrip(".") if "." in text else text).encode() or b"0"
    if isinstance(value, float):
        return _scalar(Decimal(repr(value)))
    return pikepdf.Object.unparse(value)  # type: ignore[arg-type]


def stream_files(path: Path, sources: Iterable[Path | bytes], seed: str, info: dict[str, str],
                 pad_to_even: bool = False) -> None:
    """`sources` concatenated into `path` (written atomically), optionally each starting on an
    odd page (a front side in duplex printing)."""
    out = PrintFile(path, seed)
    try:
        for source in sources:
            out.add(source, pad_to_even)
        out.close(info)
    except BaseException:
        out.abort()
        raise
