"""`noticegen track …`, `followups` and `verify`: the record, from the command line."""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import sys
from datetime import date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click

from .cli import WHEN, _reports_errors
from .errors import NoticegenError, Problem
from .mail.article_numbers import printed
from .project import Project, load_project
from .render.identity import verify_signature
from .tracking import EVENTS, Store, TrackingError, open_store
from .tracking.report import followups as due_followups
from .tracking.report import piece_report


def _day(value: date | datetime | None, project: Project) -> date:
    if value is None:
        return datetime.now(project.settings.zone).date()
    return value.date() if isinstance(value, datetime) else value


def _user() -> str:
    try:
        return getpass.getuser()
    except OSError:
        return "unknown"


BY = click.option("--by", "recorded_by", default=_user, show_default="the login name",
                  help="Who records this (kept with every event).")


def _open(root: Path) -> tuple[Project, Store]:
    project = load_project(root)
    return project, open_store(project.settings)


@click.group()
def track() -> None:
    """The official record of documents and mail pieces (directive XIV)."""


@track.command("event")
@click.argument("article")
@click.argument("status", type=click.Choice([e for e in EVENTS if e != "return_receipt"]))
@click.option("--date", "on", type=WHEN, help="When it happened [default: today].")
@click.option("--detail", help="What the carrier or the clerk noted.")
@click.option("--correction", is_flag=True, help="Correct the record: allow any status.")
@BY
@click.pass_obj
@_reports_errors
def event(root: Path, article: str, status: str, on: date | None, detail: str | None,
          correction: bool, recorded_by: str) -> None:
    """Record what happened to a mail piece (mailed, delivered, refused, …)."""
    project, store = _open(root)
    store.add_event(article.replace(" ", ""), status, _day(on, project), recorded_by,
                    detail=detail, correction=correction)
    click.echo(f"{printed(article.replace(' ', ''))}: {status} recorded")


@track.command("receipt")
@click.argument("article")
@click.option("--signed-by", required=True, help="The name signed on the return receipt.")
@click.option("--date", "on", type=WHEN, required=True, help="The delivery date on the receipt.")
@click.option("--receipt-number", help="The PS 3811 (green card) tracking number.")
@BY
@click.pass_obj
@_reports_errors
def receipt(root: Path, article: str, signed_by: str, on: date, receipt_number: str | None,
            recorded_by: str) -> None:
    """Record a signed return receipt; it establishes the delivery date."""
    project, store = _open(root)
    store.add_event(article.replace(" ", ""), "return_receipt", _day(on, project), recorded_by,
                    signer=signed_by, receipt_number=receipt_number)
    click.echo(f"{printed(article.replace(' ', ''))}: return receipt signed by {signed_by}")


IMPORT_COLUMNS = ("article_number", "status", "date")


@track.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@BY
@click.pass_obj
@_reports_errors
def import_(root: Path, file: Path, recorded_by: str) -> None:
    """Record events from a CSV file: article_number, status, date (YYYY-MM-DD), and optional
    signed_by, detail, receipt_number. Every row that cannot be recorded is reported."""
    _project, store = _open(root)
    text = file.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise NoticegenError(f"{file}: missing column(s) {', '.join(missing)}",
                             "the first row must name: " + ", ".join(IMPORT_COLUMNS))
    problems, recorded = [], 0
    for number, row in enumerate(reader, start=2):
        article = (row["article_number"] or "").replace(" ", "")
        try:
            on = date.fromisoformat((row["date"] or "").strip())
            store.add_event(article, (row["status"] or "").strip(), on, recorded_by,
                            signer=(row.get("signed_by") or None),
                            detail=(row.get("detail") or None), source=f"import:{file.name}",
                            receipt_number=(row.get("receipt_number") or None))
            recorded += 1
        except ValueError:
            problems.append(Problem(str(file), number, "date",
                                    f"'{row['date']}' is not a date", "write YYYY-MM-DD"))
        except NoticegenError as exc:
            problems.append(Problem(str(file), number, "article_number"
                                    if "no mail piece" in exc.message else "status",
                                    exc.message, exc.hint))
    click.echo(f"{recorded} event(s) recorded from {file}")
    for problem in problems:
        click.echo(f"{click.style('error', fg='red', bold=True)}: {problem}", err=True)
    if problems:
        click.echo(f"{len(problems)} row(s) not recorded", err=True)
        sys.exit(2)


