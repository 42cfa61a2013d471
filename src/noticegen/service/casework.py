"""Cases made and changed through the service (an officer's new case, field report, photos):
each change a new revision of the case, checked as `noticegen check` checks a case file, and
recorded in one transaction with its event and the form's key (a form sent twice counts
once). The same revision tables and events as a case file's import."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from ..cases import Case, case_problems
from ..errors import InputError, NoticegenError, Problem
from ..files import sha256_bytes
from ..glyphs import font_stacks, undrawable_text
from ..project import cross_problems
from ..record.db import now
from ..record.tables import case_revisions, cases
from ..source import Source, validate
from .app import App
from .cases import _insert, _insert_revision, canonical, entry_data, history
from .complaints import next_case_number
from .submissions import receive_once, refuse_seen

Event = tuple[str, datetime, dict[str, Any]]
"""An event of the case's log: kind, when it happened (agency wall clock), its data."""


class CaseChanged(NoticegenError):
    """Someone else recorded a revision of the case since the form was opened."""


@dataclass(frozen=True)
class Revised:
    case_number: str
    revision: int


def checked(app: App, data: dict[str, Any], where: str) -> Case:
    """A case's data (photos by SHA-256, history from its log) checked as `noticegen check`
    checks a case file: every problem at once, by field."""
    source = Source(Path(where), _with_files(app, data))
    case, problems = validate(Case, source)
    if case is not None:
        problems = case_problems(case, source) + cross_problems(
            case, source, app.project.catalog, app.project.settings) + undrawable_text(
            case, font_stacks(app.root / "templates" / "assets"), source)
    if problems:
        raise InputError(problems)
    assert case is not None
    return case


def _with_files(app: App, data: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(canonical(data))
    for violation in copy.get("violations", []):
        violation["photos"] = [{"file": str(app.blobs.path(p["sha256"]))}
                               | ({"caption": p["caption"]} if "caption" in p else {})
                               for p in violation.get("photos", [])]
    return copy


def create(app: App, data: dict[str, Any], events: list[Event], key: str, where: str
           ) -> Revised:
    """A new case (revision 1) with its first events; its case number must be new (or the
    complaint's it is made from). Data without a case number (what an officer saw, V.B) gets
    the year's next one, allocated in the transaction that records the case: two officers
    sending at once get two numbers."""
    app.ready()
    given = data.get("case_number")
    with app.record.read() as c:
        refuse_seen(c, key)
        likely = given or _next_number(app, c)  # (checked with the number it will likely get)
    checked(app, data | {"case_number": likely}, where)
    with app.transaction() as (c, actor):
        number = given or _next_number(app, c)
        if c.execute(select(cases.c.case_number).where(cases.c.case_number == number)).first():
            raise NoticegenError(f"there is already a case {number}",
                                 "open it from its page instead")
        receive_once(c, actor, key, "new_case", {"case_number": number})
        c.execute(insert(cases).values(case_number=number, created_at=now()))
        _write(c, actor, number, 1, data | {"case_number": number}, events, where)
    return Revised(number, 1)


def _next_number(app: App, c: Connection) -> str:
    return next_case_number(c, app.project.settings.case_prefix, app.today().year)


def revise(app: App, number: str, revision: int, change: Callable[[dict[str, Any]], None],
           events: list[Event], key: str, kind: str, where: str) -> Revised:
    """The case's next revision: `change` edits a copy of revision `revision` (the one the
    form was opened on; CaseChanged if another was recorded since)."""
    app.ready()
    with app.record.read() as c:
        refuse_seen(c, key)
        data, now_at = latest(c, number)
        entries = history(c, number)
    if now_at != revision:
        raise CaseChanged(f"case {number} was changed by someone else since this form was "
                          f"opened (revision {revision}, now {now_at})",
                          "reload the page; what you typed is kept in the form")
    change(data)
    checked(app, data | {"history": [entry_data(e) for e in entries]}, where)
    with app.transaction() as (c, actor):
        if latest(c, number)[1] != revision:
            raise CaseChanged(f"case {number} was changed by someone else just now",
                              "send the form again")
        receive_once(c, actor, key, kind, {"case_number": number, "revision": revision + 1})
        _write(c, actor, number, revision + 1, data, events, where)
    return Revised(number, revision + 1)


def latest(c: Connection, number: str) -> tuple[dict[str, Any], int]:
    """The case's latest revision: its data (a copy to change) and its number."""
    row = c.execute(select(case_revisions.c.data, case_revisions.c.revision).where(
        case_revisions.c.case_number == number)
        .order_by(case_revisions.c.revision.desc()).limit(1)).first()
    if row is None:
        from .cases import UnknownCase

        raise UnknownCase(f"no case {number} in the record", "the work queue lists the cases")
    return json.loads(canonical(row.data)), row.revision


def _write(c: Connection, actor: int, number: str, revision: int, data: dict[str, Any],
           events: list[Event], where: str) -> None:
    _insert_revision(c, number, revision, sha256_bytes(canonical(data).encode()), data,
                     [], where, actor)  # the photos' blobs: recorded by whoever stored them
    for kind, at, event in events:
        _insert(c, number, kind, at, event, actor, where)


def problem(where: str, field: str, message: str, hint: str | None = None) -> InputError:
    """One problem of a form, as an InputError."""
    return InputError([Problem(where, None, field, message, hint)])
