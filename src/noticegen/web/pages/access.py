"""Signing in and out, choosing one's own password, the landing page, and the administrator's
list of users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from ...errors import NoticegenError
from ...service import App
from ...service.people import (
    ROLES,
    AccessError,
    SignedIn,
    Throttled,
    add_user,
    disable_user,
    list_users,
    set_password,
    sign_in,
    sign_out,
)
from ..answers import local_path, page
from ..auth import ADMIN, ANYONE, SESSION, SIGNED_IN, acting, address, allow

router = APIRouter()
LANDING = {"clerk": "/queue", "manager": "/queue", "attorney": "/templates",
           "officer": "/queue", "admin": "/users"}


@router.get("/", dependencies=[Depends(allow(ANYONE))])
def home(request: Request) -> Response:
    person: SignedIn | None = request.state.person
    if person is None:
        return RedirectResponse("/sign-in", 303)
    return RedirectResponse(LANDING[person.role], 303)


@router.get("/sign-in", dependencies=[Depends(allow(ANYONE))])
def sign_in_form(request: Request, next: str = "/") -> Response:
    return page(request, "sign_in.html", next=local_path(next), error=None, name="")


@router.post("/sign-in", dependencies=[Depends(allow(ANYONE))])
def sign_in_post(request: Request, name: Annotated[str, Form()] = "",
                 password: Annotated[str, Form()] = "",
                 next: Annotated[str, Form()] = "/") -> Response:
    try:
        person, token = sign_in(request.app.state.base, name, password, address(request))
    except AccessError as exc:
        status = 429 if isinstance(exc, Throttled) else 401
        return page(request, "sign_in.html", status=status, next=local_path(next),
                    error=exc, name=name)
    target = "/account/password" if person.must_change else local_path(next)
    if target == "/":
        target = LANDING[person.role]
    response = RedirectResponse(target, 303)
    response.set_cookie(SESSION, token, httponly=True, secure=True, samesite="lax", path="/")
    return response


@router.post("/sign-out", dependencies=[Depends(allow(*SIGNED_IN))])
def sign_out_post(request: Request) -> Response:
    person: SignedIn = request.state.person
    if person.session:
        sign_out(request.app.state.base, person.session, address(request))
    response = RedirectResponse("/sign-in", 303)
    response.delete_cookie(SESSION, path="/", secure=True, httponly=True, samesite="lax")
    return response


@router.get("/account/password", dependencies=[Depends(allow(*SIGNED_IN))])
def password_form(request: Request) -> Response:
    return page(request, "password.html", error=None, done=False)


@router.post("/account/password", dependencies=[Depends(allow(*SIGNED_IN))])
def password_post(request: Request, current: Annotated[str, Form()] = "",
                  new: Annotated[str, Form()] = "", again: Annotated[str, Form()] = ""
                  ) -> Response:
    person: SignedIn = request.state.person
    try:
        if new != again:
            raise NoticegenError("the two new passwords differ", "type the same one twice")
        set_password(acting(request), person.name, current, new, keep=person.session,
                     address=address(request))
    except NoticegenError as exc:
        return page(request, "password.html", status=422, error=exc, done=False)
    return RedirectResponse(LANDING[person.role], 303)


# -- the administrator's users ---------------------------------------------------------------

class User(BaseModel):
    name: str
    role: str
    disabled: bool
    must_change: bool


class NewUser(BaseModel):
    name: str
    role: str
    officer: str | None = None
    """For an officer: their id in config/agency.yaml."""


class NewUserAnswer(BaseModel):
    name: str
    role: str
    one_time_password: str


@router.get("/users", dependencies=[Depends(allow(*ADMIN))])
def users_page(request: Request) -> Response:
    return _users(request, acting(request))


def _users(request: Request, app: App, status: int = 200, added: tuple[str, str] | None = None,
           error: NoticegenError | None = None) -> Response:
    return page(request, "users.html", status=status, users=list_users(app), roles=ROLES,
                officers=app.project.settings.officers, added=added, error=error)


@router.post("/users", dependencies=[Depends(allow(*ADMIN))])
def users_add(request: Request, name: Annotated[str, Form()] = "",
              role: Annotated[str, Form()] = "",
              officer: Annotated[str, Form()] = "") -> Response:
    app = acting(request)
    try:
        password = add_user(app, name, role, officer=officer or None)
    except NoticegenError as exc:
        return _users(request, app, 422, error=exc)
    return _users(request, app, added=(name.strip(), password))


@router.post("/users/{name}/disable", dependencies=[Depends(allow(*ADMIN))])
def users_disable(request: Request, name: str) -> Response:
    disable_user(acting(request), name)
    return RedirectResponse("/users", 303)


@router.get("/api/me", dependencies=[Depends(allow(*SIGNED_IN))])
def api_me(request: Request) -> User:
    person: SignedIn = request.state.person
    return User(name=person.name, role=person.role, disabled=False,
                must_change=person.must_change)


@router.get("/api/users", dependencies=[Depends(allow(*ADMIN))])
def api_users(request: Request) -> list[User]:
    return [User(name=a.name, role=a.role, disabled=a.disabled, must_change=a.must_change)
            for a in list_users(acting(request))]


@router.post("/api/users", dependencies=[Depends(allow(*ADMIN))], status_code=201)
def api_users_add(request: Request, body: NewUser) -> NewUserAnswer:
    password = add_user(acting(request), body.name, body.role, officer=body.officer)
    return NewUserAnswer(name=body.name.strip(), role=body.role, one_time_password=password)


@router.post("/api/users/{name}/disable", dependencies=[Depends(allow(*ADMIN))])
def api_users_disable(request: Request, name: str) -> User:
    app = acting(request)
    disable_user(app, name)
    found = next(a for a in list_users(app) if a.name == name)
    return User(name=found.name, role=found.role, disabled=True, must_change=found.must_change)


class NewPassword(BaseModel):
    current: str
    new: str


@router.post("/api/account/password", dependencies=[Depends(allow(*SIGNED_IN))])
def api_password(request: Request, body: NewPassword) -> User:
    """Choose one's own password (the current one proves it is you)."""
    person: SignedIn = request.state.person
    set_password(acting(request), person.name, body.current, body.new, keep=person.session,
                 address=address(request))
    return User(name=person.name, role=person.role, disabled=False, must_change=False)
