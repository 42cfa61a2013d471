"""What changed in a template's words: specimen text compared line by line and word by word,
for the terminal (a unified diff) and for a reader (a side-by-side PDF or HTML)."""

from __future__ import annotations

import difflib
import html
import io
import re
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

from ..errors import NoticegenError

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")

Segment = tuple[str, str]
"""('=', text) unchanged, ('-', text) removed, ('+', text) added."""


def word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Both lines as segments: what stayed, what went (old side), what came (new side)."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    before: list[Segment] = []
    after: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            before.append(("=", "".join(a[i1:i2])))
            after.append(("=", "".join(b[j1:j2])))
        else:
            if i2 > i1:
                before.append(("-", "".join(a[i1:i2])))
            if j2 > j1:
                after.append(("+", "".join(b[j1:j2])))
    return before, after


@dataclass(frozen=True)
class Row:
    """One line of a side-by-side comparison; None on a side where the line does not exist."""

    kind: str  # "same", "changed", "removed", "added", "gap"
    old: list[Segment] | None
    new: list[Segment] | None


def rows(old: str, new: str, context: int = 1) -> list[Row]:
    """The changed passages, each with `context` unchanged lines around it, gaps marked."""
    a, b = old.splitlines(), new.splitlines()
    out: list[Row] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if out:
            out.append(Row("gap", None, None))
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                out += [Row("same", [("=", line)], [("=", line)]) for line in a[i1:i2]]
                continue
            for x, y in zip_longest(a[i1:i2], b[j1:j2]):
                if x is not None and y is not None:
                    before, after = word_diff(x, y)
                    out.append(Row("changed", before, after))
                elif x is not None:
                    out.append(Row("removed", [("-", x)], None))
                else:
                    out.append(Row("added", None, [("+", y or "")]))
    return out


def unified(old: str, new: str, from_label: str, to_label: str, context: int = 1) -> list[str]:
    return list(difflib.unified_diff(old.splitlines(), new.splitlines(), from_label, to_label,
                                     n=context, lineterm=""))


def _plain(segments: list[Segment]) -> str:
    return "".join(f"[-{t}-]" if k == "-" else f"{{+{t}+}}" if k == "+" else t
                   for k, t in segments)


def excerpt(old: str, new: str, limit: int = 8, width: int = 160) -> list[str]:
    """A few changed lines in wdiff style ([-removed-] {+added+}), shortened around the change:
    what a refusal message shows."""
    shown: list[str] = []
    changed = [r for r in rows(old, new, context=0) if r.kind != "gap"]
    for row in changed[:limit]:
        if row.kind == "changed":
            assert row.old is not None and row.new is not None
            merged = _merge(row.old, row.new)
            shown.append("~ " + _shorten(_plain(merged), width))
        elif row.kind == "removed":
            assert row.old is not None
            shown.append("- " + _shorten(row.old[0][1], width))
        else:
            assert row.new is not None
            shown.append("+ " + _shorten(row.new[0][1], width))
    if len(changed) > limit:
        shown.append(f"… and {len(changed) - limit} more changed line(s)")
    return shown


def _merge(before: list[Segment], after: list[Segment]) -> list[Segment]:
    """One line with removals and additions in place (old and new interleaved)."""
    merged: list[Segment] = []
    i = j = 0
    while i < len(before) or j < len(after):
        if i < len(before) and before[i][0] == "-":
            merged.append(before[i])
            i += 1
        elif j < len(after) and after[j][0] == "+":
            merged.append(after[j])
            j += 1
        else:
            if i < len(before):
                merged.append(before[i])
            i += 1
            j += 1
    return merged


