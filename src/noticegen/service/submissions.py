"""A form received once: each form the service hands out carries a random key, recorded in
the transaction that does what the form asked. The same form sent again (a phone that lost its
signal and sent it when it came back, a double tap) is refused, naming what the first made."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Connection, insert, select

from ..errors import NoticegenError
from ..record.db import now
from ..record.tables import submissions

KEY_LENGTH = 64


class AlreadyReceived(NoticegenError):
    """The form was received before (the web answers 409, with a link to what it made)."""

    def __init__(self, kind: str, result: dict[str, Any]) -> None:
        super().__init__(f"this {kind.replace('_', ' ')} was already received; it is "
                         "recorded once", "open what it made instead of sending it again")
        self.result = result


def new_key() -> str:
    return secrets.token_urlsafe(24)


def refuse_seen(c: Connection, key: str) -> None:
    """AlreadyReceived when the form's key is on record (asked first: a form sent again is
    the same form, whatever changed since)."""
    found = c.execute(select(submissions.c.kind, submissions.c.result)
                      .where(submissions.c.key == key.strip())).first()
    if found is not None:
        raise AlreadyReceived(found.kind, found.result)


def receive_once(c: Connection, actor: int, key: str, kind: str, result: dict[str, Any]
                 ) -> None:
    """Record the form's key with what it made; AlreadyReceived when it is on record (the
    caller's transaction then records nothing)."""
    key = key.strip()
    if not key or len(key) > KEY_LENGTH:
        raise NoticegenError("the form has no valid key", "reload the page and fill it again")
    refuse_seen(c, key)
    c.execute(insert(submissions).values(key=key, kind=kind, result=result, actor_id=actor,
                                         recorded_at=now()))
