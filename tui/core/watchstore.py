"""`WatchStore`: the watch lists the dashboard and the CLI read and change.

Every change is applied to the in-memory lists *and* recorded as an operation.
`save()` takes a lock shared by all taskdeck processes, reads the file again, and if
someone else changed it since we read it (another taskdeck, or a hand edit), replays
our operations on top of their version instead of overwriting it: task sets are
unions, our removals and deleted lists stay removed, their removals stay removed too.
Then it writes atomically (temp file, fsync, `os.replace`) and keeps a `.bak`.

A file that could not be read as written (syntax error, wrong type, newer format) makes
the store `blocked`: it keeps working in memory, but `save()` refuses until the file
is fixed and reloaded, or the user chooses another file with `save_as()`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tui.core.atomic import FileStamp, file_lock, read_with_stamp
from tui.core.model import TaskRef
from tui.core.problems import ConfigError, ConfigProblem, did_you_mean
from tui.core.providers_config import ProvidersFile
from tui.core.saver import DebouncedSaver
from tui.core.watch_ops import (
    BrokenFileError,
    Operation,
    op_add,
    op_create,
    op_delete,
    op_follow,
    op_label,
    op_remove,
    op_rename,
    op_unfollow,
    replay_onto_file,
    write_file,
)
from tui.core.watchlists import FollowedInstance, WatchList, WatchlistsFile, decode


class SaveBlockedError(ConfigError):
    """The watch-list file on disk is broken; saving over it would lose what the user wrote."""


class UnknownListError(ConfigError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class SaveResult:
    path: Path | None
    written: bool  # False when the file already had this content, or saving is disabled
    merged: bool = False  # the file had changed on disk; our changes were merged into it


class WatchStore:
    """The watch lists of one `watchlists.toml` (or of memory only, when `path` is None).

    Thread-safe: the dashboard changes lists on its thread while the saver writes in
    another. Readers get copies.
    """

    def __init__(
        self,
        path: Path | None,
        providers: ProvidersFile | None = None,
        *,
        save_delay: float = 0.5,
        autosave: bool = True,
        lock_timeout: float = 10.0,
        on_saved: Callable[[SaveResult | None, BaseException | None], None] | None = None,
    ) -> None:
        self.path = path
        self.providers = providers
        self.lock_timeout = lock_timeout
        self.autosave = autosave  # changes schedule a debounced background save
        self._lock = threading.RLock()
        self._save_lock = threading.Lock()
        self._base = WatchlistsFile()  # the file as last read or written
        self._stamp: FileStamp | None = None
        self._current = WatchlistsFile()
        self._ops: list[Operation] = []
        self.problems: list[ConfigProblem] = []
        self.revision = 0  # bumps on every change, local or merged in from disk
        self._saver: DebouncedSaver[SaveResult] = DebouncedSaver(self.save, delay=save_delay, on_result=on_saved)

    # -- construction -----------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        providers: ProvidersFile | None = None,
        *,
        save_delay: float = 0.5,
        autosave: bool = True,
        lock_timeout: float = 10.0,
        on_saved: Callable[[SaveResult | None, BaseException | None], None] | None = None,
    ) -> WatchStore:
        """A store for `path`, loaded. Check `problems` and `blocked` afterwards."""
        store = cls(path, providers, save_delay=save_delay, autosave=autosave, lock_timeout=lock_timeout,
                    on_saved=on_saved)
        store.load()
        return store

    @classmethod
    def in_memory(cls, lists: Iterable[WatchList] = (), providers: ProvidersFile | None = None) -> WatchStore:
        """A store that never writes anything (the demo mode)."""
        store = cls(None, providers)
        store._base = WatchlistsFile(lists=[w.copy() for w in lists])
        store._current = store._base.copy()
        return store

    @property
    def saving_enabled(self) -> bool:
        return self.path is not None

    @property
    def blocked(self) -> bool:
        """True while the file on disk is broken: `save()` refuses until it is fixed or `save_as()` is used."""
        with self._lock:
            return any(p.is_error for p in self.problems)

    @property
    def dirty(self) -> bool:
        """There are changes not yet written."""
        with self._lock:
            return bool(self._ops)

    # -- loading ----------------------------------------------------------------------------------------

    def load(self) -> list[ConfigProblem]:
        """(Re)read the file. Changes made in memory and not saved yet are kept on top of it."""
        if self.path is None:
            return []
        with self._save_lock:  # not in the middle of our own save
            return self._load(self.path)

    def _load(self, path: Path) -> list[ConfigProblem]:
        try:
            found = read_with_stamp(path)
        except OSError as exc:
            problem = ConfigProblem(path, None, "", f"cannot read the file: {exc.strerror}", "check its permissions")
            with self._lock:
                self.problems = [problem]
            return [problem]
        problems: list[ConfigProblem] = []
        stamp: FileStamp | None = None
        if found is None:
            doc = WatchlistsFile()
        else:
            doc, problems = decode(found[0], path, self.providers)
            stamp = found[1]
        with self._lock:
            self._base = doc
            self._stamp = stamp
            self._current = doc.copy()
            for op in self._ops:
                op(self._current)
            self.problems = problems
            self.revision += 1
        return problems

    # -- reading ----------------------------------------------------------------------------------------

    @property
    def lists(self) -> list[WatchList]:
        with self._lock:
            return [w.copy() for w in self._current.lists]

    @property
    def names(self) -> list[str]:
        with self._lock:
            return [w.name for w in self._current.lists]

    def get(self, name: str) -> WatchList | None:
        with self._lock:
            found = self._current.get(name)
            return found.copy() if found is not None else None

    def resolve_name(self, name: str) -> str:
        """The list called `name` (exactly, else case-insensitively); UnknownListError says what exists."""
        with self._lock:
            names = [w.name for w in self._current.lists]
        if name in names:
            return name
        folded = [n for n in names if n.casefold() == name.casefold()]
        if len(folded) == 1:
            return folded[0]
        guess = did_you_mean(name, names)
        message = f"no watch list named '{name}'"
        if guess:
            message += f" — did you mean '{guess}'?"
        message += f" (lists: {', '.join(names)})" if names else " (there are no watch lists yet)"
        raise UnknownListError(message)

    def find_list(self, name: str) -> WatchList:
        """The list for `taskdeck --watchlist NAME`; raises UnknownListError with a suggestion."""
        found = self.get(self.resolve_name(name))
        assert found is not None
        return found

    # -- changing -----------------------------------------------------------------------------------------

    def _apply(self, op: Operation) -> object:
        with self._lock:
            result = op(self._current)
            self._ops.append(op)
            self.revision += 1
        if self.autosave:
            self.schedule_save()
        return result

    def _require(self, name: str) -> WatchList:
        found = self._current.get(name)
        if found is None:
            raise UnknownListError(f"no watch list named '{name}'")
        return found

    @staticmethod
    def _check_name(name: str) -> None:
        if not name or not name.strip():
            raise ValueError("a watch list needs a name")

    def create_list(self, name: str) -> None:
        self._check_name(name)
        with self._lock:
            if self._current.get(name) is not None:
                raise ValueError(f"a watch list named '{name}' already exists")
            self._apply(lambda doc: op_create(doc, name))

    def add_tasks(self, list_name: str, refs: Iterable[TaskRef], *, create: bool = True) -> list[TaskRef]:
        """Append the tasks not already in the list (by provider/instance/id); returns those added.

        Creates the list if missing (unless `create` is False).
        """
        batch = tuple(refs)
        with self._lock:
            if not create:
                self._require(list_name)
            else:
                self._check_name(list_name)
            target = self._current.get(list_name)
            present = {t.key for t in target.tasks} if target is not None else set()
            if target is not None and all(ref.key in present for ref in batch):
                return []
            added = self._apply(lambda doc: op_add(doc, list_name, batch))
        assert isinstance(added, list)
        return added

    def remove_task(self, list_name: str, task: TaskRef | str) -> bool:
        key = task if isinstance(task, str) else task.key
        with self._lock:
            if self._require(list_name).index_of(key) is None:
                return False
            self._apply(lambda doc: op_remove(doc, list_name, key))
            return True

    def set_label(self, list_name: str, task: TaskRef | str, label: str | None) -> bool:
        key = task if isinstance(task, str) else task.key
        with self._lock:
            target = self._require(list_name)
            index = target.index_of(key)
            if index is None or target.tasks[index].label == label:
                return False
            self._apply(lambda doc: op_label(doc, list_name, key, label))
            return True

    def rename_list(self, old: str, new: str) -> None:
        self._check_name(new)
        with self._lock:
            self._require(old)
            if old == new:
                return
            if self._current.get(new) is not None:
                raise ValueError(f"a watch list named '{new}' already exists")
            self._apply(lambda doc: op_rename(doc, old, new))

    def delete_list(self, name: str) -> bool:
        with self._lock:
            if self._current.get(name) is None:
                return False
            self._apply(lambda doc: op_delete(doc, name))
            return True

    def follow_instance(self, list_name: str, provider: str, instance: str, since: str | None = None) -> bool:
        """Follow every background task of an instance in this list (created if missing); `since`
        limits how far back its tasks are listed (tui.core.since)."""
        self._check_name(list_name)
        entry = FollowedInstance(provider, instance, since)
        with self._lock:
            target = self._current.get(list_name)
            if target is not None and entry in target.instances:
                return False
            self._apply(lambda doc: op_follow(doc, list_name, entry))
            return True

    def unfollow_instance(self, list_name: str, provider: str, instance: str) -> bool:
        entry = FollowedInstance(provider, instance)
        with self._lock:
            if entry not in self._require(list_name).instances:
                return False
            self._apply(lambda doc: op_unfollow(doc, list_name, entry))
            return True

    # -- saving -------------------------------------------------------------------------------------------

    def _blocked_error(self, problems: list[ConfigProblem]) -> SaveBlockedError:
        errors = [p for p in problems if p.is_error]
        first = errors[0] if errors else None
        return SaveBlockedError(
            f"not saving {self.path}: the file has errors ({first}); "
            "fix the file and reload, or save the watch lists to another file",
            errors,
        )

    def _saved(self, doc: WatchlistsFile, stamp: FileStamp, done: int) -> list[Operation]:
        """(Under the lock.) The file now holds `doc`; the operations after the first `done` are still to save."""
        later = self._ops[done:]
        self._base, self._stamp, self._ops = doc, stamp, later
        return later

    def save(self) -> SaveResult:
        """Write the lists now (merging with changes made on disk since we read it)."""
        path = self.path
        if path is None:
            with self._lock:
                self._ops.clear()
            return SaveResult(None, written=False)
        with self._save_lock:
            with self._lock:
                if self.blocked:
                    raise self._blocked_error(self.problems)
                ops = list(self._ops)
                base = self._base
                base_stamp = self._stamp
            try:
                done = replay_onto_file(path, base, base_stamp, ops, self.providers, self.lock_timeout)
            except BrokenFileError as exc:
                with self._lock:
                    self.problems = exc.problems
                raise self._blocked_error(exc.problems) from None
            doc, written, merged = done.doc, done.written, done.merged
            with self._lock:
                later = self._saved(doc, done.stamp, len(ops))
                if merged:
                    self._current = doc.copy()
                    for op in later:
                        op(self._current)
                    self.revision += 1
            return SaveResult(path, written=written, merged=merged)

    def save_as(self, path: Path) -> SaveResult:
        """Write the lists to another file (e.g. when the usual one is broken); it becomes this store's file."""
        with self._save_lock:
            with self._lock:
                doc = self._current.copy()
                count = len(self._ops)
            with file_lock(path, self.lock_timeout):
                written, stamp = write_file(path, doc)
            with self._lock:
                self.path = path
                self._saved(doc, stamp, count)
                self.problems = []
            return SaveResult(path, written=written)

    def schedule_save(self) -> None:
        """Save within ~0.5 s in a worker thread; calls in between are folded into one write.

        Does nothing while `blocked` (the dashboard shows the problems; `flush()` on quit
        raises SaveBlockedError so the user can choose to save elsewhere).
        """
        if self.path is not None and not self.blocked:
            self._saver.schedule()

    def flush(self, timeout: float | None = 30.0) -> SaveResult | None:
        """Write pending changes now (on quit). Raises what the save raised."""
        if self.path is None or (not self.dirty and not self._saver.pending):
            self._saver.flush(timeout)  # wait for a save in progress, if any
            return None
        self._saver.schedule()
        return self._saver.flush(timeout)

    def close(self, timeout: float | None = 30.0) -> SaveResult | None:
        """Flush and stop the background saver."""
        if self.path is not None and self.dirty:
            self._saver.schedule()
        return self._saver.close(timeout)

    @property
    def saver(self) -> DebouncedSaver[SaveResult]:
        return self._saver
