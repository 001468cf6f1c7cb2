"""`taskdeck login`: the OpenID Connect authorization-code flow with PKCE on a loopback redirect (RFC 8252).

1. GET `{issuer}/.well-known/openid-configuration` for the authorize and token endpoints.
2. Listen on 127.0.0.1 (a free port unless one is given: some identity servers only accept a registered one).
3. Send the person to the authorize endpoint (the browser is opened, and the URL printed for a remote shell)
   with `state` and an S256 `code_challenge`.
4. The browser comes back to `http://127.0.0.1:PORT/callback?code=...&state=...`; a wrong `state` ends the
   login (it is not our request), as does an `error` answer or the timeout.
5. POST the code with the `code_verifier` to the token endpoint; the answer must hold a refresh token
   (scope `offline_access`), which the caller keeps in the OS keyring.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from aiohttp import web

from tui.core.secrets import Secret, redact
from tui.providers.auth_flows import error_detail
from tui.providers.oidc_auth import discovery_url

SMINT_SCOPE = "smintio.portals.frontend openid profile offline_access"  # apis.md §1.5
CALLBACK_PATH = "/callback"
_PAGE = ("<!doctype html><meta charset=utf-8><title>taskdeck</title>"
         "<p>{}</p><p>You can close this tab and go back to the terminal.</p>")


class LoginError(Exception):
    """The login did not complete. `kind` is refused | unreachable | timeout | state | config."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(redact(message))
        self.kind = kind


@dataclass(frozen=True, slots=True)
class LoginResult:
    refresh_token: Secret
    scope: str


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def _discover(client: httpx.AsyncClient, issuer: str) -> tuple[str, str]:
    url = discovery_url(issuer)
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        raise LoginError(f"cannot reach the identity server at {url}: {type(exc).__name__}", "unreachable") from None
    try:
        document = response.json() if response.status_code == 200 else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise LoginError(f"{url} answered HTTP {response.status_code} without an OpenID configuration; check "
                         "the issuer in the profile", "config")
    authorize, token = document.get("authorization_endpoint"), document.get("token_endpoint")
    if not isinstance(authorize, str) or not isinstance(token, str):
        raise LoginError(f"{url} names no authorization_endpoint or token_endpoint", "config")
    return authorize, token


class _Callback:
    """The loopback listener: one answer, then the login goes on without it."""

    def __init__(self, expected_state: str) -> None:
        self.expected_state = expected_state
        self.result: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def handle(self, request: web.Request) -> web.Response:
        query = request.query
        if self.result.done():
            return web.Response(text=_PAGE.format("This login has already finished."), content_type="text/html")
        if query.get("state") != self.expected_state:
            self.result.set_exception(LoginError(
                "the browser came back with a wrong state: this answer is not for this login; nothing was stored, "
                "run taskdeck login again", "state"))
            return web.Response(status=400, text=_PAGE.format("Wrong state: login refused."), content_type="text/html")
        if "error" in query:
            why = query.get("error_description") or query["error"]
            self.result.set_exception(LoginError(f"the identity server refused the login: {why}", "refused"))
            return web.Response(status=400, text=_PAGE.format("Login refused."), content_type="text/html")
        code = query.get("code")
        if not code:
            self.result.set_exception(LoginError("the browser came back without a code", "refused"))
            return web.Response(status=400, text=_PAGE.format("No code: login failed."), content_type="text/html")
        self.result.set_result(code)
        return web.Response(text=_PAGE.format("taskdeck is logged in."), content_type="text/html")


async def login(issuer: str, client_id: str, client_secret: Secret | None = None, *,
                scope: str = SMINT_SCOPE, show_url: Callable[[str], None], open_browser: Callable[[str], object],
                timeout: float = 300.0, port: int = 0,
                client: httpx.AsyncClient | None = None) -> LoginResult:
    """Run the whole flow; LoginError for every way it can fail."""
    own_client = client is None
    http = client or httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=False)
    runner: web.AppRunner | None = None
    try:
        authorize_url, token_url = await _discover(http, issuer)
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(24)
        callback = _Callback(state)
        app = web.Application()
        app.router.add_get(CALLBACK_PATH, callback.handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        try:
            await site.start()
        except OSError as exc:
            raise LoginError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", "config") from None
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        redirect_uri = f"http://127.0.0.1:{bound}{CALLBACK_PATH}"
        params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scope,
                  "state": state, "code_challenge": challenge, "code_challenge_method": "S256"}
        url = f"{authorize_url}{'&' if '?' in authorize_url else '?'}{urlencode(params)}"
        show_url(url)
        open_browser(url)
        try:
            code = await asyncio.wait_for(asyncio.shield(callback.result), timeout)
        except TimeoutError:
            raise LoginError(f"no answer from the browser within {timeout:g} s; nothing was stored, run taskdeck "
                             "login again (with --timeout S for more time)", "timeout") from None
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": verifier, "client_id": client_id}
        if client_secret is not None:
            form["client_secret"] = client_secret.reveal()
        try:
            response = await http.post(token_url, data=form, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise LoginError(f"cannot reach the token endpoint {token_url}: {type(exc).__name__}",
                             "unreachable") from None
        if response.status_code != 200:
            detail = error_detail(response) or f"HTTP {response.status_code}"
            raise LoginError(f"the token endpoint refused the code: {detail}", "refused")
        try:
            body = response.json()
        except ValueError:
            body = None
        refresh = body.get("refresh_token") if isinstance(body, dict) else None
        if not isinstance(refresh, str) or not refresh:
            raise LoginError("the identity server gave no refresh token: the client must allow the offline_access "
                             "scope", "refused")
        granted = body.get("scope") if isinstance(body, dict) else None
        return LoginResult(Secret(refresh), granted if isinstance(granted, str) else scope)
    finally:
        if runner is not None:
            await runner.cleanup()
        if own_client:
            await http.aclose()
