"""Editable DOCX: same words as the PDFs, hostile text kept literal, missing facts refused."""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pypdf
import pytest
import yaml
from conftest import REPO, case_data
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from noticegen.cases import Case, read_case
from noticegen.project import Project
from noticegen.render import RenderedDocument, Renderer, TemplateError, renderer
from noticegen.render.context import DocumentView
from noticegen.render.docx import render_docx
from noticegen.rules.deadlines import long_date, six_month_follow_up
from noticegen.source import _Loader

ISSUED = datetime(2026, 11, 25, 10, 0)
CASES = REPO / "examples" / "cases"
HOSTILE = "<script>alert(1)</script> & {{ 7*7 }} {% if %}"


# --------------------------------------------------------------------------- helpers

@pytest.fixture
def r(repo_project: Project, tmp_path_factory: pytest.TempPathFactory,
      monkeypatch: pytest.MonkeyPatch) -> Renderer:
    monkeypatch.setenv("NOTICEGEN_HMAC_KEY", "test-key-not-secret")
    return renderer(repo_project, tmp_path_factory.getbasetemp() / "photo-cache")


def example(number: str) -> Case:
    case, _, problems = read_case(CASES / f"{number}.yaml")
    assert case is not None, problems
    return case


def edited(number: str, change: Callable[[dict], object]) -> Case:
    """An example case file, changed in code before it is checked."""
    data = yaml.load((CASES / f"{number}.yaml").read_text(encoding="utf-8"), Loader=_Loader)
    change(data)
    return Case.model_validate(data, context={"base": CASES})


def vca_pending() -> Case:
    """CE-2026-0171 just before the agreement was signed: the request is on file, no VCA yet."""
    def drop_agreement(data: dict) -> None:
        assert data["history"][-1]["action"] == "vca"
        data["history"].pop()
    return edited("CE-2026-0171", drop_agreement)


def two_charges() -> Case:
    """CE-2026-0141 with a second violation observed, so the citation speaks in plurals."""
    def add(data: dict) -> None:
        second = {**data["violations"][0], "id": "alley", "photos": [],
                  "location": "Strip along the alley",
                  "description": "Weeds along the alley.\n\nAbout 30 inches tall."}
        data["violations"].append(second)
    return edited("CE-2026-0141", add)


def by_email() -> Case:
    """CE-2026-0182 where the complainant gave only an email address."""
    def email_only(data: dict) -> None:
        data["complainant"].pop("mailing_address")
        data["complainant"]["email"] = "cbeasley@example.com"
        data["closure"]["extenuating_circumstances"] = False
    return edited("CE-2026-0182", email_only)


def _blocks(container) -> Iterator[Paragraph]:
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    yield from _blocks(cell)
        else:
            yield block


@dataclass
class Docx:
    body: list[str]
    """Body paragraphs, table cells included, in reading order."""
    footer: list[str]
    header: list[str]
    document_xml: bytes

    @classmethod
    def of(cls, content: bytes) -> Docx:
        doc = Document(io.BytesIO(content))
        section = doc.sections[0]
        footers = [p.text for f in (section.first_page_footer, section.footer)
                   for p in f.paragraphs]
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            xml = z.read("word/document.xml")
        return cls([p.text for p in _blocks(doc)], footers,
                   [p.text for p in section.header.paragraphs], xml)

    @property
    def text(self) -> str:
        return "\n".join(self.body + self.header + self.footer)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def squash(text: str) -> str:
    """Compare text, not layout: line wrapping, spacing and CSS capitals differ by design."""
    return re.sub(r"\s+", "", text).casefold()


def both(doc_type: str, r: Renderer, case: Case, recipient: str | None
         ) -> tuple[RenderedDocument, RenderedDocument]:
    pdf = r.render(doc_type, case, ISSUED, recipient=recipient, fmt="pdf")
    docx = r.render(doc_type, case, ISSUED, recipient=recipient, fmt="docx")
    return pdf, docx


