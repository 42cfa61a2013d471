"""`track …`, `followups` and `verify`: what happened to mail pieces, from the record."""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click

from ..errors import InputError
from ..mail.article_numbers import printed
from ..tracking import EVENTS
from ..words import counted
from .common import WHEN, Context, day


@click.group()
def track() -> None:
    """The official record of mail pieces (directive XIV)."""


@track.command("event")
@click.argument("article")
@click.argument("status", type=click.Choice([e for e in EVENTS if e != "return_receipt"]))
@click.option("--date", "on", type=WHEN, help="When it happened [default: today].")
@click.option("--detail", help="What the carrier or the clerk noted.")
@click.option("--correction", is_flag=True, help="Correct the record: allow any status.")
@click.pass_obj
def event(ctx: Context, article: str, status: str, on: date | None, detail: str | None,
          correction: bool) -> None:
    """Record what happened to a mail piece (mailed, delivered, refused, …)."""
    from ..service import add_event

    number = article.replace(" ", "")
    with ctx.app() as app:
        add_event(app, number, status, day(on, app.project.settings.zone), detail=detail,
                  correction=correction)
    click.echo(f"{printed(number)}: {status} recorded")


@track.command("receipt")
@click.argument("article")
@click.option("--signed-by", required=True, help="The name signed on the return receipt.")
@click.option("--date", "on", type=WHEN, required=True, help="The delivery date on the receipt.")
@click.option("--receipt-number", help="The PS 3811 (green card) tracking number.")
@click.pass_obj
def receipt(ctx: Context, article: str, signed_by: str, on: date, receipt_number: str | None
            ) -> None:
    """Record a signed return receipt; it establishes the delivery date."""
    from ..service import add_event

    number = article.replace(" ", "")
    with ctx.app() as app:
        add_event(app, number, "return_receipt", day(on, app.project.settings.zone),
                  signer=signed_by, receipt_number=receipt_number)
    click.echo(f"{printed(number)}: return receipt signed by {signed_by}")


@track.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_(ctx: Context, file: Path) -> None:
    """Record events from a CSV file: article_number, status, date (YYYY-MM-DD), and optional
    signed_by, detail, receipt_number. Every row that cannot be recorded is reported."""
    from ..service import import_events

    with ctx.app() as app:
        done = import_events(app, file)
    already = f" ({done.already} already on record)" if done.already else ""
    click.echo(f"{counted(done.recorded, 'event')} recorded from {file}{already}")
    if done.problems:
        raise InputError(done.problems)


@track.command("list")
@click.option("--status", type=click.Choice(EVENTS), help="Only pieces whose latest event is this.")
@click.option("--case", "case_number", help="Only this case.")
@click.pass_obj
def list_(ctx: Context, status: str | None, case_number: str | None) -> None:
    """Mail pieces with their status, service and the compliance date the record acts on."""
    from ..service import reports

    with ctx.app() as app:
        found = reports(app, status=status, case=case_number)
    for report in found:
        piece = report.piece
        click.echo(f"{printed(piece.article_number)}  {piece.case_number}  "
                   f"{piece.addressee} ({piece.recipient_role})  {piece.status}")
        click.echo(f"    service: {report.service.basis}")
        click.echo(f"    compliance date: {report.compliance}")


@track.command("export")
@click.pass_obj
def export(ctx: Context) -> None:
    """Every mail piece and its events as CSV on standard output."""
    from ..service import reports

    with ctx.app() as app:
        found = reports(app)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["article_number", "batch", "case", "document_id", "recipient", "role",
                     "addressee", "address", "mailing_date", "status", "service", "served_on",
                     "printed_deadline", "compliance_date", "events"])
    for report in found:
        piece = report.piece
        writer.writerow([_cell(v) for v in (
            piece.article_number, piece.batch_id, piece.case_number, piece.document_id,
            piece.recipient, piece.recipient_role, piece.addressee, piece.address,
            piece.mailing_date.isoformat(), piece.status, report.service.state,
            report.service.on.isoformat() if report.service.on else "",
            piece.printed_on.isoformat() if piece.printed_on else "",
            report.acts_on.isoformat() if report.acts_on else "",
            "; ".join(f"{e.on.isoformat()} {e.status}" + (" (correction)" if e.correction
                                                           else "") for e in piece.events))])


def _cell(value: str | None) -> str:
    """A spreadsheet would run a cell starting with = + - @ as a formula: quote it."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@click.command()
@click.option("--as-of", "as_of", type=WHEN, help="Due as of this date [default: today].")
@click.pass_obj
def followups(ctx: Context, as_of: date | None) -> None:
    """Cases due an in-person follow-up, pieces that need posting, six-month checks."""
    from ..service import due

    with ctx.app() as app:
        on = day(as_of, app.project.settings.zone)
        found = due(app, on)
    for item in found:
        click.echo(f"{item.case_number}  {item.due.isoformat()}  {item.what}")
    if not found:
        click.echo(f"nothing due as of {on.isoformat()}")


@click.command()
@click.argument("target", metavar="FILE.pdf|URL")
@click.pass_obj
def verify(ctx: Context, target: str) -> None:
    """Say whether a PDF (by its SHA-256) or a QR verification link matches the record."""
    from ..service import verify_file, verify_link

    with ctx.app() as app:
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            match = verify_link(app, parts.path.rstrip("/").rsplit("/", 1)[-1],
                                parse_qs(parts.query).get("sig", [""])[0])
        else:
            match = verify_file(app, Path(target))
    for piece in match.pieces:
        click.echo(f"MATCH ({match.how}): mail packet {printed(piece.article_number)}, batch "
                   f"{piece.batch_id}, to {piece.addressee} ({piece.recipient_role}), case "
                   f"{piece.case_number}; status: {piece.status}")
    made_for = {c.document["id"]: c for c in match.copied}
    for doc in match.documents:
        if (copied := made_for.get(doc["id"])) is not None:
            piece = copied.piece
            what = "affidavit of mailing" if doc["role"] == "affidavit" else "case-file copy"
            click.echo(f"MATCH ({match.how}): {what} for piece "
                       f"{printed(piece.article_number)} (line {copied.line} of batch "
                       f"{piece.batch_id}), mailed {piece.mailing_date.isoformat()} to "
                       f"{piece.addressee} ({piece.recipient_role}), case {piece.case_number}; "
                       f"document {doc['id']}, template {doc['template_id']} "
                       f"v{doc['template_version']}")
            continue
        issued = doc["issued_at"]
        when = issued.date().isoformat() if isinstance(issued, datetime) else str(issued)
        click.echo(f"MATCH ({match.how}): document {doc['id']} — {doc['document_type']} for "
                   f"case {doc['case_number']}, recipient {doc['recipient']} "
                   f"({doc['recipient_role']}), issued {when}, template {doc['template_id']} "
                   f"v{doc['template_version']}")
    if not match.documents and not match.pieces:
        click.echo(f"NO MATCH: {target} ({match.how}) matches no document in the record")
        sys.exit(1)


COMMANDS = [track, followups, verify]
