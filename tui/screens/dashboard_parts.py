"""What the dashboard's Screen mixins may use of DashboardScreen, declared once.

DashboardLayout, DashboardFeed and DashboardFilter each handle one concern of the
dashboard and reach the others through these names. They are declared for the type
checker only: a stub that existed at run time could shadow, in the method order, the
mixin that really implements it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from tui.deck.controller import Deck
    from tui.screens.notes import Toaster
    from tui.widgets.detail import DetailPane
    from tui.widgets.table_rows import Row
    from tui.widgets.task_table import TaskTable


class DashboardParts(Screen[None]):
    if TYPE_CHECKING:  # provided by DashboardScreen and its other mixins
        deck: Deck
        _ready: bool

        @property
        def table(self) -> TaskTable: ...

        @property
        def detail(self) -> DetailPane: ...

        @property
        def toaster(self) -> Toaster: ...

        def _row(self, key: str, now: float) -> Row: ...

        def _update_chrome(self) -> None: ...

        def _tell_held_finishes(self) -> None: ...

        def _load_timeline(self, key: str) -> None: ...

        def _select(self, key: str | None, *, again: bool = False) -> None: ...

        def remember_view(self) -> None: ...
