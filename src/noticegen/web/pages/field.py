"""The officer's pages, made for a phone: their cases (by priority, with what is due next and a
map link to each property), one case with big buttons to the field work, and the new case
form — from a complaint assigned to them or from what they saw (V.B) — whose violations are
picked from a search of the ordinance catalog, each showing the deadline it will get. Each
with its /api/ twin.

The form works without script too: "Add another party", "Search", "Pick" and "Remove" are
submit buttons the form's own POST answers by showing the form again, changed and with
nothing recorded. With htmx, "Add another party" and "Pick" fetch their fieldset instead
(the next number in a hidden field the answer updates), the search answers as one types,
and static/field.js removes a fieldset in place."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ...errors import InputError, NotFound, NoticegenError, Problem
from ...service import App
from ...service.field import (
    ROLES,
    WHERE,
    FieldCase,
    Found,
    MyCases,
    NewCase,
    PartyForm,
    blank_form,
    field_case,
    my_cases,
    open_case,
    openable,
    picked,
    read_form,
    reported,
    search,
    with_violation,
    without,
)
from ...service.people import SEES_COMPLAINANT, SignedIn
from ...service.submissions import AlreadyReceived, new_key
from ..answers import page, status_of
from ..auth import OFFICER, READERS, Forbidden, acting, allow

router = APIRouter()
ACTIONS = ("pick", "more", "remove", "search")
"""The form's buttons that change the form instead of sending it."""


class NotLinkedToOfficer(Forbidden):
    """An account of role officer that names no officer of config/agency.yaml."""


class Opened(BaseModel):
    case_number: str
    revision: int
    url: str
    """The case's page for the officer."""


def _officer(request: Request) -> str:
    person: SignedIn = request.state.person
    if person.officer is None:
        raise NotLinkedToOfficer(
            f"the account {person.name} is not linked to an officer",
            "an administrator links it: noticegen users add NAME --role officer --officer ID")
    return person.officer


def _sees(request: Request) -> bool:
    return request.state.person.role in SEES_COMPLAINANT


# -- my cases, one case ------------------------------------------------------------------

def _mine(request: Request) -> MyCases:
    app = acting(request)
    return my_cases(app, _officer(request), app.today())


@router.get("/field", dependencies=[Depends(allow(*OFFICER))])
def home(request: Request) -> Response:
    return page(request, "field_home.html", mine=_mine(request))


@router.get("/api/field", dependencies=[Depends(allow(*OFFICER))])
def api_home(request: Request) -> MyCases:
    """The signed-in officer's open cases in priority order (III.A, III.E, III.B), each with
    what is due next and when and a `geo:` map link; and the accepted complaints assigned to
    them that have no case yet."""
    return _mine(request)


def _case(request: Request, number: str) -> FieldCase:
    _officer(request)
    app = acting(request)
    return field_case(app, number, _sees(request), app.today())


@router.get("/field/cases/{case_number}", dependencies=[Depends(allow(*OFFICER))])
def case_page(request: Request, case_number: str) -> Response:
    return page(request, "field_case.html", field=_case(request, case_number))


@router.get("/api/field/cases/{case_number}", dependencies=[Depends(allow(*OFFICER))])
def api_case(request: Request, case_number: str) -> FieldCase:
    """One case as the officer's phone page shows it: the case page's facts (with the
    complainant), the map link, what is due next, each violation's deadline."""
    return _case(request, case_number)


# -- the ordinance catalog ---------------------------------------------------------------

@router.get("/field/ordinances", dependencies=[Depends(allow(*OFFICER))])
def ordinances(request: Request, q: str = "") -> Response:
    """The search's results (a fragment of the new case form)."""
    return page(request, "field_search.html", q=q.strip(), results=search(acting(request), q))


@router.get("/api/ordinances", dependencies=[Depends(allow(*READERS))])
def api_ordinances(request: Request, q: str = "") -> list[Found]:
    """Sections of the ordinance catalog whose id, citation, title or summary hold every word
    of `q` ('34-2', 'grass'), an exact section number first; each with the catalog's deadline
    and the deadline it gives if served in person now."""
    return search(acting(request), q)


# -- the new case form -------------------------------------------------------------------

def _form(request: Request, form: NewCase, row: Any = None, *, status: int = 200,
          problems: list[Problem] | None = None, alert: NoticegenError | None = None,
          q: str = "") -> Response:
    app = acting(request)
    errors: dict[str, list[Problem]] = {}
    for p in problems or []:
        errors.setdefault(p.field or "form", []).append(p)
    return page(request, "field_new.html", status=status, form=form, row=row, errors=errors,
                alert=alert, q=q, results=search(app, q) if q.strip() else [],
                picked=picked(app, form), roles=ROLES, here=WHERE,
                labels={name: _label(name, form, app) for name in errors})


