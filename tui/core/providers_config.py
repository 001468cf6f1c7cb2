"""`providers.toml`: the user's provider profiles, plus `[keymap]`, `[ui]` and `[settings]`.

The file is the user's: taskdeck reads it and, only when the user adds a profile in
the UI, appends the new `[providers.NAME]` table to the end of the text (so comments,
layout and keys survive) and says it rewrote the file. taskdeck never writes a secret.

An inline secret (`token = "..."` instead of `token_env` / `token_command`) is refused
unless the file is readable by its owner only, as ssh does for private keys.
"""

from __future__ import annotations

import functools
import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from tui.core.atomic import atomic_write, file_lock, read_with_stamp
from tui.core.auth_schema import AUTH_SCHEMA, SECRET_FIELDS, AuthSpec
from tui.core.families import FAMILIES, KINDS, family_of
from tui.core.problems import (
    ERROR,
    WARNING,
    ConfigError,
    ConfigProblem,
    KeyLines,
    did_you_mean,
    join_key,
    key_part,
    syntax_problem,
    type_name,
    unknown_key_problem,
)

TRANSPORTS = ("aiohttp", "httpx")
DEFAULT_INTERVAL = 5.0
# The fastest each API may be polled (seconds), from the family declarations.
MIN_INTERVAL: dict[str, float] = {kind: family.min_interval for kind, family in FAMILIES.items()}
# The auth schema (tui.core.auth_schema), under the name this module has always exported it by.
AUTH_TYPES: dict[str, AuthSpec] = AUTH_SCHEMA

PROVIDER_KEYS = (
    "kind",
    "base_url",
    "project_id",
    "interval",
    "auth",
    "transport",
    "ca_bundle",
    "concurrency",
    "timeout_connect",
    "timeout_read",
    "bell",
)
TOP_LEVEL_KEYS = ("version", "providers", "keymap", "ui", "settings")


@dataclass(frozen=True)
class ProviderConfig:
    """One `[providers.NAME]` profile, validated. `auth` is as written (secrets stay unresolved)."""

    name: str
    kind: str
    base_url: str
    project_id: str | None = None
    interval: float = DEFAULT_INTERVAL
    auth: dict[str, Any] = field(default_factory=lambda: {"type": "none"})
    transport: str = "aiohttp"
    ca_bundle: str | None = None
    concurrency: int = 16
    timeout_connect: float = 5.0
    timeout_read: float = 30.0
    bell: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def auth_type(self) -> str:
        return str(self.auth.get("type", "none"))

    @property
    def needs_instance(self) -> bool:
        family = family_of(self.kind)
        return family is not None and family.needs_instance

    @property
    def min_interval(self) -> float:
        family = family_of(self.kind)
        return family.min_interval if family is not None else 1.0


@dataclass(frozen=True)
class ProvidersFile:
    path: Path | None = None
    providers: dict[str, ProviderConfig] = field(default_factory=dict)
    broken: frozenset[str] = frozenset()  # profiles defined in the file but unusable (see the problems)
    keymap: dict[str, str] = field(default_factory=dict)
    ui: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    parsed: bool = True  # False when the file could not be read at all (syntax error)

    @property
    def names(self) -> frozenset[str]:
        """Every profile name the file defines, usable or not."""
        return frozenset(self.providers) | self.broken


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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


