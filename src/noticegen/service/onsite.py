"""Issuing on site, from the officer's phone: a warning notice on door-hanger stock or a stop
work order, served as the officer says (handed to the person, left on the door, posted at the
site) and printed so, dated now on the agency's clock. Only the case's own officer issues
it: the document prints their name and badge. The form carries a one-time key, recorded with
the document, so a double tap (or a phone that sent the form again) issues it once."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select

from ..cases import Case
from ..errors import InputError, NotFound, NoticegenError, Problem
from ..record.tables import documents
from ..rules import next_steps
from ..rules.deadlines import local
from ..rules.serving import SERVED, service_name
from .app import App
from .cases import load_case
from .issue import issue
from .queue import Option
from .submissions import KEY_LENGTH, new_key, refuse_seen
from .views import registry

ON_SITE = {"warning": ("Warning notice (door hanger)", "door-hanger"),
           "stop-work": ("Stop work order", None)}
"""The documents issued on site: their name on the form, and the variant each is printed on
(the warning on door-hanger stock; the stop work order on its posting)."""
SERVICES = {"in-person": "Handed to the person", "left-at-door": "Left on the door",
            "posted": "Posted at the site"}
"""How the officer serves it, as the form says it (rules/serving.py's methods)."""
FORM = "form"


class NotTheirCase(NoticegenError):
    """An officer asking to issue a document of a case assigned to another officer, or an
    account linked to no officer (the page answers 403)."""


class DocumentChoice(BaseModel):
    doc_type: str
    """warning | stop-work"""
    title: str
    allowed: bool
    reasons: list[str]
    """Why the ladder allows it now, or the rules that refuse it."""
    services: list[Option]
    """How it may be served, as the form says it."""


class OnSiteForm(BaseModel):
    """What the officer's form offers for one case."""

    case_number: str
    address: str
    officer_name: str
    badge: str
    """Printed on the document: the case's officer's, who alone may issue it."""
    documents: list[DocumentChoice]
    recipients: list[Option]
    services: list[Option]
    """Every way any of the documents allowed now may be served."""
    key: str
    """The form's one-time key: send it with the request (sent twice, it is refused)."""
    now: datetime
    """The agency's wall clock: the date and time the document is issued at."""


class OnSiteRequest(BaseModel):
    """One document to issue on site, as the officer's form (or an API client) sends it."""

    document: str
    """warning (on door-hanger stock) or stop-work."""
    recipient: str | None = None
    """The responsible party's id (needed when the case has more than one)."""
    service: str | None = None
    """in-person, left-at-door (a warning) or posted (a stop work order)."""
    key: str | None = None
    """The one-time key of GET's answer; without one, nothing guards against a request sent
    twice."""


class OnSiteIssued(BaseModel):
    document_id: str
    case_number: str
    title: str
    recipient: str
    """The party's name, as the document prints it."""
    service: str
    served: str
    """How it was served, in the words of rules/serving.py."""
    deadline: str | None
    issued_at: datetime
    """The agency's wall-clock time it is dated."""
    url: str
    """The PDF, shown inline (the phone's viewer prints it)."""


def on_site_form(app: App, number: str, officer: str | None) -> OnSiteForm:
    """The form for the case's officer: each document with the ladder's say on it today."""
    case = load_case(app, number).case
    _assigned(app, case, officer)
    documents = _choices(app, case)
    allowed = {s.value for d in documents if d.allowed for s in d.services}
    settings = app.project.settings
    return OnSiteForm(
        case_number=case.case_number, address=case.property.address.one_line(),
        officer_name=settings.officer(case.officer).name,
        badge=settings.officer(case.officer).badge, documents=documents,
        recipients=[Option(value=p.id, label=f"{p.name} ({p.role})")
                    for p in case.responsible_parties],
        services=[Option(value=v, label=label) for v, label in SERVICES.items()
                  if v in allowed],
        key=new_key(), now=app.now())


def issue_on_site(app: App, number: str, officer: str | None, req: OnSiteRequest
                  ) -> OnSiteIssued:
    """Issue the document as the officer asked, dated now and recorded as theirs. A form
    sent again is refused first (AlreadyReceived), whatever changed since; then another
    officer's case (NotTheirCase); then each missing or wrong choice, by its field
    (InputError); the ladder and the city attorney's approval are issue()'s to refuse."""
    key = req.key.strip() if req.key is not None else None
    if key is not None:
        if not 0 < len(key) <= KEY_LENGTH:
            raise NoticegenError("the form has no valid key", "reload the page and fill it again")
        with app.record.read() as c:
            refuse_seen(c, key)
    case = load_case(app, number).case
    _assigned(app, case, officer)
    recipient = (req.recipient or "").strip() or None
    service = (req.service or "").strip() or None
    problems = _problems(app, case, req.document, recipient, service)
    if problems:
        raise InputError(problems)
    done = issue(app, req.document, number, app.now(), recipient=recipient,
                 variant=ON_SITE[req.document][1], service=service, key=key)
    doc = done.document
    return _issued(app, case, doc.document_id, doc.title, doc.recipient_id, doc.delivery,
                   doc.deadline.wording if doc.deadline else None, doc.issued)


def issued_on_site(app: App, number: str, document_id: str) -> OnSiteIssued:
    """A document issued in the case, as the page that confirms it shows it."""
    case = load_case(app, number).case
    with app.record.read() as c:
        row = c.execute(select(documents).where(
            documents.c.id == document_id, documents.c.case_number == number,
            documents.c.document_type.in_(ON_SITE))).mappings().first()
    if row is None:
        raise NotFound(f"{number} has no warning notice or stop work order {document_id}",
                       "the case page lists its documents")
    title = registry(app).get(row["document_type"]).title
    return _issued(app, case, row["id"], title, row["recipient"], row["delivery"],
                   row["deadline"], row["issued_at"])


def _issued(app: App, case: Case, doc_id: str, title: str, party: str, delivery: str,
            deadline: str | None, issued_at: datetime) -> OnSiteIssued:
    method = service_name(delivery)
    return OnSiteIssued(
        document_id=doc_id, case_number=case.case_number, title=title,
        recipient=case.party(party).name, service=method, served=SERVED[method],
        deadline=deadline,
        issued_at=local(issued_at, app.project.settings.zone).replace(tzinfo=None),
        url=f"/documents/{doc_id}")


def _assigned(app: App, case: Case, officer: str | None) -> None:
    """Only the case's officer issues its documents on site: they print that officer's name
    and badge (directive VIII.A.2.b, VIII.B.2.f)."""
    assigned = app.project.settings.officer(case.officer)
    if officer is None:
        raise NotTheirCase("this account is not linked to an officer",
                           "an administrator links it: noticegen users add NAME --role "
                           "officer --officer ID")
    if officer != case.officer:
        raise NotTheirCase(
            f"{case.case_number} is assigned to {assigned.name} (Badge No. {assigned.badge}): "
            "only they may issue its documents, which print their name and badge",
            "ask a manager to assign the case to you first, or leave it to its officer")


def _choices(app: App, case: Case) -> list[DocumentChoice]:
    reg = registry(app)
    steps = {s.name: s for s in next_steps(case, app.project.catalog, app.project.settings,
                                           app.today())}
    found = []
    for doc_type, (title, _) in ON_SITE.items():
        kind = reg.get(doc_type)
        step = steps[kind.step]
        found.append(DocumentChoice(
            doc_type=doc_type, title=title, allowed=step.allowed, reasons=list(step.reasons),
            services=[Option(value=s, label=SERVICES[s]) for s in SERVICES
                      if s in kind.services]))
    return found


def _problems(app: App, case: Case, doc_type: str, recipient: str | None,
              service: str | None) -> list[Problem]:
    """Each choice the request leaves out or gets wrong, by its field."""
    if doc_type not in ON_SITE:
        return [Problem(FORM, None, "document", "choose the document to issue",
                        " or ".join(title.lower() for title, _ in ON_SITE.values()))]
    title = ON_SITE[doc_type][0].lower()
    takes = [s for s in SERVICES if s in registry(app).get(doc_type).services]
    ways = " or ".join(SERVICES[s].lower() for s in takes)
    problems = []
    if service is None:
        problems.append(Problem(FORM, None, "service", f"say how the {title} is served",
                                ways))
    elif service not in takes:
        said = SERVICES.get(service, f"'{service}'").lower()
        problems.append(Problem(FORM, None, "service",
                                f"a {title} is not {said}: it is {ways}",
                                "directive VIII.A: a warning is handed to the person, or hung "
                                "on the door when they are not there; a stop work order is "
                                "posted at the site (X.A)"))
    parties = [p.id for p in case.responsible_parties]
    if recipient is None and len(parties) > 1:
        problems.append(Problem(FORM, None, "recipient",
                                f"the case has {len(parties)} responsible parties; choose the "
                                f"one this {title} is for", "one of: " + ", ".join(parties)))
    elif recipient is not None and recipient not in parties:
        problems.append(Problem(FORM, None, "recipient",
                                f"'{recipient}' is not a responsible party of "
                                f"{case.case_number}", "one of: " + ", ".join(parties)))
    return problems
