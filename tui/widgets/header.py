"""The top bar: the watch list's name, totals per state, and the PAUSED mark."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.widgets import Static

from tui.core.display import PARTIAL, PARTIAL_WORD, SHOWN_STATES, look_of_word
from tui.core.text import clean
from tui.widgets.states import rich_style


class DeckHeader(Static):
    DEFAULT_CSS = """
    DeckHeader { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._last = ""

    def show(self, list_name: str | None, counts: Counter[str], total: int, paused: bool,
             problem: str | None = None) -> None:
        """`problem`: something that stops taskdeck from working (the polling engine has stopped)."""
        text = Text.assemble(("taskdeck", "bold"), " · ", (clean(list_name or "no watch list", limit=40), "bold"),
                             f"  {total} task{'s' if total != 1 else ''}  ")
        for word in SHOWN_STATES:
            n = counts.get(word, 0)
            if n:
                look = look_of_word(word)
                text.append(f" {look.symbol} {n} {PARTIAL_WORD if word == PARTIAL else word} ",
                            style=rich_style(look))
        if paused:
            text.append("  ⏸ PAUSED ", style="bold reverse yellow")
        if problem:
            text.append(f"  ✖ {clean(problem, limit=80)} ", style="bold reverse red")
        key = text.plain + repr(text.spans)
        if key != self._last:
            self._last = key
            self.update(text)
