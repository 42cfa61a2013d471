"""Signing in and out, sessions, passwords, throttling, tokens and CSRF (issue 14, item 2)."""

from __future__ import annotations

import pytest
from conftest import Web, cli_ok, cli_run, opened, served_examples

pytestmark = pytest.mark.record  # (the record is the module's own: run again on PostgreSQL)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """One service for the module: each test signs in as its own people, or a fresh session."""
    with served_examples(tmp_path_factory, "access") as found:
        yield found


@pytest.fixture
def own(examples_root):
    """A service over a record of the test's own (for a test that leaves it changed for all)."""
    found = Web(examples_root)
    yield found
    found.close()


def test_sign_in_rotates_the_session_and_sign_out_ends_it(web):
    client = web.client("clerk")
    first = client.cookies.get("ng_session")
    again = web.client("clerk")
    assert again.cookies.get("ng_session") != first  # a new token at every sign-in
    held = web.anonymous()
    me = held.get("/api/me", headers={"cookie": f"ng_session={first}"})
    assert me.status_code == 200 and me.json()["name"] == "clerk.test"
    out = client.post("/sign-out", data={"csrf": client.csrf})
    assert out.status_code == 303
    assert held.get("/api/me", headers={"cookie": f"ng_session={first}"}).status_code == 401
    assert again.get("/api/me").status_code == 200  # the other session is its own


def test_an_idle_session_ends(web, monkeypatch):
    from datetime import timedelta

    from noticegen.service import people

    client = web.client("clerk")
    assert client.get("/api/me").status_code == 200
    monkeypatch.setattr(people, "IDLE", timedelta(0))
    assert client.get("/api/me").status_code == 401
    monkeypatch.setattr(people, "IDLE", timedelta(minutes=30))
    assert client.get("/api/me").status_code == 401  # ended, not just paused
    assert client.get("/users").headers["location"].startswith("/sign-in")


def test_the_session_cookie_is_httponly_secure_and_samesite(web):
    client = web.anonymous()
    web.add_user("c1", "clerk")
    answer = client.post("/sign-in", data={"name": "c1", "password": web.PASSWORD,
                                           "csrf": web.csrf_of(client, "/sign-in")})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie


def test_a_wrong_password_is_refused_recorded_and_throttled(own):
    web = own  # the throttle counts the test client's address too: it would refuse the rest
    web.add_user("c2", "clerk")
    client = web.anonymous()
    for _ in range(5):
        bad = client.post("/sign-in", data={"name": "c2", "password": "wrong-password-x",
                                             "csrf": web.csrf_of(client, "/sign-in")})
        assert bad.status_code == 401
        assert "not right" in bad.text
    right = client.post("/sign-in", data={"name": "c2", "password": web.PASSWORD,
                                          "csrf": web.csrf_of(client, "/sign-in")})
    assert right.status_code == 429 and "too many failed sign-ins" in right.text
    from sqlalchemy import select

    from noticegen.record.tables import access
    with web.asgi.state.base.record.read() as c:
        kinds = [k for (k,) in c.execute(select(access.c.kind).where(access.c.name == "c2"))]
    assert kinds == ["sign_in_failed"] * 5 + ["throttled"]


def test_a_form_without_its_csrf_token_is_refused(web):
    client = web.client("admin")
    refused = client.post("/users", data={"name": "x.y", "role": "clerk"})
    assert refused.status_code == 403 and "did not come from this service" in refused.text
    forged = client.post("/users", data={"name": "x.y", "role": "clerk", "csrf": "0" * 40})
    assert forged.status_code == 403
    done = client.post("/users", data={"name": "x.y", "role": "clerk", "csrf": client.csrf})
    assert done.status_code == 200 and "One-time password" in done.text


def test_a_one_time_password_must_be_changed_first(web):
    from noticegen.service.people import add_user

    with opened(web.root, "admin.test") as app:
        password = add_user(app, "new.clerk", "clerk")
    client = web.anonymous()
    signed = client.post("/sign-in", data={"name": "new.clerk", "password": password,
                                           "csrf": web.csrf_of(client, "/sign-in")})
    assert signed.headers["location"] == "/account/password"
    assert client.get("/users").headers["location"] == "/account/password"
    csrf = web.csrf_of(client, "/account/password")
    changed = client.post("/account/password", data={
        "current": password, "new": "my-own-long-password", "again": "my-own-long-password",
        "csrf": csrf})
    assert changed.status_code == 303
    assert client.get("/api/me").json()["must_change"] is False


