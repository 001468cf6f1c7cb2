"""What the dashboard shows of taskdeck's memory: rows seeded from the store, a task's timeline.

A mixin of DashboardScreen. The store is read in threads (tui.deck.memory); the first fill of
the table waits up to MEMORY_WAIT for it, so that rows open with their remembered state.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.message import Message

from tui.deck.controller import Deck

if TYPE_CHECKING:
    from textual.app import App

    from tui.widgets.detail import DetailPane
    from tui.widgets.task_table import TaskTable

MEMORY_WAIT = 1.0  # seconds the first fill waits for the remembered snapshots before showing rows without


class DashboardMemory:
    deck: Deck
    app: App[None]
    _filled: bool
    _ready: bool

    class MemoryLoaded(Message):
        """The remembered snapshots have been read from the store (posted from the thread that read them)."""

    if TYPE_CHECKING:  # provided by DashboardScreen (and Textual's Screen)
        @property
        def table(self) -> TaskTable: ...

        @property
        def detail(self) -> DetailPane: ...

        def _show_list(self) -> None: ...

        def _row(self, key: str, now: float) -> Any: ...

        def _update_chrome(self) -> None: ...

        def run_worker(self, *args: Any, **kwargs: Any) -> Any: ...

    def _fill_once(self) -> None:
        if not self._filled:
            self.deck.seed_remembered()  # if it has been read meanwhile
            self._show_list()

    def on_dashboard_memory_memory_loaded(self, _: DashboardMemory.MemoryLoaded) -> None:
        changed = self.deck.seed_remembered()
        if not self._filled:
            self._show_list()
        elif changed and self._ready:
            now = time.time()
            self.table.apply({key: self._row(key, now) for key in changed})
            self._update_chrome()
            key = self.table.cursor_key
            if key in changed:
                self.detail.show(self.deck.snapshot(key))

    def _load_timeline(self, key: str) -> None:
        """Read the task's remembered states in a thread (the store is a database) and show them."""
        def read() -> None:
            stays = self.deck.timeline(key)
            self.app.call_from_thread(self.detail.set_timeline, key, stays)

        self.run_worker(read, thread=True, group="timeline", exclusive=True, exit_on_error=False,
                        description="read a task's timeline")

