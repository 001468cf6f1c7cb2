"""The aiohttp application: API routes wrapped with the request log and fault injection, plus /_sim/."""

from __future__ import annotations

import socket
import ssl
from email.utils import formatdate
from typing import Any

from aiohttp import web

from . import admin, apig, dms, dms_extras, huawei, iam, oidc, smint
from .bodies import request_id
from .faults import Handler, apply
from .state import SimState

STATE_KEY = web.AppKey("sim_state", SimState)


def _instrument(state: SimState, family: str, handler: Handler) -> Handler:
    """Log the request (and its task's in-flight count) and apply any matching fault."""
    log = state.log
    faults = state.faults

    async def wrapped(request: web.Request) -> web.StreamResponse:
        task_id = request.match_info.get("task_id")
        entry = log.begin(request.method, request.path, family, task_id)
        status = 599
        try:
            fault = faults.take(family, request.method, request.path, task_id) if faults.faults else None
            resp = await handler(request) if fault is None else await apply(fault, family, request, handler)
            status = 0 if getattr(resp, "dropped", False) else resp.status
            return resp
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            log.end(entry, status)

    return wrapped


async def _name_the_request(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer names its request, as Huawei's gateway does: routed, unrouted, injected faults."""
    if "X-Request-Id" not in response.headers:
        response.headers["X-Request-Id"] = request_id()


def build_app(state: SimState) -> web.Application:
    app = web.Application(client_max_size=32 * 1024 * 1024)
    app[STATE_KEY] = state

    async def server_date(request: web.Request, response: web.StreamResponse) -> None:
        # Every answer (404s included) shows the server's own clock, which may be skewed (clock.py).
        response.headers["Date"] = formatdate(state.clock.server_time(), usegmt=True)

    app.on_response_prepare.append(server_date)
    app.on_response_prepare.append(_name_the_request)
    for module in (smint, dms, dms_extras, apig, huawei, iam, oidc):
        for method, path, family, handler in module.routes(state):
            app.router.add_route(method, path, _instrument(state, family, handler))
    for method, path, handler in admin.routes(state) + iam.admin_routes(state):
        app.router.add_route(method, path, admin.wrap(handler))
    return app


class RunningSimulator:
    """A simulator serving in this process's event loop."""

    def __init__(self, runner: web.AppRunner, state: SimState, host: str, port: int, tls: bool = False) -> None:
        self.runner = runner
        self.state = state
        self.host = host
        self.port = port
        self.tls = tls

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_simulator(
    host: str = "127.0.0.1",
    port: int = 0,
    scenario: str = "demo",
    seed: int = 1,
    *,
    count: int | None = None,
    log_size: int = 10_000,
    access_log: bool = False,
    reuse_port: bool = False,
    clock_skew: float = 0.0,
    ssl_context: ssl.SSLContext | None = None,
) -> RunningSimulator:
    """Start serving on host:port (0 picks a free port) and return once the socket is listening.
    With `ssl_context`, it serves HTTPS (for the trust and proxy CONNECT tests)."""
    state = SimState(scenario, seed, count, log_size, clock_skew)
    app = build_app(state)
    kwargs: dict[str, Any] = {"handle_signals": False}
    if not access_log:
        kwargs["access_log"] = None
    runner = web.AppRunner(app, **kwargs)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_port=reuse_port or None, backlog=1024, ssl_context=ssl_context)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    bound = port
    for sock in sockets:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            bound = sock.getsockname()[1]
            break
    return RunningSimulator(runner, state, host, bound, tls=ssl_context is not None)
