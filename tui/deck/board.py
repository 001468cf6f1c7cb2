"""What the dashboard knows, without any widget: snapshots, health, the active list.

The session controller (tui.deck.controller) feeds engine batches in with `apply()`
and gets back what changed, so the screen touches only changed rows and learns which
changes deserve a notification. Kept free of textual so it can be tested on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from tui.core.config import Config, WatchList
from tui.core.display import shown_state
from tui.core.engine import Batch
from tui.core.model import HealthStatus, Listing, ProviderHealth, TaskRef, TaskSnapshot, TaskState
from tui.deck.nodes import ListNode, ProviderNode
from tui.deck.tally import Tally


@dataclass
class Changes:
    """The outcome of applying one batch."""

    active: set[str] = field(default_factory=set)  # keys of changed rows in the active list
    finished: list[TaskSnapshot] = field(default_factory=list)  # tasks that just reached a terminal state
    went_down: list[ProviderHealth] = field(default_factory=list)
    came_back: list[ProviderHealth] = field(default_factory=list)
    discovered: list[TaskRef] = field(default_factory=list)
    snapshots: dict[str, TaskSnapshot] = field(default_factory=dict)  # the batch's new snapshots, by key
    health: dict[str, ProviderHealth] = field(default_factory=dict)  # the batch's provider health
    listings: dict[tuple[str, str], Listing] = field(default_factory=dict)  # followed instances listed

    def __bool__(self) -> bool:
        return bool(self.snapshots or self.health or self.discovered or self.listings)


_DOWN = (HealthStatus.UNREACHABLE, HealthStatus.AUTH_FAILED)


def watched_refs(lists: Iterable[WatchList]) -> list[TaskRef]:
    """Every task of `lists` once, in list order."""
    seen: dict[str, TaskRef] = {}
    for watchlist in lists:
        for ref in watchlist.tasks:
            seen.setdefault(ref.key, ref)
    return list(seen.values())


class Board:
    def __init__(self, config: Config, active: str | None = None) -> None:
        self.config = config
        self.snapshots: dict[str, TaskSnapshot] = {}
        self.health: dict[str, ProviderHealth] = {}
        # The interval in force per provider, as the session set it (the engine's health reports it
        # only after its next read, which made quick +/- presses work from a stale value).
        self.intervals: dict[str, float] = {}
        # The newest listing of each followed instance (provider, instance): its error or warning shows.
        self.listings: dict[tuple[str, str], Listing] = {}
        # Names of DMS instances and APIG gateways by provider, from their list APIs (the screen asks).
        self.instance_names: dict[str, dict[str, str]] = {}
        names = config.watch.names
        self.active_name: str | None = active if active in names else (names[0] if names else None)
        self._active: dict[str, TaskRef] = {}
        self.tally = Tally()  # the counts of the header and the sidebar, kept per batch
        self.refresh_active()

    # -- lists ----------------------------------------------------------------------------------

    @property
    def lists(self) -> list[WatchList]:
        return self.config.watch.lists

    @property
    def active(self) -> WatchList | None:
        return self.config.watch.get(self.active_name) if self.active_name else None

    def refresh_active(self) -> None:
        """Recompute the active list's task keys (after switching or editing lists)."""
        self._active = {ref.key: ref for ref in self.active_refs()}

    def active_ref(self, key: str) -> TaskRef | None:
        return self._active.get(key)

    def active_refs(self) -> list[TaskRef]:
        return list(self.active.tasks) if self.active else []

    def in_active(self, key: str) -> bool:
        return key in self._active

    def all_refs(self) -> list[TaskRef]:
        """Every watched task once, across all lists (the engine polls these)."""
        return watched_refs(self.lists)

    def follows(self) -> set[tuple[str, str]]:
        return {(f.provider, f.instance) for w in self.lists for f in w.instances}

    def lists_following(self, provider: str, instance: str | None) -> list[str]:
        return [w.name for w in self.lists
                if any(f.provider == provider and f.instance == instance for f in w.instances)]

    # -- engine results ---------------------------------------------------------------------------

    def apply(self, batch: Batch) -> Changes:
        changes = Changes(snapshots=batch.snapshots, health=batch.health)
        tally = self.tally.update
        for key, snapshot in batch.snapshots.items():
            previous = self.snapshots.get(key)
            if snapshot.remembered and snapshot.polled_at is None and previous is not None:
                # What an engine read from the store never replaces what is known already (the session
                # seeded it, or a restarted engine recalls a task this session has read since).
                continue
            self.snapshots[key] = snapshot
            tally(key, previous, snapshot)
            if key in self._active:
                changes.active.add(key)
            if (previous is not None and previous.fetched_at is not None and not previous.state.is_terminal
                    and snapshot.state.is_terminal):
                changes.finished.append(snapshot)
        for name, health in batch.health.items():
            previous_health = self.health.get(name)
            self.health[name] = health
            was_down = previous_health is not None and previous_health.status in _DOWN
            if health.status in _DOWN and not was_down:
                changes.went_down.append(health)
            elif health.status is HealthStatus.OK and was_down:
                changes.came_back.append(health)
        changes.discovered = list(batch.discovered)
        for instance, listing in batch.listings.items():
            self.listings[instance] = listing
        changes.listings = dict(batch.listings)
        return changes

    def interval(self, provider: str) -> float:
        if provider in self.intervals:
            return self.intervals[provider]
        health = self.health.get(provider)
        if health is not None:
            return health.interval
        config = self.config.providers.providers.get(provider)
        return float(config.interval) if config else 5.0

    # -- counts -------------------------------------------------------------------------------------

    def state_of(self, ref: TaskRef) -> TaskState | None:
        snapshot = self.snapshots.get(ref.key)
        return snapshot.state if snapshot is not None and snapshot.fetched_at is not None else None

    def counts(self, refs: Iterable[TaskRef]) -> Counter[str]:
        """Tasks read at least once, by the word their state is shown as (a TaskState value, or
        tui.core.display.PARTIAL for a success with failed parts), counted now; the header and
        the sidebar use the kept `tally`."""
        counts: Counter[str] = Counter()
        for ref in refs:
            snapshot = self.snapshots.get(ref.key)
            if snapshot is not None and snapshot.fetched_at is not None:
                counts[shown_state(snapshot)] += 1
        return counts

    def _tally(self) -> Tally:
        self.tally.ensure(self.config, self.active_name, self.snapshots)
        return self.tally

    def active_counts(self) -> tuple[Counter[str], int]:
        """Counts of the active list by shown state word, and how many tasks it holds."""
        tally = self._tally()
        return Counter(tally.active), tally.active_total

    def running_in_active(self) -> int:
        tally = self._tally()
        return tally.active_total - tally.active_finished

    def scheduled_text(self, listing: Listing) -> str:
        return _scheduled_text(listing, self.snapshots)

    def sidebar(self) -> tuple[list[ProviderNode], list[ListNode]]:
        tally = self._tally()
        providers: list[ProviderNode] = []
        for name, config in self.config.providers.providers.items():
            # A followed instance shows even before it has tasks (its listing may have failed).
            instances = {inst: Counter(counts) for inst, counts in tally.instances.get(name, {}).items()}
            problems = {inst: text for (prov, inst), listing in self.listings.items()
                        if prov == name and (text := listing_problem(listing))}
            scheduled = {inst: text for (prov, inst), listing in self.listings.items()
                         if prov == name and (text := self.scheduled_text(listing))}
            providers.append(ProviderNode(name=name, kind=config.kind, health=self.health.get(name),
                                          counts=Counter(tally.providers.get(name, ())), instances=instances,
                                          listing_problems=problems, scheduled=scheduled,
                                          instance_names=self.instance_names.get(name, {})))
        # A profile with config errors stays listed, with its problem: it did not just vanish.
        for name in sorted(self.config.providers.broken - set(self.config.providers.providers)):
            prefix = f"providers.{name}"
            problem = next((p for p in self.config.problems if p.is_error and
                            (p.key == prefix or p.key.startswith(prefix + "."))), None)
            text = "unusable: F12 shows why"
            if problem is not None:
                key = problem.key.removeprefix(prefix).lstrip(".")
                text = (f"{key}: " if key else "") + problem.message
                text += f" — {problem.suggestion}" if problem.suggestion else ""
            providers.append(ProviderNode(name=name, kind="", health=None, counts=Counter(), problem=text))
        lists = [ListNode(name=name, counts=Counter(counts), active=name == self.active_name)
                 for name, counts in tally.lists.items()]
        return providers, lists


def _scheduled_text(listing: Listing, snapshots: dict[str, TaskSnapshot]) -> str:
    """A followed instance's scheduled jobs in a few words: how many, and when the next one runs."""
    if not listing.scheduled:
        return ""
    # The next one to run: the earliest among jobs not done yet (done ones keep their past date).
    times = sorted(str(at) for key in listing.scheduled
                   if (s := snapshots.get(key)) is not None and not s.finished and (at := s.extra.get("schedule_at")))
    return f"{len(listing.scheduled)} scheduled" + (f", next {times[0]}" if times else "")


def listing_problem(listing: Listing) -> str:
    """What is wrong with a followed instance's newest listing, in words ("" when nothing is)."""
    if listing.error is not None:
        return f"not listed: {listing.error}"
    if listing.partial is not None:
        return listing.partial.short  # "listed 50 of 120": the rest could not be paged
    return ""
