"""How task states look in widgets: the data of tui.core.display turned into Textual and Rich styles."""

from __future__ import annotations

from tui.core.display import PARTIAL_LOOK, PARTIAL_WORD, STATE_LOOKS, Look
from tui.core.model import TaskState

STATE_SYMBOL = {state: look.symbol for state, look in STATE_LOOKS.items()}

# Sort order of the state column: what needs attention first.
STATE_ORDER = {state: look.rank for state, look in STATE_LOOKS.items()}


def theme_style(look: Look) -> str:
    """A Textual style (for Content and CSS) from a look: the theme's text colour of that name."""
    colour = f"$text-{look.colour}" if look.colour else ""
    return f"{colour} bold".strip() if look.bold else colour


STATE_THEME_STYLE = {state: theme_style(look) for state, look in STATE_LOOKS.items()}

# For widgets that draw rich `Text`, which knows no theme variables: the same colour names as terminal
# colours. Prefer theme_style with Textual's Content where a widget can.
RICH_COLOURS = {"muted": "grey62", "accent": "blue", "success": "green", "error": "red", "warning": "yellow"}


def rich_style(look: Look) -> str:
    colour = RICH_COLOURS.get(look.colour, "")
    return f"bold {colour}".strip() if look.bold else colour


STATE_STYLE = {state: rich_style(look) for state, look in STATE_LOOKS.items()}


def state_class_css(prefix: str) -> str:
    """CSS rules colouring the component classes `{prefix}-{state}` (the task table's state cells)."""
    rules = []
    for word, look in (*((s.value, STATE_LOOKS[s]) for s in TaskState), (PARTIAL_WORD, PARTIAL_LOOK)):
        bold = " text-style: bold;" if look.bold else ""
        rules.append(f"& > .{prefix}-{word} {{ color: $text-{look.colour};{bold} }}")
    return "\n".join(rules)
