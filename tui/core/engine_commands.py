"""The engine's commands, written once for both engine kinds.

A command is a plain tuple, `(name, *args)`, so that it can be queued for a poller that has not started,
called on the poller's loop from another thread (tui.core.engine) or pickled through a pipe to a child
process (tui.core.engine_process). `EngineCommands` gives both engines the same public methods (add,
remove, follow, unfollow, refresh, pause, resume, set_interval); each engine only says how a command
reaches its poller (`_command`), and the poller's side applies it with `apply_command`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tui.core.model import TaskRef
from tui.core.poller import Poller

Command = tuple[Any, ...]
# The poller methods a command may call; `stop` ends the poller.
COMMANDS = frozenset({"add", "remove", "follow", "unfollow", "refresh", "pause", "resume", "set_interval", "stop"})


def apply_command(poller: Poller, command: Command) -> None:
    """Call the poller method a command names (on the poller's own loop)."""
    name, args = command[0], command[1:]
    if name not in COMMANDS:
        raise ValueError(f"unknown engine command {name!r}")
    getattr(poller, name)(*args)


class EngineCommands:
    """The control methods of an engine, safe to call from any thread; `_command` delivers them."""

    paused: bool = False

    def _command(self, command: Command) -> None:
        raise NotImplementedError

    def add(self, refs: Iterable[TaskRef]) -> None:
        self._command(("add", list(refs)))

    def remove(self, keys: Iterable[str]) -> None:
        self._command(("remove", list(keys)))

    def follow(self, provider: str, instance: str, since: str | None = None) -> None:
        self._command(("follow", provider, instance, since))

    def unfollow(self, provider: str, instance: str) -> None:
        self._command(("unfollow", provider, instance))

    def refresh(self, keys: Iterable[str] | None = None) -> None:
        self._command(("refresh", None if keys is None else list(keys)))

    def pause(self) -> None:
        self.paused = True
        self._command(("pause",))

    def resume(self) -> None:
        self.paused = False
        self._command(("resume",))

    def set_interval(self, provider: str, seconds: float) -> None:
        self._command(("set_interval", provider, float(seconds)))
