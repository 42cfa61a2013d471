"""Editable Word versions through docxtpl, with the PDFs' strict, escaping, sandboxed Jinja."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
import qrcode
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Inches
from docxtpl import DocxTemplate, InlineImage
from jinja2.exceptions import SecurityError
from lxml import etree
from PIL import Image

from .context import DocumentView, Letterhead, PhotoView
from .pdf import TemplateError, environment

SEAL_WIDTH = Inches(0.85)
QR_WIDTH = Inches(0.8)
PHOTO_BOX = (6.5, 3.6)
"""Inches a photo may take: the text width, and the PDF's max-height for a figure."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_HINT = ("the document's context has no such fact; fix the Word template "
         "(scripts/make_docx_templates.py) or add the fact to the case file")


class _StrictTemplate(DocxTemplate):
    """docxtpl parses the rendered body with lxml's `recover=True`, which silently drops what
    it cannot parse. A legal notice must not lose text quietly: parse strictly first."""

    def fix_tables(self, xml: str) -> Any:
        try:
            etree.fromstring(xml)
        except etree.XMLSyntaxError as exc:
            raise _Malformed(str(exc)) from None
        return super().fix_tables(xml)


class _Malformed(Exception):
    pass


class _Drawing:
    """An image for docxtpl with nothing public in it: an InlineImage holds the whole template
    object (`.tpl.save(...)`), which the sandbox would let a template reach and call."""

    __slots__ = ("_image",)

    def __init__(self, image: InlineImage) -> None:
        self._image = image

    def __html__(self) -> str:
        return self._image.__html__()

    __str__ = __html__


def render_docx(template: Path, context: Mapping[str, Any],
                filters: Mapping[str, Callable[..., Any]] | None = None) -> bytes:
    """Fill one .docx template; undefined facts and broken tags raise TemplateError.
    `filters` replace the environment's (the legal review's specimens keep marks with them)."""
    name = f"{template.parent.name}/{template.name}"
    if not template.is_file():
        raise TemplateError(f"template {name} not found",
                            "run scripts/make_docx_templates.py, or check templates/registry.yaml")
    try:
        tpl = _StrictTemplate(template)
        tpl.init_docx()
    except PackageNotFoundError:
        raise TemplateError(f"template {name} is not a Word document",
                            "run scripts/make_docx_templates.py") from None
    env = environment(template.parent)
    env.filters.update(filters or {})
    env.filters["picture"] = partial(_picture, tpl)
    values = {**_images(tpl, context), **context}
    try:
        tpl.render(values, jinja_env=env, autoescape=True)
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template {name}: {exc.message}", _HINT) from None
    except jinja2.TemplateSyntaxError as exc:
        where = " / ".join(line.strip() for line in getattr(exc, "docx_context", ()) if
                           line.strip())
        raise TemplateError(f"template {name}: {exc.message}",
                            "fix the tag in the Word template (each tag must be typed in one "
                            "go, in one style)" + (f"; near: {where}" if where else "")) from None
    except SecurityError as exc:
        raise TemplateError(f"template {name}: {exc}", "templates cannot reach Python") from None
    except TemplateError as exc:  # from the picture filter: say which template asked
        raise TemplateError(f"template {name}: {exc.message}", exc.hint) from None
    except (_Malformed, etree.XMLSyntaxError) as exc:
        raise TemplateError(f"template {name} rendered to broken Word XML: {exc}",
                            "check the template's {%p %} and {%tr %} tags pair up, and the case "
                            "text for control characters") from None
    _stamp(tpl, context.get("doc"))
    buffer = io.BytesIO()
    tpl.save(buffer)
    return _stable_zip(buffer.getvalue())


def _images(tpl: DocxTemplate, context: Mapping[str, Any]) -> dict[str, Any]:
    """The letterhead's seal and the verification QR code, as images docxtpl can place."""
    images: dict[str, Any] = {}
    agency, doc = context.get("agency"), context.get("doc")
    if isinstance(agency, Letterhead):
        images["seal_image"] = _Drawing(InlineImage(tpl, io.BytesIO(_data(agency.logo)),
                                                    width=SEAL_WIDTH))
    if isinstance(doc, DocumentView):
        # The PDF's QR is SVG, which Word cannot show; the same link as a PNG.
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8,
                             border=0)
        code.add_data(doc.verify_url)
        png = io.BytesIO()
        code.make_image().save(png)
        images["qr_image"] = _Drawing(InlineImage(tpl, io.BytesIO(png.getvalue()),
                                                  width=QR_WIDTH))
    return images


def _data(uri: str) -> bytes:
    header, _, payload = uri.partition(",")
    if not header.startswith("data:image/") or not header.endswith(";base64") or \
            "svg" in header:
        raise TemplateError("the agency logo must be a PNG or JPEG for Word documents",
                            "set agency.logo in config/agency.yaml to a .png or .jpg file")
    return base64.b64decode(payload)


def _picture(tpl: DocxTemplate, photo: Any) -> _Drawing:
    """`{{ p | picture }}`: a prepared photo, fitted to the page. Only a PhotoView the builder
    made is accepted, so a template cannot name a file of its own."""
    if not isinstance(photo, PhotoView):
        raise TemplateError("the picture filter takes a photo from the context (a PhotoView)",
                            "use {{ p | picture }} inside {%p for p in v.photos %}")
    path = Path(photo.file)
    with Image.open(path) as image:
        width, height = image.size
    box_w, box_h = PHOTO_BOX
    if width / height >= box_w / box_h:
        return _Drawing(InlineImage(tpl, str(path), width=Inches(box_w)))
    return _Drawing(InlineImage(tpl, str(path), height=Inches(box_h)))


def _stamp(tpl: DocxTemplate, doc: Any) -> None:
    """Document properties from the issue time, not the clock: same inputs, same file."""
    if isinstance(doc, DocumentView):
        issued = datetime.fromisoformat(doc.issued_iso).astimezone(UTC).replace(tzinfo=None)
        props = tpl.docx.core_properties
        props.created = props.modified = issued
        props.last_modified_by = "noticegen"


def _stable_zip(data: bytes) -> bytes:
    """Fixed zip timestamps, so a re-render's SHA-256 matches the record."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
