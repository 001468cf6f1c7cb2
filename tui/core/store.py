"""What taskdeck remembers between runs: the last good snapshot of each task and its state transitions.

SQLite through the standard library, in WAL mode, in the state directory. Why:
on the next start the rows open with their last known state at once, finished
tasks are not fetched again (a 10,000-task list that finished yesterday costs
no request), a result the server has since expired stays readable, and
`taskdeck history` can answer "what finished overnight".

Only the engine side writes (tui.core.recorder, in batches, on a thread of its
own); the dashboard and `taskdeck history` read. Two taskdeck processes may share
the file: WAL lets readers run beside the one writer, writes take the lock up
front (BEGIN IMMEDIATE) and wait for it up to `BUSY_TIMEOUT`. A commit survives
the process being killed (synchronous=NORMAL in WAL mode loses only on power loss).

A store that cannot be read is moved aside and a fresh one started; one that
cannot be opened at all (permissions, locked for too long) is replaced by one in
memory. Either way `Store.notice` says what happened and the app starts.

No textual/rich imports here.
"""

from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.model import TaskRef, TaskSnapshot
from tui.core.paths import Paths, ensure_dir
from tui.core.store_rows import COLUMNS, LOAD_AS_JSON, decode_results, from_row, rows_from_json, to_row

log = logging.getLogger("taskdeck.store")

