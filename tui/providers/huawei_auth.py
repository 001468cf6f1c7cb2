"""Huawei Cloud authentication: AK/SK signing (huawei_signing), X-Auth-Token, IAM password tokens."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from datetime import UTC, datetime
from typing import Any

import httpx

from tui.core.secrets import Secret
from tui.providers.auth_flows import AuthError, CachedTokenAuth, as_secret, error_detail
from tui.providers.huawei_signing import (
    ALGORITHM,
    UNSIGNED_PAYLOAD,
    authorize,
    body_hash,
    canonical_headers,
    canonical_query,
    canonical_request,
    canonical_uri,
    format_sdk_date,
    is_hashed_content_type,
    sign,
    signature,
    signed_header_names,
    string_to_sign,
)

__all__ = [
    "ALGORITHM",
    "UNSIGNED_PAYLOAD",
    "AkSkAuth",
    "IamPasswordAuth",
    "XAuthTokenAuth",
    "body_hash",
    "canonical_headers",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "format_sdk_date",
    "sign",
    "signature",
    "signed_header_names",
    "string_to_sign",
]


class AkSkAuth(httpx.Auth):
    """Sign each request with AK/SK. Adds X-Sdk-Date, X-Project-Id (when a project is configured),
    X-Security-Token (temporary credentials) and, for a Content-Type that is not JSON or BSON (even
    with an empty body, as the SDK does), `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`; then Authorization."""

    requires_request_body = True

    def __init__(
        self,
        access_key: Secret | str,
        secret_key: Secret | str,
        *,
        project_id: str | None = None,
        security_token: Secret | str | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._access_key = as_secret(access_key)
        self._secret_key = as_secret(secret_key)
        self._security_token = None if security_token is None else as_secret(security_token)
        self.project_id = project_id
        self._now = now or (lambda: datetime.now(UTC))
        self.source = "profile"  # where the keys came from (the Huawei SDK's chain says which place)
        self.iam_url: str | None = None  # the SDK credentials file may name one

    def sign_request(self, request: httpx.Request) -> None:
        date = format_sdk_date(self._now())
        request.headers["X-Sdk-Date"] = date
        if self.project_id:
            request.headers["X-Project-Id"] = self.project_id
        if self._security_token is not None:
            request.headers["X-Security-Token"] = self._security_token.reveal()
        if not is_hashed_content_type(request.headers.get("content-type")):
            request.headers["X-Sdk-Content-Sha256"] = UNSIGNED_PAYLOAD
        headers = dict(request.headers.items())  # lowercase names, duplicates joined
        request.headers["Authorization"] = authorize(
            self._access_key, self._secret_key, request.method, request.url, headers, request.content
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign_request(request)
        yield request

    def __repr__(self) -> str:
        token = ", security_token=Secret('***')" if self._security_token is not None else ""
        return f"AkSkAuth(access_key=Secret('***'), secret_key=Secret('***'), project_id={self.project_id!r}{token})"


class XAuthTokenAuth(httpx.Auth):
    """`X-Auth-Token: <token>` (an IAM token obtained elsewhere)."""

    def __init__(self, token: Secret | str) -> None:
        self._token = as_secret(token)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Auth-Token"] = self._token.reveal()
        yield request

    def __repr__(self) -> str:
        return "XAuthTokenAuth(token=Secret('***'))"


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class IamPasswordAuth(CachedTokenAuth):
    """IAM user/password -> token (`POST {iam_url}/v3/auth/tokens`), sent as X-Auth-Token.

    The token (response header X-Subject-Token) is cached in memory until shortly before its
    `expires_at`; see CachedTokenAuth for refresh and 401 handling.
    """

    default_lifetime = 3600.0  # when the response gives no usable expires_at

    def __init__(
        self,
        iam_url: str,
        domain: str,
        user: str,
        password: Secret | str,
        *,
        project: str | None = None,
        project_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(clock=clock)
        if project and project_id:
            raise ValueError("scope the token by project name or project_id, not both")
        self.iam_url = iam_url.rstrip("/")
        self.domain = domain
        self.user = user
        self.project = project
        self.project_id = project_id
        self._password = as_secret(password)
        self._wall_clock = wall_clock or (lambda: datetime.now(UTC))

    def _token_request(self) -> httpx.Request:
        auth: dict[str, Any] = {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "domain": {"name": self.domain},
                        "name": self.user,
                        "password": self._password.reveal(),
                    }
                },
            }
        }
        if self.project_id:
            auth["scope"] = {"project": {"id": self.project_id}}
        elif self.project:
            auth["scope"] = {"project": {"name": self.project}}
        return httpx.Request(
            "POST",
            f"{self.iam_url}/v3/auth/tokens",
            params={"nocatalog": "true"},
            json={"auth": auth},
            headers={"Content-Type": "application/json;charset=utf8", "Accept": "application/json"},
        )

    def _read_token_response(self, response: httpx.Response) -> tuple[Secret, float]:
        status = response.status_code
        if status not in (200, 201):
            detail = error_detail(response)
            raise AuthError(
                f"IAM token request failed: HTTP {status}" + (f" {detail}" if detail else ""), status=status
            )
        token = response.headers.get("X-Subject-Token", "").strip()
        if not token:
            raise AuthError(
                f"IAM token request failed: HTTP {status} without an X-Subject-Token header", status=status
            )
        secret = Secret(token)
        try:
            body = response.json()
        except ValueError:
            body = None
        info = body.get("token") if isinstance(body, dict) else None
        expires = _parse_time(info.get("expires_at")) if isinstance(info, dict) else None
        issued = _parse_time(info.get("issued_at")) if isinstance(info, dict) else None
        if expires is None:
            return secret, self.default_lifetime
        # Measure the lifetime on the server's own clock when possible: immune to local skew.
        start = issued if issued is not None else self._wall_clock()
        return secret, (expires - start).total_seconds()

    def _apply(self, request: httpx.Request, token: Secret) -> None:
        request.headers["X-Auth-Token"] = token.reveal()

    def __repr__(self) -> str:
        scope = f"project_id={self.project_id!r}" if self.project_id else f"project={self.project!r}"
        return (
            f"IamPasswordAuth(iam_url={self.iam_url!r}, domain={self.domain!r}, user={self.user!r}, "
            f"{scope}, password=Secret('***'))"
        )
