"""From a TaskSnapshot to a table row: the columns users see."""

from __future__ import annotations

import time
from datetime import datetime

from tui.core.model import TaskSnapshot, TaskState
from tui.widgets.states import STATE_ORDER
from tui.widgets.table_model import Column, Row, make_row, state_cell

# A row is stale when its data is older than this many missed intervals.
STALE_AFTER_INTERVALS = 3

# The columns a user reads first come first, so that at 80 columns state, title (at least 30
# characters), progress and age are on screen; the rest are a horizontal scroll away.
COLUMNS: tuple[Column, ...] = (
    Column("state", "State", width=12),
    Column("title", "Title", min_width=30, max_width=36),
    Column("progress", "Progress", width=18),
    Column("age", "Age", width=5, align="right"),
    Column("duration", "Duration", width=8, align="right"),
    Column("started", "Started", width=8),
    Column("provider", "Provider", min_width=8, max_width=16),
    Column("id", "Task id", width=14),
    Column("error", "Last error", min_width=10, max_width=60),
)

BAR_WIDTH = 6


def progress_text(snapshot: TaskSnapshot) -> str:
    parts: list[str] = []
    pct = snapshot.progress
    if pct is not None:
        filled = round(pct / 100 * BAR_WIDTH)
        parts.append("█" * filled + "░" * (BAR_WIDTH - filled) + f" {pct:3.0f}%")
    if snapshot.steps is not None:
        steps = snapshot.steps
        failed = f"!{steps.failed}" if steps.failed else ""
        parts.append(f"{steps.done}/{steps.total}{failed}")
    return " ".join(parts)


def short_id(task_id: str, width: int = 13) -> str:
    return task_id if len(task_id) <= width else task_id[: width - 1] + "…"


def parse_time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def clock_time(ts: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts)) if ts is not None else ""


def span(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"


def is_stale(snapshot: TaskSnapshot, interval: float, now: float) -> bool:
    if snapshot.finished or snapshot.fetched_at is None:
        return snapshot.fetched_at is None and snapshot.error is not None
    return now - snapshot.fetched_at > STALE_AFTER_INTERVALS * interval


def build_row(snapshot: TaskSnapshot, *, interval: float, now: float | None = None) -> Row:
    now = time.time() if now is None else now
    ref = snapshot.ref
    started = parse_time(snapshot.created)
    updated = parse_time(snapshot.updated)
    if started is not None:
        end = updated if (snapshot.state.is_terminal and updated) else now
        duration: float | None = end - started
    else:
        duration = None
    age = None if snapshot.fetched_at is None else now - snapshot.fetched_at
    state_word = snapshot.raw_state if snapshot.state is TaskState.UNKNOWN and snapshot.raw_state else ""
    state = state_cell(snapshot.state.value)
    if state_word:  # an unknown raw state is shown verbatim
        state = (f"? {state_word}", state[1])
    if snapshot.gone:
        state = ("⊘ gone", "task-table--state-cancelled")
    error = str(snapshot.error) if snapshot.error else ""
    title = snapshot.title or ref.label or ""  # a task never read yet still shows its label
    if snapshot.summary:
        title = f"{title} · {snapshot.summary}" if title else snapshot.summary
    # Each column's (cell, sort key); the table gets them in COLUMNS order.
    values: dict[str, tuple[object, object]] = {
        "state": (state, STATE_ORDER[snapshot.state]),
        "title": (title, title.lower()),
        "progress": (progress_text(snapshot), snapshot.progress if snapshot.progress is not None else -1.0),
        "age": ("" if snapshot.finished else span(age), age if age is not None else 1e12),
        "duration": (span(duration), duration if duration is not None else -1.0),
        "started": (clock_time(started), started or 0.0),
        "provider": (ref.provider, ref.provider),
        "id": (short_id(ref.id), ref.id),
        "error": ((error, "task-table--error") if error else "", error),
    }
    cells = tuple(values[column.key][0] for column in COLUMNS)
    sort_keys = tuple(values[column.key][1] for column in COLUMNS)
    search = " ".join((snapshot.state.value, snapshot.raw_state, ref.provider, ref.instance or "", ref.id,
                       title, ref.label or "", error))
    return make_row(cells, sort_keys=sort_keys, search_text=search, state=snapshot.state.value,
                    provider=ref.provider, stale=is_stale(snapshot, interval, now))
