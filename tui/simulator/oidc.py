"""The identity server's side of `taskdeck login`: OIDC discovery, an authorize endpoint that approves at once,
and the authorization-code and rotating refresh-token grants of `POST /connect/token` (apis.md §1.5).

- ``GET /.well-known/openid-configuration``: issuer = the simulator's own origin.
- ``GET /connect/authorize?response_type=code&client_id=&redirect_uri=&scope=&state=&code_challenge=
  &code_challenge_method=S256``: no login page; redirects (302) to the loopback ``redirect_uri`` with
  ``code`` and ``state``. Only 127.0.0.1/localhost redirect URIs and S256 challenges are accepted.
- ``POST /connect/token`` ``grant_type=authorization_code`` (code, redirect_uri, code_verifier, client_id,
  optional client_secret): the verifier must hash to the challenge; a code works once.
  ``grant_type=refresh_token`` with a token issued here: each use returns a new refresh token and the old
  one is refused from then on (``invalid_grant``), as IdentityServer does with one-time refresh tokens.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from . import credentials as cred
from .bodies import dumps, json_response

if TYPE_CHECKING:
    from .state import SimState

SCOPE = "smintio.portals.frontend openid profile offline_access"
CODE_PREFIX, REFRESH_PREFIX = "sim-code-", "sim-rt-"


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _error(status: int, error: str, description: str = "") -> web.Response:
    body: dict[str, str] = {"error": error}
    if description:
        body["error_description"] = description
    return json_response(status, dumps(body))


def _loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1") and bool(parts.port)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


def _tokens(state: SimState, scope: str) -> web.Response:
    access, life = state.auth.issue_smint()
    body: dict[str, Any] = {"access_token": access, "expires_in": int(life), "token_type": "Bearer", "scope": scope}
    if "offline_access" in scope.split():
        refresh = REFRESH_PREFIX + secrets.token_urlsafe(24)
        state.oidc.live.add(refresh)
        body["refresh_token"] = refresh
    return json_response(200, dumps(body), {"Cache-Control": "no-store"})


def _client_ok(client_id: str, client_secret: str) -> bool:
    # A public client (no secret, PKCE only) or the confidential demo client.
    return client_id == cred.SMINT_CLIENT_ID and client_secret in ("", cred.SMINT_CLIENT_SECRET)


def handle_token(state: SimState, form: Any, client_id: str, client_secret: str) -> web.Response | None:
    """The grants this module owns; None leaves the request to the static demo refresh token (smint.py)."""
    grant = form.get("grant_type")
    if grant == "authorization_code":
        if not _client_ok(client_id, client_secret):
            return _error(400, "invalid_client")
        entry = state.oidc.codes.pop(str(form.get("code", "")), None)
        if entry is None or entry["client_id"] != client_id:
            return _error(400, "invalid_grant", "unknown or already used code")
        if form.get("redirect_uri") != entry["redirect_uri"]:
            return _error(400, "invalid_grant", "redirect_uri does not match the authorize request")
        verifier = str(form.get("code_verifier", ""))
        if not verifier or _s256(verifier) != entry["challenge"]:
            return _error(400, "invalid_grant", "PKCE verification failed")
        state.oidc.logins += 1
        return _tokens(state, entry["scope"])
    token = str(form.get("refresh_token", ""))
    if grant == "refresh_token" and token.startswith(REFRESH_PREFIX):
        if not _client_ok(client_id, client_secret):
            return _error(400, "invalid_client")
        if token not in state.oidc.live:
            return _error(400, "invalid_grant", "the refresh token is invalid or was already used")
        state.oidc.live.discard(token)
        state.oidc.used.add(token)
        return _tokens(state, SCOPE)
    return None


def routes(state: SimState) -> list[tuple[str, str, str, Any]]:
    async def discovery(request: web.Request) -> web.StreamResponse:
        origin = _origin(request)
        return json_response(200, dumps({
            "issuer": origin,
            "authorization_endpoint": f"{origin}/connect/authorize",
            "token_endpoint": f"{origin}/connect/token",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": SCOPE.split(),
        }))

    async def authorize(request: web.Request) -> web.StreamResponse:
        q = request.query
        redirect = q.get("redirect_uri", "")
        if q.get("client_id") != cred.SMINT_CLIENT_ID:
            return _error(400, "invalid_client", "unknown client_id")
        if not _loopback(redirect):
            return _error(400, "invalid_request", "redirect_uri must be a loopback http URL with a port")
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return _error(400, "invalid_request", "response_type=code with an S256 code_challenge is required")
        code = CODE_PREFIX + secrets.token_urlsafe(16)
        state.oidc.codes[code] = {"client_id": cred.SMINT_CLIENT_ID, "redirect_uri": redirect,
                                  "challenge": q["code_challenge"], "scope": q.get("scope", "")}
        params = {"code": code}
        if "state" in q:
            params["state"] = q["state"]
        raise web.HTTPFound(f"{redirect}?{urlencode(params)}")

    return [
        ("GET", "/.well-known/openid-configuration", "oidc", discovery),
        ("GET", "/connect/authorize", "oidc", authorize),
    ]
