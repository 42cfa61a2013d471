"""People who sign in to the service: accounts and roles, passwords (argon2), personal API
tokens, sessions and the sign-in trail. Every change is a new row; nothing is overwritten."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select

from ..errors import NoticegenError
from ..record.db import actor_id, now, utc
from ..record.tables import access, accounts, api_tokens, people
from ..roles import PUBLIC, ROLES
from ..roles import SEES_COMPLAINANT as SEES_COMPLAINANT  # re-exported: the web imports it here
from .app import App

IDLE = timedelta(minutes=30)
"""A session unused this long is over."""
SEEN_EVERY = timedelta(minutes=1)
"""A session's use is recorded at most this often (the idle clock's resolution)."""
ATTEMPTS = 5
"""Failed sign-ins for one name, or from one address, within THROTTLE before the next waits."""
THROTTLE = timedelta(minutes=15)
MIN_PASSWORD = 12
ENDS = ("signed_out", "expired", "ended")
"""What ends a session: signing out, idling past IDLE, a change of the person's password."""

_hasher = PasswordHasher()


@functools.cache
def _unknown() -> str:
    """Checked against when the name is unknown, so that the answer takes as long (made at
    first use, not at import: hashing costs time every command would pay)."""
    return _hasher.hash(secrets.token_urlsafe(16))


class AccessError(NoticegenError):
    """A sign-in, session or token that does not let its holder in: said without telling
    which part was wrong."""

    exit_code = 1


