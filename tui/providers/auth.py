"""httpx auth for the providers, and `build_auth`, which turns a providers.toml auth table into one.

Auth types (`auth = { type = "...", ... }`); every secret field `<f>` may be given as `<f>_env`
(environment variable name), `<f>_command` (command printing it; a list runs without a shell) or
inline `<f>`:

    none
    bearer         token                                          Authorization: Bearer <token>
    oauth-refresh  token_url, client_id, refresh_token, [client_secret], [scope]
    token          token                                          X-Auth-Token: <token> (Huawei)
    iam-password   [iam_url], domain, user, password, [project | project_id]
    aksk           access_key, secret_key, [security_token]       SDK-HMAC-SHA256 signing (Huawei); with
                   no key fields, the Huawei SDK's variables or credentials file (sdk_credentials.py)
    oidc           issuer, client_id, [client_secret], [scope]    refresh token from `taskdeck login` (keyring)

Secrets are resolved when `build_auth` is called, so a missing variable or a failing command is
reported at start-up; they stay wrapped in `Secret` and are revealed only to build a header or a
token request body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from tui.core.auth_schema import AUTH_SCHEMA, AUTH_TYPES
from tui.core.secrets import Secret, SecretError, resolve_secret
from tui.providers.auth_flows import (
    AuthError,
    BearerAuth,
    CachedTokenAuth,
    OAuthRefreshAuth,
    as_secret,
    error_detail,
)
from tui.providers.huawei_auth import AkSkAuth, IamPasswordAuth, XAuthTokenAuth

__all__ = [
    "AUTH_TYPES",
    "AuthError",
    "BearerAuth",
    "CachedTokenAuth",
    "OAuthRefreshAuth",
    "as_secret",
    "build_auth",
    "error_detail",
    "SecretError",
]

DEFAULT_IAM_URL = "https://iam.myhuaweicloud.com"


def _check_keys(kind: str, spec: Mapping[str, Any]) -> None:
    allowed = AUTH_SCHEMA[kind].keys
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise ValueError(
            f"auth type {kind!r} does not take {', '.join(unknown)}; it takes {', '.join(sorted(allowed))}"
        )


def _plain(spec: Mapping[str, Any], key: str, kind: str, *, required: bool = True) -> str | None:
    value = spec.get(key)
    if value is None or value == "":
        if required:
            raise ValueError(f"auth type {kind!r} needs {key}")
        return None
    if not isinstance(value, str):
        raise ValueError(f"auth {key} must be a string")
    return value


def _secret(spec: Mapping[str, Any], field: str, env: Mapping[str, str] | None) -> Secret:
    secret = resolve_secret(spec, field, env=env)
    assert secret is not None
    return secret


def build_auth(
    spec: Mapping[str, Any] | None,
    *,
    project_id: str | None = None,
    env: Mapping[str, str] | None = None,
    profile: str = "",
    region: str | None = None,
    iam_url: str | None = None,
) -> httpx.Auth | None:
    """Build the httpx auth for a provider's `auth` table (None for type "none" or no table).

    `project_id` is the provider's project: sent as X-Project-Id with AK/SK and used as the IAM
    token scope when an iam-password table names no project. `profile` names the provider profile
    (the keyring entry of an `oidc` login). A Huawei profile's `region` scopes an iam-password token
    when nothing else does, and its `iam_url` (or the region's) is where that token comes from.
    Raises ValueError for a malformed table and SecretError
    (a ValueError) for a secret that cannot be resolved.
    """
    if not spec:
        return None
    kind = spec.get("type")
    if kind is None:
        raise ValueError(f"auth needs a type: one of {', '.join(AUTH_TYPES)}")
    if kind not in AUTH_SCHEMA:
        raise ValueError(f"unknown auth type {kind!r}; valid types: {', '.join(AUTH_TYPES)}")
    _check_keys(kind, spec)

    if kind == "none":
        return None
    if kind == "bearer":
        return BearerAuth(_secret(spec, "token", env))
    if kind == "oauth-refresh":
        token_url = _plain(spec, "token_url", kind)
        client_id = _plain(spec, "client_id", kind)
        assert token_url is not None and client_id is not None
        return OAuthRefreshAuth(
            token_url,
            client_id,
            _secret(spec, "refresh_token", env),
            resolve_secret(spec, "client_secret", env=env, required=False),
            scope=_plain(spec, "scope", kind, required=False),
        )

    if kind == "token":
        return XAuthTokenAuth(_secret(spec, "token", env))
    if kind == "iam-password":
        domain = _plain(spec, "domain", kind)
        user = _plain(spec, "user", kind)
        assert domain is not None and user is not None
        project = _plain(spec, "project", kind, required=False)
        scope_id = _plain(spec, "project_id", kind, required=False)
        if project and scope_id:
            raise ValueError("auth iam-password: set project or project_id, not both")
        if not project and not scope_id:
            scope_id = project_id
        if not project and not scope_id:
            project = region  # the project named after the region, as IAM creates it
        if not project and not scope_id:
            raise ValueError(
                "auth iam-password needs project (a region name such as eu-west-101) or project_id"
            )
        return IamPasswordAuth(
            _plain(spec, "iam_url", kind, required=False) or iam_url or DEFAULT_IAM_URL,
            domain,
            user,
            _secret(spec, "password", env),
            project=project,
            project_id=scope_id,
        )
    if kind == "aksk" and not any(k.startswith(("access_key", "secret_key")) for k in spec):
        from tui.providers.sdk_credentials import find_sdk_credentials

        found = find_sdk_credentials(env)
        auth = AkSkAuth(found.access_key, found.secret_key, project_id=project_id or found.project_id,
                        security_token=found.security_token)
        auth.source, auth.iam_url = found.source, found.iam_url
        return auth
    if kind == "aksk":
        return AkSkAuth(
            _secret(spec, "access_key", env),
            _secret(spec, "secret_key", env),
            project_id=project_id,
            security_token=resolve_secret(spec, "security_token", env=env, required=False),
        )
    if kind == "oidc":
        from tui.providers.oidc_auth import build_oidc_auth

        return build_oidc_auth(spec, profile, resolve_secret(spec, "client_secret", env=env, required=False))
    raise AssertionError(kind)  # pragma: no cover