def test_a_disabled_user_is_out_at_once(web):
    client = web.client("clerk", "leaving.clerk")
    assert client.get("/api/me").status_code == 200
    cli_ok(web.root, "users", "disable", "leaving.clerk")
    assert client.get("/api/me").status_code == 401


def test_api_tokens_authenticate_and_a_new_one_replaces_the_old(web):
    cli_ok(web.root, "users", "add", "api.clerk", "--role", "clerk")
    first = cli_run(web.root, "users", "token", "api.clerk")
    token = first.stdout.splitlines()[0]
    client = web.anonymous()
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["role"] == "clerk"
    cli_run(web.root, "users", "token", "api.clerk")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code \
        == 401
    assert client.get("/api/me", headers={"Authorization": "Bearer nonsense"}).status_code \
        == 401


@pytest.mark.parametrize(("args", "message"), [
    (["users", "add", "x", "--role", "mayor"], "Invalid value for '--role'"),
    (["users", "disable", "nobody"], "there is no user nobody"),
    (["users", "token", "nobody"], "there is no active user nobody"),
])
def test_users_commands_explain_bad_input(web, args, message):
    result = cli_run(web.root, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_short_password_from_stdin_is_refused(web):
    result = cli_run(web.root, "users", "add", "s", "--role", "clerk", "--password-stdin",
                     input="short\n")
    assert result.exit_code == 1 and "too short" in result.output


def test_a_request_too_large_is_refused_before_it_is_read(web):
    client = web.anonymous()
    answer = client.post("/api/verify", content=b"%PDF-", headers={
        "content-length": "40000000", "content-type": "application/pdf"})
    assert answer.status_code == 413  # (Starlette's own plain "Content Too Large")


def test_a_body_without_its_length_is_cut_off_past_the_limit(web, monkeypatch):
    from noticegen.web import app as module

    monkeypatch.setattr(module, "MAX_BODY", 1000)
    limited = Web(web.root)  # made with the lower limit
    client = limited.anonymous()
    csrf = web.csrf_of(client, "/verify")

    def chunks():
        yield b"--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf.encode()
        for _ in range(50):
            yield b"\r\n" + b"y" * 100

    answer = client.post("/verify", content=chunks(), headers={
        "content-type": "multipart/form-data; boundary=x"})
    limited.close()
    assert answer.status_code == 413 and "too large" in answer.text


def test_a_non_ascii_token_or_signature_is_a_plain_refusal(web):
    client = web.anonymous()
    assert client.get("/verify/CE-2026-0141-CIT-AAAAAAAA?sig=%C3%A9").status_code == 200
    refused = client.post("/sign-in", data={"name": "x", "password": "y", "csrf": "é"})
    assert refused.status_code == 403


def test_a_proxys_basic_credentials_do_not_waive_the_csrf_token(web):
    client = web.client("admin")
    refused = client.post("/users", data={"name": "x.z", "role": "clerk"},
                          headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert refused.status_code in (401, 403)


def test_a_new_password_ends_the_persons_other_sessions(web):
    here = web.client("clerk", "moving.clerk")
    there = web.client("clerk", "moving.clerk")
    changed = here.post("/account/password", data={
        "current": web.PASSWORD, "new": "another-long-password", "again": "another-long-password",
        "csrf": here.csrf})
    assert changed.status_code == 303
    assert here.get("/api/me").status_code == 200  # the session it was changed from
    assert there.get("/api/me").status_code == 401


def test_the_navigation_marks_the_page_you_are_on(web):
    import re

    clerk = web.client("clerk")
    for path, current in (("/batches/new", "/batches/new"), ("/batches", "/batches"),
                          ("/queue", "/queue")):
        marked = re.findall(r'<a href="([^"]+)" aria-current="page">', clerk.get(path).text)
        assert marked == [current], (path, marked)
