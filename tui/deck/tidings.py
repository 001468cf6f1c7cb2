"""Which engine changes deserve a word to the user, as notes (no widgets).

A task of the active list that just finished, a provider that went down or came back.
Many finishes in one batch become one note, so a list finishing together does not
bury the screen in toasts.
"""

from __future__ import annotations

from tui.core.model import TaskState
from tui.core.text import clean
from tui.deck.board import Board, Changes
from tui.deck.health import health_text
from tui.deck.outcome import ERROR, INFO, WARNING, Note

AGGREGATE_AFTER = 3  # more finished tasks than this in one batch make one summary note


def announce(changes: Changes, board: Board) -> list[Note]:
    notes: list[Note] = []
    finished = [s for s in changes.finished if board.in_active(s.ref.key)]
    if len(finished) > AGGREGATE_AFTER:
        failed = sum(1 for s in finished if s.state is not TaskState.SUCCEEDED)
        notes.append(Note(f"{len(finished)} tasks finished ({failed} did not succeed)", title="Tasks finished",
                          severity=WARNING if failed else INFO))
    else:
        for snap in finished:
            ok = snap.state is TaskState.SUCCEEDED
            title = clean(snap.title or snap.ref.id, limit=60)
            summary = clean(snap.summary, limit=120)
            notes.append(Note(f"{title}: {snap.state.value}" + (f"\n{summary}" if summary else ""),
                              title="Task finished", severity=INFO if ok else ERROR))
    for health in changes.went_down:
        notes.append(Note(f"{clean(health.provider)}: {health_text(health)}", title="Provider down",
                          severity=ERROR, timeout=10))
    for health in changes.came_back:
        notes.append(Note(f"{clean(health.provider)} is reachable again", title="Provider back"))
    return notes


def rings_bell(changes: Changes, board: Board) -> bool:
    """The terminal bell (when `[ui] bell = true`) rings for the same events as before: a finish in the
    active list or a provider going down."""
    return bool(changes.went_down) or any(board.in_active(s.ref.key) for s in changes.finished)
