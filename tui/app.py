"""The taskdeck dashboard: sidebar, live task table, decoded detail pane.

The poller runs on its own event loop in a Textual thread worker (see
tui.core.engine); this loop only takes finished snapshots, at most ~4 times a
second, and applies the changed rows in one batch.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from tui.board import Board, Changes
from tui.core.config import Config
from tui.core.engine import Engine
from tui.core.engine_process import EngineProcess, create_engine
from tui.core.model import HealthStatus, TaskRef, TaskSnapshot, TaskState
from tui.core.text import clean
from tui.palette import DeckCommands
from tui.screens.add_task import AddTaskRequest, AddTaskScreen, ProviderChoice
from tui.screens.confirm import ConfirmScreen
from tui.screens.debug import DebugScreen
from tui.screens.help import HelpScreen
from tui.screens.prompt import PromptScreen
from tui.sources import build_sources
from tui.widgets.detail import DetailPane
from tui.widgets.header import DeckHeader
from tui.widgets.rows import COLUMNS, build_row
from tui.widgets.sidebar import NodeRef, Sidebar, health_text
from tui.widgets.task_table import TaskTable

FLUSH_EVERY = 0.25  # seconds: at most ~4 UI updates per second
AGE_TICK = 2.0  # seconds between refreshes of the age column of visible, unfinished rows
NARROW = 200  # below this width the detail pane goes under the table
CHROME_EVERY = 1.0  # seconds between recounts of header and sidebar when nothing notable happened
AGGREGATE_AFTER = 3  # more finished tasks than this in one flush make one summary toast


class TaskdeckApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "taskdeck"
    COMMANDS = App.COMMANDS | {DeckCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("slash", "filter", "Filter", id="app.filter"),
        Binding("escape", "clear_or_back", "Back", show=False, id="app.back"),
        Binding("a", "add_task", "Add", id="app.add_task"),
        Binding("d", "remove_task", "Remove", id="app.remove_task"),
        Binding("u", "undo", "Undo", show=False, id="app.undo"),
        Binding("r", "refresh_selected", "Refresh", id="app.refresh"),
        Binding("R", "refresh_all", "Refresh all", show=False, id="app.refresh_all"),
        Binding("p", "toggle_pause", "Pause", id="app.pause"),
        Binding("plus", "interval(1)", "Slower", show=False, id="app.interval_up"),
        Binding("minus", "interval(-1)", "Faster", show=False, id="app.interval_down"),
        Binding("left_square_bracket", "cycle_list(-1)", "Prev list", show=False, id="app.list_prev"),
        Binding("right_square_bracket", "cycle_list(1)", "Next list", show=False, id="app.list_next"),
        *[Binding(str(n), f"list_number({n})", f"List {n}", show=False, id=f"app.list_{n}") for n in range(1, 10)],
        Binding("n", "new_list", "New list", show=False, id="app.list_new"),
        Binding("f2", "rename_list", "Rename list", show=False, id="app.list_rename"),
        Binding("D", "delete_list", "Delete list", show=False, id="app.list_delete"),
        Binding("v", "detail('toggle_raw')", "Raw", show=False, id="app.toggle_raw"),
        Binding("e", "detail('export')", "Save result", id="app.export"),
        Binding("o", "detail('open_url')", "Open URL", show=False, id="app.open_url"),
        Binding("y", "detail('copy_result')", "Copy", show=False, id="app.copy_result"),
        Binding("Y", "detail('copy_id')", "Copy id/URL", show=False, id="app.copy_id"),
        Binding("tab", "focus_next", "Next pane", show=False, id="app.focus_next"),
        Binding("f12", "debug", "Debug", show=False, id="app.debug"),
        # Declared here (not left to Textual's default) so the ":" alias does not shadow it.
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True, id="app.palette"),
        Binding("colon", "command_palette", "Commands", show=False, id="app.palette_alias"),
    ]

    def __init__(self, config: Config, *, watchlist: str | None = None, demo: bool = False,
                 start_engine: bool = True, sources_factory: Callable[[], Mapping[str, Any]] | None = None) -> None:
        super().__init__()
        self.config = config
        self.demo = demo
        first = watchlist or config.ui.last_list
        self.board = Board(config, first)
        self._start_engine = start_engine
        # A partial (not a lambda) so TASKDECK_ENGINE=process can send the factory to a child process.
        factory = sources_factory or functools.partial(build_sources, tuple(config.providers.providers.values()))
        self.engine: Engine | EngineProcess = create_engine(factory, notify=self._engine_has_news)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._flush_pending = False
        self._last_flush = 0.0
        self._chrome_at = 0.0
        self._undo: tuple[str, TaskRef] | None = None
        self.flushes = 0  # how many batches reached the widgets (tests wait on it)

    # -- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield DeckHeader(id="deck-header")
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="main"):
                yield Input(placeholder="filter: text, state:failed, provider:name  (esc clears)", id="filter")
                with Horizontal(id="panes"):
                    yield TaskTable(id="tasks")
                    yield DetailPane(id="detail")
        yield Footer()

    @property
    def table(self) -> TaskTable:
        return self.query_one("#tasks", TaskTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one("#sidebar", Sidebar)

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.config.providers.keymap:
            self.set_keymap(self.config.providers.keymap)
        self.query_one("#filter", Input).display = False
        self.table.set_columns(COLUMNS)
        self._show_list()
        self._report_problems()
        for ref in self.board.all_refs():
            self._apply_interval_override(ref.provider)
        if self._start_engine:
            self.engine.add(self.board.all_refs())
            for provider, instance in self.board.follows():
                self.engine.follow(provider, instance)
            self.run_worker(self._run_engine, name="engine", group="engine", thread=True, exit_on_error=False)
        self.set_interval(AGE_TICK, self._tick_ages)
        self.table.focus()
        self._layout_for(self.size.width)

    def _run_engine(self) -> None:
        worker = get_current_worker()
        self.engine.run(should_stop=lambda: worker.is_cancelled)

    def on_unmount(self) -> None:
        # The engine thread is not cancellable by Textual; without this it would outlive the app.
        self.engine.stop()

    def on_resize(self) -> None:
        self._layout_for(self.size.width)

    def _layout_for(self, width: int) -> None:
        self.query_one("#body").set_class(width < NARROW, "narrow")
        self.query_one("#body").set_class(width >= NARROW, "wide")

    def _report_problems(self) -> None:
        problems = self.config.problems
        if not problems:
            return
        worst = [p for p in problems if getattr(p, "severity", "error") == "error"] or problems
        lines = "\n".join(str(p) for p in worst[:4])
        more = f"\n… and {len(problems) - 4} more (F12 shows all)" if len(problems) > 4 else ""
        self.notify(lines + more, title="Configuration problems", severity="error", timeout=30, markup=False)

    # -- engine → widgets ---------------------------------------------------------------------------

    class EngineNews(Message):
        """The engine has results waiting (posted from the engine thread)."""

    def _engine_has_news(self) -> None:
        """Called from the engine thread when a batch starts filling; post_message is thread-safe."""
        if self._loop is not None and not self._loop.is_closed():
            self.post_message(self.EngineNews())

    def on_taskdeck_app_engine_news(self, _: EngineNews) -> None:
        self._request_flush()

    def _request_flush(self) -> None:
        if self._flush_pending:
            return
        self._flush_pending = True
        wait = max(0.01, FLUSH_EVERY - (time.monotonic() - self._last_flush))
        self.set_timer(wait, self._flush_engine)

    def _widgets_ready(self) -> bool:
        """False while the main screen is being built or torn down (timers can fire then)."""
        return bool(self.screen_stack) and bool(self.query("#tasks"))  # App.query: the main screen

    def _flush_engine(self) -> None:
        self._flush_pending = False
        if not self._widgets_ready():
            if self.is_running and self.screen_stack:
                self._request_flush()  # try again shortly; the batch stays in the engine
            return
        self._last_flush = time.monotonic()
        batch = self.engine.take()
        if not batch:
            return
        changes = self.board.apply(batch)
        with self.batch_update():
            if changes.active:
                now = time.time()
                self.table.apply({key: self._row(key, now) for key in changes.active})
            notable = changes.finished or changes.went_down or changes.came_back or batch.health
            if notable or time.monotonic() - self._chrome_at >= CHROME_EVERY:
                self._update_chrome()
            selected = self.table.cursor_key
            if selected is not None and selected in batch.snapshots:
                self.detail.show(batch.snapshots[selected])
        self._notify_changes(changes)
        if changes.discovered:
            self._adopt_discovered(changes.discovered)
        self.flushes += 1

    def _row(self, key: str, now: float) -> Any:
        snapshot = self.board.snapshots.get(key)
        if snapshot is None:
            snapshot = TaskSnapshot(ref=self.board.active_ref(key) or TaskRef("?", key))
        return build_row(snapshot, interval=self.board.interval(snapshot.ref.provider), now=now)

    def _update_chrome(self) -> None:
        """Header totals and sidebar counts: a pass over every watched task, so not on every flush."""
        self._chrome_at = time.monotonic()
        refs = self.board.active_refs()
        self.query_one(DeckHeader).show(self.board.active_name, self.board.counts(refs), len(refs),
                                        self.engine.paused)
        providers, lists = self.board.sidebar()
        self.sidebar.update_model(providers, lists)

    def _tick_ages(self) -> None:
        """Refresh the age/duration cells of visible, unfinished rows (nothing to do when all are done)."""
        if self.engine.paused or not self._widgets_ready() or not self.board.running_in_active():
            return
        table = self.table
        first = int(table.scroll_offset.y)
        window = table.visible_keys[first: first + table.size.height + 1]
        now = time.time()
        rows = {key: self._row(key, now) for key in window
                if (s := self.board.snapshots.get(key)) is not None and not s.finished}
        if rows:
            table.apply(rows)

    def _notify_changes(self, changes: Changes) -> None:
        bell = bool(self.config.providers.ui.get("bell", False))
        finished = [s for s in changes.finished if self.board.in_active(s.ref.key)]
        if len(finished) > AGGREGATE_AFTER:
            failed = sum(1 for s in finished if s.state is not TaskState.SUCCEEDED)
            self.notify(f"{len(finished)} tasks finished ({failed} did not succeed)", title="Tasks finished",
                        severity="warning" if failed else "information", markup=False)
        else:
            for snap in finished:
                ok = snap.state is TaskState.SUCCEEDED
                title = clean(snap.title or snap.ref.id, limit=60)
                summary = clean(snap.summary, limit=120)
                self.notify(f"{title}: {snap.state.value}" + (f"\n{summary}" if summary else ""),
                            title="Task finished", severity="information" if ok else "error", markup=False)
        for health in changes.went_down:
            self.notify(f"{clean(health.provider)}: {health_text(health)}", title="Provider down",
                        severity="error", timeout=10, markup=False)
        for health in changes.came_back:
            self.notify(f"{clean(health.provider)} is reachable again", title="Provider back", markup=False)
        if bell and (finished or changes.went_down):
            self.bell()

    def _adopt_discovered(self, refs: list[TaskRef]) -> None:
        """Tasks found on a followed instance join every list that follows it."""
        for ref in refs:
            for name in self.board.lists_following(ref.provider, ref.instance):
                self.config.watch.add_tasks(name, [ref], create=False)
        self.board.refresh_active()
        now = time.time()
        rows = {ref.key: self._row(ref.key, now) for ref in refs if self.board.in_active(ref.key)}
        if rows:
            self.table.apply(rows)
        self._update_chrome()

    # -- the active list ----------------------------------------------------------------------------

    def _show_list(self) -> None:
        """(Re)fill the table with the active list and restore its sort, filter and selection."""
        self.board.refresh_active()
        table = self.table
        table.clear()
        now = time.time()
        table.apply({ref.key: self._row(ref.key, now) for ref in self.board.active_refs()})
        name = self.board.active_name
        state = self.config.ui.get(name) if name else None
        if state is not None:
            if state.sort:
                table.sort_by(state.sort, state.sort_reverse)
            table.set_filter(state.filter)
            filter_input = self.query_one("#filter", Input)
            filter_input.value = state.filter
            filter_input.display = bool(state.filter)
            if state.selected:
                table.move_cursor_to_key(state.selected)
        self._update_chrome()
        key = table.cursor_key
        self.detail.show(self.board.snapshots.get(key) if key else None)
        if name:
            self.config.ui.set_last_list(name)

    def _switch_to(self, name: str) -> None:
        if name == self.board.active_name:
            return
        self._remember_view()
        self.board.active_name = name
        self._show_list()

    def _remember_view(self) -> None:
        name = self.board.active_name
        if name and self.config.watch.get(name) is not None:
            table = self.table
            self.config.ui.update(name, sort=table.sort_column, sort_reverse=table.sort_reverse,
                                  filter=table.filter_text, selected=table.cursor_key)

    # -- table and sidebar events ---------------------------------------------------------------------

    @on(TaskTable.CursorMoved)
    def _cursor_moved(self, event: TaskTable.CursorMoved) -> None:
        key = event.key
        self.detail.show(self.board.snapshots.get(key) if key else None)

    @on(TaskTable.RowActivated)
    def _row_activated(self, event: TaskTable.RowActivated) -> None:
        self.detail.focus_body()

    @on(Sidebar.NodeSelected)
    def _node_selected(self, event: Sidebar.NodeSelected[NodeRef]) -> None:
        ref = event.node.data
        if ref is None:
            return
        if ref.kind == "list":
            self._switch_to(ref.name)
        elif ref.kind in ("provider", "instance", "health"):
            query = f"provider:{ref.name}" + (f" {ref.instance}" if ref.instance else "")
            self._set_filter(query)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()
        self._remember_view()

    def _set_filter(self, text: str) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.value = text
        filter_input.display = bool(text)
        self.table.set_filter(text)
        self._remember_view()

    # -- actions --------------------------------------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.display = True
        filter_input.focus()

    def action_clear_or_back(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus or (filter_input.display and self.focused is self.table):
            self._set_filter("")
            self.table.focus()
        elif self.focused is not self.table:
            self.table.focus()

    def _selected_ref(self) -> TaskRef | None:
        key = self.table.cursor_key
        return None if key is None else self.board.active_ref(key)

    def action_refresh_selected(self) -> None:
        key = self.table.cursor_key
        if key is not None:
            self.engine.refresh([key])
            self.notify("Refreshing the selected task", timeout=2)

    def action_refresh_all(self) -> None:
        self.engine.refresh()
        self.notify("Refreshing every task", timeout=2)

    def action_toggle_pause(self) -> None:
        if self.engine.paused:
            self.engine.resume()
            self.notify("Polling resumed", timeout=2)
        else:
            self.engine.pause()
            self.notify("Polling paused: press p to resume", timeout=3)
        self._update_chrome()

    def action_interval(self, direction: int) -> None:
        ref = self._selected_ref()
        if ref is None:
            return
        config = self.config.providers.providers.get(ref.provider)
        if config is None:
            return
        current = self.board.interval(ref.provider)
        step = 1.0 if current < 10 or (current == 10 and direction < 0) else 5.0
        wanted = max(config.min_interval, min(3600.0, current + direction * step))
        self.engine.set_interval(ref.provider, wanted)
        if self.board.active_name:
            state = self.config.ui.get(self.board.active_name)
            self.config.ui.update(self.board.active_name, intervals={**state.intervals, ref.provider: wanted})
        limit = " (the API's minimum)" if wanted == config.min_interval and direction < 0 else ""
        self.notify(f"{clean(ref.provider)}: polling every {wanted:g} s{limit}", timeout=3, markup=False)

    def _apply_interval_override(self, provider: str) -> None:
        if not self.board.active_name:
            return
        wanted = self.config.ui.get(self.board.active_name).intervals.get(provider)
        if wanted:
            self.engine.set_interval(provider, wanted)

    def action_add_task(self) -> None:
        choices = [ProviderChoice(name=p.name, kind=p.kind, needs_instance=p.needs_instance,
                                  instances=sorted({r.instance for r in self.board.all_refs()
                                                    if r.provider == p.name and r.instance}))
                   for p in self.config.providers.providers.values()]
        if not choices:
            self.notify("No provider profiles: add one to providers.toml (taskdeck locate shows where)",
                        severity="warning", markup=False)
            return
        selected = self._selected_ref()
        self.push_screen(AddTaskScreen(choices, provider=selected.provider if selected else None),
                         self._added)

    def _added(self, request: AddTaskRequest | None) -> None:
        if request is None:
            return
        name = self.board.active_name or "Default"
        refs = [TaskRef(provider=request.provider, id=task_id, instance=request.instance, label=request.label)
                for task_id in request.ids]
        added = self.config.watch.add_tasks(name, refs)
        if request.follow_instance and request.instance:
            self.config.watch.follow_instance(name, request.provider, request.instance)
            self.engine.follow(request.provider, request.instance)
        if self.board.active_name is None:
            self.board.active_name = name
        self.board.refresh_active()
        self.engine.add(added)
        now = time.time()
        self.table.apply({ref.key: self._row(ref.key, now) for ref in added})
        if added:
            self.table.move_cursor_to_key(added[0].key)
        self._update_chrome()
        what = f"Added {len(added)} task{'s' if len(added) != 1 else ''}"
        if request.follow_instance:
            what += f"; following instance {request.instance}"
        self.notify(clean(what), markup=False)

    def action_remove_task(self) -> None:
        ref = self._selected_ref()
        name = self.board.active_name
        if ref is None or name is None:
            return
        self.config.watch.remove_task(name, ref)
        self.board.refresh_active()
        if all(not any(r.key == ref.key for r in w.tasks) for w in self.board.lists):
            self.engine.remove([ref.key])
        self.table.apply({}, removed=[ref.key])
        self._undo = (name, ref)
        self._update_chrome()
        self.notify(f"Removed {clean(ref.label or ref.id, limit=60)} — press u to undo", timeout=8, markup=False)

    def action_undo(self) -> None:
        if self._undo is None:
            return
        name, ref = self._undo
        self._undo = None
        if self.config.watch.get(name) is None:
            return
        self.config.watch.add_tasks(name, [ref])
        self.board.refresh_active()
        self.engine.add([ref])
        if name == self.board.active_name:
            self.table.apply({ref.key: self._row(ref.key, time.time())})
            self.table.move_cursor_to_key(ref.key)
        self._update_chrome()
        self.notify(f"Restored {clean(ref.label or ref.id, limit=60)}", timeout=3, markup=False)

    def action_cycle_list(self, step: int) -> None:
        names = self.config.watch.names
        if not names:
            return
        index = names.index(self.board.active_name) if self.board.active_name in names else -1
        self._switch_to(names[(index + step) % len(names)])

    def action_list_number(self, number: int) -> None:
        names = self.config.watch.names
        if 0 < number <= len(names):
            self._switch_to(names[number - 1])

    def action_new_list(self) -> None:
        def create(name: str | None) -> None:
            if not name:
                return
            try:
                self.config.watch.create_list(name.strip())
            except ValueError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self._switch_to(name.strip())
        self.push_screen(PromptScreen("New watch list", placeholder="name"), create)

    def action_rename_list(self) -> None:
        old = self.board.active_name
        if old is None:
            return

        def rename(new: str | None) -> None:
            if not new or new.strip() == old:
                return
            try:
                self.config.watch.rename_list(old, new.strip())
            except ValueError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.config.ui.rename_list(old, new.strip())
            self.board.active_name = new.strip()
            self._update_chrome()
        self.push_screen(PromptScreen("Rename watch list", value=old), rename)

    def action_delete_list(self) -> None:
        name = self.board.active_name
        if name is None:
            return

        def delete(ok: bool | None) -> None:
            if not ok:
                return
            self.config.watch.delete_list(name)
            self.config.ui.forget_list(name)
            names = self.config.watch.names
            self.board.active_name = names[0] if names else None
            self._show_list()
            self.notify(f"Deleted watch list {clean(name)}", markup=False)
        count = len(self.board.active_refs())
        self.push_screen(ConfirmScreen(f"Delete the watch list '{clean(name)}' and its {count} tasks?",
                                       "Delete"), delete)

    def action_detail(self, what: str) -> None:
        getattr(self.detail, f"action_{what}")()

    def action_debug(self) -> None:
        self.push_screen(DebugScreen(self.debug_info()))

    def debug_info(self) -> dict[str, Any]:
        import platform

        import aiohttp
        import httpx
        import textual

        from tui import __version__

        paths = self.config.paths
        return {
            "taskdeck": __version__,
            "python": platform.python_version(),
            "textual": textual.__version__,
            "httpx": httpx.__version__,
            "aiohttp": aiohttp.__version__,
            "mode": "demo (nothing is written)" if self.demo else "normal",
            "Files": {"providers.toml": str(paths.providers), "watchlists.toml": str(paths.watchlists),
                      "state": str(paths.state)} if paths else {"(in memory)": "nothing is written"},
            "Providers": {name: health_text(self.board.health.get(name))
                          for name in self.config.providers.providers},
            "Recent errors": [f"{h.provider}: {h.last_error}" for h in self.board.health.values()
                              if h.last_error is not None and h.status is not HealthStatus.OK],
            "Configuration problems": [str(p) for p in self.config.problems],
        }

    async def action_quit(self) -> None:
        self._remember_view()
        self.engine.stop()
        self.exit()
