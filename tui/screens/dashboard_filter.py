"""The dashboard's filter box: each key filters the table and the detail follows, in one frame.

A mixin of DashboardScreen. The box (tui.widgets.filter_input) calls `_filter_now` with
every value while its key is handled, so the filtered rows, the header's count and the
detail of the row the cursor lands on are drawn in the same frame as the key's echo.
"""

from __future__ import annotations

from textual import on
from textual.widgets import Input

from tui.screens.dashboard_parts import DashboardParts
from tui.widgets.header import DeckHeader


class DashboardFilter(DashboardParts):
    def _filter_now(self, value: str) -> None:
        """Each value of the filter box, while its key is handled: the rows and the detail of the
        row the cursor lands on are drawn in the same frame as the key's echo."""
        if not self._ready:
            return  # on_mount sets the table's filter itself
        table = self.table
        before = table.cursor_key
        table.set_filter(value)
        self._show_filtered()
        if table.cursor_key != before:
            self._select(table.cursor_key)

    def _show_filtered(self) -> None:
        table = self.table
        self.query_one(DeckHeader).set_shown(table.visible_count if table.filter_text else None)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()
        self.remember_view()

    def _set_filter(self, text: str) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.value = text
        filter_input.display = bool(text)
        self.table.set_filter(text)
        self._show_filtered()
        self.remember_view()

    def action_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.display = True
        filter_input.focus()
