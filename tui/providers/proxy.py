"""Which proxy a request goes through, read the way curl and httpx read it.

The environment: `https_proxy` for https URLs, `http_proxy` for http URLs, `all_proxy` for
either when the specific one is unset; each in lower or upper case (lower case wins, as in
urllib and httpx). `no_proxy` lists hosts that go direct: `*` (everything), a name (that host
and its subdomains; a leading dot changes nothing, as in curl), an IP address, a CIDR range
(`10.0.0.0/8`), each optionally with `:port`. Loopback addresses get no special treatment: a
request to 127.0.0.1 goes through the proxy unless `no_proxy` names it — the same as curl and
httpx, and what lets the tests watch a real proxy on 127.0.0.1.

A profile may override the environment: `proxy = "http://host:port"`, `proxy = "none"`, or
`proxy_env` / `proxy_command` naming where a URL *with* credentials lives (credentials are never
written inline in providers.toml). `no_proxy` applies to a profile's proxy too, as in curl.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from tui.core.secrets import Secret, SecretError, register_secret, resolve_secret

PROXY_SCHEMES = ("http", "https")


@dataclass(frozen=True, slots=True)
class ProxyChoice:
    """Where one request goes: `url` None means direct. `source` says why, in words a user can act on
    ("HTTPS_PROXY", "profile proxy", "NO_PROXY entry 127.0.0.1", "no proxy configured")."""

    url: str | None
    source: str

    @property
    def shown(self) -> str:
        """The proxy URL fit for a log or a screen: user info masked."""
        return mask_userinfo(self.url) if self.url else "direct"

    def __repr__(self) -> str:  # the URL may carry a proxy password
        return f"ProxyChoice(url={self.shown!r}, source={self.source!r})"


def mask_userinfo(url: str) -> str:
    """`http://user:pass@host:3128` -> `http://***@host:3128`; anything else unchanged."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        return url
    return f"{scheme}://***@{authority.rpartition('@')[2]}{slash}{path}"


def _normalise(url: str) -> str:
    url = url.strip()
    return url if "://" in url else f"http://{url}"


def check_proxy_url(url: str) -> str | None:
    """Why `url` cannot be used as a proxy, or None if it can."""
    try:
        parsed = httpx.URL(_normalise(url))
    except (httpx.InvalidURL, ValueError) as exc:
        return f"not a URL ({exc})"
    if parsed.scheme not in PROXY_SCHEMES:
        return f"{parsed.scheme}:// proxies are not supported (use an http:// proxy)"
    if not parsed.host:
        return "the proxy URL has no host"
    return None


def _env_get(env: Mapping[str, str], name: str) -> tuple[str, str] | None:
    for key in (name.lower(), name.upper()):
        value = env.get(key)
        if value and value.strip():
            return key, value.strip()
    return None


def effective_port(url: httpx.URL) -> int | None:
    return url.port or {"https": 443, "http": 80}.get(url.scheme)


def _split_host_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [::1]:8080
        host, _, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return host, int(port) if port.isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host, int(port) if port.isdigit() else None
    return entry, None


def no_proxy_match(host: str, port: int | None, no_proxy: str) -> str | None:
    """The `no_proxy` entry that sends `host` direct, or None."""
    host = host.strip("[]").lower().rstrip(".")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return entry
        name, entry_port = _split_host_port(entry)
        if entry_port is not None and port is not None and entry_port != port:
            continue
        name = name.lstrip(".").lstrip("*.").rstrip(".") if not name.startswith("[") else name
        if address is not None:
            try:
                if "/" in name and address in ipaddress.ip_network(name, strict=False):
                    return raw.strip()
                if "/" not in name and address == ipaddress.ip_address(name):
                    return raw.strip()
            except ValueError:
                pass
            continue
        if name and (host == name or host.endswith("." + name)):
            return raw.strip()
    return None


def env_proxy_for(url: httpx.URL, env: Mapping[str, str] | None = None) -> ProxyChoice:
    """The proxy the environment gives `url` (curl's and httpx's rules, see the module doc)."""
    environ = os.environ if env is None else env
    found = None
    if url.scheme == "https":
        found = _env_get(environ, "https_proxy")
    elif url.scheme == "http":
        found = _env_get(environ, "http_proxy")
    found = found or _env_get(environ, "all_proxy")
    if found is None:
        return ProxyChoice(None, "no proxy configured")
    no_proxy = _env_get(environ, "no_proxy")
    if no_proxy is not None:
        entry = no_proxy_match(url.host, effective_port(url), no_proxy[1])
        if entry is not None:
            return ProxyChoice(None, f"{no_proxy[0]} entry {entry}")
    return ProxyChoice(_normalise(found[1]), found[0])


class ProxyError(ValueError):
    """A profile's proxy setting cannot be used; the message says why and what to do."""


def profile_proxy(settings: Any, env: Mapping[str, str] | None = None) -> ProxyChoice | None:
    """The profile's own proxy (`proxy`, `proxy_env`, `proxy_command`), or None to use the
    environment's. `ProxyChoice(None, "proxy = none")` means always direct."""
    spec = {k: getattr(settings, k, None) for k in ("proxy", "proxy_env", "proxy_command")}
    if all(v is None for v in spec.values()):
        return None
    if spec["proxy"] is not None and str(spec["proxy"]).strip().lower() == "none":
        if spec["proxy_env"] is not None or spec["proxy_command"] is not None:
            raise ProxyError("proxy: set only one of proxy, proxy_env, proxy_command")
        return ProxyChoice(None, "proxy = none")
    if spec["proxy"] is not None and "@" in str(spec["proxy"]):
        raise ProxyError("proxy: credentials are not accepted inline; put the whole URL in an "
                         "environment variable and set proxy_env (or use proxy_command)")
    try:
        secret = resolve_secret(spec, "proxy", env=env)
    except SecretError as exc:
        raise ProxyError(str(exc)) from None
    assert secret is not None
    url = _normalise(secret.reveal() if isinstance(secret, Secret) else str(secret))
    problem = check_proxy_url(url)
    if problem:
        raise ProxyError(f"proxy: {problem}")
    password = httpx.URL(url).password
    if password:
        register_secret(password)
    source = ("profile proxy" if spec["proxy"] is not None
              else f"proxy_env {spec['proxy_env']}" if spec["proxy_env"] is not None else "proxy_command")
    return ProxyChoice(url, source)


class ProxyRouter:
    """Chooses the proxy of each request of one profile (the profile's own, else the environment's).

    The environment is read once, when the client is built, as httpx does."""

    def __init__(self, settings: Any, env: Mapping[str, str] | None = None) -> None:
        self._env = dict(os.environ if env is None else env)
        self._profile = profile_proxy(settings, self._env)

    def choose(self, url: httpx.URL) -> ProxyChoice:
        profile = self._profile
        if profile is None:
            return env_proxy_for(url, self._env)
        if profile.url is None:
            return profile
        no_proxy = _env_get(self._env, "no_proxy")
        if no_proxy is not None:
            entry = no_proxy_match(url.host, effective_port(url), no_proxy[1])
            if entry is not None:
                return ProxyChoice(None, f"{no_proxy[0]} entry {entry}")
        return profile
