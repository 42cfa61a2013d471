"""An officer's field work, recorded from the phone: the report of field investigation
(directive VII.D.3 a–j) as the case's next revision with the site visit added, and an
"inspection" event that carries the whole report; photos attached to a violation with their
captions, and a "photos" event naming them. Both are recorded as the signed-in officer, on a
case assigned to them, once per form (its one-time key).

A photo's capture time is its own (EXIF DateTimeOriginal), read by the renderer that prints
it; a photo without one is "capture time not recorded", never given the time it was sent."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from ..cases import Case, SiteVisit
from ..config import Officer
from ..errors import InputError, NoticegenError, Problem
from ..models import Text
from ..record.db import record_blob
from ..render.photos import PhotoError
from ..rules.deadlines import clock
from ..source import format_loc
from .app import App
from .cases import CaseRecord, load_case
from .casework import Revised, latest, revise
from .dates import parse_moment
from .submissions import refuse_seen
from .uploads import Upload, checked_photos, file_name, shown_copy, upright_file
from .views import File, case_photo

REPORT = "field report"
"""Where a problem of the report form is (the field names the input)."""
PHOTOS_FORM = "photo upload"
LONGEST = 4000
"""The longest text of one field taken (about two pages)."""
PHOTOS_AT_ONCE = 12
"""The most photos one upload takes (a phone's camera roll chooses many at once)."""
SKEW = timedelta(minutes=5)
"""How far ahead of the service's clock a visit time may be (the phone's own clock)."""
_CAPTION: TypeAdapter[str] = TypeAdapter(Text)


class NotAssigned(NoticegenError):
    """The case is another officer's: an officer records only on the cases assigned to them
    (the page answers 403)."""


class WitnessGiven(BaseModel):
    name: str = ""
    statement: str = ""


class ReportForm(BaseModel):
    """The report of field investigation as the officer's form (or the API) sends it, every
    field as typed. The investigator (a) is the signed-in officer, never typed."""

    model_config = ConfigDict(extra="forbid")

    revision: int
    """The case's revision the form was opened on (409 if another was recorded since)."""
    key: str
    """The form's one-time key (GET .../report gives one): sent twice, refused (409)."""
    at: str = ""
    """b. Date and time of the visit, YYYY-MM-DD HH:MM (or YYYY-MM-DDTHH:MM), agency time."""
    place: str = ""
    """b. Place of the visit."""
    violations: list[str] = []
    """c. The ids of the case's violations observed."""
    conditions: str = ""
    """d. The conditions observed: with no violation observed, the explanation."""
    witnesses: list[WitnessGiven] = []
    """e. Witnesses interviewed, each with what they said."""
    evidence: list[str] = []
    """f. Evidence obtained (photographs, measurements and where they were made)."""
    discussions: list[str] = []
    """g. Documented discussions."""
    corrective_action: str = ""
    """h. Action necessary to correct the violation."""
    recommended_action: str = ""
    """i. Recommended enforcement action and timeline."""
    referrals: list[str] = []
    """j. Referrals to other agencies."""


@dataclass(frozen=True)
class Assigned:
    """A case an officer may record on, with the officer as config/agency.yaml has them."""

    record: CaseRecord
    officer: Officer

    @property
    def case(self) -> Case:
        return self.record.case


def assigned(app: App, number: str, officer: str | None) -> Assigned:
    """The case if it is `officer`'s, else NotAssigned naming whose it is."""
    record = load_case(app, number)
    officers = {o.id: o for o in app.project.settings.officers}
    owner = record.case.officer
    if officer is None or officer != owner or officer not in officers:
        named = f"{officers[owner].name} ({owner})" if owner in officers else owner
        raise NotAssigned(f"case {number} is assigned to {named}, not to you",
                          "an officer records on the cases assigned to them; the complaint "
                          "queue assigns cases (directive VII.B)")
    return Assigned(record, officers[officer])


# -- the report of field investigation ---------------------------------------------------------

ASKED = {
    "at": ("give the date and time of the visit", "YYYY-MM-DD HH:MM, the agency's time"),
    "place": ("give the place of the visit", "where the investigation was made from, e.g. "
              "From the public sidewalk in front of the property (VII.D.3.b)"),
    "conditions": ("describe the conditions observed", "what was seen, measured and where "
                   "(VII.D.3.d)"),
    "recommended_action": ("give the recommended enforcement action and its timeline",
                           "e.g. Warning notice; a notice of violation if not corrected within "
                           "10 days (VII.D.3.i)"),
}
"""What a missing required element is told, by field."""


def _text(value: str) -> str | None:
    return value.strip() or None


def _lines(values: list[str]) -> list[str]:
    return [line.strip() for value in values for line in value.splitlines() if line.strip()]


def report_problems(app: App, case: Case, form: ReportForm) -> list[Problem]:
    """Every required element missing and every wrong one, each on its field."""
    found = []

    def refuse(field: str, message: str, hint: str | None = None) -> None:
        found.append(Problem(REPORT, None, field, message, hint))

    for field in ("at", "place", "recommended_action"):
        if _text(getattr(form, field)) is None:
            refuse(field, *ASKED[field])
    if _text(form.conditions) is None:
        if form.violations:
            refuse("conditions", *ASKED["conditions"])
        else:
            refuse("conditions", "no violation is checked as observed: explain the conditions "
                   "observed", "what was found instead, and why it is not a violation "
                   "(VII.D.3.d)")
    if _text(form.at):
        try:
            at = parse_moment(form.at, "at", REPORT)
        except InputError as exc:
            found += exc.problems
        else:
            if at > app.now() + SKEW:
                refuse("at", "the time of the visit is in the future",
                       "give the time the visit was made")
            elif at.date() < case.opened:
                refuse("at", f"the visit is before the case was opened on "
                       f"{case.opened.isoformat()}", "give the time the visit was made")
            elif any(v.at == at and v.place == form.place.strip() for v in case.site_visits):
                refuse("at", "a visit at this time and place is already recorded",
                       "give the time of this visit, or open the case to see the other")
    known = [v.id for v in case.violations]
    for ref in form.violations:
        if ref not in known:
            refuse("violations", f"no violation '{ref}' in this case",
                   "known: " + (", ".join(known) or "none"))
    for index, witness in enumerate(form.witnesses):
        name, statement = _text(witness.name), _text(witness.statement)
        if name and not statement:
            refuse(f"witnesses[{index}].statement", "give what the witness said",
                   "or clear the witness's name")
        if statement and not name:
            refuse(f"witnesses[{index}].name", "give the witness's name",
                   "or clear the statement")
    for field in ("place", "conditions", "corrective_action", "recommended_action"):
        if len(getattr(form, field)) > LONGEST:
            refuse(field, f"longer than the {LONGEST} characters it may be", "shorten it")
    return found


def _visit_data(form: ReportForm) -> dict[str, Any]:
    """The site visit from the form's fields: trimmed, a list one item a line, nothing
    empty."""
    witnesses = [{"name": w.name.strip(), "statement": w.statement.strip()}
                 for w in form.witnesses if _text(w.name) and _text(w.statement)]
    data: dict[str, Any] = {
        "at": parse_moment(form.at, "at", REPORT).isoformat(timespec="minutes"),
        "place": form.place.strip(), "violations": list(dict.fromkeys(form.violations)),
        "conditions": form.conditions.strip(), "witnesses": witnesses,
        "evidence": _lines(form.evidence), "discussions": _lines(form.discussions),
        "corrective_action": _text(form.corrective_action),
        "recommended_action": form.recommended_action.strip(),
        "referrals": _lines(form.referrals)}
    return {k: v for k, v in data.items() if v not in (None, [])}


def _form_field(field: str) -> str:
    """A field of the visit as the form names it: a list typed one item a line is one field
    (`evidence[2]` is the form's `evidence`), a witness's is its row's."""
    if field.startswith(("evidence[", "discussions[", "referrals[", "violations[")):
        return field.split("[", 1)[0]
    return field


def _on_form(problems: list[Problem], index: int) -> list[Problem]:
    """The case's problems with the new visit's own fields named as the form names them
    (`site_visits[3].witnesses[0].name` is the form's `witnesses[0].name`)."""
    prefix = f"site_visits[{index}]."
    return [Problem(REPORT, None, _form_field(p.field[len(prefix):]), p.message, p.hint)
            if p.field.startswith(prefix) else p for p in problems]


def _validated(data: dict[str, Any]) -> SiteVisit:
    """The visit as a case file's SiteVisit (control characters and the like, by field)."""
    try:
        return SiteVisit.model_validate(data)
    except ValidationError as exc:
        raise InputError([Problem(REPORT, None, _form_field(format_loc(tuple(e["loc"]))),
                                  (e.get("ctx") or {}).get("message", e["msg"]),
                                  (e.get("ctx") or {}).get("hint") or None)
                          for e in exc.errors()]) from None


def _refuse_seen(app: App, key: str) -> None:
    """A form received before is refused as such (409) before its fields are looked at: sent
    again from a phone that lost its signal, it would otherwise be told it is a duplicate
    visit."""
    with app.record.read() as c:
        refuse_seen(c, key)


def investigator(officer: Officer) -> dict[str, str]:
    """VII.D.3.a as the event records it."""
    return {"officer": officer.id, "name": officer.name, "badge": officer.badge,
            "title": officer.title}


def record_report(app: App, number: str, officer: str | None, form: ReportForm) -> Revised:
    """The report recorded: the case's next revision with the site visit, and the
    "inspection" event carrying the whole report (the investigator with it), as the acting
    person; every problem at once, and nothing recorded, when an element is missing."""
    app.ready()
    mine = assigned(app, number, officer)
    _refuse_seen(app, form.key)
    if problems := report_problems(app, mine.case, form):
        raise InputError(problems)
    visit = _validated(_visit_data(form))
    data = visit.model_dump(mode="json", exclude_defaults=True)  # as a case file's import has it
    index = len(mine.case.site_visits)
    report = {"investigator": investigator(mine.officer), "revision": form.revision + 1,
              **data}
    try:
        return revise(app, number, form.revision,
                      lambda case: case.setdefault("site_visits", []).append(data),
                      [("inspection", visit.at, report)], form.key, "field_report", REPORT)
    except InputError as exc:
        raise InputError(_on_form(exc.problems, index)) from None


# -- photos -----------------------------------------------------------------------------------

def taken_words(taken: datetime | None) -> str:
    """'taken 3 December 2026 at 10:16 AM', or 'capture time not recorded'."""
    if taken is None:
        return "capture time not recorded"
    return f"taken {taken.day} {taken:%B} {taken.year} at {clock(taken)}"


class PhotoShown(BaseModel):
    sha256: str
    name: str
    caption: str | None
    taken: datetime | None
    """When the photo was taken (its EXIF), in the agency's time zone; None: not recorded."""
    taken_words: str
    url: str
    """The upright copy the pages show."""
    original_url: str


class ViolationPhotos(BaseModel):
    id: str
    title: str
    location: str
    photos: list[PhotoShown]


def _shown(app: App, number: str, photo: dict[str, Any]) -> PhotoShown:
    sha = photo["sha256"]
    taken = shown_copy(app, sha).taken
    return PhotoShown(sha256=sha, name=photo["name"], caption=photo.get("caption"),
                      taken=taken, taken_words=taken_words(taken),
                      url=f"/cases/{number}/photos/{sha}/upright",
                      original_url=f"/cases/{number}/photos/{sha}")


def violation_photos(app: App, mine: Assigned) -> list[ViolationPhotos]:
    """Each violation of the case with its photos as the latest revision has them."""
    with app.record.read() as c:  # the revision's own data: names and captions as sent
        data, _ = latest(c, mine.case.case_number)
    catalog = app.project.catalog
    return [ViolationPhotos(id=v["id"], title=catalog.ordinance(v["ordinance"]).title,
                            location=v["location"],
                            photos=[_shown(app, mine.case.case_number, p)
                                    for p in v.get("photos", [])])
            for v in data.get("violations", [])]


@dataclass(frozen=True)
class PhotosForm:
    """An upload as the form sent it."""

    revision: int
    key: str
    violation: str
    uploads: list[Upload]
    caption: str = ""
    """The caption of every photo of the upload that has none of its own."""
    captions: tuple[str, ...] = ()
    """Each photo's own caption, in the order the photos were chosen (empty: the common one)."""


def _upload_problems(app: App, case: Case, form: PhotosForm) -> tuple[list[Problem],
                                                                      list[Upload]]:
    found = []
    known = [v.id for v in case.violations]
    if not form.violation.strip():
        found.append(Problem(PHOTOS_FORM, None, "violation", "choose the violation the photos "
                             "show", "known: " + (", ".join(known) or "none")))
    elif form.violation not in known:
        found.append(Problem(PHOTOS_FORM, None, "violation", f"no violation "
                             f"'{form.violation}' in this case", "known: " + ", ".join(known)))
    try:
        photos = checked_photos(form.uploads, PHOTOS_FORM, "photos", PHOTOS_AT_ONCE)
    except InputError as exc:
        found += exc.problems
        photos = []
    else:
        if not photos:
            found.append(Problem(PHOTOS_FORM, None, "photos", "choose at least one photo",
                                 "take one with the camera, or choose it from the phone"))
    found += [p for upload in photos if (p := _prepare_problem(app, upload))]
    if photos and len(form.captions) > len(photos):
        found.append(Problem(PHOTOS_FORM, None, "captions", f"{len(form.captions)} captions "
                             f"for {len(photos)} photos", "one line per photo, in the order "
                             "they were chosen"))
    for field, text in (("caption", form.caption), *(("captions", c) for c in form.captions)):
        if len(text) > LONGEST:
            found.append(Problem(PHOTOS_FORM, None, field, f"longer than the {LONGEST} "
                                 "characters it may be", "shorten it"))
        elif text.strip():
            try:
                _CAPTION.validate_python(text)
            except ValidationError as exc:
                said = exc.errors()[0].get("ctx") or {}
                found.append(Problem(PHOTOS_FORM, None, field, said.get("message", "not valid"),
                                     said.get("hint") or None))
    return found, photos


def _prepare_problem(app: App, upload: Upload) -> Problem | None:
    """A photo the renderer cannot print (it decodes the whole image, as the notice will)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "photo"
        source.write_bytes(upload.content)
        try:
            shown_copy(app, source)
        except PhotoError as exc:
            reason = exc.message.split(": ", 1)[-1]
            return Problem(PHOTOS_FORM, None, "photos", f"{upload.name or 'a file'}: {reason}",
                           exc.hint)
    return None


@dataclass(frozen=True)
class Attached:
    revision: Revised
    photos: list[PhotoShown]


def attach_photos(app: App, number: str, officer: str | None, form: PhotosForm) -> Attached:
    """The photos into the blob store and the case's next revision, attached to the violation
    with their captions, and a "photos" event naming each with its own capture time; every
    photo refused with its reason, and nothing recorded, when one cannot be taken."""
    app.ready()
    mine = assigned(app, number, officer)
    _refuse_seen(app, form.key)
    problems, photos = _upload_problems(app, mine.case, form)
    if problems:
        raise InputError(problems)
    shas = [app.blobs.put(p.content) for p in photos]  # the files first: a crash leaves no row
    with app.transaction() as (c, _):
        for upload, sha in zip(photos, shas, strict=True):
            record_blob(c, sha, len(upload.content), "image")
    captions = [(form.captions[i].strip() if i < len(form.captions) else "")
                or form.caption.strip() for i in range(len(photos))]
    entries = [{"sha256": sha, "name": file_name(p.name)} | ({"caption": cap} if cap else {})
               for p, sha, cap in zip(photos, shas, captions, strict=True)]
    shown = [_shown(app, number, e) for e in entries]

    def change(case: dict[str, Any]) -> None:
        violation = next(v for v in case["violations"] if v["id"] == form.violation)
        violation.setdefault("photos", []).extend(entries)

    event = {"violation": form.violation,
             "photos": [{"sha256": s.sha256, "name": s.name, "caption": s.caption,
                         "taken": s.taken.isoformat() if s.taken else None} for s in shown]}
    done = revise(app, number, form.revision, change, [("photos", app.now(), event)],
                  form.key, "photos", PHOTOS_FORM)
    return Attached(done, shown)


def upright(app: App, number: str, sha256: str) -> File:
    """A photo of the case upright (EXIF orientation applied), downscaled to what a page shows
    and as JPEG (a HEIC photo too, which no browser shows)."""
    original = case_photo(app, number, sha256)  # of this case, and whole
    return upright_file(app, sha256, original.name)