def facts(doc_type: str, r: Renderer, case: Case, recipient: str | None,
          rendered: RenderedDocument) -> list[str]:
    """What both versions must state, worked out from the case and settings, not the context."""
    settings, catalog = r.project.settings, r.project.catalog
    officer = settings.officer(case.officer)
    found = [case.case_number, case.property.address.one_line(), officer.name,
             f"Badge No. {officer.badge}", rendered.document_id]
    if doc_type == "closure":
        closure, complainant = case.closure, case.complainant
        assert closure is not None and complainant is not None and complainant.name
        found += [complainant.name, closure.resolution, long_date(closure.on),
                  "corrected the violation voluntarily"]
        if complainant.mailing_address:
            found += complainant.mailing_address.printed
        else:
            found.append(f"By email: {complainant.email}")
        if closure.extenuating_circumstances:
            found.append(long_date(six_month_follow_up(closure.on)))
        return found
    party = case.party(recipient or case.responsible_parties[0].id)
    found += [party.name, *party.mailing_address.printed]
    for v in case.violations:
        section = catalog.ordinance(v.ordinance)
        found += [section.citation, section.title]
        if doc_type == "nov" and section.hearing_required:  # awaits its public hearing
            found.append("Nothing is ordered by this notice.")
        else:
            found.append(v.description if doc_type == "citation" else v.corrective_action)
    assert rendered.deadline
    found.append(rendered.deadline.wording.removeprefix("appear "))
    if rendered.deadline.on:  # the date the record acts on is the date printed
        assert long_date(rendered.deadline.on) in rendered.deadline.wording
    return found


# --------------------------------------------------------------------------- (a) in step

STEPS = [
    ("nov", lambda: example("CE-2026-0141"), "owner"),
    ("nov", lambda: example("CE-2026-0166"), "owner"),      # four violations, six photos
    ("nov", lambda: example("CE-2026-0148"), "tenant"),     # one of three parties
    ("vca", vca_pending, "owner"),
    ("citation", lambda: example("CE-2026-0141"), "owner"),
    ("citation", two_charges, "owner"),
    ("closure", lambda: example("CE-2026-0182"), None),     # with the six-month follow-up
    ("closure", by_email, None),
]


@pytest.mark.parametrize(("doc_type", "make_case", "recipient"), STEPS,
                         ids=[f"{s[0]}-{i}" for i, s in enumerate(STEPS)])
def test_docx_says_what_the_pdf_says(doc_type: str, make_case, recipient: str | None,
                                     r: Renderer) -> None:
    case = make_case()
    pdf, docx = both(doc_type, r, case, recipient)
    assert (pdf.document_id, pdf.deadline) == (docx.document_id, docx.deadline)
    words, printed = Docx.of(docx.content), pdf_text(pdf.content)

    for fact in facts(doc_type, r, case, recipient, docx):
        assert squash(fact) in squash(words.text), f"the DOCX lacks {fact!r}"
        assert squash(fact) in squash(printed), f"the PDF lacks {fact!r}"

    # Every paragraph of the Word version is in the PDF, word for word ...
    missing = [p for p in words.body if squash(p) and squash(p) not in squash(printed)]
    assert missing == [], f"DOCX paragraphs the PDF does not have: {missing}"
    # ... and every line of the PDF is in the Word version (list numbers and page numbers are
    # drawn by the PDF but are fields and list formatting in Word).
    lines = re.sub(r"Page \d+ of \d+", "Page of", printed).splitlines()
    extra = [line for line in lines
             if squash(line) and squash(re.sub(r"^\d+\.\s+", "", line)) not in squash(words.text)]
    assert extra == [], f"PDF lines the DOCX does not have: {extra}"

    if doc_type != "closure" and case.complainant and case.complainant.name:
        assert case.complainant.name not in words.text  # directive V.A.3

    doc_line = (f"Document {docx.document_id} · Template {docx.template_id} "
                f"v{docx.template_version} · Case {case.case_number} · "
                f"{case.property.address.one_line()}")
    assert all(line.startswith(doc_line + "\tPage ") for line in words.footer), words.footer
    assert squash(doc_line) in squash(printed)


def test_nov_docx_carries_seal_qr_and_every_photo(r: Renderer) -> None:
    case = example("CE-2026-0141")
    content = r.render("nov", case, ISSUED, recipient="owner", fmt="docx").content
    photos = sum(len(v.photos) for v in case.violations)
    assert photos
    assert Docx.of(content).document_xml.count(b"<w:drawing>") == 2 + photos
    for n in range(1, photos + 1):
        assert f"Photo {n} — taken" in Docx.of(content).text


def test_a_draft_says_so_in_both(r: Renderer) -> None:
    case = example("CE-2026-0182")
    pdf = r.render("closure", case, ISSUED, fmt="pdf", draft=True)
    docx = r.render("closure", case, ISSUED, fmt="docx", draft=True)
    assert "DRAFT — NOT FOR SERVICE" in pdf_text(pdf.content)
    assert "DRAFT — NOT FOR SERVICE" in Docx.of(docx.content).body
    final = r.render("closure", case, ISSUED, fmt="docx")
    assert "DRAFT — NOT FOR SERVICE" not in Docx.of(final.content).text


def test_docx_is_reproducible(r: Renderer) -> None:
    """Same case, same issue time: same bytes, so a re-render can be checked against the record."""
    case = example("CE-2026-0182")
    first = r.render("closure", case, ISSUED, fmt="docx")
    again = r.render("closure", case, ISSUED, fmt="docx")
    assert first.sha256 == again.sha256


