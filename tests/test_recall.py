"""How remembered facts read (tui.core.recall): seen/gone notes and a task's timeline."""

from __future__ import annotations

import time

from tui.core.model import TaskError, TaskRef, TaskSnapshot, TaskState
from tui.core.recall import Stay, ago, memory_note, seen_text, timeline, when
from tui.core.store import Transition

REF = TaskRef("acme", "t1")
NOW = time.mktime((2026, 11, 30, 12, 0, 0, 0, 0, -1))


def test_ago() -> None:
    assert [ago(s) for s in (0, 42, 12 * 60, 9 * 3600 + 50, 5 * 86400)] == [
        "just now", "42 s ago", "12 min ago", "9 h ago", "5 d ago"]


def test_notes_for_remembered_and_gone_rows() -> None:
    fresh = TaskSnapshot(ref=REF, state=TaskState.SUCCEEDED, fetched_at=NOW - 60)
    assert memory_note(fresh, NOW) == ""
    remembered = TaskSnapshot(ref=REF, state=TaskState.SUCCEEDED, fetched_at=NOW - 9 * 3600, remembered=True)
    assert seen_text(remembered, NOW) == memory_note(remembered, NOW) == "remembered · seen 9 h ago"
    gone_today = TaskSnapshot(ref=REF, state=TaskState.SUCCEEDED, fetched_at=NOW - 9 * 3600, remembered=True,
                              error=TaskError("no such task", gone=True), gone_since=NOW - 2 * 3600)
    assert memory_note(gone_today, NOW) == "gone from the server since 10:00"
    earlier = TaskSnapshot(ref=REF, error=TaskError("x", gone=True), gone_since=NOW - 3 * 86400)
    assert memory_note(earlier, NOW) == f"gone from the server since {when(NOW - 3 * 86400, NOW)}"
    assert when(NOW - 3 * 86400, NOW) == "2026-11-27 12:00"


def test_timeline_durations() -> None:
    moves = [Transition(REF, None, "pending", NOW - 600), Transition(REF, "pending", "running", NOW - 540),
             Transition(REF, "running", "succeeded", NOW - 60)]
    assert timeline(moves, NOW) == [Stay("pending", NOW - 600, 60.0), Stay("running", NOW - 540, 480.0),
                                    Stay("succeeded", NOW - 60, None)]
    assert timeline(moves[:2], NOW) == [Stay("pending", NOW - 600, 60.0), Stay("running", NOW - 540, 540.0)]
