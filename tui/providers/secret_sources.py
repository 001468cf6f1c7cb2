"""Where each secret of a profile comes from, in words, never the value (`provider list`, the debug screen)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from tui.core.secrets import redact

# Auth type -> its secret fields, in the order a person reads them.
SECRETS_OF = {
    "bearer": ("token",),
    "token": ("token",),
    "oauth-refresh": ("refresh_token", "client_secret"),
    "iam-password": ("password",),
    "aksk": ("access_key", "secret_key", "security_token"),
    "oidc": ("client_secret",),
}


def _command_text(command: object) -> str:
    if isinstance(command, list):
        return redact(" ".join(str(part) for part in command))
    return redact(str(command))


def secret_sources(profile: str, auth: Mapping[str, Any], env: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """[{field, from}] for every secret the auth table uses: an environment variable (set or not), a
    command, an inline value, the Huawei SDK's chain, or the OS keyring."""
    environ = os.environ if env is None else env
    auth_type = str(auth.get("type", "none"))
    out: list[dict[str, str]] = []
    if auth_type == "aksk" and not any(str(k).startswith(("access_key", "secret_key")) for k in auth):
        from tui.providers.sdk_credentials import describe_source

        out.append({"field": "access_key, secret_key", "from": f"Huawei SDK: {describe_source(environ)}"})
        return out
    for field in SECRETS_OF.get(auth_type, ()):
        if f"{field}_env" in auth:
            name = str(auth[f"{field}_env"])
            state = "set" if environ.get(name) else "not set"
            out.append({"field": field, "from": f"environment variable {name} ({state})"})
        elif f"{field}_command" in auth:
            out.append({"field": field, "from": f"command: {_command_text(auth[f'{field}_command'])}"})
        elif field in auth:
            out.append({"field": field, "from": "inline in providers.toml"})
    if auth_type == "oidc":
        from tui.providers.keyring_store import login_state

        out.append({"field": "refresh_token", "from": login_state(profile)})
    return out


def credentials_summary(profiles: Iterable[Any], env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Profile name -> one line saying where its credentials come from (the debug screen). It reads the
    environment, stats files and asks the keyring, so callers run it off the UI thread."""
    out: dict[str, str] = {}
    for profile in profiles:
        sources = secret_sources(profile.name, profile.auth, env)
        where = "; ".join(f"{s['field']}: {s['from']}" for s in sources) or "no secret"
        out[profile.name] = f"{profile.auth.get('type', 'none')} — {where}"
    return out
