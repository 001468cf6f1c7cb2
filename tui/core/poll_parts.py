"""What the poller works with: the protocols at its boundary and the records it keeps per task and provider.

`Source` is a provider as the engine sees it (tui.providers, tui.sources), `Sink` is where results go
(the engines' collecting sink, the store's recorder), `Memory` is what earlier runs left (the store).
Split from tui.core.poller, which schedules and runs the polls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tui.core.model import Listing, ProviderHealth, TaskError, TaskListing, TaskRef, TaskSnapshot


class PollError(Protocol):
    """What a failed fetch raises (tui.providers.errors.ProviderError has these)."""

    status: int | None
    gone: bool
    retry_after: float | None
    network: bool
    auth: bool

    def to_task_error(self) -> TaskError: ...


class Source(Protocol):
    """A provider as the engine sees it."""

    name: str

    @property
    def interval(self) -> float: ...

    @property
    def min_interval(self) -> float: ...

    async def fetch(self, ref: TaskRef) -> TaskSnapshot: ...


class Sink(Protocol):
    def snapshot(self, snapshot: TaskSnapshot) -> None: ...

    def health(self, health: ProviderHealth) -> None: ...

    def discovered(self, refs: list[TaskRef]) -> None: ...

    def listed(self, listing: Listing) -> None: ...


class Memory(Protocol):
    """What earlier runs left (tui.core.recorder.Recorder): a task's remembered snapshot, if any."""

    def recall(self, key: str) -> TaskSnapshot | None: ...


@dataclass
class PollTask:
    """One watched task (or followed instance) as the poller schedules it."""

    ref: TaskRef
    last: TaskSnapshot | None = None
    in_flight: bool = False
    scheduled: bool = False
    # Only the newest heap entry of a task counts; older ones (after a forced refresh) are skipped.
    seq: int = -1
    # A followed instance lists its tasks in one request; such tasks are not fetched one by one.
    via_list: bool = False


@dataclass
class Lane:
    """Per-provider state: queue of due task keys, workers, health."""

    source: Source
    interval: float
    concurrency: int
    queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    workers: list[asyncio.Task[None]] = field(default_factory=list)
    health: ProviderHealth | None = None
    hold_until: float = 0.0
    # While the provider is down, one task at a time is the probe, at most one per interval.
    probe_key: str | None = None
    next_probe: float = 0.0


async def close_sources(sources: Mapping[str, Any]) -> None:
    """Close every source's HTTP client; best effort, at shutdown."""
    for source in sources.values():
        close = getattr(source, "aclose", None)
        if close is not None:
            try:
                await close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass


def follow_ref(provider: str, instance: str) -> TaskRef:
    """The schedule entry of a followed instance (no real task has the id "*")."""
    return TaskRef(provider=provider, id="*", instance=instance)


def error_of(exc: BaseException) -> TaskError:
    to_task_error = getattr(exc, "to_task_error", None)
    if callable(to_task_error):
        result = to_task_error()
        if isinstance(result, TaskError):
            return result
    return TaskError(message=f"internal error while reading the task ({type(exc).__name__})", code="internal")


def is_poll_error(exc: BaseException) -> bool:
    return hasattr(exc, "to_task_error") and hasattr(exc, "network")


async def read_listing(source: Any, instance: str, window: str | None) -> TaskListing | None:
    """An instance's task list from a source (only tasks from `window` on, when given); None when the
    source has no list API. Raises what the source raises."""
    lister = getattr(source, "list_tasks", None)
    if lister is None:
        return None
    found: Iterable[TaskSnapshot] = await (lister(instance, begin_time=window) if window else lister(instance))
    return found if isinstance(found, TaskListing) else TaskListing(tuple(found))
