"""Checking a profile's `proxy`, `proxy_env` or `proxy_command`, with file and line.

What they mean at run time is tui/providers/proxy.py; here only their form is checked, and a URL
with credentials written inline is refused without echoing it (it holds a password).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tui.core.problems import ProblemLog, join_key


def read_proxy(log: ProblemLog, prefix: str, table: Mapping[str, Any]) -> dict[str, Any] | None:
    """`proxy` / `proxy_env` / `proxy_command`; None (and a problem) when unusable."""
    given = [k for k in ("proxy", "proxy_env", "proxy_command") if table.get(k) is not None]
    if len(given) > 1:
        log.problem(join_key(prefix, given[1]), f"set only one of {', '.join(given)}",
                    f"remove {', '.join(given[1:])}")
        return None
    if not given:
        return {}
    key = given[0]
    value = table[key]
    if key == "proxy":
        if not isinstance(value, str) or not (value.lower() == "none" or "://" in value):
            log.problem(join_key(prefix, key), f"expected a proxy URL or \"none\", found {value!r}",
                         'write it like proxy = "http://proxy.example.com:3128" or proxy = "none"')
            return None
        if "@" in value.partition("://")[2].partition("/")[0]:
            # The message must not echo the value: it holds a password.
            log.problem(join_key(prefix, key), "proxy credentials are not accepted inline",
                         "put the whole proxy URL in an environment variable and set "
                         'proxy_env = "NAME" (or proxy_command = [...]) instead')
            return None
        if value.lower() == "none":
            value = "none"
    elif key == "proxy_env" and (not isinstance(value, str) or not value):
        log.wrong_type(join_key(prefix, key), value, "the name of an environment variable",
                       'proxy_env = "CORP_PROXY"')
        return None
    elif key == "proxy_command" and not (
        (isinstance(value, str) and value.strip())
        or (isinstance(value, list) and value and all(isinstance(p, str) for p in value))
    ):
        log.wrong_type(join_key(prefix, key), value, "a command", 'proxy_command = ["pass", "show", "proxy"]')
        return None
    return {key: value}
