"""The noticegen command line: thin commands over the public functions."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime, time
from functools import wraps
from pathlib import Path
from typing import Any

import click

from .cases import Case
from .errors import InputError, NoticegenError
from .models import DayOrMoment
from .project import Project, load_project
from .rules import OfficeCalendar, long_date, next_steps, notice_deadlines, rank, service


def _reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn NoticegenError into a message and its exit code, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            for problem in exc.problems:
                click.echo(f"{click.style('error', fg='red', bold=True)}: {problem}", err=True)
            click.echo(exc.message, err=True)
            sys.exit(exc.exit_code)
        except NoticegenError as exc:
            click.echo(f"{click.style('error', fg='red', bold=True)}: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              envvar="NOTICEGEN_ROOT", show_default=True,
              help="Project folder holding ordinances/ and config/.")
@click.version_option(package_name="noticegen")
@click.pass_context
def cli(ctx: click.Context, root: Path) -> None:
    """Code-enforcement notices, certified-mail packets and their records."""
    ctx.obj = root


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
@_reports_errors
def check(root: Path, paths: tuple[Path, ...]) -> None:
    """Validate the catalogs, the settings and the case files under PATHS.

    Every problem is listed with file, line, field and a hint; exit 2 if any.
    """
    project = load_project(root, paths)
    from .review import check_templates

    if template_problems := check_templates(root):
        raise InputError(template_problems)
    catalog = project.catalog
    click.echo(f"ok: {len(catalog.code.sections)} ordinance sections, "
               f"{len(catalog.deadlines.deadlines)} deadline categories, "
               f"{len(project.settings.officers)} officers, {len(project.cases)} cases")


class _When(click.ParamType):
    """A date (YYYY-MM-DD) or date-time (YYYY-MM-DD HH:MM) in the agency's time zone."""

    name = "DATE|DATETIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        from pydantic import TypeAdapter, ValidationError

        try:
            return TypeAdapter(DayOrMoment).validate_python(value)
        except ValidationError as exc:
            error = exc.errors()[0]
            ctx_info = error.get("ctx") or {}
            self.fail(f"{ctx_info.get('message', error['msg'])} ({ctx_info.get('hint', '')})",
                      param, ctx)


WHEN = _When()


def _one_case(root: Path, path: Path) -> tuple[Project, Case]:
    project = load_project(root, [path])
    if len(project.cases) != 1:
        raise NoticegenError(f"{path} holds {len(project.cases)} cases; name one case file",
                             "e.g. examples/cases/CE-2026-0141.yaml")
    return project, next(iter(project.cases.values()))


def _moment(value: date | datetime | None, project: Project) -> datetime:
    """Now, or the given time; a bare date stands for the start of that day."""
    if value is None:
        return datetime.now(project.settings.zone).replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0, 0))


