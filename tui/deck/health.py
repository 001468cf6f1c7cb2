"""A provider's health in plain words, as the sidebar, the toasts and F12 say it."""

from __future__ import annotations

import time

from tui.core.model import HealthStatus, ProviderHealth
from tui.core.text import clean


def clock(ts: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts)) if ts else "never"


def health_text(health: ProviderHealth | None) -> str:
    """Plain words for a provider's health, as shown in the sidebar and the debug screen. A hint
    (a clock far off the server's) comes first: it is the cause, and the narrow sidebar cuts the end."""
    text = _status_text(health)
    if health is not None and health.partial:
        # Tasks are missing from a followed instance: said before the status, which reads "ok".
        short = "; ".join(f"{clean(p.instance, limit=40)}: {p.short}" for p in health.partial)
        text = f"{short} tasks; {text}"
    hint = health.hint if health is not None else None
    return f"{clean(hint, limit=120)}; {text}" if hint else text


def _status_text(health: ProviderHealth | None) -> str:
    if health is None or health.status is HealthStatus.IDLE:
        return "not polled yet"
    if health.status is HealthStatus.OK:
        return "ok"
    every = f"retrying every {health.interval:g} s"
    last = f"last success {clock(health.last_success)}"
    if health.status is HealthStatus.UNREACHABLE:
        return f"unreachable since {clock(health.since)}, {every}, {last}"
    if health.status is HealthStatus.AUTH_FAILED:
        return f"authentication failed since {clock(health.since)}, {every}"
    error = health.last_error.message if health.last_error else ""
    return f"errors: {clean(error, limit=60)}, {last}"
