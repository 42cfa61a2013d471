"""Complaints from the public (directive V.A.1): filed through the online form, given a case
number at once (VI.A) and a status link for the complainant; accepted (III.D; an anonymous one
only at the Chief's discretion, V.A.2) or not accepted (III.F), assigned to an officer, and
ranked (III.A, III.E). The complainant's status page is built from `StatusView`, which holds
nothing of the responsible party, the officer's notes or any other complaint."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import StrictBool
from sqlalchemy import Connection, func, insert, select, text

from ..cases import ClosureReason, Complainant
from ..errors import InputError, NotFound, NoticegenError, Problem
from ..models import Day, Identifier, Model, Text
from ..record.db import now, record_blob, utc
from ..record.tables import case_revisions, cases, complaint_events, complaints, people
from ..rules.priority import Priority, complaint_rank
from .app import App
from .uploads import Upload, checked_photos

FORM = "complaint form"
"""Where a problem of the public form is (the field names the input)."""
PHOTOS = 6
"""The most photos one complaint takes."""
PER_HOUR = 20
"""Complaints taken from one network address in an hour; the next is refused (abuse)."""
STATUS_DAYS = 365
"""How long a status link works after the complaint was resolved or not accepted."""
NOT_ACCEPTED: dict[str, tuple[str, str]] = {
    "no_standing": ("III.F.1", "the complainant does not have, or could not show, standing in "
                    "the reported violation"),
    "frivolous": ("III.F.2", "the complaint is frivolous"),
    "retaliatory": ("III.F.2", "the complaint appears to be retaliatory"),
    "history_frivolous": ("III.F.3(a)", "the complainant has a history of frivolous "
                          "complaints"),
    "history_unfounded": ("III.F.3(b)", "the complainant has a history of unfounded "
                          "complaints"),
    "history_retaliatory": ("III.F.3(c)", "the complainant has a history of retaliatory "
                            "complaints"),
    "anonymous": ("V.A.2", "an anonymous complaint the Chief of Police or designee did not "
                  "accept"),
}
"""Why a complaint is not accepted: the directive's rule and its words."""
RESOLVED: dict[str, str] = {
    "no_violation": "the officer found no violation of the City's code",
    "voluntary_compliance": "the property was brought into compliance",
    "convicted_and_corrected": "the violation was corrected after a citation into the "
                               "Municipal Court",
    "deferred_agency_completed": "another agency that took the matter over completed it",
}
"""How a case ended (XIII.B), as the complainant is told it."""
Stage = Literal["received", "not_accepted", "investigating", "resolved"]


class ComplaintForm(Model):
    """What the public form asks (V.A.1, VI.A): the property, what was seen and when, and who
    complains — or that they stay anonymous, which the Chief may accept (V.A.2)."""

    address: Text
    seen: Text
    seen_on: Day
    kind: Identifier | None = None
    """The ordinance the complainant picked from the form's list, if any ("not sure")."""
    anonymous: StrictBool = False
    name: Text | None = None
    phone: Text | None = None
    email: Text | None = None

    def complainant(self) -> Complainant:
        return Complainant(anonymous=True) if self.anonymous else \
            Complainant(name=self.name, phone=self.phone, email=self.email)


class TooManyComplaints(NoticegenError):
    """The address sent PER_HOUR complaints within the hour (the web answers 429)."""


class UnknownComplaint(NotFound):
    """No complaint of that case number."""


@dataclass(frozen=True)
class Filed:
    case_number: str
    token: str
    """The status link's secret (shown once; the record keeps its SHA-256)."""


@dataclass(frozen=True)
class Decision:
    kind: str
    """accepted | not_accepted | assigned"""
    detail: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ComplaintRow:
    """A complaint as the complaint queue shows it (manager and officers: they see the
    complainant, directive V.A.3)."""

    case_number: str
    received: datetime
    address: str
    seen: str
    seen_on: date
    kind: str | None
    kind_title: str | None
    complainant: Complainant
    photos: tuple[str, ...]
    """SHA-256 of each photo sent with it."""
    state: Literal["new", "accepted", "not_accepted", "opened"]
    officer: str | None
    priority: Priority
    decisions: tuple[Decision, ...]


