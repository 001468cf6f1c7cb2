"""Toasts for the controller's notes: plain text, replaced in place by key, and off the cursor's row.

Textual docks its toasts at the bottom right. At 80x24 the table fills the screen,
so a toast sat on whatever row was there — often the one the user was reading. The
toaster puts toasts at the top when the cursor is in the lower half of the screen,
and at the bottom otherwise.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.css.query import NoMatches
from textual.notifications import Notification, Notify
from textual.widgets._toast import ToastRack

from tui.core.text import clean
from tui.deck.outcome import Note

NOTE_TIMEOUT = 5.0


class Toaster:
    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._keyed: dict[str, Notification] = {}
        self._at_top = False

    def show(self, note: Note) -> None:
        """One toast; a note whose key is already on screen replaces that toast."""
        text, title = clean(note.text, multiline=True), clean(note.title)
        timeout = note.timeout if note.timeout is not None else NOTE_TIMEOUT
        if note.key is None:
            self._app.notify(text, title=title, severity=note.severity, timeout=timeout,  # type: ignore[arg-type]
                             markup=False)
            return
        old = self._keyed.get(note.key)
        if old is not None and old in self._app._notifications:
            self._app._unnotify(old, refresh=False)
        notification = Notification(text, title, note.severity, timeout, markup=False)  # type: ignore[arg-type]
        self._keyed[note.key] = notification
        self._app.post_message(Notify(notification))

    def avoid_row(self, screen: Any, screen_y: int | None, height: int) -> None:
        """Keep `screen`'s toasts away from the screen line `screen_y` (the cursor's row)."""
        at_top = screen_y is not None and screen_y >= height // 2
        if at_top == self._at_top:
            return
        self._at_top = at_top
        try:
            rack = screen.get_child_by_type(ToastRack)
        except NoMatches:
            return
        rack.styles.dock = "top" if at_top else "bottom"
        rack.styles.align_vertical = "top" if at_top else "bottom"
        rack.styles.margin = (1, 0, 0, 0) if at_top else (0, 0, 1, 0)
