"""The httpx auth flows every family uses: bearer, a cached token fetched from an endpoint, OAuth refresh.

Kept apart from `auth.build_auth` (which turns a providers.toml auth table into one of these or a Huawei
flow from `huawei_auth`), so that the Huawei flows can build on `CachedTokenAuth` without importing the
factory that imports them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from tui.core.secrets import Secret, redact

__all__ = [
    "AuthError",
    "BearerAuth",
    "CachedTokenAuth",
    "OAuthRefreshAuth",
    "as_secret",
    "error_detail",
]

class AuthError(Exception):
    """Authentication failed (token endpoint refused, answered nonsense, ...).

    The message is passed through `redact()`; `status` is the token endpoint's HTTP status when
    there was one.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(redact(message))
        self.status = status


def as_secret(value: Secret | str) -> Secret:
    return value if isinstance(value, Secret) else Secret(value)


def error_detail(response: httpx.Response) -> str:
    """A short, redacted description of an error body: OAuth `error`/`error_description`,
    Huawei `error_code`/`error_msg`, Keystone `error.code`/`error.message`, or nothing."""
    try:
        body = json.loads(response.content)
    except (ValueError, httpx.ResponseNotRead):
        return ""
    parts: list[str] = []
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):  # Keystone: {"error": {"code", "message", "title"}}
            body = inner
        for key in ("error", "error_code", "errorCode", "code", "title"):
            value = body.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                parts.append(str(value))
                break
        for key in ("error_description", "error_msg", "errorMsg", "message"):
            value = body.get(key)
            if isinstance(value, str) and value:
                parts.append(value)
                break
    text = redact(": ".join(parts))
    return text if len(text) <= 200 else text[:199] + "…"


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>`."""

    def __init__(self, token: Secret | str) -> None:
        self._token = as_secret(token)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(token=Secret('***'))"


class CachedTokenAuth(httpx.Auth):
    """Base for auth that fetches a token from an endpoint and caches it.

    The token request is yielded from the auth flow, so it goes through whatever transport the
    client uses. The token is reused until shortly before it expires (10% of its lifetime, at
    most `refresh_margin` seconds). A 401 from the protected API triggers one refresh and one
    retry; a second 401 is returned to the caller. Concurrent requests share one token fetch (and
    its failure). A token endpoint that cannot be reached surfaces as the client's transport error
    (its `request.url` is the token endpoint).

    Subclasses implement `_token_request`, `_read_token_response` and `_apply`.
    """

    requires_request_body = True  # the request may be sent twice (after a 401)
    refresh_margin = 300.0

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._token: Secret | None = None
        self._refresh_at = 0.0
        self._attempts = 0  # completed token fetches, good or bad
        self._last_error: AuthError | None = None
        self._sync_lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None
        self._async_lock_loop: asyncio.AbstractEventLoop | None = None
        self.fetch_count = 0  # token requests sent (for diagnostics and tests)

    # -- subclass hooks
    def _token_request(self) -> httpx.Request:
        raise NotImplementedError

    def _read_token_response(self, response: httpx.Response) -> tuple[Secret, float]:
        """Return (token, lifetime in seconds) or raise AuthError."""
        raise NotImplementedError

    def _apply(self, request: httpx.Request, token: Secret) -> None:
        raise NotImplementedError

    # -- shared machinery
    def invalidate(self) -> None:
        """Forget the cached token; the next request fetches a new one."""
        self._token = None

    def _valid_token(self, stale: Secret | None) -> Secret | None:
        token = self._token
        if token is None or token is stale or self._clock() >= self._refresh_at:
            return None
        return token

    def _make_token_request(self, original: httpx.Request) -> httpx.Request:
        request = self._token_request()
        # Without the client's timeout the transport would wait forever.
        if "timeout" in original.extensions:
            request.extensions["timeout"] = original.extensions["timeout"]
        self.fetch_count += 1
        return request

    def _accept(self, response: httpx.Response) -> Secret:
        self._attempts += 1
        try:
            token, lifetime = self._read_token_response(response)
        except AuthError as exc:
            self._last_error = exc
            self._token = None
            raise
        self._last_error = None
        lifetime = max(float(lifetime), 0.0)
        self._token = token
        self._refresh_at = self._clock() + lifetime - min(self.refresh_margin, lifetime * 0.1)
        return token

    def _shared_failure(self, seen: int) -> None:
        # Someone else fetched while we waited for the lock, and failed: do not hammer the endpoint.
        err = self._last_error
        if self._attempts != seen and err is not None:
            raise AuthError(str(err), status=err.status)

    def _get_async_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._async_lock is None or self._async_lock_loop is not loop:
            self._async_lock = asyncio.Lock()
            self._async_lock_loop = loop
        return self._async_lock

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.read()
        stale: Secret | None = None
        for attempt in range(2):
            token = self._valid_token(stale)
            if token is None:
                seen = self._attempts
                with self._sync_lock:
                    token = self._valid_token(stale)
                    if token is None:
                        self._shared_failure(seen)
                        response = yield self._make_token_request(request)
                        response.read()
                        token = self._accept(response)
            self._apply(request, token)
            response = yield request
            if response.status_code != 401 or attempt:
                return
            stale = token

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        stale: Secret | None = None
        for attempt in range(2):
            token = self._valid_token(stale)
            if token is None:
                seen = self._attempts
                async with self._get_async_lock():
                    token = self._valid_token(stale)
                    if token is None:
                        self._shared_failure(seen)
                        response = yield self._make_token_request(request)
                        await response.aread()
                        token = self._accept(response)
            self._apply(request, token)
            response = yield request
            if response.status_code != 401 or attempt:
                return
            stale = token


class OAuthRefreshAuth(CachedTokenAuth):
    """OAuth2 refresh-token grant (Smint.io): POST a form to `token_url`, send the access token
    as `Authorization: Bearer`. A rotated refresh token is kept in memory only."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        refresh_token: Secret | str,
        client_secret: Secret | str | None = None,
        *,
        scope: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(clock=clock)
        self.token_url = token_url
        self.client_id = client_id
        self.scope = scope
        self._refresh_token = as_secret(refresh_token)
        self._client_secret = None if client_secret is None else as_secret(client_secret)

    def _token_request(self) -> httpx.Request:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token.reveal(),
            "client_id": self.client_id,
        }
        if self._client_secret is not None:
            form["client_secret"] = self._client_secret.reveal()
        if self.scope:
            form["scope"] = self.scope
        return httpx.Request("POST", self.token_url, data=form, headers={"Accept": "application/json"})

    def _read_token_response(self, response: httpx.Response) -> tuple[Secret, float]:
        if response.status_code != 200:
            detail = error_detail(response)
            raise AuthError(
                f"token refresh failed: HTTP {response.status_code}" + (f" {detail}" if detail else ""),
                status=response.status_code,
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError("token refresh failed: the response holds no access_token", status=200)
        assert isinstance(body, dict)
        new_refresh = body.get("refresh_token")
        if isinstance(new_refresh, str) and new_refresh:
            self._refresh_token = Secret(new_refresh)
        expires_in = body.get("expires_in")
        lifetime = 3600.0
        if isinstance(expires_in, int | float | str) and not isinstance(expires_in, bool):
            with contextlib.suppress(ValueError):
                lifetime = float(expires_in)
        return Secret(token), lifetime

    def _apply(self, request: httpx.Request, token: Secret) -> None:
        request.headers["Authorization"] = f"Bearer {token.reveal()}"

    def __repr__(self) -> str:
        return (
            f"OAuthRefreshAuth(token_url={self.token_url!r}, client_id={self.client_id!r}, "
            "client_secret=Secret('***'), refresh_token=Secret('***'))"
        )
