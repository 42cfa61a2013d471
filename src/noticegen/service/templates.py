"""The city attorney's operations: each template's state of review, its specimen, what changed
in its words, approving it (in config/approvals.yaml, which travels with the templates, and in
the record) or sending it back with a note (in the record), and the whole review PDF."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from ..errors import InputError, NoticegenError, Problem
from ..files import sha256_bytes, sha256_file, write_atomically
from ..record.db import now, utc
from ..record.tables import approvals, people, template_reviews
from ..review import Specimens, content_hash, find_entry, review_entries, status
from ..review import approve as approve_file
from ..review.approvals import SHORT, Approval, Status, approved_text_path, check_seen
from ..review.diff import Row, html_report, report_pdf, rows, templates_at, unified
from ..review.hashing import MISSING, REGISTRY_KEY
from ..review.specimen import comparable
from ..rules.deadlines import local
from .app import App

SENT_BACK = "sent_back"
"""template_reviews.decision of a template the city attorney sent back."""


def approve(app: App, template_id: str, by: str, note: str | None,
            expected_hash: str | None = None,
            expected_version: int | None = None) -> tuple[Approval, bool]:
    """Approve a template as it is now — refused (TemplateChanged) when it is no longer the
    hash and version its approver was shown; the approval is also entered in the record."""
    app.ready()
    approval, new = approve_file(app.root, template_id, by, note,
                                 expected_hash=expected_hash,
                                 expected_version=expected_version, project=app.project)
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


def specimens_of(app: App) -> Specimens:
    """The specimens of the app's project as loaded (not read again from disk), with the photo
    cache the renderer uses."""
    return Specimens(app.project, app.root / "templates", app.out / ".cache" / "photos")


def diff(app: App, template_id: str, *, from_rev: str | None = None,
         to_rev: str | None = None, html: bool = False) -> Diff:
    """The specimen's words before and after: since the last approval, or between git
    revisions of templates/ (to the working copy by default)."""
    root = app.root
    current = specimens_of(app)
    entry = find_entry(current.entries, template_id)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="noticegen-diff-") as scratch:
        if from_rev:
            old, from_label = _text_at(root, current, template_id, from_rev,
                                       Path(scratch) / "a")
        else:
            state = status(root, current.templates, entry)
            if (approved := _approved_text(root, state)) is None:
                raise NoticegenError(f"{entry.label} has no approved text on file",
                                     "approve it first, or compare git revisions of "
                                     "templates/ (from HEAD)")
            old, from_label, notes = approved
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


def _approved_text(root: Path, state: Status) -> tuple[str, str, list[str]] | None:
    """The specimen text last approved, its label and notes on what changed since; None when
    the template was never approved."""
    path = approved_text_path(root, state.entry.id)
    if (a := state.latest) is None or not path.is_file():
        return None
    label = (f"approved v{a.version} on {a.approved_on.isoformat()} by {a.approved_by} "
             f"(hash {a.hash[:SHORT]})")
    notes = []
    changed = state.changed_files() if state.approved is None else []
    if changed:
        notes.append("Files changed since that approval: " + ", ".join(changed))
    elif state.approved is not None:
        notes.append("The template as it is now is approved.")
    return comparable(path.read_text(encoding="utf-8")), label, notes


# -------------------------------------------------------------------- the state of review

@dataclass(frozen=True)
class SentBack:
    """The city attorney's answer other than an approval: not this, and why."""

    template_id: str
    version: int
    hash: str
    note: str
    by: str
    at: datetime


@dataclass(frozen=True)
class TemplateState:
    """A template's approval status with the record's send-backs: `sent_back` is the latest
    one of the template as it is now, while it is not approved; `history` every send-back of
    the template, oldest first."""

    status: Status
    sent_back: SentBack | None
    history: tuple[SentBack, ...] = ()

    @property
    def state(self) -> str:
        """approved, sent back, changed since approval or never approved."""
        return "sent back" if self.sent_back else self.status.state

    def describe(self) -> str:
        if (back := self.sent_back) is not None:
            return (f"NOT APPROVED — sent back {back.at.date().isoformat()} by {back.by}: "
                    f"{back.note}")
        return self.status.describe()


def _sent_back(app: App, template_id: str | None = None) -> list[SentBack]:
    """Send-backs on record (of one template, or all), oldest first."""
    t = template_reviews
    query = select(t, people.c.name).join(people, people.c.id == t.c.actor_id).where(
        t.c.decision == SENT_BACK).order_by(t.c.id)
    if template_id:
        query = query.where(t.c.template_id == template_id)
    with app.record.read() as c:
        found = c.execute(query).mappings().all()
    zone = app.project.settings.zone
    return [SentBack(r["template_id"], r["version"], r["hash"], r["note"], r["name"],
                     local(utc(r["recorded_at"]), zone)) for r in found]


def _state(current: Status, backs: list[SentBack]) -> TemplateState:
    history = tuple(b for b in backs if b.template_id == current.entry.id)
    if current.approved is not None:
        return TemplateState(current, None, history)
    mine = [b for b in history if b.hash == current.hash]
    return TemplateState(current, mine[-1] if mine else None, history)


def states(app: App) -> list[TemplateState]:
    """Every template (the registry's, then the mail templates) with its state of review:
    what `noticegen templates list` prints."""
    app.ready()
    backs = _sent_back(app)
    templates = app.root / "templates"
    return [_state(status(app.root, templates, e), backs) for e in review_entries(templates)]


