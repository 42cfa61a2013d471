"""What every command shares: the error translation, the acting person, dates, the App."""

from __future__ import annotations

import errno
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import click

from ..errors import InputError, NoticegenError
from ..models import DayOrMoment

ERROR = "error"


def _echo_error(text: str) -> None:
    click.echo(f"{click.style(ERROR, fg='red', bold=True)}: {text}", err=True)


class Group(click.Group):
    """Errors are caught once, here: a NoticegenError becomes its message, hint and exit code;
    a full disk or any other failure a one-line message — never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            for problem in exc.problems:
                _echo_error(str(problem))
            click.echo(exc.message, err=True)
            sys.exit(exc.exit_code)
        except NoticegenError as exc:
            _echo_error(str(exc))
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # the reader (e.g. `| head`) stopped reading: not an error
            sys.stderr.close()
            sys.exit(0)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                _echo_error(f"the disk is full ({exc.filename or 'writing'}); nothing "
                            "half-written was kept\n    hint: free space and run the same "
                            "command again")
            else:
                _echo_error(f"{exc.strerror or exc}: {exc.filename or ''}\n    hint: check "
                            "the path and its permissions")
            sys.exit(5)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so plainly, keep the traceback for developers
            if os.environ.get("NOTICEGEN_DEBUG"):
                raise
            _echo_error(f"internal error ({type(exc).__name__}: {exc})\n    hint: nothing "
                        "more was recorded; report this with the command you ran "
                        "(NOTICEGEN_DEBUG=1 shows the details)")
            sys.exit(70)


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


def login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


class Context:
    """The root folder and the acting person, from the command line."""

    def __init__(self, root: Path, actor: str) -> None:
        self.root, self.actor = root, actor

    @contextmanager
    def app(self) -> Iterator[Any]:
        from ..service import App

        app = App.open(self.root, self.actor, os.environ.get("NOTICEGEN_DATABASE_URL"))
        try:
            yield app
        finally:
            app.close()


def moment(value: date | datetime | None, zone: Any) -> datetime:
    """Now, or the given time; a bare date stands for the start of that day."""
    if value is None:
        return datetime.now(zone).replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0, 0))


def day(value: date | datetime | None, zone: Any) -> date:
    if value is None:
        return datetime.now(zone).date()
    return value.date() if isinstance(value, datetime) else value
