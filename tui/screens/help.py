"""Help: the keys that work right now (as remapped by the keymap), with their binding ids, and the filter syntax."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.core.text import clean

__all__ = ["FILTER_HELP", "HelpRow", "HelpScreen", "collect_bindings"]

FILTER_HELP = (
    "Filter (press / in the task list): words match anywhere in a row and all must match; "
    "state:failed keeps tasks in that state (a prefix is enough: state:fail; several state: "
    "terms mean any of them); provider:name keeps one provider's tasks (also a prefix). "
    "Example: state:failed provider:acme export. Escape clears the filter."
)


@dataclass(frozen=True, slots=True)
class HelpRow:
    group: str
    keys: str
    description: str
    binding_id: str
    enabled: bool = True


# Widget classes as a user calls them; others are named from their class ("DetailPane" -> "Detail pane").
_PLACES = {"TaskTable": "Task list", "DetailPane": "Detail pane", "JsonView": "Detail pane", "Sidebar": "Sidebar"}
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _group_name(node: DOMNode, app: Any, screen: Screen[Any]) -> str:
    """Where a key works, in a user's words: no widget class names or ids."""
    if node is app:
        return "Everywhere"
    if node is screen:
        return "This screen"
    name = type(node).__name__
    place = getattr(node, "HELP_GROUP", None) or _PLACES.get(name)
    if not place:
        words = _WORDS.findall(name) or [name]
        place = " ".join([words[0], *(w.lower() for w in words[1:])])
    return str(place)


def collect_bindings(screen: Screen[Any]) -> list[HelpRow]:
    """The active bindings of `screen` (focused widget, its ancestors, the screen, the app), then the
    id'd bindings of other widgets on the screen that work when they have focus."""
    app = screen.app
    merged: dict[tuple[int, str, str], HelpRow] = {}
    focused = screen.focused
    chain = {id(n) for n in (focused.ancestors_with_self if focused is not None else (screen, app))}
    for active in screen.active_bindings.values():
        node, binding = active.node, active.binding
        if not binding.id and (binding.system or not binding.show):
            continue  # Textual's own scrolling/focus keys: not worth a line
        _add(
            merged,
            node,
            _group_name(node, app, screen),
            binding,
            app.get_key_display(binding),
            active.enabled,
        )
    keymap = getattr(app, "_keymap", {})
    for node in screen.walk_children(with_self=False):
        if id(node) in chain or not node.display:
            continue
        bindings = node._bindings.copy()
        if keymap:
            bindings.apply_keymap(keymap)
        group = _group_name(node, app, screen) + " (when focused)"
        for _key, binding in bindings:
            if binding.id:
                _add(merged, node, group, binding, app.get_key_display(binding), True)
    return list(merged.values())


def _add(
    merged: dict[tuple[int, str, str], HelpRow],
    node: DOMNode,
    group: str,
    binding: Binding,
    key: str,
    enabled: bool,
) -> None:
    slot = (id(node), binding.action, binding.id or binding.description)
    row = merged.get(slot)
    if row is None:
        merged[slot] = HelpRow(group, key, binding.description or binding.action, binding.id or "", enabled)
    elif key not in row.keys.split(" "):
        merged[slot] = HelpRow(group, f"{row.keys} {key}", row.description, row.binding_id, row.enabled)


KEYS_WIDTH = 16
DESCRIPTION_WIDTH = 32


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _render(rows: Iterable[HelpRow], width: int = 0) -> Content:
    """One line per binding: keys, description, binding id. On a narrow screen the description gives
    way (cut with "…") so the id stays on its binding's line."""
    rows = list(rows)
    by_group: dict[str, list[HelpRow]] = {}
    for row in rows:
        by_group.setdefault(row.group, []).append(row)
    longest_id = max((len(clean(r.binding_id)) for r in rows), default=0)
    room = DESCRIPTION_WIDTH
    if width > 0:
        room = max(8, min(DESCRIPTION_WIDTH, width - 2 - (KEYS_WIDTH + 1) - 1 - longest_id - 1))
    parts: list[str | tuple[str, str]] = []
    for group, items in by_group.items():
        if parts:
            parts.append("\n")
        parts += [(clean(group), "bold $accent"), "\n"]
        for row in items:
            style = "" if row.enabled else "$text-muted"
            keys = _fit(clean(row.keys), KEYS_WIDTH)
            parts += [(f"  {keys:<{KEYS_WIDTH}} ", "bold"), (f"{_fit(clean(row.description), room):<{room}} ", style)]
            parts += [(clean(row.binding_id), "$text-muted"), "\n"]
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    """Lists the keys active on the screen below it. Escape, q, ? or F1 closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help-dialog {
        width: 100;
        max-width: 95%;
        height: 90%;
        border: thick $primary 80%;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title {
        text-style: bold;
        padding: 1 1 0 1;
    }
    HelpScreen #help-body {
        height: 1fr;
        padding: 1;
    }
    HelpScreen #help-filter {
        margin-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help.close"),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
    ]

    def __init__(self, rows: Iterable[HelpRow] | None = None) -> None:
        super().__init__()
        self._rows = list(rows) if rows is not None else None

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static("Keys  (escape closes)", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(id="help-keys")
                yield Static(Content(FILTER_HELP), id="help-filter")

    def on_mount(self) -> None:
        if self._rows is None:
            self._rows = collect_bindings(self._screen_below())
        self._fill()
        self.call_after_refresh(self._fill)  # again once the dialog's width is known
        self.query_one("#help-body").focus()

    def on_resize(self) -> None:
        self._fill()

    def _fill(self) -> None:
        keys = self.query_one("#help-keys", Static)
        keys.update(_render(self._rows or [], keys.content_region.width))

    @property
    def rows(self) -> list[HelpRow]:
        return list(self._rows or [])

    def _screen_below(self) -> Screen[Any]:
        stack = self.app.screen_stack
        if self in stack:
            index = stack.index(self)
            if index > 0:
                return stack[index - 1]
        return stack[-1] if stack and stack[-1] is not self else self

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_relative(y=1 if direction == "down" else -1, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
