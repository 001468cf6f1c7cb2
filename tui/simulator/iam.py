"""IAM projects (`GET /v3/projects?name=`), which clients call to find the project id of a region.

Signed with AK/SK (or an X-Auth-Token) like every Huawei call; answers Keystone's shape
`{"projects": [{id, name, domain_id, enabled, ...}], "links": {...}}`. By default the one project is the
simulator's region (`credentials.REGION` -> `credentials.PROJECT_ID`); `POST /_sim/projects {name, id}`
adds more, so a region with no project or with several can be played.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .bodies import dumps, huawei_error, json_response

if TYPE_CHECKING:
    from .state import SimState

DOMAIN_ID = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0"


def _project(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], "name": entry["name"], "domain_id": DOMAIN_ID, "enabled": True, "is_domain": False,
            "parent_id": DOMAIN_ID, "description": "", "links": {"self": f"/v3/projects/{entry['id']}"}}


def routes(state: SimState) -> list[tuple[str, str, str, Any]]:
    async def list_projects(request: web.Request) -> web.StreamResponse:
        failure = await state.auth.check_huawei(request)
        if failure is not None:
            return huawei_error(401, failure.code, failure.message, front_door=True)
        name = request.query.get("name")
        found = [_project(p) for p in state.projects if name is None or p["name"] == name]
        return json_response(200, dumps({"projects": found, "links": {"self": str(request.rel_url)}}))

    return [("GET", "/v3/projects", "iam", list_projects)]


def admin_routes(state: SimState) -> list[tuple[str, str, Any]]:
    async def add_project(request: web.Request) -> web.StreamResponse:
        try:
            body = json.loads(await request.read())
        except ValueError:
            body = None
        name, pid = (body.get("name"), body.get("id")) if isinstance(body, dict) else (None, None)
        if not isinstance(name, str) or not isinstance(pid, str) or not name or not pid:
            return web.json_response({"error": "projects need a name and an id (strings)"}, status=400)
        state.projects.append({"id": pid, "name": name})
        return web.json_response({"projects": state.projects}, status=201)

    return [("POST", "/_sim/projects", add_project)]
