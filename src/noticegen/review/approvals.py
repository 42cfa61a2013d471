"""The city attorney's approvals (config/approvals.yaml), and the refusal to serve anything else.

An approval names a template id, its version and the content hash of every file the template is
made from; the specimen text the attorney approved is kept beside it, in
config/approved-specimens/<id>.txt, so that a later change can be shown word by word. Both are
plain files, reviewed and versioned with the rest of the configuration."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import yaml
from pydantic import PositiveInt, StringConstraints

from ..config import APPROVALS_FILE, APPROVED_TEXTS
from ..errors import InputError, NoticegenError, Problem
from ..files import write_atomically
from ..models import Day, Identifier, Model, Text
from ..render.registry import REGISTRY_FILE, TemplateEntry, set_version
from ..source import read_yaml, validate
from .entries import MAIL_TEMPLATES, ReviewEntry, find_entry, of_registry, review_entries
from .hashing import combine, content_hash, file_hashes

if TYPE_CHECKING:
    from ..project import Project
    from ..render.document import Renderer

"""Under config/: the specimen text of each template's latest approval, one file per id."""
SHORT = 12
LOCK_FILE = ".approvals.lock"
"""Under config/: held while an approval reads and writes approvals.yaml and registry.yaml."""
_HEADER = """\
# Approvals of the document templates by the City Attorney's Office.
#
# Written by `noticegen templates approve ID --by NAME [--note TEXT]`; review a change to this
# file like any other legal record. `noticegen render` and `noticegen batch` serve a template
# only when its current content hash (the template, everything it includes, its CSS and
# assets, its Word version and its registry entry) is approved here for its version.
# `files` lists each of those files' SHA-256 (first 16 digits) at approval, to show what
# changed later. The approved specimen text is in config/approved-specimens/<id>.txt.
"""


class Approval(Model):
    version: PositiveInt
    hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    approved_by: Text
    approved_on: Day
    note: Text | None = None
    files: dict[str, str] = {}


class ApprovalFile(Model):
    approvals: dict[Identifier, list[Approval]] = {}


class TemplateNotApproved(NoticegenError):
    """A template's content is not what the city attorney approved: nothing is served."""

    exit_code = 3


class TemplateChanged(NoticegenError):
    """The template is no longer what the city attorney was shown (someone changed it since):
    an answer is about the content read, so nothing is recorded."""


def approvals_path(root: Path) -> Path:
    return root / "config" / APPROVALS_FILE


def approved_text_path(root: Path, template_id: str) -> Path:
    return root / "config" / APPROVED_TEXTS / f"{template_id}.txt"


_cache: dict[Path, tuple[tuple[int, int, int], dict[str, list[Approval]]]] = {}


def load_approvals(root: Path) -> dict[str, list[Approval]]:
    """Every approval on file, by template id, oldest first (none when the file is absent).
    The cached reading is kept while the file's inode, time and size are the same: every write
    replaces the file (a new inode), so two writes in one clock tick are still told apart."""
    path = approvals_path(root)
    if not path.is_file():
        return {}
    stat = path.stat()
    stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path.resolve())
    if cached and cached[0] == stamp:
        return cached[1]
    source = read_yaml(path)
    data = source.data if source.data is not None else {}
    source.data = data
    model, problems = validate(ApprovalFile, source)
    if problems or model is None:
        raise InputError(problems)
    found = {key: list(value) for key, value in model.approvals.items()}
    _cache[path.resolve()] = (stamp, found)
    return found


def save_approvals(root: Path, approvals: dict[str, list[Approval]],
                   order: list[str] | None = None) -> None:
    """Write config/approvals.yaml: template ids in registry order, approvals oldest first."""
    order = order or []
    ids = [i for i in order if i in approvals] + sorted(i for i in approvals if i not in order)
    data = {"approvals": {
        i: [a.model_dump(exclude_none=True)
            for a in approvals[i]] for i in ids}}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)
    write_atomically(approvals_path(root), _HEADER + "\n" + text)


@dataclass(frozen=True)
class Status:
    """A template's content now, against what was approved."""

    entry: ReviewEntry
    hash: str
    files: dict[str, str]
    history: tuple[Approval, ...]

    @property
    def approved(self) -> Approval | None:
        """The approval that covers the template as it is now, if any."""
        for approval in reversed(self.history):
            if approval.hash == self.hash and approval.version == self.entry.version:
                return approval
        return None

    @property
    def latest(self) -> Approval | None:
        return self.history[-1] if self.history else None

    @property
    def state(self) -> str:
        if self.approved:
            return "approved"
        return "changed since approval" if self.history else "never approved"

    def describe(self) -> str:
        """One line for `templates list` and messages."""
        if (a := self.approved) is not None:
            return f"approved {a.approved_on.isoformat()} by {a.approved_by}"
        if (a := self.latest) is not None:
            what = "changed" if a.version == self.entry.version else \
                f"now v{self.entry.version}"
            return (f"NOT APPROVED — {what} since v{a.version} was approved "
                    f"{a.approved_on.isoformat()} by {a.approved_by}")
        return "NOT APPROVED — never approved"

    def approval_version(self) -> int:
        """The version an approval of the template as it is now records: its own, unless
        another wording was approved under that version — then the next one, so that two
        wordings never share a version number."""
        entry = self.entry
        if self.approved is None and any(a.version == entry.version and a.hash != self.hash
                                         for a in self.history):
            return max(entry.version, *(a.version for a in self.history)) + 1
        return entry.version

    def changed_files(self) -> list[str]:
        """Files (templates/…) that differ from the latest approval's."""
        if self.latest is None or not self.latest.files:
            return ["templates/" + name for name in self.files]
        before = self.latest.files
        names = sorted(set(before) | set(self.files))
        return ["templates/" + n for n in names
                if before.get(n) != (self.files[n][:16] if n in self.files else None)]


