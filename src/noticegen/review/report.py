"""The review PDF: for each template its marked specimen, then a sheet with the variables it
uses, the sections it cites, its id, version and hash, and its approval history."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter

from ..errors import NoticegenError
from ..files import write_atomically
from ..render.pdf import write_pdf
from ..rules import long_date
from .approvals import SHORT, Status, status
from .entries import ReviewEntry
from .hashing import REGISTRY_KEY
from .specimen import MARK_CSS, Specimens
from .variables import describe, docx_images, docx_uses, html_uses, resolve, sample

_DIRECTIVE = re.compile(r"\b[Dd]irective\s+([IVX]+(?:\.[A-Za-z0-9]+)*)")
_STATUTE = re.compile(r"(?:§+\s*[0-9][0-9.()a-z-]*|\b(?:Gov(?:ernment|'t)|Health and Safety|"
                      r"Local Government|Transportation) Code[^<{]{0,40})")

_SHEET = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""\
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="dcterms.created" content="{{ created }}">
<meta name="dcterms.modified" content="{{ created }}">
<style>
@page { size: letter; margin: 0.6in 0.6in 0.7in;
  @bottom-left { content: string(sheet); font: 7.5pt "Liberation Sans", sans-serif; color: #444; }
  @bottom-right { content: "Review sheet page " counter(page);
    font: 7.5pt "Liberation Sans", sans-serif; color: #444; } }
body { font: 9pt/1.3 "Liberation Sans", "DejaVu Sans", sans-serif; color: #111; }
h1 { font-size: 15pt; margin: 0 0 2pt; string-set: sheet content(text); }
h2 { font-size: 11pt; margin: 12pt 0 4pt; border-bottom: 1pt solid #1d3557; color: #1d3557; }
p { margin: 0 0 4pt; }
table { width: 100%; border-collapse: collapse; margin: 0 0 4pt; }
th, td { text-align: left; vertical-align: top; padding: 2pt 4pt;
  border-bottom: 0.4pt solid #ccc; }
thead th { border-bottom: 1pt solid #333; }
table.facts th { width: 1.6in; font-weight: normal; color: #444; }
table.vars { table-layout: fixed; }
table.vars td { overflow-wrap: break-word; }
code, .mono { font: 8pt "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
.state { font-weight: bold; padding: 3pt 6pt; display: inline-block; }
.ok { background: #dcfce7; color: #14532d; }
.no { background: #fee2e2; color: #7f1d1d; }
.muted { color: #555; }
{{ mark_css }}
</style></head><body>
{% if cover %}
<h1>Legal review of the document templates</h1>
<p class="muted">{{ agency }} · produced {{ created_text }} by noticegen from the bundled
sample case (templates/specimens/specimen.yaml; every name, address and number in it is
fictional).</p>
<h2>How to read this review</h2>
<p>For each template, a <strong>specimen</strong> follows: the document exactly as it prints,
filled with the sample facts. <mark class="specimen">Highlighted text</mark> is substituted
from the case file, the settings or the catalogs and changes from case to case; everything not
highlighted is the template's own wording, which is what an approval covers. After each
specimen, a <strong>review sheet</strong> lists the facts the template uses, the sections it
cites, its id, version and content hash, and its approval history. Templates with a Word
version also have an editable specimen with the same highlighting, for redlining.</p>
<p>To approve a template as it is:
<code>noticegen templates approve ID --by "NAME" --note "…"</code>.
To see what changed since the last approval: <code>noticegen templates diff ID</code>.</p>
<h2>Templates in this review</h2>
<table><thead><tr><th>Template</th><th>Document</th><th>Version</th><th>Hash</th>
<th>Approval</th></tr></thead><tbody>
{% for s in statuses %}<tr><td><code>{{ s.entry.id }}</code></td>
<td>{{ s.entry.title }} ({{ s.entry.variant }})</td>
<td>v{{ s.entry.version }}</td><td class="mono">{{ s.hash[:short] }}</td>
<td><span class="state {{ 'ok' if s.approved else 'no' }}">{{ s.describe() }}</span></td>
</tr>{% endfor %}
</tbody></table>
{% else %}
<h1>Review sheet — {{ entry.title }} ({{ entry.variant }}) ·
{{ entry.id }} v{{ entry.version }}</h1>
<p><span class="state {{ 'ok' if st.approved else 'no' }}">{{ st.describe() }}</span></p>
{% if error %}<p class="state no">The specimen could not be rendered: {{ error }}</p>{% endif %}
<h2>Template</h2>
<table class="facts">
<tr><th>Template id</th><td><code>{{ entry.id }}</code></td></tr>
<tr><th>Version</th><td>{{ entry.version }}</td></tr>
<tr><th>Document type</th><td>{{ entry.doc_type }} — {{ entry.title }}
{%- if entry.directive %} (directive {{ entry.directive }}){% endif %}</td></tr>
<tr><th>Audience · delivery</th><td>{{ entry.audience | replace("_", " ") }} ·
{{ entry.delivery | replace("_", " ") }}</td></tr>
<tr><th>Language</th><td>{{ entry.language }}</td></tr>
<tr><th>Content hash</th><td class="mono">{{ st.hash }}</td></tr>
<tr><th>Made from</th><td>{% for name, digest in files %}<div><code>{{ name }}</code>
<span class="mono muted">{{ digest[:16] }}</span></div>{% endfor %}</td></tr>
{% if docx_name %}<tr><th>Word specimen</th><td><code>{{ docx_name }}</code></td></tr>
{% endif %}
</table>
<h2>Approval history</h2>
{% if st.history %}<table><thead><tr><th>Version</th><th>Hash</th><th>Approved by</th>
<th>On</th><th>Note</th></tr></thead><tbody>
{% for a in st.history %}<tr><td>v{{ a.version }}</td><td class="mono">{{ a.hash[:short] }}
{%- if a.hash == st.hash and a.version == entry.version %} (current){% endif %}</td>
<td>{{ a.approved_by }}</td><td>{{ a.approved_on.isoformat() }}</td>
<td>{{ a.note or "" }}</td></tr>{% endfor %}
</tbody></table>{% else %}<p>Never approved.</p>{% endif %}
<h2>Sections cited</h2>
<table class="facts">
<tr><th>In the template's own words</th>
<td>{{ cited_template | join("; ") if cited_template else "none" }}</td></tr>
<tr><th>Ordinances cited in this specimen</th><td>{% if cited_facts %}
{% for c in cited_facts %}<div>{{ c }}</div>{% endfor %}
<div class="muted">(from the sample case's violations: each document cites its own case's)</div>
{% else %}none{% endif %}</td></tr>
</table>
<h2>Variables the template uses ({{ rows | length }})</h2>
<table class="vars"><thead><tr><th style="width:28%">Variable</th>
<th style="width:36%">What it is</th>
<th style="width:24%">In this specimen</th><th style="width:12%">Where</th></tr></thead>
<tbody>
{% for r in rows %}<tr><td><code>{{ r.path }}</code></td><td>{{ r.meaning }}</td>
<td>{{ r.sample }}</td><td class="muted">{{ r.where }}</td></tr>{% endfor %}
</tbody></table>
{% endif %}
</body></html>
""")


