"""`noticegen users …`: who may sign in to the service, as what, and their API tokens."""

from __future__ import annotations

import sys

import click

from ..roles import ROLES
from .common import Context


@click.group()
def users() -> None:
    """People who sign in to `noticegen serve`, each with one role."""


@users.command()
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What they may do.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of generating one.")
@click.option("--officer", metavar="ID",
              help="For an officer: who they are in config/agency.yaml (e.g. ofc-garza).")
@click.pass_obj
def add(ctx: Context, name: str, role: str, password_stdin: bool, officer: str | None
        ) -> None:
    """Add a user. Prints a generated one-time password (changed at first sign-in) unless
    --password-stdin gives one. An officer's account names the officer (--officer)."""
    from ..service.people import add_user

    given = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with ctx.app() as app:
        password = add_user(app, name, role, given, officer)
    if given is None:
        click.echo(f"added {name} ({role}); one-time password: {password}")
        click.echo("  they choose their own password at first sign-in")
    else:
        click.echo(f"added {name} ({role})")


@users.command("list")
@click.pass_obj
def list_(ctx: Context) -> None:
    """Every user with their role and state."""
    from ..service.people import list_users

    with ctx.app() as app:
        found = list_users(app)
    if not found:
        click.echo("no users yet; `noticegen users add NAME --role ROLE` adds one")
    for account in found:
        state = "disabled" if account.disabled else \
            "active (must change password)" if account.must_change else "active"
        role = f"{account.role} ({account.officer})" if account.officer else account.role
        click.echo(f"{account.name:<24} {role:<9} {state}  since "
                   f"{account.since:%Y-%m-%d %H:%M} UTC")


@users.command()
@click.argument("name")
@click.pass_obj
def disable(ctx: Context, name: str) -> None:
    """The user can no longer sign in or use a token; what they did stays on record."""
    from ..service.people import disable_user

    with ctx.app() as app:
        disable_user(app, name)
    click.echo(f"disabled {name}")


@users.command()
@click.argument("name")
@click.pass_obj
def token(ctx: Context, name: str) -> None:
    """A new personal API token for NAME (it replaces their older one); shown once."""
    from ..service.people import new_token

    with ctx.app() as app:
        value = new_token(app, name)
    click.echo(value)
    click.echo(f"  the API token of {name}, shown once: send it as "
               "'Authorization: Bearer <token>'", err=True)


COMMANDS = [users]
