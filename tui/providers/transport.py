"""The one place a provider's HTTP client is built: pool, timeouts, trust and proxies.

Passing an explicit transport to httpx turns its environment proxies off, and aiohttp ignores
them unless asked; so both transports are wrapped in a `ProxyTransport` that asks a
`ProxyRouter` (tui/providers/proxy.py) for each request's proxy and keeps one pool per
proxy (most profiles only ever use one). HTTPS through a proxy goes through CONNECT, so the
certificate is still verified end to end with the context from tui/providers/trust.py.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from tui.providers.proxy import ProxyChoice, ProxyRouter
from tui.providers.trust import verify_context

USER_AGENT = "taskdeck"

log = logging.getLogger("taskdeck.providers")

TransportFactory = Callable[[str | None], httpx.AsyncBaseTransport]


class ProxyTransport(httpx.AsyncBaseTransport):
    """Routes each request to the pool of its proxy (or the direct pool)."""

    def __init__(self, router: ProxyRouter, factory: TransportFactory, name: str = "") -> None:
        self.router = router
        self._factory = factory
        self._pools: dict[str | None, httpx.AsyncBaseTransport] = {}
        self._name = name

    def pool_for(self, choice: ProxyChoice) -> httpx.AsyncBaseTransport:
        pool = self._pools.get(choice.url)
        if pool is None:
            # Logged once per pool: which proxy a profile uses is the first question behind a proxy.
            log.info("%s: connecting %s (%s)", self._name or "provider",
                     f"through proxy {choice.shown}" if choice.url else "directly", choice.source)
            pool = self._pools[choice.url] = self._factory(choice.url)
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.pool_for(self.router.choose(request.url)).handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()


def _proxy(url: str | None) -> httpx.Proxy | None:
    return httpx.Proxy(url) if url else None


def transport_factory(kind: str, verify: ssl.SSLContext, limits: httpx.Limits) -> TransportFactory:
    """Builds the pool of one proxy (None: direct) for transport `kind` ("aiohttp" or "httpx")."""
    if kind == "httpx":
        def make_httpx(proxy: str | None) -> httpx.AsyncBaseTransport:
            return httpx.AsyncHTTPTransport(verify=verify, limits=limits, proxy=_proxy(proxy))
        return make_httpx

    from httpx_aiohttp import AiohttpTransport

    def make_aiohttp(proxy: str | None) -> httpx.AsyncBaseTransport:
        return AiohttpTransport(verify=verify, limits=limits, proxy=_proxy(proxy))
    return make_aiohttp


def make_transport(settings: Any, env: Mapping[str, str] | None = None) -> ProxyTransport:
    """The transport of one profile. Raises ProxyError for an unusable proxy setting."""
    verify = verify_context(getattr(settings, "ca_bundle", None), env)
    concurrency = int(getattr(settings, "concurrency", 16))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    router = ProxyRouter(settings, env)
    factory = transport_factory(getattr(settings, "transport", "aiohttp"), verify, limits)
    return ProxyTransport(router, factory, getattr(settings, "name", ""))


def make_client(settings: Any, auth: httpx.Auth | None, env: Mapping[str, str] | None = None,
                event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None) -> httpx.AsyncClient:
    """One keep-alive pool per provider profile (per proxy, when requests go through several).

    The default transport is httpx-aiohttp: httpx's own pool collapses with many
    connections (encode/httpx#3215), aiohttp's does not. `transport = "httpx"` in
    the profile selects httpx's own.
    """
    timeout = httpx.Timeout(float(settings.timeout_read), connect=float(settings.timeout_connect))
    return httpx.AsyncClient(
        base_url=settings.base_url.rstrip("/"),
        auth=auth,
        timeout=timeout,
        transport=make_transport(settings, env),
        headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        follow_redirects=False,
        event_hooks=dict(event_hooks) if event_hooks else None,
    )
