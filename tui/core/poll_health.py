"""Each provider's health as the poller sees it: counted from every read, told to the sink when it changes.

Split from tui.core.poller, which decides what to poll and when; this decides what a read's outcome
says about its provider (ok, errors, unreachable, credentials refused) and honours Retry-After.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tui.core.model import HealthStatus, PartialListing, TaskError
from tui.core.poll_parts import Lane, Sink

# The poller's logger: health changes and Retry-After holds are logged at info.
log = logging.getLogger("taskdeck.poller")

DOWN = (HealthStatus.UNREACHABLE, HealthStatus.AUTH_FAILED)


class HealthBook:
    def __init__(self, sink: Sink, clock: Callable[[], float], wall_clock: Callable[[], float]) -> None:
        self._sink = sink
        self._clock = clock
        self._wall = wall_clock

    def update(self, lane: Lane, **changes: Any) -> None:
        assert lane.health is not None
        health = replace(lane.health, **changes)
        if health.status is not lane.health.status:
            why = f": {health.last_error}" if health.status is not HealthStatus.OK and health.last_error else ""
            log.info("%s: %s -> %s%s", health.provider, lane.health.status.value, health.status.value, why)
        if health != lane.health:
            lane.health = health
            self._sink.health(health)

    def success(self, lane: Lane) -> None:
        assert lane.health is not None
        now = self._wall()
        status_changed = lane.health.status is not HealthStatus.OK
        self.update(
            lane,
            status=HealthStatus.OK,
            since=now if status_changed else lane.health.since,
            last_success=now,
            requests=lane.health.requests + 1,
            hint=getattr(lane.source, "health_hint", None),
        )

    def listed(self, lane: Lane, instance: str, partial: PartialListing | None) -> None:
        """Remember whether the last listing of a followed instance came back short."""
        assert lane.health is not None
        kept = tuple(p for p in lane.health.partial if p.instance != instance)
        self.update(lane, partial=(*kept, partial) if partial is not None else kept)

    def failure(self, lane: Lane, exc: BaseException, error: TaskError) -> bool:
        """Count a failed read. True when the provider has just gone down (unreachable, refused)."""
        assert lane.health is not None
        now = self._wall()
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            lane.hold_until = max(lane.hold_until, self._clock() + float(retry_after))
            log.info("%s: the server asked to wait %.0f s (Retry-After); holding every request",
                     lane.source.name, float(retry_after))
        if error.gone:
            # The server answered; the task is just not there. The provider is fine.
            self.success(lane)
            return False
        if getattr(exc, "network", False):
            status = HealthStatus.UNREACHABLE
        elif getattr(exc, "auth", False):
            status = HealthStatus.AUTH_FAILED
        else:
            status = HealthStatus.ERRORS
        entering = status is not lane.health.status
        self.update(
            lane,
            status=status,
            since=now if entering else lane.health.since,
            last_error=error,
            requests=lane.health.requests + 1,
            failures=lane.health.failures + 1,
            hint=getattr(lane.source, "health_hint", None),
        )
        return entering and status in DOWN
