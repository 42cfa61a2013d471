"""Build the editable Word templates in templates/docx/ that docxtpl fills (no Word needed).

The four documents clerks and the city attorney edit by hand -- notice of violation, voluntary
compliance agreement, citation and notice of resolution -- are written here with python-docx, so
their wording lives in one reviewable file next to the HTML templates it must keep in step with
(tests/test_docx.py checks the rendered text of both). Re-run after changing the wording:

    .venv/bin/python scripts/make_docx_templates.py [OUTPUT_FOLDER]   (default: templates/docx)

Every Jinja tag is written in a run of its own, as docxtpl needs. `{%p ... %}` paragraphs and
`{%tr ... %}` table rows are docxtpl's block tags: the whole paragraph or row is replaced by the
tag. Free text from case files goes through the `paragraphs` filter, as in the HTML: blank lines
start a new Word paragraph and single line breaks become spaces. Images are filled in by
noticegen.render.docx: `{{ seal_image }}`, `{{ qr_image }}` and `{{ p | picture }}` for a photo.

The output is byte-for-byte reproducible: fixed document properties and fixed zip timestamps.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "templates" / "docx"

SERIF = "Times New Roman"   # LibreOffice substitutes the metric-compatible Liberation Serif
SANS = "Arial"              # ... and Liberation Sans, the PDF's heading face
NAVY = RGBColor(0x1D, 0x35, 0x57)
GREY = RGBColor(0x44, 0x44, 0x44)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
FIXED_TIME = datetime(2026, 1, 1)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
TEXT_WIDTH = 6.5            # inches: Letter less two 1-inch margins

_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})")

Container = DocumentObject | _Cell


# --------------------------------------------------------------------------- low-level helpers

def _set_fonts(parent: Any, name: str) -> None:
    """Name a font for every script and drop the theme fonts that would override it.

    `parent` is a run, a style or docDefaults' rPrDefault: anything that holds a w:rPr."""
    rpr = parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        parent.insert(0, rpr) if parent.tag == qn("w:r") else parent.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), name)


def _runs(paragraph: Paragraph, text: str, *, size: float | None = None,
          color: RGBColor | None = None, font: str | None = None, bold: bool = False,
          italic: bool = False, caps: bool = False) -> None:
    """Add text as runs: `**` toggles bold, and every Jinja tag gets a run of its own."""
    strong = bold
    for i, chunk in enumerate(text.split("**")):
        if i:
            strong = not strong
        for piece in _TAG.split(chunk):
            if not piece:
                continue
            run = paragraph.add_run(piece)
            run.bold = strong or None
            run.italic = italic or None
            run.font.all_caps = caps or None
            if size:
                run.font.size = Pt(size)
            if color is not None:
                run.font.color.rgb = color
            if font:
                _set_fonts(run._r, font)


def _p(target: Container, text: str = "", *, style: str | None = None,
       size: float | None = None, color: RGBColor | None = None, font: str | None = None,
       bold: bool = False, italic: bool = False, align: int | None = None,
       before: float | None = None, after: float | None = None, keep: bool = False,
       indent: float | None = None, caps: bool = False) -> Paragraph:
    """One paragraph. In a fresh table cell the cell's own empty paragraph is used first."""
    fresh = (isinstance(target, _Cell) and len(target.paragraphs) == 1
             and not target.paragraphs[0].runs and target.paragraphs[0]._p.pPr is None)
    paragraph = target.paragraphs[0] if fresh else target.add_paragraph()
    if style:
        paragraph.style = style
    fmt = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    if keep:
        fmt.keep_with_next = True
    if indent is not None:
        fmt.left_indent = Inches(indent)
    _runs(paragraph, text, size=size, color=color, font=font, bold=bold, italic=italic,
          caps=caps)
    return paragraph


def _tag(target: Container, tag: str) -> Paragraph:
    """A docxtpl block-tag paragraph: `{%p ... %}`, replaced whole when rendered."""
    assert tag.startswith("{%p ") and tag.endswith("%}"), tag
    return _p(target, tag)


# Word refuses property elements out of the schema's order (LibreOffice does not mind).
_ORDER = {
    "w:pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
             "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap "
             "overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid "
             "spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
             "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "w:tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
              "tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange",
    "w:tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize "
               "tblW jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook "
               "tblCaption tblDescription tblPrChange",
}


def _place(parent: Any, child: Any) -> None:
    """Put a property element where the schema wants it among its siblings."""
    order = [qn(f"w:{name}") for name in _ORDER[_prefixed(parent.tag)].split()]
    for old in parent.findall(child.tag):
        parent.remove(old)
    later = set(order[order.index(child.tag) + 1:])
    for sibling in parent:
        if sibling.tag in later:
            sibling.addprevious(child)
            return
    parent.append(child)


def _prefixed(tag: str) -> str:
    return tag.replace(qn("w:x")[:-1], "w:")


def _border(element: object, tag: str, edges: dict[str, tuple[float, str]]) -> None:
    """Borders on a table (tblBorders), cell (tcBorders) or paragraph (pBdr): edge → (pt, hex)."""
    box = OxmlElement(tag)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if edge not in edges:
            continue
        width, color = edges[edge]
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single" if width else "nil")
        if width:
            line.set(qn("w:sz"), str(round(width * 8)))
            line.set(qn("w:space"), "2" if tag == "w:pBdr" else "0")
            line.set(qn("w:color"), color)
        box.append(line)
    _place(element, box)


def _no_borders() -> dict[str, tuple[float, str]]:
    return {e: (0, "auto") for e in ("top", "left", "bottom", "right", "insideH", "insideV")}


