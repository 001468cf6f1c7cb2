"""The detail pane: everything known about the selected task, and its result as JSON.

`DetailPane.show(snapshot)` is called with every new snapshot of the selected task.
The header is rebuilt in place; the body (the decoded result, or the raw response
body after `v`) is re-rendered only when its text changed, in a thread worker when
it is large, and keeps its scroll position while the task stays the same.

Every server string goes through `clean()` and is shown as plain text (`Content`
parts and a Line-API view), never parsed as markup.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static
from textual.worker import get_current_worker

from tui.clipboard import copy_in_background
from tui.core.decode import download_url, export_document, to_pretty_json
from tui.core.display import look_of_word, shown_state
from tui.core.eta import eta_text
from tui.core.model import TaskSnapshot
from tui.core.paths import downloads_dir
from tui.core.recall import Stay, memory_note
from tui.core.text import clean, code_and_message
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen
from tui.widgets.json_view import JsonView
from tui.widgets.rows import span
from tui.widgets.states import theme_style

__all__ = ["DetailPane", "MAX_CHARS", "MAX_LINES"]

MAX_CHARS = 200_000  # shown at most; `e` saves everything
MAX_LINES = 5_000
MAX_STAYS = 12  # the newest states of a task's timeline shown
SYNC_LIMIT = 32_000  # bodies up to this size are formatted right away, larger ones in a thread

LABEL = "$text-muted"
BAR_WIDTH = 20


@dataclass(frozen=True, slots=True)
class _Body:
    lines: list[str]
    highlight: bool
    truncated: bool
    size: int | None  # characters of the whole text, when known


def _fmt_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def _fmt_epoch(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "–"


def fmt_server_time(value: str | None) -> str:
    """A server's time (ISO 8601, or epoch seconds/milliseconds) in the pane's one format: local
    `YYYY-MM-DD HH:MM:SS`. A value that is neither is shown as it came."""
    if not value:
        return ""
    text = value.strip()
    try:
        if text.isdigit():
            number = int(text)
            return _fmt_epoch(number / 1000 if number > 10**11 else number)
        return _fmt_epoch(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
    except (ValueError, OverflowError, OSError):
        return clean(text, limit=40)


def _pretty_raw(text: str) -> str:
    """The raw body indented when it is JSON (what the server sent, only laid out); else as it is."""
    try:
        return to_pretty_json(json.loads(text), max_chars=MAX_CHARS + 1)[0]
    except (ValueError, RecursionError):
        return text


def build_body(snapshot: TaskSnapshot, raw: bool) -> _Body:
    """The lines to show for a snapshot: cleaned, at most MAX_CHARS / MAX_LINES. Thread-safe."""
    highlight = True
    size: int | None
    if raw:
        text = snapshot.raw_body or ""
        size = len(text)
        if not text:
            text, highlight = "(no response body yet)", False
        elif len(text) <= MAX_CHARS:
            text = _pretty_raw(text)
        truncated = len(text) > MAX_CHARS
        text = text[:MAX_CHARS]
    else:
        result = snapshot.result
        size = len(snapshot.result_raw) if snapshot.result_raw is not None else None
        if result is None:
            text, highlight, truncated = "(no result yet)", False, False
        elif isinstance(result, str):
            size = len(result)
            text, highlight, truncated = result[:MAX_CHARS], False, len(result) > MAX_CHARS
        else:
            text, truncated = to_pretty_json(result, max_chars=MAX_CHARS)
    lines = clean(text, multiline=True).split("\n")
    if len(lines) > MAX_LINES:
        lines, truncated = lines[:MAX_LINES], True
    return _Body(lines, highlight, truncated, size)


def _estimated_size(snapshot: TaskSnapshot, raw: bool) -> int:
    if raw:
        return len(snapshot.raw_body or "")
    if snapshot.result is None:
        return 0
    if isinstance(snapshot.result, str):
        return len(snapshot.result)
    if snapshot.result_raw is not None:
        return len(snapshot.result_raw)
    return SYNC_LIMIT + 1  # unknown: assume large


def _same_body(a: TaskSnapshot, b: TaskSnapshot, raw: bool) -> bool:
    if raw:
        return a.raw_body == b.raw_body
    if a.result is b.result:
        return True
    return a.result_raw is not None and a.result_raw == b.result_raw and type(a.result) is type(b.result)


class DetailPane(Vertical):
    """The right-hand pane for the selected task. Call `show(snapshot)`."""

    DEFAULT_CSS = """
    DetailPane {
        height: 1fr;
        padding: 0 1;
    }
    DetailPane > #detail-header {
        height: auto;
        max-height: 60%;
        padding-bottom: 1;
    }
    DetailPane > #detail-note {
        height: auto;
        color: $text-muted;
    }
    DetailPane > #detail-note.-truncated {
        color: $warning;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "toggle_raw", "Raw/decoded", id="detail.toggle_raw"),
        Binding("e", "export", "Save result", id="detail.export"),
        Binding("o", "open_url", "Open URL", id="detail.open_url"),
        Binding("y", "copy_result", "Copy JSON", id="detail.copy_result"),
        Binding("Y", "copy_id", "Copy URL/id", id="detail.copy_id"),
    ]

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._snapshot: TaskSnapshot | None = None
        self._raw = False
        self._token = 0
        self._body_snapshot: TaskSnapshot | None = None  # the snapshot the body was built from
        self._saved_scroll: dict[bool, float] = {}
        self._body_info: _Body | None = None
        self._loading = False
        # What the shown task's result is called ("Parameters" for a DMS task); set by the screen,
        # which knows each provider's kind.
        self.result_label: Callable[[TaskSnapshot], str] = lambda _snapshot: "Result"
        self._eta: float | None = None
        self._timeline: tuple[str, list[Stay]] | None = None  # (task key, its remembered states)

    def compose(self) -> ComposeResult:
        yield Static(Content("No task selected."), id="detail-header")
        yield Static(Content(""), id="detail-note")
        yield JsonView(id="detail-body")

    # -- public API -------------------------------------------------------------

    @property
    def snapshot(self) -> TaskSnapshot | None:
        return self._snapshot

    @property
    def raw(self) -> bool:
        """True while the raw response body is shown instead of the decoded result."""
        return self._raw

    @property
    def body(self) -> JsonView:
        return self.query_one("#detail-body", JsonView)

    @property
    def busy(self) -> bool:
        """True while a large body is being formatted in a thread."""
        return self._loading

    def focus_body(self) -> None:
        self.body.focus()

    def show(self, snapshot: TaskSnapshot | None) -> None:
        """Show a task. The same task again updates in place and keeps the scroll position."""
        previous = self._snapshot
        self._snapshot = snapshot
        if not self.is_mounted:
            return
        same_task = previous is not None and snapshot is not None and previous.ref.key == snapshot.ref.key
        if not same_task:
            self._saved_scroll.clear()
        self._update_header()
        if snapshot is None:
            self._token += 1
            self._body_snapshot = None
            self._loading = False
            self.body.set_lines([], keep_scroll=False)
            self._update_note()
            return
        base = self._body_snapshot
        if same_task and base is not None and _same_body(base, snapshot, self._raw):
            self._body_snapshot = snapshot
            return
        self._rebuild_body(keep_scroll=same_task)

    def set_eta(self, eta: float | None) -> None:
        """The selected task's estimated seconds left (tui.core.eta); None: no estimate."""
        if eta is None and self._eta is None:
            return
        self._eta = eta
        if self.is_mounted:
            self._update_header()

    def set_timeline(self, key: str, stays: list[Stay]) -> None:
        """The remembered states of task `key` (read from the store in a worker)."""
        self._timeline = (key, stays)
        if self.is_mounted and self._snapshot is not None and self._snapshot.ref.key == key:
            self._update_header()

    def on_mount(self) -> None:
        if self._snapshot is not None:
            snapshot, self._snapshot = self._snapshot, None
            self.show(snapshot)

    # -- body -------------------------------------------------------------------

    def _rebuild_body(self, *, keep_scroll: bool, restore: float | None = None) -> None:
        snapshot = self._snapshot
        assert snapshot is not None
        self._token += 1
        token = self._token
        self._body_snapshot = snapshot
        if _estimated_size(snapshot, self._raw) <= SYNC_LIMIT:
            self.workers.cancel_group(self, "detail")
            self._apply_body(token, build_body(snapshot, self._raw), keep_scroll, restore)
            return
        self._loading = True
        if not keep_scroll:
            self.body.set_lines(["Formatting…"], highlight=False)
        self._update_note()
        self._build_in_thread(token, snapshot, self._raw, keep_scroll, restore)

    # An explicit description: by default Textual builds one from repr() of every argument, on the
    # UI loop, and the repr of a snapshot holding a 20 MB result stalls the UI for half a second.
    @work(thread=True, exclusive=True, group="detail", exit_on_error=False, description="format the detail body")
    def _build_in_thread(
        self, token: int, snapshot: TaskSnapshot, raw: bool, keep_scroll: bool, restore: float | None
    ) -> None:
        body = build_body(snapshot, raw)
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._apply_body, token, body, keep_scroll, restore)

    def _apply_body(self, token: int, body: _Body, keep_scroll: bool, restore: float | None) -> None:
        if token != self._token or not self.is_mounted:
            return
        self._loading = False
        self._body_info = body
        view = self.body
        view.set_lines(body.lines, highlight=body.highlight, keep_scroll=keep_scroll)
        if restore is not None:
            view.scroll_to(y=restore, animate=False, immediate=True)
        self._update_note()

    # -- header -----------------------------------------------------------------

    def _update_header(self) -> None:
        _update_static(self.query_one("#detail-header", Static), self._header_content())

    def _header_content(self) -> Content:
        s = self._snapshot
        if s is None:
            return Content("No task selected.")
        parts: list[str | tuple[str, str]] = []
        title = clean(s.title or s.ref.label or s.kind or s.ref.id, limit=300)
        parts += [(title, "bold"), "\n"]
        where = [("provider ", s.ref.provider)]
        if s.ref.instance:
            where.append(("instance ", s.ref.instance))
        where.append(("id ", s.ref.id))
        for i, (label, value) in enumerate(where):
            parts += [(("  " if i else "") + label, LABEL), clean(value, limit=200)]
        if s.kind and s.kind != s.title:
            parts += [("  kind ", LABEL), clean(s.kind, limit=100)]
        shown = shown_state(s)
        look = look_of_word(shown)
        parts += ["\n", ("state ", LABEL), (f"{look.symbol} {shown}", theme_style(look))]
        if s.raw_state:
            parts += [("  raw ", LABEL), clean(s.raw_state, limit=60)]
        note = memory_note(s, time.time())
        if note:
            parts += [(f"  {note}", "$warning" if s.gone else LABEL)]
        if s.progress is not None or s.steps is not None:
            parts += ["\n", ("progress ", LABEL)]
            if s.progress is not None:
                p = max(0.0, min(100.0, float(s.progress)))
                filled = round(p / 100 * BAR_WIDTH)
                parts += [("█" * filled, "$accent"), ("░" * (BAR_WIDTH - filled), LABEL), f" {p:.0f}%"]
            if s.steps is not None:
                st = s.steps
                parts += [f"  steps {st.done} done · {st.failed} failed · {st.total} total"]
            if self._eta is not None and not s.finished:
                parts += [("  ETA ", LABEL), eta_text(self._eta)]
        # Times the server did not give are left out, not shown as dashes.
        times = [("created ", fmt_server_time(s.created)), ("updated ", fmt_server_time(s.updated)),
                 ("fetched ", _fmt_epoch(s.fetched_at) if s.fetched_at else "")]
        shown_times = [(label, value) for label, value in times if value]
        if shown_times:
            parts.append("\n")
        for i, (label, value) in enumerate(shown_times):
            parts += [(("  " if i else "") + label, LABEL), value]
        if s.summary:
            parts += ["\n", clean(s.summary, limit=1000)]
        if self._timeline is not None and self._timeline[0] == s.ref.key and self._timeline[1]:
            parts += ["\n", ("timeline", LABEL)]
            for stay in self._timeline[1][-MAX_STAYS:]:
                look = look_of_word(stay.state)
                took = f"  {span(stay.duration)}" if stay.duration is not None else ""
                parts += ["\n  ", (_fmt_epoch(stay.start), LABEL), "  ",
                          (f"{look.symbol} {clean(stay.state, limit=20)}", theme_style(look)), took]
        url = download_url(s.result)
        if url:
            parts += ["\n", ("download ", LABEL), (clean(url, limit=2000), "bold $accent underline")]
            parts += [("  o open · Y copy URL", LABEL)]
        if s.error is not None:
            e = s.error
            parts += ["\n", ("⚠ last poll failed: ", "$error bold")]
            if e.status is not None:
                parts += [(f"HTTP {e.status} ", "$error")]
            parts += [clean(code_and_message(e.code and e.code[:100], e.message), limit=1100)]
            if e.request_id:
                parts += [("  request id ", LABEL), clean(e.request_id, limit=120)]
            if e.gone:
                parts += [("  (the task no longer exists)", "$error")]
            elif s.fetched_at:
                parts += [(f"  (showing data from {_fmt_epoch(s.fetched_at)})", LABEL)]
        return Content.assemble(*parts)

    def _update_note(self) -> None:
        note = self.query_one("#detail-note", Static)
        s = self._snapshot
        body = self._body_info
        truncated = False
        if s is None:
            text = ""
        else:
            what = "Raw response body" if self._raw else self.result_label(s)
            text = f"{what} · v {'decoded result' if self._raw else 'raw body'} · e save · y copy"
            if self._loading:
                text = f"{what} · formatting {_fmt_size(_estimated_size(s, self._raw))}…"
            elif body is not None and body.truncated:
                truncated = True
                of = f" of {_fmt_size(body.size)}" if body.size else ""
                text = (
                    f"{what} is large: showing the first {len(body.lines):,} lines / "
                    f"{_fmt_size(min(MAX_CHARS, sum(len(x) + 1 for x in body.lines)))}{of}."
                    " Press e to save all of the result to a file."
                )
        note.set_class(truncated, "-truncated")
        _update_static(note, Content(text))

    # -- actions ----------------------------------------------------------------

    def action_toggle_raw(self) -> None:
        if self._snapshot is None:
            return
        self._saved_scroll[self._raw] = self.body.scroll_y
        self._raw = not self._raw
        self._rebuild_body(keep_scroll=True, restore=self._saved_scroll.get(self._raw, 0.0))

    def action_copy_result(self) -> None:
        s = self._snapshot
        if s is None or s.result is None:
            self.app.notify("This task has no result to copy.", severity="warning", markup=False)
            return
        result = s.result

        def text() -> str:
            return result if isinstance(result, str) else to_pretty_json(result)[0]

        copy_in_background(self, text, "result")

    def action_copy_id(self) -> None:
        s = self._snapshot
        if s is None:
            return
        url = download_url(s.result)
        copy_in_background(self, url or s.ref.id, "download URL" if url else "task id")

    def action_open_url(self) -> None:
        s = self._snapshot
        url = download_url(s.result) if s is not None else None
        if not url:
            self.app.notify("This task has no download URL.", severity="warning", markup=False)
            return
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            self.app.notify("Not opening a URL that is not http(s).", severity="error", markup=False)
            return
        self._open_in_browser(url)

    @work(thread=True, group="detail-open", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        import webbrowser

        try:
            ok = webbrowser.open(url)
        except Exception as exc:  # webbrowser raises various errors on odd setups
            ok, why = False, str(exc)
        else:
            why = "no browser found"
        if ok:
            self.app.notify(f"Opened {clean(url, limit=200)}", markup=False)
        else:
            self.app.notify(f"Could not open the URL: {clean(why)}", severity="error", markup=False)

    def action_export(self) -> None:
        s = self._snapshot
        if s is None or s.result is None:
            self.app.notify("This task has no result to save.", severity="warning", markup=False)
            return
        result = s.result
        name = default_name(s)

        def chosen(value: str | None) -> None:
            if not value or not value.strip():
                return
            path = Path(value.strip()).expanduser().absolute()
            if path.is_dir():
                path = path / name
            if not path.exists():
                self._write_export(path, result, False)
                return

            def confirmed(ok: bool | None) -> None:
                if ok:
                    self._write_export(path, result, True)

            self.app.push_screen(
                ConfirmScreen(f"{path} already exists. Replace it?", confirm_label="Replace"), confirmed
            )

        self.app.push_screen(
            PromptScreen("Save the result to", value=str(downloads_dir() / name), placeholder="file path"), chosen
        )

    @work(thread=True, group="detail-export", exit_on_error=False, description="save the result")
    def _write_export(self, path: Path, result: Any, overwrite: bool) -> None:
        shown = clean(str(path), limit=300)
        try:
            data = export_bytes(result)
            with open(path, "wb" if overwrite else "xb") as handle:
                handle.write(data)
        except FileExistsError:
            self.app.notify(f"{shown} appeared meanwhile; not replaced.", severity="error", markup=False)
        except OSError as exc:
            why = clean(exc.strerror or str(exc))
            self.app.notify(f"Could not save {shown}: {why}", severity="error", markup=False)
        else:
            self.app.notify(f"Saved {_fmt_size(len(data))} to {shown}", markup=False)


def export_bytes(result: Any) -> bytes:
    """What `e` writes: an APIG export's document itself, else the whole result as JSON."""
    found = export_document(result)
    value = found[1] if found is not None else result
    if isinstance(value, str):
        return value.encode("utf-8")
    return (to_pretty_json(value)[0] + "\n").encode("utf-8")


def _safe_name(name: str) -> str:
    """A file name every OS accepts: no path separators, no ':' (Windows refuses it, macOS shows '/'),
    none of Windows' other reserved characters, no control characters."""
    name = name.replace(":", "-")
    name = "".join("_" if c in '/\\<>"|?*' or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 else c for c in name)
    return name.strip().lstrip(".")[:200] or "result"


def default_name(snapshot: TaskSnapshot) -> str:
    """The file name `e` suggests: the APIG export's own name, else `<task id>.json`."""
    found = export_document(snapshot.result)
    if found is not None:
        return _safe_name(found[0])
    suffix = ".txt" if isinstance(snapshot.result, str) else ".json"
    return _safe_name(snapshot.ref.id) + suffix


def _update_static(widget: Static, content: Content) -> None:
    """`Static.update`, laying out the screen only when the widget's height changes: a layout of the
    whole screen costs more than the rest of a cursor key, and the header changes with every task."""
    width = widget.content_region.width
    old = widget.visual
    if widget.is_mounted and width > 0 and isinstance(old, Content):
        rules: Any = widget.styles  # what Widget itself passes to get_height
        same = old.get_height(rules, width) == content.get_height(rules, width)
        widget.update(content, layout=not same)
    else:
        widget.update(content)
