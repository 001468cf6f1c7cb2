"""Faults injected on demand: latency, error statuses, broken bodies, raw responses, reset connections.

A fault matches by task id, path substring, family and method (all optional: an empty match hits every
API request) and applies `count` times (None: until cleared). The first matching fault wins.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import struct
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web

from .bodies import dumps, request_id

KINDS = ("latency", "status", "html200", "truncated", "invalid_json", "invalid_utf8", "raw", "reset")
BODY_STYLES = ("json", "html", "empty", "text")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HW_CODES = {
    400: ("APIG.2001", "The request parameters are invalid"),
    401: ("APIG.1002", "Incorrect token or token resolution failed"),
    403: ("APIG.1005", "No permissions to request this method"),
    404: ("APIG.0101", "The API does not exist or has not been published in the environment"),
    429: ("APIG.0308", "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second"),
    500: ("APIG.9999", "System error"),
    502: ("APIG.0201", "Backend unavailable"),
    503: ("APIG.0201", "Backend unavailable"),
    504: ("APIG.0202", "Backend timeout"),
}
_SMINT_CODES = {429: "too_many_requests", 500: "internal_server_error", 502: "bad_gateway",
                503: "service_unavailable", 504: "gateway_timeout"}
_REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}
HTML_LOGIN_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body><h1>Session expired</h1>"
    b"<p>Please <a href=\"/login\">sign in</a> again.</p></body></html>\n"
)


@dataclass(slots=True)
class Fault:
    id: int
    kind: str
    task_id: str | None = None
    path: str | None = None
    family: str | None = None
    method: str | None = None
    count: int | None = None  # remaining applications; None until cleared
    seconds: float = 0.0  # latency (kind "latency"), or a delay before any other fault
    status: int = 500
    body: str = "json"
    retry_after: str | None = None
    raw_body: str | None = None
    raw_body_b64: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    rst: bool = False  # reset: abortive close (TCP RST) instead of a plain close
    hits: int = 0

    def describe(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, family: str, method: str, path: str, task_id: str | None) -> bool:
        return (
            (self.task_id is None or self.task_id == task_id)
            and (self.path is None or self.path in path)
            and (self.family is None or self.family == family)
            and (self.method is None or self.method.upper() == method)
        )


def parse_fault(fault_id: int, spec: dict[str, Any]) -> Fault:
    """A Fault from an admin request body; ValueError on anything unknown or of the wrong type."""
    if not isinstance(spec, dict):
        raise ValueError("a fault is a JSON object")
    allowed = set(Fault.__dataclass_fields__) - {"id", "hits"} | {"body_b64"}
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    f = Fault(id=fault_id, kind=kind)
    for name in ("task_id", "path", "family", "method", "raw_body", "content_type"):
        value = spec.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
        setattr(f, name, value)
    f.raw_body_b64 = spec.get("raw_body_b64", spec.get("body_b64"))
    if f.raw_body_b64 is not None:
        base64.b64decode(f.raw_body_b64, validate=True)
    count = spec.get("count")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise ValueError("count must be a positive integer or null")
    f.count = count
    f.seconds = float(spec.get("seconds", 0.0))
    f.status = int(spec.get("status", 500))
    f.body = spec.get("body", "json")
    if f.body not in BODY_STYLES:
        raise ValueError(f"body must be one of {', '.join(BODY_STYLES)}")
    if spec.get("retry_after") is not None:
        f.retry_after = str(spec["retry_after"])
    headers = spec.get("headers") or {}
    if not isinstance(headers, dict):
        raise ValueError("headers must be an object")
    f.headers = {str(k): str(v) for k, v in headers.items()}
    f.rst = bool(spec.get("rst", False))
    return f


class FaultTable:
    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self._next_id = 1

    def add(self, spec: dict[str, Any]) -> Fault:
        fault = parse_fault(self._next_id, spec)
        self._next_id += 1
        self.faults.append(fault)
        return fault

    def remove(self, fault_id: int) -> bool:
        before = len(self.faults)
        self.faults = [f for f in self.faults if f.id != fault_id]
        return len(self.faults) != before

    def clear(self) -> None:
        self.faults = []

    def take(self, family: str, method: str, path: str, task_id: str | None) -> Fault | None:
        """The first matching fault, its count used once (and dropped when spent)."""
        for fault in self.faults:
            if fault.matches(family, method, path, task_id):
                fault.hits += 1
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                return fault
        return None


def _error_body(family: str, status: int, rid: str) -> bytes:
    if family == "smint":
        code = _SMINT_CODES.get(status, f"http_{status}")
        return dumps({"error_code": code, "error_message": _REASONS.get(status, "Simulated error"),
                      "error_details": {"uuid": "", "name": ""}})
    if family == "iam":
        return dumps({"error": {"code": status, "message": "Simulated error", "title": _REASONS.get(status, "")}})
    code, message = _HW_CODES.get(status, ("APIG.9999", "System error"))
    return dumps({"error_code": code, "error_msg": message, "request_id": rid})


def _status_response(fault: Fault, family: str) -> web.Response:
    # Injected answers carry a request id like real ones (the same in the header and the JSON body).
    rid = request_id()
    headers = {"X-Request-Id": rid, **fault.headers}
    if fault.retry_after is not None:
        headers["Retry-After"] = fault.retry_after
    reason = _REASONS.get(fault.status, "Error")
    if fault.body == "json":
        return web.Response(status=fault.status, body=_error_body(family, fault.status, rid),
                            content_type="application/json", headers=headers)
    if fault.body == "html":
        page = (f"<html>\r\n<head><title>{fault.status} {reason}</title></head>\r\n<body>\r\n"
                f"<center><h1>{fault.status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                "</body>\r\n</html>\r\n")
        return web.Response(status=fault.status, text=page, content_type="text/html", headers=headers)
    if fault.body == "text":
        return web.Response(status=fault.status, text=f"{fault.status} {reason}", headers=headers)
    return web.Response(status=fault.status, body=b"", headers=headers)


def _raw_response(fault: Fault) -> web.Response:
    if fault.raw_body_b64 is not None:
        body = base64.b64decode(fault.raw_body_b64)
    else:
        body = (fault.raw_body or "").encode("utf-8", "surrogatepass")
    headers = dict(fault.headers)
    headers["Content-Type"] = fault.content_type or "application/json"
    return web.Response(status=fault.status, body=body, headers=headers)


def _body_of(resp: web.StreamResponse) -> bytes:
    body = resp.body if isinstance(resp, web.Response) else None
    return body if isinstance(body, bytes) else b""


def _copy(resp: web.StreamResponse, body: bytes) -> web.Response:
    return web.Response(status=resp.status, body=body,
                        headers={"Content-Type": resp.headers.get("Content-Type", "application/json")})


class DroppedResponse(web.Response):
    """Stands in for the response of a connection the simulator dropped; logged with status 0."""

    dropped = True

    async def prepare(self, request: web.BaseRequest) -> Any:
        # aiohttp treats a ConnectionError here as a client that went away, quietly.
        raise ConnectionResetError("connection dropped by the simulator")


def _reset(request: web.Request, fault: Fault) -> web.StreamResponse:
    """Send the start of a response, then drop the connection."""
    transport = request.transport
    if transport is not None:
        transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"state\":\"in_pro"
        )
        if fault.rst:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.close()
    return DroppedResponse(status=200)


async def apply(fault: Fault, family: str, request: web.Request, handler: Handler) -> web.StreamResponse:
    if fault.seconds > 0:
        await asyncio.sleep(fault.seconds)
    kind = fault.kind
    if kind == "latency":
        return await handler(request)
    if kind == "status":
        return _status_response(fault, family)
    if kind == "html200":
        return web.Response(status=200, body=HTML_LOGIN_PAGE, content_type="text/html")
    if kind == "raw":
        return _raw_response(fault)
    if kind == "reset":
        return _reset(request, fault)
    if kind == "invalid_json":
        return web.Response(status=200, body=b'{"state": in_progress, "finished_percentage": 5',
                            content_type="application/json")
    resp = await handler(request)
    body = _body_of(resp)
    if kind == "truncated":
        return _copy(resp, body[: len(body) // 2])
    # invalid_utf8: bytes that are not UTF-8 inside the first string value, under a charset=utf-8 label.
    at = body.find(b'":"')
    broken = body[: at + 3] + b"\xff\xfe\xc3(" + body[at + 3:] if at >= 0 else b"\xff\xfe" + body
    return web.Response(status=resp.status, body=broken,
                        headers={"Content-Type": "application/json; charset=utf-8"})
