"""`noticegen db …`: create and upgrade the record, check it adds up, back it up."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..words import counted
from .common import Context


@click.group()
def db() -> None:
    """The record itself: schema upgrades (explicit, never on open), checks and backups."""


@db.command()
@click.pass_obj
def upgrade(ctx: Context) -> None:
    """Create the record, or bring an older one to this noticegen's schema."""
    from ..service import upgrade as run

    with ctx.app() as app:
        before, after = run(app)
        where = app.record.shown
    if before == after:
        click.echo(f"the record at {where} is at schema revision {after}; nothing to do")
    else:
        click.echo(f"the record at {where}: schema {before or '(new)'} → {after}")


@db.command()
@click.pass_obj
def check(ctx: Context) -> None:
    """Every file the record names is present and matches its SHA-256; every article number
    is valid and on one piece. Exit 1 if the record does not add up."""
    from ..service import check as run

    with ctx.app() as app:
        found = run(app)
    click.echo(", ".join(f"{n} {what}" for what, n in found.counts.items()))
    for note in found.notes:
        click.echo(f"note: {note}")
    for problem in found.problems:
        click.echo(f"{click.style('problem', fg='red', bold=True)}: {problem}", err=True)
    if found.problems:
        click.echo(f"{counted(len(found.problems), 'problem')}: restore the blob store or the "
                   "database from backup", err=True)
        sys.exit(1)
    click.echo("ok: the record adds up")


@db.command()
@click.argument("target", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup(ctx: Context, target: Path) -> None:
    """A consistent copy of a SQLite record, made while others may write (for PostgreSQL,
    says how to use pg_dump). Keep the blob store folder with it."""
    from ..service import backup as run

    with ctx.app() as app:
        revision = run(app, target)
        blobs = app.blobs.root.resolve()
    click.echo(f"{target}  (schema {revision}; back up {blobs} with it)")


@db.command()
@click.option("--accept-empty-record", is_flag=True,
              help="Start over on an empty record although documents were issued before.")
@click.option("--accept-older-record", is_flag=True,
              help="Go on with a record restored from a backup older than the last mailing.")
@click.pass_obj
def init(ctx: Context, accept_empty_record: bool, accept_older_record: bool) -> None:
    """Record the decision to go on after the record was lost (only when no newer backup
    exists): an empty record, or an older one. Article numbers continue past every one ever
    mailed, so none is issued twice."""
    from ..errors import NoticegenError
    from ..service import accept_empty_record as empty
    from ..service import accept_older_record as older

    if accept_empty_record == accept_older_record:
        raise NoticegenError("say which decision to record",
                             "--accept-empty-record or --accept-older-record")
    with ctx.app() as app:
        if accept_empty_record:
            floor = empty(app)
            click.echo(f"recorded: the record starts over empty; IMpb serials continue after "
                       f"{floor}")
        else:
            mailed = older(app)
            click.echo("recorded: the record goes on as restored; numbers continue after "
                       + (", ".join(f"{n} serial {s}" for n, s in mailed.items()) or "—"))


COMMANDS = [db]
