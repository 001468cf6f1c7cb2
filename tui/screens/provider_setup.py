"""The provider setup form: a profile from a few answers, written by the same code as `taskdeck provider add`.

Secrets are never typed here: the form asks for the NAME of the environment variable that holds one, or
uses the Huawei SDK's own credentials, or a browser login (`taskdeck login`). Saving looks the project up in
IAM (a network call) and writes providers.toml, so it runs in a worker thread; the form stays open with the
message when something is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import get_current_worker

from tui.core import regions
from tui.core.profile_builder import ProfileAnswers
from tui.core.taskids import HUAWEI_APIG, HUAWEI_DMS, SMINT
from tui.core.text import clean

__all__ = ["ProviderSetupScreen", "SetupRunner"]

# The answers -> what was written (any object with `message`, `notes`, `warnings` and `config`); blocking,
# raising an exception whose text says what to fix.
SetupRunner = Callable[[ProfileAnswers], object]

KIND_OPTIONS = [
    ("Huawei Cloud DMS (Kafka, RabbitMQ, RocketMQ)", HUAWEI_DMS),
    ("Huawei Cloud APIG (dedicated gateway)", HUAWEI_APIG),
    ("Smint.io", SMINT),
]
# kind family -> (credential choice, label)
CREDENTIALS = {
    "huawei": [
        ("sdk", "Huawei SDK credentials (HUAWEICLOUD_SDK_AK/SK or ~/.huaweicloud/credentials)"),
        ("aksk-env", "AK/SK from environment variables of your choice"),
        ("token", "an IAM token from an environment variable"),
        ("none", "none"),
    ],
    "smint": [
        ("oidc", "log in in the browser (taskdeck login NAME)"),
        ("bearer", "a bearer token from an environment variable"),
        ("none", "none"),
    ],
}
# What the focused field is for, shown under the form (so it is always clear where typing goes).
FIELD_HELP = {
    "setup-name": "Name: how watch lists, the sidebar and commands call this profile.",
    "setup-kind": "Kind: which API this profile talks to.",
    "setup-region": "Region: e.g. eu-west-101; the DMS, APIG and IAM endpoints come from the Huawei SDK's table.",
    "setup-base-url": "Base URL: only to override the region's endpoint (a proxy, another cloud).",
    "setup-iam-url": "IAM URL: only to override where the project id is looked up.",
    "setup-project-id": "Project id: leave empty to look it up in IAM from the region.",
    "setup-credentials": "Credentials: where taskdeck takes the secret from; it never asks for the secret itself.",
    "setup-token-env": "Token variable: the NAME of the environment variable holding the token.",
    "setup-ak-env": "AK variable: the NAME of the environment variable holding the access key.",
    "setup-sk-env": "SK variable: the NAME of the environment variable holding the secret key.",
    "setup-issuer": "Issuer: the Smint.io identity server, e.g. https://TENANT.smint.io.",
    "setup-client-id": "Client id: the OAuth client Smint.io gave you.",
    "setup-client-secret-env": "Client secret variable: the NAME of the variable holding it (if the client has one).",
    "setup-interval": "Poll interval: seconds between two polls of one task (at least 1).",
}
# credential choice -> the field groups it shows
FIELDS = {"sdk": (), "aksk-env": ("aksk",), "token": ("token",), "bearer": ("token",), "oidc": ("oidc",),
          "none": ()}


def _field(label: str, input_id: str, placeholder: str = "", classes: str = "") -> ComposeResult:
    with Vertical(classes=f"setup-field {classes}".strip()):
        yield Label(label, classes="field-label")
        yield Input(placeholder=placeholder, id=input_id)


class ProviderSetupScreen(ModalScreen[object | None]):
    """Dismisses with what the runner returned, or None when cancelled."""

    DEFAULT_CSS = """
    ProviderSetupScreen { align: center middle; }
    ProviderSetupScreen > #setup-dialog {
        width: 96; max-width: 95%; height: auto; max-height: 95%;
        border: thick $primary 80%; background: $surface; padding: 1 2;
    }
    ProviderSetupScreen #setup-form { height: auto; max-height: 65vh; }
    ProviderSetupScreen .setup-field { height: auto; }
    ProviderSetupScreen .field-label { margin-top: 1; color: $text-muted; }
    ProviderSetupScreen .-hidden { display: none; }
    ProviderSetupScreen #setup-hint { color: $text-muted; margin-top: 1; }
    ProviderSetupScreen #setup-error { color: $error; margin-top: 1; display: none; }
    ProviderSetupScreen #setup-error.-shown { display: block; }
    ProviderSetupScreen #setup-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    ProviderSetupScreen #setup-buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="provider_setup.cancel"),
        Binding("ctrl+s", "submit", "Save", id="provider_setup.submit"),
    ]

    def __init__(self, run_setup: SetupRunner, *, kind: str = HUAWEI_DMS, credentials: str | None = None) -> None:
        super().__init__()
        self.run_setup = run_setup
        self._kind = kind
        self._credentials = credentials
        self.saving = False
        self._credentials_hint = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="setup-dialog"):
            yield Static("Add a provider", classes="dialog-title")
            with VerticalScroll(id="setup-form"):
                yield from _field("Name (used by watch lists and commands)", "setup-name", "e.g. kafka-eu")
                yield Label("Kind", classes="field-label")
                yield Select(KIND_OPTIONS, allow_blank=False, value=self._kind, id="setup-kind")
                yield from _field("Region", "setup-region", "e.g. eu-west-101: the endpoints come from it",
                                  "huawei")
                yield from _field("Base URL (optional for Huawei: overrides the region's endpoint)", "setup-base-url",
                                  "https://…")
                yield from _field("IAM URL (optional: where the project id is looked up)", "setup-iam-url",
                                  "https://iam.myhuaweicloud.com", "huawei")
                yield from _field("Project id (optional: looked up in IAM from the region)", "setup-project-id",
                                  "32 hex digits", "huawei")
                yield Label("Credentials", classes="field-label")
                yield Select([(label, value) for value, label in CREDENTIALS["huawei"]], allow_blank=False,
                             id="setup-credentials")
                yield from _field("Variable holding the token", "setup-token-env", "e.g. HWC_TOKEN", "token")
                yield from _field("Variable holding the access key (AK)", "setup-ak-env", "e.g. HWC_AK", "aksk")
                yield from _field("Variable holding the secret key (SK)", "setup-sk-env", "e.g. HWC_SK", "aksk")
                yield from _field("Identity server (issuer)", "setup-issuer", "https://TENANT.smint.io", "oidc")
                yield from _field("Client id", "setup-client-id", "", "oidc")
                yield from _field("Variable holding the client secret (optional)", "setup-client-secret-env",
                                  "e.g. SMINT_CLIENT_SECRET", "oidc")
                yield from _field("Poll interval in seconds (optional, default 5)", "setup-interval", "5")
            yield Static("", id="setup-hint")
            yield Static(id="setup-error")
            with Horizontal(id="setup-buttons"):
                yield Button("Cancel", id="setup-cancel")
                yield Button("Save", id="setup-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#setup-region", Input).suggester = SuggestFromList(regions.regions(), case_sensitive=False)
        self._sync(initial=True)
        self.query_one("#setup-name", Input).focus()

    # -- which fields show ----------------------------------------------------------------

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    @property
    def kind(self) -> str:
        value = self.query_one("#setup-kind", Select).value
        return value if isinstance(value, str) else HUAWEI_DMS

    @property
    def credentials(self) -> str:
        value = self.query_one("#setup-credentials", Select).value
        return value if isinstance(value, str) else "none"

    @on(Select.Changed, "#setup-kind")
    def _kind_changed(self) -> None:
        self._sync()

    def _sync(self, initial: bool = False) -> None:
        family = "smint" if self.kind == SMINT else "huawei"
        select = self.query_one("#setup-credentials", Select)
        choices = CREDENTIALS[family]
        wanted = self._credentials if initial and self._credentials else choices[0][0]
        with select.prevent(Select.Changed):
            select.set_options([(label, value) for value, label in choices])
            select.value = wanted if any(v == wanted for v, _ in choices) else choices[0][0]
        for widget in self.query(".huawei"):
            widget.set_class(family != "huawei", "-hidden")
        self._sync_credentials()

    @on(Select.Changed, "#setup-credentials")
    def _sync_credentials(self) -> None:
        shown = FIELDS.get(self.credentials, ())
        for group in ("token", "aksk", "oidc"):
            for widget in self.query(f".{group}"):
                widget.set_class(group not in shown, "-hidden")
        hints = {
            "sdk": "taskdeck reads HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, else ~/.huaweicloud/credentials "
                   "(read only).",
            "oidc": "After saving, run taskdeck login NAME once in a shell: the browser opens and the login is "
                    "kept in the OS keyring.",
        }
        self._credentials_hint = hints.get(self.credentials, "")
        self._show_hint()
        self._show_error(None)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._show_hint(event.widget)

    def _show_hint(self, focused: Widget | None = None) -> None:
        focused = focused or self.focused
        help_text = FIELD_HELP.get(focused.id or "", "") if focused is not None else ""
        text = "\n".join(t for t in (help_text, self._credentials_hint) if t)
        self.query_one("#setup-hint", Static).update(Content(text))

    def _show_error(self, message: str | None) -> None:
        error = self.query_one("#setup-error", Static)
        error.update(Content(message or ""))
        error.set_class(bool(message), "-shown")

    # -- the answers ----------------------------------------------------------------------

    def answers(self) -> ProfileAnswers | str:
        """The answers, or a sentence saying what is wrong before anything is sent anywhere."""
        name = self._value("setup-name")
        if not name:
            return "Give the profile a name."
        interval_text = self._value("setup-interval")
        try:
            interval = float(interval_text) if interval_text else None
        except ValueError:
            return f"The poll interval must be a number of seconds, not {interval_text!r}."
        credentials = self.credentials
        huawei = self.kind != SMINT
        auth = {"sdk": "aksk", "aksk-env": "aksk"}.get(credentials, credentials)
        return ProfileAnswers(
            name=name, kind=self.kind, interval=interval, auth=auth,
            region=self._value("setup-region") if huawei else None,
            base_url=self._value("setup-base-url") or None,
            iam_url=self._value("setup-iam-url") if huawei else None,
            project_id=self._value("setup-project-id") if huawei else None,
            token_env=self._value("setup-token-env") if credentials in ("token", "bearer") else None,
            access_key_env=self._value("setup-ak-env") if credentials == "aksk-env" else None,
            secret_key_env=self._value("setup-sk-env") if credentials == "aksk-env" else None,
            issuer=self._value("setup-issuer") if credentials == "oidc" else None,
            client_id=self._value("setup-client-id") if credentials == "oidc" else None,
            client_secret_env=self._value("setup-client-secret-env") if credentials == "oidc" else None,
        )

    @on(Button.Pressed, "#setup-save")
    def action_submit(self) -> None:
        if self.saving:
            return
        answers = self.answers()
        if isinstance(answers, str):
            self._show_error(answers)
            return
        if answers.auth == "aksk" and self.credentials == "aksk-env" and not (
                answers.access_key_env and answers.secret_key_env):
            self._show_error("Name both variables (AK and SK), or choose the Huawei SDK credentials.")
            return
        self.saving = True
        self.query_one("#setup-save", Button).disabled = True
        self._show_error(None)
        self.query_one("#setup-hint", Static).update(Content("Saving (looking the project up in IAM)…"))
        self._save(answers)

    @work(thread=True, exclusive=True, group="provider-setup", exit_on_error=False)
    def _save(self, answers: ProfileAnswers) -> None:
        """The project lookup is a network call and the file a disk write: both off the UI thread."""
        try:
            result = self.run_setup(answers)
        except Exception as exc:  # noqa: BLE001 - the message is what the user must fix
            message = clean(str(exc), multiline=True, limit=1000) or type(exc).__name__
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._failed, message)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.dismiss, result)

    def _failed(self, message: str) -> None:
        self.saving = False
        self.query_one("#setup-save", Button).disabled = False
        self._sync_credentials()
        self._show_error(message)

    @on(Button.Pressed, "#setup-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
