"""A new provider profile from a few answers: what `taskdeck provider add` and the setup form share.

The answers are names and places, never secret values: a secret is named by the environment variable
that holds it (`token_env`, `access_key_env`, ...), comes from the Huawei SDK's own variables or file
(`auth = { type = "aksk" }` alone), or from the OS keyring after `taskdeck login` (`type = "oidc"`).
Every problem is a `ProfileError` whose message names the flag or field to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tui.core import regions
from tui.core.providers_config import AUTH_TYPES, MIN_INTERVAL, ProviderConfig, ProvidersFile, parse_providers
from tui.core.providers_write import render_provider
from tui.core.taskids import KINDS, KINDS_WITH_INSTANCE, SMINT

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# The auth types the answers can describe; the others need fields only a hand-written table has.
FORM_AUTH_TYPES = ("none", "bearer", "token", "aksk", "oidc")
SMINT_SCOPE = "smintio.portals.frontend openid profile offline_access"


class ProfileError(ValueError):
    """A bad or missing answer; the message says which and how to fix it."""


@dataclass(frozen=True, slots=True)
class ProfileAnswers:
    name: str
    kind: str
    region: str | None = None
    base_url: str | None = None
    iam_url: str | None = None
    project_id: str | None = None
    auth: str | None = None  # None: guessed from the other answers
    token_env: str | None = None
    access_key_env: str | None = None
    secret_key_env: str | None = None
    issuer: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    interval: float | None = None


def _url(label: str, value: str | None) -> str | None:
    value = (value or "").strip() or None
    if value is not None and not value.startswith(("http://", "https://")):
        raise ProfileError(f"{label} must be an http(s) URL, got {value!r}")
    return value.rstrip("/") if value else None


def _env(label: str, value: str | None) -> str | None:
    value = (value or "").strip() or None
    if value is not None and not ENV_RE.match(value):
        raise ProfileError(f"{label} takes the NAME of an environment variable (letters, digits, _), "
                           f"not {value!r}; taskdeck never takes a secret value itself")
    return value


def _auth_type(a: ProfileAnswers) -> str:
    if a.auth:
        if a.auth not in AUTH_TYPES:
            raise ProfileError(f"unknown --auth {a.auth!r}; use one of {', '.join(FORM_AUTH_TYPES)}")
        if a.auth not in FORM_AUTH_TYPES:
            raise ProfileError(f"--auth {a.auth} needs fields provider add does not take; write that profile in "
                               f"providers.toml by hand, or use one of {', '.join(FORM_AUTH_TYPES)}")
        return a.auth
    if a.issuer or a.client_id:
        return "oidc"
    if a.access_key_env or a.secret_key_env:
        return "aksk"
    if a.token_env:
        return "bearer" if a.kind == SMINT else "token"
    if a.kind == SMINT:
        raise ProfileError("a smint profile needs credentials: --issuer URL --client-id ID (then taskdeck login "
                           "NAME), or --token-env VAR, or --auth none")
    return "aksk"  # Huawei: the SDK's variables or credentials file


def _auth_table(a: ProfileAnswers, kind: str) -> dict[str, Any]:
    auth_type = _auth_type(a)
    token_env = _env("--token-env", a.token_env)
    ak_env, sk_env = _env("--access-key-env", a.access_key_env), _env("--secret-key-env", a.secret_key_env)
    secret_env = _env("--client-secret-env", a.client_secret_env)
    table: dict[str, Any] = {"type": auth_type}
    fits = {"none": (), "bearer": ("token_env",), "token": ("token_env",),
            "aksk": ("access_key_env", "secret_key_env"), "oidc": ("issuer", "client_id", "client_secret_env")}
    given = {"token_env": token_env, "access_key_env": ak_env, "secret_key_env": sk_env,
             "issuer": a.issuer, "client_id": a.client_id, "client_secret_env": secret_env}
    stray = [f"--{k.replace('_', '-')}" for k, v in given.items() if v and k not in fits[auth_type]]
    if stray:
        raise ProfileError(f"{', '.join(stray)} does not apply to --auth {auth_type}")
    if auth_type in ("bearer", "token"):
        if not token_env:
            raise ProfileError(f"--auth {auth_type} needs --token-env VAR (the variable that holds the token)")
        table["token_env"] = token_env
    elif auth_type == "aksk":
        if bool(ak_env) != bool(sk_env):
            raise ProfileError("give both --access-key-env and --secret-key-env, or neither (then taskdeck uses the "
                               "Huawei SDK's HUAWEICLOUD_SDK_AK/SK or ~/.huaweicloud/credentials)")
        if ak_env:
            table.update(access_key_env=ak_env, secret_key_env=sk_env)
    elif auth_type == "oidc":
        issuer = _url("--issuer", a.issuer)
        client_id = (a.client_id or "").strip()
        if not issuer or not client_id:
            raise ProfileError("--auth oidc needs --issuer URL (e.g. https://TENANT.smint.io) and --client-id ID")
        table.update(issuer=issuer, client_id=client_id)
        if secret_env:
            table["client_secret_env"] = secret_env
    if kind == SMINT and auth_type in ("token", "aksk"):
        raise ProfileError(f"--auth {auth_type} is for Huawei profiles; a smint profile takes bearer, oidc or none")
    if kind != SMINT and auth_type in ("bearer", "oidc"):
        raise ProfileError(f"--auth {auth_type} is for smint profiles; a Huawei profile takes aksk, token or none")
    return table


def build_profile(answers: ProfileAnswers, existing: ProvidersFile | None = None) -> ProviderConfig:
    """The validated profile, or ProfileError. `existing` catches a name already taken."""
    a = answers
    name = a.name.strip()
    if not NAME_RE.match(name):
        raise ProfileError(f"the profile name {name!r} must start with a letter or digit and hold only "
                           "letters, digits, - and _ (at most 64)")
    if existing is not None and name in existing.names:
        raise ProfileError(f"a profile named '{name}' already exists in {existing.path}; choose another name, "
                           f"or remove it first (taskdeck provider remove {name})")
    if a.kind not in KINDS:
        raise ProfileError(f"unknown --kind {a.kind!r}; use one of {', '.join(KINDS)}")
    huawei = a.kind in KINDS_WITH_INSTANCE
    region = (a.region or "").strip() or None
    base_url = _url("--base-url", a.base_url)
    iam_url = _url("--iam-url", a.iam_url)
    if not huawei and (region or iam_url or a.project_id):
        raise ProfileError("--region, --iam-url and --project-id apply to huawei-dms and huawei-apig only")
    if huawei and region is None and base_url is None:
        raise ProfileError(f"--kind {a.kind} needs --region (e.g. eu-west-101) or --base-url URL")
    if huawei and region is not None and base_url is None and regions.service_endpoint(a.kind, region) is None:
        raise ProfileError(f"the Huawei Cloud SDK knows no region {region!r}; known: {', '.join(regions.regions())} "
                           "(or give --base-url as well)")
    if not huawei and base_url is None:
        raise ProfileError("--kind smint needs --base-url (e.g. https://TENANT.portalsapife.smint.io/frontend/v1)")
    project_id = (a.project_id or "").strip() or None
    if project_id is not None and not re.fullmatch(r"[0-9A-Za-z_-]{1,64}", project_id):
        raise ProfileError(f"--project-id {project_id!r} is not a project id (32 hex digits in the Huawei console)")
    interval = a.interval
    minimum = MIN_INTERVAL.get(a.kind, 1.0)
    if interval is not None and not interval >= minimum:
        raise ProfileError(f"--interval must be at least {minimum:g} seconds for {a.kind}, got {interval:g}")
    auth = _auth_table(a, a.kind)
    if huawei and project_id is None and region is None and auth != {"type": "aksk"}:
        raise ProfileError("without --region, a Huawei profile needs --project-id (or the SDK's "
                           "HUAWEICLOUD_SDK_PROJECT_ID with --auth aksk)")
    resolved_base = base_url or regions.service_endpoint(a.kind, region or "") or ""
    extra: dict[str, Any] = {}
    config = ProviderConfig(name=name, kind=a.kind, base_url=resolved_base, project_id=project_id,
                            interval=5.0 if interval is None else float(interval), auth=auth, extra=extra,
                            region=region, iam_url=iam_url)
    _, problems = parse_providers(render_provider(config))
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ProfileError(f"the profile would not be valid: {errors[0].message}")
    return config
