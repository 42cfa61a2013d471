"""Which facts a template uses (jinja2's AST and meta API; docxtpl's scan for Word files), what
each one means, and the static check that every one exists in its document type's context."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from pydantic import BaseModel

from ..errors import NoticegenError, Problem, display_path
from ..source import suggest
from .entries import ReviewEntry

# -------------------------------------------------------------------- what the facts mean

DOCUMENT_FACTS = {
    "doc": "The document itself: id, title, template id and version, issue time, the "
           "verification link and its QR code, draft and case-file-copy flags.",
    "agency": "The letterhead: the City, department, division, address, phone, email, "
              "website and seal (config/agency.yaml).",
    "case": "The case as any reader may see it: number, property, parcel, zoning, date "
            "opened — never the complainant.",
    "code_name": "The name of the code of ordinances (ordinances/code.yaml).",
    "officer": "The case's officer: name, badge, title, phone, email.",
    "recipient": "The responsible party this copy is addressed to (empty for case-file and "
                 "complainant documents).",
    "violations": "The violations, numbered, each with its ordinance citation, title, "
                  "plain-language summary and full text, what was observed, what to do, its "
                  "deadline and photos.",
    "deadline": "The notice's deadline as printed: the earliest of the violations' deadlines "
                "(directive VIII.C), e.g. 'on or before Monday, December 7, 2026'.",
    "service": "How the notice is served and when it counts as served, e.g. 'mailed November "
               "25, 2026; presumed served 3 days later'.",
    "levels": "The enforcement actions the City may take, in order (directive III.C).",
    "chief": "The Chief of Police, before whom a voluntary compliance agreement is asked "
             "for (directive VIII.C.2): name and title.",
    "served": "How the document is served (`--service`): method (mail, in-person, posted, "
              "left-at-door), its words, and for a notice posted instead the grounds on record "
              "(ends the sentence '… because'); empty for a document that is not served.",
    "presumed": "For a mailed notice: the day it is presumed received (mailing plus the "
                "agency's allowance), printed; empty otherwise.",
    "offense_on": "Citation: the date and time of the follow-up inspection that found the "
                  "violation uncorrected after its compliance date (directive VIII.D.2–3).",
    "compliance_date": "Citation: the compliance date that had passed, printed.",
    "priority": "The case's priority (directive III.A, III.E): label and reasons; printed "
                "only on the case-file copy.",
    "recipients": "Every responsible party of the case (the case-file copy lists them all).",
    "page_size": "The door-hanger paper size, as a CSS page size (config/agency.yaml).",
    "extended_until": "The new deadline a voluntary compliance agreement sets, as printed.",
    "nov_date": "When the notice of violation was served.",
    "request_date": "When the responsible party asked for the agreement.",
    "court": "The municipal court: name, address, phone, hours, sessions.",
    "court_lines": "The court's address, one line per item.",
    "appearance": "The date and time to appear in court, from the court's sessions.",
    "inspector": "The building official notified of a stop work order: name, title, phone.",
    "complainant_name": "The complainant's name (closure letter only, directive XIII.C).",
    "complainant_lines": "The complainant's mailing address, one line per item (may be "
                         "empty when only an email address is known).",
    "complainant_email": "The complainant's email address, if given.",
    "complaint_received": "The date the complaint was received.",
    "complaint_type": "The complaint as recorded, e.g. 'High grass and weeds'.",
    "reason": "Why the case was closed, in the complainant's words (directive XIII.B).",
    "resolution": "How the case was resolved, from the case file.",
    "closed": "The date the case was closed.",
    "follow_up": "The six-month follow-up inspection date when there were extenuating "
                 "circumstances (directive XIII.D), else empty.",
    "visits": "The officer's site visits: time, place, conditions, witnesses, evidence, "
              "discussions, recommended action, referrals.",
    "when": "A function printing a date-time as 'November 3, 2026 at 10:15 AM'.",
    "parties": "Every responsible party of the case.",
    "copy_of": "On a case-file copy made beside a mailed packet: the piece it copies (article "
               "number, the packet's SHA-256 and pages, batch and line, mailing date); empty "
               "otherwise.",
    "to_correct": "How many of the notice's violations it orders corrected (those not "
                  "awaiting a public hearing).",
    "hearing_cited": "On a notice whose violations include a dangerous building (Tom Bean "
                     "Code §14-40): the public hearing it awaits instead of a deadline "
                     "(Local Government Code §214.001); empty otherwise.",
    "hearing": "The public hearing noticed: date and time, the body holding it, place, how "
               "the notice is given, what the body may order (Local Government Code "
               "§214.001).",
    "order": "The order made at a public hearing on a dangerous building: when the hearing "
             "was held, by whom, and what it ordered.",
}
"""Top-level names a document template may use. Which of them a document type gets is decided
by its builder in render/document.py; docs/templates.md lists them per type."""

MAIL_FACTS = {
    "piece": "The mail piece: line, case, recipient name and address lines, role, article "
             "number (printed in groups of four), barcode, document id, the notice's SHA-256.",
    "batch_id": "The batch's id, e.g. nov-2026-11-25.",
    "title": "The mailed notice's title, e.g. 'Notice of Violation'.",
    "case_number": "The case number.",
    "property_address": "The property's address on one line.",
    "mailed": "The mailing date, printed.",
    "issued_iso": "The mailing date-time (ISO 8601), for the PDF's own dates.",
    "agency": "The agency's name.",
    "pages": "Cover and affidavit: the notice's page count. Firm book: the book's pages, "
             "each with its lines, unused lines and page totals.",
    "upper": "Where the certified-mail banner, barcode and article number print: the "
             "envelope's upper window less the clearance (inches on the page).",
    "addr": "Where the delivery address prints: the address window less the clearance "
            "(inches on the page).",
    "fit": "The address's type size and leading, the largest that keeps it in the window.",
    "packet_pages": "Affidavit: the mailed packet's page count (cover page and notice).",
    "return_name": "The return addressee (config mail.return_name).",
    "return_lines": "The return address, one line per item.",
    "total": "How many pieces the batch has.",
    "template_id": "This template's id.",
    "template_version": "This template's version.",
    "officer": "The case officer's name and badge, printed.",
    "phone": "The case officer's phone.",
    "photos": "Whether the notice encloses photographs.",
    "county": "The agency's county, for the affidavit's venue.",
    "mail_city": "The post office's city and state.",
    "totals": "The batch's fee totals: postage, certified, return receipt, total, pieces.",
    "sender_name": "The sender named on the firm mailing book.",
    "sender_lines": "The sender's address, one line per item.",
    "receipt_kind": "The kind of return receipt (electronic or hard copy).",
    "approval": "The postmaster's permit or approval text, if any.",
    "money": "A function printing an amount as $1,234.56.",
}

FIELDS = {
    "HearingView": {
        "at": "The hearing's date and time, printed.",
        "body": "Who holds the hearing (config/agency.yaml hearing.body).",
        "place": "Where: the room and building.", "address_lines": "The place's address.",
        "notice_by": "How this notice is given (mailed, posted, published), one line each.",
        "notice_days": "Days at least between the notice and the hearing.",
        "may_order": "What the body may order done to the building, in words."},
    "HearingCitedView": {
        "violations": "Each violation that awaits the hearing: number, title, citation.",
        "body": "Who holds the hearing.",
        "notice_days": "Days at least between the notice of hearing and the hearing.",
        "may_order": "What the body may order done to the building, in words.",
        "scheduled": "The hearing already noticed, printed; empty when none is."},
    "OrderView": {
        "held": "When the hearing was held, printed.", "body": "Who held it.",
        "ordered": "What it ordered, e.g. 'secured and demolished'.",
        "newspaper": "The newspaper the order is published in."},
    "DocumentView": {
        "id": "The document id printed on every page and in the verification link.",
        "type": "The document type (nov, warning…).", "title": "The document's title.",
        "directive": "The directive section the document type follows.",
        "template_id": "This template's id.", "template_version": "This template's version.",
        "variant": "The template variant (letter, door-hanger, file-copy…).",
        "issued": "Issue date and time, printed.", "issued_date": "Issue date, printed.",
        "issued_iso": "Issue date-time (ISO 8601), for the PDF's own dates.",
        "verify_url": "The signed verification link.",
        "qr": "The verification link's QR code (an image).",
        "draft": "Rendered with --draft: print 'DRAFT — NOT FOR SERVICE'.",
        "copy_label": "'CASE FILE COPY' on the case-file variant, else empty."},
    "Letterhead": {
        "name": "The department's full name.", "department": "The City, as it heads letters.",
        "division": "The division.", "address_lines": "The address, one line per item.",
        "phone": "Phone.", "email": "Email.", "website": "Website.",
        "logo": "The seal (an image)."},
    "CaseView": {
        "number": "The case number.", "property_address": "The property on one line.",
        "property_lines": "The property's address, one line per item.",
        "parcel_id": "The parcel id.", "zoning": "The zoning district, if recorded.",
        "opened": "The date the case was opened, printed."},
    "OfficerView": {"name": "Name.", "badge": "Badge number.", "title": "Rank or title.",
                    "phone": "Phone.", "email": "Email."},
    "PartyView": {
        "id": "The party's id in the case file (owner, tenant…).", "name": "Name.",
        "role": "Role: owner, tenant, lienholder, contractor, occupant, other.",
        "role_label": "The role as printed (or the case file's role_detail).",
        "role_noun": "The role's own name for running text: 'owner', 'lienholder'.",
        "role_detail": "The case file's role_detail as written (proper nouns kept), or empty.",
        "address_lines": "Mailing address, one line per item.",
        "copy_only": "Receives a copy for information (a lienholder): asked to do nothing."},
    "Serving": {
        "method": "mail, in-person, posted or left-at-door.",
        "words": "How it was served, in words: 'by certified mail, return receipt requested'.",
        "grounds": "Why a notice was posted instead (the returned piece, or the officer's "
                   "reason).",
        "stated": "Stated when it was issued (`--service`, the officer's form); false when "
                  "taken from the template's delivery: then a warning's delivery boxes are "
                  "left to be ticked by hand."},
    "ViolationView": {
        "number": "The violation's number in this document.", "id": "Its id in the case file.",
        "citation": "The ordinance citation as printed, e.g. 'Tom Bean Code of Ordinances "
                    "§ 34-2'.",
        "title": "The ordinance's title.", "summary": "The ordinance in plain language.",
        "text": "The ordinance's full text (Appendix A).",
        "location": "Where on the property.", "observed": "When observed, printed.",
        "observed_date": "The date observed, printed.",
        "description": "What the officer observed (paragraphs).",
        "corrective_action": "What the responsible party must do (paragraphs).",
        "deadline_label": "The deadline rule, e.g. 'within 7 days'.",
        "deadline": "This violation's deadline, printed (empty where none applies).",
        "photos": "Its photographs.", "fine": "The fine range, e.g. '$50.00 to $2,000.00'.",
        "stop_work_order": "Whether the ordinance calls for a stop work order."},
    "PhotoView": {
        "number": "The photo's number in the document.", "src": "The prepared image.",
        "caption": "'Photo N — taken …' and the case file's caption.",
        "violation_number": "The number of the violation it shows.",
        "file": "The prepared image on disk (Word documents)."},
    "Piece": {
        "line": "The piece's line in the batch and the firm mailing book.",
        "key": "The allocation key (batch, case, document, recipient).",
        "case_number": "The case number.", "party_id": "The recipient's id in the case file.",
        "name": "The addressee.", "role_label": "The addressee's role, as printed.",
        "address_lines": "The address, one line per item.", "zip": "The ZIP code.",
        "article": "The certified-mail article number (digits).",
        "stem": "The piece's file name stem.",
        "article_printed": "The article number in groups of four."},
    "CoverPiece": {
        "piece": "The piece (its fields can be used directly: piece.name, piece.line…).",
        "barcode": "The GS1-128 certified-mail barcode (an image).",
        "document_id": "The enclosed notice's document id.",
        "notice_sha256": "The enclosed notice's SHA-256 (affidavit)."},
    "MailedPiece": {
        "article_printed": "The piece's article number in groups of four.",
        "sha256": "The mailed packet's (cover page and notice) SHA-256.",
        "pages": "The mailed packet's page count.", "batch_id": "Its batch.",
        "line": "Its line in the batch and the firm mailing book.",
        "mailed": "The mailing date, printed."},
    "Room": {"left": "Inches from the page's left edge.", "top": "Inches from its top.",
             "width": "Width in inches.", "height": "Height in inches."},
    "Fit": {"size": "Type size (pt).", "leading": "Line spacing (pt)."},
    "BookPage": {"number": "Page number.", "lines": "The page's lines.",
                 "unused": "Unused lines to strike.", "totals": "The page's totals."},
    "BookLine": {"line": "Line number.", "article": "Article number.", "name": "Addressee.",
                 "address": "Address on one line.",
                 "cost": "The piece's postage and fees (postage, certified, return_receipt, "
                         "total) and the weight they were priced at."},
    "Totals": {"postage": "Postage.", "certified": "Certified mail fees.",
               "return_receipt": "Return receipt fees.", "total": "All fees and postage.",
               "pieces": "Number of pieces."},
    "Priority": {"tier": "Priority class 1–8.", "reasons": "Why.",
                 "aggravating": "Aggravating circumstances (III.E).",
                 "label": "The priority as printed, e.g. 'Priority 2'."},
}
"""The fields of the views in render/context.py (and the priority); settings and case-file
models (court, chief, visits…) are documented in docs/schema.md."""


# -------------------------------------------------------------------- the AST walk

@dataclass(frozen=True)
class Use:
    file: str
    """Relative to templates/ (docx files as docx/NAME.docx)."""
    line: int | None
    where: str = ""
    """For Word files: the paragraph the tag is in."""


_LOCAL = object()


class _Walker:
    """Collect dotted paths (`violations[].photos[].caption`) with where each is first used;
    loop variables and `set` names resolve to the paths they stand for."""

    def __init__(self, env: jinja2.Environment, source: Any) -> None:
        self.env = env
        self.source = source  # name -> text
        self.uses: dict[str, list[Use]] = {}
        self.globals = set(env.globals)
        self.seen: set[str] = set()

    def template(self, name: str, scope: dict[str, Any], depth: int = 0) -> None:
        if depth > 20:
            return
        ast = self.env.parse(self.source(name))
        self.file = name
        parents: list[str] = []
        self._walk(ast, dict(scope), name, parents, depth)
        for parent in parents:
            self.template(parent, {}, depth + 1)

    def _record(self, path: str, node: nodes.Node, file: str) -> None:
        uses = self.uses.setdefault(path, [])
        use = Use(file, node.lineno)
        if use not in uses:
            uses.append(use)

    def _path(self, node: nodes.Node, scope: dict[str, Any]) -> str | None:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                target = scope[node.name]
                return None if target is _LOCAL else target
            return None if node.name in self.globals else node.name
        if isinstance(node, nodes.Getattr):
            base = self._path(node.node, scope)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            base = self._path(node.node, scope)
            if base is None:
                return None
            return f"{base}[]" if isinstance(node.arg.value, int) else \
                f"{base}.{node.arg.value}"
        return None

    def _targets(self, target: nodes.Node) -> list[str]:
        if isinstance(target, nodes.Name):
            return [target.name]
        if isinstance(target, nodes.Tuple):
            return [n for item in target.items for n in self._targets(item)]
        return []

    def _walk(self, node: nodes.Node, scope: dict[str, Any], file: str, parents: list[str],
              depth: int) -> None:
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            path = self._path(node, scope)
            if path is not None:
                if not (isinstance(node, nodes.Name) and node.ctx == "store"):
                    self._record(path, node, file)
                if isinstance(node, nodes.Getitem):
                    self._walk(node.arg, scope, file, parents, depth)
                return
            if isinstance(node, nodes.Name):
                return
        if isinstance(node, nodes.For):
            self._walk(node.iter, scope, file, parents, depth)
            base = self._path(node.iter, scope)
            inner = dict(scope)
            inner["loop"] = _LOCAL
            for name in self._targets(node.target):
                inner[name] = f"{base}[]" if base else _LOCAL
            for child in [*(node.body), *([node.test] if node.test else [])]:
                self._walk(child, inner, file, parents, depth)
            for child in node.else_:
                self._walk(child, scope, file, parents, depth)
            return
        if isinstance(node, nodes.Assign):
            self._walk(node.node, scope, file, parents, depth)
            base = self._path(node.node, scope)
            for name in self._targets(node.target):
                scope[name] = base if base and isinstance(node.target, nodes.Name) else _LOCAL
            return
        if isinstance(node, nodes.AssignBlock):
            for name in self._targets(node.target):
                scope[name] = _LOCAL
        if isinstance(node, nodes.Macro | nodes.CallBlock):
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = _LOCAL
            inner.update(caller=_LOCAL, varargs=_LOCAL, kwargs=_LOCAL)
            for child in node.body:
                self._walk(child, inner, file, parents, depth)
            return
        if isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                self._walk(value, scope, file, parents, depth)
                for name in self._targets(target):
                    inner[name] = self._path(value, scope) or _LOCAL
            for child in node.body:
                self._walk(child, inner, file, parents, depth)
            return
        if isinstance(node, nodes.Filter) and node.node is not None:
            attribute = next((k.value.value for k in node.kwargs if k.key == "attribute"
                              and isinstance(k.value, nodes.Const)), None)
            base = self._path(node.node, scope)
            if attribute and base and node.name in ("map", "selectattr", "rejectattr", "sort",
                                                    "sum", "groupby", "unique", "min", "max"):
                self._record(f"{base}[].{attribute}", node, file)
        if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport) and \
                isinstance(node.template, nodes.Const):
            saved = self.file
            self._walk_included(node.template.value, scope, depth)
            self.file = saved
            return
        if isinstance(node, nodes.Extends) and isinstance(node.template, nodes.Const):
            parents.append(node.template.value)
            return
        for child in node.iter_child_nodes():
            self._walk(child, scope, file, parents, depth)

    def _walk_included(self, name: str, scope: dict[str, Any], depth: int) -> None:
        ast = self.env.parse(self.source(name))
        parents: list[str] = []
        self._walk(ast, dict(scope), name, parents, depth + 1)
        for parent in parents:
            self.template(parent, {}, depth + 1)


def html_uses(env: jinja2.Environment, templates: Path, name: str) -> dict[str, list[Use]]:
    """Every fact path an HTML template (with what it extends and includes) uses."""
    walker = _Walker(env, lambda n: (templates / n).read_text(encoding="utf-8"))
    walker.template(name, {})
    return walker.uses


def html_names(env: jinja2.Environment, templates: Path, name: str) -> set[str]:
    """Top-level names, by jinja2's meta API over the template and everything it references."""
    names: set[str] = set()
    assigned: set[str] = set()
    pending, done = [name], set()
    while pending:
        current = pending.pop()
        if current in done:
            continue
        done.add(current)
        ast = env.parse((templates / current).read_text(encoding="utf-8"))
        names |= meta.find_undeclared_variables(ast)
        assigned |= {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
        pending += [str(r) for r in meta.find_referenced_templates(ast) if r]
    return names - assigned - set(env.globals)


def docx_uses(env: jinja2.Environment, path: Path) -> tuple[set[str], dict[str, list[Use]]]:
    """A Word template's top-level names (docxtpl's undeclared-variable scan) and its fact
    paths, each located by the paragraph its tag is in."""
    from docx.oxml import parse_xml
    from docxtpl import DocxTemplate

    from .specimen import docx_text

    env = env.overlay()
    env.filters["picture"] = str  # render_docx's photo filter; only its name matters here
    tpl = DocxTemplate(str(path))
    names = tpl.get_undeclared_template_variables(jinja_env=env)
    tpl.init_docx()
    xml = tpl.patch_xml(tpl.get_xml())
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for rel in tpl.docx.part.rels.values():
            if rel.reltype == uri:
                xml += tpl.patch_xml(tpl.xml_to_string(parse_xml(rel.target_part.blob)))
    walker = _Walker(env, lambda _: xml)
    walker.template("<docx>", {})
    paragraphs = docx_text(path.read_bytes())
    file = f"docx/{path.name}"
    uses: dict[str, list[Use]] = {}
    for fact, found in walker.uses.items():
        top = _top(fact)
        leaf = fact.rsplit(".", 1)[-1].rstrip("[]")
        where = next((f"paragraph {i}: “{_clip(p)}”" for i, p in enumerate(paragraphs, 1)
                      if re.search(rf"\{{[{{%][^}}]*\b{re.escape(leaf)}\b", p)), "")
        if not where:
            where = next((f"paragraph {i}: “{_clip(p)}”" for i, p in enumerate(paragraphs, 1)
                          if re.search(rf"\b{re.escape(top)}\b", p) and "{" in p), "")
        uses[fact] = [Use(file, None, where)] if found else []
    return set(names) - set(env.globals), uses


def docx_images(path: Path, context: dict[str, Any]) -> dict[str, Any]:
    """The images render_docx adds to a Word template's context (seal, QR code)."""
    from docxtpl import DocxTemplate

    from ..render.docx import _images

    return _images(DocxTemplate(str(path)), context)


def _clip(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _top(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


# -------------------------------------------------------------------- resolving a path

_MISSING = object()


def resolve(path: str, context: dict[str, Any]) -> tuple[Any, str | None]:
    """The sample value at a fact path (the first item for `[]`), or (_MISSING, why)."""
    parts = re.findall(r"\[\]|[^.\[\]]+", path)
    value: Any = context.get(parts[0], _MISSING) if parts else _MISSING
    if value is _MISSING:
        return _MISSING, f"'{parts[0]}' is not in the context"
    for part in parts[1:]:
        if value is None:
            return None, None  # an empty optional fact: nothing to check below it
        if part == "[]":
            if isinstance(value, list | tuple) and value:
                value = value[0]
            elif isinstance(value, list | tuple):
                return None, None  # an empty list in the specimen: cannot look inside
            elif isinstance(value, dict) and value:
                value = next(iter(value.values()))
            continue
        if isinstance(value, dict):
            if part not in value:
                return _MISSING, f"'{part}' is not a key of it"
            value = value[part]
            continue
        try:
            value = getattr(value, part)
        except AttributeError:
            return _MISSING, _no_field(value, part)
    return value, None


def _field_names(value: Any) -> list[str]:
    if dataclasses.is_dataclass(value):
        names = [f.name for f in dataclasses.fields(value)]
        names += [n for n, v in vars(type(value)).items() if isinstance(v, property)]
        if hasattr(value, "piece"):  # the mail templates' piece delegates to the Piece
            names += _field_names(value.piece)
        return names
    if isinstance(value, BaseModel):
        return list(type(value).model_fields)
    return [n for n in dir(value) if not n.startswith("_")]


def _no_field(value: Any, part: str) -> str:
    known = _field_names(value)
    near = suggest(part, known)
    return (f"{type(value).__name__} has no field '{part}'"
            + (f"; did you mean '{near}'?" if near else f"; fields: {', '.join(known)}"))


def describe(path: str, context: dict[str, Any], mail: bool = False) -> str:
    """What a fact path means, for the review's table."""
    parts = re.findall(r"\[\]|[^.\[\]]+", path)
    names = [p for p in parts if p != "[]"]
    facts = MAIL_FACTS if mail else DOCUMENT_FACTS
    if len(names) == 1:
        return facts.get(names[0], "")
    owner_path = path[:path.rfind("." + names[-1])]
    owner, _ = resolve(owner_path, context)
    if owner is None or owner is _MISSING:
        return ""
    if hasattr(owner, "piece") and not hasattr(type(owner), names[-1]):
        owner = owner.piece
    cls = type(owner).__name__.lstrip("_")
    text = FIELDS.get(cls, {}).get(names[-1])
    if text:
        return text
    if isinstance(owner, BaseModel):
        return f"{cls} field (see docs/schema.md)"
    return ""


def sample(value: Any, width: int = 70) -> str:
    """The specimen's value, shortened for a table."""
    from ..render.docx import _Drawing

    if value is None:
        return "(empty)"
    if isinstance(value, _Drawing) or (isinstance(value, str) and value.startswith("data:")):
        return "(an image)"
    if callable(value) and not isinstance(value, type):
        return "(a function)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, str) for v in value):
            text = " / ".join(value)
        else:
            return f"({len(value)} item{'s' if len(value) != 1 else ''})"
    elif isinstance(value, str | int | float):
        text = str(value)
    elif dataclasses.is_dataclass(value) or isinstance(value, BaseModel | dict):
        return f"({type(value).__name__})"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


# -------------------------------------------------------------------- the static check

def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int):
        return "number"
    if value is None:
        return "text (may be empty)"
    if isinstance(value, list | tuple):
        inner = {_type_name(v) for v in value}
        return "list of " + (inner.pop() if len(inner) == 1 else "items")
    if callable(value) and not isinstance(value, type):
        return "function"
    return type(value).__name__.lstrip("_")


def check_templates(root: Path, cache: Path | None = None) -> list[Problem]:
    """Every variable each template uses exists in its document type's context (the keys its
    builder produces, taken from a specimen) — with the attribute path checked against the
    specimen's values; and every fact the registry says a type requires is used."""
    from ..project import load_project
    from .specimen import Specimens

    templates = root / "templates"
    if not (templates / "registry.yaml").is_file():
        return []
    try:
        specimens = Specimens(load_project(root), templates,
                              cache or root / "out" / ".cache" / "photos")
    except NoticegenError as exc:
        problems = getattr(exc, "problems", None)
        return list(problems) if problems else [
            Problem(display_path(templates / "registry.yaml"), None, "", exc.message, exc.hint)]
    from .approvals import check_problems

    env = specimens.renderer.env  # type: ignore[attr-defined]
    problems: list[Problem] = check_problems(root)
    for entry in specimens.entries:
        try:
            context = specimens.context(entry)
        except NoticegenError as exc:
            problems.append(Problem(display_path(templates / entry.file), None, "",
                                    f"the {entry.id} specimen's facts could not be built: "
                                    f"{exc.message}", exc.hint))
            continue
        problems += _check_entry(specimens, env, templates, entry, context)
    unique: list[Problem] = []
    for problem in problems:
        if problem not in unique:
            unique.append(problem)
    return unique


def _check_entry(specimens: Any, env: jinja2.Environment, templates: Path, entry: ReviewEntry,
                 context: dict[str, Any]) -> list[Problem]:
    what = "mail" if entry.doc_type == "mail" else entry.doc_type
    problems: list[Problem] = []
    sources: list[tuple[str, set[str], dict[str, list[Use]], dict[str, Any]]] = []
    try:
        sources.append((entry.file, html_names(env, templates, entry.file),
                        html_uses(env, templates, entry.file), context))
    except (jinja2.TemplateSyntaxError, OSError) as exc:
        line = getattr(exc, "lineno", None)
        problems.append(Problem(display_path(templates / entry.file), line, "",
                                f"cannot read the template: {exc}", "fix the template"))
    if entry.docx and (templates / "docx" / entry.docx).is_file():
        try:
            word = templates / "docx" / entry.docx
            sources.append((f"docx/{entry.docx}", *docx_uses(env, word),
                            {**docx_images(word, context), **context}))
        except Exception as exc:  # a broken Word file: say which, do not stop the check
            problems.append(Problem(display_path(templates / "docx" / entry.docx), None, "",
                                    f"cannot scan the Word template: {exc}",
                                    "run scripts/make_docx_templates.py"))
    for file, names, uses, context in sources:
        known = sorted(context)
        for path, found in sorted(uses.items()):
            first = found[0] if found else Use(file, None)
            top = _top(path)
            where = display_path(templates / first.file)
            field = "{{ " + path.replace("[]", "[…]") + " }}"
            suffix = f" ({first.where})" if first.where else ""
            if top not in context:
                near = suggest(top, known)
                problems.append(Problem(
                    where, first.line, field,
                    f"variable '{top}' is not in the {what} context{suffix}",
                    (f"did you mean '{near}'? " if near else "") +
                    f"the {what} templates may use: {', '.join(known)} (docs/templates.md)"))
                continue
            value, why = resolve(path, context)
            if value is _MISSING:
                problems.append(Problem(where, first.line, field,
                                        f"'{path}': {why}{suffix}",
                                        "see the fields of each fact in docs/templates.md"))
        for top in sorted(names - set(context)):
            if not any(_top(p) == top for p in uses):
                problems.append(Problem(display_path(templates / file), None,
                                        "{{ " + top + " }}",
                                        f"variable '{top}' is not in the {what} context",
                                        "see docs/templates.md"))
        if entry.doc_type == "mail":
            continue
        used = names | {_top(p) for p in uses}
        for fact in specimens.registry.get(entry.doc_type).requires:
            if fact not in used:
                problems.append(Problem(
                    display_path(templates / file), None, "requires",
                    f"the {entry.id} template never uses the required fact '{fact}'",
                    f"templates/registry.yaml lists '{fact}' as required for "
                    f"{entry.doc_type}: print it, or take it out of `requires` if the "
                    "document no longer needs it"))
    return problems


# -------------------------------------------------------------------- the reference

def _annotation(cls: type, name: str) -> str:
    if dataclasses.is_dataclass(cls):
        for f in dataclasses.fields(cls):
            if f.name == name:
                return str(f.type)
        prop = vars(cls).get(name)
        if isinstance(prop, property) and prop.fget:
            return typing_repr(typing.get_type_hints(prop.fget).get("return", ""))
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        info = cls.model_fields.get(name)
        return typing_repr(info.annotation) if info else ""
    return ""


def typing_repr(annotation: Any) -> str:
    """A readable, stable type: no Annotated constraints, no module paths."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return typing_repr(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(typing_repr(a) for a in args)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(typing_repr(a) for a in args)}]"
    if annotation is Ellipsis:
        return "..."
    if annotation is type(None):
        return "None"
    if isinstance(annotation, type):
        return annotation.__name__
    return re.sub(r"\b(typing|pathlib|datetime|noticegen\.[\w.]+)\.", "", str(annotation))


def _classes(value: Any, found: dict[str, type]) -> None:
    """Every view and model class reachable from a context value."""
    if isinstance(value, list | tuple):
        for item in value[:1]:
            _classes(item, found)
        return
    if isinstance(value, dict):
        for item in value.values():
            _classes(item, found)
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__.lstrip("_")  # the batch's piece wrapper may be private
        if name not in found:
            found[name] = type(value)
            for f in dataclasses.fields(value):
                _classes(getattr(value, f.name), found)
    elif isinstance(value, BaseModel) and type(value).__name__ not in found:
        found[type(value).__name__] = type(value)
        for name in type(value).model_fields:
            _classes(getattr(value, name), found)


def reference(specimens: Any) -> str:
    """docs/templates.md: each document type's context (from its builder), the mail
    templates', and the fields of every view."""
    out = [
        "# Template context reference",
        "",
        "What each template may use. **Generated** from the renderer's own builders by",
        "`.venv/bin/python -m noticegen.review.reference > docs/templates.md`; a test fails",
        "when this file is out of date, and `noticegen check` fails when a template uses a",
        "name that is not listed for its type (with the template, line and variable).",
        "",
        "Templates are Jinja2 (HTML for the PDFs; docxtpl for the Word versions), rendered",
        "with undefined variables as errors, autoescaping on and in a sandbox. Text facts",
        "print as written; free text from case files goes through the `paragraphs` filter.",
        "Facts marked **required** are listed under `requires` in templates/registry.yaml:",
        "every template of the type must use them. Word templates (templates/docx/) also get",
        "`seal_image` and `qr_image` (the seal and the verification QR code as pictures) and",
        "the `picture` filter for a photo (`{{ p | picture }}`).",
        "",
    ]
    classes: dict[str, type] = {}
    by_type: dict[str, list[ReviewEntry]] = {}
    for entry in specimens.entries:
        by_type.setdefault(entry.doc_type, []).append(entry)
    for doc_type, entries in by_type.items():
        context = specimens.context(entries[0])
        for value in context.values():
            _classes(value, classes)
        mail = doc_type == "mail"
        if mail:
            out += ["## Mail templates", ""]
            for entry in entries:
                ctx = specimens.context(entry)
                out += [f"### {entry.title} — `{entry.id}` (templates/{entry.file})", ""]
                out += _table(ctx, (), mail=True)
                for value in ctx.values():
                    _classes(value, classes)
            continue
        kind = specimens.registry.get(doc_type)
        ids = ", ".join(f"`{e.id}`" for e in entries)
        out += [f"## `{doc_type}` — {kind.title} (templates: {ids})", ""]
        out += _table(context, tuple(kind.requires), mail=False)
    out += ["## Fields", "",
            "The facts above that have fields. Case-file and settings models (court, chief,",
            "inspector, visits…) are described field by field in [schema.md](schema.md).", ""]
    for name in sorted(classes):
        cls = classes[name]
        fields = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) \
            else list(cls.model_fields)  # type: ignore[attr-defined]
        fields += [n for n, v in vars(cls).items() if isinstance(v, property)
                   and not n.startswith("_")] if dataclasses.is_dataclass(cls) else []
        out += [f"### {name}", "", "| field | type | meaning |", "|---|---|---|"]
        for field in fields:
            meaning = FIELDS.get(name, {}).get(field, "") or (
                "see [schema.md](schema.md)" if issubclass(cls, BaseModel) else "")
            kind = _annotation(cls, field).replace("|", "\\|")  # a pipe would split the cell
            out.append(f"| `{field}` | `{kind}` | {meaning} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _table(context: dict[str, Any], required: Iterable[str], mail: bool) -> list[str]:
    required = set(required)
    facts = MAIL_FACTS if mail else DOCUMENT_FACTS
    rows = ["| variable | type | meaning |", "|---|---|---|"]
    for name, value in context.items():
        flag = " **required**" if name in required else ""
        rows.append(f"| `{name}`{flag} | {_type_name(value)} | {facts.get(name, '')} |")
    return [*rows, ""]


def undocumented(specimens: Any) -> Iterator[str]:
    """Context names without a meaning in DOCUMENT_FACTS / MAIL_FACTS (a test keeps it empty)."""
    for entry in specimens.entries:
        facts = MAIL_FACTS if entry.doc_type == "mail" else DOCUMENT_FACTS
        for name in specimens.context(entry):
            if name not in facts:
                yield f"{entry.id}: {name}"
