"""Complaints from the public (directive V.A.1): filed through the online form, given a case
number at once (VI.A) and a status link for the complainant; accepted (III.D; an anonymous one
only at the Chief's discretion, V.A.2) or not accepted (III.F), assigned to an officer, and
ranked (III.A, III.E). The complainant's status page is built from `StatusView`, which holds
nothing of the responsible party, the officer's notes or any other complaint."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, StrictBool, StringConstraints, ValidationError
from sqlalchemy import Connection, func, insert, select, text

from ..cases import ClosureReason, Complainant
from ..errors import InputError, NotFound, NoticegenError, Problem
from ..models import Address, Day, Identifier, Model, Text
from ..record.db import now, record_blob, utc
from ..record.tables import case_revisions, cases, complaint_events, complaints, people
from ..rules.priority import Priority, complaint_rank
from .app import App
from .dates import parse_day
from .submissions import receive_once, refuse_seen
from .uploads import Upload, checked_photos, file_name, upright_file
from .views import File, UnknownFile, photo_file

FORM = "complaint form"
"""Where a problem of the public form is (the field names the input)."""
PHOTOS = 6
"""The most photos one complaint takes."""
PER_HOUR = 20
"""Complaints taken from one network address in an hour; the next is refused (abuse)."""
LAST_SERIAL = 99_999
"""A case number's serial has at most five digits (cases.Case.case_number)."""
VERDICTS = ("accepted", "not_accepted")
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
ANONYMOUS_GROUNDS = ("the reliability of the complaint",
                     "whether it alleges an imminent threat to public health and safety or to "
                     "the environment",
                     "how easily agency personnel can verify it")
"""What the Chief of Police or designee weighs to accept an anonymous complaint (V.A.2)."""
RESOLVED: dict[str, str] = {
    "no_violation": "the officer found no violation of the City's code",
    "voluntary_compliance": "the property was brought into compliance",
    "convicted_and_corrected": "the violation was corrected after a citation into the "
                               "Municipal Court",
    "deferred_agency_completed": "another agency that took the matter over completed it",
}
"""How a case ended (XIII.B), as the complainant is told it."""
Stage = Literal["received", "not_accepted", "investigating", "resolved"]


Short = Annotated[Text, StringConstraints(max_length=120)]
"""A name, a phone number, an email address, an address line."""
SEEN_LIMIT = 4000
"""The longest description taken (about two pages)."""


class ComplaintForm(Model):
    """What the public form asks (V.A.1, VI.A): the property, what was seen and when, and who
    complains with how to reach them (III.D.2) — or that they stay anonymous, which the Chief
    may accept (V.A.2). The mailing address (for the letter when the case is resolved,
    XIII.C) is optional, and is given whole or not at all."""

    address: Annotated[Text, StringConstraints(max_length=200)]
    seen: Annotated[Text, StringConstraints(max_length=SEEN_LIMIT)]
    seen_on: Day
    kind: Identifier | None = None
    """The ordinance the complainant picked from the form's list, if any ("not sure")."""
    anonymous: StrictBool = False
    name: Short | None = None
    phone: Short | None = None
    email: Short | None = None
    mail_street: Short | None = None
    mail_city: Short | None = None
    mail_state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"),
                          BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v)
                          ] | None = None
    mail_zip: Annotated[str, StringConstraints(pattern=r"^\d{5}(-\d{4})?$")] | None = None

    @property
    def mailing_address(self) -> Address | None:
        parts = (self.mail_street, self.mail_city, self.mail_state, self.mail_zip)
        if None in parts:
            return None
        return Address(lines=[self.mail_street], city=self.mail_city, state=self.mail_state,
                       zip=self.mail_zip)

    def complainant(self) -> Complainant:
        return Complainant(anonymous=True) if self.anonymous else \
            Complainant(name=self.name, phone=self.phone, email=self.email,
                        mailing_address=self.mailing_address)


MAILING = ("mail_street", "mail_city", "mail_state", "mail_zip")
CONTACT = ("name", "phone", "email", *MAILING)
ASKED = {
    "address": ("give the property's address", "its street number and street, e.g. 512 N "
                "Britton St"),
    "seen": ("describe what you saw", "what is wrong at the property, and where on it"),
    "seen_on": ("give the day you saw it", "the date as YYYY-MM-DD"),
    "mail_street": ("give the street of your mailing address", "or leave the whole mailing "
                    "address empty"),
    "mail_city": ("give the city of your mailing address", "or leave the whole mailing "
                  "address empty"),
    "mail_state": ("give the state of your mailing address", "two letters, e.g. TX"),
    "mail_zip": ("give the ZIP code of your mailing address", "5 digits, e.g. 75489"),
}
"""What a missing or blank answer is told, by field."""
PATTERNS = {"mail_state": ("not a state", "two letters, e.g. TX"),
            "mail_zip": ("not a ZIP code", "5 digits, or 5 digits, a dash and 4 more"),
            "kind": ("not one of the listed problems", "pick one from the list, or 'Not sure'"),
            "reason": ("not one of the reasons of directive III.F", "pick one from the list")}


