"""The detail pane: everything known about the selected task, and its result as JSON.

`DetailPane.show(snapshot)` is called with every new snapshot of the selected task.
The header is rebuilt in place; the body (the decoded result, or the raw response
body after `v`) is re-rendered only when its text changed, in a thread worker when
it is large, and keeps its scroll position while the task stays the same.

Every server string goes through `clean()` and is shown as plain text (`Content`
parts and a Line-API view), never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
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
from tui.core.decode import download_url, to_pretty_json
from tui.core.model import TaskSnapshot
from tui.core.paths import downloads_dir
from tui.core.recall import Stay
from tui.core.text import clean
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen
from tui.widgets.detail_header import HeaderStatic, header_content, update_static
from tui.widgets.detail_text import (
    MAX_CHARS,
    MAX_LINES,
    SYNC_LIMIT,
    Body,
    build_body,
    default_name,
    estimated_size,
    export_bytes,
    fmt_server_time,
    fmt_size,
    same_body,
)
from tui.widgets.json_view import JsonView

# The text helpers live in detail_text and the header in detail_header; the names below stay importable
# from here, where callers and tests have always found them.
__all__ = ["MAX_CHARS", "MAX_LINES", "DetailPane", "build_body", "default_name", "export_bytes", "fmt_server_time"]


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
        self._body_info: Body | None = None
        self._loading = False
        # What the shown task's result is called ("Parameters" for a DMS task); set by the screen,
        # which knows each provider's kind.
        self.result_label: Callable[[TaskSnapshot], str] = lambda _snapshot: "Result"
        self._eta: float | None = None
        self._timeline: tuple[str, list[Stay]] | None = None  # (task key, its remembered states)

    def compose(self) -> ComposeResult:
        yield HeaderStatic(Content("No task selected."), id="detail-header")
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
        if same_task and base is not None and same_body(base, snapshot, self._raw):
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
        if estimated_size(snapshot, self._raw) <= SYNC_LIMIT:
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

    def _apply_body(self, token: int, body: Body, keep_scroll: bool, restore: float | None) -> None:
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
        self.query_one("#detail-header", HeaderStatic).show(header_content(self._snapshot, self._eta, self._timeline))

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
                text = f"{what} · formatting {fmt_size(estimated_size(s, self._raw))}…"
            elif body is not None and body.truncated:
                truncated = True
                of = f" of {fmt_size(body.size)}" if body.size else ""
                text = (
                    f"{what} is large: showing the first {len(body.lines):,} lines / "
                    f"{fmt_size(min(MAX_CHARS, sum(len(x) + 1 for x in body.lines)))}{of}."
                    " Press e to save all of the result to a file."
                )
        note.set_class(truncated, "-truncated")
        update_static(note, Content(text))

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
            self.app.notify(f"Saved {fmt_size(len(data))} to {shown}", markup=False)
