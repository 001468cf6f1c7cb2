"""Change or remove a profile in the user's providers.toml, keeping every comment and the layout.

Appending a new profile stays in providers_config.add_provider (plain text appended at the end). Edits
go through tomlkit, which round-trips the document: only the touched table changes, the rest of the
file is kept byte for byte. Like every write to this file: under the file lock, atomically, with the
previous version kept as providers.toml.bak, never with a secret, and never over a file that does not
parse.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table

from tui.core.atomic import atomic_write, file_lock, read_with_stamp
from tui.core.problems import ConfigError, key_part
from tui.core.providers_config import SECRET_FIELDS, parse_providers


def _load(path: Path) -> tuple[str, tomlkit.TOMLDocument]:
    found = read_with_stamp(path)
    if found is None:
        raise ConfigError(f"{path} does not exist")
    text = found[0].decode("utf-8")
    current, problems = parse_providers(text, path)
    if not current.parsed:
        raise ConfigError(f"{path} has errors, so taskdeck leaves it alone: {problems[0]}; fix it first", problems)
    return text, tomlkit.parse(text)


def _profile(doc: tomlkit.TOMLDocument, name: str, path: Path) -> Table:
    providers = doc.get("providers")
    table = providers.get(name) if isinstance(providers, Table) else None
    if not isinstance(table, Table):
        raise ConfigError(f"{path} has no profile [providers.{key_part(name)}]")
    return table


def _write(path: Path, old: str, doc: tomlkit.TOMLDocument) -> None:
    text = tomlkit.dumps(doc)
    check, problems = parse_providers(text, path)
    if not check.parsed:
        raise ConfigError(f"taskdeck could not edit {path} safely ({problems[0]}); change it by hand")
    if text != old:
        atomic_write(path, text.encode("utf-8"), backup=True)


def update_provider(path: Path, name: str, values: Mapping[str, Any]) -> str:
    """Set keys of `[providers.NAME]` (a value of None removes the key). Returns the sentence to show."""
    for key, value in values.items():
        if key in SECRET_FIELDS or (isinstance(value, Mapping) and SECRET_FIELDS & value.keys()):
            raise ConfigError(f"taskdeck does not write secrets into files: {key} was not written")
    with file_lock(path):
        old, doc = _load(path)
        table = _profile(doc, name, path)
        for key, value in values.items():
            if value is None:
                table.pop(key, None)
            elif isinstance(value, Mapping):
                inline = tomlkit.inline_table()
                inline.update(value)
                table[key] = inline
            else:
                table[key] = value
        _write(path, old, doc)
    return f"Updated profile '{name}' in {path} (the previous version is kept as providers.toml.bak)."


def _header(line: str) -> tuple[str, ...] | None:
    """The key path of a `[table]` header line, or None for any other line."""
    stripped = line.strip()
    if not stripped.startswith("[") or stripped.startswith("[["):
        return None
    try:
        data: Any = tomllib.loads(stripped)
    except tomllib.TOMLDecodeError:
        return None
    keys: list[str] = []
    while isinstance(data, dict) and len(data) == 1:
        key = next(iter(data))
        keys.append(key)
        data = data[key]
    return tuple(keys)


def _without_profile_lines(text: str, name: str) -> str | None:
    """`text` without the profile's own tables. Comments above its header and the comment block right before
    the next header stay (they may be about the file or what follows). None if the profile has no header
    of its own (an inline table), so the caller falls back to tomlkit."""
    lines = text.splitlines(keepends=True)
    drop = [False] * len(lines)
    found = False
    i = 0
    while i < len(lines):
        key = _header(lines[i])
        if key is None or key[:2] != ("providers", name):
            i += 1
            continue
        found = True
        start = i
        end = i + 1
        while end < len(lines) and _header(lines[end]) is None:
            end += 1
        keep_from = end
        while keep_from > i + 1 and lines[keep_from - 1].lstrip().startswith("#"):
            keep_from -= 1
        for j in range(start, keep_from):
            drop[j] = True
        i = end
    if not found:
        return None
    kept = [line for line, gone in zip(lines, drop, strict=True) if not gone]
    return "".join(kept).lstrip("\n")


def remove_provider(path: Path, name: str) -> str:
    """Delete `[providers.NAME]` with its keys; every other line stays. Returns the sentence to show."""
    with file_lock(path):
        old, doc = _load(path)
        _profile(doc, name, path)
        text = _without_profile_lines(old, name)
        if text is None:
            providers = doc["providers"]
            assert isinstance(providers, Table)
            del providers[name]
            text = tomlkit.dumps(doc)
        before, after = tomllib.loads(old), tomllib.loads(text)
        before["providers"].pop(name, None)
        if not before["providers"] and "providers" not in after:
            before.pop("providers")
        if before != after:
            raise ConfigError(f"taskdeck could not remove [providers.{key_part(name)}] from {path} safely; "
                              "remove it by hand")
        if text != old:
            atomic_write(path, text.encode("utf-8"), backup=True)
    return f"Removed profile '{name}' from {path} (the previous version is kept as providers.toml.bak)."
