"""Debug information (versions, paths, provider health, recent errors), redacted and cleaned."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.clipboard import copy_in_background
from tui.core.secrets import redact
from tui.core.text import clean

__all__ = ["DebugScreen", "format_info"]

_MAX_ITEMS = 500
_MAX_VALUE = 4000


def _safe(value: Any) -> str:
    return clean(redact(str(value)), multiline=True, limit=_MAX_VALUE)


def format_info(info: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Sections of (label, value) lines, every string redacted and cleaned.

    A mapping value becomes a section of its items; a list or tuple becomes a section of
    numbered items; anything else is a line of the "General" section.
    """
    general: list[tuple[str, str]] = []
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for key, value in info.items():
        title = clean(redact(str(key)), limit=200)
        if isinstance(value, Mapping):
            items = [
                (clean(redact(str(k)), limit=200), _safe(v)) for k, v in list(value.items())[:_MAX_ITEMS]
            ]
            sections.append((title, items or [("", "(none)")]))
        elif isinstance(value, list | tuple):
            items = [("", _safe(v)) for v in value[:_MAX_ITEMS]]
            sections.append((title, items or [("", "(none)")]))
        else:
            general.append((title, _safe(value)))
    return ([("General", general)] if general else []) + sections


def _render(sections: list[tuple[str, list[tuple[str, str]]]]) -> Content:
    parts: list[str | tuple[str, str]] = []
    for title, items in sections:
        if parts:
            parts.append("\n")
        parts += [(title, "bold $accent"), "\n"]
        width = min(max((len(k) for k, _ in items), default=0), 28)
        for key, value in items:
            if key:
                parts += [(f"  {key:<{width}}  ", "$text-muted")]
            else:
                parts.append(("  • ", "$text-muted"))
            parts += [value.replace("\n", "\n    "), "\n"]
    return Content.assemble(*parts)


def as_text(sections: list[tuple[str, list[tuple[str, str]]]]) -> str:
    lines: list[str] = []
    for title, items in sections:
        lines.append(f"## {title}")
        lines += [f"{k}: {v}" if k else f"- {v}" for k, v in items]
        lines.append("")
    return "\n".join(lines)


class DebugScreen(ModalScreen[None]):
    """Shows what the caller passes in (versions, config paths, provider health, recent errors).

    Every key and value goes through `redact()` and `clean()`. Escape closes; `y` copies it.
    """

    DEFAULT_CSS = """
    DebugScreen {
        align: center middle;
    }
    DebugScreen > #debug-dialog {
        width: 110;
        max-width: 95%;
        height: 90%;
        border: thick $primary 80%;
        background: $surface;
        padding: 0 1;
    }
    DebugScreen #debug-title {
        text-style: bold;
        padding: 1 1 0 1;
    }
    DebugScreen #debug-body {
        height: 1fr;
        padding: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="debug.close"),
        Binding("y", "copy", "Copy", id="debug.copy"),
    ]

    def __init__(self, info: Mapping[str, Any], doctor: Callable[[], Mapping[str, str]] | None = None) -> None:
        """`doctor`, when given, runs `taskdeck doctor`'s checks (blocking, network): it is called in a
        thread once the screen is up, and its report becomes the "Doctor" section."""
        super().__init__()
        self.info = dict(info)
        self.doctor = doctor
        if doctor is not None:
            self.info["Doctor"] = {"": "running the checks of taskdeck doctor…"}
        self.sections = format_info(self.info)

    def compose(self) -> ComposeResult:
        with Vertical(id="debug-dialog"):
            yield Static("Debug information  (y copies it, escape closes)", id="debug-title")
            with VerticalScroll(id="debug-body"):
                yield Static(_render(self.sections), id="debug-info")

    def on_mount(self) -> None:
        self.query_one("#debug-body").focus()
        if self.doctor is not None:
            self.run_worker(self._run_doctor, thread=True, exclusive=True, group="doctor", exit_on_error=False)

    def _run_doctor(self) -> None:
        assert self.doctor is not None
        try:
            report: Mapping[str, str] = self.doctor()
        except Exception as exc:  # noqa: BLE001 - shown, not raised: the rest of the screen stays useful
            report = {"": f"the checks could not run ({type(exc).__name__}: {exc})"}
        try:
            self.app.call_from_thread(self._show_doctor, report)
        except RuntimeError:  # the app closed while the checks ran
            pass

    def _show_doctor(self, report: Mapping[str, str]) -> None:
        self.info["Doctor"] = dict(report) or {"": "no provider profiles"}
        self.sections = format_info(self.info)
        if self.is_mounted:
            self.query_one("#debug-info", Static).update(_render(self.sections))

    def action_copy(self) -> None:
        copy_in_background(self, as_text(self.sections), "debug information")

    def action_close(self) -> None:
        self.dismiss(None)