@dataclass(frozen=True)
class _Row:
    path: str
    meaning: str
    sample: str
    where: str


def variable_rows(specimens: Specimens, entry: ReviewEntry) -> list[_Row]:
    """Every fact path the template (and its Word version) uses, what it means, its sample."""
    env = specimens.renderer.env  # type: ignore[attr-defined]
    context = specimens.context(entry)
    uses = {p: [f"{u.file}:{u.line}" for u in found]
            for p, found in html_uses(env, specimens.templates, entry.file).items()}
    if entry.docx:
        word = specimens.templates / "docx" / entry.docx
        context = {**docx_images(word, context), **context}
        for path, _ in docx_uses(env, word)[1].items():
            uses.setdefault(path, []).append(f"docx/{entry.docx}")
    rows = []
    mail = entry.doc_type == "mail"
    for path in sorted(uses, key=lambda p: (p.split(".")[0].split("[")[0], p)):
        value, _ = resolve(path, context)
        where = uses[path]
        shown = ", ".join(where[:2]) + (f" +{len(where) - 2}" if len(where) > 2 else "")
        rows.append(_Row(path.replace("[]", "[…]"), describe(path, context, mail),
                         sample(value), shown))
    return rows


def citations(specimens: Specimens, entry: ReviewEntry, files: dict[str, str]
              ) -> tuple[list[str], list[str]]:
    """Directive sections and statutes named in the template's own text; ordinances the
    specimen cites from its facts."""
    named: list[str] = []
    for name in files:
        if name.startswith(REGISTRY_KEY) or not name.endswith(".html"):
            continue
        text = re.sub(r"\{\{.*?\}\}|\{#.*?#\}", " ",
                      (specimens.templates / name).read_text(encoding="utf-8"), flags=re.S)
        for match in _DIRECTIVE.finditer(text):
            item = f"Directive {match.group(1).rstrip('.')}"
            if item not in named:
                named.append(item)
        for match in _STATUTE.finditer(text):
            item = " ".join(match.group(0).split()).rstrip(" ,.;:(")
            if item not in named:
                named.append(item)
    if entry.directive and f"Directive {entry.directive}" not in named:
        named.insert(0, f"Directive {entry.directive} (the document type's)")
    facts: list[str] = []
    if entry.doc_type != "mail":
        uses = html_uses(specimens.renderer.env,  # type: ignore[attr-defined]
                         specimens.templates, entry.file)
        if any(p.startswith("violations") for p in uses):
            catalog = specimens.project.catalog
            cited = specimens.case_for(entry.doc_type).violations
            if entry.doc_type == "stop-work":
                cited = [v for v in cited if catalog.ordinance(v.ordinance).stop_work_order]
            for v in cited:
                section = catalog.ordinance(v.ordinance)
                facts.append(f"{section.citation} — {section.title}")
    return named, facts


