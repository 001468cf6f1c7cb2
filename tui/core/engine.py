"""Run the poller on its own event loop in a background thread.

The dashboard's event loop must stay free for input: HTTP costs ~0.7 ms of CPU per
request, and decoding results costs more. The engine thread owns the providers'
HTTP clients and the poller; results are coalesced per task (only the newest
snapshot of a task is kept until the UI takes them) and the UI is told once that
something is waiting, so an idle dashboard does no work at all.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.core.engine_commands import Command, EngineCommands, apply_command
from tui.core.model import Listing, ProviderHealth, TaskRef, TaskSnapshot
from tui.core.poll_parts import Sink, close_sources
from tui.core.poller import Poller
from tui.core.recorder import Recorder


@dataclass
class Batch:
    """Everything that changed since the last drain."""

    snapshots: dict[str, TaskSnapshot] = field(default_factory=dict)
    health: dict[str, ProviderHealth] = field(default_factory=dict)
    discovered: list[TaskRef] = field(default_factory=list)
    # The newest listing of each followed instance, by (provider, instance).
    listings: dict[tuple[str, str], Listing] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.snapshots or self.health or self.discovered or self.listings)

    def merge(self, newer: Batch) -> None:
        """Add a later batch: its snapshots and health replace older ones of the same task or provider."""
        self.snapshots.update(newer.snapshots)
        self.health.update(newer.health)
        self.discovered.extend(newer.discovered)
        self.listings.update(newer.listings)


class _CollectingSink:
    def __init__(self, notify: Callable[[], None]) -> None:
        self._lock = threading.Lock()
        self._batch = Batch()
        self._notify = notify

    def _add(self, fn: Callable[[Batch], None]) -> None:
        with self._lock:
            was_empty = not self._batch
            fn(self._batch)
        if was_empty:
            self._notify()

    def snapshot(self, snapshot: TaskSnapshot) -> None:
        self._add(lambda b: b.snapshots.__setitem__(snapshot.ref.key, snapshot))

    def health(self, health: ProviderHealth) -> None:
        self._add(lambda b: b.health.__setitem__(health.provider, health))

    def discovered(self, refs: list[TaskRef]) -> None:
        self._add(lambda b: b.discovered.extend(refs))

    def listed(self, listing: Listing) -> None:
        self._add(lambda b: b.listings.__setitem__((listing.provider, listing.instance), listing))

    def merge(self, batch: Batch) -> None:
        """Add a batch gathered elsewhere (the process engine's child)."""
        if batch:
            self._add(lambda b: b.merge(batch))

    def take(self) -> Batch:
        with self._lock:
            batch, self._batch = self._batch, Batch()
        return batch


def open_recorder(store: str | None, sink: Sink,
                  remembered: Callable[[], Mapping[str, TaskSnapshot] | None] | None = None) -> Recorder | None:
    """The store-writing sink in front of `sink` (None without a store); loads what is remembered,
    unless `remembered()` hands over what the session has read already."""
    if store is None:
        return None
    return Recorder.open(store, sink, remembered=remembered() if remembered is not None else None)


class Engine(EngineCommands):
    """Thread-safe handle on a Poller running in its own thread (commands: tui.core.engine_commands)."""

    def __init__(self, sources_factory: Callable[[], Mapping[str, Any]],
                 notify: Callable[[], None] = lambda: None, *, store: str | None = None,
                 remembered: Callable[[], Mapping[str, TaskSnapshot] | None] | None = None) -> None:
        # Providers hold HTTP clients bound to the loop that uses them, so they are
        # created inside the engine's thread by `sources_factory`.
        # `store`: where results are remembered (tui.core.store location); None remembers nothing.
        self._factory = sources_factory
        self._store = store
        self._remembered = remembered
        self._sink = _CollectingSink(notify)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._poller: Poller | None = None
        self._ready = threading.Event()
        self._pending: list[Callable[[Poller], Any]] = []
        self._lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------

    def run(self, should_stop: Callable[[], bool] | None = None) -> None:
        """Blocking: run the engine until `stop()` (or `should_stop()` turns true). Call it in a thread."""
        asyncio.run(self._main(should_stop))

    async def _watch(self, should_stop: Callable[[], bool], poller: Poller) -> None:
        # A thread worker cannot be cancelled from outside; it has to notice by itself.
        while not should_stop():
            await asyncio.sleep(0.5)
        poller.stop()

    async def _main(self, should_stop: Callable[[], bool] | None = None) -> None:
        sources = dict(self._factory())
        recorder = open_recorder(self._store, self._sink, self._remembered)
        poller = Poller(sources, recorder or self._sink, memory=recorder)
        with self._lock:
            self._loop = asyncio.get_running_loop()
            self._poller = poller
            pending, self._pending = self._pending, []
        for call in pending:
            call(poller)
        self._ready.set()
        watchdog = asyncio.create_task(self._watch(should_stop, poller)) if should_stop else None
        try:
            await poller.run()
        finally:
            if watchdog is not None:
                watchdog.cancel()
            await close_sources(sources)
            if recorder is not None:
                await asyncio.to_thread(recorder.close)

    def wait_ready(self, timeout: float = 10.0) -> bool:
        return self._ready.wait(timeout)

    def stop(self) -> None:
        self._command(("stop",))

    # -- control (any thread) ---------------------------------------------------

    def _call(self, fn: Callable[[Poller], Any]) -> None:
        with self._lock:
            if self._loop is None or self._poller is None:
                self._pending.append(fn)
                return
            loop, poller = self._loop, self._poller
        try:
            loop.call_soon_threadsafe(fn, poller)
        except RuntimeError:
            pass  # loop already closed: the engine has stopped

    def _command(self, command: Command) -> None:
        self._call(lambda p: apply_command(p, command))

    def take(self) -> Batch:
        """Everything new since the last call (UI thread)."""
        return self._sink.take()