@cli.command()
@click.argument("case_file", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--issued", type=WHEN, help="When the notice is issued or mailed [default: now].")
@click.option("--method", type=click.Choice(["in-person", "mail"]), default="in-person",
              show_default=True, help="How the notice is served.")
@click.option("--delivered", type=WHEN, help="Actual delivery date of a mailed notice, if known.")
@click.pass_obj
@_reports_errors
def deadlines(root: Path, case_file: Path, issued: date | datetime | None, method: str,
              delivered: date | datetime | None) -> None:
    """Print each violation's compliance deadline for a notice issued at --issued."""
    project, case = _one_case(root, case_file)
    settings = project.settings
    hourly = [v.id for v in case.violations
              if project.catalog.deadline_for(v.ordinance).kind == "hours"]
    if hourly and isinstance(issued, date) and not isinstance(issued, datetime):
        raise NoticegenError(f"violation {hourly[0]} has an hour-based deadline, so the time "
                             "of service matters", "give --issued as YYYY-MM-DD HH:MM")
    served = service(_moment(issued, project), method.replace("-", "_"), settings.zone,
                     settings.calendar, delivered)
    result = notice_deadlines([(v.id, v.ordinance) for v in case.violations], project.catalog,
                              served, OfficeCalendar(settings.calendar),
                              settings.calendar.roll_to_business_day)
    click.echo(f"{case.case_number} — {case.property.address.one_line()}")
    click.echo(f"Service: {served.basis}")
    for violation in case.violations:
        section = project.catalog.ordinance(violation.ordinance)
        d = result.by_violation[violation.id]
        click.echo(f"  {violation.id}  {section.citation} ({section.title}): {d.rule.label}")
        click.echo(f"      comply {d.wording}")
        if d.rolled_from:
            click.echo(f"      (day {d.rule.days} falls on {long_date(d.rolled_from)}, "
                       f"{d.rolled_because}; moved to the next business day)")
    click.echo(f"Notice deadline (earliest): {result.earliest.wording}")


@cli.command(name="next")
@click.argument("case_file", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--as-of", "as_of", type=WHEN, help="Decide as of this date [default: today].")
@click.pass_obj
@_reports_errors
def next_(root: Path, case_file: Path, as_of: date | datetime | None) -> None:
    """Print what may be issued next for a case, and why not the others."""
    project, case = _one_case(root, case_file)
    day = _moment(as_of, project).date()
    priority = rank(case, project.catalog)
    click.echo(f"{case.case_number} — {case.property.address.one_line()}")
    click.echo(f"{priority.label}: " + "; ".join(priority.reasons))
    click.echo(f"As of {long_date(day)}:")
    for step in next_steps(case, project.catalog, project.settings, day):
        mark = click.style("may issue", fg="green") if step.allowed \
            else click.style("not now  ", fg="yellow")
        click.echo(f"  {mark}  {step.name:<13} {step.reasons[0]}")
        for reason in step.reasons[1:]:
            click.echo(f"  {'':9}  {'':<13} {reason}")


def _record_issued(project: Project, case: Case, doc: Any, target: Path) -> None:
    """Enter a single document in the tracking store (closure letters carry their XIII.D
    six-month check date)."""
    from .rules.deadlines import six_month_follow_up
    from .tracking.store import document_row, open_store

    closure = case.closure
    follow_up = six_month_follow_up(closure.on) if (
        doc.doc_type == "closure" and closure and closure.extenuating_circumstances) else None
    store = open_store(project.settings)
    try:
        store.record([document_row(doc, case, str(target), follow_up_due=follow_up)])
    finally:
        store.close()


DOC_TYPES = ("warning", "nov", "vca", "citation", "stop-work", "closure", "field-report")


@cli.command()
@click.argument("doc_type", metavar="TYPE", type=click.Choice(DOC_TYPES))
@click.argument("case_file", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--recipient", help="Responsible party id (owner, tenant, …) when there are several.")
@click.option("--variant", help="Template variant: door-hanger|letter, or file-copy for an NOV.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx"]), default="pdf",
              show_default=True)
@click.option("--issued", type=WHEN, help="Issue (or mailing) date-time [default: now].")
@click.option("--out", type=click.Path(path_type=Path), help="Output file [default: out/CASE/…].")
@click.option("--draft", is_flag=True, help="Render even a template not approved yet: "
              "DRAFT — NOT FOR SERVICE on every page, written as DRAFT-…, recorded nowhere.")
@click.pass_obj
@_reports_errors
def render(root: Path, doc_type: str, case_file: Path, recipient: str | None,
           variant: str | None, fmt: str, issued: date | datetime | None,
           out: Path | None, draft: bool) -> None:
    """Render one document for one case, e.g. a warning notice to print on site."""
    from .records import save_document
    from .render import renderer

    project, case = _one_case(root, case_file)
    doc = renderer(project, root / "out" / ".cache" / "photos").render(
        doc_type, case, _moment(issued, project), recipient=recipient, variant=variant,
        fmt=fmt, draft=draft)
    if draft:  # for review only: never recorded as issued
        from .records import write_atomically

        target = out or root / "out" / case.case_number / f"DRAFT-{doc.document_id}.{fmt}"
        if "draft" not in target.name.lower():
            raise NoticegenError(f"a draft's file name must say DRAFT: {target.name}",
                                 f"--out {target.with_name('DRAFT-' + target.name)}")
        write_atomically(target, doc.content)
        click.echo(f"{target}  (DRAFT — NOT FOR SERVICE; {doc.template_id} "
                   f"v{doc.template_version}; not recorded)")
        return
    target = out or root / "out" / case.case_number / f"{doc.document_id}.{fmt}"
    save_document(doc, target, root / "out")
    _record_issued(project, case, doc, target)
    click.echo(f"{target}  ({doc.title}, {doc.template_id} v{doc.template_version}, "
               f"sha256 {doc.sha256[:16]}…)")


@cli.command()
@click.argument("paths", metavar="CASES…", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--doc", "doc_type", type=click.Choice(["nov"]), default="nov", show_default=True,
              help="The notice to mail.")
@click.option("--mail-date", type=WHEN, required=True, help="The day the batch is mailed.")
@click.option("--batch-id", help="Names out/<batch-id>/ [default: <doc>-<mail date>].")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes that render [default: one per CPU core]. The output is "
                   "the same whatever the number.")
@click.pass_obj
@_reports_errors
def batch(root: Path, paths: tuple[Path, ...], doc_type: str, mail_date: date | datetime,
          batch_id: str | None, workers: int | None) -> None:
    """Mail a notice to every responsible party of the cases under CASES… by certified mail.

    Writes out/<batch-id>/: packets/, print.pdf, firm-mailing-book.pdf, manifest.csv,
    affidavits/, file-copies/ and batch.json. Re-running a finished batch changes nothing;
    re-running an interrupted one resumes it.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from .mail.batch import Batch
    from .render import renderer

    day = mail_date.date() if isinstance(mail_date, datetime) else mail_date
    batch_id = batch_id or f"{doc_type}-{day.isoformat()}"
    project = load_project(root, paths)
    out = root / "out"
    job = Batch(project, renderer(project, out / ".cache" / "photos"), doc_type, day, batch_id,
                out, workers=workers)
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task("packets", total=None)
        result = job.run(lambda done, total: bar.update(task, completed=done, total=total))
    if result.already_complete:
        click.echo(f"batch {batch_id} is already complete; nothing changed ({result.folder})")
    else:
        click.echo(f"batch {batch_id}: {result.pieces} pieces ({result.rendered} rendered now) "
                   f"in {result.folder}")


def main() -> None:
    cli(prog_name="noticegen")


from .cli_templates import templates  # noqa: E402  (it uses the helpers above)

cli.add_command(templates)


from .cli_track import followups, track, verify  # noqa: E402  (they build on the helpers above)

cli.add_command(track)
cli.add_command(followups)
cli.add_command(verify)
