"""The city attorney's operations: what changed in a template's words, and approving it (in
config/approvals.yaml, which travels with the templates, and in the record)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select

from ..errors import NoticegenError
from ..record.db import now
from ..record.tables import approvals
from ..review import Specimens, content_hash, find_entry, status
from ..review import approve as approve_file
from ..review.approvals import SHORT, Approval, approved_text_path
from ..review.diff import html_report, report_pdf, templates_at, unified
from .app import App


def approve(app: App, template_id: str, by: str, note: str | None) -> tuple[Approval, bool]:
    """Approve a template as it is now; the approval is also entered in the record."""
    app.ready()
    approval, new = approve_file(app.root, template_id, by, note)
    with app.transaction() as (c, actor):
        if not c.execute(select(approvals.c.id).where(
                approvals.c.template_id == template_id,
                approvals.c.version == approval.version,
                approvals.c.hash == approval.hash)).first():
            c.execute(insert(approvals).values(
                template_id=template_id, version=approval.version, hash=approval.hash,
                approved_by=approval.approved_by, approved_on=approval.approved_on,
                note=approval.note, files=dict(approval.files or {}), actor_id=actor,
                recorded_at=now()))
    return approval, new


@dataclass(frozen=True)
class Diff:
    label: str
    lines: list[str]
    from_label: str
    to_label: str
    content: bytes
    """The side-by-side comparison, PDF (or HTML when asked)."""


def diff(app: App, template_id: str, *, from_rev: str | None = None,
         to_rev: str | None = None, html: bool = False) -> Diff:
    """The specimen's words before and after: since the last approval, or between git
    revisions of templates/ (to the working copy by default)."""
    root = app.root
    current = Specimens.of(root)
    entry = find_entry(current.entries, template_id)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="noticegen-diff-") as scratch:
        if from_rev:
            old, from_label = _text_at(root, current, template_id, from_rev,
                                       Path(scratch) / "a")
        else:
            state = status(root, current.templates, entry)
            path = approved_text_path(root, entry.id)
            if state.latest is None or not path.is_file():
                raise NoticegenError(f"{entry.label} has no approved text on file",
                                     "approve it first, or compare git revisions of "
                                     "templates/ (from HEAD)")
            old = path.read_text(encoding="utf-8")
            a = state.latest
            from_label = (f"approved v{a.version} on {a.approved_on.isoformat()} by "
                          f"{a.approved_by} (hash {a.hash[:SHORT]})")
            changed = state.changed_files() if state.approved is None else []
            if changed:
                notes.append("Files changed since that approval: " + ", ".join(changed))
            elif state.approved is not None:
                notes.append("The template as it is now is approved.")
        if to_rev:
            new, to_label = _text_at(root, current, template_id, to_rev, Path(scratch) / "b")
        else:
            new = current.text(entry)
            to_label = (f"working copy, v{entry.version} "
                        f"(hash {status(root, current.templates, entry).hash[:SHORT]})")
    title = f"What changed in {entry.title} ({entry.variant}) — {entry.id}"
    report = html_report(title, from_label, to_label, old, new, notes)
    content = report.encode() if html else report_pdf(report, current.templates)
    return Diff(entry.label, unified(old, new, from_label, to_label), from_label, to_label,
                content)


def _text_at(root: Path, current: Specimens, template_id: str, revision: str,
             scratch: Path) -> tuple[str, str]:
    """A template's specimen text with templates/ as it was at a git revision (the sample
    facts and the code are today's)."""
    folder = templates_at(root, revision, scratch)
    then = Specimens(current.project, folder, current.cache,
                     facts=root / "templates" / "specimens" / "specimen.yaml")
    entry = next((e for e in then.entries if e.id == template_id), None)
    if entry is None:
        return "", f"{revision} (no template {template_id} there)"
    return then.text(entry), (f"{revision}, v{entry.version} "
                              f"(hash {content_hash(folder, entry)[:SHORT]})")
