"""A yes/no question in a modal dialog."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.core.text import clean

__all__ = ["ConfirmScreen", "DIALOG_CSS"]

# Shared look of the small dialogs (confirm, prompt).
DIALOG_CSS = """
    align: center middle;
    & > .dialog {
        width: 72;
        max-width: 90%;
        height: auto;
        max-height: 90%;
        border: thick $primary 80%;
        background: $surface;
        padding: 1 2;
    }
    & .dialog-title {
        text-style: bold;
        margin-bottom: 1;
    }
    & .dialog-buttons {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    & .dialog-buttons Button {
        margin-left: 2;
    }
"""


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True (confirm button, `y`) or False (Cancel, `n`, Escape).

    The message is shown as plain text: it may quote server data or file names.
    """

    DEFAULT_CSS = "ConfirmScreen {" + DIALOG_CSS + "}"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        Binding("n", "cancel", "No", show=False, id="confirm.no"),
        Binding("y", "confirm", "Yes", show=False, id="confirm.yes"),
    ]

    def __init__(self, message: str, confirm_label: str = "OK", *, cancel_label: str = "Cancel",
                 focus_cancel: bool = False) -> None:
        """focus_cancel: for a destructive action, Enter on the opened dialog must not do it."""
        super().__init__()
        self.message = message
        self.confirm_label = confirm_label
        self.cancel_label = cancel_label
        self.focus_cancel = focus_cancel

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(clean(self.message, multiline=True, limit=4000)), id="confirm-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content(clean(self.cancel_label)), id="confirm-cancel")
                yield Button(Content(clean(self.confirm_label)), id="confirm-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel" if self.focus_cancel else "#confirm-ok", Button).focus()

    @on(Button.Pressed, "#confirm-ok")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
