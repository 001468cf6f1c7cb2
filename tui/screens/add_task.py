"""The "add tasks" dialog: pick a provider, paste one or many task ids, optionally an instance and a label."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tui.core.taskids import HUAWEI_DMS as DMS
from tui.core.taskids import check_safe_id, check_task_id
from tui.core.text import clean

__all__ = ["AddTaskRequest", "AddTaskScreen", "InstanceLister", "ProviderChoice", "split_ids"]

# Profile name -> its instances or gateways [{id, name, engine, status}]; blocking (it runs in a worker
# thread), raising with a message the dialog shows when they cannot be listed.
InstanceLister = Callable[[str], Sequence[Mapping[str, str]]]
_MAX_LISTED = 500

_SEPARATORS = re.compile(r"[\s,;]+")
_MAX_SHOWN_PROBLEMS = 3


@dataclass(frozen=True, slots=True)
class ProviderChoice:
    """A configured provider profile as the dialog offers it."""

    name: str
    kind: str  # smint | huawei-dms | huawei-apig
    needs_instance: bool = False
    instances: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AddTaskRequest:
    provider: str
    instance: str | None
    ids: list[str]
    label: str | None
    follow_instance: bool


def split_ids(text: str) -> list[str]:
    """Ids pasted in any form: separated by whitespace, commas, semicolons or new lines; quotes and
    brackets (from a pasted JSON list) dropped; duplicates removed, order kept."""
    seen: dict[str, None] = {}
    for token in _SEPARATORS.split(text):
        token = token.strip("\"'[]()")
        if token:
            seen.setdefault(token, None)
    return list(seen)


class AddTaskScreen(ModalScreen[AddTaskRequest | None]):
    """Dismisses with an AddTaskRequest, or None when cancelled."""

    DEFAULT_CSS = """
    AddTaskScreen {
        align: center middle;
    }
    AddTaskScreen > #add-dialog {
        width: 90;
        max-width: 95%;
        height: auto;
        max-height: 95%;
        border: thick $primary 80%;
        background: $surface;
        padding: 1 2;
    }
    AddTaskScreen #add-form {
        height: auto;
        max-height: 70vh;
    }
    AddTaskScreen #add-instance-row {
        height: auto;
    }
    AddTaskScreen #add-follow {
        margin-top: 1;
    }
    AddTaskScreen .field-label {
        margin-top: 1;
        color: $text-muted;
    }
    AddTaskScreen #add-ids {
        height: 8;
    }
    AddTaskScreen #add-instances {
        height: auto;
        max-height: 8;
    }
    AddTaskScreen #add-instances-status {
        color: $text-muted;
    }
    AddTaskScreen #add-error {
        color: $error;
        margin-top: 1;
        display: none;
    }
    AddTaskScreen #add-error.-shown {
        display: block;
    }
    AddTaskScreen .-hidden {
        display: none;
    }
    AddTaskScreen #add-buttons {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    AddTaskScreen #add-buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="add_task.cancel"),
        Binding("ctrl+s", "submit", "Add", id="add_task.submit"),
    ]

    def __init__(self, providers: Sequence[ProviderChoice], provider: str | None = None,
                 list_instances: InstanceLister | None = None) -> None:
        super().__init__()
        self.providers = {p.name: p for p in providers}
        self.list_instances = list_instances
        self.listed: dict[str, list[dict[str, str]]] = {}  # profile -> its instances, once loaded
        self._loading: set[str] = set()
        self._picked_name = ""  # the instance picked from the list, as shown there
        names = list(self.providers)
        self._initial = provider if provider in self.providers else (names[0] if names else None)

    def compose(self) -> ComposeResult:
        with Vertical(id="add-dialog"):
            yield Static("Add tasks", classes="dialog-title")
            with VerticalScroll(id="add-form"):
                yield Label("Provider", classes="field-label")
                options = [
                    (Text(f"{clean(p.name)}  ({clean(p.kind)})"), p.name) for p in self.providers.values()
                ]
                if options:
                    yield Select(options, allow_blank=False, value=self._initial, id="add-provider")
                else:
                    yield Static("No providers are configured: add one to providers.toml first.")
                with Vertical(id="add-instance-row", classes="-hidden"):
                    yield Label("Instance", classes="field-label")
                    yield Input(placeholder="instance id, or type to filter the list below by name",
                                id="add-instance")
                    yield Static("", id="add-instances-status")
                    yield OptionList(id="add-instances", classes="-hidden")
                yield Checkbox(
                    "Follow the instance: import all its background tasks (ids optional)",
                    id="add-follow",
                    classes="-hidden",
                )
                yield Label(
                    "Task ids: paste one or many, separated by spaces, commas or new lines",
                    classes="field-label",
                )
                yield TextArea(id="add-ids", soft_wrap=True, show_line_numbers=False)
                yield Label("Label (optional)", classes="field-label")
                yield Input(placeholder="a name to show instead of the id", id="add-label")
            yield Static(id="add-error")
            with Horizontal(id="add-buttons"):
                yield Button("Cancel", id="add-cancel")
                yield Button("Add", id="add-save", variant="primary", disabled=not self.providers)

    def on_mount(self) -> None:
        self._sync_provider()
        choice = self.choice
        instance = self.query_one("#add-instance", Input)
        if choice is not None and choice.needs_instance and not instance.value:
            instance.focus()  # the instance comes first: type to find it by name
        elif self.providers:
            self.query_one("#add-ids", TextArea).focus()

    # -- state ------------------------------------------------------------------

    @property
    def choice(self) -> ProviderChoice | None:
        selects = self.query("#add-provider")
        if not selects:
            return None
        value = self.query_one("#add-provider", Select).value
        return self.providers.get(value) if isinstance(value, str) else None

    @on(Select.Changed, "#add-provider")
    def _sync_provider(self) -> None:
        choice = self.choice
        needs = bool(choice and choice.needs_instance)
        self.query_one("#add-instance-row").set_class(not needs, "-hidden")
        field = self.query_one("#add-instance", Input)
        field.disabled = not needs
        field.suggester = SuggestFromList(choice.instances, case_sensitive=False) if choice else None
        if needs and choice and not field.value and len(choice.instances) == 1:
            field.value = choice.instances[0]
        follow = self.query_one("#add-follow", Checkbox)
        follow.set_class(not (choice and choice.kind == DMS), "-hidden")
        follow.disabled = not (choice and choice.kind == DMS)
        self._show_error(None)
        if needs and choice is not None and self.list_instances is not None:
            if choice.name in self.listed:
                self._show_instances()
            else:
                self._set_instances_status(f"Listing the instances of {clean(choice.name)}…")
                self.query_one("#add-instances").add_class("-hidden")
                if choice.name not in self._loading:
                    self._loading.add(choice.name)
                    self._load_instances(choice.name)
        else:
            self._set_instances_status("")
            self.query_one("#add-instances").add_class("-hidden")

    # -- picking an instance by name ---------------------------------------------

    @work(thread=True, group="list-instances", exit_on_error=False)
    def _load_instances(self, name: str) -> None:
        """The list APIs are network calls: off the UI thread, the answer posted back."""
        assert self.list_instances is not None
        try:
            found = [{k: clean(str(item.get(k) or ""), limit=200) for k in ("id", "name", "engine", "status")}
                     for item in self.list_instances(name)][:_MAX_LISTED]
        except Exception as exc:  # noqa: BLE001 - any failure becomes a line in the dialog
            message = clean(str(exc), limit=300) or type(exc).__name__
            if not get_current_worker().is_cancelled:
                self.app.call_from_thread(self._instances_failed, name, message)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._instances_loaded, name, found)

    def _instances_loaded(self, name: str, found: list[dict[str, str]]) -> None:
        self._loading.discard(name)
        self.listed[name] = found
        choice = self.choice
        if choice is not None and choice.name == name:
            self._show_instances()

    def _instances_failed(self, name: str, message: str) -> None:
        self._loading.discard(name)
        choice = self.choice
        if choice is not None and choice.name == name:
            self._set_instances_status(f"Could not list the instances ({message}); paste an instance id.")

    def _set_instances_status(self, text: str) -> None:
        self.query_one("#add-instances-status", Static).update(Content(text))

    @on(Input.Changed, "#add-instance")
    def _show_instances(self) -> None:
        choice = self.choice
        found = self.listed.get(choice.name) if choice is not None else None
        options = self.query_one("#add-instances", OptionList)
        if found is None:
            return
        words = self.query_one("#add-instance", Input).value.strip().lower().split()
        shown = [item for item in found
                 if all(any(w in item[k].lower() for k in ("id", "name", "engine", "status")) for w in words)]
        options.clear_options()
        options.add_options([Option(self._instance_text(item), id=item["id"]) for item in shown])
        options.set_class(not shown, "-hidden")
        if not found:
            self._set_instances_status("No instances in this project: paste an instance id.")
        elif not shown:
            self._set_instances_status(f"None of the {len(found)} instances matches; an id typed here is used as is.")
        else:
            self._set_instances_status(f"{len(shown)} of {len(found)} instances: pick one (enter), or paste an id.")

    @staticmethod
    def _instance_text(item: Mapping[str, str]) -> Text:
        text = Text(item["name"] or "(no name)", style="bold")
        for key in ("engine", "status"):
            if item[key]:
                text.append(f"  {item[key]}")
        text.append(f"  {item['id']}", style="dim")
        return text

    @on(Checkbox.Changed, "#add-follow")
    def _follow_changed(self, event: Checkbox.Changed) -> None:
        instance = self.query_one("#add-instance", Input).value.strip()
        if event.value and instance:
            self._set_instances_status(f"Following {self._picked_name or instance}: every background task of the "
                                       "instance is added, now and as new ones appear.")
        elif self._picked_name:
            self._set_instances_status(f"Instance: {self._picked_name}")

    @on(OptionList.OptionSelected, "#add-instances")
    def _instance_picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            field = self.query_one("#add-instance", Input)
            with field.prevent(Input.Changed):
                field.value = event.option.id
            self.query_one("#add-instances").add_class("-hidden")
            self._picked_name = clean(str(event.option.prompt), limit=200)
            self._set_instances_status(f"Instance: {self._picked_name}")
            follow = self.query_one("#add-follow", Checkbox)
            (follow if not follow.disabled else self.query_one("#add-ids", TextArea)).focus()

    def _show_error(self, message: str | None) -> None:
        error = self.query_one("#add-error", Static)
        error.update(Content(message or ""))
        error.set_class(bool(message), "-shown")

    def validate(self) -> AddTaskRequest | str:
        """The request the form describes, or a sentence saying what is wrong."""
        choice = self.choice
        if choice is None:
            return "Choose a provider."
        instance: str | None = None
        follow = choice.kind == DMS and self.query_one("#add-follow", Checkbox).value
        if choice.needs_instance:
            instance = self.query_one("#add-instance", Input).value.strip()
            if not instance:
                return f"{choice.name} ({choice.kind}) needs an instance id."
            problem = check_safe_id(instance, "instance id")
            if problem:
                return problem[:1].upper() + problem[1:] + "."
        ids = split_ids(self.query_one("#add-ids", TextArea).text)
        if not ids and not follow:
            return "Enter at least one task id." + (
                " Or tick “Follow the instance”." if choice.kind == DMS else ""
            )
        problems = [p for p in (check_task_id(choice.kind, i) for i in ids) if p]
        if problems:
            head = f"{len(problems)} of {len(ids)} ids are not valid for {choice.kind}:"
            shown = problems[:_MAX_SHOWN_PROBLEMS]
            more = len(problems) - len(shown)
            return "\n".join([head, *shown, *([f"… and {more} more"] if more else [])])
        label = self.query_one("#add-label", Input).value.strip() or None
        return AddTaskRequest(choice.name, instance, ids, label, bool(follow))

    # -- actions ----------------------------------------------------------------

    @on(Button.Pressed, "#add-save")
    @on(Input.Submitted, "#add-label")
    def action_submit(self) -> None:
        result = self.validate()
        if isinstance(result, str):
            self._show_error(clean(result, multiline=True, limit=2000))
            return
        self.dismiss(result)

    @on(Input.Submitted, "#add-instance")
    def _instance_entered(self) -> None:
        options = self.query_one("#add-instances", OptionList)
        if options.display and not options.has_class("-hidden") and options.option_count:
            options.focus()  # enter in the filter moves to the list, as in a picker
            if options.highlighted is None:
                options.highlighted = 0
            self._set_instances_status("Up and down choose an instance, enter picks it.")
            return
        self.query_one("#add-ids", TextArea).focus()

    @on(Button.Pressed, "#add-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
