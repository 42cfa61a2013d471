"""The city attorney's pages: every template with its state of review, one template's specimen,
what changed since its approval and where it comes from; approving or sending it back (the
attorney only, as the signed-in person); the whole review PDF as a job of the worker."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from ...errors import InputError, NotFound
from ...review import find_entry, review_entries
from ...review.approvals import SHORT
from ...service import approve
from ...service.jobs import Job, job, recent, submit_review
from ...service.people import SignedIn
from ...service.templates import (
    Comparison,
    FileChange,
    SentBack,
    TemplateState,
    file_changes,
    send_back,
    sent_back,
    since_approval,
    specimen_pdf,
    state,
    states,
)
from ..answers import file_response, page
from ..auth import ATTORNEY, REVIEWERS, acting, allow

router = APIRouter()
REVIEW_PDF = "templates-review.pdf"


def known(request: Request, template_id: str) -> str:
    """A template id of the registry or the mail templates, or 404."""
    return find_entry(review_entries(request.app.state.base.root / "templates"),
                      template_id).id


Known = Annotated[str, Depends(known)]


# -- the API's shapes ---------------------------------------------------------------------------

class SentBackModel(BaseModel):
    version: int
    hash: str
    note: str
    by: str
    at: datetime


class ApprovalModel(BaseModel):
    version: int
    hash: str
    approved_by: str
    approved_on: date
    note: str | None


class TemplateSummary(BaseModel):
    id: str
    doc_type: str
    title: str
    variant: str
    version: int
    audience: str
    language: str
    delivery: str
    hash: str
    state: str
    """approved, sent back, changed since approval, never approved."""
    approval: str
    """The approval state in words, as `noticegen templates list` prints it."""
    approved: ApprovalModel | None
    sent_back: SentBackModel | None
    approval_version: int
    """The version an approval now records (the next one when the content changed since
    this version was approved)."""


class FileModel(BaseModel):
    name: str
    now: str
    approved: str | None
    change: str


class Segment(BaseModel):
    kind: str
    """'=' unchanged, '-' removed, '+' added."""
    text: str


class DiffRow(BaseModel):
    kind: str
    old: list[Segment] | None
    new: list[Segment] | None


class DiffModel(BaseModel):
    from_label: str
    to_label: str
    notes: list[str]
    rows: list[DiffRow]


class TemplateDetail(TemplateSummary):
    files: list[FileModel]
    approvals: list[ApprovalModel]
    sent_back_history: list[SentBackModel]
    since_approval: DiffModel | None
    specimen_pdf: str


class Answer(BaseModel):
    """The attorney's answer to a template as they were shown it."""

    hash: str
    """The content hash reviewed (`hash` of GET /api/templates/{template_id}): refused (409)
    when the template's is no longer that one — it changed since."""
    version: int | None = None
    """The version reviewed (`version`), also checked when given."""
    note: str | None = None


class ApprovalAnswer(ApprovalModel):
    template_id: str
    new: bool
    """False when the template as it is was already approved (nothing was recorded)."""


class ReviewAsked(BaseModel):
    templates: list[str] = []
    """Template ids; none for every template."""


class ReviewJob(BaseModel):
    job_id: str
    state: str
    done: int
    total: int
    templates: list[str]
    message: str | None
    files: list[str]
    """What to download when finished: /template-reviews/{job_id}/{name}."""
    errors: dict[str, str]


def _approval(a: object) -> ApprovalModel:
    return ApprovalModel.model_validate(a, from_attributes=True)


def _back(b: SentBack | None) -> SentBackModel | None:
    return None if b is None else SentBackModel(version=b.version, hash=b.hash, note=b.note,
                                                by=b.by, at=b.at)


def summary(found: TemplateState) -> TemplateSummary:
    s, e = found.status, found.status.entry
    return TemplateSummary(
        id=e.id, doc_type=e.doc_type, title=e.title, variant=e.variant, version=e.version,
        audience=e.audience, language=e.language, delivery=e.delivery, hash=s.hash,
        state=found.state, approval=found.describe(),
        approved=_approval(s.approved) if s.approved else None,
        sent_back=_back(found.sent_back), approval_version=s.approval_version())


def _diff(found: Comparison | None) -> DiffModel | None:
    if found is None:
        return None

    def side(segments: list[tuple[str, str]] | None) -> list[Segment] | None:
        return None if segments is None else [Segment(kind=k, text=t) for k, t in segments]

    return DiffModel(from_label=found.from_label, to_label=found.to_label, notes=found.notes,
                     rows=[DiffRow(kind=r.kind, old=side(r.old), new=side(r.new))
                           for r in found.rows])


def _files(found: list[FileChange]) -> list[FileModel]:
    return [FileModel(name=f.name, now=f.now, approved=f.approved, change=f.change)
            for f in found]


# -- the list -----------------------------------------------------------------------------------

@router.get("/templates", dependencies=[Depends(allow(*REVIEWERS))])
def templates_page(request: Request) -> Response:
    app = acting(request)
    reviews = recent(app, 5, kind="review")
    return page(request, "templates.html", states=states(app), short=SHORT, reviews=reviews)


@router.get("/api/templates", dependencies=[Depends(allow(*REVIEWERS))])
def api_templates(request: Request) -> list[TemplateSummary]:
    return [summary(s) for s in states(acting(request))]


# -- one template -------------------------------------------------------------------------------

def _detail_page(request: Request, template_id: str, status: int = 200,
                 note_error: InputError | None = None, note: str = "") -> Response:
    app = acting(request)
    found = state(app, template_id)
    return page(request, "template.html", status=status, found=found, short=SHORT,
                files=file_changes(found.status), comparison=since_approval(app, template_id),
                history=sent_back(app, template_id), note_error=note_error, note=note)