def _cleaned(given: dict[str, Any]) -> dict[str, Any]:
    """The form as sent (the page's fields, or the API's JSON): empty answers left out, the
    anonymous box as yes/no."""
    data = {k: v.strip() if isinstance(v, str) else v for k, v in given.items()}
    data = {k: v for k, v in data.items() if v not in ("", None)}
    if isinstance(data.get("anonymous"), str):
        data["anonymous"] = data["anonymous"].lower() in ("on", "yes", "true", "1")
    return data


def _problem(error: Any, where: str) -> Problem:
    field = str(error["loc"][0]) if error["loc"] else "form"
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in ("missing", "string_too_short") and field in ASKED:
        message, hint = ASKED[field]
    elif "hint" in ctx:  # the date's own words
        message, hint = ctx["message"], ctx["hint"] or None
    elif kind in ("string_too_long", "too_long"):
        message, hint = f"longer than the {ctx['max_length']} characters it may be", \
            "shorten it"
    elif kind == "string_pattern_mismatch" and field in PATTERNS:
        message, hint = PATTERNS[field]
    elif kind == "extra_forbidden":
        message, hint = "not a field of the complaint form", \
            "known fields: " + ", ".join(ComplaintForm.model_fields)
    else:
        message, hint = error["msg"], None
    return Problem(where, None, field, message, hint)


def form_problems(app: App, form: ComplaintForm) -> list[Problem]:
    """What the form's fields cannot say alone: the date, the problem picked, and a
    complainant the division can reach (III.D.2) — or one who stays anonymous (V.A.2)."""
    found = []
    seen_on = getattr(form, "seen_on", None)  # (not in a form whose date was wrong)
    if seen_on is not None and seen_on > app.today():
        found.append(Problem(FORM, None, "seen_on", "the date is in the future",
                             "give the day you saw it"))
    if form.kind is not None and form.kind not in app.project.catalog.ordinance_ids:
        found.append(Problem(FORM, None, "kind", *PATTERNS["kind"]))
    if form.anonymous:
        if any(getattr(form, f) is not None for f in CONTACT):
            found.append(Problem(FORM, None, "anonymous", "you chose to stay anonymous, and "
                                 "also gave your name or how to reach you",
                                 "clear them, or untick 'stay anonymous'"))
        return found
    if form.name is None:
        found.append(Problem(FORM, None, "name", "give your name, or choose to stay "
                             "anonymous", "a complaint needs a complainant the division can "
                             "reach (directive III.D.2)"))
    given = [f for f in MAILING if getattr(form, f) is not None]
    if given:
        found += [Problem(FORM, None, f, *ASKED[f]) for f in MAILING if f not in given]
    if form.email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", form.email):
        found.append(Problem(FORM, None, "email", "not an email address",
                             "e.g. name@example.com"))
    if form.phone is not None and len(re.sub(r"\D", "", form.phone)) < 7:
        found.append(Problem(FORM, None, "phone", "not a phone number",
                             "the number with its area code, e.g. (903) 555-0147"))
    if form.phone is None and form.email is None and not given:
        found.append(Problem(FORM, None, "phone", "give a phone number, an email address or "
                             "a mailing address", "the division must be able to reach you "
                             "(directive III.D.2)"))
    return found


class TooManyComplaints(NoticegenError):
    """The address sent PER_HOUR complaints within the hour (the web answers 429)."""


class AlreadyDecided(NoticegenError):
    """A complaint is accepted or not once (the web answers 409)."""


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
    return following(taken, stem)


def following(taken: Iterable[str], stem: str) -> str:
    """The case number after the highest of those taken that start with `stem` (others are
    another prefix's or year's)."""
    serials = [int(n[len(stem):]) for n in taken
               if n.startswith(stem) and n[len(stem):].isdigit()]
    serial = max(serials, default=0) + 1
    if serial > LAST_SERIAL:
        raise NoticegenError(f"the case numbers {stem}… are used up ({LAST_SERIAL} of them)",
                             "set another case_prefix in config/agency.yaml")
    return f"{stem}{serial:04d}"


