"""Which engine changes deserve a word to the user, as notes (no widgets).

A task of the active list that just finished, a provider that went down or came back.
Finishes are coalesced: at most one finish note per SLOT seconds. The first finish is
told at once; those that follow within the slot wait and are told together when it ends
("3 tasks finished: 2 succeeded, 1 failed"). Every task's state is in the table and the
header anyway; a toast every few seconds only covered them (the demo's first 90 s had a
toast on screen three quarters of the time).
"""

from __future__ import annotations

from collections import Counter

from tui.core.display import PARTIAL, SHOWN_STATES, shown_state
from tui.core.model import TaskSnapshot
from tui.core.text import clean
from tui.deck.board import Board, Changes
from tui.deck.health import health_text
from tui.deck.outcome import ERROR, INFO, WARNING, Note

SLOT = 30.0  # seconds: at most one finish note this often
FINISH_TIMEOUT = 4.0  # seconds a finish note stays up
FAILURE_TIMEOUT = 5.0  # ... when a task in it did not succeed
HEALTH_TIMEOUT = 5.0


def _word(snapshot: TaskSnapshot) -> str:
    return "gone" if snapshot.gone else shown_state(snapshot)


class Tidings:
    """Turns engine changes into notes; holds finishes back to coalesce them (call `due` now and then)."""

    def __init__(self) -> None:
        self._pending: list[TaskSnapshot] = []
        self._next: float | None = None  # no finish note before this time

    def announce(self, changes: Changes, board: Board, now: float) -> list[Note]:
        notes: list[Note] = []
        self._pending += [s for s in changes.finished if board.in_active(s.ref.key)]
        finished = self.due(now)
        if finished is not None:
            notes.append(finished)
        for health in changes.went_down:
            notes.append(Note(f"{clean(health.provider)}: {health_text(health)}", title="Provider down",
                              severity=ERROR, timeout=HEALTH_TIMEOUT, key=f"health:{health.provider}"))
        for health in changes.came_back:
            notes.append(Note(f"{clean(health.provider)} is reachable again", title="Provider back",
                              timeout=HEALTH_TIMEOUT, key=f"health:{health.provider}"))
        return notes

    def due(self, now: float) -> Note | None:
        """The note for the finishes held back, once their slot has come."""
        if not self._pending or (self._next is not None and now < self._next):
            return None
        finished, self._pending = self._pending, []
        self._next = now + SLOT
        counts = Counter(_word(s) for s in finished)
        bad = sum(n for word, n in counts.items() if word not in ("succeeded", PARTIAL))
        severity = ERROR if bad else WARNING if counts.get(PARTIAL) else INFO
        timeout = FAILURE_TIMEOUT if bad else FINISH_TIMEOUT
        if len(finished) == 1:
            snap = finished[0]
            title = clean(snap.title or snap.ref.label or snap.ref.id, limit=60)
            summary = clean(snap.summary, limit=120)
            text = f"{title}: {_word(snap)}" + (f"\n{summary}" if summary else "")
            return Note(text, title="Task finished", severity=severity, timeout=timeout)
        parts = ", ".join(f"{counts[w]} {w}" for w in (*SHOWN_STATES, "gone") if counts.get(w))
        return Note(f"{len(finished)} tasks finished: {parts}", title="Tasks finished", severity=severity,
                    timeout=timeout)


def rings_bell(changes: Changes, board: Board) -> bool:
    """The terminal bell (when `[ui] bell = true`) rings for the same events as before: a finish in the
    active list or a provider going down."""
    return bool(changes.went_down) or any(board.in_active(s.ref.key) for s in changes.finished)


__all__ = ["SLOT", "Tidings", "rings_bell"]
