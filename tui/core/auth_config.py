"""Checking a profile's `auth = { type = ... }` table against the auth schema, with file and line.

The same schema (tui.core.auth_schema) is what tui.providers.auth.build_auth accepts, so a table
that passes here is one the provider can be built from.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from tui.core.auth_schema import AUTH_SCHEMA, SECRET_FIELDS
from tui.core.families import family_of
from tui.core.problems import ProblemLog, did_you_mean, join_key


def group_or_world_access(path: Path) -> str | None:
    """Why `path` is not private to its owner (as ssh requires for keys), or None if it is."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        return f"its mode is {mode:04o}"
    getuid = getattr(os, "getuid", None)
    if getuid is not None and st.st_uid != getuid():
        return "it belongs to another user"
    return None


def _privacy(path: Path | None) -> str | None:
    """Why the file is not private to its owner; checked only when it holds an inline secret."""
    return group_or_world_access(path) if path is not None else None


def read_auth(log: ProblemLog, prefix: str, value: object, kind: str | None) -> dict[str, Any] | None:
    """The `auth` table of profile `prefix`, checked against the schema and the kind's declaration.

    None (with the problems logged) when the profile cannot be used as written. An inline secret in a
    file others can read is dropped, so nothing can use it.
    """
    key = join_key(prefix, "auth")
    if value is None:
        return {"type": "none"}
    if not isinstance(value, dict):
        log.wrong_type(key, value, "a table", 'auth = { type = "bearer", token_env = "SMINT_TOKEN" }')
        return None
    auth = dict(value)
    auth_type = auth.setdefault("type", "none")
    spec = AUTH_SCHEMA.get(auth_type) if isinstance(auth_type, str) else None
    if spec is None:
        guess = did_you_mean(str(auth_type), AUTH_SCHEMA)
        hint = f"did you mean '{guess}'?" if guess else f"use one of {', '.join(AUTH_SCHEMA)}"
        log.problem(join_key(key, "type"), f"unknown auth type {auth_type!r}", hint)
        return None
    family = family_of(kind)
    if family is not None and auth_type not in family.auth_types:
        fits = family.auth_types
        log.problem(
            join_key(key, "type"),
            f"auth type '{auth_type}' does not apply to {kind}",
            f"use one of {', '.join(fits)}",
        )
        return None
    usable = True
    for secret in sorted(SECRET_FIELDS & auth.keys()):
        privacy = _privacy(log.path)
        if privacy is not None:
            # Refuse the inline secret: drop it, so nothing can use it.
            del auth[secret]
            path = log.path
            log.problem(
                join_key(key, secret),
                f"inline secret refused: {path.name if path else 'the file'} is readable by others ({privacy})",
                f"run `chmod 600 {path}` or, better, replace it with {secret}_env = \"VARIABLE\" "
                f"or {secret}_command = \"pass show ...\"",
            )
    # `auth = { type = "aksk" }` alone: the keys come from where the Huawei SDK finds them.
    sdk_keys = auth_type == "aksk" and not any(k.startswith(("access_key", "secret_key")) for k in value)
    for secret in () if sdk_keys else spec.secrets:
        if not any(f in auth for f in (secret, f"{secret}_env", f"{secret}_command")):
            if secret in value:
                usable = False  # refused above; its problem says why
                continue
            log.problem(
                key,
                f"auth type '{auth_type}' needs {secret}_env or {secret}_command",
                f'add {secret}_env = "NAME_OF_AN_ENVIRONMENT_VARIABLE" to the auth table',
            )
            usable = False
    for plain in spec.plain:
        if not isinstance(auth.get(plain), str) or not auth[plain]:
            log.problem(key, f"auth type '{auth_type}' needs {plain}", f'add {plain} = "..." to the auth table')
            usable = False
    known = spec.keys
    for name, item in auth.items():
        if name.endswith("_env") and name in known and not isinstance(item, str):
            log.wrong_type(join_key(key, name), item, "a variable name", f'{name} = "SMINT_TOKEN"')
            usable = False
        elif name.endswith("_command") and name in known and not (
            isinstance(item, str) or (isinstance(item, list) and all(isinstance(i, str) for i in item))
        ):
            log.wrong_type(join_key(key, name), item, "a command", f'{name} = "pass show smint/token"')
            usable = False
    for name in sorted(auth.keys() - known - SECRET_FIELDS):
        # The auth builder refuses keys it does not know, so this profile cannot be used as written.
        log.unknown_key(key, name, known, f"in auth type '{auth_type}'", kept=False)
        usable = False
    return auth if usable else None
