"""Docs that cannot drift: every command of the command line and every kind of page of the
service is in the README."""

from __future__ import annotations

import click
from conftest import REPO
from fastapi.routing import APIRoute

from noticegen.cli import cli
from noticegen.web.pages import ROUTERS

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str) -> list[str]:
    found = []
    for name, command in group.commands.items():
        found.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
    return found


def test_every_command_is_in_the_readme():
    missing = [c for c in _commands(cli, "noticegen") if f"`{c}" not in README]
    assert not missing, missing


def test_every_kind_of_page_is_in_the_readme():
    pages = {"/" + r.path.strip("/").split("/")[0] for router in ROUTERS for r in router.routes
             if isinstance(r, APIRoute) and "GET" in r.methods and r.path != "/"}
    missing = sorted(p for p in pages if f"`{p}" not in README)
    assert not missing, missing