def _shade(cell: _Cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    _place(cell._tc.get_or_add_tcPr(), shd)


def _cell_margins(table: Table, top: float, side: float) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge, value in (("top", top), ("left", side), ("bottom", top), ("right", side)):
        m = OxmlElement(f"w:{edge}")
        m.set(qn("w:w"), str(round(value * 20)))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    _place(table._tbl.tblPr, margins)


def _table(target: Container, widths: Sequence[float], *, borders: dict | None = None,
           margins: tuple[float, float] = (1.5, 4)) -> Table:
    """A fixed-layout table with the given column widths in inches (Word and LibreOffice)."""
    table = target.add_table(rows=0, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _place(table._tbl.tblPr, layout)
    _border(table._tbl.tblPr, "w:tblBorders", borders or _no_borders())
    _cell_margins(table, *margins)
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Inches(width)
    total = table._tbl.tblPr.find(qn("w:tblW"))
    total.set(qn("w:type"), "dxa")
    total.set(qn("w:w"), str(round(sum(widths) * 1440)))
    return table


def _row(table: Table, *, header: bool = False, keep: bool = True) -> list[_Cell]:
    row = table.add_row()
    tr_pr = row._tr.get_or_add_trPr()
    if keep:
        tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))
    for cell, column in zip(row.cells, table.columns, strict=True):
        cell.width = column.width
    return list(row.cells)


def _loop_row(table: Table, tag: str) -> None:
    """A docxtpl `{%tr ... %}` row: the whole row is replaced by the tag when rendered."""
    assert tag.startswith("{%tr "), tag
    _p(_row(table, keep=False)[0], tag)


