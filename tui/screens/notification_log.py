"""The notification log (palette: app: notifications): every toast, newest first, after it has gone."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.screens.notes import LoggedNote

__all__ = ["NotificationLogScreen", "render_log"]

_STYLE = {"error": "$text-error", "warning": "$text-warning"}


def render_log(notes: Iterable[LoggedNote]) -> Content:
    """Newest first: time, title and text (already plain and cleaned)."""
    parts: list[str | tuple[str, str]] = []
    for note in reversed(list(notes)):
        if parts:
            parts.append("\n")
        stamp = time.strftime("%H:%M:%S", time.localtime(note.at))
        parts += [(f"{stamp}  ", "$text-muted"), (note.title or note.severity, f"bold {_STYLE.get(note.severity, '')}")]
        parts += ["\n", note.text, "\n"]
    return Content.assemble(*parts) if parts else Content("No notifications yet.")


class NotificationLogScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    NotificationLogScreen { align: center middle; }
    NotificationLogScreen > #log-dialog {
        width: 100; max-width: 95%; height: 90%;
        border: thick $primary 80%; background: $surface; padding: 0 1;
    }
    NotificationLogScreen #log-title { text-style: bold; padding: 1 1 0 1; }
    NotificationLogScreen #log-body { height: 1fr; padding: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="notifications.close"),
    ]

    def __init__(self, notes: Iterable[LoggedNote]) -> None:
        super().__init__()
        self._notes = list(notes)

    def compose(self) -> ComposeResult:
        with Vertical(id="log-dialog"):
            yield Static(f"Notifications ({len(self._notes)})  (escape closes)", id="log-title")
            with VerticalScroll(id="log-body"):
                yield Static(render_log(self._notes), id="log-text")

    def on_mount(self) -> None:
        self.query_one("#log-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