class _Reader:
    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.lines = KeyLines(text)
        self.problems: list[ConfigProblem] = []

    @functools.cached_property
    def privacy(self) -> str | None:
        """Why the file is not private to its owner (checked once, only if it holds an inline secret)."""
        return group_or_world_access(self.path) if self.path is not None else None

    def problem(self, key: str, message: str, suggestion: str = "", severity: str = ERROR) -> None:
        self.problems.append(
            ConfigProblem(self.path, self.lines.line_of(key), key, message, suggestion, severity)
        )

    def wrong_type(self, key: str, value: object, expected: str, example: str, severity: str = ERROR) -> None:
        self.problem(key, f"expected {expected}, found {type_name(value)}", f"write it like {example}", severity)

    # -- one profile -------------------------------------------------------------------------------------

    def provider(self, name: str, table: object) -> ProviderConfig | None:
        prefix = join_key("providers", name)
        if not isinstance(table, dict):
            self.wrong_type(prefix, table, "a table", f"[providers.{key_part(name)}] with kind = ... below it")
            return None
        usable = True

        kind = table.get("kind")
        if kind is None:
            self.problem(join_key(prefix, "kind"), "missing 'kind'", f"add kind = one of {', '.join(KINDS)}")
            usable = False
        elif kind not in KINDS:
            guess = did_you_mean(str(kind), KINDS)
            hint = f"did you mean '{guess}'?" if guess else f"use one of {', '.join(KINDS)}"
            self.problem(join_key(prefix, "kind"), f"unknown kind {kind!r}", hint)
            usable = False

        base_url = table.get("base_url")
        if base_url is None:
            self.problem(join_key(prefix, "base_url"), "missing 'base_url'", 'add base_url = "https://..."')
            usable = False
        elif not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            self.problem(
                join_key(prefix, "base_url"),
                f"base_url must be an http(s) URL, found {base_url!r}",
                'write it like base_url = "https://acme.portalsapife.smint.io/frontend/v1"',
            )
            usable = False

        project_id = table.get("project_id")
        if project_id is not None and not isinstance(project_id, str):
            self.wrong_type(join_key(prefix, "project_id"), project_id, "a string", 'project_id = "0123…"')
            project_id, usable = None, False
        family = family_of(kind)
        if family is not None and family.needs_instance and not project_id:
            if "project_id" not in table:
                self.problem(
                    join_key(prefix, "project_id"),
                    f"{kind} needs a project_id",
                    'add project_id = "<your project id>" (Huawei console: My Credentials > Projects)',
                )
            usable = False

        interval = self._interval(prefix, table.get("interval", DEFAULT_INTERVAL), kind)
        auth = self._auth(prefix, table.get("auth"), kind if isinstance(kind, str) else None)
        if auth is None:
            usable = False

        transport = table.get("transport", "aiohttp")
        if transport not in TRANSPORTS:
            self.problem(
                join_key(prefix, "transport"),
                f"unknown transport {transport!r}",
                f"use one of {', '.join(TRANSPORTS)} (using aiohttp)",
                WARNING,
            )
            transport = "aiohttp"

        ca_bundle = table.get("ca_bundle")
        if ca_bundle is not None:
            if not isinstance(ca_bundle, str):
                self.wrong_type(join_key(prefix, "ca_bundle"), ca_bundle, "a path", 'ca_bundle = "/etc/ssl/corp.pem"')
                ca_bundle, usable = None, False
            else:
                ca_bundle = os.path.expanduser(ca_bundle)
                if not os.path.exists(ca_bundle):
                    self.problem(
                        join_key(prefix, "ca_bundle"),
                        f"file not found: {ca_bundle}",
                        "fix the path or remove ca_bundle",
                        WARNING,
                    )

        concurrency = self._number(prefix, table, "concurrency", 16, integer=True, minimum=1)
        timeout_connect = self._number(prefix, table, "timeout_connect", 5.0, minimum=0.1)
        timeout_read = self._number(prefix, table, "timeout_read", 30.0, minimum=0.1)

        bell = table.get("bell", False)
        if not isinstance(bell, bool):
            self.wrong_type(join_key(prefix, "bell"), bell, "true or false", "bell = true", WARNING)
            bell = False

        extra = {k: v for k, v in table.items() if k not in PROVIDER_KEYS}
        for key in extra:
            self.problems.append(
                unknown_key_problem(self.path, self.lines, prefix, key, PROVIDER_KEYS, "in a provider")
            )

        if not usable:
            return None
        assert isinstance(kind, str) and isinstance(base_url, str) and auth is not None
        return ProviderConfig(
            name=name,
            kind=kind,
            base_url=base_url,
            project_id=project_id,
            interval=interval,
            auth=auth,
            transport=transport,
            ca_bundle=ca_bundle,
            concurrency=int(concurrency),
            timeout_connect=float(timeout_connect),
            timeout_read=float(timeout_read),
            bell=bell,
            extra=extra,
        )

    def _interval(self, prefix: str, value: object, kind: object) -> float:
        key = join_key(prefix, "interval")
        if not _is_number(value) or not value > 0:  # type: ignore[operator]
            self.problem(
                key,
                f"interval must be a positive number of seconds, found {value!r}",
                f"write it like interval = 5 (using {DEFAULT_INTERVAL:g})",
                WARNING,
            )
            return DEFAULT_INTERVAL
        seconds = float(value)  # type: ignore[arg-type]
        family = family_of(kind)
        minimum = family.min_interval if family is not None else 1.0
        if seconds < minimum:
            self.problem(
                key,
                f"interval {seconds:g} s is below the {kind} API's minimum of {minimum:g} s; using {minimum:g} s",
                f"set interval = {minimum:g} or more",
                WARNING,
            )
            return minimum
        return seconds

    def _number(
        self, prefix: str, table: Mapping[str, Any], name: str, default: float, *, integer: bool = False,
        minimum: float,
    ) -> float:
        value = table.get(name, default)
        ok = (isinstance(value, int) and not isinstance(value, bool)) if integer else _is_number(value)
        if not ok or value < minimum:
            what = "a whole number" if integer else "a number"
            self.problem(
                join_key(prefix, name),
                f"{name} must be {what} of at least {minimum:g}, found {value!r}",
                f"write it like {name} = {default:g} (using {default:g})",
                WARNING,
            )
            return default
        return float(value)

    def _auth(self, prefix: str, value: object, kind: str | None) -> dict[str, Any] | None:
        key = join_key(prefix, "auth")
        if value is None:
            return {"type": "none"}
        if not isinstance(value, dict):
            self.wrong_type(key, value, "a table", 'auth = { type = "bearer", token_env = "SMINT_TOKEN" }')
            return None
        auth = dict(value)
        auth_type = auth.setdefault("type", "none")
        spec = AUTH_SCHEMA.get(auth_type) if isinstance(auth_type, str) else None
        if spec is None:
            guess = did_you_mean(str(auth_type), AUTH_SCHEMA)
            hint = f"did you mean '{guess}'?" if guess else f"use one of {', '.join(AUTH_SCHEMA)}"
            self.problem(join_key(key, "type"), f"unknown auth type {auth_type!r}", hint)
            return None
        family = family_of(kind)
        if family is not None and auth_type not in family.auth_types:
            fits = family.auth_types
            self.problem(
                join_key(key, "type"),
                f"auth type '{auth_type}' does not apply to {kind}",
                f"use one of {', '.join(fits)}",
            )
            return None
        usable = True
        for secret in sorted(SECRET_FIELDS & auth.keys()):
            if self.privacy is not None:
                # Refuse the inline secret: drop it, so nothing can use it.
                del auth[secret]
                path = self.path
                self.problem(
                    join_key(key, secret),
                    f"inline secret refused: {path.name if path else 'the file'} is readable by others ({self.privacy})",
                    f"run `chmod 600 {path}` or, better, replace it with {secret}_env = \"VARIABLE\" "
                    f"or {secret}_command = \"pass show ...\"",
                )
        for secret in spec.secrets:
            if not any(f in auth for f in (secret, f"{secret}_env", f"{secret}_command")):
                if secret in value:
                    usable = False  # refused above; its problem says why
                    continue
                self.problem(
                    key,
                    f"auth type '{auth_type}' needs {secret}_env or {secret}_command",
                    f'add {secret}_env = "NAME_OF_AN_ENVIRONMENT_VARIABLE" to the auth table',
                )
                usable = False
        for plain in spec.plain:
            if not isinstance(auth.get(plain), str) or not auth[plain]:
                self.problem(key, f"auth type '{auth_type}' needs {plain}", f'add {plain} = "..." to the auth table')
                usable = False
        known = spec.keys
        for name, item in auth.items():
            if name.endswith("_env") and name in known and not isinstance(item, str):
                self.wrong_type(join_key(key, name), item, "a variable name", f'{name} = "SMINT_TOKEN"')
                usable = False
            elif name.endswith("_command") and name in known and not (
                isinstance(item, str) or (isinstance(item, list) and all(isinstance(i, str) for i in item))
            ):
                self.wrong_type(join_key(key, name), item, "a command", f'{name} = "pass show smint/token"')
                usable = False
        for name in sorted(auth.keys() - known - SECRET_FIELDS):
            # The auth builder refuses keys it does not know, so this profile cannot be used as written.
            self.problems.append(
                unknown_key_problem(self.path, self.lines, key, name, known, f"in auth type '{auth_type}'", kept=False)
            )
            usable = False
        return auth if usable else None

    # -- the whole file ---------------------------------------------------------------------------------

    def read(self, data: dict[str, Any]) -> ProvidersFile:
        providers: dict[str, ProviderConfig] = {}
        broken: set[str] = set()
        table = data.get("providers", {})
        if not isinstance(table, dict):
            self.wrong_type("providers", table, "a table", "[providers.NAME]")
            table = {}
        for name, body in table.items():
            config = self.provider(name, body)
            if config is None:
                broken.add(name)
            else:
                providers[name] = config

        keymap: dict[str, str] = {}
        raw_keymap = data.get("keymap", {})
        if not isinstance(raw_keymap, dict):
            self.wrong_type("keymap", raw_keymap, "a table", '[keymap] with lines like quit = "q"', WARNING)
        else:
            for binding, keys in raw_keymap.items():
                if isinstance(keys, str):
                    keymap[binding] = keys
                else:
                    self.wrong_type(join_key("keymap", binding), keys, "a string of keys", f'{key_part(binding)} = "ctrl+r"', WARNING)

        sections: dict[str, dict[str, Any]] = {}
        for section in ("ui", "settings"):
            value = data.get(section, {})
            if not isinstance(value, dict):
                self.wrong_type(section, value, "a table", f"[{section}]", WARNING)
                value = {}
            sections[section] = value
        if "bell" in sections["ui"] and not isinstance(sections["ui"]["bell"], bool):
            self.wrong_type("ui.bell", sections["ui"]["bell"], "true or false", "bell = true", WARNING)
            sections["ui"] = {k: v for k, v in sections["ui"].items() if k != "bell"}

        extra = {k: v for k, v in data.items() if k not in TOP_LEVEL_KEYS}
        for key in extra:
            self.problems.append(unknown_key_problem(self.path, self.lines, "", key, TOP_LEVEL_KEYS, "at the top level"))
        return ProvidersFile(
            path=self.path,
            providers=providers,
            broken=frozenset(broken),
            keymap=keymap,
            ui=sections["ui"],
            settings=sections["settings"],
            extra=extra,
        )


def parse_providers(text: str, path: Path | None = None) -> tuple[ProvidersFile, list[ConfigProblem]]:
    """Validate providers.toml text. Never raises for bad content."""
    reader = _Reader(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return ProvidersFile(path=path, parsed=False), [syntax_problem(path, text, exc)]
    result = reader.read(data)
    return result, reader.problems


def load_providers(path: Path) -> tuple[ProvidersFile, list[ConfigProblem]]:
    """Read providers.toml. A missing file is an empty config, not a problem."""
    try:
        found = read_with_stamp(path)
    except OSError as exc:
        problem = ConfigProblem(path, None, "", f"cannot read the file: {exc.strerror}", "check its permissions")
        return ProvidersFile(path=path, parsed=False), [problem]
    if found is None:
        return ProvidersFile(path=path), []
    data, _ = found
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = ConfigProblem(path, line, "", "the file is not valid UTF-8", "save it as UTF-8")
        return ProvidersFile(path=path, parsed=False), [problem]
    return parse_providers(text, path)


# --- adding a profile from the UI ----------------------------------------------------------------------


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
    table: dict[str, Any] = {"kind": config.kind, "base_url": config.base_url}
    for name in PROVIDER_KEYS[2:]:
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
