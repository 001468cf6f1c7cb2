"""The changes a WatchStore records, as operations on a watch-list document, and replaying them on the file.

Each operation is lenient (a list that is gone is created again, a task already there is not added
twice), so that `WatchStore.save()` can replay them cleanly on someone else's version of the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.core.atomic import FileStamp, atomic_write, file_lock, read_with_stamp, remove_stale_temps, stamp_of
from tui.core.model import TaskRef
from tui.core.problems import ConfigProblem
from tui.core.providers_config import ProvidersFile
from tui.core.watchlists import FollowedInstance, WatchList, WatchlistsFile, decode, dumps

Operation = Callable[[WatchlistsFile], object]


class BrokenFileError(Exception):
    """The file on disk has errors: replaying onto it would lose what its author wrote."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__(str(problems[0]) if problems else "the file has errors")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Replayed:
    doc: WatchlistsFile  # what the file holds now
    stamp: FileStamp
    written: bool  # False when the file already had this content
    merged: bool  # the file had changed since `base`: the operations were replayed on its version


def write_file(path: Path, doc: WatchlistsFile) -> tuple[bool, FileStamp]:
    """Write `doc` atomically, keeping a .bak (the caller holds the file lock)."""
    data = dumps(doc).encode("utf-8")
    written = atomic_write(path, data, backup=True)
    return written, stamp_of(data, os.stat(path))


def replay_onto_file(path: Path, base: WatchlistsFile, base_stamp: FileStamp | None, ops: Sequence[Operation],
                     providers: ProvidersFile | None, lock_timeout: float) -> Replayed:
    """Under the lock shared by all taskdeck processes: read the file again and apply `ops` to it.

    If nobody changed it since we read `base` (or it is gone), `ops` go onto `base`; otherwise onto
    their version. Raises BrokenFileError when their version has errors.
    """
    with file_lock(path, lock_timeout):
        remove_stale_temps(path)
        found = read_with_stamp(path)
        merged = False
        if found is None or (base_stamp is not None and found[1].sha256 == base_stamp.sha256):
            # Unchanged since we read it (or deleted: then ours is all there is).
            doc = base.copy()
        else:
            doc, problems = decode(found[0], path, providers)
            if any(p.is_error for p in problems):
                raise BrokenFileError(problems)
            merged = True
        for op in ops:
            op(doc)
        written, stamp = write_file(path, doc)
    return Replayed(doc, stamp, written, merged)


def list_in(doc: WatchlistsFile, name: str, create: bool = True) -> WatchList | None:
    found = doc.get(name)
    if found is None and create:
        found = WatchList(name)
        doc.lists.append(found)
    return found


def op_create(doc: WatchlistsFile, name: str) -> None:
    list_in(doc, name)


def op_add(doc: WatchlistsFile, name: str, refs: tuple[TaskRef, ...]) -> list[TaskRef]:
    target = list_in(doc, name)
    assert target is not None
    present = {t.key for t in target.tasks}
    added = []
    for ref in refs:
        if ref.key not in present:
            present.add(ref.key)
            target.tasks.append(ref)
            added.append(ref)
    return added


def op_remove(doc: WatchlistsFile, name: str, key: str) -> bool:
    target = list_in(doc, name, create=False)
    if target is None:
        return False
    index = target.index_of(key)
    if index is None:
        return False
    del target.tasks[index]
    target.task_extra.pop(key, None)
    return True


def op_label(doc: WatchlistsFile, name: str, key: str, label: str | None) -> bool:
    target = list_in(doc, name, create=False)
    index = target.index_of(key) if target is not None else None
    if target is None or index is None:
        return False
    old = target.tasks[index]
    target.tasks[index] = TaskRef(old.provider, old.id, old.instance, label)
    return True


def op_rename(doc: WatchlistsFile, old: str, new: str) -> None:
    source = doc.get(old)
    if source is None:
        return
    target = doc.get(new)
    if target is None:
        source.name = new
        return
    # Someone else created `new` meanwhile: merge ours into theirs.
    op_add(doc, new, tuple(source.tasks))
    for key, extra in source.task_extra.items():
        target.task_extra.setdefault(key, extra)
    for instance in source.instances:
        op_follow(doc, new, instance)
    doc.lists.remove(source)


def op_delete(doc: WatchlistsFile, name: str) -> bool:
    target = doc.get(name)
    if target is None:
        return False
    doc.lists.remove(target)
    return True


def op_follow(doc: WatchlistsFile, name: str, instance: FollowedInstance) -> bool:
    target = list_in(doc, name)
    assert target is not None
    if instance in target.instances:
        return False
    target.instances.append(instance)
    return True


def op_unfollow(doc: WatchlistsFile, name: str, instance: FollowedInstance) -> bool:
    target = list_in(doc, name, create=False)
    if target is None or instance not in target.instances:
        return False
    target.instances.remove(instance)
    target.instance_extra.pop(instance.key, None)
    return True