# --------------------------------------------------------------------------- (b) hostile text

def test_hostile_text_renders_literally(r: Renderer, project_root: Path) -> None:
    data = case_data()
    data["property"]["address"]["lines"] = [f"512 N Britton St {HOSTILE}"]
    violation = data["violations"][0]
    violation["description"] = HOSTILE
    # A blank line starts a new paragraph; a single line break is just a space (as in the PDF).
    violation["corrective_action"] = "Mow the yard\nto under 12 inches.\n\nHaul off the clippings."
    case = Case.model_validate(data, context={"base": project_root / "cases"})
    content = r.render("nov", case, ISSUED, fmt="docx").content

    words = Docx.of(content)
    assert HOSTILE in words.body
    assert "Mow the yard to under 12 inches." in words.body
    assert "Haul off the clippings." in words.body
    assert all(f"512 N Britton St {HOSTILE}" in line for line in words.footer + words.header)
    assert "alert(1)</script> & 49" not in words.text
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                etree.fromstring(z.read(name))  # strict: raises if not well-formed
        assert b"<script>" not in z.read("word/document.xml")


def test_control_characters_fail_closed(project_root: Path) -> None:
    """XML cannot hold them and docxtpl would quietly drop the text: the case is refused."""
    from pydantic import ValidationError

    data = case_data()
    data["violations"][0]["description"] = "Grass \x01 18 inches tall"
    with pytest.raises(ValidationError, match="control character"):
        Case.model_validate(data, context={"base": project_root / "cases"})


# --------------------------------------------------------------------------- (c) fail closed

def _tiny(path: Path, *paragraphs: str) -> Path:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph().add_run(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


@pytest.mark.parametrize(("paragraphs", "message"), [
    (["Dear {{ nope }}:"], r"template docx/tiny\.docx: 'nope' is undefined"),
    (["{{ case.nope }}"], r"template docx/tiny\.docx: .*'nope'"),
    (["{%p if case %}", "x"], r"template docx/tiny\.docx: .*(end of template|endif)"),
    (["{{ case.__class__ }}"], r"template docx/tiny\.docx: .*__class__"),
], ids=["undefined", "undefined-attribute", "unclosed-block", "sandbox"])
def test_template_mistakes_raise_template_error(tmp_path: Path, paragraphs: list[str],
                                                message: str) -> None:
    template = _tiny(tmp_path / "docx" / "tiny.docx", *paragraphs)
    with pytest.raises(TemplateError, match=message):
        render_docx(template, {"case": {"number": "CE-2026-0001"}})


def _view(**changes: object) -> DocumentView:
    fields = {f.name: "x" for f in dataclasses.fields(DocumentView)}
    return DocumentView(**{**fields, "template_version": 1, "draft": False, "copy_label": None,
                           "verify_url": "https://verify.example/d/X?sig=0",
                           "issued_iso": "2026-11-25T10:00:00-06:00", **changes})


@pytest.mark.parametrize("text", ["{{ qr_image.tpl }}", "{{ qr_image._image.tpl }}",
                                  "{{ 'x' | picture }}"])
def test_images_give_templates_nothing_to_reach(tmp_path: Path, text: str) -> None:
    """docxtpl's InlineImage carries the template object; a template must not get at it."""
    template = _tiny(tmp_path / "docx" / "tiny.docx", text)
    with pytest.raises(TemplateError, match=r"template docx/tiny\.docx: "):
        render_docx(template, {"doc": _view()})


def test_qr_image_renders_for_a_document_view(tmp_path: Path) -> None:
    template = _tiny(tmp_path / "docx" / "tiny.docx", "{{ qr_image }}", "{{ doc.id }}")
    content = render_docx(template, {"doc": _view(id="CE-2026-0001-NOV-ABC")})
    assert Docx.of(content).document_xml.count(b"<w:drawing>") == 1
    assert "CE-2026-0001-NOV-ABC" in Docx.of(content).body


def test_missing_template_is_named(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"docx/gone\.docx not found"):
        render_docx(tmp_path / "docx" / "gone.docx", {})


def test_committed_templates_match_the_script(tmp_path: Path) -> None:
    """templates/docx/*.docx are built by scripts/make_docx_templates.py; edit the script."""
    spec = importlib.util.spec_from_file_location(
        "make_docx_templates", REPO / "scripts" / "make_docx_templates.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.main(["make_docx_templates.py", str(tmp_path)])
    for name in script.DOCUMENTS:
        committed = (REPO / "templates" / "docx" / name).read_bytes()
        assert (tmp_path / name).read_bytes() == committed, (
            f"templates/docx/{name} is out of date: run scripts/make_docx_templates.py")
