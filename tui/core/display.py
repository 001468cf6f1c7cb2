"""How a task state (and a provider's health) looks, as plain data: a symbol, a colour name, an order.

Every view reads this: the table, the sidebar, the header, the detail pane, and the headless commands
if they ever colour. A colour is a *name* from the theme's vocabulary ("muted", "accent", "success",
"error", "warning"), not a style: each widget turns it into its own kind of style (a Textual theme
variable such as `$text-accent`, a CSS component class, or a terminal colour), so a theme can restyle
it and one state never looks two ways. The symbol makes a state readable without colour.
No textual/rich imports here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tui.core.model import HealthStatus, TaskSnapshot, TaskState
from tui.core.summary_formats import failed_parts

COLOURS = ("muted", "accent", "success", "error", "warning")


@dataclass(frozen=True, slots=True)
class Look:
    symbol: str  # one cell wide, readable without colour
    colour: str  # one of COLOURS
    bold: bool = False


@dataclass(frozen=True, slots=True)
class StateLook(Look):
    rank: int = 0  # sort order of the state column: what needs attention first (0 first)


STATE_LOOKS: Mapping[TaskState, StateLook] = MappingProxyType({
    TaskState.FAILED: StateLook("✖", "error", bold=True, rank=0),
    TaskState.RUNNING: StateLook("▶", "accent", rank=1),
    TaskState.PENDING: StateLook("◷", "muted", rank=2),
    TaskState.UNKNOWN: StateLook("?", "muted", rank=3),
    TaskState.CANCELLED: StateLook("⊘", "warning", rank=4),
    TaskState.SUCCEEDED: StateLook("✔", "success", rank=5),
})
# States by attention (the state column's sort order).
BY_ATTENTION: tuple[TaskState, ...] = tuple(sorted(STATE_LOOKS, key=lambda s: STATE_LOOKS[s].rank))
# The order counts per state are listed in (header, sidebar): the life of a task, then the odd ones.
COUNT_ORDER: tuple[TaskState, ...] = (
    TaskState.RUNNING, TaskState.PENDING, TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED,
    TaskState.UNKNOWN,
)
# A task that succeeded with some parts failed (an APIG import with failures, failed Smint.io steps).
# Not a TaskState: `state` in the JSON output stays "succeeded" (scripts test for that word); it is
# how such a task looks and is counted on screen. It sorts just before a clean success.
PARTIAL = "succeeded with failures"
# Its short word, where a state takes one word (the state column, the header's counts).
PARTIAL_WORD = "partial"
PARTIAL_LOOK = StateLook("◐", "warning", bold=True, rank=STATE_LOOKS[TaskState.SUCCEEDED].rank)
# Every word a state cell or a count can show, in count order.
SHOWN_STATES: tuple[str, ...] = tuple(
    w for s in COUNT_ORDER for w in ((s.value, PARTIAL) if s is TaskState.SUCCEEDED else (s.value,)))

# A state word that is not a TaskState (a hand-made row, a future state): shown, never coloured.
OTHER = Look("•", "")

HEALTH_LOOKS: Mapping[HealthStatus, Look] = MappingProxyType({
    HealthStatus.OK: Look("●", "success"),
    HealthStatus.ERRORS: Look("▲", "warning"),
    HealthStatus.UNREACHABLE: Look("✗", "error"),
    HealthStatus.AUTH_FAILED: Look("✗", "error"),
    HealthStatus.IDLE: Look("○", "muted"),
})


def state_look(state: TaskState) -> StateLook:
    return STATE_LOOKS[state]


def shown_state(snapshot: TaskSnapshot) -> str:
    """The word a task's state is shown (and counted) as: its state, or PARTIAL."""
    if snapshot.state is TaskState.SUCCEEDED and failed_parts(snapshot.result, snapshot.steps):
        return PARTIAL
    return snapshot.state.value


def shown_rank(word: str) -> float:
    """Sort order of a shown state (what needs attention first); PARTIAL just before a success."""
    if word == PARTIAL:
        return PARTIAL_LOOK.rank - 0.5
    look = look_of_word(word)
    return look.rank if isinstance(look, StateLook) else len(STATE_LOOKS)


def look_of_word(word: str) -> Look:
    """The look of a state given as its word ("failed"); OTHER for a word that is no state."""
    if word.lower() in (PARTIAL, PARTIAL_WORD):
        return PARTIAL_LOOK
    try:
        return STATE_LOOKS[TaskState(word.lower())]
    except ValueError:
        return OTHER