MEMORY_PREFIX = "memory:"
# Transitions older than this are forgotten (`[ui] remember_days` in providers.toml).
DEFAULT_REMEMBER_DAYS = 30.0
BUSY_TIMEOUT = 5.0  # seconds a write waits for another process's transaction
SCHEMA_VERSION = 1
GONE = "gone"  # the to_state of a transition when the server stops knowing a task

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    instance TEXT,
    id TEXT NOT NULL,
    label TEXT,
    state TEXT NOT NULL,
    raw_state TEXT NOT NULL DEFAULT '',
    progress REAL,
    steps_done INTEGER,
    steps_failed INTEGER,
    steps_total INTEGER,
    title TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    created TEXT,
    updated TEXT,
    result TEXT,
    result_cut INTEGER NOT NULL DEFAULT 0,
    fetched_at REAL,
    gone_since REAL
);
CREATE TABLE IF NOT EXISTS transitions (
    key TEXT NOT NULL,
    at REAL NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transitions_by_key ON transitions (key, at);
CREATE INDEX IF NOT EXISTS transitions_by_time ON transitions (at);
"""

_UPSERT = (f"INSERT INTO tasks ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
           "ON CONFLICT(key) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:]))

_memory_names = itertools.count(1)


def remember_days(ui: Mapping[str, object]) -> tuple[float, str | None]:
    """`[ui] remember_days` from providers.toml: days of transitions kept, and a warning for a bad value."""
    value = ui.get("remember_days", DEFAULT_REMEMBER_DAYS)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 3650:
        return float(value), None
    return DEFAULT_REMEMBER_DAYS, (f"ui.remember_days: {value!r} is not a number of days from 1 to 3650; using "
                                   f"{DEFAULT_REMEMBER_DAYS:g} — fix: remember_days = 30")


def store_location(paths: Paths) -> str:
    return str(paths.history)


def memory_location() -> str:
    """A store that lives in this process's memory only (`--demo`); shared by its threads while one is open."""
    return f"{MEMORY_PREFIX}taskdeck-{os.getpid()}-{next(_memory_names)}"


@dataclass(frozen=True, slots=True)
class Transition:
    """A task went from one state to another (`from_state` None: first seen) at `at` (epoch seconds).

    `since` is when the task entered `from_state`, so `at - since` is the time it spent there.
    """

    ref: TaskRef
    from_state: str | None
    to_state: str
    at: float
    since: float | None = None

    @property
    def duration(self) -> float | None:
        return None if self.since is None else max(0.0, self.at - self.since)


@dataclass
class Recorded:
    """What one `Store.record` call wrote."""

    transitions: list[Transition]
    gone_since: dict[str, float]


class Store:
    """One connection to the store. Use it from one thread; open another Store for another thread."""

    def __init__(self, conn: sqlite3.Connection, location: str, notice: str | None = None) -> None:
        self._conn = conn
        self.location = location
        self.notice = notice  # what went wrong while opening, for the user; None when all is well
        self._lock = threading.Lock()

    # -- opening ------------------------------------------------------------------------------------------

    @classmethod
    def open(cls, location: str) -> Store:
        """Open (or create) the store at `location`. Never raises: see the module docstring."""
        if location.startswith(MEMORY_PREFIX):
            return cls(_connect(location), location)
        path = Path(location)
        try:
            ensure_dir(path.parent)
            return cls(_connect(location), location)
        except sqlite3.OperationalError as exc:
            # Cannot open (permissions, a missing directory) or locked for too long: not the file's fault.
            reason = f"{exc}"
        except (sqlite3.DatabaseError, _Damaged) as exc:
            aside = _move_aside(path)
            if aside is not None:
                notice = (f"the history store {path} could not be read ({exc}); it was moved to {aside.name} "
                          "and a fresh one started")
                log.warning("%s", notice)
                try:
                    return cls(_connect(location), location, notice)
                except sqlite3.DatabaseError as again:
                    reason = f"{again}"
            else:
                reason = f"{exc}, and it could not be moved aside"
        except OSError as exc:
            reason = exc.strerror or str(exc)
        notice = f"the history store {path} cannot be used ({reason}); this run remembers nothing"
        log.warning("%s", notice)
        fallback = memory_location()
        return cls(_connect(fallback), fallback, notice)

    def close(self) -> None:
        with self._lock:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass

    @property
    def persistent(self) -> bool:
        return not self.location.startswith(MEMORY_PREFIX)

    # -- reading ------------------------------------------------------------------------------------------

    def load(self, keys: Collection[str] | None = None) -> dict[str, TaskSnapshot]:
        """The remembered snapshot of every task (or of `keys`), marked `remembered`."""
        with self._lock:
            try:
                rows: Sequence[Sequence[Any]] = rows_from_json(self._conn.execute(LOAD_AS_JSON).fetchone()[0])
            except sqlite3.OperationalError:  # an SQLite without JSON: row by row
                rows = self._conn.execute(f"SELECT {', '.join(COLUMNS)} FROM tasks").fetchall()
        if keys is not None:
            wanted = set(keys)
            rows = [row for row in rows if row[0] in wanted]
        return {row[0]: from_row(row, result) for row, result in zip(rows, decode_results(rows), strict=True)}

    def transitions(self, *, since: float | None = None, keys: Collection[str] | None = None) -> list[Transition]:
        """Transitions at or after `since` (all when None), oldest first, of `keys` (all when None)."""
        query = (
            "SELECT t.key, t.at, t.from_state, t.to_state, t.prev_at, k.provider, k.instance, k.id, k.label "
            "FROM (SELECT key, at, from_state, to_state, rowid AS rid, "
            "      LAG(at) OVER (PARTITION BY key ORDER BY at, rowid) AS prev_at FROM transitions) AS t "
            "JOIN tasks AS k ON k.key = t.key WHERE t.at >= ? ORDER BY t.at, t.rid")
        with self._lock:
            rows = self._conn.execute(query, (since if since is not None else float("-inf"),)).fetchall()
        wanted = None if keys is None else set(keys)
        return [Transition(ref=TaskRef(provider=r[5], id=r[7], instance=r[6], label=r[8]), from_state=r[2],
                           to_state=r[3], at=r[1], since=r[4])
                for r in rows if wanted is None or r[0] in wanted]

    def timeline(self, key: str) -> list[Transition]:
        """Every remembered transition of one task, oldest first (the detail pane's timeline)."""
        return self.transitions(keys=[key])

    def counts(self) -> tuple[int, int]:
        """(tasks, transitions) remembered."""
        with self._lock:
            tasks = self._conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
            transitions = self._conn.execute("SELECT count(*) FROM transitions").fetchone()[0]
        return int(tasks), int(transitions)

    # -- writing ------------------------------------------------------------------------------------------

    def record(self, snapshots: Iterable[TaskSnapshot], now: float | None = None) -> Recorded:
        """Write what the snapshots tell, in order, in one transaction; return the transitions it made.

        Only reads that succeeded change a task's data (a failed poll carries old data);
        a gone task keeps its data and gets `gone_since`. Remembered snapshots write nothing.
        """
        now = time.time() if now is None else now
        transitions: list[Transition] = []
        gone_since: dict[str, float] = {}
        rows: dict[str, tuple[Any, ...]] = {}
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                known: dict[str, tuple[str, float | None, float | None]] = {}

                def previous(key: str) -> tuple[str, float | None, float | None] | None:
                    if key not in known:
                        row = conn.execute("SELECT state, gone_since, "
                                           "(SELECT max(at) FROM transitions WHERE key = ?) "
                                           "FROM tasks WHERE key = ?", (key, key)).fetchone()
                        if row is None:
                            return None
                        known[key] = (row[0], row[1], row[2])
                    return known[key]

                for snap in snapshots:
                    key = snap.ref.key
                    at = snap.fetched_at or snap.polled_at or now
                    if snap.gone:
                        at = snap.polled_at or now
                        prev = previous(key)
                        if prev is not None and prev[1] is not None:
                            gone_since[key] = prev[1]
                            continue
                        if key in rows or prev is None:  # write its data first: gone_since goes on top
                            conn.execute(_UPSERT, rows.pop(key) if key in rows else to_row(snap, at))
                        conn.execute("UPDATE tasks SET gone_since = ? WHERE key = ?", (at, key))
                        transitions.append(Transition(snap.ref, prev[0] if prev else None, GONE, at,
                                                      prev[2] if prev else None))
                        known[key] = (prev[0] if prev else snap.state.value, at, at)
                        gone_since[key] = at
                        continue
                    if snap.remembered or snap.error is not None or snap.fetched_at is None:
                        continue
                    prev = previous(key)
                    state = snap.state.value
                    if prev is None or prev[0] != state:
                        transitions.append(Transition(snap.ref, prev[0] if prev else None, state, at,
                                                      prev[2] if prev else None))
                        known[key] = (state, None, at)
                    rows[key] = to_row(snap, at)
                if rows:
                    conn.executemany(_UPSERT, rows.values())
                if transitions:
                    conn.executemany("INSERT INTO transitions (key, at, from_state, to_state) VALUES (?, ?, ?, ?)",
                                     [(t.ref.key, t.at, t.from_state, t.to_state) for t in transitions])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return Recorded(transitions, gone_since)

    def prune(self, *, keep: Collection[str] | None = None, remember_days: float = DEFAULT_REMEMBER_DAYS,
              now: float | None = None) -> tuple[int, int]:
        """Forget transitions older than `remember_days` and, given `keep`, every task not in it.

        Returns (tasks, transitions) removed. Freed pages go back to the file system.
        """
        now = time.time() if now is None else now
        cutoff = now - remember_days * 86400.0
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                dropped = conn.execute("DELETE FROM transitions WHERE at < ?", (cutoff,)).rowcount
                tasks = 0
                if keep is not None:
                    conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep_keys (key TEXT PRIMARY KEY)")
                    conn.execute("DELETE FROM keep_keys")
                    conn.executemany("INSERT OR IGNORE INTO keep_keys VALUES (?)", ((k,) for k in keep))
                    tasks = conn.execute("DELETE FROM tasks WHERE key NOT IN (SELECT key FROM keep_keys)").rowcount
                    dropped += conn.execute(
                        "DELETE FROM transitions WHERE key NOT IN (SELECT key FROM tasks)").rowcount
                    conn.execute("DELETE FROM keep_keys")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            if tasks or dropped:
                conn.execute("PRAGMA incremental_vacuum")
        return tasks, dropped

    def clear(self, keys: Collection[str] | None = None) -> int:
        """Forget every task (or `keys`) and its transitions. Returns how many tasks were forgotten."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                if keys is None:
                    count = conn.execute("DELETE FROM tasks").rowcount
                    conn.execute("DELETE FROM transitions")
                else:
                    count = 0
                    for key in keys:
                        count += conn.execute("DELETE FROM tasks WHERE key = ?", (key,)).rowcount
                        conn.execute("DELETE FROM transitions WHERE key = ?", (key,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("PRAGMA incremental_vacuum")
            if keys is None and self.persistent:
                conn.execute("VACUUM")
        return count


class _Damaged(Exception):
    """The file opened but SQLite's integrity check failed."""


def _connect(location: str) -> sqlite3.Connection:
    memory = location.startswith(MEMORY_PREFIX)
    if memory:
        target, uri = f"file:{location[len(MEMORY_PREFIX):]}?mode=memory&cache=shared", True
    else:
        target, uri = location, False
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False, uri=uri)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        if memory:
            # Threads of one process share a memory store; readers must not block on the writer's table locks.
            conn.execute("PRAGMA read_uncommitted = 1")
        else:
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # takes effect only in a new file
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA journal_size_limit = 4194304")  # the WAL shrinks back after a checkpoint
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        elif not memory:
            check = conn.execute("PRAGMA quick_check(1)").fetchone()
            if check is None or check[0] != "ok":
                raise _Damaged(f"integrity check: {check[0] if check else 'no answer'}")
            # A newer taskdeck's schema must still have what this one reads and writes.
            conn.execute(f"SELECT {', '.join(COLUMNS)} FROM tasks LIMIT 0")
            conn.execute("SELECT key, at, from_state, to_state FROM transitions LIMIT 0")
    except BaseException:
        conn.close()
        raise
    return conn


def _move_aside(path: Path) -> Path | None:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.broken-{stamp}")
    try:
        path.rename(aside)
    except FileNotFoundError:
        aside = path  # nothing to move: the damage was in the WAL
    except OSError:
        return None
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        try:
            side.rename(aside.with_name(aside.name + suffix)) if aside != path else side.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            return None
    return aside
