"""`providers.toml`: the user's provider profiles, plus `[keymap]`, `[ui]` and `[settings]`.

The file is the user's: taskdeck reads it and, only when the user adds a profile in
the UI, appends the new `[providers.NAME]` table to the end of the text (so comments,
layout and keys survive) and says it rewrote the file. taskdeck never writes a secret.

An inline secret (`token = "..."` instead of `token_env` / `token_command`) is refused
unless the file is readable by its owner only, as ssh does for private keys.

Here: reading and checking the file. The auth table is checked in auth_config.py, appending a
profile is providers_write.py, the per-kind facts come from families.py.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core import regions
from tui.core.atomic import read_with_stamp
from tui.core.auth_config import read_auth
from tui.core.auth_schema import AUTH_SCHEMA, SECRET_FIELDS, AuthSpec
from tui.core.families import FAMILIES, KINDS, family_of
from tui.core.problems import (
    WARNING,
    ConfigProblem,
    ProblemLog,
    did_you_mean,
    join_key,
    key_part,
    syntax_problem,
)
from tui.core.proxy_config import read_proxy
from tui.core.ui_config import read_app_sections

TRANSPORTS = ("aiohttp", "httpx")
DEFAULT_INTERVAL = 5.0
# The fastest each API may be polled (seconds), from the family declarations.
MIN_INTERVAL: dict[str, float] = {kind: family.min_interval for kind, family in FAMILIES.items()}
# The auth schema (tui.core.auth_schema), under the name this module has always exported it by.
AUTH_TYPES: dict[str, AuthSpec] = AUTH_SCHEMA
__all__ = [
    "AUTH_TYPES",
    "DEFAULT_INTERVAL",
    "MIN_INTERVAL",
    "PROVIDER_KEYS",
    "SECRET_FIELDS",
    "TRANSPORTS",
    "ProviderConfig",
    "ProvidersFile",
    "load_providers",
    "parse_providers",
]

# `auth = { type = "aksk" }` with no key fields: the Huawei SDK's environment variables or credentials file.
SDK_AKSK_FIELDS = ("access_key", "secret_key")
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
    "proxy",
    "proxy_env",
    "proxy_command",
    "region",
    "iam_url",
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
    # `proxy` is a URL without credentials or "none"; a URL with credentials comes from
    # `proxy_env` (a variable's name) or `proxy_command` (see tui/providers/proxy.py).
    proxy: str | None = None
    proxy_env: str | None = None
    proxy_command: str | list[str] | None = None
    region: str | None = None  # Huawei: endpoints and the project come from it when not given
    iam_url: str | None = None  # Huawei: where the project id is looked up (default: the region's IAM)

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


class _Reader(ProblemLog):

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

        family = family_of(kind)
        region = table.get("region")
        if region is not None and ((family is not None and not family.needs_instance)
                                   or not isinstance(region, str) or not region):
            self.problem(join_key(prefix, "region"),
                         f"region applies to huawei-dms and huawei-apig only, as a name, found {region!r}",
                         'write it like region = "eu-west-101", or remove it')
            region, usable = None, False
        base_url = table.get("base_url")
        if base_url is None and region is not None and isinstance(kind, str):
            base_url = regions.service_endpoint(kind, region)
            if base_url is None:
                guess = did_you_mean(region, regions.regions())
                self.problem(join_key(prefix, "region"), f"the Huawei Cloud SDK knows no region {region!r}",
                             f"did you mean '{guess}'?" if guess else 'give base_url = "https://..." as well')
                usable = False
        elif base_url is None:
            hint = 'add base_url = "https://..."'
            if family is not None and family.needs_instance:
                hint += ' or region = "eu-west-101"'
            self.problem(join_key(prefix, "base_url"), "missing 'base_url'", hint)
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
        auth_table = table.get("auth")
        sdk_keys = isinstance(auth_table, dict) and auth_table.get("type") == "aksk" and not any(
            k.startswith(SDK_AKSK_FIELDS) for k in auth_table)
        project_id = project_id or None
        if family is not None and family.needs_instance and not project_id and not region and not sdk_keys:
            # Without a region, nothing names the project to look up (the SDK's HUAWEICLOUD_SDK_PROJECT_ID may).
            if "project_id" not in table:
                self.problem(
                    join_key(prefix, "project_id"),
                    f"{kind} needs a project_id",
                    'add region = "eu-west-101" (taskdeck looks the project up) or project_id = "<your project id>"',
                )
            usable = False

        interval = self._interval(prefix, table.get("interval", DEFAULT_INTERVAL), kind)
        auth = read_auth(self, prefix, table.get("auth"), kind if isinstance(kind, str) and kind in KINDS else None)
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

        proxy = read_proxy(self, prefix, table)
        if proxy is None:
            usable = False
        iam_url = table.get("iam_url")
        if iam_url is not None and (not isinstance(iam_url, str) or not iam_url.startswith(("http://", "https://"))):
            self.problem(join_key(prefix, "iam_url"), f"iam_url must be an http(s) URL, found {iam_url!r}",
                         'write it like iam_url = "https://iam.myhuaweicloud.com"')
            iam_url, usable = None, False

        extra = {k: v for k, v in table.items() if k not in PROVIDER_KEYS}
        for key in extra:
            self.unknown_key(prefix, key, PROVIDER_KEYS, "in a provider")

        if not usable:
            return None
        assert isinstance(kind, str) and isinstance(base_url, str) and auth is not None and proxy is not None
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
            **proxy,
            region=region,
            iam_url=iam_url,
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

        keymap, ui, settings = read_app_sections(self, data)

        extra = {k: v for k, v in data.items() if k not in TOP_LEVEL_KEYS}
        for key in extra:
            self.unknown_key("", key, TOP_LEVEL_KEYS, "at the top level")
        return ProvidersFile(
            path=self.path,
            providers=providers,
            broken=frozenset(broken),
            keymap=keymap,
            ui=ui,
            settings=settings,
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
