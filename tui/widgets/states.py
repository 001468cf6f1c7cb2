"""How task states look: a symbol and a word (readable without colour) and a colour."""

from __future__ import annotations

from tui.core.model import TaskState
from tui.widgets.table_model import STATE_SYMBOLS

STATE_SYMBOL = {state: STATE_SYMBOLS[state.value] for state in TaskState}

STATE_STYLE = {
    TaskState.PENDING: "cyan",
    TaskState.RUNNING: "bold blue",
    TaskState.SUCCEEDED: "green",
    TaskState.FAILED: "bold red",
    TaskState.CANCELLED: "yellow",
    TaskState.UNKNOWN: "magenta",
}

# Sort order of the state column: what needs attention first.
STATE_ORDER = {
    TaskState.FAILED: 0,
    TaskState.RUNNING: 1,
    TaskState.PENDING: 2,
    TaskState.UNKNOWN: 3,
    TaskState.CANCELLED: 4,
    TaskState.SUCCEEDED: 5,
}
