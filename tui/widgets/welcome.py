"""What an empty dashboard shows: what taskdeck does and the ways to start (no profile exists yet)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

__all__ = ["WelcomePanel"]

WHAT = ("taskdeck watches long-running cloud tasks — Smint.io background tasks, Huawei Cloud DMS instance "
        "tasks and APIG imports and exports — live in one table, with their results decoded.")
DEMO = "Try the demo first: quit (q) and run  taskdeck --demo  (a built-in simulator; it writes nothing)."


class WelcomePanel(Vertical):
    """Shown instead of the task table while providers.toml has no profile."""

    DEFAULT_CSS = """
    WelcomePanel { height: auto; padding: 1 2; border: round $primary 60%; margin: 1 2; }
    WelcomePanel #welcome-title { text-style: bold; }
    WelcomePanel .welcome-line { margin-top: 1; }
    WelcomePanel #welcome-buttons { height: auto; margin-top: 1; }
    WelcomePanel #welcome-buttons Button { margin-right: 2; }
    WelcomePanel .-hidden { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Previous", show=False, id="welcome.previous"),
        Binding("right", "move(1)", "Next", show=False, id="welcome.next"),
    ]

    class SetupRequested(Message):
        """Open the provider setup form; `sdk` presets it to the Huawei SDK's credentials."""

        def __init__(self, sdk: bool) -> None:
            super().__init__()
            self.sdk = sdk

    def __init__(self, *, config_file: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config_file = config_file
        self.sdk_credentials: str | None = None  # where the SDK's keys were found (show_sdk), or None

    def compose(self) -> ComposeResult:
        yield Static("Welcome to taskdeck", id="welcome-title")
        yield Static(Content(WHAT), classes="welcome-line")
        yield Static(Content(f"No provider is set up yet ({self.config_file} has no profile). Add one with the "
                             "form — or from a shell: taskdeck provider add NAME --kind ... --region ..."),
                     classes="welcome-line")
        yield Static("", classes="welcome-line -hidden", id="welcome-sdk-found")
        yield Static(Content(DEMO), classes="welcome-line", id="welcome-demo")
        with Horizontal(id="welcome-buttons"):
            yield Button("Add a provider", id="welcome-add", variant="primary")
            yield Button("Use your Huawei SDK credentials", id="welcome-sdk", classes="-hidden")

    def show_sdk(self, source: str) -> None:
        """The Huawei SDK's credentials exist (HUAWEICLOUD_SDK_AK or its credentials file): offer them."""
        self.sdk_credentials = source
        found = self.query_one("#welcome-sdk-found", Static)
        found.update(Content(f"Huawei SDK credentials found: {source}."))
        found.remove_class("-hidden")
        self.query_one("#welcome-sdk", Button).remove_class("-hidden")

    def on_mount(self) -> None:
        self.query_one("#welcome-add", Button).focus()

    def action_move(self, step: int) -> None:
        """Arrow keys move between the panel's buttons (tab belongs to the dashboard's panes)."""
        buttons = [b for b in self.query(Button) if not b.has_class("-hidden")]
        focused = self.screen.focused
        index = buttons.index(focused) if focused in buttons else 0
        buttons[(index + step) % len(buttons)].focus()

    @on(Button.Pressed, "#welcome-add")
    def _add(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.SetupRequested(sdk=False))

    @on(Button.Pressed, "#welcome-sdk")
    def _sdk(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.SetupRequested(sdk=True))
