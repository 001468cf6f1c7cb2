"""JSON bodies and responses shared by the API families."""

from __future__ import annotations

import json
import os
from typing import Any

from aiohttp import web

from .plans import Plan

JSON_TYPE = "application/json"


def dumps(obj: Any) -> bytes:
    """Compact JSON as UTF-8 (lone surrogates injected through the admin API pass through)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def json_response(status: int, body: bytes, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=body, content_type=JSON_TYPE, headers=headers)


def request_id() -> str:
    return os.urandom(16).hex()


def apply_overrides(plan: Plan, obj: dict[str, Any]) -> dict[str, Any]:
    """The plan's hostile-value injections: removed keys, then overridden fields."""
    for key in plan.remove:
        obj.pop(key, None)
    if plan.overrides:
        obj.update(plan.overrides)
    return obj


def huawei_error(status: int, code: str, message: str, *, front_door: bool = False) -> web.Response:
    """`{"error_code", "error_msg"}`; gateway front-door errors also carry `request_id`."""
    rid = request_id()
    obj: dict[str, Any] = {"error_code": code, "error_msg": message}
    if front_door:
        obj["request_id"] = rid
    return json_response(status, dumps(obj), {"X-Request-Id": rid})
