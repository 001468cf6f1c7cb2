"""How remembered facts read on screen: "remembered · seen 9 h ago", "gone from the server since …",
and a task's timeline (each state with when it began and how long it lasted).

Plain text for any view (table row, detail pane); times are epoch seconds. No textual/rich imports here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.model import TaskSnapshot
from tui.core.store import Transition


def ago(seconds: float) -> str:
    """`just now`, `40 s ago`, `12 min ago`, `9 h ago`, `3 d ago`."""
    seconds = max(0.0, seconds)
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def when(at: float, now: float) -> str:
    """A clock time today, else a date and time."""
    local, today = time.localtime(at), time.localtime(now)
    if (local.tm_year, local.tm_yday) == (today.tm_year, today.tm_yday):
        return time.strftime("%H:%M", local)
    return time.strftime("%Y-%m-%d %H:%M", local)


def seen_text(snapshot: TaskSnapshot, now: float) -> str:
    """For a row not read since the start: "remembered · seen 9 h ago" ("" once it has been read)."""
    if not snapshot.remembered:
        return ""
    if snapshot.fetched_at is None:
        return "remembered"
    return f"remembered · seen {ago(now - snapshot.fetched_at)}"


def gone_text(snapshot: TaskSnapshot, now: float) -> str:
    """For a task the server has forgotten: "gone from the server since …" ("" otherwise)."""
    if not snapshot.gone:
        return ""
    if snapshot.gone_since is None:
        return "gone from the server"
    return f"gone from the server since {when(snapshot.gone_since, now)}"


def memory_note(snapshot: TaskSnapshot, now: float) -> str:
    """The one note a row shows about where its data comes from (gone wins over remembered)."""
    return gone_text(snapshot, now) or seen_text(snapshot, now)


@dataclass(frozen=True, slots=True)
class Stay:
    """One line of a timeline: the task was `state` from `start` for `duration` seconds (None: still is)."""

    state: str
    start: float
    duration: float | None


def timeline(transitions: Sequence[Transition], now: float) -> list[Stay]:
    """The states of one task in order, each with how long it lasted (the last one up to `now`,
    unless it is an end: a finished or gone task's last state has no duration)."""
    stays: list[Stay] = []
    for i, item in enumerate(transitions):
        nxt = transitions[i + 1].at if i + 1 < len(transitions) else None
        if nxt is not None:
            duration: float | None = max(0.0, nxt - item.at)
        elif item.to_state in ("succeeded", "failed", "cancelled", "gone"):
            duration = None
        else:
            duration = max(0.0, now - item.at)
        stays.append(Stay(item.to_state, item.at, duration))
    return stays
