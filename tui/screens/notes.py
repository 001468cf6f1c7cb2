"""Toasts for the controller's notes: plain text, replaced in place by key, and off the cursor's row.

Textual docks its toasts at the bottom right. At 80x24 the table fills the screen,
so a toast sat on whatever row was there — often the one the user was reading. The
toaster puts toasts at the top when the cursor is in the lower half of the screen,
and at the bottom otherwise.

App-wide rules (TaskdeckApp calls `admit` and `visible`): at most MAX_ON_SCREEN toasts
at once (the oldest gives way), none drawn over an open dialog (they come back when it
closes, if still current), and every notification kept in a log (palette: app: notifications).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.css.query import NoMatches
from textual.notifications import Notification, Notifications, Notify
from textual.screen import ModalScreen
from textual.widgets._toast import ToastRack

from tui.core.text import clean
from tui.deck.outcome import Note

NOTE_TIMEOUT = 5.0
MAX_ON_SCREEN = 2
LOG_SIZE = 500


@dataclass(slots=True)
class LoggedNote:
    at: float  # epoch seconds
    severity: str
    title: str
    text: str  # plain text (markup was never parsed for taskdeck's own notes)
    identity: str = ""


class NotificationLog:
    """The last LOG_SIZE notifications, for the user to read after their toasts are gone. A toast
    updated in place ("3 tasks finished", then "4 tasks finished") is one entry, with its newest text."""

    def __init__(self) -> None:
        self._notes: deque[LoggedNote] = deque(maxlen=LOG_SIZE)
        self._replaces: dict[str, str] = {}  # identity of an updated toast -> identity of the one it replaced

    def replaced(self, new: Notification, old: Notification) -> None:
        self._replaces[new.identity] = old.identity

    def add(self, notification: Notification) -> None:
        entry = LoggedNote(time.time(), notification.severity, clean(notification.title),
                           clean(notification.message, multiline=True), notification.identity)
        previous = self._replaces.pop(notification.identity, None)
        if previous is not None:
            for index, logged in enumerate(self._notes):
                if logged.identity == previous:
                    del self._notes[index]
                    break
        self._notes.append(entry)

    def __iter__(self) -> Iterator[LoggedNote]:
        return iter(self._notes)

    def __len__(self) -> int:
        return len(self._notes)


def admit(app: App[Any], notification: Notification) -> None:
    """Before `notification` joins the app's toasts: make room so at most MAX_ON_SCREEN show."""
    current = [n for n in app._notifications if n.identity != notification.identity]
    for old in current[: max(0, len(current) - MAX_ON_SCREEN + 1)]:
        app._unnotify(old, refresh=False)


def dialog_open(app: App[Any]) -> bool:
    """A dialog (any modal screen: help, add, confirm, the palette) is on top."""
    try:
        return isinstance(app.screen, ModalScreen)
    except Exception:  # noqa: BLE001 - no screen yet
        return False


def hide_toasts(app: App[Any]) -> bool:
    """While a dialog is open its toast rack shows nothing; returns True if it did that."""
    if not dialog_open(app):
        return False
    try:
        rack = app.screen.get_child_by_type(ToastRack)
    except NoMatches:
        return True
    app.call_later(rack.show, Notifications())
    return True


class Toaster:
    def __init__(self, app: App[Any], log: NotificationLog | None = None) -> None:
        self._app = app
        self._log = log
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
        notification = Notification(text, title, note.severity, timeout, markup=False)  # type: ignore[arg-type]
        if old is not None:
            if old in self._app._notifications:
                self._app._unnotify(old, refresh=False)
            if self._log is not None:
                self._log.replaced(notification, old)
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
