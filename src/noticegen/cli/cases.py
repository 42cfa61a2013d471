"""`check`, `cases import|export`, `deadlines`, `next`: cases and what the rules say of them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import InputError, NoticegenError
from ..words import counted
from .common import WHEN, Context, day, moment

if TYPE_CHECKING:
    from ..cases import Case
    from ..service import App


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def check(ctx: Context, paths: tuple[Path, ...]) -> None:
    """Validate the catalogs, the settings and the case files under PATHS.

    Every problem is listed with file, line, field and a hint; exit 2 if any.
    """
    from ..project import load_project
    from ..review import check_templates

    project = load_project(ctx.root, paths)
    if template_problems := check_templates(ctx.root):
        raise InputError(template_problems)
    catalog = project.catalog
    click.echo(f"ok: {len(catalog.code.sections)} ordinance sections, "
               f"{len(catalog.deadlines.deadlines)} deadline categories, "
               f"{len(project.settings.officers)} officers, {len(project.cases)} cases")


@click.group()
def cases() -> None:
    """Cases in the record: import case files, export them."""


@cases.command("import")
@click.argument("paths", metavar="PATH…", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.pass_obj
def import_(ctx: Context, paths: tuple[Path, ...]) -> None:
    """Load case files (or folders of them) into the record, checked as `check` checks them;
    any problem imports nothing. Unchanged files change nothing; a changed file makes a new
    revision; history entries join the case's event log."""
    from ..service import import_cases

    with ctx.app() as app:
        results = import_cases(app, list(paths))
    changed = 0
    for r in results:
        changed += r.state != "unchanged" or r.events_added > 0
        events = f", {counted(r.events_added, 'event')} added" if r.events_added else ""
        click.echo(f"{r.case_number}: {r.state} (revision {r.revision}){events}")
    click.echo(f"{counted(len(results), 'case')} read; "
               + (f"{changed} changed the record" if changed else "nothing changed"))


@cases.command("export")
@click.argument("numbers", metavar="CASE…", nargs=-1, required=True)
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out/cases"), show_default=True, help="Folder for the case files.")
@click.pass_obj
def export(ctx: Context, numbers: tuple[str, ...], folder: Path) -> None:
    """Write cases as case files (photos in photos/ beside them) that import back to the same
    revision; the history holds every step of the event log, the issued ones included."""
    from ..service import export_cases

    with ctx.app() as app:
        for path in export_cases(app, list(numbers), folder):
            click.echo(str(path))


def _case(app: App, given: str) -> Case:
    from ..service import load_case, resolve

    return load_case(app, resolve(app, given)).case


@click.command()
@click.argument("given", metavar="CASE")
@click.option("--issued", type=WHEN, help="When the notice is issued or mailed [default: now].")
@click.option("--method", type=click.Choice(["in-person", "mail"]), default="in-person",
              show_default=True, help="How the notice is served.")
@click.option("--delivered", type=WHEN, help="Actual delivery date of a mailed notice, if known.")
@click.pass_obj
def deadlines(ctx: Context, given: str, issued: date | datetime | None, method: str,
              delivered: date | datetime | None) -> None:
    """Print each violation's compliance deadline for a notice issued at --issued.

    CASE is a case number, or a case file (imported first).
    """
    from ..rules import OfficeCalendar, long_date, notice_deadlines, service

    with ctx.app() as app:
        case = _case(app, given)
        project = app.project
    settings = project.settings
    hourly = [v.id for v in case.violations
              if project.catalog.deadline_for(v.ordinance).kind == "hours"]
    if hourly and isinstance(issued, date) and not isinstance(issued, datetime):
        raise NoticegenError(f"violation {hourly[0]} has an hour-based deadline, so the time "
                             "of service matters", "give --issued as YYYY-MM-DD HH:MM")
    served = service(moment(issued, settings.zone), method.replace("-", "_"), settings.zone,
                     settings.calendar, delivered)
    result = notice_deadlines([(v.id, v.ordinance) for v in case.violations],
                              project.catalog, served, OfficeCalendar(settings.calendar),
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


@click.command(name="next")
@click.argument("given", metavar="CASE")
@click.option("--as-of", "as_of", type=WHEN, help="Decide as of this date [default: today].")
@click.pass_obj
def next_(ctx: Context, given: str, as_of: date | datetime | None) -> None:
    """Print what may be issued next for a case, and why not the others (from the case's
    event log: what noticegen issued is on file the moment it is issued)."""
    from ..rules import long_date, next_steps, rank

    with ctx.app() as app:
        case = _case(app, given)
        project = app.project
    on = day(as_of, project.settings.zone)
    priority = rank(case, project.catalog)
    click.echo(f"{case.case_number} — {case.property.address.one_line()}")
    click.echo(f"{priority.label}: " + "; ".join(priority.reasons))
    click.echo(f"As of {long_date(on)}:")
    for step in next_steps(case, project.catalog, project.settings, on):
        mark = click.style("may issue", fg="green") if step.allowed \
            else click.style("not now  ", fg="yellow")
        click.echo(f"  {mark}  {step.name:<14} {step.reasons[0]}")
        for reason in step.reasons[1:]:
            click.echo(f"  {'':9}  {'':<14} {reason}")


COMMANDS = [check, cases, deadlines, next_]