@dataclass(frozen=True)
class StatusView:
    """What a complainant's status page shows: their complaint and where it stands — never
    the responsible party, the officer's notes or another complaint."""

    case_number: str
    received: date
    address: str
    seen: str
    stage: Stage
    words: str
    """The stage as the complainant reads it, with the reason where there is one."""
    since: date


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_place(address: str) -> str:
    """An address compared loosely (case, commas and spacing do not matter)."""
    return " ".join(re.sub(r"[.,#]", " ", address.lower()).split())


def next_case_number(c: Connection, prefix: str, year: int) -> str:
    """The next case number of the year after every one on record (cases and complaints)."""
    if c.dialect.name == "postgresql":  # one allocation at a time (SQLite: the write lock)
        c.execute(text("SELECT pg_advisory_xact_lock(hashtext('noticegen-case-numbers'))"))
    stem = f"{prefix}-{year}-"
    taken = [*c.execute(select(cases.c.case_number).where(cases.c.case_number.like(stem + "%")))
             .scalars(),
             *c.execute(select(complaints.c.case_number)
                        .where(complaints.c.case_number.like(stem + "%"))).scalars()]
    serials = [int(n[len(stem):]) for n in taken if n[len(stem):].isdigit()]
    return f"{stem}{max(serials, default=0) + 1:04d}"


def file_complaint(app: App, form: ComplaintForm, photos: list[Upload], address: str
                   ) -> Filed:
    """Record a complaint from the public with its photos; every problem is refused at once
    and nothing is recorded then."""
    app.ready()
    problems = []
    if form.seen_on > app.today():
        problems.append(Problem(FORM, None, "seen_on", "the date is in the future",
                                "give the day you saw it"))
    if form.kind is not None and form.kind not in app.project.catalog.ordinance_ids:
        problems.append(Problem(FORM, None, "kind", "not one of the listed problems",
                                "pick one from the list, or 'Not sure'"))
    try:
        taken = checked_photos(photos, FORM, "photos", PHOTOS)
    except InputError as exc:
        problems += exc.problems
        taken = []
    if problems:
        raise InputError(problems)
    complainant = form.complainant()
    shas = [app.blobs.put(p.content) for p in taken]  # the files first: a crash leaves no row
    token = secrets.token_urlsafe(32)
    with app.transaction() as (c, actor):
        recent = c.execute(select(func.count()).select_from(complaints).where(
            complaints.c.address == address[:64],
            complaints.c.recorded_at >= now() - timedelta(hours=1))).scalar() or 0
        if recent >= PER_HOUR:
            raise TooManyComplaints(
                f"{PER_HOUR} complaints were sent from this connection within the hour",
                f"try again later, or call {app.project.settings.agency.phone}")
        for upload, sha in zip(taken, shas, strict=True):
            record_blob(c, sha, len(upload.content), "image")
        number = next_case_number(c, app.project.settings.case_prefix, app.today().year)
        data: dict[str, Any] = {
            "address": form.address, "seen": form.seen, "seen_on": form.seen_on.isoformat(),
            "kind": form.kind, "complainant": complainant.model_dump(mode="json",
                                                                     exclude_defaults=True),
            "photos": [{"sha256": sha, "name": _name(p.name)} for p, sha in zip(taken, shas,
                                                                               strict=True)]}
        c.execute(insert(complaints).values(
            case_number=number, token_sha256=digest(token), data=data, address=address[:64],
            actor_id=actor, recorded_at=now()))
    return Filed(number, token)


