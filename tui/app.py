"""The taskdeck application: app-wide concerns only (screens, keymap, workers, quit).

The watching session is a `Deck` (tui.deck.controller, no Textual); the main UI is
the `DashboardScreen`, which draws what the deck says. The engine (the poller on
its own event loop) runs in a thread worker that is a thin wrapper over
`Deck.run_engine`; every worker's end is handled in one place, so an engine that
dies is shown and restarted instead of leaving a frozen table.
"""

from __future__ import annotations

import asyncio
import platform
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import textual
from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import Notify
from textual.worker import Worker, WorkerState, get_current_worker

from tui import __version__
from tui.core.config import Config, ProvidersFile
from tui.core.engine_process import EngineLike
from tui.core.gcpolicy import GcPolicy
from tui.core.model import HealthStatus
from tui.core.text import clean
from tui.deck.board import Board
from tui.deck.controller import Deck
from tui.deck.health import health_text
from tui.deck.memory import SessionMemory
from tui.deck.nudge import Nudger
from tui.deck.supervisor import RESTART_EVERY
from tui.palette import DeckCommands
from tui.screens.dashboard import DashboardScreen
from tui.screens.dashboard_memory import DashboardMemory
from tui.screens.debug import DebugScreen
from tui.screens.help import HelpScreen
from tui.screens.notes import NotificationLog, admit, hide_toasts
from tui.screens.notification_log import NotificationLogScreen
from tui.widgets.detail import DetailPane
from tui.widgets.sidebar import Sidebar
from tui.widgets.task_table import TaskTable

ENGINE_GROUP = "engine"
NUDGE_EVERY = 0.5  # seconds between looks at the burst of desktop notifications


class TaskdeckApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "taskdeck"
    COMMANDS = App.COMMANDS | {DeckCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("f12", "debug", "Debug", show=False, id="app.debug"),
        # Declared here (not left to Textual's default) so the ":" alias does not shadow it.
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True, id="app.palette"),
        Binding("colon", "command_palette", "Commands", show=False, id="app.palette_alias"),
    ]

    def __init__(self, config: Config, *, watchlist: str | None = None, demo: bool = False,
                 start_engine: bool = True, sources_factory: Callable[[], Mapping[str, Any]] | None = None,
                 restart_every: float = RESTART_EVERY, store: str | None = None,
                 memory: SessionMemory | None = None) -> None:
        super().__init__()
        self.config = config
        self.demo = demo
        self._start_engine = start_engine
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dashboard: DashboardScreen | None = None
        self._engine_worker: Worker[None] | None = None
        self.credential_sources: dict[str, str] = {}  # profile -> where its secrets come from (F12)
        self.notification_log = NotificationLog()
        # Python's collector tuned for a responsive UI (tui/core/gcpolicy.py); None leaves it alone.
        self.gc_policy: GcPolicy | None = GcPolicy()
        # `store`: where results are remembered between runs (tui.core.store); None remembers nothing.
        # `memory`: its reader, if the command started it before importing the app (tui.commands.dashboard).
        self.deck = Deck(config, watchlist=watchlist, sources_factory=sources_factory,
                         notify=self._engine_has_news, restart_every=restart_every, store=store, memory=memory)
        self.deck.nudger = Nudger(config.providers.ui, write=self._write_to_terminal)
        if start_engine:
            self.deck.preload(self._memory_loaded)  # reads the store while Textual starts

    def get_default_screen(self) -> DashboardScreen:
        self._dashboard = DashboardScreen(self.deck, self.notification_log, gc_policy=self.gc_policy)
        return self._dashboard

    # -- toasts: at most two, never over a dialog, all of them logged ------------------------------------

    def on_notify(self, event: Notify) -> None:
        """Runs before Textual adds the toast (handlers run subclass first)."""
        self.notification_log.add(event.notification)
        admit(self, event.notification)

    def _refresh_notifications(self) -> None:
        if not hide_toasts(self):
            super()._refresh_notifications()

    # -- what tests, benchmarks and the palette reach through the app -----------------------------

    @property
    def dashboard(self) -> DashboardScreen:
        if self._dashboard is None:
            raise RuntimeError("the dashboard screen is not built yet")
        return self._dashboard

    @property
    def board(self) -> Board:
        return self.deck.board

    @property
    def engine(self) -> EngineLike:
        return self.deck.engine

    @property
    def table(self) -> TaskTable:
        return self.dashboard.table

    @property
    def detail(self) -> DetailPane:
        return self.dashboard.detail

    @property
    def sidebar(self) -> Sidebar:
        return self.dashboard.sidebar

    @property
    def flushes(self) -> int:
        return self.dashboard.flushes

    def _flush_engine(self) -> None:
        self.dashboard._flush_engine()

    def _switch_to(self, name: str) -> None:
        self.dashboard.switch_to(name)

    # -- lifecycle ----------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.config.providers.keymap:
            self.set_keymap(self.config.providers.keymap)
        self._report_problems()
        self._look_up_credentials()
        if self._start_engine:
            self.deck.start()
            self._run_engine_worker()
        self.set_interval(NUDGE_EVERY, self._nudge)

    # -- desktop notifications while the terminal has no focus ---------------------------------------

    def on_app_blur(self) -> None:
        if self.deck.nudger is not None:
            self.deck.nudger.focused = False

    def on_app_focus(self) -> None:
        if self.deck.nudger is not None:
            self.deck.nudger.focused = True

    def _nudge(self) -> None:
        if self.deck.nudger is not None:
            self.deck.nudger.tick(time.time())

    def _write_to_terminal(self, text: str) -> None:
        """An escape sequence (a terminal notification) straight to the terminal, as App.bell does."""
        driver = self._driver
        if driver is not None:
            driver.write(text)

    def _run_engine_worker(self) -> None:
        self._engine_worker = self.run_worker(self._run_engine, name="engine", group=ENGINE_GROUP, thread=True,
                                              exit_on_error=False, description="polling engine")

    def _look_up_credentials(self) -> None:
        """Where each profile's secrets come from, for F12: environment, files, the keyring — off the UI thread."""
        profiles = tuple(self.config.providers.providers.values())

        def look() -> None:
            from tui.providers.secret_sources import credentials_summary

            found = credentials_summary(profiles)
            self.call_from_thread(setattr, self, "credential_sources", found)

        self.run_worker(look, thread=True, group="credentials", exit_on_error=False, description="credentials")

    def providers_changed(self, providers: ProvidersFile) -> None:
        """A profile was added: a new engine with its sources replaces the old one (whose end is expected)."""
        outcome = self.deck.set_providers(providers)
        self._look_up_credentials()
        if self._start_engine:
            self._run_engine_worker()
        self.dashboard.show_outcome(outcome)

    def _run_engine(self) -> None:
        worker = get_current_worker()
        self.deck.run_engine(should_stop=lambda: worker.is_cancelled)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's end, in one place: the engine is restarted, any other failure is shown."""
        worker = event.worker
        if worker.group == ENGINE_GROUP:
            if worker is not self._engine_worker:
                return  # an engine replaced by providers_changed ended, as asked
            if event.state in (WorkerState.ERROR, WorkerState.SUCCESS) and self.is_running:
                outcome = self.deck.engine_stopped(worker.error)
                if outcome.notes:
                    self.dashboard.show_outcome(outcome)
                    self.set_timer(max(0.05, self.deck.restart_delay()), self._restart_engine)
        elif event.state is WorkerState.ERROR:
            self.notify(f"{clean(worker.description or worker.name)} failed: {clean(str(worker.error))}",
                        title="Background work failed", severity="error", markup=False)

    def _restart_engine(self) -> None:
        if not self.is_running or self.deck.supervisor.stopping:
            return
        outcome = self.deck.restart_engine()
        self._run_engine_worker()
        self.dashboard.show_outcome(outcome)

    def on_unmount(self) -> None:
        # The engine thread is not cancellable by Textual; without this it would outlive the app.
        self.deck.stop()
        if self.gc_policy is not None:
            self.gc_policy.uninstall()

    async def on_event(self, event: events.Event) -> None:
        if self.gc_policy is not None and isinstance(event, events.InputEvent):
            self.gc_policy.input_seen()  # a full collection of everything waits until nobody types
        await super().on_event(event)

    def _engine_has_news(self) -> None:
        """Called from the engine thread when a batch starts filling; post_message is thread-safe."""
        dashboard = self._dashboard
        if self._loop is not None and not self._loop.is_closed() and dashboard is not None:
            dashboard.post_message(DashboardScreen.EngineNews())

    def _memory_loaded(self) -> None:
        """Called from the store-reading thread; the screen seeds the rows (or does so when it mounts)."""
        dashboard = self._dashboard
        if self._loop is not None and not self._loop.is_closed() and dashboard is not None:
            dashboard.post_message(DashboardMemory.MemoryLoaded())

    def _report_problems(self) -> None:
        problems = self.config.problems
        if not problems:
            return
        worst = [p for p in problems if getattr(p, "severity", "error") == "error"] or problems
        lines = "\n".join(str(p) for p in worst[:4])
        more = f"\n… and {len(problems) - 4} more (F12 shows all)" if len(problems) > 4 else ""
        self.notify(lines + more, title="Configuration problems", severity="error", timeout=30, markup=False)

    # -- app-wide actions -----------------------------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_notifications(self) -> None:
        self.push_screen(NotificationLogScreen(self.notification_log))

    def action_debug(self) -> None:
        from functools import partial

        from tui.providers.doctor import report_for

        doctor = partial(report_for, self.config.providers, list(self.config.problems))
        self.push_screen(DebugScreen(self.debug_info(), doctor=doctor))

    def debug_info(self) -> dict[str, Any]:
        import aiohttp  # imported here: not needed for start-up
        import httpx

        paths = self.config.paths
        board = self.deck.board
        failure = self.deck.engine_failure
        last = self.deck.supervisor.last_failure
        if failure is not None:
            engine = f"stopped: {failure.message}"
        elif last is not None:
            engine = f"running; restarted {self.deck.supervisor.restarts} time(s), last stop: {last.message}"
        else:
            engine = "running"
        info: dict[str, Any] = {
            "taskdeck": __version__,
            "python": platform.python_version(),
            "textual": textual.__version__,
            "httpx": httpx.__version__,
            "aiohttp": aiohttp.__version__,
            "mode": "demo (nothing is written)" if self.demo else "normal",
            "engine": engine,
            "Files": {"providers.toml": str(paths.providers), "watchlists.toml": str(paths.watchlists),
                      "state": str(paths.state)} if paths else {"(in memory)": "nothing is written"},
            "Providers": {name: health_text(board.health.get(name)) for name in self.config.providers.providers},
            "Credentials": self.credential_sources or {"": "being looked up"},
            "Recent errors": [f"{h.provider}: {h.last_error}" for h in board.health.values()
                              if h.last_error is not None and h.status is not HealthStatus.OK],
            "Configuration problems": [str(p) for p in self.config.problems],
        }
        if last is not None and last.traceback:
            info["Engine traceback"] = last.traceback.splitlines()
        return info

    async def action_quit(self) -> None:
        if self._dashboard is not None and self._dashboard.is_mounted:
            self._dashboard.remember_view()
        self.deck.stop()
        self.exit()
