"""The watching session, without a screen: config, watch lists, board and engine in one owner.

Every user action is one method here. It changes the watch lists, tells the engine
what to poll, updates the board and returns an `Outcome` saying what to draw. UI code
never talks to the engine or the watch store itself: when it did, each action copied
its change by hand into four places, and deleting a list forgot the engine (its tasks
were polled until quit) while switching lists forgot the list's interval overrides.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tui.core.config import Config, ProvidersFile
from tui.core.engine_process import EngineLike
from tui.core.eta import EtaBook
from tui.core.model import TaskRef, TaskSnapshot
from tui.core.recall import Stay
from tui.core.text import clean
from tui.deck.board import Board, Changes
from tui.deck.lists import DeletedList, ListActions
from tui.deck.memory import SessionMemory
from tui.deck.nudge import Nudger
from tui.deck.outcome import ERROR, Note, Outcome
from tui.deck.supervisor import RESTART_EVERY, EngineFactory, EngineFailure, EngineSupervisor
from tui.sources import build_sources

MAX_INTERVAL = 3600.0
MEMORY_WAIT = 10.0  # seconds the engine waits for the store to be checked and read at start


@dataclass(frozen=True, slots=True)
class _RemovedTask:
    list_name: str
    ref: TaskRef


class Deck(ListActions):
    def __init__(self, config: Config, *, watchlist: str | None = None,
                 sources_factory: Callable[[], Mapping[str, Any]] | None = None,
                 notify: Callable[[], None] = lambda: None, restart_every: float = RESTART_EVERY,
                 engine_factory: EngineFactory | None = None, store: str | None = None,
                 memory: SessionMemory | None = None) -> None:
        self.config = config
        self.board = Board(config, watchlist or config.ui.last_list)
        # A partial (not a lambda) so the process engine can send the factory to its child.
        factory = sources_factory or functools.partial(build_sources, tuple(config.providers.providers.values()))
        # What earlier runs left (None: remember nothing); the engine writes it, the session reads it.
        # (`memory`: one the caller made for `store` and may have started reading already)
        if memory is None and store is not None:
            memory = SessionMemory(store, config.providers.ui)
        self.memory = memory
        self.supervisor = EngineSupervisor(factory, notify, restart_every=restart_every,
                                           engine_factory=engine_factory, store=store,
                                           remembered=memory.snapshots if memory is not None else None)
        self.etas = EtaBook()
        self.nudger: Nudger | None = None  # desktop notifications; the app sets it up (it knows the focus)
        self.paused = False
        self._undo: _RemovedTask | DeletedList | None = None
        self._apply_list_intervals()

    # -- engine --------------------------------------------------------------------------------------

    @property
    def engine(self) -> EngineLike:
        return self.supervisor.engine

    @property
    def engine_failure(self) -> EngineFailure | None:
        return self.supervisor.failure

    def start(self) -> None:
        """Tell the engine everything this session watches (before or while it runs)."""
        self._seed(self.engine)

    def _seed(self, engine: EngineLike) -> None:
        engine.add(self.board.all_refs())
        since = {(f.provider, f.instance): f.since for w in self.board.lists for f in w.instances if f.since}
        for provider, instance in sorted(self.board.follows()):
            engine.follow(provider, instance, since.get((provider, instance)))
        for provider, seconds in self.board.intervals.items():
            engine.set_interval(provider, seconds)
        if self.paused:
            engine.pause()

    def run_engine(self, should_stop: Callable[[], bool] | None = None) -> None:
        """Blocking: run the engine in the calling (worker) thread until it stops.

        The first time, the store is tidied before the engine starts (off the UI thread: in the thread
        that read it, or here): tasks in no list and old transitions are forgotten, and a damaged store
        is moved aside before the engine reads it.
        """
        if self.memory is not None:
            self.memory.loaded.wait(MEMORY_WAIT)  # the engine opens the store once it has been checked
            self.memory.housekeeping(ref.key for ref in self.board.all_refs())
            # and writes once it is tidied: a task found on a followed instance meanwhile is in no list
            # yet, and the prune would forget it
            self.memory.tidied.wait(MEMORY_WAIT)
        self.supervisor.run(should_stop)

    def preload(self, done: Callable[[], None] = lambda: None) -> None:
        """Read what earlier runs remember in a thread started now, before the screen exists, so that
        the first frame can show it; `done()` is called from that thread."""
        if self.memory is not None:
            self.memory.start([ref.key for ref in self.board.all_refs()], done)

    def seed_remembered(self) -> set[str]:
        """Remembered snapshots onto the board where nothing newer is known (UI thread, no database
        work); the active rows that changed."""
        return set() if self.memory is None else self.memory.seed(self.board)

    def engine_stopped(self, exc: BaseException | None) -> Outcome:
        """The engine's run ended; unless we asked for it, that is a failure the user must see."""
        failure = self.supervisor.stopped(exc)
        if failure is None:
            return Outcome()
        delay = self.supervisor.restart_delay()
        when = "now" if delay <= 0 else f"in {delay:.0f} s"
        return Outcome(notes=[Note(f"{failure.message}\nRestarting it {when}; F12 shows the details.",
                                   title="Polling stopped", severity=ERROR, timeout=20)])

    def restart_delay(self) -> float:
        return self.supervisor.restart_delay()

    def restart_engine(self) -> Outcome:
        """A fresh engine seeded with the session (the caller runs it in a worker)."""
        self._seed(self.supervisor.renew())
        return Outcome(notes=[Note(f"Polling restarted (restart {self.supervisor.restarts})", timeout=5)])

    def stop(self) -> None:
        self.supervisor.stop()
        if self.memory is not None:
            self.memory.close()

    def set_providers(self, providers: ProvidersFile) -> Outcome:
        """providers.toml gained a profile (the setup form): the session uses the new profiles, and a new
        engine with sources for all of them replaces the old one (the caller runs it in a worker)."""
        self.config.providers = providers
        self.config.watch.providers = providers
        self._seed(self.supervisor.replace(functools.partial(build_sources, tuple(providers.providers.values()))))
        return Outcome(reload=True)

    def take(self) -> Changes:
        """Apply what the engine found since the last call; tasks found on followed instances join the
        lists that follow them, and their rows are part of the returned changes."""
        changes = self.board.apply(self.engine.take())
        now = time.time()
        for snapshot in changes.snapshots.values():
            self.etas.observe(snapshot, now)
        if self.nudger is not None:
            self.nudger.observe(changes, now)
        if changes.discovered:
            for ref in changes.discovered:
                for name in self.board.lists_following(ref.provider, ref.instance):
                    self.config.watch.add_tasks(name, [ref], create=False)
            self.board.refresh_active()
            changes.active.update(ref.key for ref in changes.discovered if self.board.in_active(ref.key))
        return changes

    def eta(self, key: str, now: float) -> float | None:
        """Seconds until a running task should finish, from its recent progress; None when unsure."""
        return self.etas.eta(key, now)

    def timeline(self, key: str) -> list[Stay]:
        """Blocking (call it from a worker): the remembered states of a task, each with its duration."""
        return [] if self.memory is None else self.memory.timeline(key)

    def memory_notes(self) -> list[Note]:
        """What the store had to say since the last call (a damaged store moved aside)."""
        return [] if self.memory is None else self.memory.take_notes()

    # -- tasks ---------------------------------------------------------------------------------------

    def snapshot(self, key: str) -> TaskSnapshot:
        """What is known of a task of the active list (a placeholder before its first read)."""
        snapshot = self.board.snapshots.get(key)
        if snapshot is None:
            snapshot = TaskSnapshot(ref=self.board.active_ref(key) or TaskRef("?", key))
        return snapshot

    def add(self, refs: Iterable[TaskRef], follow: tuple[str, str] | None = None) -> Outcome:
        name = self.board.active_name or "Default"
        added = self.config.watch.add_tasks(name, list(refs))
        if follow is not None:
            self.config.watch.follow_instance(name, *follow)
            self.engine.follow(*follow)
        if self.board.active_name is None:
            self.board.active_name = name
            self.config.ui.set_last_list(name)
        self.board.refresh_active()
        self.engine.add(added)
        what = f"Added {len(added)} task{'s' if len(added) != 1 else ''}"
        if follow is not None:
            what += f"; following instance {follow[1]}"
        return Outcome(rows={ref.key for ref in added}, cursor=added[0].key if added else None,
                       notes=[Note(clean(what))])

    def remove(self, key: str) -> Outcome:
        ref = self.board.active_ref(key)
        name = self.board.active_name
        if ref is None or name is None:
            return Outcome()
        title = self._title(ref)
        self.config.watch.remove_task(name, ref)
        self.board.refresh_active()
        if not self._watched(ref.key):
            self.engine.remove([ref.key])
        self._undo = _RemovedTask(name, ref)
        return Outcome(removed={ref.key}, notes=[Note(f"Removed {title} — press u to undo", timeout=8)])

    def undo(self) -> Outcome:
        undo, self._undo = self._undo, None
        if isinstance(undo, _RemovedTask):
            if self.config.watch.get(undo.list_name) is None:
                return Outcome()
            self.config.watch.add_tasks(undo.list_name, [undo.ref])
            self.board.refresh_active()
            self.engine.add([undo.ref])
            here = undo.list_name == self.board.active_name
            return Outcome(rows={undo.ref.key} if here else set(), cursor=undo.ref.key if here else None,
                           notes=[Note(f"Restored {self._title(undo.ref)}", timeout=3)])
        if isinstance(undo, DeletedList):
            return self._restore_list(undo)
        return Outcome()

    def refresh(self, keys: Iterable[str] | None = None) -> Outcome:
        keys = None if keys is None else list(keys)
        self.engine.refresh(keys)
        what = "Refreshing every task" if keys is None else "Refreshing the selected task"
        return Outcome(notes=[Note(what, timeout=2)])

    def toggle_pause(self) -> Outcome:
        self.paused = not self.paused
        if self.paused:
            self.engine.pause()
            return Outcome(notes=[Note("Polling paused: press p to resume", timeout=3)])
        self.engine.resume()
        return Outcome(notes=[Note("Polling resumed", timeout=2)])

    def follow(self, provider: str, instance: str) -> Outcome:
        name = self.board.active_name or "Default"
        if self.config.watch.get(name) is None:
            self.config.watch.create_list(name)
            self.board.active_name = name
        self.config.watch.follow_instance(name, provider, instance)
        self.engine.follow(provider, instance)
        return Outcome(notes=[Note(clean(f"Following instance {instance} of {provider}"))])

    def unfollow(self, provider: str, instance: str) -> Outcome:
        name = self.board.active_name
        if name is None or not self.config.watch.unfollow_instance(name, provider, instance):
            return Outcome()
        if (provider, instance) not in self.board.follows():
            self.engine.unfollow(provider, instance)
        return Outcome(notes=[Note(clean(f"No longer following instance {instance} of {provider}"))])

    # -- polling intervals -----------------------------------------------------------------------------

    def change_interval(self, key: str | None, direction: int) -> Outcome:
        """One step slower (+1) or faster (-1) for the provider of the task `key`, from the interval in
        force now (not the one the engine last reported), remembered for the active list."""
        ref = self.board.active_ref(key) if key is not None else None
        if ref is None:
            return Outcome()
        config = self.config.providers.providers.get(ref.provider)
        if config is None:
            return Outcome()
        current = self.board.interval(ref.provider)
        step = 1.0 if current < 10 or (current == 10 and direction < 0) else 5.0
        wanted = max(config.min_interval, min(MAX_INTERVAL, current + direction * step))
        self._set_interval(ref.provider, wanted)
        if self.board.active_name:
            state = self.config.ui.get(self.board.active_name)
            self.config.ui.update(self.board.active_name, intervals={**state.intervals, ref.provider: wanted})
        limit = " (the API's minimum)" if wanted == config.min_interval and direction < 0 else ""
        return Outcome(notes=[Note(f"{clean(ref.provider)}: polling every {wanted:g} s{limit}", timeout=3,
                                   key=f"interval:{ref.provider}")])

    def _set_interval(self, provider: str, seconds: float) -> None:
        if self.board.intervals.get(provider) != seconds:
            self.board.intervals[provider] = seconds
            self.engine.set_interval(provider, seconds)

    def _apply_list_intervals(self) -> None:
        """Each provider polls at the active list's override, or at its profile's interval."""
        overrides = self.config.ui.get(self.board.active_name).intervals if self.board.active_name else {}
        for name, config in self.config.providers.providers.items():
            wanted = overrides.get(name)
            if wanted is None:
                wanted = float(config.interval)
            self._set_interval(name, max(config.min_interval, min(MAX_INTERVAL, float(wanted))))

    # -- helpers ---------------------------------------------------------------------------------------

    def _watched(self, key: str) -> bool:
        return any(ref.key == key for watchlist in self.board.lists for ref in watchlist.tasks)

    def _title(self, ref: TaskRef) -> str:
        snapshot = self.board.snapshots.get(ref.key)
        title = ref.label or (snapshot.title if snapshot is not None else "") or ref.id
        return clean(title, limit=60)