def file_complaint(app: App, form: ComplaintForm, photos: list[Upload], address: str,
                   key: str | None = None) -> Filed:
    """Record a complaint from the public with its photos; every problem is refused at once
    and nothing is recorded then. `key`: the form's one-time key (the same form sent twice is
    refused with AlreadyReceived); `address`: where it came from, for the hourly limit."""
    app.ready()
    problems = form_problems(app, form)
    try:
        taken = checked_photos(photos, FORM, "photos", PHOTOS)
    except InputError as exc:
        problems += exc.problems
        taken = []
    if problems:
        raise InputError(problems)
    complainant = form.complainant()
    _refuse_seen(app, key)
    with app.record.read() as c:  # before any photo is stored
        _refuse_flood(app, c, address)
    shas = [app.blobs.put(p.content) for p in taken]  # the files first: a crash leaves no row
    token = secrets.token_urlsafe(32)
    with app.transaction() as (c, actor):
        _refuse_flood(app, c, address)
        for upload, sha in zip(taken, shas, strict=True):
            record_blob(c, sha, len(upload.content), "image")
        number = next_case_number(c, app.project.settings.case_prefix, app.today().year)
        if key is not None:
            receive_once(c, actor, key, "complaint", {"case_number": number})
        data: dict[str, Any] = {
            "address": form.address, "seen": form.seen, "seen_on": form.seen_on.isoformat(),
            "kind": form.kind, "complainant": complainant.model_dump(mode="json",
                                                                     exclude_defaults=True),
            "photos": [{"sha256": sha, "name": file_name(p.name)} for p, sha in zip(taken, shas,
                                                                               strict=True)]}
        c.execute(insert(complaints).values(
            case_number=number, token_sha256=digest(token), data=data, address=address[:64],
            actor_id=actor, recorded_at=now()))
    return Filed(number, token)


def file_form(app: App, given: dict[str, Any], photos: list[Upload], address: str,
              key: str | None = None) -> Filed:
    """The complaint as a form or the API sent it, filed. Every problem is told at once, each
    on its field in plain words: a field that is wrong in itself, and what the others say
    together (a complainant who cannot be reached), and the photos."""
    data = _cleaned(given)
    try:
        form = ComplaintForm.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(e, FORM) for e in exc.errors()]
        bad = {p.field for p in problems}
        rest = {k: v for k, v in data.items() if k in ComplaintForm.model_fields
                and k not in bad}  # each valid by itself (the date not yet read)
        if "seen_on" in rest:
            rest["seen_on"] = parse_day(str(rest["seen_on"]), "seen_on", FORM)
        problems += [p for p in form_problems(app, ComplaintForm.model_construct(**rest))
                     if p.field not in bad]
        try:
            checked_photos(photos, FORM, "photos", PHOTOS)
        except InputError as refused:
            problems += refused.problems
        raise InputError(problems) from None
    return file_complaint(app, form, photos, address, key)


def _refuse_flood(app: App, c: Connection, address: str) -> None:
    """TooManyComplaints when the address sent PER_HOUR complaints within the hour."""
    recent = c.execute(select(func.count()).select_from(complaints).where(
        complaints.c.address == address[:64],
        complaints.c.recorded_at >= now() - timedelta(hours=1))).scalar() or 0
    if recent >= PER_HOUR:
        raise TooManyComplaints(
            f"{PER_HOUR} complaints were sent from this connection within the hour; no more "
            "are taken from it for now",
            f"try again in an hour, or call {app.project.settings.agency.phone}")


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
    refused = {i for i, made in decisions.items()
               if [d.kind for d in made if d.kind in VERDICTS][-1:] == ["not_accepted"]}
    who: dict[str, set[str]] = {}  # the complainants of each place's complaints in force
    for row in rows:
        if row["id"] not in refused:
            who.setdefault(same_place(row["data"]["address"]), set()).add(_who(row))
    found = [_row(app, row, decisions.get(row["id"], []), row["case_number"] in opened,
                  len(who.get(same_place(row["data"]["address"]), set()) - {_who(row)}))
             for row in rows]
    order = {"new": 0, "accepted": 1, "opened": 2, "not_accepted": 3}
    return sorted(found, key=lambda r: (order[r.state], r.priority.tier, r.received))


def _who(row: Any) -> str:
    """Who complained, compared loosely; each anonymous complaint counts as its own person."""
    person = row["data"]["complainant"]
    if person.get("anonymous"):
        return f"anonymous #{row['id']}"
    return " ".join(str(person.get(k) or "").lower() for k in ("name", "phone", "email"))


def _row(app: App, row: Any, decided: list[Decision], opened: bool, others: int
         ) -> ComplaintRow:
    data = row["data"]
    catalog = app.project.catalog
    section = catalog.ordinance(data["kind"]) if data.get("kind") in \
        catalog.ordinance_ids else None
    verdicts = [d for d in decided if d.kind in VERDICTS]
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


