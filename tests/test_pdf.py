"""The PDF machinery fails closed: undefined facts, foreign URLs and bad CSS stop a render."""

from __future__ import annotations

import io
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from noticegen.project import load_project
from noticegen.render import RenderError, TemplateError, renderer
from noticegen.render.pdf import environment, render_html, write_pdf

ISSUED = datetime(2026, 11, 25, 10, 0)


def test_undefined_variable_names_template_line_and_variable(tmp_path: Path):
    (tmp_path / "letter.html").write_text("<p>Dear {{ recipient.name }},</p>\n<p>{{ fine }}</p>")
    env = environment(tmp_path)
    with pytest.raises(TemplateError) as caught:
        render_html(env, "letter.html", {"recipient": {"name": "José Muñoz"}})
    assert "template letter.html, line 2: 'fine' is undefined" in str(caught.value)


def test_case_data_is_escaped(tmp_path: Path):
    (tmp_path / "t.html").write_text("<p>{{ text }}</p>")
    html = render_html(environment(tmp_path), "t.html", {"text": "<b>&{{ x }}</b>"})
    assert "&lt;b&gt;&amp;{{ x }}&lt;/b&gt;" in html


def test_templates_cannot_reach_python(tmp_path: Path):
    (tmp_path / "t.html").write_text("{{ x.__class__.__mro__ }}")
    with pytest.raises(Exception, match=r"unsafe|not safely"):
        render_html(environment(tmp_path), "t.html", {"x": 1})


@pytest.mark.parametrize("url", ["https://example.com/x.png", "file:///etc/passwd",
                                 "photo:../../etc/passwd"])
def test_documents_fetch_nothing_from_outside(tmp_path: Path, url: str):
    html = f'<html><body><img src="{url}"></body></html>'
    with pytest.raises(RenderError):
        write_pdf(html, tmp_path, [tmp_path / "assets"], 0)


def test_bad_css_is_an_error_not_a_warning(tmp_path: Path):
    html = "<html><head><style>p { colour: red; }</style></head><body><p>x</p></body></html>"
    with pytest.raises(RenderError, match="laid out with problems"):
        write_pdf(html, tmp_path, [], 0)


def test_same_inputs_same_bytes(repo_project, tmp_path: Path):
    from conftest import REPO

    project = load_project(REPO, [REPO / "examples" / "cases" / "CE-2026-0141.yaml"])
    case = next(iter(project.cases.values()))
    first = renderer(project, tmp_path / "a").render("nov", case, ISSUED)
    second = renderer(project, tmp_path / "b").render("nov", case, ISSUED)
    assert first.document_id == second.document_id
    assert first.sha256 == second.sha256


def test_a_template_change_that_breaks_a_fact_is_refused(tmp_path: Path):
    from conftest import REPO

    root = tmp_path / "project"
    for folder in ("ordinances", "config", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    nov = root / "templates" / "nov.html"
    nov.write_text(nov.read_text().replace("{{ officer.badge }}", "{{ officer.badge_number }}",
                                           1))
    project = load_project(root, [REPO / "examples" / "cases" / "CE-2026-0141.yaml"])
    case = next(iter(project.cases.values()))
    with pytest.raises(TemplateError, match=r"nov\.html, line .*badge_number"):
        # a draft: an edited template is not approved, but drafts are strict about facts too
        renderer(project, tmp_path / "cache").render("nov", case, ISSUED, draft=True)


def _plain_weasyprint(html: str, base: Path, allowed: list[Path],
                      photos: Path | None = None) -> bytes:
    """The document as WeasyPrint makes it, reading its own <link> and <style> sheets."""
    from weasyprint import HTML

    from noticegen.render.pdf import LocalFetcher

    return HTML(string=html, base_url=str(base) + "/",
                url_fetcher=LocalFetcher(allowed, photos)).write_pdf()


SCREEN_SHEET = '<link rel="stylesheet" media="screen" href="assets/b.css">'


@pytest.mark.parametrize("extra", ["", SCREEN_SHEET])
def test_parsed_stylesheets_change_no_byte(tmp_path: Path, monkeypatch, extra: str):
    """Sheets parsed once and handed to WeasyPrint cascade exactly as the document's own:
    order, a later <style>, specificity, !important and style attributes included (and a
    sheet for the screen is still not printed)."""
    from weasyprint.text.fonts import FontConfiguration

    from noticegen.render.pdf import layout, write_documents

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.css").write_text(
        "@page { size: letter; margin: 1in; @bottom-right { content: counter(page); } }\n"
        "p { color: red; font-size: 14pt } div p.x { color: green } .y { color: navy !important }"
        "\nh1 { margin-top: 40pt }")
    (tmp_path / "assets" / "b.css").write_text("p { color: orange }")
    html = ('<html><head><link rel="stylesheet" href="assets/a.css">' + extra +
            '<style>p { color: blue }'
            ' p.x { font-size: 20pt }</style></head><body><h1 style="margin-top: 0">T</h1>'
            '<div><p class="x">one</p></div><p>two</p><p class="y" style="color: black">three'
            '</p></body></html>')
    allowed = [tmp_path / "assets"]
    expected = _plain_weasyprint(html, tmp_path, allowed)
    fonts = FontConfiguration()
    for _ in range(2):  # the second time from the parsed-sheet cache
        assert write_documents([layout(html, tmp_path, allowed, None, fonts)], 0) == expected


def test_the_real_notice_is_byte_identical_with_parsed_stylesheets(tmp_path: Path, monkeypatch):
    from conftest import REPO

    from noticegen.render.pdf import layout, write_documents

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    project = load_project(REPO, [REPO / "examples" / "cases" / "CE-2026-0141.yaml"])
    case = next(iter(project.cases.values()))
    r = renderer(project, tmp_path / "cache")
    _, context, _ = r.context("nov", r.registry.get("nov").template(None), case, ISSUED,
                              case.responsible_parties[0].id)
    html = render_html(r.env, "nov.html", context)
    allowed = [REPO / "templates" / "assets"]
    expected = _plain_weasyprint(html, REPO / "templates", allowed, tmp_path / "cache")
    document = layout(html, REPO / "templates", allowed, tmp_path / "cache")
    assert write_documents([document], 0) == expected


def test_an_edited_stylesheet_is_parsed_again(tmp_path: Path):
    from pypdf import PdfReader
    from weasyprint.text.fonts import FontConfiguration

    from noticegen.render.pdf import layout, write_documents

    (tmp_path / "assets").mkdir()
    sheet = tmp_path / "assets" / "a.css"
    html = '<html><head><link rel="stylesheet" href="assets/a.css"></head><body><p>x</p></body>'
    fonts = FontConfiguration()
    sizes = []
    for size in ("letter", "legal"):
        sheet.write_text(f"@page {{ size: {size} }}")
        pdf = write_documents([layout(html, tmp_path, [tmp_path / "assets"], None, fonts)], 0)
        sizes.append(round(float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.height)))
    assert sizes == [792, 1008]
