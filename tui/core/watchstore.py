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

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tui.core.atomic import FileStamp, atomic_write, file_lock, read_with_stamp, remove_stale_temps, stamp_of
from tui.core.model import TaskRef
from tui.core.problems import ConfigError, ConfigProblem, did_you_mean
from tui.core.providers_config import ProvidersFile
from tui.core.saver import DebouncedSaver
from tui.core.watchlists import FollowedInstance, WatchList, WatchlistsFile, decode, dumps

Operation = Callable[[WatchlistsFile], object]


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


# --- operations: lenient, so that they replay cleanly on someone else's version of the file ------------


def _list(doc: WatchlistsFile, name: str, create: bool = True) -> WatchList | None:
    found = doc.get(name)
    if found is None and create:
        found = WatchList(name)
        doc.lists.append(found)
    return found


def _op_create(doc: WatchlistsFile, name: str) -> None:
    _list(doc, name)


def _op_add(doc: WatchlistsFile, name: str, refs: tuple[TaskRef, ...]) -> list[TaskRef]:
    target = _list(doc, name)
    assert target is not None
    present = {t.key for t in target.tasks}
    added = []
    for ref in refs:
        if ref.key not in present:
            present.add(ref.key)
            target.tasks.append(ref)
            added.append(ref)
    return added


def _op_remove(doc: WatchlistsFile, name: str, key: str) -> bool:
    target = _list(doc, name, create=False)
    if target is None:
        return False
    index = target.index_of(key)
    if index is None:
        return False
    del target.tasks[index]
    target.task_extra.pop(key, None)
    return True


def _op_label(doc: WatchlistsFile, name: str, key: str, label: str | None) -> bool:
    target = _list(doc, name, create=False)
    index = target.index_of(key) if target is not None else None
    if target is None or index is None:
        return False
    old = target.tasks[index]
    target.tasks[index] = TaskRef(old.provider, old.id, old.instance, label)
    return True


def _op_rename(doc: WatchlistsFile, old: str, new: str) -> None:
    source = doc.get(old)
    if source is None:
        return
    target = doc.get(new)
    if target is None:
        source.name = new
        return
    # Someone else created `new` meanwhile: merge ours into theirs.
    _op_add(doc, new, tuple(source.tasks))
    for key, extra in source.task_extra.items():
        target.task_extra.setdefault(key, extra)
    for instance in source.instances:
        _op_follow(doc, new, instance)
    doc.lists.remove(source)


def _op_delete(doc: WatchlistsFile, name: str) -> bool:
    target = doc.get(name)
    if target is None:
        return False
    doc.lists.remove(target)
    return True


def _op_follow(doc: WatchlistsFile, name: str, instance: FollowedInstance) -> bool:
    target = _list(doc, name)
    assert target is not None
    if instance in target.instances:
        return False
    target.instances.append(instance)
    return True


def _op_unfollow(doc: WatchlistsFile, name: str, instance: FollowedInstance) -> bool:
    target = _list(doc, name, create=False)
    if target is None or instance not in target.instances:
        return False
    target.instances.remove(instance)
    target.instance_extra.pop(instance.key, None)
    return True


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
            self._apply(lambda doc: _op_create(doc, name))

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
            added = self._apply(lambda doc: _op_add(doc, list_name, batch))
        assert isinstance(added, list)
        return added

    def remove_task(self, list_name: str, task: TaskRef | str) -> bool:
        key = task if isinstance(task, str) else task.key
        with self._lock:
            if self._require(list_name).index_of(key) is None:
                return False
            self._apply(lambda doc: _op_remove(doc, list_name, key))
            return True

    def set_label(self, list_name: str, task: TaskRef | str, label: str | None) -> bool:
        key = task if isinstance(task, str) else task.key
        with self._lock:
            target = self._require(list_name)
            index = target.index_of(key)
            if index is None or target.tasks[index].label == label:
                return False
            self._apply(lambda doc: _op_label(doc, list_name, key, label))
            return True

    def rename_list(self, old: str, new: str) -> None:
        self._check_name(new)
        with self._lock:
            self._require(old)
            if old == new:
                return
            if self._current.get(new) is not None:
                raise ValueError(f"a watch list named '{new}' already exists")
            self._apply(lambda doc: _op_rename(doc, old, new))

    def delete_list(self, name: str) -> bool:
        with self._lock:
            if self._current.get(name) is None:
                return False
            self._apply(lambda doc: _op_delete(doc, name))
            return True

    def follow_instance(self, list_name: str, provider: str, instance: str) -> bool:
        """Follow every background task of an instance in this list (created if missing)."""
        self._check_name(list_name)
        entry = FollowedInstance(provider, instance)
        with self._lock:
            target = self._current.get(list_name)
            if target is not None and entry in target.instances:
                return False
            self._apply(lambda doc: _op_follow(doc, list_name, entry))
            return True

    def unfollow_instance(self, list_name: str, provider: str, instance: str) -> bool:
        entry = FollowedInstance(provider, instance)
        with self._lock:
            if entry not in self._require(list_name).instances:
                return False
            self._apply(lambda doc: _op_unfollow(doc, list_name, entry))
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
            with file_lock(path, self.lock_timeout):
                remove_stale_temps(path)
                found = read_with_stamp(path)
                merged = False
                if found is None or (base_stamp is not None and found[1].sha256 == base_stamp.sha256):
                    # Unchanged since we read it (or deleted: then ours is all there is).
                    doc = base.copy()
                else:
                    doc, problems = decode(found[0], path, self.providers)
                    if any(p.is_error for p in problems):
                        with self._lock:
                            self.problems = problems
                        raise self._blocked_error(problems)
                    merged = True
                for op in ops:
                    op(doc)
                data = dumps(doc).encode("utf-8")
                written = atomic_write(path, data, backup=True)
                stamp = stamp_of(data, os.stat(path))
            with self._lock:
                later = self._ops[len(ops) :]
                self._base = doc
                self._stamp = stamp
                self._ops = later
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
            data = dumps(doc).encode("utf-8")
            with file_lock(path, self.lock_timeout):
                written = atomic_write(path, data, backup=True)
                stamp = stamp_of(data, os.stat(path))
            with self._lock:
                self.path = path
                later = self._ops[count:]
                self._base = doc
                self._stamp = stamp
                self._ops = later
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
