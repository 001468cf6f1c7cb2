"""Per-state counts for the header and the sidebar, kept up to date from each batch's changes.

Why: the header and the sidebar were recounted from scratch (every task of the active
list, of each provider, instance and list: ~50 ms at 10,000 tasks), and nearly every
batch carries provider health, so nearly every flush recounted. Now a batch only
moves the tasks whose counted state changed from one count to another; everything
is recounted in one pass only when the watch lists change (the store's revision) or
another list becomes the active one.

A task is counted under the word its state is shown as (`tui.core.display.shown_state`)
once it has been read (`fetched_at` set), as `Board.counts` does; never-read tasks are in
the totals but in no count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from tui.core.config import Config
from tui.core.display import shown_state
from tui.core.model import TaskSnapshot


def counted_state(snapshot: TaskSnapshot | None) -> str | None:
    """The word a task is counted under (None: not read yet)."""
    return shown_state(snapshot) if snapshot is not None and snapshot.fetched_at is not None else None


def _finished(snapshot: TaskSnapshot | None) -> bool:
    return snapshot is not None and snapshot.finished


class Tally:
    """Counts by shown state word per list, provider and (provider, instance), and for the active list."""

    def __init__(self) -> None:
        self._stamp: tuple[object, ...] | None = None
        self._groups: dict[str, list[Counter[str]]] = {}  # task key -> the counts it is part of
        self._counted: dict[str, str | None] = {}
        self._active_keys: frozenset[str] = frozenset()
        self.lists: dict[str, Counter[str]] = {}
        self.providers: dict[str, Counter[str]] = {}
        self.instances: dict[str, dict[str, Counter[str]]] = {}  # provider -> instance -> counts
        self.follows: set[tuple[str, str]] = set()
        self.active: Counter[str] = Counter()
        self.active_total = 0
        self.active_finished = 0
        self.rebuilds = 0

    def stamp(self, config: Config, active_name: str | None) -> tuple[object, ...]:
        return (id(config.watch), config.watch.revision, active_name, id(config.providers.providers))

    def ensure(self, config: Config, active_name: str | None, snapshots: Mapping[str, TaskSnapshot]) -> None:
        """Recount everything if the lists or the active list changed since the last count."""
        stamp = self.stamp(config, active_name)
        if stamp != self._stamp:
            self._rebuild(config, active_name, snapshots)
            self._stamp = stamp

    def _rebuild(self, config: Config, active_name: str | None, snapshots: Mapping[str, TaskSnapshot]) -> None:
        self.rebuilds += 1
        lists = config.watch.lists
        providers = config.providers.providers
        groups: dict[str, list[Counter[str]]] = {}
        self.lists = {w.name: Counter() for w in lists}
        self.providers = {name: Counter() for name in providers}
        self.follows = {(f.provider, f.instance) for w in lists for f in w.instances}
        self.instances = {name: {} for name, p in providers.items() if p.needs_instance}
        for provider, instance in self.follows:
            if provider in self.instances:
                self.instances[provider].setdefault(instance, Counter())
        active_keys: set[str] = set()
        for watchlist in lists:
            counts = self.lists[watchlist.name]
            is_active = watchlist.name == active_name
            for ref in watchlist.tasks:
                key = ref.key
                mine = groups.get(key)
                if mine is None:  # the first list that holds a task names its provider and instance
                    mine = groups[key] = []
                    if ref.provider in self.providers:
                        mine.append(self.providers[ref.provider])
                    by_instance = self.instances.get(ref.provider)
                    if by_instance is not None:
                        mine.append(by_instance.setdefault(ref.instance or "", Counter()))
                mine.append(counts)
                if is_active:
                    active_keys.add(key)
        self.instances = {p: dict(sorted(found.items())) for p, found in self.instances.items()}
        self._groups = groups
        self._active_keys = frozenset(active_keys)
        self.active = self.lists.get(active_name, Counter()) if active_name else Counter()
        self.active_total = len(active_keys)
        self.active_finished = sum(1 for key in active_keys if _finished(snapshots.get(key)))
        self._counted = {}
        for key, mine in groups.items():
            state = counted_state(snapshots.get(key))
            self._counted[key] = state
            if state is not None:
                for counts in mine:
                    counts[state] += 1

    def update(self, key: str, old: TaskSnapshot | None, new: TaskSnapshot) -> None:
        """A task's snapshot changed from `old` to `new`: move it between counts if its state changed."""
        mine = self._groups.get(key)
        if mine is None:
            return
        state = counted_state(new)
        was = self._counted.get(key)
        if state != was:
            self._counted[key] = state
            for counts in mine:
                if was is not None:
                    left = counts[was] - 1
                    if left:
                        counts[was] = left
                    else:
                        del counts[was]
                if state is not None:
                    counts[state] += 1
        if key in self._active_keys:
            self.active_finished += _finished(new) - _finished(old)
