"""Specimens: every template rendered from the bundled sample facts, by the real builders, with
every substituted value marked — in the PDF highlighted, in the Word file as a highlight."""

from __future__ import annotations

import dataclasses
import functools
import io
import re
from collections.abc import Callable
from copy import deepcopy
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.text.run import Run
from markupsafe import escape
from pydantic import BaseModel

from ..cases import Case, read_case
from ..errors import InputError
from ..files import sha256_bytes
from ..mail.article_numbers import impb_number, printed
from ..mail.batch import book_context
from ..mail.chunks import (
    MailedPiece,
    Piece,
    affidavit_context,
    cover_context,
    fitted_cover,
    piece_stem,
)
from ..mail.postage import price
from ..project import Project, load_project
from ..render.document import Renderer
from ..render.docx import render_docx
from ..render.pdf import environment, layout, paragraphs, render_html, write_pdf
from ..rules import long_date
from ..rules.deadlines import local
from ..rules.serving import Serving
from .entries import ReviewEntry, review_entries

SPECIMEN_CASE = Path("specimens") / "specimen.yaml"
"""The sample facts, under templates/."""
ISSUED = datetime(2026, 11, 25, 10, 0)
"""Every specimen is issued (and mailed) at this moment, so its text never changes by itself."""
SPECIMEN_KEY = b"specimen only -- not a signing key"
SPECIMEN_HEARING = datetime(2026, 12, 15, 18, 0)
"""The public hearing a notice of public hearing's specimen gives notice of."""
SPECIMEN_BATCH, SPECIMEN_PAGES = "SPECIMEN", 4
"""The specimen mail piece: its batch and its notice's page count (the cover makes 5)."""
SPECIMEN_ARTICLE = impb_number("719", "999999999", 1)
"""The specimen piece's article number (IMpb, sample Mailer ID)."""
SPECIMEN_PACKET_SHA256 = sha256_bytes(b"specimen packet")
"""Stands for the mailed packet's SHA-256 in the affidavit and case-file copy specimens."""
SPECIMEN_POSTING_GROUNDS = ("the certified letter mailed to you on November 3, 2026 (article "
                            "9207 1901 2345 6700 0000 17) was returned undeliverable on "
                            "November 12, 2026")
"""What a posted notice's specimen gives as the reason it was posted."""
"""Specimens carry a verification link, but never one signed with the agency's key."""
OPEN, CLOSE = "\ue000", "\ue001"
"""Private-use characters around a substituted value until it is turned into a <mark>."""
MARK_CSS = ("mark.specimen { background: #fff176; color: #111; box-decoration-break: clone; }"
            " [class^='run-'] mark.specimen { background: none; }")
"""Highlighted values; none in the hidden strings that feed the running heads and footers."""
_TEXT_FILTERS = ("lower", "upper", "title", "capitalize", "trim", "replace", "truncate",
                 "wordwrap", "center", "striptags", "format", "indent")


# -------------------------------------------------------------------- marked values

class MarkedStr(str):
    """A fact as text: compares and behaves as the text, prints marked."""

    __slots__ = ()

    def __html__(self) -> str:
        return OPEN + str(escape(str(self))) + CLOSE


class MarkedInt(int):
    """A fact as a number (a violation's number, a page count): prints marked."""

    __slots__ = ()

    def __html__(self) -> str:
        return OPEN + str(int(self)) + CLOSE


