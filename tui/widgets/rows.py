"""From a TaskSnapshot to a table row: the columns users see."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

from tui.core.display import PARTIAL, PARTIAL_WORD, shown_rank, shown_state
from tui.core.eta import eta_text
from tui.core.model import TaskSnapshot, TaskState
from tui.core.recall import memory_note
from tui.core.summary_text import steps_text
from tui.core.text import span
from tui.widgets.table_rows import Column, Row, make_row, state_cell

# A row is stale when its data is older than this many missed intervals.
STALE_AFTER_INTERVALS = 3

# The columns a user reads first come first, so that at 80 columns state, title (at least 30
# characters), progress and age are on screen; the rest are a horizontal scroll away.
COLUMNS: tuple[Column, ...] = (
    Column("state", "State", width=12),
    Column("title", "Title", min_width=30, max_width=36),
    Column("progress", "Progress", width=20),
    Column("age", "Age", width=5, align="right"),
    Column("eta", "ETA", width=7, align="right"),
    Column("duration", "Duration", width=8, align="right"),
    Column("started", "Started", width=8),
    Column("provider", "Provider", min_width=8, max_width=16),
    Column("id", "Task id", width=14),
    Column("error", "Last error", min_width=10, max_width=60),
)

# The title (where a row's summary or error is) takes what the view leaves after these, so an error
# is readable without scrolling or opening the detail; at most TITLE_MAX, at least its min_width.
READ_FIRST = ("state", "progress", "age")
TITLE_MAX = 90


def columns_for(view_width: int) -> tuple[Column, ...]:
    """COLUMNS with the title as wide as a table `view_width` cells wide leaves it."""
    title = next(c for c in COLUMNS if c.key == "title")
    # + the table's left margin and its vertical scrollbar
    others = sum((c.width or c.min_width) + 1 for c in COLUMNS if c.key in READ_FIRST) + 1 + 2
    room = max(title.min_width, min(TITLE_MAX, view_width - others))
    return tuple(replace(c, width=room) if c.key == "title" else c for c in COLUMNS)


BAR_WIDTH = 6
# A running task whose API gives no percentage: moving, but how far is not known.
INDETERMINATE = "⋯ running"


def progress_text(snapshot: TaskSnapshot) -> str:
    """A bar only for a real percentage; a failed task keeps the percentage it reached.

    Pending at 0 % shows nothing (nothing to measure yet); failed steps read "1 failed".
    """
    pct = snapshot.progress
    steps = snapshot.steps
    if snapshot.state is TaskState.PENDING and not pct:
        pct = None
    count = ""
    if steps is not None:
        count = f"{steps.done}/{steps.total}" + (f", {steps.failed} failed" if steps.failed else "")
    if pct is None:
        if count:
            return count
        return INDETERMINATE if snapshot.state is TaskState.RUNNING else ""
    if steps is not None and steps.failed:  # no room for the bar beside the failures
        return f"{pct:.0f}% {count}"
    filled = round(pct / 100 * BAR_WIDTH)
    bar = "█" * filled + "░" * (BAR_WIDTH - filled) + f" {pct:3.0f}%"
    return f"{bar} {count}" if count else bar


def _detail(snapshot: TaskSnapshot, title: str) -> str:
    """The summary as the title column shows it: without the title or the step counts it repeats."""
    summary = snapshot.summary
    if not summary:
        return ""
    for said in (title, snapshot.kind):
        if said and summary.startswith(said):
            summary = summary[len(said):].lstrip(" ·:")
    if snapshot.steps is not None and summary == steps_text(snapshot.steps):
        return ""
    return summary


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


def is_stale(snapshot: TaskSnapshot, interval: float, now: float) -> bool:
    if snapshot.finished or snapshot.fetched_at is None:
        return snapshot.fetched_at is None and snapshot.error is not None
    return now - snapshot.fetched_at > STALE_AFTER_INTERVALS * interval


def build_row(snapshot: TaskSnapshot, *, interval: float, now: float | None = None, eta: float | None = None) -> Row:
    """One row; `eta` is the seconds left as tui.core.eta estimates them (None: no estimate)."""
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
    shown = shown_state(snapshot)
    state = state_cell(shown)
    if state_word:  # an unknown raw state is shown verbatim
        state = (f"? {state_word}", state[1])
    if snapshot.gone:
        state = ("⊘ gone", "task-table--state-cancelled")
    error = str(snapshot.error) if snapshot.error else ""
    # Where the data comes from: read from the store at start ("remembered · seen 9 h ago"), or kept
    # after the server forgot the task ("gone from the server since …").
    note = memory_note(snapshot, now)
    if snapshot.gone and snapshot.gone_since is not None:
        error = f"{error} — {note}" if error else note
    remark = error or note
    # A task never read yet still shows its label, or at least its id: a column of bare "? unknown"
    # rows tells the user nothing, and the id column is off to the right at most widths.
    title = snapshot.title or ref.label or ref.id
    # An error takes the summary's place, so it is seen without opening the detail or scrolling right.
    said = str(snapshot.error) if snapshot.error else error  # the server's words, also for a gone task
    detail = f"⚠ {said}" if said else _detail(snapshot, title)
    title_text = f"{title} · {detail}" if title and detail else title or detail
    title_cell = (title_text, "task-table--error") if error else title_text
    # Each column's (cell, sort key); the table gets them in COLUMNS order.
    values: dict[str, tuple[object, object]] = {
        "state": (state, shown_rank(shown)),
        "title": (title_cell, title_text.lower()),
        "progress": (progress_text(snapshot), snapshot.progress if snapshot.progress is not None else -1.0),
        # A finished row shows no age, unless it is remembered: then how old the memory is.
        "age": ("" if snapshot.finished and not snapshot.remembered else span(age), age if age is not None else 1e12),
        "duration": (span(duration), duration if duration is not None else -1.0),
        "started": (clock_time(started), started or 0.0),
        "provider": (ref.provider, ref.provider),
        "id": (short_id(ref.id), ref.id),
        "eta": (eta_text(eta) if not snapshot.finished else "", eta if eta is not None else 1e12),
        "error": ((error, "task-table--error") if error else remark, remark),
    }
    cells = tuple(values[column.key][0] for column in COLUMNS)
    sort_keys = tuple(values[column.key][1] for column in COLUMNS)
    search = " ".join((snapshot.state.value, PARTIAL_WORD if shown == PARTIAL else "", snapshot.raw_state,
                       ref.provider, ref.instance or "", ref.id, title, snapshot.summary, ref.label or "", remark))
    return make_row(cells, sort_keys=sort_keys, search_text=search, state=snapshot.state.value,
                    provider=ref.provider, stale=is_stale(snapshot, interval, now))