def status(root: Path, templates: Path, entry: ReviewEntry) -> Status:
    files = file_hashes(templates, entry)
    history = tuple(load_approvals(root).get(entry.id, ()))
    return Status(entry, combine(files), files, history)


# -------------------------------------------------------------------- approving

def check_seen(current: Status, expected_hash: str | None,
               expected_version: int | None = None) -> None:
    """Raise TemplateChanged unless the template is still what its reviewer was shown: its
    content hash and version then (each when given)."""
    entry = current.entry
    if (expected_hash is None or expected_hash == current.hash) and \
            (expected_version is None or expected_version == entry.version):
        return
    seen = ", ".join(x for x in (
        f"v{expected_version}" if expected_version is not None else "",
        f"hash {expected_hash[:SHORT]}" if expected_hash is not None else "") if x)
    raise TemplateChanged(
        f"{entry.id} changed since the page was opened: you reviewed {seen}; it is now "
        f"v{entry.version}, hash {current.hash[:SHORT]}",
        "reload the page and review the template again; nothing was recorded")


@contextmanager
def _approving(root: Path) -> Iterator[None]:
    """One approval at a time across threads and processes (the web's and the CLI's): an
    approval reads approvals.yaml and registry.yaml, then writes both; without the lock two at
    once would lose one's entry, or one's version bump."""
    path = root / "config" / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:  # closing it releases the lock
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def approve(root: Path, template_id: str, by: str, note: str | None = None,
            on: date | None = None, templates: Path | None = None,
            expected_hash: str | None = None,
            expected_version: int | None = None,
            project: Project | None = None) -> tuple[Approval, bool]:
    """Record the city attorney's approval of a template as it is now: its hash, who, when and
    why, and the specimen text approved. A template changed since its version was approved
    gets the next version first (in templates/registry.yaml), so that two wordings never share
    one. Refused when the specimen does not render, and (TemplateChanged) when the template's
    hash or version is not the expected one (what the approver was shown). Returns the
    approval and whether it is new (approving the same content twice records it once).
    `project`: the project at root when the caller has it loaded already."""
    templates = templates or root / "templates"
    if not by.strip():
        raise NoticegenError("an approval needs the approver's name", "--by \"NAME\"")
    with _approving(root):
        return _approve(root, templates, template_id, by.strip(), note, on, expected_hash,
                        expected_version, project)


def _approve(root: Path, templates: Path, template_id: str, by: str, note: str | None,
             on: date | None, expected_hash: str | None,
             expected_version: int | None, project: Project | None) -> tuple[Approval, bool]:
    """approve(), holding the lock: the templates and approvals are read afresh here."""
    from ..project import load_project
    from .specimen import Specimens

    project = project or load_project(root)
    specimens = Specimens(project, templates, root / "out" / ".cache" / "photos")
    entry = find_entry(specimens.entries, template_id)
    current = status(root, templates, entry)
    check_seen(current, expected_hash, expected_version)
    if current.approved is not None:
        return current.approved, False
    before, label = None, entry.label
    if (version := current.approval_version()) != entry.version:
        before = _raise_version(current, templates, version)
        specimens = Specimens(project, templates, root / "out" / ".cache" / "photos")
        entry = find_entry(specimens.entries, template_id)
        current = status(root, templates, entry)  # the registry entry is part of the hash
    try:
        text = specimens.text(entry)
    except NoticegenError as exc:
        if before is not None:
            write_atomically(templates / REGISTRY_FILE, before)
        raise NoticegenError(f"{label} cannot be approved: its specimen does not render "
                             f"({exc.message})", exc.hint) from None
    day = on or datetime.now(project.settings.zone).date()
    approval = Approval(version=entry.version, hash=current.hash, approved_by=by,
                        approved_on=day, note=note.strip() if note and note.strip() else None,
                        files={name: digest[:16] for name, digest in current.files.items()})
    approvals = dict(load_approvals(root))
    approvals[entry.id] = [*approvals.get(entry.id, []), approval]
    write_atomically(approved_text_path(root, entry.id), text)
    save_approvals(root, approvals, [e.id for e in specimens.entries])
    return approval, True


