"""The task table's cursor, keys, mouse and the sync after a change (a mixin of TaskTable).

The cursor follows its task through sorts, filters and batches: `_sync` keeps the
selected task on the same screen line and redraws only the lines that changed.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.scrolling import set_virtual_size
from tui.widgets.table_model import TableModel
from tui.widgets.table_rows import Column


class TableCursor(ScrollView):
    _model: TableModel
    _show_header: bool
    _zebra: bool
    _cursor_key: str | None
    _anchor_key: str | None
    _cursor_index: int
    _strips: LRUCache[str, Strip]
    _header_strip: Strip | None
    _styles: dict[str, Style]
    _frame: tuple[Style, int, int, int] | None
    _strip_base: Style | None
    _strip_view: tuple[int, int] | None
    CursorMoved: Any  # TaskTable's messages (defined there, so their handlers keep TaskTable's name)
    RowActivated: Any

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        raise NotImplementedError

    # -- actions -------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor_index - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor_index + 1)

    def action_page_up(self) -> None:
        self._move_cursor(self._cursor_index - max(1, self._page_height()))

    def action_page_down(self) -> None:
        self._move_cursor(self._cursor_index + max(1, self._page_height()))

    def action_cursor_top(self) -> None:
        self._move_cursor(0)

    def action_cursor_bottom(self) -> None:
        self._move_cursor(len(self._model.visible) - 1)

    def action_activate(self) -> None:
        if self._cursor_key is not None:
            self.post_message(self.RowActivated(self, self._cursor_key))

    def action_sort_next(self) -> None:
        """Sort on the next sortable column (ascending), wrapping around."""
        keys = [c.key for c in self._model.columns if c.sortable]
        if not keys:
            return
        current = self._model.sort_column
        nxt = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[0]
        self.sort_by(nxt)

    def action_sort_reverse(self) -> None:
        current = self._model.sort_column
        if current is None:
            keys = [c.key for c in self._model.columns if c.sortable]
            if keys:
                self.sort_by(keys[0], reverse=True)
        else:
            self.sort_by(current, not self._model.sort_reverse)

    # -- mouse ---------------------------------------------------------------------

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        scroll_x, scroll_y = self.scroll_offset
        header = 1 if self._show_header else 0
        if offset.y < header:
            column = self._column_at(offset.x + scroll_x)
            if column is not None and column.sortable:
                if self._model.sort_column == column.key:
                    self.sort_by(column.key, not self._model.sort_reverse)
                else:
                    self.sort_by(column.key)
            event.stop()
            return
        index = scroll_y + offset.y - header
        if 0 <= index < len(self._model.visible):
            self._move_cursor(index)
            if event.chain >= 2 and self._cursor_key is not None:
                self.post_message(self.RowActivated(self, self._cursor_key))
            event.stop()

    def _column_at(self, x: int) -> Column | None:
        pos = 1
        for column, width in zip(self._model.columns, self._model.widths, strict=False):
            if pos - 1 <= x < pos + width:
                return column
            pos += width + 1
        return None

    # -- cursor and sync -----------------------------------------------------------

    def _page_height(self) -> int:
        return self.scrollable_content_region.height - (1 if self._show_header else 0)

    def _line_region(self, index: int) -> Region | None:
        y = index - int(self.scroll_y) + (1 if self._show_header else 0)
        if 0 <= y < self.size.height:
            return Region(0, y, self.size.width, 1)
        return None

    def _refresh_index(self, index: int) -> None:
        region = self._line_region(index)
        if region is not None:
            self.refresh(region)

    def _move_cursor(self, index: int) -> None:
        visible = self._model.visible
        if not visible:
            return
        index = max(0, min(index, len(visible) - 1))
        key = visible[index]
        old_index = self._cursor_index
        self._cursor_index = index
        self._anchor_key = key
        if key != self._cursor_key:
            self._cursor_key = key
            self._refresh_index(old_index)
            self._refresh_index(index)
            self.post_message(self.CursorMoved(self, key))
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        page = self._page_height()
        if page <= 0 or self._cursor_key is None:
            return
        index, top = self._cursor_index, int(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False, force=True)
        elif index >= top + page:
            self.scroll_to(y=index - page + 1, animate=False, force=True)

    def _sync(self, changed: Collection[str] | None) -> None:
        """Bring order, cursor, size and screen up to date after a change.

        `changed` holds the keys of rows whose content changed; None redraws everything.
        Otherwise only the screen lines whose row changed or moved are redrawn.
        """
        model = self._model
        page = max(0, self._page_height())
        top = int(self.scroll_y)
        old_window = model.peek_visible(top, top + page)
        old_index = self._cursor_index
        old_key = self._cursor_key
        on_screen = old_key is not None and 0 <= old_index - top < page
        reordered = model.refresh()
        visible = model.visible

        anchor = self._anchor_key
        if anchor is not None and len(model) and anchor not in model:
            anchor = self._anchor_key = None  # kept while empty: a rebuild restores it
        if not visible:
            new_key = None
        elif anchor is not None and anchor != old_key and (reordered or old_key is None) \
                and model.index_of(anchor) is not None:
            new_key = anchor  # the user's row is back in view
        elif old_key is None:
            new_key = visible[0]
        elif not reordered:
            new_key = old_key  # same list: the cursor's row is where it was
        elif model.index_of(old_key) is not None:
            new_key = old_key
        else:
            new_key = model.nearest_visible(old_key, old_index)
        if anchor is None and new_key is not None:
            self._anchor_key = new_key
        if reordered or new_key != old_key:
            index = model.index_of(new_key)
            self._cursor_index = 0 if index is None else index
        if new_key != old_key:
            self._cursor_key = new_key
            self.post_message(self.CursorMoved(self, new_key))

        self._update_virtual_size()
        if on_screen and self._cursor_index != old_index:
            # keep the selected task on the same screen line
            self.scroll_to(y=max(0, top + self._cursor_index - old_index), animate=False, force=True)
        elif old_key is None and new_key is not None:
            self._scroll_to_cursor()
        if changed is None or int(self.scroll_y) != top:
            self.refresh()
            return
        header = 1 if self._show_header else 0
        width = self.size.width
        new_window = visible[top : top + page]
        cursor_keys = {old_key, new_key} if old_key != new_key else ()
        lines = [
            i for i in range(max(len(old_window), len(new_window)))
            if i >= len(new_window)
            or i >= len(old_window)
            or (key := new_window[i]) != old_window[i]
            or key in changed
            or key in cursor_keys
        ]
        if len(lines) * 2 > page:
            self.refresh()  # most lines moved: one repaint costs less than many small ones
        elif lines:
            self.refresh(*[Region(0, i + header, width, 1) for i in lines])

    def _update_virtual_size(self) -> None:
        width = 1 + sum(w + 1 for w in self._model.widths)
        height = len(self._model.visible) + (1 if self._show_header else 0)
        # The table's own size does not depend on its rows: a filter or a batch that changes
        # the row count needs no layout of the whole screen.
        set_virtual_size(self, Size(width, height))