def _name(name: str) -> str:
    """A sent file's name as kept: its last part, without control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:120] or "photo"


def _rows(c: Connection, number: str | None = None) -> list[Any]:
    query = select(complaints).order_by(complaints.c.id)
    if number is not None:
        query = query.where(complaints.c.case_number == number)
    return list(c.execute(query).mappings())


def _decisions(c: Connection) -> dict[int, list[Decision]]:
    found: dict[int, list[Decision]] = {}
    for row in c.execute(select(complaint_events, people.c.name).join(
            people, people.c.id == complaint_events.c.actor_id)
            .order_by(complaint_events.c.id)).mappings():
        found.setdefault(row["complaint_id"], []).append(
            Decision(row["kind"], _detail(row["kind"], row["data"]), row["name"],
                     utc(row["recorded_at"])))
    return found


def _detail(kind: str, data: dict[str, Any]) -> str:
    if kind == "not_accepted":
        rule, words = NOT_ACCEPTED[data["reason"]]
        return f"{rule}: {words}" + (f" — {data['note']}" if data.get("note") else "")
    if kind == "assigned":
        return data["officer"]
    return data.get("note", "")


def _opened(c: Connection) -> set[str]:
    return set(c.execute(select(case_revisions.c.case_number).distinct()).scalars())


def complaint_queue(app: App) -> list[ComplaintRow]:
    """Every complaint, new ones first by priority (III.A, III.E) then as received (III.B)."""
    app.ready()
    with app.record.read() as c:
        rows = _rows(c)
        decisions = _decisions(c)
        opened = _opened(c)
    places: dict[str, int] = {}
    for row in rows:
        places[same_place(row["data"]["address"])] = \
            places.get(same_place(row["data"]["address"]), 0) + 1
    found = [_row(app, row, decisions.get(row["id"], []), row["case_number"] in opened,
                  places[same_place(row["data"]["address"])] - 1) for row in rows]
    order = {"new": 0, "accepted": 1, "opened": 2, "not_accepted": 3}
    return sorted(found, key=lambda r: (order[r.state], r.priority.tier, r.received))


def _row(app: App, row: Any, decided: list[Decision], opened: bool, others: int
         ) -> ComplaintRow:
    data = row["data"]
    catalog = app.project.catalog
    section = catalog.ordinance(data["kind"]) if data.get("kind") in \
        catalog.ordinance_ids else None
    verdicts = [d for d in decided if d.kind in ("accepted", "not_accepted")]
    assigned = [d for d in decided if d.kind == "assigned"]
    state = "opened" if opened else verdicts[-1].kind if verdicts else "new"
    return ComplaintRow(
        case_number=row["case_number"], received=utc(row["recorded_at"]),
        address=data["address"], seen=data["seen"], seen_on=date.fromisoformat(data["seen_on"]),
        kind=data.get("kind"), kind_title=section.title if section else None,
        complainant=Complainant.model_validate(data["complainant"]),
        photos=tuple(p["sha256"] for p in data["photos"]), state=state,  # type: ignore[arg-type]
        officer=assigned[-1].detail if assigned else None,
        priority=complaint_rank(section.priority if section else None,
                                section.citation if section else None, others),
        decisions=tuple(decided))


def complaint(app: App, number: str) -> ComplaintRow:
    """One complaint as the queue shows it (for the officer's new case from it)."""
    for row in complaint_queue(app):
        if row.case_number == number:
            return row
    raise UnknownComplaint(f"no complaint {number}", "the complaint queue lists them")


class Decide(Model):
    """The manager's or officer's answer to a new complaint."""

    accept: StrictBool
    reason: Identifier | None = None
    """Not accepted: a key of NOT_ACCEPTED."""
    note: Text | None = None
    """Accepted anonymous: the Chief's (or designee's) V.A.2 grounds; else a remark."""


def decide(app: App, number: str, answer: Decide) -> None:
    """Accept the complaint (III.D) or not (III.F), once; an anonymous one is accepted only
    with the V.A.2 grounds in `note`."""
    row = complaint(app, number)
    where = f"complaint {number}"
    if row.state != "new":
        raise NoticegenError(f"complaint {number} was already decided ({row.state})",
                             "the complaint queue shows the decision")
    if answer.accept:
        if row.complainant.anonymous and not answer.note:
            raise InputError([Problem(where, None, "note",
                                      "an anonymous complaint is accepted only at the Chief's "
                                      "discretion (directive V.A.2)",
                                      "write the grounds: its reliability, an imminent threat, "
                                      "how easily it can be verified")])
        kind, data = "accepted", {"note": answer.note} if answer.note else {}
    else:
        if answer.reason not in NOT_ACCEPTED:
            raise InputError([Problem(where, None, "reason",
                                      "a complaint not accepted needs its reason",
                                      "one of: " + ", ".join(NOT_ACCEPTED))])
        kind = "not_accepted"
        data = {"reason": answer.reason} | ({"note": answer.note} if answer.note else {})
    _record(app, number, kind, data)


def assign(app: App, number: str, officer: str) -> None:
    """Assign an accepted complaint to an officer (VII.B)."""
    row = complaint(app, number)
    known = [o.id for o in app.project.settings.officers]
    if officer not in known:
        raise InputError([Problem(f"complaint {number}", None, "officer",
                                  f"no officer '{officer}'", "one of: " + ", ".join(known))])
    if row.state not in ("accepted", "opened"):
        raise NoticegenError(f"complaint {number} is not accepted ({row.state})",
                             "accept it first (directive III.D)")
    _record(app, number, "assigned", {"officer": officer})


def _record(app: App, number: str, kind: str, data: dict[str, Any]) -> None:
    with app.transaction() as (c, actor):
        complaint_id = c.execute(select(complaints.c.id).where(
            complaints.c.case_number == number)).scalar_one()
        c.execute(insert(complaint_events).values(complaint_id=complaint_id, kind=kind,
                                                   data=data, actor_id=actor,
                                                   recorded_at=now()))


def status(app: App, token: str) -> StatusView | None:
    """The complaint whose status link this is, as its complainant may see it; None for a
    wrong token, or one whose complaint ended more than STATUS_DAYS ago."""
    app.ready()
    with app.record.read() as c:
        row = c.execute(select(complaints).where(
            complaints.c.token_sha256 == digest(token))).mappings().first()
        if row is None:
            return None
        decided = c.execute(select(complaint_events.c.kind, complaint_events.c.data,
                                   complaint_events.c.recorded_at).where(
            complaint_events.c.complaint_id == row["id"],
            complaint_events.c.kind.in_(("accepted", "not_accepted")))
            .order_by(complaint_events.c.id)).all()
        latest = c.execute(select(case_revisions.c.data, case_revisions.c.recorded_at).where(
            case_revisions.c.case_number == row["case_number"])
            .order_by(case_revisions.c.revision.desc()).limit(1)).first()
    view = _status(row, decided, latest)
    ended = view.stage in ("resolved", "not_accepted")
    if ended and app.today() - view.since > timedelta(days=STATUS_DAYS):
        return None
    return view


def _status(row: Any, decided: list[Any], latest: Any) -> StatusView:
    data = row["data"]
    base = {"case_number": row["case_number"], "received": utc(row["recorded_at"]).date(),
            "address": data["address"], "seen": data["seen"]}
    closure = latest.data.get("closure") if latest is not None else None
    if closure:
        reason: ClosureReason = closure["reason"]
        return StatusView(**base, stage="resolved", since=date.fromisoformat(closure["on"]),
                          words=f"Resolved: {RESOLVED[reason]}. The case is closed.")
    if decided and decided[-1].kind == "not_accepted":
        rule, words = NOT_ACCEPTED[decided[-1].data["reason"]]
        return StatusView(**base, stage="not_accepted", since=utc(decided[-1].recorded_at)
                          .date(), words=f"Not accepted (directive {rule}): {words}.")
    if latest is not None or decided:
        since = utc(latest.recorded_at if latest is not None else decided[-1].recorded_at)
        return StatusView(**base, stage="investigating", since=since.date(),
                          words="Accepted: an officer is investigating.")
    return StatusView(**base, stage="received", since=base["received"],
                      words="Received: it will be reviewed for acceptance (directive III.D).")
