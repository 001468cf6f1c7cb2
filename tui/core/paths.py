"""Where taskdeck keeps its files.

Config (hand-edited `providers.toml`, app-owned `watchlists.toml`) lives in the
config directory; UI memory (sort, filter, selection) lives in a separate state
file so automatic writes never touch the files a user edits.

Precedence: `TASKDECK_CONFIG_DIR` / `TASKDECK_STATE_DIR`, then `XDG_CONFIG_HOME` /
`XDG_STATE_HOME` (honoured on every OS, macOS included), then platformdirs.
Nothing here creates a directory; `ensure_dir` does, on first save.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "taskdeck"
PROVIDERS_FILE = "providers.toml"
WATCHLISTS_FILE = "watchlists.toml"
STATE_FILE = "state.toml"
HISTORY_FILE = "history.sqlite3"  # tui.core.store: what taskdeck remembers between runs

CONFIG_DIR_ENV = "TASKDECK_CONFIG_DIR"
STATE_DIR_ENV = "TASKDECK_STATE_DIR"


@dataclass(frozen=True, slots=True)
class Paths:
    """The resolved locations, and where each directory choice came from."""

    config_dir: Path
    state_dir: Path
    config_source: str  # "TASKDECK_CONFIG_DIR" | "XDG_CONFIG_HOME" | "platformdirs"
    state_source: str

    @property
    def providers(self) -> Path:
        return self.config_dir / PROVIDERS_FILE

    @property
    def watchlists(self) -> Path:
        return self.config_dir / WATCHLISTS_FILE

    @property
    def state(self) -> Path:
        return self.state_dir / STATE_FILE

    @property
    def history(self) -> Path:
        return self.state_dir / HISTORY_FILE


def _from_env(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    return Path(value).expanduser()


def _xdg(env: Mapping[str, str], name: str) -> Path | None:
    # The XDG spec says relative paths are invalid and must be ignored.
    path = _from_env(env, name)
    return path if path is not None and path.is_absolute() else None


def _locate(env: Mapping[str, str], override: str, xdg_variable: str,
            fallback: Callable[[str], Path]) -> tuple[Path, str]:
    """A directory and where the choice came from: taskdeck's variable, the XDG one, or platformdirs."""
    chosen = _from_env(env, override)
    if chosen is not None:
        return chosen, override
    xdg = _xdg(env, xdg_variable)
    if xdg is not None:
        return xdg / APP_NAME, xdg_variable
    return fallback(APP_NAME), "platformdirs"


def resolve_paths(env: Mapping[str, str] | None = None) -> Paths:
    """Resolve the config and state locations from the environment (default: os.environ)."""
    env = os.environ if env is None else env

    config_dir, config_source = _locate(env, CONFIG_DIR_ENV, "XDG_CONFIG_HOME", platformdirs.user_config_path)
    state_dir, state_source = _locate(env, STATE_DIR_ENV, "XDG_STATE_HOME", platformdirs.user_state_path)
    return Paths(config_dir, state_dir, config_source, state_source)


def ensure_dir(path: Path) -> None:
    """Create `path` (and missing parents) readable by the owner only (0700)."""
    if path.is_dir():
        return
    missing = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            continue
        # mkdir's mode is filtered by the umask; 0700 is what we promise.
        os.chmod(directory, 0o700)


def downloads_dir() -> Path:
    """Where a saved result goes by default: the user's downloads directory (platformdirs; XDG user
    dirs on Linux), else the home directory, else the working directory."""
    for candidate in (platformdirs.user_downloads_path(), Path.home()):
        try:
            if candidate.is_dir():
                return candidate
        except OSError:
            continue
    return Path.cwd()