def _raise_version(current: Status, templates: Path, version: int) -> str:
    """Give a changed template its next version in registry.yaml before it is approved;
    returns the registry's text before. The mail templates' versions are in the code."""
    entry, latest = current.entry, current.latest
    assert latest is not None
    if entry.doc_type == "mail":
        raise NoticegenError(
            f"{entry.label} changed since v{latest.version} was approved "
            f"{latest.approved_on.isoformat()} by {latest.approved_by}: approving it needs a new "
            "version number, so that two wordings never share one, and the mail templates' "
            "versions are set in noticegen's code",
            f"raise '{entry.id}' to {version} in MAIL_TEMPLATE_VERSIONS "
            "(src/noticegen/mail/chunks.py), then approve it")
    return set_version(templates, entry.id, version)


# -------------------------------------------------------------------- refusing

def require_approved(renderer: Renderer, doc_type: str, template: TemplateEntry) -> None:
    """Raise TemplateNotApproved unless the template, as it is now, is approved."""
    kind = renderer.registry.get(doc_type)  # type: ignore[attr-defined]
    _require(renderer, [of_registry(doc_type, kind, template)])


def require_batch_approved(renderer: Renderer, doc_type: str) -> None:
    """Before a batch allocates anything: the notice, its file copy, and the batch's cover,
    firm mailing book and affidavit templates must all be approved."""
    kind = renderer.registry.get(doc_type)  # type: ignore[attr-defined]
    used = [kind.template(None)] + [t for t in kind.templates[1:] if t.variant == "file-copy"]
    _require(renderer, [of_registry(doc_type, kind, t) for t in used] + list(MAIL_TEMPLATES))


def _require(renderer: Renderer, entries: list[ReviewEntry]) -> None:
    root = renderer.project.root
    refused = [s for s in (status(root, renderer.templates, e) for e in entries)
               if s.approved is None]
    if not refused:
        return
    lines = []
    for current in refused:
        lines += _refusal(renderer, current)
    ids = " ".join(s.entry.id for s in refused)
    names = ", ".join(s.entry.label for s in refused)
    several = len(refused) > 1
    raise TemplateNotApproved(
        f"template{'s' if several else ''} {names} {'are' if several else 'is'} not approved "
        "for service by the City Attorney's Office\n" + "\n".join(lines),
        f"have the change reviewed (`noticegen templates diff {refused[0].entry.id}`, "
        f"`noticegen templates review {ids}`), then `noticegen templates approve {ids} "
        "--by NAME`; to print a single document for review meanwhile, "
        "use `noticegen render … --draft`")


def _refusal(renderer: Renderer, current: Status) -> list[str]:
    entry = current.entry
    lines = [f"  {entry.label} ({entry.title}, {entry.variant}): {current.describe()}"]
    if (latest := current.latest) is not None:
        lines.append(f"    approved hash {latest.hash[:SHORT]} (v{latest.version}) · "
                     f"current hash {current.hash[:SHORT]} (v{entry.version})")
        changed = current.changed_files()
        if changed:
            lines.append("    changed: " + ", ".join(changed))
    else:
        lines.append(f"    current hash {current.hash[:SHORT]}")
    lines += ["    " + line for line in _specimen_change(renderer, current)]
    return lines


def _specimen_change(renderer: Renderer, current: Status, limit: int = 8) -> list[str]:
    """A few lines of what changed in the specimen's words since the approval."""
    from .diff import excerpt
    from .specimen import Specimens, comparable

    path = approved_text_path(renderer.project.root, current.entry.id)
    if current.latest is None or not path.is_file():
        return []
    try:
        now = Specimens(renderer.project, renderer.templates, renderer.cache).text(current.entry)
    except NoticegenError as exc:
        return [f"(the specimen does not render now: {exc.message})"]
    shown = excerpt(comparable(path.read_text(encoding="utf-8")), now, limit)
    return ["what changed in the specimen's text:", *("  " + s for s in shown)] if shown \
        else ["(the specimen's words are unchanged: layout, style or the Word file's format)"]


def statuses(root: Path, templates: Path | None = None) -> list[Status]:
    """Every template's approval status, in registry order."""
    templates = templates or root / "templates"
    return [status(root, templates, e) for e in review_entries(templates)]


def check_problems(root: Path) -> list[Problem]:
    """approvals.yaml's own problems (syntax, fields), for `noticegen check`."""
    try:
        load_approvals(root)
    except InputError as exc:
        return exc.problems
    return []


__all__ = [
    "Approval",
    "Status",
    "TemplateChanged",
    "TemplateNotApproved",
    "approvals_path",
    "approve",
    "approved_text_path",
    "check_problems",
    "check_seen",
    "content_hash",
    "load_approvals",
    "require_approved",
    "require_batch_approved",
    "status",
    "statuses",
]
