"""Every route of the service, walked with every role and with no session: each states its
roles, only those may use it, every state-changing request needs its CSRF token, and the
complainant's name reaches no page, API answer or file a role without need can open
(issue 14; directive V.A.3)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from conftest import Web, complainants, served_examples
from fastapi.routing import APIRoute
from pypdf import PdfReader

from noticegen.service import App, issue
from noticegen.service.jobs import run, submit_batch
from noticegen.service.people import ROLES, SEES_COMPLAINANT
from noticegen.web.auth import ANYONE, Allow
from noticegen.web.pages import ROUTERS
from noticegen.web.pages.docs import roles_of

pytestmark = pytest.mark.record  # run again on PostgreSQL by scripts/test.sh

IDENTITIES = (None, *ROLES)


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """The examples with a closure letter (the complainant's document), a field report (its
    witness is the complainant), a citation and a mailed batch on record."""
    def seed(app: App):
        closure = issue(app, "closure", "CE-2026-0182", datetime(2026, 11, 25, 10))
        citation = issue(app, "citation", "CE-2026-0141", datetime(2026, 11, 25, 10))
        report = issue(app, "field-report", "CE-2026-0163", datetime(2026, 11, 25, 10))
        job_id = submit_batch(app, ["CE-2026-0163"], "nov", date(2026, 11, 25), "nov-walk")
        assert run(app, job_id).state == "finished"
        with app.record.read() as c:
            article = c.exec_driver_sql("SELECT article_number FROM mail_pieces").scalar()
        return closure, citation, report, job_id, article

    with served_examples(tmp_path_factory, "walk", seed) as web:
        closure, citation, report, job_id, article = web.seeded
        samples = {
            "case_number": "CE-2026-0182", "document_id": citation.document.document_id,
            "article": article.replace(" ", ""), "template_id": "nov-letter",
            "job_id": job_id, "batch_id": "nov-walk", "paper": "manifest.csv",
            "name": "nobody.sample", "sha256": "0" * 64, "token": "0" * 43,
        }
        yield web, samples, (closure.document.document_id, report.document.document_id)


def signed_in(web: Web) -> dict:
    """A newly signed-in client per role (a test that signs out spoils none of another's)."""
    return {role: web.client(role) for role in ROLES}


def _routes(_: Web) -> list[APIRoute]:
    """Every route, signing out last (it ends the walking client's session)."""
    found = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert len(found) > 40  # (FastAPI keeps included routers whole: walk their routes)
    return sorted(found, key=lambda r: r.path == "/sign-out")


def _path(route: APIRoute, samples: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: samples[m.group(1)], route.path)


def _text(response) -> str:
    if response.headers.get("content-type", "").startswith("application/pdf"):
        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(
            response.content)).pages)
    return response.text


def test_every_route_states_its_roles(walked):
    web, *_ = walked
    missing = [f"{sorted(r.methods)} {r.path}" for r in _routes(web)
               if sum(isinstance(d.call, Allow) for d in r.dependant.dependencies) != 1]
    assert not missing, missing


def test_only_the_roles_stated_may_use_each_route(walked):
    web, samples, _ = walked
    clients = signed_in(web)
    wrong = []
    for route in _routes(web):
        roles = roles_of(route)
        path = _path(route, samples)
        for method in sorted(route.methods - {"HEAD"}):
            if (method, route.path) == ("POST", "/sign-in"):
                continue  # test_web_access: six failed sign-ins would throttle the rest
            for who in IDENTITIES:
                client = clients[who] if who else web.anonymous()
                data = {"csrf": client.csrf if who else web.csrf_of(client, "/sign-in")}
                answer = client.request(method, path, data=data if method != "GET" else None)
                allowed = ANYONE in roles or who in roles
                status = answer.status_code
                if answer.status_code >= 500:
                    wrong.append(f"{method} {path} as {who}: {status} {answer.text[:200]}")
                elif allowed and status in (401, 403):
                    wrong.append(f"{method} {path} as {who}: refused {status}")
                elif not allowed and who is None and status not in (401, 303):
                    wrong.append(f"{method} {path} with no session: {status}")
                elif not allowed and who is None and status == 303 and \
                        "/sign-in" not in answer.headers["location"]:
                    wrong.append(f"{method} {path} with no session: to {answer.headers}")
                elif not allowed and who is not None and status != 403:
                    wrong.append(f"{method} {path} as {who}: {status}, not 403")
    assert not wrong, "\n".join(wrong)


def test_a_state_changing_request_without_its_csrf_token_is_refused(walked):
    web, samples, _ = walked
    clients = signed_in(web)
    wrong = []
    for route in _routes(web):
        roles = roles_of(route)
        for method in sorted(route.methods - {"GET", "HEAD"}):
            for who in (r for r in ROLES if r in roles or ANYONE in roles):
                for data in ({}, {"csrf": "0" * 40}):
                    answer = clients[who].request(method, _path(route, samples), data=data)
                    if answer.status_code != 403:
                        wrong.append(f"{method} {route.path} as {who} with {data}: "
                                     f"{answer.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_complainant_reaches_no_role_without_need(walked):
    web, samples, withheld = walked
    clients = signed_in(web)
    names = list(complainants().values())
    assert names
    leaks = []
    for route in _routes(web):
        if "GET" not in route.methods:
            continue
        for who in (None, *(r for r in ROLES if r not in SEES_COMPLAINANT)):
            client = clients[who] if who else web.anonymous()
            for case in ("CE-2026-0182", "CE-2026-0141", "CE-2026-0163"):
                answer = client.get(_path(route, {**samples, "case_number": case}))
                if answer.status_code != 200:
                    continue
                text = _text(answer)
                leaks += [f"GET {route.path} as {who}: {n}" for n in names if n in text]
    for who in (None, *(r for r in ROLES if r not in SEES_COMPLAINANT)):
        client = clients[who] if who else web.anonymous()
        for document in withheld:
            for suffix in ("", "/download"):
                answer = client.get(f"/documents/{document}{suffix}")
                if answer.status_code == 200:
                    leaks.append(f"{document} opens for {who}")
    assert not leaks, "\n".join(sorted(set(leaks)))