class Throttled(AccessError):
    """Too many failed sign-ins for the name or from the address: the next one waits."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool
    must_change: bool
    since: datetime
    officer: str | None = None


@dataclass(frozen=True)
class SignedIn:
    """A person as the service knows them for one request."""

    name: str
    role: str
    must_change: bool = False
    session: str | None = None
    """The session token (from the cookie), when signed in by session."""
    officer: str | None = None
    """For an officer: their id in config/agency.yaml (`users add --officer`)."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_password() -> str:
    return secrets.token_urlsafe(12)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise NoticegenError(f"the password is too short ({len(password)} characters)",
                             f"use at least {MIN_PASSWORD} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise NoticegenError(f"'{role}' is not a role", f"one of: {', '.join(ROLES)}")


def _current(c: Connection, name: str) -> tuple[int, dict | None]:
    """(person id or 0, their latest account row or None)."""
    person = c.execute(select(people.c.id).where(people.c.name == name)).scalar()
    if person is None:
        return 0, None
    row = c.execute(select(accounts).where(accounts.c.person_id == person)
                    .order_by(accounts.c.id.desc()).limit(1)).mappings().first()
    return int(person), dict(row) if row else None


def _check_officer(app: App, role: str, officer: str | None) -> None:
    """An officer's account names the officer they are; no other account names one."""
    known = [o.id for o in app.project.settings.officers]
    if role == "officer" and officer is None:
        raise NoticegenError("an officer's account needs the officer it is",
                             f"add --officer ID, one of: {', '.join(known)}")
    if role != "officer" and officer is not None:
        raise NoticegenError(f"only an officer's account names an officer, not a {role}'s",
                             "leave out --officer")
    if officer is not None and officer not in known:
        raise NoticegenError(f"no officer '{officer}' in config/agency.yaml",
                             f"one of: {', '.join(known)}")


def add_user(app: App, name: str, role: str, password: str | None = None,
             officer: str | None = None) -> str:
    """A new account; returns its password (generated when none is given: it must be changed
    at first sign-in). An officer's account names the officer it is (`officer`)."""
    app.ready()
    name = name.strip()
    if not name:
        raise NoticegenError("a user needs a name", "e.g. clerk.jones")
    if name == PUBLIC:
        raise NoticegenError(f"'{PUBLIC}' names the public, not a user", "choose another name")
    _check_role(role)
    _check_officer(app, role, officer)
    generated = password is None
    password = new_password() if password is None else password
    _check_password(password)
    with app.transaction() as (c, actor):
        _, row = _current(c, name)
        if row is not None:
            raise NoticegenError(f"there is already a user {name} ({row['role']})",
                                 "choose another name, or `users disable` the old account")
        c.execute(insert(accounts).values(
            person_id=actor_id(c, name), role=role, password_hash=_hasher.hash(password),
            must_change=generated, disabled=False, officer_id=officer, actor_id=actor,
            recorded_at=now()))
    return password


def _revise(c: Connection, actor: int, name: str, **changes: object) -> int:
    """A new revision of the person's account (the others stay); returns the person's id."""
    person, row = _current(c, name)
    if row is None:
        raise NoticegenError(f"there is no user {name}", "`noticegen users list` names them")
    values = {k: row[k] for k in ("role", "password_hash", "must_change", "disabled",
                                  "officer_id")}
    values.update(changes)
    c.execute(insert(accounts).values(person_id=person, actor_id=actor, recorded_at=now(),
                                      **values))
    return person


def disable_user(app: App, name: str) -> None:
    """The account can no longer sign in or use its tokens; its record stays."""
    app.ready()
    with app.transaction() as (c, actor):
        _revise(c, actor, name, disabled=True)


def set_password(app: App, name: str, old: str, new: str, keep: str | None = None,
                 address: str = "unknown") -> None:
    """The person's own change of password (the old one proves it is them). Every other
    session of theirs ends (`keep`: the session they are changing it from, at `address`)."""
    app.ready()
    _check_password(new)
    if old == new:
        raise NoticegenError("the new password is the old one", "choose a new password")
    with app.record.read() as c:
        _, row = _current(c, name)
    if row is None or not _matches(row["password_hash"], old):
        raise AccessError("the current password is not right", "type your current password")
    hashed_new = _hasher.hash(new)
    kept = digest(keep) if keep else None
    with app.transaction() as (c, actor):  # the new password and the ending of the sessions
        person = _revise(c, actor, name, password_hash=hashed_new, must_change=False)
        started = set(c.execute(select(access.c.session_sha256).where(
            access.c.name == name, access.c.kind == "signed_in")).scalars())
        ended = set(c.execute(select(access.c.session_sha256).where(
            access.c.session_sha256.in_(started), access.c.kind.in_(ENDS))).scalars())
        for hashed in sorted(started - ended - {kept}):
            _log(c, "ended", name, address, person, hashed)


def list_users(app: App) -> list[Account]:
    app.ready()
    with app.record.read() as c:
        latest = select(func.max(accounts.c.id)).group_by(accounts.c.person_id)
        rows = c.execute(select(people.c.name, accounts).join(
            people, people.c.id == accounts.c.person_id).where(accounts.c.id.in_(latest))
            .order_by(people.c.name)).mappings().all()
    return [Account(r["name"], r["role"], r["disabled"], r["must_change"], r["recorded_at"],
                    r["officer_id"]) for r in rows]


def new_token(app: App, name: str) -> str:
    """A new personal API token for the person (shown once; it replaces their older one)."""
    app.ready()
    token = "ngt_" + secrets.token_urlsafe(32)
    with app.transaction() as (c, actor):
        person, row = _current(c, name)
        if row is None or row["disabled"]:
            raise NoticegenError(f"there is no active user {name}",
                                 "`noticegen users list` names them")
        c.execute(insert(api_tokens).values(person_id=person, token_sha256=digest(token),
                                            actor_id=actor, recorded_at=now()))
    return token


def _matches(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _log(c: Connection, kind: str, name: str, address: str, person: int,
         session: str | None = None) -> None:
    c.execute(insert(access).values(kind=kind, name=name[:200], address=address[:64],
                                    session_sha256=session, recorded_at=now(),
                                    actor_id=person or actor_id(c, PUBLIC)))


def _failures(c: Connection, name: str, address: str, since: datetime) -> int:
    return int(c.execute(select(func.count()).select_from(access).where(
        access.c.kind == "sign_in_failed", access.c.recorded_at >= since,
        (access.c.name == name) | (access.c.address == address))).scalar() or 0)


def sign_in(app: App, name: str, password: str, address: str) -> tuple[SignedIn, str]:
    """Check the password and start a new session (a new token every time: a session is never
    carried over from before sign-in). Returns the person and the session token. After
    ATTEMPTS failures for the name or from the address, the next waits THROTTLE. The count
    and the attempt's record share one transaction (the write lock), so a burst of guesses
    at once is counted as one by one; an unknown name costs the same time as a known one."""
    app.ready()
    name = name.strip()
    with app.record.transaction() as c:
        person, row = _current(c, name)
        if _failures(c, name, address, now() - THROTTLE) >= ATTEMPTS:
            _log(c, "throttled", name, address, person)
            refused: AccessError = Throttled(
                "too many failed sign-ins", f"wait {int(THROTTLE.total_seconds() // 60)} "
                "minutes, then try again; an administrator can help sooner")
        elif not _matches(row["password_hash"] if row else _unknown(), password) \
                or row is None or row["disabled"]:
            _log(c, "sign_in_failed", name, address, person if row else 0)
            refused = AccessError("the name or password is not right",
                                  "check both; after several failures sign-in waits a while")
        else:
            token = secrets.token_urlsafe(32)
            _log(c, "signed_in", name, address, person, digest(token))
            return SignedIn(name, row["role"], row["must_change"], token,
                            row["officer_id"]), token
    raise refused


def session(app: App, token: str, address: str) -> SignedIn | None:
    """The person a session token belongs to, if the session is open, not idle past IDLE,
    and their account is active; its use is recorded (at most once a minute)."""
    hashed = digest(token)
    with app.record.read() as c:
        rows = c.execute(select(access.c.kind, access.c.name, access.c.recorded_at).where(
            access.c.session_sha256 == hashed).order_by(access.c.id)).all()
        if not rows or rows[0].kind != "signed_in" or any(r.kind in ENDS for r in rows):
            return None
        name = rows[0].name
        person, row = _current(c, name)
    last = utc(rows[-1].recorded_at)
    if row is None or row["disabled"]:
        return None
    if now() - last > IDLE:
        with app.record.transaction() as c:
            _log(c, "expired", name, address, person, hashed)
        return None
    if now() - last > SEEN_EVERY:
        with app.record.transaction() as c:
            _log(c, "seen", name, address, person, hashed)
    return SignedIn(name, row["role"], row["must_change"], token, row["officer_id"])


def sign_out(app: App, token: str, address: str) -> None:
    hashed = digest(token)
    with app.record.transaction() as c:
        name = c.execute(select(access.c.name).where(
            access.c.session_sha256 == hashed, access.c.kind == "signed_in")).scalar()
        if name is not None:
            person, _ = _current(c, name)
            _log(c, "signed_out", name, address, person, hashed)


def by_token(app: App, token: str) -> SignedIn | None:
    """The person whose newest API token this is, if their account is active."""
    newest = select(func.max(api_tokens.c.id)).group_by(api_tokens.c.person_id)
    latest = select(func.max(accounts.c.id)).group_by(accounts.c.person_id)
    with app.record.read() as c:
        row = c.execute(select(people.c.name, accounts.c.role, accounts.c.disabled,
                               accounts.c.officer_id)
                        .select_from(api_tokens)
                        .join(people, people.c.id == api_tokens.c.person_id)
                        .join(accounts, accounts.c.person_id == api_tokens.c.person_id)
                        .where(api_tokens.c.token_sha256 == digest(token),
                               api_tokens.c.id.in_(newest), accounts.c.id.in_(latest))).first()
    if row is None or row.disabled:
        return None
    return SignedIn(row.name, row.role, officer=row.officer_id)
