"""The dashboard's feed from the engine: batches taken, rows applied in time slices, ages ticked.

A mixin of DashboardScreen. Engine results are taken at most ~4 times a second
(FLUSH_EVERY). Their changed rows are queued in a `RowPacer` and reach the table one
slice of ~10 ms at a time, the rows on screen first; between two slices the loop is
left to input and painting for SLICE_GAP, so a key pressed during a large batch is
handled before the batch ends instead of after it (tests/test_sliced_apply.py).
"""

from __future__ import annotations

import time
from typing import Any

from tui.deck.tidings import Tidings, rings_bell
from tui.screens.dashboard_parts import DashboardParts
from tui.screens.row_pacer import RowPacer
from tui.widgets.table_rows import Row

FLUSH_EVERY = 0.25  # seconds: at most ~4 UI updates per second
CHROME_EVERY = 1.0  # seconds between updates of header and sidebar when nothing notable happened
SLICE_GAP = 0.002  # seconds the loop is left to input and painting between two slices of rows
FIRST_SCREENS = 2  # screens of rows a list opens with; the rest follow in slices


class DashboardFeed(DashboardParts):
    pacer: RowPacer[Row]
    flushes: int
    slices: int
    _slice_timer: Any
    _flush_pending: bool
    _last_flush: float
    _chrome_at: float
    _tidings: Tidings

    def _request_flush(self) -> None:
        if self._flush_pending:
            return
        self._flush_pending = True
        wait = max(0.01, FLUSH_EVERY - (time.monotonic() - self._last_flush))
        self.set_timer(wait, self._flush_engine)

    def _flush_engine(self) -> None:
        self._flush_pending = False
        if not self.is_mounted:
            return
        self._last_flush = time.monotonic()
        changes = self.deck.take()
        if not changes:
            return
        with self.app.batch_update():
            if changes.active:
                self.pacer.add(changes.active)
                if self._slice_timer is None:  # else the slices under way take these rows too
                    self._apply_slice()
            notable = changes.finished or changes.went_down or changes.came_back or changes.health
            if notable or changes.discovered or time.monotonic() - self._chrome_at >= CHROME_EVERY:
                self._update_chrome()
            selected = self.table.cursor_key
            if selected is not None and selected in changes.snapshots:
                previous = self.detail.snapshot
                snapshot = changes.snapshots[selected]
                self.detail.set_eta(self.deck.eta(selected, time.time()))
                self.detail.show(snapshot)
                if previous is None or previous.state is not snapshot.state or previous.gone != snapshot.gone:
                    self._load_timeline(selected)  # a new state: the timeline has a new line
        for note in self._tidings.announce(changes, self.deck.board, time.monotonic()) + self.deck.memory_notes():
            self.toaster.show(note)
        if self.deck.config.providers.ui.get("bell", False) and rings_bell(changes, self.deck.board):
            self.app.bell()
        self.flushes += 1

    def _fill_rows(self, keys: list[str], *, whole: bool, selected: str | None = None) -> None:
        """Put the active list's rows into the (empty) table.

        Building a row costs ~30 µs, so a 10,000-task list cost 0.3 s before its first frame.
        Unless `whole` (a saved sort or filter needs every row at once), the list opens with its
        first FIRST_SCREENS screens of rows (down to the `selected` row and a screen past it) and
        the rest follows in slices, in list order: the order an unsorted table shows, so no row
        on screen moves meanwhile.
        """
        now = time.time()
        count = len(keys)
        if not whole:
            screen = max(1, self.app.size.height)
            count = screen * FIRST_SCREENS
            if selected is not None:
                try:
                    count = max(count, keys.index(selected) + screen)
                except ValueError:
                    pass
        first = keys[:count]
        self.table.apply({key: self._row(key, now) for key in first})
        if len(first) < len(keys):
            self.pacer.add(keys[len(first):])
            if self._slice_timer is None:
                self._slice_timer = self.set_timer(SLICE_GAP, self._apply_slice)

    def _apply_slice(self) -> None:
        """Build and apply one slice of the waiting rows (those on screen first); if rows are left,
        come back after SLICE_GAP, which lets input be handled and a frame be painted first."""
        self._slice_timer = None
        if not self.pacer or not self.is_mounted:
            return
        table = self.table
        top = int(table.scroll_offset.y)
        on_screen = table.visible_keys[top: top + table.size.height]
        board = self.deck.board
        now = time.time()
        rows = self.pacer.take(on_screen, lambda key: self._row(key, now) if board.in_active(key) else None)
        if rows:
            table.apply(rows)
        self.slices += 1
        if self.pacer:
            self._slice_timer = self.set_timer(SLICE_GAP, self._apply_slice)

    def _tick_ages(self) -> None:
        """Refresh the age/duration cells of visible, unfinished rows (nothing to do when all are done)."""
        self._tell_held_finishes()
        board = self.deck.board
        if self.deck.paused or not self.is_mounted or not board.running_in_active():
            return
        table = self.table
        first = int(table.scroll_offset.y)
        window = table.visible_keys[first: first + table.size.height + 1]
        now = time.time()
        rows = {key: self._row(key, now) for key in window
                if (s := board.snapshots.get(key)) is not None and not s.finished}
        if rows:
            self.pacer.discard(rows)
            table.apply(rows)
