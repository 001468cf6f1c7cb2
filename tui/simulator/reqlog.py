"""The request log (a bounded ring buffer) and request statistics, including in-flight counts per task."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

# One entry: [seq, method, path, family, task_id, start, end, status, generation]
_FIELDS = ("seq", "method", "path", "family", "task_id", "start", "end", "status")


class RequestLog:
    def __init__(self, size: int = 10_000) -> None:
        self.entries: deque[list[Any]] = deque(maxlen=size)
        self.reset()

    def reset(self) -> None:
        self.entries.clear()
        self.generation = getattr(self, "generation", 0) + 1
        self.seq = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.by_status: dict[int, int] = {}
        self.by_family: dict[str, int] = {}
        # task id -> [requests, in flight now, max in flight]
        self.per_task: dict[str, list[int]] = {}
        self.max_in_flight_per_task = 0
        self.max_in_flight_task: str | None = None

    def begin(self, method: str, path: str, family: str, task_id: str | None) -> list[Any]:
        self.seq += 1
        entry = [self.seq, method, path, family, task_id, time.monotonic(), None, None, self.generation]
        self.entries.append(entry)
        self.in_flight += 1
        if self.in_flight > self.max_in_flight:
            self.max_in_flight = self.in_flight
        self.by_family[family] = self.by_family.get(family, 0) + 1
        if task_id is not None:
            counts = self.per_task.get(task_id)
            if counts is None:
                counts = self.per_task[task_id] = [0, 0, 0]
            counts[0] += 1
            counts[1] += 1
            if counts[1] > counts[2]:
                counts[2] = counts[1]
                if counts[2] > self.max_in_flight_per_task:
                    self.max_in_flight_per_task = counts[2]
                    self.max_in_flight_task = task_id
        return entry

    def end(self, entry: list[Any], status: int) -> None:
        entry[6] = time.monotonic()
        entry[7] = status
        if entry[8] != self.generation:
            return  # begun before a reset
        self.in_flight -= 1
        self.by_status[status] = self.by_status.get(status, 0) + 1
        task_id = entry[4]
        if task_id is not None:
            self.per_task[task_id][1] -= 1

    def select(self, *, task_id: str | None = None, family: str | None = None, since: int = 0,
               limit: int | None = None) -> list[dict[str, Any]]:
        """Logged requests with seq > since (oldest first), optionally filtered; the newest `limit` of them."""
        rows = [
            dict(zip(_FIELDS, e, strict=False)) for e in self.entries
            if e[0] > since and (task_id is None or e[4] == task_id) and (family is None or e[3] == family)
        ]
        return rows[-limit:] if limit else rows

    def stats(self, task_id: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "total_requests": self.seq,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "max_in_flight_per_task": self.max_in_flight_per_task,
            "max_in_flight_task": self.max_in_flight_task,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "by_family": dict(sorted(self.by_family.items())),
            "tasks_seen": len(self.per_task),
            "log_size": len(self.entries),
            "log_capacity": self.entries.maxlen,
        }
        if task_id is not None:
            counts = self.per_task.get(task_id, [0, 0, 0])
            out["task"] = {"id": task_id, "requests": counts[0], "in_flight": counts[1], "max_in_flight": counts[2]}
        return out