def _sheet(**values: Any) -> str:
    return _SHEET.render(**{"mark_css": Markup(MARK_CSS), "short": SHORT, "error": None, **values})


@dataclass(frozen=True)
class Review:
    pdf: bytes
    docx: dict[str, bytes]
    """Word specimens by file name."""
    pages: dict[str, int]
    """The page (0-based) each template's specimen starts on."""
    errors: dict[str, str]
    """Templates whose specimen could not be rendered, and why."""


def build_review(root: Path, specimens: Specimens, entries: list[ReviewEntry],
                 progress: Callable[[int, int], None] | None = None) -> Review:
    """One PDF: a cover listing every template and its approval state, then for each template
    its marked specimen and its review sheet (with bookmarks); plus the Word specimens.
    `progress(done, total)` is told after each template."""
    zone = specimens.project.settings.zone
    now = datetime.now(zone).replace(microsecond=0)
    created = now.isoformat()
    states = [status(root, specimens.templates, e) for e in entries]
    epoch = int(now.timestamp())
    base = specimens.templates
    cover = write_pdf(_sheet(cover=True, title="Legal review of the document templates",
                             created=created, created_text=f"{long_date(now.date())} {now:%H:%M}",
                             agency=specimens.project.settings.agency.name,
                             statuses=states), base, [], epoch)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)))
    writer.add_outline_item(title="Templates in this review", page_number=0)
    pages: dict[str, int] = {}
    words: dict[str, bytes] = {}
    errors: dict[str, str] = {}
    for entry, st in zip(entries, states, strict=True):
        # A template that does not render is reported in the review, not left out of it.
        specimen, docx_name, rows = None, None, []
        try:
            specimen = specimens.pdf(entry)
            if entry.docx:
                content = specimens.docx(entry)
                assert content is not None
                docx_name = f"{entry.id}-specimen.docx"
                words[docx_name] = content
            rows = variable_rows(specimens, entry)
        except NoticegenError as exc:
            errors[entry.id] = str(exc)
        named, facts = citations(specimens, entry, st.files)
        sheet = write_pdf(_sheet(cover=False, title=f"Review sheet — {entry.id}",
                                 created=created, entry=entry, st=st,
                                 files=[("templates/" + n, d) for n, d in st.files.items()],
                                 docx_name=docx_name, cited_template=named, cited_facts=facts,
                                 rows=rows, error=errors.get(entry.id)), base, [], epoch)
        start = len(writer.pages)
        pages[entry.id] = start
        if specimen is not None:
            writer.append(PdfReader(io.BytesIO(specimen)))
        sheet_start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(sheet)))
        parent = writer.add_outline_item(
            title=f"{entry.id} v{entry.version} — {entry.title} ({entry.variant})",
            page_number=start)
        writer.add_outline_item(title="Specimen", page_number=start, parent=parent)
        writer.add_outline_item(title="Review sheet", page_number=sheet_start, parent=parent)
        if progress is not None:
            progress(len(pages), len(entries))
    writer.add_metadata({"/Title": "Legal review of the document templates",
                         "/Producer": "noticegen"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return Review(buffer.getvalue(), words, pages, errors)


def write_review(review: Review, out: Path) -> list[Path]:
    """The PDF at `out`, the Word specimens beside it; the paths written."""
    write_atomically(out, review.pdf)
    written = [out]
    for name, content in review.docx.items():
        path = out.parent / name
        write_atomically(path, content)
        written.append(path)
    return written


__all__ = ["Review", "Status", "build_review", "variable_rows", "write_review"]
