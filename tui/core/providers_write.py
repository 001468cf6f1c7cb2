"""Adding a profile to `providers.toml` from the UI: appended as text, so the user's file survives.

taskdeck never writes a secret: a profile holding one is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from tui.core import regions
from tui.core.atomic import atomic_write, file_lock, read_with_stamp
from tui.core.auth_schema import SECRET_FIELDS
from tui.core.problems import ConfigError, join_key, key_part
from tui.core.providers_config import PROVIDER_KEYS, ProviderConfig, parse_providers


def _contains_secret(value: object) -> str | None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in SECRET_FIELDS:
                return str(key)
            found = _contains_secret(item)
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _contains_secret(item)
            if found:
                return found
    return None


def _literal(value: object) -> str:
    if isinstance(value, Mapping):
        inner = ", ".join(f"{key_part(str(k))} = {_literal(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    return tomli_w.dumps({"v": value}).partition("=")[2].strip()


def provider_table(config: ProviderConfig) -> dict[str, Any]:
    """The profile as it would be written: defaults left out, unknown keys kept."""
    defaults = ProviderConfig(name="", kind=config.kind, base_url="")
    table: dict[str, Any] = {"kind": config.kind}
    if config.region:
        table["region"] = config.region
    if not config.region or config.base_url != regions.service_endpoint(config.kind, config.region):
        table["base_url"] = config.base_url
    for name in PROVIDER_KEYS[2:]:
        if name == "region":
            continue
        value = getattr(config, name)
        if value is None or (name != "auth" and value == getattr(defaults, name)):
            continue
        if name == "auth" and value == {"type": "none"}:
            continue
        table[name] = value
    table.update(config.extra)
    return table


def render_provider(config: ProviderConfig) -> str:
    lines = [f"[{join_key('providers', config.name)}]"]
    for key, value in provider_table(config).items():
        lines.append(f"{key_part(key)} = {_literal(value)}")
    return "\n".join(lines) + "\n"


def add_provider(path: Path, config: ProviderConfig) -> str:
    """Append a new `[providers.NAME]` table to providers.toml (atomically, with a .bak).

    The rest of the file is kept byte for byte. Refuses secrets, duplicate names and a
    file that does not parse. Returns the sentence to show the user.
    """
    secret = _contains_secret(provider_table(config))
    if secret:
        raise ConfigError(
            f"taskdeck does not write secrets into files: use {secret}_env or {secret}_command instead of {secret}"
        )
    addition = render_provider(config)
    _, problems = parse_providers(addition, path)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ConfigError(f"the new profile '{config.name}' is not valid: {errors[0]}", errors)
    with file_lock(path):
        found = read_with_stamp(path)
        text = found[0].decode("utf-8", errors="strict") if found else ""
        current, problems = parse_providers(text, path)
        if not current.parsed:
            raise ConfigError(
                f"{path} has errors, so taskdeck leaves it alone: {problems[0]}; fix it first", problems
            )
        if config.name in current.names:
            raise ConfigError(f"a profile named '{config.name}' already exists in {path}")
        if text and not text.endswith("\n"):
            text += "\n"
        new_text = text + ("\n" if text else "") + addition
        check, _ = parse_providers(new_text, path)
        if not check.parsed or config.name not in check.names:
            raise ConfigError(
                f"cannot append [providers.{key_part(config.name)}] to {path} "
                "(the file defines providers in a way that an appended table would break); add it by hand"
            )
        atomic_write(path, new_text.encode("utf-8"), backup=True)
    backup = " (the previous version is kept as providers.toml.bak)" if text else ""
    return f"Added profile '{config.name}' to {path}: taskdeck rewrote the file{backup}."