def mark(value: Any) -> Any:
    """The same value with every string and number in it marked, walking the views
    (dataclasses), settings (pydantic models), tuples, lists and dicts; functions handed to the
    template (e.g. `when`) mark what they return. Anything else is kept as it is."""
    if value is None or isinstance(value, bool | MarkedStr | MarkedInt):
        return value
    if isinstance(value, str):
        return MarkedStr(value)
    if isinstance(value, int):
        return MarkedInt(value)
    if isinstance(value, tuple):
        return tuple(mark(v) for v in value)
    if isinstance(value, list):
        return [mark(v) for v in value]
    if isinstance(value, dict):
        return {k: mark(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{  # type: ignore[type-var]
            f.name: mark(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init})
    if isinstance(value, BaseModel):
        return value.model_copy(update={name: mark(getattr(value, name))
                                        for name in type(value).model_fields})
    if callable(value) and not isinstance(value, type):
        return _marking(value)
    return value


def _marking(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def marked(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        return mark(result) if isinstance(result, str | int) else result

    return marked


def _remarking(jinja_filter: Callable[..., Any]) -> Callable[..., Any]:
    """A text filter (lower, upper…) that keeps its input's mark."""
    passes = getattr(jinja_filter, "jinja_pass_arg", None) is not None

    @functools.wraps(jinja_filter)
    def remarked(*args: Any, **kwargs: Any) -> Any:
        result = jinja_filter(*args, **kwargs)
        value = args[1] if passes else args[0]
        if isinstance(value, MarkedStr) and isinstance(result, str):
            return MarkedStr(result)
        return result

    return remarked


def _paragraphs(text: str) -> list[str]:
    parts = paragraphs(text)
    return [MarkedStr(p) for p in parts] if isinstance(text, MarkedStr) else parts


def specimen_filters(env: jinja2.Environment) -> dict[str, Callable[..., Any]]:
    """The environment's filters, changed only so that marked text stays marked."""
    filters = {name: _remarking(env.filters[name]) for name in _TEXT_FILTERS
               if name in env.filters}
    filters["paragraphs"] = _paragraphs
    return filters


_TAG = re.compile(r"<[^>]*>")
_RAW = re.compile(r"(<(title|style|script)\b[^>]*>)(.*?)(</\2\s*>)", re.IGNORECASE | re.DOTALL)


def _unmark(text: str) -> str:
    return text.replace(OPEN, "").replace(CLOSE, "")


def marks_to_html(html: str) -> str:
    """Turn the markers into <mark class="specimen"> in text; drop them inside tags (a photo's
    src, a meta date), the title and style sheets; add the marks' style to the head."""
    html = _TAG.sub(lambda m: _unmark(m.group(0)), html)
    html = _RAW.sub(lambda m: m.group(1) + _unmark(m.group(3)) + m.group(4), html)
    html = html.replace(OPEN, '<mark class="specimen">').replace(CLOSE, "</mark>")
    style = f"<style>{MARK_CSS}</style>"
    return html.replace("</head>", style + "</head>", 1) if "</head>" in html else style + html


def highlight_docx(content: bytes) -> bytes:
    """A Word file's marked values as highlighted runs (for redlining); markers removed."""
    doc = Document(io.BytesIO(content))
    parts = [doc.part.element] + [rel.target_part.element for rel in doc.part.rels.values()
                                  if rel.reltype in (RT.HEADER, RT.FOOTER)]
    for element in parts:
        for paragraph in element.iter(qn("w:p")):
            _highlight_paragraph(paragraph, doc)
    props = doc.core_properties
    for name in ("title", "subject", "identifier", "keywords", "comments", "category"):
        value = getattr(props, name)
        if value:
            setattr(props, name, _unmark(value))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _highlight_paragraph(paragraph: Any, doc: Any) -> None:
    marked = False
    for run in list(paragraph.iter(qn("w:r"))):
        texts = run.findall(qn("w:t"))
        text = "".join(t.text or "" for t in texts)
        if OPEN not in text and CLOSE not in text:
            if marked and texts:
                Run(run, doc).font.highlight_color = WD_COLOR_INDEX.YELLOW
            continue
        segments: list[tuple[str, bool]] = []
        for piece in re.split(f"([{OPEN}{CLOSE}])", text):
            if piece in (OPEN, CLOSE):
                marked = piece == OPEN
            elif piece:
                segments.append((piece, marked))
        simple = all(child.tag in (qn("w:rPr"), qn("w:t")) for child in run)
        if not simple or not segments:
            for t in texts:
                t.text = _unmark(t.text or "")
            if any(m for _, m in segments):
                Run(run, doc).font.highlight_color = WD_COLOR_INDEX.YELLOW
            continue
        for piece, is_marked in segments:
            new = deepcopy(run)
            for t in new.findall(qn("w:t")):
                new.remove(t)
            t = new.makeelement(qn("w:t"), {})
            t.text = piece
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            new.append(t)
            if is_marked:
                Run(new, doc).font.highlight_color = WD_COLOR_INDEX.YELLOW
            run.addprevious(new)
        run.getparent().remove(run)


# -------------------------------------------------------------------- plain text for diffs

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "table",
           "ol", "ul", "section", "figure", "figcaption", "br", "dt", "dd", "header",
           "footer", "blockquote", "hr", "caption"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0

    def _break(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "title", "style", "script"):
            self.skip += 1
        elif tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "title", "style", "script"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)


def html_text(html: str) -> list[str]:
    """The words a reader sees, one line per paragraph, heading, list item or table cell."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser._break()
    return parser.lines


def docx_text(content: bytes) -> list[str]:
    """A Word file's paragraphs (body, tables, then headers and footers), one line each."""
    doc = Document(io.BytesIO(content))
    parts = [doc.part.element]
    seen = set()
    for rel in doc.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and rel.target_part.partname not in seen:
            seen.add(rel.target_part.partname)
            parts.append(rel.target_part.element)
    lines = []
    for element in parts:
        for paragraph in element.iter(qn("w:p")):
            text = " ".join("".join(t.text or "" for t in paragraph.iter(qn("w:t"))).split())
            if text:
                lines.append(text)
    return lines


# -------------------------------------------------------------------- the specimens

class Specimens:
    """The sample case and a renderer that turns it into a specimen of any template."""

    def __init__(self, project: Project, templates: Path, cache: Path,
                 facts: Path | None = None) -> None:
        self.project = project
        self.templates = templates
        self.cache = cache
        self.renderer = Renderer(project, templates, cache, SPECIMEN_KEY)
        self.registry = self.renderer.registry  # type: ignore[attr-defined]
        self.entries = review_entries(templates, self.registry)
        self.case = read_specimen(facts or project.root / "templates" / SPECIMEN_CASE)
        self.issued = local(ISSUED, project.settings.zone)
        self._mail: dict[str, dict[str, Any]] | None = None

    @classmethod
    def of(cls, root: Path, templates: Path | None = None) -> Specimens:
        """Specimens of the project at root (its templates, or another copy of them)."""
        project = load_project(root)
        return cls(project, templates or root / "templates",
                   root / "out" / ".cache" / "photos")

    def case_for(self, doc_type: str) -> Case:
        """The stop work order gets the whole case but the dangerous building; the hearing's
        documents only the dangerous building; other notices leave out both, so their
        deadline reads as a date rather than 'stop all work now' or a hearing."""
        catalog = self.project.catalog
        hearing = doc_type in ("hearing-notice", "hearing-order")
        kept = [v for v in self.case.violations
                if catalog.ordinance(v.ordinance).hearing_required == hearing
                and (doc_type == "stop-work" or hearing
                     or not catalog.ordinance(v.ordinance).stop_work_order)]
        return self.case.model_copy(update={"violations": kept})

    def context(self, entry: ReviewEntry, marked: bool = False) -> dict[str, Any]:
        """The facts the template sees, built by the same code as a served document's."""
        if entry.doc_type == "mail":
            context = dict(self._mail_contexts()[entry.file])
        else:
            kind = self.registry.get(entry.doc_type)
            template = kind.template(entry.variant)
            case = self.case_for(entry.doc_type)
            recipient = case.responsible_parties[0].id \
                if kind.audience == "responsible_party" else None
            serving = Serving("posted", SPECIMEN_POSTING_GROUNDS) \
                if template.delivery == "posting" and kind.delivery != "posting" else None
            _, context, _ = self.renderer.context(entry.doc_type, template, case, self.issued,
                                                  recipient, serving=serving,
                                                  hearing=SPECIMEN_HEARING if entry.doc_type
                                                  == "hearing-notice" else None)
            if template.variant == "file-copy":  # as the batch prints it beside the packet
                context["copy_of"] = self._copied_piece()
        return mark(context) if marked else context

    def _copied_piece(self) -> MailedPiece:
        return MailedPiece(printed(SPECIMEN_ARTICLE), SPECIMEN_PACKET_SHA256,
                           1 + SPECIMEN_PAGES, SPECIMEN_BATCH, 1,
                           long_date(self.issued.date()))

    def html(self, entry: ReviewEntry, marked: bool = False) -> str:
        env = self.renderer.env  # type: ignore[attr-defined]
        if marked:
            env = environment(self.templates)
            env.filters.update(specimen_filters(env))
        html = render_html(env, entry.file, self.context(entry, marked))
        return marks_to_html(html) if marked else html

    def pdf(self, entry: ReviewEntry, marked: bool = True) -> bytes:
        """The specimen as the printed document, each substituted value highlighted."""
        base = self.templates / entry.base if entry.base else self.templates
        return write_pdf(self.html(entry, marked), base, [self.templates / "assets"],
                         int(self.issued.timestamp()), photos=self.cache)

    def docx(self, entry: ReviewEntry, marked: bool = True) -> bytes | None:
        """The Word specimen, values highlighted, for redlining; None if the type has none."""
        if not entry.docx:
            return None
        context = self.context(entry, marked)
        if not marked:
            return render_docx(self.templates / "docx" / entry.docx, context)
        env = environment(self.templates)
        content = render_docx(self.templates / "docx" / entry.docx, context,
                              filters=specimen_filters(env))
        return highlight_docx(content)

    def text(self, entry: ReviewEntry) -> str:
        """The specimen's words, for comparing versions: the printed document, then the Word
        version's, one paragraph a line; document ids without their digest (`comparable`)."""
        lines = [f"=== {entry.title} ({entry.id}): printed document, templates/{entry.file}"]
        lines += html_text(self.html(entry))
        if entry.docx:
            content = self.docx(entry, marked=False)
            assert content is not None
            lines += ["", f"=== {entry.title} ({entry.id}): Word version, "
                          f"templates/docx/{entry.docx}"]
            lines += docx_text(content)
        return comparable("\n".join(lines) + "\n")

    def _mail_contexts(self) -> dict[str, dict[str, Any]]:
        """What the batch hands its cover, affidavit and firm book templates for one specimen
        piece, built by the batch's own code."""
        if self._mail is not None:
            return self._mail
        from ..render.context import ROLE_LABELS

        case = self.case_for("nov")
        party = case.responsible_parties[0]
        nov = next(e for e in self.entries if e.doc_type == "nov")
        doc_id = self.context(nov)["doc"].id
        title = self.registry.get("nov").title
        day, pages, batch_id = self.issued.date(), SPECIMEN_PAGES, SPECIMEN_BATCH
        piece = Piece(1, f"{batch_id}|{case.case_number}|nov|{party.id}", case.case_number,
                      party.id, party.name, party.role_detail or ROLE_LABELS[party.role],
                      tuple(party.mailing_address.printed), party.mailing_address.zip,
                      SPECIMEN_ARTICLE, piece_stem(1, case.case_number, party.id))
        cover, _ = fitted_cover(
            cover_context(self.project, title, batch_id, day, self.issued, piece, case, 1,
                          pages, doc_id),
            lambda facts: layout(render_html(self.renderer.env,  # type: ignore[attr-defined]
                                             "mail/cover.html", facts),
                                 self.templates / "mail", [self.templates / "assets"]))
        captured = {
            "mail/cover.html": cover,
            "mail/affidavit.html": affidavit_context(self.project, title, batch_id, day,
                                                     self.issued, piece, case, pages,
                                                     1 + pages, doc_id,
                                                     SPECIMEN_PACKET_SHA256)}

        captured["mail/firm_book.html"] = book_context(
            self.project, batch_id, day, self.issued, [piece],
            [price(1 + pages, self.project.settings.mail)])
        self._mail = captured
        return captured


def read_specimen(path: Path) -> Case:
    """The bundled sample case; checked like any case file."""
    if not path.is_file():
        raise InputError([_missing(path)])
    case, _, problems = read_case(path)
    if problems or case is None:
        raise InputError(problems)
    return case


def _missing(path: Path) -> Any:
    from ..errors import Problem, display_path

    return Problem(display_path(path), None, "", "the specimen case file is missing",
                   "the legal review renders every template from templates/specimens/"
                   "specimen.yaml; restore it from the noticegen repository")


_DOCUMENT_ID = re.compile(r"([A-Z]+-\d{4}-\d{4}-[A-Z]+-)[A-Z2-7]{8}\b")


def comparable(text: str) -> str:
    """Specimen text with each document id's digest masked: the digest follows the settings
    and catalogs (the verification address, a fee), not the template's words, so it must not
    show as a change of wording."""
    return _DOCUMENT_ID.sub(r"\1········", text)
