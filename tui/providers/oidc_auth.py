"""`auth = { type = "oidc", issuer, client_id, [client_secret_*], [scope] }`: Smint.io after `taskdeck login`.

The refresh token comes from the OS keyring (keyring_store), where `taskdeck login NAME` put it. The token
endpoint comes from `{issuer}/.well-known/openid-configuration`, fetched inside the auth flow (so it goes
through the provider's own transport). Smint.io's identity server rotates refresh tokens: each new one is
written back to the keyring at once, or the next start would present a token already used and be refused.
Before each refresh the keyring is read again, so logging in again from another shell heals a running
dashboard. A refused refresh says what to do: "log in again: taskdeck login NAME".
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Generator, Mapping
from typing import Any

import httpx

from tui.core.secrets import Secret
from tui.providers.auth_flows import AuthError, OAuthRefreshAuth, error_detail
from tui.providers.keyring_store import KeyringUnavailable, load_refresh_token, store_refresh_token

log = logging.getLogger("taskdeck.auth")
DISCOVERY_PATH = "/.well-known/openid-configuration"


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


def read_discovery(response: httpx.Response, issuer: str) -> dict[str, Any]:
    """The discovery document, or AuthError saying what was wrong with it."""
    if response.status_code != 200:
        raise AuthError(f"OpenID discovery at {discovery_url(issuer)} failed: HTTP {response.status_code}",
                        status=response.status_code)
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("token_endpoint"), str):
        raise AuthError(f"OpenID discovery at {discovery_url(issuer)} has no token_endpoint", status=200)
    return document


class OidcRefreshAuth(OAuthRefreshAuth):
    def __init__(self, profile: str, issuer: str, client_id: str, client_secret: Secret | None = None,
                 *, scope: str | None = None) -> None:
        super().__init__("", client_id, Secret("", register=False), client_secret, scope=scope)
        self.profile = profile
        self.issuer = issuer.rstrip("/")
        self.source = "OS keyring (taskdeck login)"
        self._stored: str | None = None  # the refresh token as last read from or written to the keyring
        self.health_hint: str | None = None  # shown beside the provider's health (the sidebar) until a login works

    def _log_in_again(self, why: str) -> str:
        return f"{why}: log in again: taskdeck login {self.profile}"

    def _token_request(self) -> httpx.Request:
        try:
            stored = load_refresh_token(self.profile)
        except KeyringUnavailable as exc:
            self.health_hint = "no OS keyring to read the login from (F12 says more)"
            raise AuthError(str(exc)) from None
        if stored is None:
            self.health_hint = f"not logged in: taskdeck login {self.profile}"
            raise AuthError(f"not logged in yet: taskdeck login {self.profile}")
        if stored.reveal() != self._stored:  # first use, or a new login from another shell
            self._refresh_token = stored
            self._stored = stored.reveal()
        return super()._token_request()

    def _read_token_response(self, response: httpx.Response) -> tuple[Secret, float]:
        if response.status_code in (400, 401):
            detail = error_detail(response) or f"HTTP {response.status_code}"
            self.health_hint = f"log in again: taskdeck login {self.profile}"
            raise AuthError(self._log_in_again(f"the identity server refused the login ({detail})"),
                            status=response.status_code)
        before = self._refresh_token
        token, lifetime = super()._read_token_response(response)
        self.health_hint = None
        rotated = self._refresh_token
        if rotated is not before and rotated.reveal() != self._stored:
            try:
                store_refresh_token(self.profile, rotated.reveal())
                self._stored = rotated.reveal()
            except KeyringUnavailable as exc:  # kept in memory; the next start will need a new login
                log.warning("%s: the rotated refresh token could not be stored: %s", self.profile, exc)
        return token, lifetime

    def _discovery(self) -> httpx.Request:
        return httpx.Request("GET", discovery_url(self.issuer), headers={"Accept": "application/json"})

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self.token_url:
            response = yield self._discovery()
            response.read()
            self.token_url = read_discovery(response, self.issuer)["token_endpoint"]
        yield from super().sync_auth_flow(request)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if not self.token_url:
            response = yield self._discovery()
            await response.aread()
            self.token_url = read_discovery(response, self.issuer)["token_endpoint"]
        flow = super().async_auth_flow(request)
        try:
            outgoing = await flow.__anext__()
            while True:
                incoming = yield outgoing
                outgoing = await flow.asend(incoming)
        except StopAsyncIteration:
            return

    def __repr__(self) -> str:
        return f"OidcRefreshAuth(profile={self.profile!r}, issuer={self.issuer!r}, refresh_token=Secret('***'))"


def build_oidc_auth(spec: Mapping[str, Any], profile: str, client_secret: Secret | None) -> OidcRefreshAuth:
    issuer, client_id, scope = spec.get("issuer"), spec.get("client_id"), spec.get("scope")
    if not isinstance(issuer, str) or not issuer or not isinstance(client_id, str) or not client_id:
        raise ValueError("auth type 'oidc' needs issuer and client_id")
    if not profile:
        raise ValueError("auth type 'oidc' needs the profile's name (its login is kept under it)")
    return OidcRefreshAuth(profile, issuer, client_id, client_secret,
                           scope=scope if isinstance(scope, str) and scope else None)
