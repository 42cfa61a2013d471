"""`render` and `batch`: documents issued — each recorded in one transaction of the record."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from ..rules.ladder import RESERVICE
from ..rules.serving import DELIVERY
from ..words import counted
from .common import WHEN, Context, moment

DOC_TYPES = ("warning", "nov", "hearing-notice", "hearing-order", "vca", "citation", "stop-work",
             "closure", "field-report")
RESERVICE_OPTION = click.option(
    "--reservice", type=click.Choice(list(RESERVICE)),
    help="Serve a notice of violation again while one is in force, for this reason "
         "(recorded with it).")


@click.command()
@click.argument("doc_type", metavar="TYPE", type=click.Choice(DOC_TYPES))
@click.argument("given", metavar="CASE")
@click.option("--recipient", help="Responsible party id (owner, tenant, …) when there are several.")
@click.option("--variant", help="Template variant: door-hanger|letter, or file-copy for an NOV.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx"]), default="pdf",
              show_default=True)
@click.option("--issued", type=WHEN, help="Issue (or mailing) date-time [default: now].")
@click.option("--out", type=click.Path(path_type=Path), help="Readable copy [default: out/CASE/…].")
@click.option("--draft", is_flag=True, help="Render even a template not approved yet: "
              "DRAFT — NOT FOR SERVICE on every page, written as DRAFT-…, recorded nowhere.")
@click.option("--service", type=click.Choice(list(DELIVERY)),
              help="How it is served [default: as its template is delivered]: the banner, "
                   "the wording and the deadline's counting follow from it.")
@click.option("--posting-reason", metavar="TEXT",
              help="With --service posted, when no returned piece is on record: why "
                   "personal service failed (printed after 'posted … because').")
@click.option("--hearing", type=WHEN, metavar="DATETIME",
              help="For a notice of public hearing: when the hearing is held "
                   "(YYYY-MM-DD HH:MM), at least the notice days ahead, on a business day.")
@RESERVICE_OPTION
@click.pass_obj
def render(ctx: Context, doc_type: str, given: str, recipient: str | None,
           variant: str | None, fmt: str, issued: date | datetime | None,
           out: Path | None, draft: bool, reservice: str | None, service: str | None,
           posting_reason: str | None, hearing: date | datetime | None) -> None:
    """Issue one document for one case, e.g. a warning notice to print on site.

    CASE is a case number, or a case file (imported first). The ladder must allow it and its
    template must be approved; the document is recorded with its event, then a readable copy
    is written.
    """
    from ..service import issue, resolve

    if hearing is not None and not isinstance(hearing, datetime):
        raise click.BadParameter("give the hearing's time too, e.g. \"2026-12-15 18:00\"",
                                 param_hint="--hearing")
    with ctx.app() as app:
        number = resolve(app, given)
        done = issue(app, doc_type, number, moment(issued, app.project.settings.zone),
                     recipient=recipient, variant=variant, fmt=fmt,  # type: ignore[arg-type]
                     draft=draft, reservice=reservice, out=out, service=service,
                     posting_reason=posting_reason, hearing=hearing)
    doc = done.document
    if draft:
        click.echo(f"{done.file}  (DRAFT — NOT FOR SERVICE; {doc.template_id} "
                   f"v{doc.template_version}; not recorded)")
        return
    state = "issued and recorded" if done.new else "already on record; nothing changed"
    click.echo(f"{done.file}  ({doc.title}, {doc.template_id} v{doc.template_version}, "
               f"sha256 {doc.sha256[:16]}…; {state})")


@click.command()
@click.argument("given", metavar="CASES…", nargs=-1, required=True)
@click.option("--doc", "doc_type", type=click.Choice(["nov"]), default="nov", show_default=True,
              help="The notice to mail.")
@click.option("--mail-date", type=WHEN, required=True, help="The day the batch is mailed.")
@click.option("--batch-id", help="Names out/<batch-id>/ [default: <doc>-<mail date>].")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes that render [default: one per CPU core]. The output is "
                   "the same whatever the number.")
@RESERVICE_OPTION
@click.pass_obj
def batch(ctx: Context, given: tuple[str, ...], doc_type: str, mail_date: date | datetime,
          batch_id: str | None, workers: int | None, reservice: str | None) -> None:
    """Mail a notice to every responsible party of CASES… by certified mail.

    CASES are case numbers, case files or folders of them (imported first). Writes
    out/<batch-id>/: packets/, print.pdf, firm-mailing-book.pdf, manifest.csv, affidavits/,
    file-copies/ and batch.json, after the whole batch is recorded in one transaction.
    Re-running a finished batch changes nothing; re-running an interrupted one finishes it.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from ..service import import_cases, mail_batch

    on = mail_date.date() if isinstance(mail_date, datetime) else mail_date
    batch_id = batch_id or f"{doc_type}-{on.isoformat()}"
    with ctx.app() as app:
        files = [Path(g) for g in given if Path(g).exists()]
        numbers = [g for g in given if not Path(g).exists()]
        if files:
            numbers += [r.case_number for r in import_cases(app, files)]
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar:
            task = bar.add_task("packets", total=None)
            result = mail_batch(app, numbers, doc_type, on, batch_id, reservice=reservice,
                                workers=workers,
                                progress=lambda done, total: bar.update(task, completed=done,
                                                                        total=total))
    if result.already_complete:
        click.echo(f"batch {batch_id} is already on record; nothing changed ({result.folder})")
    else:
        click.echo(f"batch {batch_id}: {counted(result.pieces, 'piece')} recorded "
                   f"({result.rendered} rendered now) in {result.folder}")


COMMANDS = [render, batch]
