"""The task model shared by the engine, the dashboard and the headless commands.

Everything here is immutable and free of textual/rich imports, so snapshots can
cross process boundaries (pickled) and be compared cheaply.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tui.core.text import code_and_message


class TaskState(enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset({TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED})


@dataclass(frozen=True, slots=True)
class TaskRef:
    """Which task to watch: a provider profile name, an optional instance, the task id."""

    provider: str
    id: str
    instance: str | None = None
    label: str | None = None

    @property
    def key(self) -> str:
        """A stable identity; the label is not part of it."""
        return f"{self.provider}/{self.instance or ''}/{self.id}"


@dataclass(frozen=True, slots=True)
class Steps:
    done: int
    failed: int
    total: int


@dataclass(frozen=True, slots=True)
class TaskError:
    """Why the last poll of a task failed. `message` is already free of secrets."""

    message: str
    code: str | None = None
    status: int | None = None
    # The server says the task does not exist (any more): polling it again is pointless.
    gone: bool = False
    # What is probably behind it, when known ("your clock is 17 min behind the server's; ...").
    hint: str | None = None
    # The server's id of the failed request (X-Request-Id, or `request_id` in the body): the first
    # thing Huawei support asks for.
    request_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "code": self.code, "message": self.message, "hint": self.hint,
                "request_id": self.request_id}

    def __str__(self) -> str:
        text = code_and_message(self.code, self.message)
        if self.request_id:
            text += f" (request id {self.request_id})"
        return f"HTTP {self.status} {text}" if self.status is not None else text


@dataclass(frozen=True, slots=True)
class TaskSnapshot:
    """What is known about one task after a poll.

    A failed poll keeps the last good data and sets `error`; `fetched_at` is the
    time of the last successful read (None if the task was never read), also for a
    snapshot `remembered` from an earlier run.
    """

    ref: TaskRef
    state: TaskState = TaskState.UNKNOWN
    raw_state: str = ""
    progress: float | None = None
    steps: Steps | None = None
    title: str = ""
    kind: str = ""  # task name/type as the API names it: "bindInstancePublicIp", "export_api", ...
    created: str | None = None
    updated: str | None = None
    result_raw: str | None = None
    result: Any = None
    summary: str = ""
    raw_body: str = ""
    error: TaskError | None = None
    fetched_at: float | None = None
    polled_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    # Read from the local store (tui.core.store), not from the server, since this start:
    # shown as "remembered" / "seen 9 h ago" until a poll answers again.
    remembered: bool = False
    # When the server first called the task gone (the store keeps the result it had before).
    gone_since: float | None = None

    @property
    def gone(self) -> bool:
        return self.error is not None and self.error.gone

    @property
    def finished(self) -> bool:
        """No more polling needed: terminal state, or the task no longer exists."""
        return self.state.is_terminal or self.gone


class HealthStatus(enum.Enum):
    OK = "ok"
    ERRORS = "errors"
    UNREACHABLE = "unreachable"
    AUTH_FAILED = "auth failed"
    IDLE = "idle"


@dataclass(frozen=True, slots=True)
class ProviderHealth:
    provider: str
    status: HealthStatus = HealthStatus.IDLE
    since: float | None = None  # when the current status began (epoch seconds)
    last_success: float | None = None
    last_error: TaskError | None = None
    interval: float = 5.0
    requests: int = 0
    failures: int = 0
    # Something the user should know even while requests succeed (a clock far off the server's).
    hint: str | None = None
    # Followed instances of this provider whose last listing came back short ("listed 50 of 120").
    partial: tuple[PartialListing, ...] = ()


@dataclass(frozen=True, slots=True)
class PartialListing:
    """A followed instance whose task list came back short of what the server counts (`task_count`),
    even after trying the other paging parameter: some of its tasks are not shown. Plain data, so it
    travels with ProviderHealth through either engine to the sidebar, F12 and the JSON of scripts."""

    provider: str
    instance: str
    listed: int
    total: int

    @property
    def short(self) -> str:
        return f"listed {self.listed} of {self.total}"

    @property
    def message(self) -> str:
        return f"instance {self.instance} of {self.provider}: {self.short} tasks (the rest could not be paged)"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": "partial-listing", "provider": self.provider, "instance": self.instance,
                "listed": self.listed, "total": self.total, "message": self.message}


@dataclass(frozen=True, slots=True)
class TaskListing:
    """The tasks of one instance as one listing read them; `partial` says when some are missing.
    Iterates over the snapshots, so a caller that only wants the tasks can treat it as a list."""

    snapshots: tuple[TaskSnapshot, ...]
    partial: PartialListing | None = None
    # Jobs the instance has scheduled (DMS scheduled tasks, extra["scheduled"]): shown, but not
    # tasks to wait for, and not counted by task_count.
    scheduled: tuple[TaskSnapshot, ...] = ()

    def __iter__(self) -> Iterator[TaskSnapshot]:
        return iter(self.snapshots)

    def __len__(self) -> int:
        return len(self.snapshots)


@dataclass(frozen=True, slots=True)
class Listing:
    """One reading of a followed instance's task list: the tasks it holds, or why it could not be read.

    The poller hands it to its sink before the tasks' snapshots, so a consumer (the dashboard, `wait`)
    knows the instance has been listed and which tasks to expect.
    """

    provider: str
    instance: str
    keys: tuple[str, ...] = ()  # TaskRef keys of the tasks listed
    error: TaskError | None = None
    # The listing came back short of the server's task_count ("listed 50 of 120").
    partial: PartialListing | None = None
    # Keys of the instance's scheduled jobs (DMS scheduled tasks): their snapshots follow like the
    # tasks', flagged extra["scheduled"] with extra["schedule_at"], but they join no watch list.
    scheduled: tuple[str, ...] = ()
