"""Ask for one line of text: a new name, a file path."""

from __future__ import annotations

from collections.abc import Callable
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
    """Dismisses with the text typed (Enter or OK), or None (Escape or Cancel).

    `attempt`, if given, is called with the text on Enter/OK: it returns None when the text was
    taken, or why it was refused — then the dialog stays open with that message under the field.
    """

    DEFAULT_CSS = "PromptScreen {" + DIALOG_CSS + """
    & #prompt-error { color: $text-error; height: auto; margin-top: 1; }
    }"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(self, title: str, value: str = "", placeholder: str = "",
                 attempt: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.attempt = attempt
        self.title_text = title
        self.initial = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Content(clean(self.title_text, limit=300)), classes="dialog-title", id="prompt-title"
            )
            yield Input(value=self.initial, placeholder=self.placeholder, id="prompt-input")
            error = Static("", id="prompt-error")
            error.display = False
            yield error
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
        problem = self.attempt(self.value) if self.attempt is not None else None
        if problem:
            error = self.query_one("#prompt-error", Static)
            error.update(Content(clean(problem, limit=300)))
            error.display = True
            self.query_one("#prompt-input", Input).focus()
            return
        self.dismiss(self.value)

    @on(Button.Pressed, "#prompt-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
