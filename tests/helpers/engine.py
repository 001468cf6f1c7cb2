"""Run the Poller in the test's event loop and record what it reports."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from tui.core.model import HealthStatus, Listing, ProviderHealth, TaskRef, TaskSnapshot
from tui.core.poller import Poller
from tui.simulator.process import SimulatorProcess


class Recorder:
    """A Poller sink that keeps everything."""

    def __init__(self) -> None:
        self.snapshots: list[TaskSnapshot] = []
        self.latest: dict[str, TaskSnapshot] = {}
        self.healths: list[ProviderHealth] = []
        self.health: dict[str, ProviderHealth] = {}
        self.found: list[TaskRef] = []
        self.listings: list[Listing] = []

    def snapshot(self, snapshot: TaskSnapshot) -> None:
        self.snapshots.append(snapshot)
        self.latest[snapshot.ref.key] = snapshot

    def health_changed(self, health: ProviderHealth) -> None:
        self.healths.append(health)
        self.health[health.provider] = health

    def discovered(self, refs: list[TaskRef]) -> None:
        self.found.extend(refs)

    def listed(self, listing: Listing) -> None:
        self.listings.append(listing)

    def status(self, provider: str) -> HealthStatus | None:
        h = self.health.get(provider)
        return h.status if h else None

    def reads(self, key: str) -> list[TaskSnapshot]:
        return [s for s in self.snapshots if s.ref.key == key]


class _Sink:
    def __init__(self, recorder: Recorder) -> None:
        self.snapshot = recorder.snapshot
        self.health = recorder.health_changed
        self.discovered = recorder.discovered
        self.listed = recorder.listed


@asynccontextmanager
async def run_poller(sources: Mapping[str, Any], refs: Iterable[TaskRef] = ()) -> AsyncIterator[tuple[Poller, Recorder]]:
    """Start a Poller over `sources` (closed afterwards) polling `refs`; yield (poller, recorder)."""
    recorder = Recorder()
    poller = Poller(dict(sources), _Sink(recorder))
    poller.add(list(refs))
    task = asyncio.create_task(poller.run())
    try:
        yield poller, recorder
    finally:
        poller.stop()
        await asyncio.wait_for(task, 10)
        for source in sources.values():
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()


def starts_by_task(sim: SimulatorProcess, **query: Any) -> dict[str, list[float]]:
    """Start times (server monotonic clock) of the polls, by task id. A running DMS task's progress is
    read right after the task, in the same poll: that request is not a poll of its own."""
    starts: dict[str, list[float]] = defaultdict(list)
    for entry in sim.requests(**query):
        if entry.get("task_id") and not entry["path"].endswith("/progress"):
            starts[entry["task_id"]].append(entry["start"])
    return starts


def min_gap(times: list[float]) -> float:
    """The shortest time between two consecutive requests (inf with fewer than two)."""
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    return min(gaps) if gaps else float("inf")
