"""taskdeck's configuration in one place: where the files are, what they hold, how to save.

- `providers.toml` (the user's): `load_providers`, `add_provider`  — see providers_config.py
- `watchlists.toml` (the app's): `WatchStore`                      — see watchstore.py / watchlists.py
- `state.toml` (UI memory, in the state dir): `UiStateStore`        — see uistate.py
- locations: `resolve_paths`                                         — see paths.py

`load_config()` reads all three and never raises for bad content: problems are
collected in `Config.problems` for the dashboard to show. `Config.in_memory()` builds
the same thing with saving disabled (the `--demo` mode writes nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tui.core.paths import Paths, ensure_dir, resolve_paths
from tui.core.problems import ERROR, INFO, WARNING, ConfigError, ConfigProblem
from tui.core.providers_config import (
    AUTH_TYPES,
    MIN_INTERVAL,
    SECRET_FIELDS,
    ProviderConfig,
    ProvidersFile,
    load_providers,
    parse_providers,
)
from tui.core.providers_write import add_provider
from tui.core.uistate import ListUiState, UiStateStore
from tui.core.watchlists import CURRENT_VERSION, FollowedInstance, WatchList, WatchlistsFile, parse_watchlists
from tui.core.watchstore import SaveBlockedError, SaveResult, UnknownListError, WatchStore

__all__ = [
    "AUTH_TYPES",
    "CURRENT_VERSION",
    "ERROR",
    "INFO",
    "MIN_INTERVAL",
    "SECRET_FIELDS",
    "WARNING",
    "Config",
    "ConfigError",
    "ConfigProblem",
    "FollowedInstance",
    "ListUiState",
    "Paths",
    "ProviderConfig",
    "ProvidersFile",
    "SaveBlockedError",
    "SaveResult",
    "UiStateStore",
    "UnknownListError",
    "WatchList",
    "WatchStore",
    "WatchlistsFile",
    "add_provider",
    "ensure_dir",
    "load_config",
    "load_providers",
    "parse_providers",
    "parse_watchlists",
    "resolve_paths",
]


@dataclass
class Config:
    providers: ProvidersFile
    watch: WatchStore
    ui: UiStateStore
    paths: Paths | None = None  # None: in memory, nothing is ever written
    problems: list[ConfigProblem] = field(default_factory=list)

    @classmethod
    def in_memory(
        cls,
        providers: ProvidersFile | Mapping[str, ProviderConfig] | Iterable[ProviderConfig] = (),
        lists: Iterable[WatchList] = (),
    ) -> Config:
        """A config that writes nothing anywhere (for `--demo` and tests)."""
        if not isinstance(providers, ProvidersFile):
            configs = providers.values() if isinstance(providers, Mapping) else providers
            providers = ProvidersFile(providers={p.name: p for p in configs})
        return cls(providers, WatchStore.in_memory(lists, providers), UiStateStore(None))

    def close(self, timeout: float | None = 30.0) -> None:
        """Write what is pending (on quit). Raises the watch-list save's error, after saving the UI state."""
        try:
            self.watch.close(timeout)
        finally:
            self.ui.close(timeout)


def load_config(paths: Paths | None = None) -> Config:
    """Read providers.toml, watchlists.toml and the UI state. Never raises for bad content."""
    paths = paths or resolve_paths()
    providers, problems = load_providers(paths.providers)
    watch = WatchStore(paths.watchlists, providers)
    problems += watch.load()
    ui = UiStateStore(paths.state)
    problems += ui.load()
    return Config(providers, watch, ui, paths, problems)