def _label(name: str, form: NewCase, app: App) -> str:
    """A field as the list of problems names it."""
    group, _, rest = name.partition("-")
    index, _, field = rest.partition("-")
    words = field.replace("_", " ").replace("street2", "street, second line")
    if group == "parties" and index.isdigit():
        return f"Responsible party {int(index) + 1}: {words}"
    if group == "violations" and index.isdigit():
        ordinance = form.violations[int(index)].ordinance if int(index) < len(
            form.violations) else ""
        title = app.project.catalog.ordinance(ordinance).title \
            if ordinance in app.project.catalog.ordinance_ids else ordinance
        return f"Violation {int(index) + 1} ({title}): {words}"
    return {"parcel_id": "Parcel id", "street2": "Street, second line", "zip": "ZIP code",
            "violations": "Violations"}.get(name, name.replace("_", " ").capitalize())


def _row(request: Request, form: NewCase) -> Any:
    """The complaint the form opens a case from (None for an observation)."""
    return openable(acting(request), _officer(request), form.complaint) \
        if form.complaint else None


@router.get("/field/new", dependencies=[Depends(allow(*OFFICER))])
def new_form(request: Request, complaint: str | None = None) -> Response:
    """The form; from a complaint, the catalog already searched for what it reported."""
    app = acting(request)
    form, row = blank_form(app, _officer(request), complaint)
    return _form(request, form, row, q=reported(app, row))


@router.post("/field/new", dependencies=[Depends(allow(*OFFICER))])
async def new_send(request: Request) -> Response:
    """The case recorded: to its page; a problem is shown on the form beside its field, with
    what was typed. The form's own buttons (add a party, search, pick, remove) show it again
    changed, recording nothing."""
    officer = _officer(request)
    sent = await request.form()
    fields = {k: v for k, v in sent.items() if isinstance(v, str)}
    form = read_form(fields)
    q = fields.get("q", "")
    action = next((a for a in ACTIONS if a in fields), None)
    if action is not None:
        return await run_in_threadpool(_changed, request, form, action, fields[action], q)
    form = form.kept()
    try:
        done = await run_in_threadpool(open_case, acting(request), officer, form)
    except AlreadyReceived as exc:
        return page(request, "field_new.html", status=409, received=exc,
                    number=exc.result.get("case_number"))
    except NotFound:
        raise
    except NoticegenError as exc:
        return await run_in_threadpool(_refused, request, form, exc, q)
    return RedirectResponse(f"/field/cases/{done.case_number}", 303)


def _refused(request: Request, form: NewCase, exc: NoticegenError, q: str) -> Response:
    """The form again, with the problems beside their fields (or the refusal above it)."""
    problems = exc.problems if isinstance(exc, InputError) else None
    try:
        row = _row(request, form)
    except NoticegenError:
        row = None  # (the refusal says why)
    return _form(request, form, row, status=status_of(exc), problems=problems,
                 alert=None if problems else exc, q=q)


def _changed(request: Request, form: NewCase, action: str, value: str, q: str) -> Response:
    if action == "pick":
        form = with_violation(acting(request), form, value)
    elif action == "more":
        form = form.model_copy(update={"parties": [*form.parties, PartyForm()]})
    elif action == "remove":
        form = without(form, value)
    return _form(request, form, _row(request, form), q=q)


@router.get("/field/new/party", dependencies=[Depends(allow(*OFFICER))])
def party_fragment(request: Request, next_party: int = 1) -> Response:
    """One more responsible party's fieldset (htmx), numbered `next_party`."""
    return page(request, "field_party.html", index=max(0, min(next_party, 99)),
                party=PartyForm(), roles=ROLES, errors={}, here=WHERE)


@router.get("/field/new/violation", dependencies=[Depends(allow(*OFFICER))])
def violation_fragment(request: Request, pick: str = "", next_violation: int = 0
                       ) -> Response:
    """The fieldset of a violation of the section picked (htmx), numbered
    `next_violation`."""
    app = acting(request)
    form = with_violation(app, NewCase(), pick)
    return page(request, "field_violation.html", index=max(0, min(next_violation, 99)),
                violation=form.violations[0], picked=picked(app, form), errors={},
                here=WHERE)


@router.post("/api/field/cases", dependencies=[Depends(allow(*OFFICER))], status_code=201)
def api_new(request: Request, body: NewCase) -> Opened:
    """Open a case as the new case form does: from the accepted complaint `complaint` (its
    case number), else from what the officer saw (V.B, the next case number). 422 with one
    problem per field (named as the form names them: `parcel_id`, `parties-0-name`,
    `violations-1-description`); 409 for a `key` already received (the answer's hint says
    so; any random text of up to 64 characters serves, `new_key` by default)."""
    form = body if body.key else body.model_copy(update={"key": new_key()})
    done = open_case(acting(request), _officer(request), form)
    return Opened(case_number=done.case_number, revision=done.revision,
                  url=f"/field/cases/{done.case_number}")
