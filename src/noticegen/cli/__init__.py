"""The noticegen command line: a thin face over the service (noticegen.service)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import Context, Group, login_name


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              envvar="NOTICEGEN_ROOT", show_default=True,
              help="Project folder holding ordinances/ and config/.")
@click.option("--actor", envvar="NOTICEGEN_ACTOR", default=login_name,
              show_default="the login name",
              help="Who acts: recorded with everything this command records.")
@click.version_option(package_name="noticegen")
@click.pass_context
def cli(ctx: click.Context, root: Path, actor: str) -> None:
    """Code-enforcement notices, certified-mail packets and their records.

    The record is a database (SQLite under the state folder, or PostgreSQL by
    NOTICEGEN_DATABASE_URL); create or upgrade it with `noticegen db upgrade`.
    """
    ctx.obj = Context(root, actor)


def main() -> None:
    cli(prog_name="noticegen")


from . import cases, db, issuing, serve, templates, track, users  # noqa: E402

for module in (cases, db, issuing, serve, track, users):
    for command in module.COMMANDS:
        cli.add_command(command)
cli.add_command(templates.templates)
