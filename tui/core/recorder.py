"""The engine's sink in front of the UI's: poll results go to the store in batches, then on.

Why a thread of its own: a SQLite commit costs a few milliseconds of disk work,
which must not hold up the engine's event loop (polling) nor, ever, the UI thread.
Why "then on": a state change reaches the UI only after it is committed, so a
transition the user has seen on screen is never lost, even if taskdeck is killed
the next moment.

The Recorder is also the poller's memory (`recall`): the snapshots remembered
from earlier runs, read once when the engine starts, so that tasks already
finished are shown without being fetched again.

Order is kept: snapshots, provider health, listings and discovered tasks leave in the order
they came in. If the store fails mid-run (disk full), results still flow to the UI;
the failure is logged once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from tui.core.model import Listing, ProviderHealth, TaskRef, TaskSnapshot
from tui.core.poll_parts import Sink
from tui.core.store import Store, Transition

log = logging.getLogger("taskdeck.store")

WRITE_EVERY = 0.05  # seconds results gather before one transaction


class Recorder:
    """A poller Sink that writes to the store and forwards to `inner`; also the poller's memory."""

    def __init__(self, store: Store, inner: Sink, *, every: float = WRITE_EVERY,
                 on_transitions: Callable[[list[Transition]], None] | None = None,
                 remembered: Mapping[str, TaskSnapshot] | None = None) -> None:
        self._store = store
        self._inner = inner
        self._every = every
        self._on_transitions = on_transitions
        self._queue: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = False
        self._failed = False
        # `remembered`: what the session has read from this store already (it is not read twice).
        if remembered is not None:
            self._memory: Mapping[str, TaskSnapshot] = remembered
        else:
            try:
                self._memory = store.load()
            except Exception as exc:  # noqa: BLE001 - a store that cannot be read must not stop polling
                log.warning("the history store could not be read: %s", exc)
                self._memory = {}
        self._thread = threading.Thread(target=self._run, name="taskdeck-store", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, location: str, inner: Sink, **options: Any) -> Recorder:
        return cls(Store.open(location), inner, **options)

    @property
    def store(self) -> Store:
        return self._store

    # -- the poller's memory -----------------------------------------------------------------------------

    def recall(self, key: str) -> TaskSnapshot | None:
        return self._memory.get(key)

    # -- Sink (engine loop thread) -----------------------------------------------------------------------

    def _put(self, kind: str, value: Any) -> None:
        with self._lock:
            self._queue.append((kind, value))
        self._wake.set()

    def snapshot(self, snapshot: TaskSnapshot) -> None:
        self._put("snapshot", snapshot)

    def health(self, health: ProviderHealth) -> None:
        self._put("health", health)

    def discovered(self, refs: list[TaskRef]) -> None:
        self._put("discovered", refs)

    def listed(self, listing: Listing) -> None:
        self._put("listed", listing)

    # -- the writer thread -------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if not self._closing:
                time.sleep(self._every)  # let a batch gather
            self._wake.clear()
            with self._lock:
                items, self._queue = self._queue, []
                closing = self._closing
            if items:
                self._write(items)
            if closing:
                with self._lock:
                    if not self._queue:
                        break

    def _write(self, items: list[tuple[str, Any]]) -> None:
        snapshots = [value for kind, value in items if kind == "snapshot"]
        gone_since: dict[str, float] = {}
        if snapshots and not self._failed:
            try:
                recorded = self._store.record(snapshots)
            except Exception as exc:  # noqa: BLE001 - the UI must still get its results
                self._failed = True
                log.warning("the history store could not be written; this run stops recording: %s", exc)
            else:
                gone_since = recorded.gone_since
                if recorded.transitions and self._on_transitions is not None:
                    self._on_transitions(recorded.transitions)
        for kind, value in items:
            if kind == "snapshot":
                since = gone_since.get(value.ref.key)
                if since is not None and value.gone and value.gone_since != since:
                    value = replace(value, gone_since=since)
                self._inner.snapshot(value)
            elif kind == "health":
                self._inner.health(value)
            elif kind == "listed":
                self._inner.listed(value)
            else:
                self._inner.discovered(value)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, then close the store."""
        with self._lock:
            self._closing = True
        self._wake.set()
        self._thread.join(timeout)
        self._store.close()
