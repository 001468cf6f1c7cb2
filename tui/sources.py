"""Build the engine's providers from the profiles, keeping a bad profile from stopping the rest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tui.core.model import TaskRef, TaskSnapshot
from tui.core.secrets import redact
from tui.providers.base import Provider, ProviderSettings
from tui.providers.errors import ProviderError
from tui.providers.registry import create_provider

BROKEN_INTERVAL = 60.0


class BrokenSource:
    """Stands in for a profile that cannot be used (a missing secret, a bad auth table).

    Every read fails with the reason, so the rows and the sidebar say what to fix,
    and it is retried rarely in case the environment changes.
    """

    min_interval = BROKEN_INTERVAL

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = redact(reason)

    @property
    def interval(self) -> float:
        return BROKEN_INTERVAL

    async def fetch(self, ref: TaskRef) -> TaskSnapshot:
        raise ProviderError(f"provider profile {self.name!r} is not usable: {self.reason}", code="config")

    async def aclose(self) -> None:
        return None


def build_sources(configs: Iterable[ProviderSettings], *,
                  env: Mapping[str, str] | None = None) -> dict[str, Provider | BrokenSource | Any]:
    sources: dict[str, Provider | BrokenSource | Any] = {}
    for config in configs:
        try:
            sources[config.name] = create_provider(config, env=env)
        except Exception as exc:  # noqa: BLE001 - any bad profile becomes a visible row error
            sources[config.name] = BrokenSource(config.name, str(exc))
    return sources
