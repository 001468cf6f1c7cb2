"""Ask for one line of text: a new name, a file path."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.core.text import clean
from tui.screens.confirm import DIALOG_CSS

__all__ = ["PromptScreen"]


class PromptScreen(ModalScreen[str | None]):
    """Dismisses with the text typed (Enter or OK), or None (Escape or Cancel)."""

    DEFAULT_CSS = "PromptScreen {" + DIALOG_CSS + "}"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Content(clean(self.title_text, limit=300)), classes="dialog-title", id="prompt-title"
            )
            yield Input(value=self.initial, placeholder=self.placeholder, id="prompt-input")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="prompt-cancel")
                yield Button("OK", id="prompt-ok", variant="primary")

    def on_mount(self) -> None:
        field = self.query_one("#prompt-input", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @property
    def value(self) -> str:
        return self.query_one("#prompt-input", Input).value

    @on(Input.Submitted, "#prompt-input")
    @on(Button.Pressed, "#prompt-ok")
    def action_submit(self) -> None:
        self.dismiss(self.value)

    @on(Button.Pressed, "#prompt-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
