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

from tui.core.model import HealthStatus, TaskState

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


def look_of_word(word: str) -> Look:
    """The look of a state given as its word ("failed"); OTHER for a word that is no state."""
    try:
        return STATE_LOOKS[TaskState(word.lower())]
    except ValueError:
        return OTHER