def state(app: App, template_id: str) -> TemplateState:
    app.ready()
    templates = app.root / "templates"
    entry = find_entry(review_entries(templates), template_id)
    return _state(status(app.root, templates, entry), _sent_back(app, template_id))


def sent_back(app: App, template_id: str) -> list[SentBack]:
    """Every time the template was sent back, oldest first."""
    app.ready()
    return _sent_back(app, template_id)


def send_back(app: App, template_id: str, note: str, expected_hash: str | None = None,
              expected_version: int | None = None) -> SentBack:
    """The city attorney sends a template back as it is now, saying why: recorded with the
    acting person; it is not served (it was not approved) and shows as sent back until it
    changes or is approved. Refused (TemplateChanged) when it is no longer the hash and
    version the attorney was shown: the note is about that content. Only the record is
    written, so no file lock is needed."""
    app.ready()
    current = state(app, template_id).status
    check_seen(current, expected_hash, expected_version)
    entry = current.entry
    if not note.strip():
        raise InputError([Problem("request", None, "note", "say what must change",
                                  "the note goes back with the template to whoever edits it")])
    if current.approved is not None:
        raise NoticegenError(f"{entry.label} is approved as it is now; only a template "
                             "waiting for approval can be sent back",
                             "a change to it will come back for review")
    with app.transaction() as (c, actor):
        at = now()
        c.execute(insert(template_reviews).values(
            template_id=entry.id, version=entry.version, hash=current.hash,
            decision=SENT_BACK, note=note.strip(), actor_id=actor, recorded_at=at))
    return SentBack(entry.id, entry.version, current.hash, note.strip(), app.actor,
                    at.astimezone(app.project.settings.zone))


@dataclass(frozen=True)
class FileChange:
    """One file a template is made from, now and at its latest approval."""

    name: str
    """templates/… (the registry entry as templates/registry.yaml#ID)."""
    now: str
    """Its SHA-256 (first 16 digits), or 'missing'."""
    approved: str | None
    """… at the latest approval; None when it was not part of it."""
    change: str
    """unchanged, changed, new, missing, or never approved."""


def file_changes(current: Status) -> list[FileChange]:
    """The files the template is made from, each with what changed since its approval."""
    before = current.latest.files if current.latest is not None else {}
    found = []
    for name in sorted(set(current.files) | set(before),
                       key=lambda n: (n.startswith(REGISTRY_KEY), n)):
        digest = current.files.get(name, MISSING)
        now_ = digest if digest == MISSING else digest[:16]
        then = before.get(name)
        change = ("never approved" if not before else "missing" if now_ == MISSING
                  else "new" if then is None else "unchanged" if then == now_ else "changed")
        found.append(FileChange("templates/" + name, now_, then, change))
    return found


@dataclass(frozen=True)
class Comparison:
    """The specimen's words at the latest approval and now, line by line."""

    from_label: str
    to_label: str
    notes: list[str]
    rows: list[Row]


def since_approval(app: App, template_id: str) -> Comparison | None:
    """What changed in the specimen's words since the latest approval (None if never
    approved): the same comparison `noticegen templates diff ID` prints."""
    specimens = specimens_of(app)
    entry = find_entry(specimens.entries, template_id)
    current = status(app.root, specimens.templates, entry)
    if (approved := _approved_text(app.root, current)) is None:
        return None
    old, from_label, notes = approved
    to_label = f"working copy, v{entry.version} (hash {current.hash[:SHORT]})"
    return Comparison(from_label, to_label, notes, rows(old, specimens.text(entry)))


def specimen_pdf(app: App, template_id: str) -> bytes:
    """The template's specimen PDF, every substituted value highlighted (as in the review
    PDF); kept under out/.cache/specimens/ by everything it is made from, since rendering
    one takes about a second."""
    templates = app.root / "templates"
    entry = find_entry(review_entries(templates), template_id)
    inputs = [content_hash(templates, entry), str(entry.version), package_version("noticegen")]
    made_from = [app.root / "config" / "agency.yaml"] + [
        p for folder in (app.root / "config" / "assets", app.root / "ordinances",
                         templates / "specimens")
        for p in sorted(folder.rglob("*")) if p.is_file()]
    inputs += [f"{p.relative_to(app.root)}:{sha256_file(p)}" for p in made_from]
    key = sha256_bytes("\n".join(inputs).encode())
    path = app.out / ".cache" / "specimens" / f"{template_id}-{key[:32]}.pdf"
    if path.is_file():
        return path.read_bytes()
    content = specimens_of(app).pdf(entry)
    write_atomically(path, content)
    return content


def review_pdf(app: App, template_ids: list[str],
               progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The whole review PDF (`noticegen templates review`) of the given templates (all when
    none), put in the blob store with its Word specimens: what a job of kind 'review'
    returns."""
    from ..review.report import build_review

    specimens = specimens_of(app)
    entries = [find_entry(specimens.entries, i) for i in template_ids] if template_ids \
        else specimens.entries
    result = build_review(app.root, specimens, entries, progress)
    return {"pdf": app.blobs.put(result.pdf), "templates": len(entries),
            "docx": {name: app.blobs.put(content) for name, content in result.docx.items()},
            "errors": result.errors}
