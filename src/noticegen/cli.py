"""The noticegen command line: thin commands over the public functions."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from .errors import InputError, NoticegenError
from .project import load_project


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
    catalog = project.catalog
    click.echo(f"ok: {len(catalog.code.sections)} ordinance sections, "
               f"{len(catalog.deadlines.deadlines)} deadline categories, "
               f"{len(project.settings.officers)} officers, {len(project.cases)} cases")


def main() -> None:
    cli(prog_name="noticegen")
