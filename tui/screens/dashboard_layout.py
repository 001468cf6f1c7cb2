"""How the dashboard lays itself out by width: wide, narrow, compact; the sidebar toggle; a full detail.

From 200 columns the detail pane sits beside the table; from 120 it goes under it;
below 120 the sidebar folds away (`b` brings it back) and the detail opens over the
table with Enter and closes with Escape. `z` gives the detail pane the whole screen.
A mixin of DashboardScreen.
"""

from __future__ import annotations

from textual import events

from tui.screens.dashboard_parts import DashboardParts
from tui.widgets.rows import columns_for

WIDE = 200  # from this width the detail pane sits beside the table
COMPACT = 120  # below this width the sidebar folds away and the detail opens over the table


class DashboardLayout(DashboardParts):
    _sidebar_wanted: bool | None

    def on_resize(self, event: events.Resize) -> None:
        self._layout_for(event.size.width)

    @property
    def compact(self) -> bool:
        return self.app.size.width < COMPACT

    def _layout_for(self, width: int) -> None:
        body = self.query_one("#body")
        body.set_class(width >= WIDE, "wide")
        body.set_class(COMPACT <= width < WIDE, "narrow")
        body.set_class(width < COMPACT, "compact")
        show_sidebar = self._sidebar_wanted if self._sidebar_wanted is not None else width >= COMPACT
        body.set_class(not show_sidebar, "no-sidebar")
        if width >= COMPACT:
            body.remove_class("detail-open")
        self.call_after_refresh(self._fit_title)

    def _fit_title(self) -> None:
        """Once the table's width is known: the title column takes the room the view leaves."""
        columns = columns_for(self.table.size.width)
        if self.table.is_mounted and self.table.size.width and columns != self.table.columns:
            self.table.set_columns(columns)

    def action_toggle_sidebar(self) -> None:
        body = self.query_one("#body")
        self._sidebar_wanted = body.has_class("no-sidebar")
        self._layout_for(self.app.size.width)

    def action_zoom_detail(self) -> None:
        body = self.query_one("#body")
        body.toggle_class("detail-zoom")
        if body.has_class("detail-zoom"):
            self.detail.focus_body()
        else:
            self.table.focus()

    def _open_detail(self) -> None:
        self.query_one("#body").add_class("detail-open")
        self.detail.focus_body()

    def _close_detail(self) -> bool:
        body = self.query_one("#body")
        if body.has_class("detail-zoom") or body.has_class("detail-open"):
            body.remove_class("detail-zoom", "detail-open")
            self.table.focus()
            return True
        return False