@track.command("list")
@click.option("--status", type=click.Choice(EVENTS), help="Only pieces whose latest event is this.")
@click.option("--case", "case_number", help="Only this case.")
@click.pass_obj
@_reports_errors
def list_(root: Path, status: str | None, case_number: str | None) -> None:
    """Mail pieces with their status, service and compliance deadline."""
    project, store = _open(root)
    for piece in store.pieces(status=status, case=case_number):
        report = piece_report(piece, project.catalog, project.settings)
        deadline = report.deadline.wording if report.deadline else "—"
        click.echo(f"{printed(piece.article_number)}  {piece.case_number}  "
                   f"{piece.addressee} ({piece.recipient_role})  {piece.status}")
        click.echo(f"    service: {report.service.basis}; deadline: {deadline}")


@track.command("export")
@click.pass_obj
@_reports_errors
def export(root: Path) -> None:
    """Every mail piece and its events as CSV on standard output."""
    project, store = _open(root)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["article_number", "batch", "case", "document_id", "recipient", "role",
                     "addressee", "address", "mailing_date", "status", "service", "served_on",
                     "deadline", "events"])
    for piece in store.pieces():
        report = piece_report(piece, project.catalog, project.settings)
        writer.writerow([
            piece.article_number, piece.batch_id, piece.case_number, piece.document_id,
            piece.recipient, piece.recipient_role, piece.addressee, piece.address,
            piece.mailing_date.isoformat(), piece.status, report.service.state,
            report.service.on.isoformat() if report.service.on else "",
            report.deadline.due_at.date().isoformat() if report.deadline else "",
            "; ".join(f"{e.on.isoformat()} {e.status}" + (" (correction)" if e.correction
                                                           else "") for e in piece.events)])


@click.command()
@click.option("--as-of", "as_of", type=WHEN, help="Due as of this date [default: today].")
@click.pass_obj
@_reports_errors
def followups(root: Path, as_of: date | None) -> None:
    """Cases due an in-person follow-up, pieces that need posting, six-month checks."""
    project, store = _open(root)
    day = _day(as_of, project)
    found = due_followups(store, project.catalog, project.settings, day)
    for item in found:
        click.echo(f"{item.case_number}  {item.due.isoformat()}  {item.what}")
    if not found:
        click.echo(f"nothing due as of {day.isoformat()}")


@click.command()
@click.argument("target", metavar="FILE.pdf|URL")
@click.pass_obj
@_reports_errors
def verify(root: Path, target: str) -> None:
    """Say whether a PDF (by its SHA-256) or a QR verification link matches the record."""
    project, store = _open(root)
    if target.startswith(("http://", "https://")):
        parts = urlsplit(target)
        doc_id = parts.path.rstrip("/").rsplit("/", 1)[-1]
        sig = parse_qs(parts.query).get("sig", [""])[0]
        if not verify_signature(project.settings.verification.key(), doc_id, sig):
            raise TrackingError(f"the link's signature does not match document {doc_id}",
                                "the link was altered or not issued by this agency")
        matches = store.documents(document_id=doc_id)
        how = "signature valid"
    else:
        path = Path(target)
        if not path.is_file():
            raise NoticegenError(f"{target}: no such file", "give a PDF or a verification URL")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        matches = store.documents(sha256=digest)
        how = f"SHA-256 {digest[:16]}…"
        for piece in store.piece_by_packet(digest):
            click.echo(f"MATCH ({how}): mail packet {printed(piece.article_number)}, batch "
                       f"{piece.batch_id}, to {piece.addressee} ({piece.recipient_role}), case "
                       f"{piece.case_number}; status: {piece.status}")
            matches += store.documents(document_id=piece.document_id)
    if not matches:
        click.echo(f"NO MATCH: {target} ({how}) matches no document in the record")
        sys.exit(1)
    for doc in matches:
        click.echo(f"MATCH ({how}): document {doc['id']} — {doc['document_type']} for case "
                   f"{doc['case_number']}, recipient {doc['recipient']} "
                   f"({doc['recipient_role']}), issued {doc['issued_at']:%Y-%m-%d}, "
                   f"template {doc['template_id']} v{doc['template_version']}")
        for piece in store.pieces():
            if piece.document_id == doc["id"]:
                click.echo(f"    mailed {piece.mailing_date.isoformat()} as "
                           f"{printed(piece.article_number)}; status: {piece.status}")