@router.get("/templates/{template_id}", dependencies=[Depends(allow(*REVIEWERS))])
def template_page(request: Request, template_id: Known) -> Response:
    return _detail_page(request, template_id)


@router.get("/templates/{template_id}/specimen.pdf", dependencies=[Depends(allow(*REVIEWERS))])
def template_specimen(request: Request, template_id: Known) -> Response:
    return file_response(specimen_pdf(acting(request), template_id), "application/pdf",
                         f"{template_id}-specimen.pdf", inline=True)


@router.get("/api/templates/{template_id}", dependencies=[Depends(allow(*REVIEWERS))])
def api_template(request: Request, template_id: Known) -> TemplateDetail:
    app = acting(request)
    found = state(app, template_id)
    return TemplateDetail(
        **summary(found).model_dump(), files=_files(file_changes(found.status)),
        approvals=[_approval(a) for a in found.status.history],
        sent_back_history=[b for b in map(_back, sent_back(app, template_id)) if b],
        since_approval=_diff(since_approval(app, template_id)),
        specimen_pdf=f"/templates/{template_id}/specimen.pdf")


# -- the attorney's answers ---------------------------------------------------------------------

# Each answer carries the hash and version the attorney was shown (hidden fields of the page's
# forms): the service refuses it (409) when the template changed since.

@router.post("/templates/{template_id}/approve", dependencies=[Depends(allow(*ATTORNEY))])
def template_approve(request: Request, template_id: Known,
                     seen: Annotated[str, Form(alias="hash")],
                     version: Annotated[int, Form()],
                     note: Annotated[str, Form()] = "") -> Response:
    person: SignedIn = request.state.person
    approve(acting(request), template_id, person.name, note or None, seen, version)
    return RedirectResponse(f"/templates/{template_id}", 303)


@router.post("/templates/{template_id}/send-back", dependencies=[Depends(allow(*ATTORNEY))])
def template_send_back(request: Request, template_id: Known,
                       seen: Annotated[str, Form(alias="hash")],
                       version: Annotated[int, Form()],
                       note: Annotated[str, Form()] = "") -> Response:
    try:
        send_back(acting(request), template_id, note, seen, version)
    except InputError as exc:
        return _detail_page(request, template_id, 422, note_error=exc, note=note)
    return RedirectResponse(f"/templates/{template_id}", 303)


@router.post("/api/templates/{template_id}/approve", dependencies=[Depends(allow(*ATTORNEY))])
def api_template_approve(request: Request, template_id: Known,
                         body: Answer) -> ApprovalAnswer:
    person: SignedIn = request.state.person
    approval, new = approve(acting(request), template_id, person.name, body.note, body.hash,
                            body.version)
    return ApprovalAnswer(**_approval(approval).model_dump(), template_id=template_id, new=new)


@router.post("/api/templates/{template_id}/send-back",
             dependencies=[Depends(allow(*ATTORNEY))])
def api_template_send_back(request: Request, template_id: Known,
                           body: Answer) -> SentBackModel:
    found = send_back(acting(request), template_id, body.note or "", body.hash, body.version)
    return SentBackModel(version=found.version, hash=found.hash, note=found.note, by=found.by,
                         at=found.at)


# -- the whole review PDF, made by the worker ---------------------------------------------------

def _review(request: Request, job_id: str) -> Job:
    """The review job of that id, or 404 (another kind of job is not a review)."""
    found = job(acting(request), job_id)
    if found.kind != "review":
        raise NotFound(f"there is no template review {job_id}",
                       "the templates page lists recent reviews")
    return found


def _files_of(found: Job) -> list[str]:
    if found.state != "finished":
        return []
    return [REVIEW_PDF, *found.detail.get("docx", {})]


def _review_answer(found: Job) -> ReviewJob:
    return ReviewJob(job_id=found.id, state=found.state, done=found.done, total=found.total,
                     templates=list(found.params.get("templates", [])),
                     message=found.detail.get("message"), files=_files_of(found),
                     errors=dict(found.detail.get("errors", {})))


@router.post("/template-reviews", dependencies=[Depends(allow(*ATTORNEY))])
def review_submit(request: Request) -> Response:
    return RedirectResponse(f"/template-reviews/{submit_review(acting(request))}", 303)


@router.get("/template-reviews/{job_id}", dependencies=[Depends(allow(*REVIEWERS))])
def review_page(request: Request, job_id: str) -> Response:
    found = _review(request, job_id)
    partial = request.headers.get("hx-request") == "true"
    return page(request, "template_review_progress.html" if partial else
                "template_review.html", job=found, files=_files_of(found))


@router.get("/template-reviews/{job_id}/{name}", dependencies=[Depends(allow(*REVIEWERS))])
def review_file(request: Request, job_id: str, name: str) -> Response:
    found = _review(request, job_id)
    if name not in _files_of(found):
        raise NotFound(f"the review {job_id} has no file {name}",
                       "its page lists its files")
    sha = found.detail["pdf"] if name == REVIEW_PDF else found.detail["docx"][name]
    kind = "application/pdf" if name == REVIEW_PDF else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return file_response(acting(request).blobs.read(sha), kind, name, inline=False)


@router.post("/api/template-reviews", dependencies=[Depends(allow(*ATTORNEY))],
             status_code=202)
def api_review_submit(request: Request, body: ReviewAsked | None = None) -> ReviewJob:
    app = acting(request)
    for template_id in body.templates if body else []:
        known(request, template_id)
    return _review_answer(job(app, submit_review(app, body.templates if body else None)))


@router.get("/api/template-reviews/{job_id}", dependencies=[Depends(allow(*REVIEWERS))])
def api_review(request: Request, job_id: str) -> ReviewJob:
    return _review_answer(_review(request, job_id))
