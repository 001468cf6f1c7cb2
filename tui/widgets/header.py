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
        self._args: tuple[str | None, Counter[str], int, bool, str | None] | None = None
        self._shown: int | None = None

    def set_shown(self, shown: int | None) -> None:
        """While a filter is on, how many rows it leaves: the total reads "12 of 58 tasks"."""
        if shown != self._shown:
            self._shown = shown
            if self._args is not None:
                self.show(*self._args)

    def show(self, list_name: str | None, counts: Counter[str], total: int, paused: bool,
             problem: str | None = None) -> None:
        """`problem`: something that stops taskdeck from working (the polling engine has stopped).

        On a narrow terminal (where the sidebar is folded away, so the header is the only place for
        the counts) the words give way: `▶ 24 running` becomes `▶24`, so every count still fits."""
        self._args = (list_name, counts, total, paused, problem)
        width = max(20, self.app.size.width - 2)
        text = self._build(list_name, counts, total, paused, problem, short=False, shown=self._shown)
        if text.cell_len > width:
            text = self._build(list_name, counts, total, paused, problem, short=True, shown=self._shown)
        key = text.plain + repr(text.spans)
        if key != self._last:
            self._last = key
            # one line high whatever it says: no layout of the whole screen (counts change every batch)
            self.update(text, layout=False)

    @staticmethod
    def _build(list_name: str | None, counts: Counter[str], total: int, paused: bool,
               problem: str | None, *, short: bool, shown: int | None = None) -> Text:
        name = clean(list_name or "no watch list", limit=24 if short else 40)
        text = Text() if short else Text.assemble(("taskdeck", "bold"), " · ")
        text.append(name, style="bold")
        of = "" if shown is None else f"{shown} of "
        text.append(f" {of}{total}" if short else f"  {of}{total} task{'s' if total != 1 else ''}  ")
        for word in SHOWN_STATES:
            n = counts.get(word, 0)
            if n:
                look = look_of_word(word)
                label = f" {look.symbol}{n}" if short else \
                    f" {look.symbol} {n} {PARTIAL_WORD if word == PARTIAL else word} "
                text.append(label, style=rich_style(look))
        if paused:
            text.append(" ⏸ PAUSED" if short else "  ⏸ PAUSED ", style="bold reverse yellow")
        if problem:
            text.append(f"  ✖ {clean(problem, limit=80)} ", style="bold reverse red")
        return text
