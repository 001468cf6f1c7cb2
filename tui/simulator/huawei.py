"""What the Huawei Cloud services share: the auth/project gate in front of DMS and APIG, and IAM tokens."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import credentials as cred
from .bodies import dumps, huawei_error, json_response
from .clock import iso_us

if TYPE_CHECKING:
    from .state import SimState


async def gate(state: SimState, family: str, request: web.Request) -> web.Response | None:
    """A 401/403 response in the gateway's shape, or None when the request may go on."""
    if state.auth.enabled[family]:
        failure = await state.auth.check_huawei(request)
        if failure is not None:
            return huawei_error(401, failure.code, failure.message, front_door=True)
    if request.match_info.get("project_id") != cred.PROJECT_ID:
        return huawei_error(403, "APIG.1005", "No permissions to request this method", front_door=True)
    return None


def query_int(request: web.Request, name: str, default: int) -> int | None:
    """An integer query parameter, or None when present but not an integer."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        return None


def _iam_error(status: int, title: str, message: str) -> web.Response:
    return json_response(status, dumps({"error": {"code": status, "message": message, "title": title}}))


def routes(state: SimState) -> list[tuple[str, str, str, Any]]:
    async def issue_token(request: web.Request) -> web.StreamResponse:
        try:
            body = json.loads(await request.read())
            auth = body["auth"]
            identity = auth["identity"]
            user = identity["password"]["user"]
            methods = identity["methods"]
            domain = user["domain"]
        except (ValueError, KeyError, TypeError):
            return _iam_error(400, "Bad Request", "The request body is invalid.")
        if not isinstance(methods, list) or "password" not in methods or not isinstance(domain, dict):
            return _iam_error(400, "Bad Request", "The request body is invalid.")
        if (domain.get("name") != cred.IAM_DOMAIN or user.get("name") != cred.IAM_USER
                or user.get("password") != cred.IAM_PASSWORD):
            return _iam_error(401, "Unauthorized", "The username or password is wrong.")
        project = (auth.get("scope") or {}).get("project") if isinstance(auth, dict) else None
        if isinstance(project, dict) and "id" in project and project["id"] != cred.PROJECT_ID:
            return _iam_error(401, "Unauthorized", "The project does not exist or is not accessible.")
        token, life = state.auth.issue_huawei()
        now = state.clock.now()
        domain_obj = {"id": "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0", "name": cred.IAM_DOMAIN}
        out = {"token": {
            "expires_at": iso_us(state.clock.wall(now + life)),
            "issued_at": iso_us(state.clock.wall(now)),
            "methods": ["password"],
            "project": {"id": cred.PROJECT_ID, "name": cred.REGION, "domain": domain_obj},
            "user": {"id": "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", "name": cred.IAM_USER, "domain": domain_obj,
                     "password_expires_at": ""},
            "roles": [{"id": "0", "name": "te_admin"}],
        }}
        if request.query.get("nocatalog") != "true":
            out["token"]["catalog"] = []
        return json_response(201, dumps(out), {"X-Subject-Token": token})

    return [("POST", "/v3/auth/tokens", "iam", issue_token)]
