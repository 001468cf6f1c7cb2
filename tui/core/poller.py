"""The polling engine shared by the dashboard and the headless commands.

Rules it keeps (DESIGN.md "Polling rules"):
- a fixed interval per provider, never exponential backoff; on error, retry at the
  next interval; on 429 with Retry-After, the whole provider waits that long;
- at most one request in flight per task; the next poll of a task is scheduled
  when its last one finished; bounded concurrency per provider;
- tasks of one provider are spread over the interval instead of fired in a burst;
- a task in a terminal state (or gone) is not polled again unless asked, not even
  at the next start when the poller's `memory` (the store) remembers it finished;
- while a provider is unreachable or its credentials are refused, only one probe
  per interval goes out for the whole provider, not one per task.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from tui.core.model import Listing, ProviderHealth, TaskError, TaskListing, TaskRef, TaskSnapshot
from tui.core.poll_health import DOWN, HealthBook
from tui.core.poll_parts import (
    Lane,
    Memory,
    PollTask,
    Sink,
    Source,
    error_of,
    follow_ref,
    is_poll_error,
    read_listing,
)
from tui.core.since import begin_time

# Debug: one line per failed read; info: provider health changes and Retry-After holds; warning:
# an unexpected exception in a provider (with its traceback). Messages carry no secrets: errors are
# redacted where they are made, and the --log-file handler redacts again.
log = logging.getLogger("taskdeck.poller")


class Poller:
    def __init__(
        self,
        sources: Mapping[str, Source],
        sink: Sink,
        *,
        concurrency: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        memory: Memory | None = None,
    ) -> None:
        self._sink = sink
        self._health = HealthBook(sink, clock, wall_clock)
        self._memory = memory
        self._clock = clock
        self._wall = wall_clock
        self._rng = rng or random.Random()
        self._tasks: dict[str, PollTask] = {}
        self._heap: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self._wake: asyncio.Event | None = None
        self._paused = False
        self._stopped = False
        self._lanes: dict[str, Lane] = {}
        # Followed instances by schedule key: (provider, instance, since).
        self._follows: dict[str, tuple[str, str, str | None]] = {}
        # Per followed instance, the task keys already reported to its follower. A task another list
        # already watches is still reported once, so the followed list shows every task of the instance.
        self._reported: dict[str, set[str]] = {}
        for name, source in sources.items():
            configured = (concurrency or {}).get(name) or getattr(getattr(source, "settings", None), "concurrency", 8)
            limit = int(configured or 8)
            lane = Lane(source=source, interval=source.interval, concurrency=max(1, int(limit)))
            lane.health = ProviderHealth(provider=name, interval=lane.interval)
            self._lanes[name] = lane

    # -- configuration (call from the engine's loop) -------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    def interval(self, provider: str) -> float:
        return self._lanes[provider].interval

    def set_interval(self, provider: str, seconds: float) -> float:
        """Change a provider's interval, clamped to the API's minimum. Returns the new value."""
        lane = self._lanes.get(provider)
        if lane is None:  # no such profile: its tasks already show "no provider profile named …"
            return float(seconds)
        lane.interval = max(float(lane.source.min_interval), min(3600.0, float(seconds)))
        self._health.update(lane, interval=lane.interval)
        return lane.interval

    def add(self, refs: Iterable[TaskRef], *, spread: bool = True) -> None:
        now = self._clock()
        for ref in refs:
            if ref.key in self._tasks:
                self._tasks[ref.key].ref = ref  # label may have changed
                continue
            task = PollTask(ref=ref)
            self._tasks[ref.key] = task
            if ref.provider not in self._lanes:
                self._sink.snapshot(TaskSnapshot(ref=ref, error=TaskError(
                    message=f"no provider profile named {ref.provider!r}", code="config")))
                continue
            if self._memory is not None:
                remembered = self._memory.recall(ref.key)
                if remembered is not None:
                    # Shown at once; a task that had finished is not fetched again until refreshed.
                    task.last = remembered if remembered.ref == ref else replace(remembered, ref=ref)
                    self._sink.snapshot(task.last)
                    if task.last.finished:
                        continue
            lane = self._lanes[ref.provider]
            delay = self._rng.uniform(0, min(lane.interval, 1.0)) if spread else 0.0
            self._schedule(task, now + delay)
        self._poke()

    def remove(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._tasks.pop(key, None)

    def follow(self, provider: str, instance: str, since: str | None = None) -> None:
        """Keep listing an instance's tasks (DMS list API), from `since` on (tui.core.since) if given.

        Every task of the instance is reported as discovered once per follow, including tasks that
        are already polled for another list: the follower's list must show them all. Following an
        instance again (another list) lists it now and reports every task again.
        """
        ref = follow_ref(provider, instance)
        if provider not in self._lanes:
            return
        if ref.key in self._follows:
            self._follows[ref.key] = (provider, instance, since or self._follows[ref.key][2])
            self._reported[ref.key] = set()
            self._schedule(self._tasks[ref.key], self._clock(), force=True)
            self._poke()
            return
        self._follows[ref.key] = (provider, instance, since)
        self._reported[ref.key] = set()
        self._tasks[ref.key] = PollTask(ref=ref)
        self._schedule(self._tasks[ref.key], self._clock())
        self._poke()

    def unfollow(self, provider: str, instance: str) -> None:
        key = follow_ref(provider, instance).key
        self._follows.pop(key, None)
        self._reported.pop(key, None)
        self._tasks.pop(key, None)
        if provider in self._lanes:
            self._health.listed(self._lanes[provider], instance, None)

    def refresh(self, keys: Iterable[str] | None = None) -> None:
        """Poll now (also tasks that finished). Tasks already in flight are left alone."""
        now = self._clock()
        for key in list(self._tasks) if keys is None else keys:
            task = self._tasks.get(key)
            if task is None or task.ref.provider not in self._lanes:
                continue
            self._schedule(task, now, force=True)
        for lane in self._lanes.values():
            lane.hold_until = 0.0
        self._poke()

    def pause(self) -> None:
        self._paused = True

    def resume(self) -> None:
        self._paused = False
        self._poke()

    def snapshot_of(self, key: str) -> TaskSnapshot | None:
        task = self._tasks.get(key)
        return task.last if task else None

    def healths(self) -> list[ProviderHealth]:
        return [lane.health for lane in self._lanes.values() if lane.health is not None]

    @property
    def active_count(self) -> int:
        """Tasks that still need polling."""
        return sum(1 for key, t in self._tasks.items()
                   if key not in self._follows and not t.via_list and not (t.last is not None and t.last.finished))

    # -- running --------------------------------------------------------------

    async def run(self) -> None:
        """Schedule polls until `stop()`. Each provider gets `concurrency` workers."""
        self._wake = asyncio.Event()
        self._stopped = False
        for lane in self._lanes.values():
            lane.workers = [asyncio.create_task(self._worker(lane)) for _ in range(lane.concurrency)]
        try:
            while not self._stopped:
                timeout = self._dispatch_due()
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout)
                except TimeoutError:
                    pass
        finally:
            for lane in self._lanes.values():
                for worker in lane.workers:
                    worker.cancel()
                await asyncio.gather(*lane.workers, return_exceptions=True)
                lane.workers = []

    def stop(self) -> None:
        self._stopped = True
        self._poke()

    async def read_all(self, refs: Iterable[TaskRef]) -> list[TaskSnapshot]:
        """Poll each task once, concurrently within each provider's limit (for `taskdeck status`)."""
        refs = list(refs)
        limits = {name: asyncio.Semaphore(lane.concurrency) for name, lane in self._lanes.items()}

        async def one(ref: TaskRef) -> TaskSnapshot:
            lane = self._lanes.get(ref.provider)
            if lane is None:
                return TaskSnapshot(ref=ref, error=TaskError(
                    message=f"no provider profile named {ref.provider!r}", code="config"))
            async with limits[ref.provider]:
                return await self._fetch(lane, PollTask(ref=ref))

        return list(await asyncio.gather(*(one(ref) for ref in refs)))

    # -- internals --------------------------------------------------------------

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _schedule(self, task: PollTask, due: float, *, force: bool = False) -> None:
        if task.in_flight or (task.scheduled and not force):
            return
        task.scheduled = True
        task.seq = next(self._seq)
        heapq.heappush(self._heap, (due, task.seq, task.ref.key))

    def _dispatch_due(self) -> float | None:
        """Move due tasks to their provider's queue; return seconds until the next one is due."""
        if self._paused:
            return None
        now = self._clock()
        while self._heap and self._heap[0][0] <= now:
            _, seq, key = heapq.heappop(self._heap)
            task = self._tasks.get(key)
            if task is None or seq != task.seq or not task.scheduled or task.in_flight:
                continue
            lane = self._lanes[task.ref.provider]
            unhealthy = self._unhealthy(lane)
            if lane.hold_until > now or (unhealthy and (lane.probe_key is not None or now < lane.next_probe)):
                # Rate limited, or down with a probe out or not yet due: wait, spread over an interval.
                later = max(lane.hold_until, lane.next_probe if unhealthy else 0.0, now + 0.05)
                task.scheduled = False
                self._schedule(task, later + self._rng.uniform(0, lane.interval))
                continue
            if unhealthy:
                lane.probe_key = key
                lane.next_probe = now + lane.interval
                log.debug("%s: probing with %s (provider %s)", task.ref.provider, key,
                          lane.health.status.value if lane.health else "?")
            task.scheduled = False
            task.in_flight = True
            lane.queue.put_nowait(key)
        if not self._heap:
            return None
        return max(0.0, self._heap[0][0] - now)

    @staticmethod
    def _unhealthy(lane: Lane) -> bool:
        return lane.health is not None and lane.health.status in DOWN

    async def _worker(self, lane: Lane) -> None:
        while True:
            key = await lane.queue.get()
            task = self._tasks.get(key)
            if task is None:
                continue
            try:
                if key in self._follows:
                    await self._poll_follow(lane, task)
                else:
                    snapshot = await self._fetch(lane, task)
                    task.in_flight = False
                    self._finish(lane, task, snapshot)
            finally:
                task.in_flight = False
                if lane.probe_key == key:
                    lane.probe_key = None
                self._poke()

    async def _fetch(self, lane: Lane, task: PollTask) -> TaskSnapshot:
        """One read of one task; never raises (except cancellation)."""
        polled_at = self._wall()
        try:
            snapshot = await lane.source.fetch(task.ref)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a row error
            error = error_of(exc)
            if not is_poll_error(exc):
                log.warning("%s: unexpected error reading %s", lane.source.name, task.ref.key, exc_info=exc)
            elif log.isEnabledFor(logging.DEBUG):
                log.debug("%s: read failed: %s", task.ref.key, error)
            base = task.last or TaskSnapshot(ref=task.ref)
            self._record_failure(lane, exc, error)
            return replace(base, ref=task.ref, error=error, polled_at=polled_at)
        self._health.success(lane)
        return replace(snapshot, ref=task.ref, polled_at=polled_at)

    def _finish(self, lane: Lane, task: PollTask, snapshot: TaskSnapshot) -> None:
        if task.ref.key not in self._tasks:
            return  # removed while in flight
        task.last = snapshot
        self._sink.snapshot(snapshot)
        if snapshot.finished:
            return
        self._schedule(task, self._clock() + lane.interval)

    async def _list(self, lane: Lane, provider: str, instance: str,
                    since: str | None = None) -> TaskListing | TaskError:
        """One reading of an instance's task list (from `since` on, tui.core.since); counts towards the
        provider's health, and whether it came back short; never raises."""
        try:
            listing = await read_listing(lane.source, instance, begin_time(since, self._wall()))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the rest
            error = error_of(exc)
            self._record_failure(lane, exc, error)
            return error
        if listing is None:  # the provider is fine; it just has no such API
            return TaskError(message=f"provider {provider!r} cannot list an instance's tasks", code="config")
        self._health.success(lane)
        self._health.listed(lane, instance, listing.partial)
        return listing

    async def list_once(self, provider: str, instance: str, since: str | None = None) -> TaskListing | TaskError:
        """The tasks of an instance, read once (for `taskdeck status`)."""
        lane = self._lanes.get(provider)
        if lane is None:
            return TaskError(message=f"no provider profile named {provider!r}", code="config")
        return await self._list(lane, provider, instance, since)

    async def _poll_follow(self, lane: Lane, task: PollTask) -> None:
        provider, instance, since = self._follows[task.ref.key]
        snapshots = await self._list(lane, provider, instance, since)
        if isinstance(snapshots, TaskError):
            self._sink.listed(Listing(provider, instance, error=snapshots))
        else:
            self._sink.listed(Listing(provider, instance, keys=tuple(s.ref.key for s in snapshots),
                                      partial=snapshots.partial,
                                      scheduled=tuple(s.ref.key for s in snapshots.scheduled)))
            reported = self._reported.setdefault(task.ref.key, set())
            new: list[TaskRef] = []
            for snap in (*snapshots, *snapshots.scheduled):
                existing = self._tasks.get(snap.ref.key)
                if existing is None:
                    existing = PollTask(ref=snap.ref, via_list=True)
                    self._tasks[snap.ref.key] = existing
                if snap.ref.key not in reported and not snap.extra.get("scheduled"):
                    reported.add(snap.ref.key)
                    new.append(existing.ref)
                ref = existing.ref
                snap = replace(snap, ref=ref, polled_at=self._wall())
                existing.last = snap
                self._sink.snapshot(snap)
            if new:
                self._sink.discovered(new)
        task.in_flight = False
        if task.ref.key in self._tasks:
            self._schedule(task, self._clock() + lane.interval)

    # -- health -----------------------------------------------------------------

    def _record_failure(self, lane: Lane, exc: BaseException, error: TaskError) -> None:
        if self._health.failure(lane, exc, error):
            self._mark_provider_rows(lane, error)

    def _mark_provider_rows(self, lane: Lane, error: TaskError) -> None:
        """A provider went down: every unfinished row of it shows why, keeping its last data."""
        for task in self._tasks.values():
            if task.ref.provider != lane.source.name or task.ref.key in self._follows:
                continue
            if task.in_flight or (task.last is not None and task.last.finished):
                continue
            base = task.last or TaskSnapshot(ref=task.ref)
            task.last = replace(base, error=error)
            self._sink.snapshot(task.last)