def _field(paragraph: Paragraph, instruction: str, placeholder: str, *, size: float,
           color: RGBColor, font: str) -> None:
    """A simple field (PAGE, NUMPAGES) that Word and LibreOffice update when laid out."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    paragraph._p.append(field)
    run = paragraph.add_run(placeholder)   # python-docx adds it to the paragraph ...
    run.font.size = Pt(size)
    run.font.color.rgb = color
    _set_fonts(run._r, font)
    field.append(run._r)                   # ... and lxml moves it into the field

# --------------------------------------------------------------------------- the page

def _new_document(title: str) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Inches(1))
    section.header_distance = section.footer_distance = Inches(0.45)

    styles = doc.styles
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            _set_fonts(rpr_default, SERIF)
    normal = styles["Normal"]
    _set_fonts(normal.element, SERIF)
    normal.font.size = Pt(11)
    normal.font.color.rgb = RGBColor(0x11, 0x11, 0x11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    normal.paragraph_format.widow_control = True
    for name, size, color, before, after in (("Title", 17, RGBColor(0x11, 0x11, 0x11), 10, 4),
                                              ("Heading 1", 12, NAVY, 12, 4),
                                              ("Heading 2", 11, RGBColor(0x11, 0x11, 0x11), 8, 2)):
        style = styles[name]
        _set_fonts(style.element, SANS)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = color
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = True
    title_style = styles["Title"]
    title_style.font.all_caps = True
    ppr = title_style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:pBdr")):     # the default Title has a blue rule under it
        ppr.remove(old)
    _border(styles["Heading 1"].element.get_or_add_pPr(), "w:pBdr",
            {"bottom": (1.2, "1D3557")})
    for name in ("List Number", "List Bullet"):
        styles[name].paragraph_format.space_after = Pt(2)

    props = doc.core_properties
    props.title = "{{ doc.title }} — {{ case.number }}"
    props.identifier = "{{ doc.id }}"
    props.subject = title
    props.author = "noticegen"
    props.last_modified_by = "noticegen"
    props.comments = ("Template for noticegen (docxtpl). Edit the wording in "
                      "scripts/make_docx_templates.py, not here.")
    props.keywords = ""
    props.category = "code enforcement"
    props.revision = 1
    props.created = props.modified = props.last_printed = FIXED_TIME

    _running_heads(doc)
    return doc


def _running_heads(doc: DocumentObject) -> None:
    """Page 1 carries the letterhead; later pages a running head. Every page the id footer."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    small = {"size": 7.5, "color": GREY, "font": SANS}

    head = section.header.paragraphs[0]
    head.paragraph_format.tab_stops.add_tab_stop(Inches(TEXT_WIDTH), WD_TAB_ALIGNMENT.RIGHT)
    _runs(head, "Case {{ case.number }} · {{ case.property_address }}\t{{ doc.title }}",
          **small)  # type: ignore[arg-type]

    for footer in (section.footer, section.first_page_footer):
        footer.is_linked_to_previous = False
        line = footer.paragraphs[0]
        line.paragraph_format.tab_stops.add_tab_stop(Inches(TEXT_WIDTH), WD_TAB_ALIGNMENT.RIGHT)
        _border(line._p.get_or_add_pPr(), "w:pBdr", {"top": (0.5, "999999")})
        _runs(line, "Document {{ doc.id }} · Template {{ doc.template_id }} "
              "v{{ doc.template_version }} · Case {{ case.number }} · "
              "{{ case.property_address }}\tPage ", **small)  # type: ignore[arg-type]
        _field(line, "PAGE", "1", **small)
        _runs(line, " of ", **small)  # type: ignore[arg-type]
        _field(line, "NUMPAGES", "1", **small)
    section.first_page_header.is_linked_to_previous = False
    # A draft (noticegen render --draft) says so at the top of every page, not only the first.
    for header in (section.first_page_header, section.header):
        _tag(header, "{%p if doc.draft %}")
        _p(header, "DRAFT — NOT FOR SERVICE", font=SANS, size=10, bold=True,
           color=RGBColor(0xC0, 0x00, 0x00), align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
        _tag(header, "{%p endif %}")


def _letterhead(doc: DocumentObject) -> None:
    """Seal, agency and contact lines, verification QR code: as the PDF's letterhead partial."""
    table = _table(doc, (1.0, 4.45, 1.05), borders={**_no_borders(), "bottom": (2, "1D3557")},
                   margins=(0, 3))
    seal, org, verify = _row(table)
    for cell in (seal, org, verify):
        cell.vertical_alignment = 1  # center
    _p(seal, "{{ seal_image }}", after=2)
    _p(org, "{{ agency.department }}", font=SANS, size=14, bold=True, color=NAVY, after=1)
    _p(org, "{{ agency.name }} · {{ agency.division }}", font=SANS, size=10, after=1)
    _p(org, "{% for line in agency.address_lines %}{{ line }}{{ \", \" if not loop.last }}"
            "{% endfor %} · {{ agency.phone }} · {{ agency.email }} · {{ agency.website }}",
       font=SANS, size=8, color=GREY, after=2)
    _p(verify, "{{ qr_image }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _p(verify, "Scan to verify this document", font=SANS, size=6.5, color=GREY,
       align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _p(verify, "{{ doc.id }}", font=SANS, size=6.5, color=GREY,
       align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
    _tag(doc, "{%p if doc.draft %}")
    _p(doc, "DRAFT — NOT FOR SERVICE", font=SANS, size=14, bold=True,
       color=RGBColor(0xC0, 0x00, 0x00), align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
    _tag(doc, "{%p endif %}")


def _facts(doc: DocumentObject, rows: Sequence[tuple[str, str, str, str]]) -> None:
    table = _table(doc, (1.15, 2.35, 1.05, 1.95), margins=(1, 3))
    for label1, value1, label2, value2 in rows:
        cells = _row(table)
        for cell, text, bold in zip(cells, (label1, value1, label2, value2),
                                    (False, True, False, True), strict=True):
            _p(cell, text, font=SANS, size=9, bold=bold, color=None if bold else GREY, after=0)
    _p(doc, "", after=0, size=4)


def _callout(doc: DocumentObject, fill: Callable[[_Cell], None]) -> None:
    table = _table(doc, (TEXT_WIDTH,), borders={e: (1.5, "1D3557") for e in
                                                ("top", "left", "bottom", "right")},
                   margins=(4, 8))
    cell = _row(table)[0]
    _shade(cell, "EEF3F9")
    fill(cell)
    _p(doc, "", after=0, size=4)


def _grid(doc: DocumentObject, headings: Sequence[str], widths: Sequence[float],
          loop: str, cells: Sequence[Callable[[_Cell], None]]) -> None:
    """A violations table: a repeated navy header row, then one row per item of the loop."""
    line = (0.6, "999999")
    table = _table(doc, widths, borders={**_no_borders(), "insideH": line, "bottom": line},
                   margins=(3, 4))
    for cell, text in zip(_row(table, header=True), headings, strict=True):
        _shade(cell, "1D3557")
        _p(cell, text, font=SANS, size=8.5, bold=True, color=WHITE, after=0)
    _loop_row(table, f"{{%tr for {loop} %}}")
    for cell, fill in zip(_row(table), cells, strict=True):
        fill(cell)
    _loop_row(table, "{%tr endfor %}")
    _p(doc, "", after=0, size=4)


def _paragraphs(target: Container, expression: str, **fmt: object) -> None:
    """Free text from a case file, split where the HTML splits it (`paragraphs` filter)."""
    _tag(target, f"{{%p for para in {expression} | paragraphs %}}")
    _p(target, "{{ para }}", **fmt)  # type: ignore[arg-type]
    _tag(target, "{%p endfor %}")


def _signatures(doc: DocumentObject, labels: Sequence[str], *, before: float = 18,
                widths: Sequence[float] | None = None) -> None:
    """Signature lines side by side; labels may hold tags."""
    _p(doc, "", after=0, before=before, size=4)
    gap = 0.35
    if widths is None:
        widths = [(TEXT_WIDTH - gap * (len(labels) - 1)) / len(labels)] * len(labels)
    widths = [w for i, width in enumerate(widths) for w in ((width,) if i == 0 else (gap, width))]
    table = _table(doc, widths, margins=(0, 0))
    space, line = _row(table), _row(table)
    for i, label in enumerate(labels):
        cell_space, cell_line = space[i * 2], line[i * 2]
        _p(cell_space, "", after=0, size=20)
        if label:  # an empty label keeps the column free, as the HTML's blank signature does
            _border(cell_space._tc.get_or_add_tcPr(), "w:tcBorders",
                    {"bottom": (0.8, "111111")})
        _p(cell_line, label, font=SANS, size=8, color=GREY, after=0, before=2)


def _numbered(doc: DocumentObject, items: Sequence[str]) -> None:
    """A numbered list that starts again at 1 (Word continues a style's list otherwise)."""
    numbering = doc.part.numbering_part.element
    style_num = doc.styles["List Number"].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(style_num).abstractNumId.val
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    for text in items:
        paragraph = _p(doc, text, style="List Number")
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = num.numId


def _bar(target: Container, text: str) -> Paragraph:
    """The citation form's section bar: white capitals on black."""
    paragraph = _p(target, text, font=SANS, size=9, bold=True, color=WHITE, caps=True,
                   before=6, after=0, keep=True)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), "111111")
    _place(paragraph._p.get_or_add_pPr(), shd)
    return paragraph


def _field_pair(cell: _Cell, label: str, value: str, size: float = 9.5) -> None:
    _p(cell, label, font=SANS, size=7.5, bold=True, caps=True, color=GREY, after=1)
    if value:
        _p(cell, value, font=SANS, size=size, bold=True, after=0)
    else:
        _p(cell, "", size=20, after=0)


def _form(doc: DocumentObject, rows: Sequence[Sequence[tuple]]) -> None:
    """Boxed label-over-value fields, one table per row so each row has its own widths."""
    box = (0.9, "111111")
    for row in rows:
        table = _table(doc, [field[0] for field in row],
                       borders={e: box for e in ("top", "left", "bottom", "right", "insideV")},
                       margins=(2, 5))
        for cell, (_, label, value, *size) in zip(_row(table), row, strict=True):
            _field_pair(cell, label, value, *size)


def _section_heading(doc: DocumentObject, text: str, *, new_page: bool = False) -> Paragraph:
    paragraph = _p(doc, text, style="Heading 1")
    if new_page:
        paragraph.paragraph_format.page_break_before = True
    return paragraph


def _address(doc: DocumentObject, name: str, lines: str, note: str | None = None) -> None:
    _p(doc, f"**{name}**", after=0, before=6)
    _tag(doc, f"{{%p for line in {lines} %}}")
    _p(doc, "{{ line }}", after=0)
    _tag(doc, "{%p endfor %}")
    if note:
        _p(doc, note, size=8.5, color=GREY, after=0)
    _p(doc, "", after=4)


def _violation_cell(cell: _Cell) -> None:
    _p(cell, "**{{ v.title }}**", after=1)
    _p(cell, "{{ v.citation }}", font=SANS, size=8.5, color=NAVY, after=1)
    _p(cell, "{{ v.summary }}", size=8.5, after=0)


def _number_cell(cell: _Cell) -> None:
    _p(cell, "{{ v.number }}", size=9.5, after=0)


def _described_cell(cell: _Cell, *, photos: bool) -> None:
    _paragraphs(cell, "v.description", size=9.5, after=3)
    tail = ('{% if v.photos %} · Photo{{ "s" if v.photos | length > 1 }} '
            '{{ v.photos | map(attribute="number") | join(", ") }}{% endif %}') if photos else ""
    _p(cell, "{{ v.location }} · observed {{ v.observed }}" + tail, size=8.5, color=GREY,
       after=0)


def _action_cell(cell: _Cell) -> None:
    _paragraphs(cell, "v.corrective_action", size=9.5, after=3)


def _appendix_ordinances(doc: DocumentObject) -> None:
    """Appendix A: the text of each section cited (directive VIII.B.2.c), as partials/appendix."""
    _section_heading(doc, "Appendix A — Text of the Ordinances Cited", new_page=True)
    _p(doc, "The sections of the {{ code_name }} that this notice cites, as they read on the "
            "date of this notice.", size=8.5, color=GREY)
    _tag(doc, '{%p for v in violations | unique(attribute="citation") %}')
    _p(doc, "{{ v.citation }} — {{ v.title }}", style="Heading 2")
    _paragraphs(doc, "v.text", size=10, indent=0.15)
    _tag(doc, "{%p endfor %}")


def _appendix_photos(doc: DocumentObject) -> None:
    """Appendix B: each violation's photographs (directive VIII.B.2.d), as partials/photos."""
    _tag(doc, '{%p if violations | selectattr("photos") | list %}')
    _section_heading(doc, "Appendix B — Photographs", new_page=True)
    _tag(doc, "{%p for v in violations %}")
    _tag(doc, "{%p for p in v.photos %}")
    picture = _p(doc, "{{ p | picture }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=2, keep=True)
    picture.paragraph_format.keep_together = True
    _p(doc, "**{{ p.caption }}** · Violation {{ v.number }}: {{ v.title }} ({{ v.citation }}) · "
            "{{ v.location }}", font=SANS, size=8.5, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endif %}")


# --------------------------------------------------------------------------- the documents

_MANY = "violations | length > 1"


def notice_of_violation() -> DocumentObject:
    """nov.html, letter variant: same facts, same order, same wording."""
    doc = _new_document("Notice of Violation")
    _letterhead(doc)
    _p(doc, "Notice of Violation", style="Title")
    _tag(doc, '{%p if served.method == "mail" %}')
    _p(doc, "CERTIFIED MAIL — RETURN RECEIPT REQUESTED", font=SANS, size=9, bold=True,
       after=4).paragraph_format.keep_with_next = True
    _tag(doc, '{%p elif served.method == "in-person" %}')
    _p(doc, "SERVED IN PERSON", font=SANS, size=9, bold=True,
       after=4).paragraph_format.keep_with_next = True
    _tag(doc, "{%p endif %}")
    _facts(doc, [
        ("Date of notice", "{{ doc.issued_date }}", "Case number", "{{ case.number }}"),
        ("Property", "{{ case.property_address }}", "Parcel", "{{ case.parcel_id }}"),
        ("Issuing officer", "{{ officer.name }}, Badge No. {{ officer.badge }}", "Service",
         "{{ service }}"),
    ])
    _address(doc, "{{ recipient.name }}", "recipient.address_lines",
             "Notified as: {{ recipient.role_label }}")
    _p(doc, "Dear {{ recipient.name }}:")
    _p(doc, "An officer of the {{ agency.name }} inspected the property at "
            "**{{ case.property_address }}** and found the "
            '{{ "condition" | plural(violations | length) }} listed below, which '
            f'{{{{ "violate" if {_MANY} else "violates" }}}} the {{{{ code_name }}}}. '
            "{% if recipient.copy_only %}You are receiving a copy of this notice because the "
            "City's records name you as the {{ recipient.role_noun }} of this property"
            "{% if recipient.role_detail %} ({{ recipient.role_detail }}){% endif %}. The notice "
            "requires the property's responsible parties to correct the "
            '{{ "violation" | plural(violations | length) }}; it asks nothing of you, and it is '
            "sent so that you know of it and may protect your interest in the property."
            "{% else %}You are receiving this notice as the {{ recipient.role_noun }} named in "
            "the City's records{% if recipient.role_detail %} ({{ recipient.role_detail }})"
            "{% endif %}. The City's goal is voluntary compliance: please correct "
            f'{{{{ "each violation" if {_MANY} else "the violation" }}}} by its deadline.'
            "{% endif %}")

    def deadline(cell: _Cell) -> None:
        _p(cell, "{% if to_correct == 0 %}This notice orders nothing yet: the "
                 f'{{{{ "violations await" if {_MANY} else "violation awaits" }}}} a public '
                 "hearing (see “Public hearing” below).{% elif hearing_cited %}"
                 '{{ "The responsible parties must correct" if recipient.copy_only else '
                 '"Correct" }} {{ "the violation" if to_correct == 1 else "each violation" }} not '
                 "awaiting the public hearing {{ deadline }}.{% else %}"
                 "{% if recipient.copy_only %}The responsible parties must correct{% else %}"
                 f'Correct{{% endif %}} {{{{ "all violations" if {_MANY} else "the violation" }}}}'
                 " {{ deadline }}.{% endif %}", font=SANS, size=12, bold=True, after=2)
        _p(cell, f"{{% if {_MANY} %}}Each violation's own deadline is listed below; this is "
                 "the earliest of them. {% endif %}{% if presumed %}Deadlines count from the day "
                 "this notice is received; the dates shown assume it arrives by {{ presumed }} "
                 "({{ service }}).{% else %}Deadlines are counted from the date this notice is "
                 "served ({{ service }}).{% endif %}", size=8.5, after=0)

    _callout(doc, deadline)
    _section_heading(doc, "Violations found")

    def due(cell: _Cell) -> None:
        _p(cell, "**{{ v.deadline_label }}**", size=9.5, after=1)
        _p(cell, "{{ v.deadline }}", size=9.5, after=0)

    _grid(doc, ("No.", "Violation and code reference", "What the officer observed",
                "What you must do", "Deadline"), (0.35, 1.85, 1.8, 1.45, 1.05),
          "v in violations", (_number_cell, _violation_cell,
                              lambda c: _described_cell(c, photos=True), _action_cell, due))

    _tag(doc, "{%p if hearing_cited %}")
    _section_heading(doc, "Public hearing")
    _p(doc, '{{ hearing_cited.violations | join("; ") }}: this notice does not order the '
            "building repaired or demolished, and sets no deadline for it. Under Local "
            "Government Code § 214.001 and the {{ code_name }}, only the {{ hearing_cited.body }}"
            ", after notice and a public hearing, may order the building "
            "{{ hearing_cited.may_order }}.")
    _p(doc, "{% if hearing_cited.scheduled %}The hearing is set for "
            "**{{ hearing_cited.scheduled }}**; the notice of public hearing gives its place."
            "{% else %}The City will send you a separate notice of public hearing, at least "
            "{{ hearing_cited.notice_days }} days before the hearing, giving its date, time and "
            "place.{% endif %} At the hearing you have the right to be heard and to present "
            "evidence.")
    _tag(doc, "{%p endif %}")

    _section_heading(doc, f'If the {{{{ "violations are" if {_MANY} else "violation is" }}}} '
                          "not corrected")
    _p(doc, f'If the {{{{ "violations are" if {_MANY} else "violation is" }}}} not corrected by '
            "the deadline, the officer will follow up in "
            "person and the City may take the following enforcement actions (Tom Bean Police "
            "Department directive III.C):")
    _tag(doc, "{%p for level in levels %}")
    _p(doc, "{{ level }}", style="List Number")
    _tag(doc, "{%p endfor %}")
    _p(doc, "A citation may carry a fine set by the Municipal Court for each violation, and each "
            "day a violation continues may be a separate offense.", before=4)

    _tag(doc, "{%p if not recipient.copy_only %}")
    _section_heading(doc, "Need more time? Voluntary compliance agreement")
    _p(doc, "If you agree that the violation"
            f'{{{{ "s exist" if {_MANY} else " exists" }}}} and need more time to correct '
            f'{{{{ "them" if {_MANY} else "it" }}}}, you may ask for a '
            "**voluntary compliance agreement**. You must appear before the {{ chief.title }}, "
            "{{ chief.name }}, and make your request for an extension before your deadline "
            "(directive VIII.C.2). The agreement sets a new, limited date for each correction. "
            "It is not available for repeat violations or where an earlier violation was not "
            "corrected. Call {{ officer.name }} to make an appointment.")
    _tag(doc, "{%p endif %}")

    _section_heading(doc, "Questions")
    _p(doc, "Contact the issuing officer: **{{ officer.name }}**, {{ officer.title }}, Badge No. "
            "{{ officer.badge }} · {{ officer.phone }} · {{ officer.email }}. Please have your "
            "case number ({{ case.number }}) ready.")

    _signatures(doc, ("{{ officer.name }}, {{ officer.title }} · Badge No. {{ officer.badge }}",
                      "Date"))
    _p(doc, "Enclosed: Appendix A — text of the ordinances cited"
            '{% if violations | selectattr("photos") | list %}; Appendix B — photographs of the '
            "violations{% endif %}.", size=8.5, color=GREY, before=10)
    _appendix_ordinances(doc)
    _appendix_photos(doc)
    return doc


def voluntary_compliance_agreement() -> DocumentObject:
    """vca.html: directive VIII.C.2, the party admits the violations and the Chief extends the
    deadline in a signed agreement."""
    doc = _new_document("Voluntary Compliance Agreement")
    _letterhead(doc)
    _p(doc, "Voluntary Compliance Agreement", style="Title")
    _facts(doc, [
        ("Date of agreement", "{{ doc.issued_date }}", "Case number", "{{ case.number }}"),
        ("Property", "{{ case.property_address }}", "Parcel", "{{ case.parcel_id }}"),
        ("Officer", "{{ officer.name }}, Badge No. {{ officer.badge }}", "New deadline",
         "{{ extended_until[:1] | upper }}{{ extended_until[1:] }}"),
    ])

    _section_heading(doc, "Parties")
    line = (0.8, "999999")
    parties = _table(doc, (TEXT_WIDTH / 2, TEXT_WIDTH / 2),
                     borders={e: line for e in ("top", "left", "bottom", "right", "insideV")},
                     margins=(5, 8))
    party, city = _row(parties)
    _p(party, "Responsible party", font=SANS, size=8.5, bold=True, color=GREY, caps=True,
       after=1)
    _p(party, "**{{ recipient.name }}**", after=0)
    _tag(party, "{%p for line in recipient.address_lines %}")
    _p(party, "{{ line }}", after=0)
    _tag(party, "{%p endfor %}")
    _p(party, "Responsible as: {{ recipient.role_label }}", size=8.5, color=GREY, after=0)
    _p(city, "The City", font=SANS, size=8.5, bold=True, color=GREY, caps=True, after=1)
    _p(city, "**{{ agency.department }}**, acting through the {{ agency.name }}, "
             "{{ agency.division }}", after=0)
    _p(city, '{{ agency.address_lines | join(", ") }}', after=0)
    _p(doc, "", after=0, size=4)
    _p(doc, 'In this agreement, "you" means the responsible party named above and "the City" '
            "means the {{ agency.department }}.")

    _section_heading(doc, "Background")
    _numbered(doc, [
        "On {{ nov_date }}, the City issued a Notice of Violation to you for the property at "
        "{{ case.property_address }}, which set a deadline to correct the "
        f'violation{{{{ "s" if {_MANY} }}}} listed below.',
        "On {{ request_date }}, you appeared before the {{ chief.title }}, {{ chief.name }}, "
        f'admitted the violation{{{{ "s" if {_MANY} }}}} and asked for more time to '
        f'correct {{{{ "them" if {_MANY} else "it" }}}}.',
        "The City's policy is to encourage voluntary compliance, and it may extend a deadline "
        "for a limited time when the person responsible admits the violation and enters into a "
        "written agreement (Tom Bean Police Department directive VIII.C.2).",
    ])

    _section_heading(doc, "1. Your admission")
    _p(doc, "You admit that, when the Notice of Violation was issued, the following "
            f'condition{{{{ "s" if {_MANY} }}}} existed on the property and violated the '
            "{{ code_name }}:")

    def offense(cell: _Cell) -> None:
        _p(cell, "**{{ v.title }}**", size=9.5, after=1)
        _p(cell, "{{ v.citation }}", font=SANS, size=8.5, color=NAVY, after=0)

    _grid(doc, ("No.", "Violation and code reference", "What the officer observed"),
          (0.35, 2.1, 4.05), "v in violations",
          (_number_cell, offense, lambda c: _described_cell(c, photos=False)))

    _section_heading(doc, "2. What you agree to do, and by when")

    def action(cell: _Cell) -> None:
        _p(cell, "**{{ v.title }}**", size=9.5, after=2)
        _action_cell(cell)

    def complete(cell: _Cell) -> None:
        _p(cell, "**{{ extended_until }}**", size=9.5, after=0)

    _grid(doc, ("No.", "Corrective action", "Complete"), (0.35, 4.45, 1.7), "v in violations",
          (_number_cell, action, complete))

    _section_heading(doc, "3. Terms")
    _numbered(doc, [
        "**Extension.** The City extends the deadline to correct each violation listed above to "
        "the date shown for it. That date replaces the deadline in the Notice of Violation and "
        "any time limit stated in the corrective action. All other requirements of the "
        "{{ code_name }} continue to apply.",
        "**No penalty if you finish on time.** If every corrective action above is completed by "
        "its date, the City will not seek a penalty for the "
        f'violation{{{{ "s" if {_MANY} }}}} listed in this agreement.',
        "**If you do not finish on time.** If any corrective action is not completed by its "
        "date, this extension ends and enforcement resumes at the stage it had reached when "
        "this agreement was signed, without further notice to you. The City may then issue a "
        "citation into the Municipal Court (directive VIII.D) and take any other enforcement "
        "action the {{ code_name }} allows.",
        "**Future violations are not excused.** This agreement covers only the "
        f'violation{{{{ "s" if {_MANY} }}}} listed above. It does not permit or excuse any '
        "future violation, on this property or elsewhere. A repeat violation does not qualify "
        "for voluntary compliance without penalty (directive VIII.C.1).",
        "**Questions and progress.** Contact {{ officer.name }}, {{ officer.title }}, Badge No. "
        "{{ officer.badge }}, at {{ officer.phone }} or {{ officer.email }}, about this "
        "agreement or when the work is done.",
    ])

    _p(doc, "By signing, each party agrees to the terms above. Sign and date below.", before=10,
       keep=True)
    for label, signer in (
        ("Responsible party", "Signature · {{ recipient.name }}"),
        ("For the {{ agency.department }}",
         "Signature · {{ chief.name }}, {{ chief.title }}"),
        ("Witness and City contact",
         "Signature · {{ officer.name }}, {{ officer.title }} · Badge No. {{ officer.badge }}"),
    ):
        _p(doc, label, font=SANS, size=8.5, bold=True, color=GREY, caps=True, before=8, after=0,
           keep=True)
        _signatures(doc, (signer, "Date"), before=0, widths=(TEXT_WIDTH - 2.15, 1.8))
    _p(doc, "Enclosed: Appendix A — text of the ordinances cited. Each party receives a signed "
            "copy; the original is kept in the case file.", size=8.5, color=GREY, before=10)
    _appendix_ordinances(doc)
    return doc


def citation() -> DocumentObject:
    """citation.html: directive VIII.D.3, the last resort, a boxed court form."""
    doc = _new_document("Citation")
    head = _table(doc, (1.0, 4.45, 1.05), borders={e: (2, "111111") for e in
                                                   ("top", "left", "bottom", "right")},
                  margins=(4, 6))
    seal, title, verify = _row(head)
    for cell in (seal, title, verify):
        cell.vertical_alignment = 1  # center
    _p(seal, "{{ seal_image }}", after=0)
    _p(title, "Citation — Municipal Court", font=SANS, size=20, bold=True, caps=True, after=1)
    _p(title, "{{ court.name }}", font=SANS, size=13, bold=True, color=NAVY, after=1)
    _p(title, "{{ agency.department }} · {{ agency.name }} · {{ agency.division }}", font=SANS,
       size=8.5, color=GREY, after=0)
    _p(verify, "{{ qr_image }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _p(verify, "Scan to verify", font=SANS, size=6.5, color=GREY,
       align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _tag(doc, "{%p if doc.draft %}")
    _p(doc, "DRAFT — NOT FOR SERVICE", font=SANS, size=14, bold=True,
       color=RGBColor(0xC0, 0x00, 0x00), align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
    _tag(doc, "{%p endif %}")
    _p(doc, "", after=0, size=4)

    _form(doc, [[(2.6, "Citation number", "{{ doc.id }}"),
                 (2.2, "Date and time issued", "{{ doc.issued }}"),
                 (1.7, "Case number", "{{ case.number }}")]])
    _bar(doc, "Defendant")
    _form(doc, [[(3.25, "Name", "{{ recipient.name }}", 12),
                 (3.25, "Responsible as", "{{ recipient.role_label }}")],
                [(6.5, "Mailing address", '{{ recipient.address_lines | join(", ") }}')]])
    _bar(doc, "Location of offense")
    _form(doc, [[(3.25, "Property address", "{{ case.property_address }}"),
                 (3.25, "Parcel", "{{ case.parcel_id }}")]])
    _bar(doc, f'Offense{{{{ "s" if {_MANY} }}}} charged — {{{{ code_name }}}}')

    box = (0.9, "111111")
    offenses = _table(doc, (0.3, 1.55, 1.05, 1.2, 2.4),
                      borders={e: box for e in ("top", "left", "bottom", "right", "insideH",
                                                "insideV")}, margins=(2, 5))
    for cell, text in zip(_row(offenses, header=True),
                          ("No.", "Ordinance and offense", "Date of offense",
                           "Location on the property", "Description"), strict=True):
        _shade(cell, "E5E7EB")
        _p(cell, text, font=SANS, size=7.5, bold=True, caps=True, after=0)
    _loop_row(offenses, "{%tr for v in violations %}")
    number, ordinance, observed, location, description = _row(offenses)
    small = {"font": SANS, "size": 9, "after": 0}
    _p(number, "{{ v.number }}", **small)
    _p(ordinance, "**{{ v.citation }}**", **small)
    _p(ordinance, "{{ v.title }}", **small)
    _p(observed, "{{ offense_on }}", **small)
    _p(observed, "found uncorrected at the follow-up inspection after the compliance date of "
                 "{{ compliance_date }}; first observed {{ v.observed }}", font=SANS, size=7.5,
       after=0)
    _p(location, "{{ v.location }}", **small)
    _paragraphs(description, "v.description", font=SANS, size=9, after=3)
    _tag(description, "{%p if v.fine is not none %}")
    _p(description, "**Fine range: {{ v.fine }}**", font=SANS, size=9, before=3, after=0)
    _tag(description, "{%p endif %}")
    _loop_row(offenses, "{%tr endfor %}")

    _bar(doc, "Issuing officer")
    _form(doc, [[(1.45, "Name", "{{ officer.name }}"), (0.75, "Badge No.", "{{ officer.badge }}"),
                 (1.75, "Title", "{{ officer.title }}", 9), (2.55, "Officer's signature", "")]])

    appear = _table(doc, (TEXT_WIDTH,), borders={e: (2.2, "111111") for e in
                                                 ("top", "left", "bottom", "right")},
                    margins=(4, 8))
    cell = _row(appear)[0]
    _p(cell, "You must appear in court", font=SANS, size=13, bold=True, caps=True, after=2)
    inner = _table(cell, (3.1, 3.1), margins=(2, 0))
    when, where = _row(inner)
    _field_pair(when, "Date and time", "{{ appearance }}", 12)
    _field_pair(where, "Court", "{{ court.name }}")
    _p(where, '{{ court_lines | join(", ") }}', font=SANS, size=9.5, after=0)
    phone, hours = _row(inner)
    _field_pair(phone, "Court telephone", "{{ court.phone }}")
    _field_pair(hours, "Court clerk's office hours", "{{ court.hours }}")
    _p(cell, "", after=0, size=2)
    _p(doc, "", after=0, size=6)

    closing = _table(doc, (2.85, 3.65), borders={e: box for e in
                                                ("top", "left", "bottom", "right", "insideV")},
                     margins=(0, 6))
    promise, options = _row(closing)
    _bar(promise, "Promise to appear")
    _p(promise, "I promise to appear in the {{ court.name }} at the date, time and place stated "
                "above. **Signing this citation is not an admission of guilt.**", font=SANS,
       size=9.5)
    _p(promise, "", size=18, after=0)
    _p(promise, "Defendant's signature", font=SANS, size=8, color=GREY,
       after=0).paragraph_format.keep_together = True
    _border(promise.paragraphs[-2]._p.get_or_add_pPr(), "w:pBdr", {"bottom": (0.8, "111111")})
    _p(promise, "", size=18, after=0)
    _border(promise.paragraphs[-1]._p.get_or_add_pPr(), "w:pBdr", {"bottom": (0.8, "111111")})
    _p(promise, "Date", font=SANS, size=8, color=GREY, after=4)
    _bar(options, "Notice to the defendant")
    _p(options, "At or before the appearance date you may plead **guilty**, **no contest**, or "
                "**not guilty**. If you plead not guilty, the court will set your case for "
                "trial. Call the court at {{ court.phone }} ({{ court.hours }}) with questions "
                "about your plea, payment, or other options; the court, not the officer, decides "
                "them. **Failure to appear may result in additional charges or a warrant for "
                "your arrest.**", font=SANS, size=9)
    _p(options, f'Questions about the violation{{{{ "s" if {_MANY} }}}}: {{{{ officer.name }}}}, '
                "Badge No. {{ officer.badge }}, {{ officer.phone }}, {{ officer.email }}.",
       font=SANS, size=8.5, color=GREY, after=4)
    _p(doc, "", after=0, size=2)   # Word wants a paragraph after a closing table
    return doc


def notice_of_resolution() -> DocumentObject:
    """closure.html: directive XIII.C, the complainant learns how the file was closed, with the
    six-month follow-up of XIII.D. Never names a responsible party."""
    doc = _new_document("Notice of Resolution")
    _letterhead(doc)
    _p(doc, "Notice of Resolution", style="Title")
    _facts(doc, [
        ("Date", "{{ doc.issued_date }}", "Case number", "{{ case.number }}"),
        ("Property", "{{ case.property_address }}", "File closed", "{{ closed }}"),
    ])
    _p(doc, "**{{ complainant_name }}**", after=0, before=6)
    _tag(doc, "{%p if complainant_lines %}")
    _tag(doc, "{%p for line in complainant_lines %}")
    _p(doc, "{{ line }}", after=0)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p else %}")
    _p(doc, "By email: {{ complainant_email }}", after=0)
    _tag(doc, "{%p endif %}")
    _p(doc, "", after=4)

    _p(doc, "**Re: Your complaint about {{ case.property_address }} — Case {{ case.number }}**")
    _p(doc, "Dear {{ complainant_name }}:")
    _p(doc, "Thank you for bringing your concern to the City's attention. On "
            "{{ complaint_received }}, the {{ agency.name }} received your complaint about the "
            "property at {{ case.property_address }} ({{ complaint_type }}). An officer "
            "investigated it as case {{ case.number }}. This letter tells you how the complaint "
            "was resolved.")
    _section_heading(doc, "How the complaint was resolved")
    _p(doc, "**{{ reason }}**")
    _paragraphs(doc, "resolution")
    _p(doc, "The case file was closed on {{ closed }}.")
    _tag(doc, "{%p if follow_up is not none %}")
    _section_heading(doc, "Follow-up inspection")
    _p(doc, "Because of the circumstances of this case, an officer will inspect the property "
            "again on or about **{{ follow_up }}** to make sure the problem has not come back.")
    _tag(doc, "{%p endif %}")
    _section_heading(doc, "Questions")
    _p(doc, "If you have questions about this case, or if you see the problem again, please "
            "contact **{{ officer.name }}**, {{ officer.title }}, Badge No. {{ officer.badge }} · "
            "{{ officer.phone }} · {{ officer.email }}. Please mention case number "
            "{{ case.number }}.")
    _p(doc, "Thank you again for helping keep the {{ agency.department }} safe and clean.")
    _p(doc, "Sincerely,", before=10, keep=True)
    _signatures(doc, ("{{ officer.name }}, {{ officer.title }} · Badge No. {{ officer.badge }}",
                      ""), before=4)
    return doc


DOCUMENTS: dict[str, Callable[[], DocumentObject]] = {
    "nov.docx": notice_of_violation,
    "vca.docx": voluntary_compliance_agreement,
    "citation.docx": citation,
    "closure.docx": notice_of_resolution,
}


def _stable_zip(data: bytes) -> bytes:
    """Same entries, same order, fixed timestamps: the file changes only when the XML does."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def main(argv: Sequence[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    output.mkdir(parents=True, exist_ok=True)
    for name, build in DOCUMENTS.items():
        buffer = io.BytesIO()
        build().save(buffer)
        (output / name).write_bytes(_stable_zip(buffer.getvalue()))
        print(output / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