def _shorten(text: str, width: int) -> str:
    """Keep the part of a long line around its first change."""
    if len(text) <= width:
        return text
    first = min((p for p in (text.find("[-"), text.find("{+")) if p >= 0), default=0)
    start = max(0, first - width // 3)
    cut = text[start:start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(text) else "")


# -------------------------------------------------------------------- a document to read

_CSS = """
@page { size: letter landscape; margin: 0.5in 0.5in 0.6in;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; }
  @bottom-left { content: string(title); font: 8pt sans-serif; } }
body { font: 9.5pt/1.35 "Liberation Serif", "DejaVu Serif", serif; color: #111; }
h1 { font: bold 15pt "Liberation Sans", "DejaVu Sans", sans-serif; margin: 0 0 4pt;
  string-set: title content(text); }
p.meta { margin: 0 0 2pt; font: 9pt "Liberation Sans", "DejaVu Sans", sans-serif; }
p.how { margin: 6pt 0 8pt; font: 9pt "Liberation Sans", "DejaVu Sans", sans-serif; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th { font: bold 9pt "Liberation Sans", "DejaVu Sans", sans-serif; text-align: left;
  border-bottom: 1pt solid #333; padding: 3pt; }
td { vertical-align: top; padding: 2pt 4pt; border-bottom: 0.4pt solid #ddd; }
tr.same td { color: #666; }
tr.gap td { text-align: center; color: #999; border-bottom: none; }
td.empty { background: #f3f3f3; }
del { background: #fdd; color: #900; text-decoration: line-through; }
ins { background: #dfd; color: #050; text-decoration: underline; }
.none { font: italic 11pt "Liberation Sans", "DejaVu Sans", sans-serif; margin-top: 18pt; }
"""


def _cell(segments: list[Segment] | None) -> str:
    if segments is None:
        return '<td class="empty"></td>'
    parts = []
    for kind, text in segments:
        text = html.escape(text)
        parts.append(f"<del>{text}</del>" if kind == "-" else
                     f"<ins>{text}</ins>" if kind == "+" else text)
    return "<td>" + "".join(parts) + "</td>"


def html_report(title: str, from_label: str, to_label: str, old: str, new: str,
                notes: list[str] | None = None) -> str:
    """Side by side: the approved (or earlier) words on the left, the new on the right; removed
    words struck through in red, added words underlined in green; unchanged passages left out."""
    table = rows(old, new)
    body = [f"<h1>{html.escape(title)}</h1>",
            f'<p class="meta"><strong>Before:</strong> {html.escape(from_label)}</p>',
            f'<p class="meta"><strong>After:</strong> {html.escape(to_label)}</p>']
    body += [f'<p class="meta">{html.escape(note)}</p>' for note in notes or []]
    if not table:
        body.append('<p class="none">No change in the words of the specimen.</p>')
    else:
        changed = sum(1 for r in table if r.kind in ("changed", "removed", "added"))
        body.append(f'<p class="how">{changed} line(s) changed. Words struck through in red '
                    "were removed; words underlined in green were added. Grey lines are "
                    "unchanged, shown for context; “…” marks unchanged text left out.</p>")
        body.append('<table><thead><tr><th>Before</th><th>After</th></tr></thead><tbody>')
        for row in table:
            if row.kind == "gap":
                body.append('<tr class="gap"><td>…</td><td>…</td></tr>')
            else:
                body.append(f'<tr class="{row.kind}">{_cell(row.old)}{_cell(row.new)}</tr>')
        body.append("</tbody></table>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>")


def report_pdf(report_html: str, folder: Path, epoch: int = 0) -> bytes:
    from ..render.pdf import write_pdf

    return write_pdf(report_html, folder, [], epoch)


# -------------------------------------------------------------------- other revisions

def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                              check=False)
    except FileNotFoundError:
        raise NoticegenError("git is not installed; --from/--to compare git revisions",
                             "use --since-approved") from None
    if done.returncode != 0:
        raise NoticegenError(f"git {' '.join(args[:2])}: "
                             f"{done.stderr.decode(errors='replace').strip()}",
                             "name a commit, branch or tag of the project's git history "
                             "(e.g. HEAD~1), or use --since-approved")
    return done.stdout


def templates_at(root: Path, revision: str, destination: Path) -> Path:
    """The project's templates/ folder as it was at a git revision, extracted to destination."""
    try:
        _git(root, "rev-parse", "--show-toplevel")
    except NoticegenError:
        raise NoticegenError(f"{root} is not in a git repository; --from and --to name git "
                             "revisions", "use --since-approved") from None
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except NoticegenError as exc:
        raise NoticegenError(f"no git revision '{revision}' in {root}", exc.hint) from None
    prefix = _git(root, "rev-parse", "--show-prefix").decode().strip()
    archive = _git(root, "archive", "--format=tar", revision, "--", f"{prefix}templates")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
    folder = destination / prefix / "templates"
    if not folder.is_dir():
        raise NoticegenError(f"revision {revision} has no templates/ folder",
                             "name a later revision")
    return folder


def changed_lines(old: str, new: str) -> Iterator[str]:
    """The added and removed lines' words, for tests and summaries."""
    for row in rows(old, new, context=0):
        for side in (row.old, row.new):
            for kind, text in side or []:
                if kind != "=":
                    yield text
