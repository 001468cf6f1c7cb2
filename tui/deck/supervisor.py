"""The engine's life: start it, notice when it stops, and start a fresh one at most once a minute.

An engine can die for reasons no user action caused (a sources factory that raises,
an unexpected exception in the poller thread, a child process that exits). Before,
the dashboard's worker went to ERROR silently and the table froze. The supervisor
keeps what went wrong (message and traceback, for the header, a toast and F12) and
builds a new engine seeded with everything the session watches, so polling resumes
by itself without hammering a broken setup.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tui.core.engine_process import EngineLike, create_engine
from tui.core.model import TaskSnapshot
from tui.core.secrets import redact

RESTART_EVERY = 60.0  # seconds: at most one automatic restart a minute

EngineFactory = Callable[[Callable[[], Mapping[str, Any]], Callable[[], None]], EngineLike]


@dataclass(frozen=True, slots=True)
class EngineFailure:
    """Why the engine stopped. Both strings are redacted (a secret in an exception stays hidden)."""

    message: str
    traceback: str
    at: float  # epoch seconds
    restarts: int  # restarts made before this failure

    def __str__(self) -> str:
        return self.message


def describe(exc: BaseException | None) -> tuple[str, str]:
    """A one-line message and the full traceback of what stopped the engine, both redacted."""
    if exc is None:
        return "the polling engine stopped unexpectedly", ""
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return redact(message), redact(trace)


class EngineSupervisor:
    def __init__(self, sources_factory: Callable[[], Mapping[str, Any]], notify: Callable[[], None], *,
                 restart_every: float = RESTART_EVERY, engine_factory: EngineFactory | None = None,
                 clock: Callable[[], float] = time.monotonic, store: str | None = None,
                 remembered: Callable[[], Mapping[str, TaskSnapshot] | None] | None = None) -> None:
        self._factory = sources_factory
        self._notify = notify
        # `store`: where the engine remembers results (tui.core.store); `remembered()`: what the session
        # has read from it already, so that a thread engine does not read it a second time.
        self._make: EngineFactory = engine_factory or (
            lambda f, n: create_engine(f, notify=n, store=store, remembered=remembered))
        self._clock = clock
        self.restart_every = restart_every
        self.engine: EngineLike = self._make(sources_factory, notify)
        self.failure: EngineFailure | None = None  # why the engine is stopped now
        self.last_failure: EngineFailure | None = None  # kept after a restart, for F12
        self.restarts = 0
        self.stopping = False
        self._started_at: float | None = None

    @property
    def running(self) -> bool:
        return self._started_at is not None and self.failure is None

    def run(self, should_stop: Callable[[], bool] | None = None) -> None:
        """Blocking (a worker thread): run the current engine until it stops; its exception propagates."""
        self._started_at = self._clock()
        self.engine.run(should_stop=should_stop)

    def stopped(self, exc: BaseException | None) -> EngineFailure | None:
        """The engine's run ended. A failure unless the session asked it to stop."""
        if self.stopping:
            return None
        message, trace = describe(exc)
        self.failure = self.last_failure = EngineFailure(message, trace, time.time(), self.restarts)
        return self.failure

    def restart_delay(self) -> float:
        """Seconds until a restart is allowed (one a minute, counted from the last start)."""
        if self._started_at is None:
            return 0.0
        return max(0.0, self._started_at + self.restart_every - self._clock())

    def renew(self) -> EngineLike:
        """A fresh engine (the old one has ended); the caller seeds it before running it."""
        self.restarts += 1
        self.failure = None
        self.engine = self._make(self._factory, self._notify)
        return self.engine

    def replace(self, sources_factory: Callable[[], Mapping[str, Any]]) -> EngineLike:
        """A new engine over other sources (a profile was added); the old one is told to stop. The caller
        seeds the new one and runs it in a new worker; the old worker's end is not a failure."""
        old = self.engine
        self._factory = sources_factory
        self.failure = None
        self.engine = self._make(sources_factory, self._notify)
        old.stop()
        return self.engine

    def stop(self) -> None:
        self.stopping = True
        self.engine.stop()
