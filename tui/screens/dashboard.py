"""The dashboard: sidebar, live task table, decoded detail pane.

It draws what the session controller (`tui.deck.controller.Deck`) says and forwards
keys to it; it never edits watch lists or talks to the engine itself. Engine results
arrive as a message from the engine thread and are taken at most ~4 times a second;
their changed rows reach the table in time slices of ~10 ms (tui/screens/row_pacer.py),
the rows on screen first, with input and a frame between slices, so a key never waits
behind a whole batch.

Layout by width: from 200 columns the detail pane sits beside the table; from 120 it
goes under it; below 120 the sidebar folds away (`b` brings it back) and the detail
opens over the table with Enter and closes with Escape. `z` gives the detail pane the
whole screen at any width.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input

from tui.core.families import family_of
from tui.core.gcpolicy import GcPolicy
from tui.core.model import TaskRef, TaskSnapshot
from tui.deck.controller import Deck
from tui.deck.outcome import Outcome
from tui.deck.tidings import Tidings
from tui.screens.dashboard_dialogs import DashboardDialogs
from tui.screens.dashboard_feed import DashboardFeed
from tui.screens.dashboard_filter import DashboardFilter
from tui.screens.dashboard_layout import DashboardLayout
from tui.screens.dashboard_memory import MEMORY_WAIT, DashboardMemory
from tui.screens.notes import NotificationLog, Toaster
from tui.screens.onboarding import Onboarding
from tui.screens.row_pacer import RowPacer
from tui.widgets.detail import DetailPane
from tui.widgets.filter_input import FilterInput
from tui.widgets.footer import KeyBar
from tui.widgets.header import DeckHeader
from tui.widgets.rows import COLUMNS, build_row
from tui.widgets.sidebar import NodeRef, Sidebar
from tui.widgets.table_rows import Row
from tui.widgets.task_table import TaskTable
from tui.widgets.welcome import WelcomePanel

AGE_TICK = 2.0  # seconds between refreshes of the age column of visible, unfinished rows
GC_TICK = 1.0  # seconds between looks at whether a full garbage collection of everything is due


class DashboardScreen(DashboardLayout, DashboardMemory, DashboardDialogs, DashboardFilter, DashboardFeed):
    BINDINGS: ClassVar[list[BindingType]] = [
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
        Binding("b", "toggle_sidebar", "Sidebar", show=False, id="app.toggle_sidebar"),
        Binding("z", "zoom_detail", "Full detail", show=False, id="app.zoom_detail"),
        Binding("v", "detail('toggle_raw')", "Raw", show=False, id="app.toggle_raw"),
        Binding("e", "detail('export')", "Save result", id="app.export"),
        Binding("o", "detail('open_url')", "Open URL", show=False, id="app.open_url"),
        Binding("y", "detail('copy_result')", "Copy", show=False, id="app.copy_result"),
        Binding("Y", "detail('copy_id')", "Copy id/URL", show=False, id="app.copy_id"),
        Binding("tab", "focus_next", "Next pane", show=False, id="app.focus_next"),
    ]

    class EngineNews(Message):
        """The engine has results waiting (posted from the engine thread)."""

    def __init__(self, deck: Deck, log: NotificationLog | None = None, gc_policy: GcPolicy | None = None) -> None:
        super().__init__(id="dashboard")
        self.deck = deck
        self._log = log
        self._tidings = Tidings()
        self.gc_policy = gc_policy
        self.flushes = 0  # how many batches reached the widgets (tests wait on it)
        self.slices = 0  # how many slices of rows were applied (tests look at it)
        self.pacer: RowPacer[Row] = RowPacer()
        self._slice_timer: Any = None
        self._flush_pending = False
        self._last_flush = 0.0
        self._chrome_at = 0.0
        self._sidebar_wanted: bool | None = None  # None: follow the width
        self._toaster: Toaster | None = None
        self._early: list[Outcome] = []  # outcomes that came before the screen was mounted
        self._ready = False  # on_mount has built the widgets
        self.onboarding = Onboarding(self, deck, lambda providers: self.app.providers_changed(providers))  # type: ignore[attr-defined]
        self._filled = True  # False while the first fill waits for the remembered snapshots
        self._selected: str | None = None  # the task the detail pane shows

    # -- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield DeckHeader(id="deck-header")
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="main"):
                paths = self.deck.config.paths
                yield WelcomePanel(config_file=str(paths.providers) if paths else "providers.toml", id="welcome")
                yield FilterInput(placeholder="filter: text, state:failed, provider:name  (esc clears)", id="filter",
                                  on_change=self._filter_now)
                with Horizontal(id="panes"):
                    yield TaskTable(id="tasks")
                    yield DetailPane(id="detail")
        yield KeyBar()

    @property
    def table(self) -> TaskTable:
        return self.query_one("#tasks", TaskTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one("#sidebar", Sidebar)

    @property
    def toaster(self) -> Toaster:
        if self._toaster is None:
            self._toaster = Toaster(self.app, self._log)
        return self._toaster

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.table.set_columns(COLUMNS)
        self.detail.result_label = self._result_label
        memory = self.deck.memory
        if memory is not None and not memory.loaded.is_set():
            # Rows open with their remembered state: filling 10,000 rows twice (unknown, then remembered)
            # would cost more than waiting a moment for the store, which is being read right now.
            self._filled = False
            self.set_timer(MEMORY_WAIT, self._fill_once)
        else:
            self.deck.seed_remembered()
            self._show_list()
        self.set_interval(AGE_TICK, self._tick_ages)
        self.table.focus()
        self._sync_welcome()
        self.onboarding.find_sdk_credentials(self.query_one("#welcome", WelcomePanel).show_sdk)
        if getattr(self.app, "_start_engine", True):  # (tests without an engine make no requests)
            self.onboarding.fetch_instance_names(self._instance_names)
        self._layout_for(self.app.size.width)
        self._ready = True
        early, self._early = self._early, []
        for outcome in early:
            self.show_outcome(outcome)
        if self.gc_policy is not None:
            self.set_interval(GC_TICK, self.gc_policy.tick)

    def _instance_names(self, provider: str, names: dict[str, str]) -> None:
        self.deck.board.instance_names[provider] = names
        self._update_chrome()

    def _result_label(self, snapshot: TaskSnapshot) -> str:
        config = self.deck.config.providers.providers.get(snapshot.ref.provider)
        family = family_of(config.kind) if config is not None else None
        return family.result_label if family is not None else "Result"

    # -- from the controller to the widgets ----------------------------------------------------------

    def show_outcome(self, outcome: Outcome) -> None:
        """Draw what an action changed: rows, a reload of the list, the cursor, notes."""
        if not self._ready:
            self._early.append(outcome)
            return
        if outcome.reload:
            self._sync_welcome()
            self._show_list()
        elif outcome.rows or outcome.removed:
            now = time.time()
            self.pacer.discard(outcome.rows)
            self.pacer.discard(outcome.removed)
            self.table.apply({key: self._row(key, now) for key in outcome.rows if self.deck.board.in_active(key)},
                             removed=outcome.removed)
        if outcome.cursor is not None:
            self.table.move_cursor_to_key(outcome.cursor)
        self._update_chrome()
        for note in outcome.notes:
            self.toaster.show(note)

    def _row(self, key: str, now: float) -> Row:
        snapshot = self.deck.snapshot(key)
        return build_row(snapshot, interval=self.deck.board.interval(snapshot.ref.provider), now=now,
                         eta=self.deck.eta(key, now))

    def _update_chrome(self) -> None:
        """Header totals and sidebar counts (kept per batch by the board's tally, so cheap to show)."""
        self._chrome_at = time.monotonic()
        self._show_filtered()
        board = self.deck.board
        counts, total = board.active_counts()
        failure = self.deck.engine_failure
        self.query_one(DeckHeader).show(board.active_name, counts, total, self.deck.paused,
                                        problem=f"polling stopped: {failure.message}" if failure else None)
        providers, lists = board.sidebar()
        self.sidebar.update_model(providers, lists)

    def _show_list(self) -> None:
        """(Re)fill the table with the active list and restore its sort, filter and selection."""
        self._filled = True
        table = self.table
        table.clear()
        self.pacer.clear()  # every row is built below
        keys = [ref.key for ref in self.deck.board.active_refs()]
        state = self.deck.view()
        self._fill_rows(keys, whole=state is not None and bool(state.sort or state.filter),
                        selected=state.selected if state is not None else None)
        filter_input = self.query_one("#filter", Input)
        if state is not None:
            if state.sort:
                table.sort_by(state.sort, state.sort_reverse)
            table.set_filter(state.filter)
            filter_input.value = state.filter
            filter_input.display = bool(state.filter)
            if state.selected:
                table.move_cursor_to_key(state.selected)
        self._update_chrome()
        self._select(table.cursor_key, again=True)
        if self.gc_policy is not None and not self.gc_policy.installed:
            # once the first rows are painted, what is alive is long-lived: keep it out of collections
            self.call_after_refresh(self.gc_policy.after_load)

    def remember_view(self) -> None:
        table = self.table
        self.deck.remember_view(sort=table.sort_column, sort_reverse=table.sort_reverse,
                                filter=table.filter_text, selected=table.cursor_key)

    # -- engine → widgets ---------------------------------------------------------------------------

    def on_dashboard_screen_engine_news(self, _: EngineNews) -> None:
        self._request_flush()

    def engine_stopped(self, outcome: Outcome) -> None:
        self.show_outcome(outcome)

    def _tell_held_finishes(self) -> None:
        note = self._tidings.due(time.monotonic())
        if note is not None:
            self.toaster.show(note)

    # -- table and sidebar events ---------------------------------------------------------------------

    @on(TaskTable.CursorMoved)
    def _cursor_moved(self, event: TaskTable.CursorMoved) -> None:
        self._select(event.key)

    def _select(self, key: str | None, *, again: bool = False) -> None:
        """The detail pane follows the cursor's task; once per task (unless `again`), so that a filter
        key, which shows the new task at once, is not drawn again a frame later when the table's
        message arrives."""
        if key == self._selected and not again:
            return
        self._selected = key
        self.detail.set_eta(self.deck.eta(key, time.time()) if key else None)
        self.detail.show(self.deck.snapshot(key) if key else None)
        if key:
            self._load_timeline(key)
        row = self.table.cursor_row
        y = None if row is None else self.table.region.y + 1 + row - int(self.table.scroll_offset.y)
        self.toaster.avoid_row(self, y, self.size.height)

    @on(TaskTable.RowActivated)
    def _row_activated(self, event: TaskTable.RowActivated) -> None:
        if self.compact:
            self._open_detail()
        else:
            self.detail.focus_body()

    @on(Sidebar.NodeSelected)
    def _node_selected(self, event: Sidebar.NodeSelected[NodeRef]) -> None:
        ref = event.node.data
        if ref is None:
            return
        if ref.kind == "list":
            self.switch_to(ref.name)
        elif ref.kind in ("provider", "instance", "health"):
            query = f"provider:{ref.name}" + (f" {ref.instance}" if ref.instance else "")
            self._set_filter(query)

    # -- actions --------------------------------------------------------------------------------------

    def switch_to(self, name: str) -> None:
        if name == self.deck.board.active_name:
            return
        self.remember_view()
        self.show_outcome(self.deck.switch(name))

    def action_clear_or_back(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus or (filter_input.display and self.focused is self.table):
            self._set_filter("")
            self.table.focus()
        elif self._close_detail():
            return
        elif self.focused is not self.table:
            self.table.focus()

    def _selected_ref(self) -> TaskRef | None:
        key = self.table.cursor_key
        return None if key is None else self.deck.board.active_ref(key)

    def action_refresh_selected(self) -> None:
        key = self.table.cursor_key
        if key is not None:
            self.show_outcome(self.deck.refresh([key]))

    def action_refresh_all(self) -> None:
        self.show_outcome(self.deck.refresh())

    def action_toggle_pause(self) -> None:
        self.show_outcome(self.deck.toggle_pause())

    def action_interval(self, direction: int) -> None:
        self.show_outcome(self.deck.change_interval(self.table.cursor_key, direction))

    # -- first run: the welcome panel and the provider setup form ------------------------------------

    def _sync_welcome(self) -> None:
        needed = self.onboarding.needed
        welcome = self.query_one("#welcome", WelcomePanel)
        was_shown = welcome.display
        welcome.display = needed
        self.query_one("#panes").display = not needed
        if needed:
            welcome.query_one("#welcome-add").focus()
        elif was_shown:
            self.table.focus()

    @on(WelcomePanel.SetupRequested)
    def _setup_requested(self, event: WelcomePanel.SetupRequested) -> None:
        self.onboarding.open_setup(sdk=event.sdk)

    def action_add_provider(self) -> None:
        self.onboarding.open_setup()

    def action_remove_task(self) -> None:
        key = self.table.cursor_key
        if key is not None:
            self.show_outcome(self.deck.remove(key))

    def action_undo(self) -> None:
        self.show_outcome(self.deck.undo())

    def action_cycle_list(self, step: int) -> None:
        self.remember_view()
        self.show_outcome(self.deck.cycle(step))

    def action_list_number(self, number: int) -> None:
        self.remember_view()
        self.show_outcome(self.deck.switch_number(number))

    def action_detail(self, what: str) -> None:
        getattr(self.detail, f"action_{what}")()