def complaint_photo(app: App, number: str, sha256: str) -> File:
    """A photo sent with the complaint, from the blob store, typed as a case's photo is (by
    what its bytes are, never by the name it was sent with)."""
    app.ready()
    with app.record.read() as c:
        data = c.execute(select(complaints.c.data).where(
            complaints.c.case_number == number)).scalar()
    name = next((p["name"] for p in (data or {}).get("photos", []) if p["sha256"] == sha256),
                None)
    if name is None:
        raise UnknownFile(f"complaint {number} has no photo {sha256[:16]}",
                          "the complaint's page shows its photos")
    return photo_file(app.blobs.read(sha256), name)


def complaint_photo_upright(app: App, number: str, sha256: str) -> File:
    """A photo sent with the complaint as its pages show it: upright, small, JPEG."""
    return upright_file(app, sha256, complaint_photo(app, number, sha256).name)


class Decide(Model):
    """The manager's or officer's answer to a new complaint."""

    accept: StrictBool
    reason: Identifier | None = None
    """Not accepted: a key of NOT_ACCEPTED."""
    note: Annotated[Text, StringConstraints(max_length=SEEN_LIMIT)] | None = None
    """Accepted anonymous: the Chief's (or designee's) V.A.2 grounds; else a remark."""


def read_decision(number: str, accept: bool, reason: str, note: str) -> Decide:
    """A decision as a form sent it (empty answers left out), or its problems by field."""
    given = {"accept": accept, "reason": reason.strip() or None, "note": note.strip() or None}
    try:
        return Decide.model_validate(given)
    except ValidationError as exc:
        raise InputError([_problem(e, f"complaint {number}") for e in exc.errors()]) from None


def decide(app: App, number: str, answer: Decide, key: str | None = None) -> None:
    """Accept the complaint (III.D) or not (III.F), once; an anonymous one is accepted only
    with the V.A.2 grounds in `note`. `key`: the form's one-time key."""
    _refuse_seen(app, key)
    row = complaint(app, number)
    where = f"complaint {number}"
    if row.state != "new":
        raise AlreadyDecided(f"complaint {number} was already decided ({row.state})",
                             "the complaint queue shows the decision")
    if answer.accept:
        if row.complainant.anonymous and not answer.note:
            raise InputError([Problem(where, None, "note",
                                      "an anonymous complaint is accepted only at the Chief's "
                                      "discretion (directive V.A.2)",
                                      "write the grounds: " + "; ".join(ANONYMOUS_GROUNDS))])
        kind, data = "accepted", {"note": answer.note} if answer.note else {}
    else:
        if answer.reason not in NOT_ACCEPTED:
            raise InputError([Problem(where, None, "reason",
                                      "a complaint not accepted needs its reason",
                                      "one of: " + ", ".join(NOT_ACCEPTED))])
        kind = "not_accepted"
        data = {"reason": answer.reason} | ({"note": answer.note} if answer.note else {})
    _record(app, number, kind, data, key)


def assign(app: App, number: str, officer: str, key: str | None = None) -> None:
    """Assign an accepted complaint to an officer (VII.B); again to another, if need be."""
    _refuse_seen(app, key)
    row = complaint(app, number)
    known = [o.id for o in app.project.settings.officers]
    if officer not in known:
        raise InputError([Problem(f"complaint {number}", None, "officer",
                                  f"no officer '{officer}'", "one of: " + ", ".join(known))])
    if row.state not in ("accepted", "opened"):
        raise NoticegenError(f"complaint {number} is not accepted ({row.state})",
                             "accept it first (directive III.D)")
    _record(app, number, "assigned", {"officer": officer}, key)


def _refuse_seen(app: App, key: str | None) -> None:
    """A form sent again is the same form, whatever happened since: AlreadyReceived first."""
    if key is not None:
        app.ready()
        with app.record.read() as c:
            refuse_seen(c, key)


def _record(app: App, number: str, kind: str, data: dict[str, Any], key: str | None
            ) -> None:
    """The decision, with the form's key; a verdict only while there is none (two people
    answering the same complaint at once: the second is refused)."""
    with app.transaction() as (c, actor):
        complaint_id = c.execute(select(complaints.c.id).where(
            complaints.c.case_number == number)).scalar_one()
        if kind != "assigned" and c.execute(select(complaint_events.c.kind).where(
                complaint_events.c.complaint_id == complaint_id,
                complaint_events.c.kind.in_(("accepted", "not_accepted")))).first():
            raise AlreadyDecided(f"complaint {number} was decided by someone else just now",
                                 "the complaint's page shows the decision")
        if key is not None:
            receive_once(c, actor, key, "complaint_assignment" if kind == "assigned" else
                         "complaint_decision", {"case_number": number})
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
