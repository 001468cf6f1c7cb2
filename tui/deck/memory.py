"""The session's side of the history store: tidy it at start, read a task's timeline on demand.

The engine writes the store (tui.core.recorder); the session only reads it, and prunes it once
at start, because only the session knows every watch list (a task in none of them is forgotten).
Every method here blocks on the database: call them from a worker thread, never the UI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace

from tui.core.model import TaskSnapshot
from tui.core.recall import Stay, timeline
from tui.core.store import Store, remember_days
from tui.core.text import clean
from tui.deck.board import Board
from tui.deck.outcome import WARNING, Note

log = logging.getLogger("taskdeck.store")


class SessionMemory:
    def __init__(self, location: str, ui: Mapping[str, object]) -> None:
        self.location = location
        self.remember_days, _ = remember_days(ui)  # a bad value was reported with providers.toml
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._notes: list[str] = []
        self._tidied = False
        self._remembered: dict[str, TaskSnapshot] | None = None  # for the board, taken once
        self._all: dict[str, TaskSnapshot] | None = None  # for the engine (read-only), every time
        self.loaded = threading.Event()  # set once `load` has run, whatever its outcome
        self.tidied = threading.Event()  # set once `housekeeping` has run, whatever its outcome
        self._started = False  # `start` was called
        self._read = False  # and its callbacks were called
        self._callbacks: list[Callable[[], None]] = []

    def _open(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store.open(self.location)
                if self._store.notice:
                    self._notes.append(self._store.notice)
            return self._store

    def housekeeping(self, keys: Iterable[str]) -> None:
        """Once per session: forget tasks in no list and transitions past `[ui] remember_days`."""
        with self._lock:
            if self._tidied:
                return
            self._tidied = True
        try:
            tasks, transitions = self._open().prune(keep=set(keys), remember_days=self.remember_days)
        except Exception as exc:  # noqa: BLE001 - tidying is never worth stopping the session
            log.warning("the history store could not be pruned: %s", exc)
            return
        finally:
            self.tidied.set()
        if tasks or transitions:
            log.info("history store: forgot %d task(s) in no list and %d old state change(s)", tasks, transitions)

    def load(self, keys: Collection[str]) -> None:
        """Read the remembered snapshots of `keys` (a thread of its own, at start).

        Opening the store checks it (a damaged one is moved aside), so once `loaded` is set the
        engine may open it too. Tidying comes after, in `start`: the first rows wait for the
        read, not for the prune.
        """
        try:
            try:
                remembered = self._open().load(keys)
            except Exception as exc:  # noqa: BLE001 - an unreadable memory is an empty one
                log.warning("the history store could not be read: %s", exc)
                remembered = {}
            with self._lock:
                self._remembered = remembered
                self._all = remembered
        finally:
            self.loaded.set()

    def snapshots(self) -> dict[str, TaskSnapshot] | None:
        """Everything `load` read (None before, or if it could not): the thread engine's memory."""
        with self._lock:
            return self._all

    def take_remembered(self) -> dict[str, TaskSnapshot]:
        """The snapshots `load` read, once (then {})."""
        with self._lock:
            remembered, self._remembered = self._remembered or {}, {}
        return remembered

    def timeline(self, key: str) -> list[Stay]:
        try:
            return timeline(self._open().timeline(key), time.time())
        except Exception as exc:  # noqa: BLE001 - a timeline that cannot be read is shown as none
            log.warning("the history store could not be read: %s", exc)
            return []

    def take_notes(self) -> list[Note]:
        with self._lock:
            notes, self._notes = self._notes, []
        return [Note(clean(text), title="History", severity=WARNING, timeout=15) for text in notes]

    def start(self, keys: list[str], done: Callable[[], None] = lambda: None) -> None:
        """`load` in a thread of its own, then `done()` (from that thread), then `housekeeping`.

        Once started, a later call only adds its `done`, called at once if the read is over: the
        `taskdeck` command starts the read before it imports the app, and the app asks again.
        """
        with self._lock:
            if self._started:
                if not self._read:
                    self._callbacks.append(done)
                    return
            else:
                self._started = True
                self._callbacks.append(done)
                threading.Thread(target=self._load_then_tidy, args=(keys,), name="taskdeck-memory",
                                 daemon=True).start()
                return
        done()  # the read is over

    def _load_then_tidy(self, keys: list[str]) -> None:
        self.load(keys)
        with self._lock:
            callbacks, self._callbacks = self._callbacks, []
            self._read = True
        for done in callbacks:
            done()
        self.housekeeping(keys)

    def seed(self, board: Board) -> set[str]:
        """Put what `load` read on the board where nothing newer is known; the active rows that changed."""
        if not self.loaded.is_set():
            return set()
        refs = {ref.key: ref for ref in board.all_refs()}
        changed: set[str] = set()
        for key, snapshot in self.take_remembered().items():
            ref = refs.get(key)
            if ref is None or key in board.snapshots:
                continue
            board.snapshots[key] = snapshot if snapshot.ref == ref else replace(snapshot, ref=ref)
            if board.in_active(key):
                changed.add(key)
        return changed

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
