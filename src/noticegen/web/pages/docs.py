"""The JSON API's description: the OpenAPI schema (with each operation's roles) and a page
that reads it — served by the app itself, no script from elsewhere."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi.routing import APIRoute

from ..answers import page
from ..auth import ANYONE, Allow, allow

router = APIRouter()


def roles_of(route: APIRoute) -> tuple[str, ...]:
    return next((d.call.roles for d in route.dependant.dependencies
                 if isinstance(d.call, Allow)), ())


def schema(web: FastAPI, routes: list[APIRoute]) -> dict[str, Any]:
    """The OpenAPI schema of the /api/ routes, each operation naming the roles it allows
    (`x-roles`) and the personal API token as its authentication."""
    if web.openapi_schema:
        return web.openapi_schema
    api = [r for r in routes if r.path.startswith("/api/")]
    found = get_openapi(title="noticegen", version="1", routes=api,
                        description=web.description)
    for route in api:
        roles = roles_of(route)
        for method in route.methods - {"HEAD"}:
            operation = found["paths"][route.path][method.lower()]
            operation["x-roles"] = list(roles)
            who = "anyone" if ANYONE in roles else ", ".join(roles)
            operation["description"] = (operation.get("description") or "").strip() + \
                f"\n\nRoles: {who}."
            if ANYONE not in roles:
                operation["security"] = [{"token": []}]
    found.setdefault("components", {})["securitySchemes"] = {
        "token": {"type": "http", "scheme": "bearer",
                  "description": "a personal API token: `noticegen users token NAME`"}}
    web.openapi_schema = found
    return found


@router.get("/api/docs", dependencies=[Depends(allow(ANYONE))])
def docs(request: Request) -> Response:
    described = request.app.openapi()
    operations = [(path, method.upper(), op) for path, item in described["paths"].items()
                  for method, op in item.items()]
    return page(request, "api_docs.html", operations=operations)
