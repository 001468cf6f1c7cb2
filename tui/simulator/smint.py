"""Smint.io Frontend API: `GET /frontend/v1/backgroundTasks/{uuid}` and the OAuth `POST /connect/token`."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import credentials as cred
from . import oidc
from .bodies import apply_overrides, dumps, json_response
from .plans import RUNNING, SUCCEEDED, WAITING, Plan, phase_at

if TYPE_CHECKING:
    from .state import SimState

FAMILY = "smint"
PREFIX = "/frontend/v1"
_SCOPE = "smintio.portals.frontend openid profile offline_access"


def task_body(plan: Plan, now: float) -> bytes:
    """The background task as the API returns it at simulated time `now` (cached per visible state)."""
    phase, frac, _ = phase_at(plan, now)
    total = plan.steps
    if phase == WAITING:
        key: tuple[Any, ...] = (phase, 0, 0)
    elif phase == RUNNING:
        key = (phase, min(99, int(frac * 100)), min(int(frac * total), max(total - 1, 0)))
    else:
        key = (phase, 100, total)
    if plan.cache_key == key:
        return plan.cache_body
    pct, done = key[1], key[2]
    if phase == SUCCEEDED:
        state, ok, failed, result = "completed", total, 0, plan.result
    elif phase in (WAITING, RUNNING):
        state, ok, failed, result = ("created" if phase == WAITING else "in_progress"), done, 0, None
    else:
        failed = min(total, max(plan.failed_steps, 0))
        state, ok, result = "error", total - failed, plan.error
    obj = apply_overrides(plan, {
        "uuid": plan.id,
        "state": state,
        "finished_percentage": pct,
        "total_steps": total,
        "succeeded_steps": ok,
        "failed_steps": failed,
        "result_string": result,
    })
    if plan.body_overrides:
        obj.update(plan.body_overrides)
    plan.cache_key, plan.cache_obj, plan.cache_body = key, obj, dumps(obj)
    return plan.cache_body


def error(status: int, code: str, message: str, uuid: str = "", name: str = "") -> web.Response:
    body = {"error_code": code, "error_message": message, "error_details": {"uuid": uuid, "name": name}}
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else None
    return json_response(status, dumps(body), headers)


def routes(state: SimState) -> list[tuple[str, str, str, Any]]:
    tasks = state.tasks["smint"]
    auth = state.auth

    async def show_task(request: web.Request) -> web.StreamResponse:
        uuid = request.match_info["task_id"]
        if auth.enabled["smint"] and not auth.smint_ok(request.headers.get("Authorization")):
            return error(401, "unauthorized", "A valid bearer token is required", uuid, "Unauthorized")
        plan = tasks.get(uuid)
        if plan is None:
            return error(404, "background_task_not_found", f"The background task {uuid} does not exist",
                         uuid, "BackgroundTask")
        return json_response(200, task_body(plan, state.clock.now()))

    async def token(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        client_id, client_secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
        basic = request.headers.get("Authorization", "")
        if basic.lower().startswith("basic "):
            try:
                client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return json_response(400, dumps({"error": "invalid_client"}))
        login = oidc.handle_token(state, form, client_id, client_secret)  # code grant, rotating tokens
        if login is not None:
            return login
        if form.get("grant_type") != "refresh_token":
            return json_response(400, dumps({"error": "unsupported_grant_type"}))
        if client_id != cred.SMINT_CLIENT_ID or client_secret != cred.SMINT_CLIENT_SECRET:
            return json_response(400, dumps({"error": "invalid_client"}))
        if form.get("refresh_token") != cred.SMINT_REFRESH_TOKEN:
            return json_response(400, dumps({"error": "invalid_grant"}))
        access, life = auth.issue_smint()
        return json_response(200, dumps({
            "access_token": access,
            "expires_in": int(life),
            "token_type": "Bearer",
            "refresh_token": cred.SMINT_REFRESH_TOKEN,
            "scope": _SCOPE,
        }), {"Cache-Control": "no-store"})

    return [
        ("GET", PREFIX + "/backgroundTasks/{task_id}", FAMILY, show_task),
        ("POST", "/connect/token", FAMILY, token),
    ]
