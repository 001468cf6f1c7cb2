"""A virtualised task table: a Line-API `ScrollView` that draws only visible rows.

Why not DataTable: at 10k rows one `update_cell` re-renders the whole table and
loading rows freezes the UI for seconds (see the project's Textual notes). Here
each row is rendered once into a `Strip` and cached by row key; a changed row
drops only its own strip, and a frame costs about one cache lookup per visible line.

Data lives in `TableModel` (table_model.py: rows, sort, filter, no textual; rows and cells in table_rows.py). This
widget adds the cursor, keys and mouse (table_cursor.py) and the drawing (table_drawing.py).

Safety: cells are drawn as plain segments, never parsed as markup, and a cell that
still holds a control character when drawn is cleaned again (`tui.core.text.clean`).
Build rows with `make_row` (or clean the strings yourself).

Public interface (kept small so the implementation can be swapped):
    TaskTable(columns=(), *, show_header=True, zebra_stripes=False, name, id, classes, disabled)
    apply(changed: Mapping[str, Row], removed: Iterable[str] = ()), clear(),
    set_columns(columns), sort_by(column_key | None, reverse=False), set_filter(text),
    move_cursor_to_key(key) -> bool, get_row(key)
    properties: row_count (all rows), visible_count, visible_keys, cursor_key,
    cursor_row, columns, sort_column, sort_reverse, filter_text, model
    messages: TaskTable.CursorMoved(key | None), TaskTable.RowActivated(key);
    both have `.table`, `.key` and `control`, so `@on(TaskTable.CursorMoved, "#tasks")` works.
    bindings (ids): table.cursor_up (up, k), table.cursor_down (down, j), table.page_up,
    table.page_down, table.top (home, g), table.bottom (end, G), table.activate (enter),
    table.sort_next (s), table.sort_reverse (S), table.scroll_left/right, table.page_left/right
    component classes: task-table--header, --header-sorted, --cursor, --stale, --zebra,
    --error, --state-{pending,running,succeeded,failed,cancelled,unknown}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.display import PARTIAL_WORD
from tui.core.model import TaskState
from tui.widgets.states import state_class_css
from tui.widgets.table_cursor import TableCursor
from tui.widgets.table_drawing import TableDrawing
from tui.widgets.table_model import TableModel
from tui.widgets.table_rows import Column, Row

__all__ = ["Column", "Row", "TaskTable"]

_STATE_CLASSES = (*(state.value for state in TaskState), PARTIAL_WORD)


class TaskTable(TableCursor, TableDrawing, ScrollView, can_focus=True, inherit_bindings=False):
    """A keyed, sortable, filterable table that scales to tens of thousands of rows.

    Rows are identified by a stable string key. The cursor follows its row's key
    through updates, inserts, removals, sorts and filters; when its row goes away
    (removed or filtered out) it moves to the nearest visible row. While the cursor
    is on screen, the view scrolls with it so the selected task keeps its screen line.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "cursor_top", "Top", show=False, id="table.top"),
        Binding("end,G", "cursor_bottom", "Bottom", show=False, id="table.bottom"),
        Binding("enter", "activate", "Open", id="table.activate"),
        Binding("s", "sort_next", "Sort", id="table.sort_next"),
        Binding("S", "sort_reverse", "Reverse sort", id="table.sort_reverse"),
        Binding("left", "scroll_left", "Scroll left", show=False, id="table.scroll_left"),
        Binding("right", "scroll_right", "Scroll right", show=False, id="table.scroll_right"),
        Binding("ctrl+pageup", "page_left", "Page left", show=False, id="table.page_left"),
        Binding("ctrl+pagedown", "page_right", "Page right", show=False, id="table.page_right"),
    ]
    """Every binding has an id (`table.*`) so a keymap can remap it; nothing is inherited."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "task-table--header",
        "task-table--header-sorted",
        "task-table--cursor",
        "task-table--stale",
        "task-table--zebra",
        "task-table--error",
        *(f"task-table--state-{s}" for s in _STATE_CLASSES),
    }

    DEFAULT_CSS = """
    TaskTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        & > .task-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .task-table--header-sorted { text-style: bold underline; }
        & > .task-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .task-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .task-table--stale { text-style: dim; }
        & > .task-table--zebra { background: $surface-lighten-1 50%; }
        & > .task-table--error { color: $text-error; }
    """ + state_class_css("task-table--state") + """
    }
    """

    STRIP_CACHE_SIZE: ClassVar[int] = 2048

    class CursorMoved(Message):
        """The highlighted row changed; `key` is None when the table became empty."""

        def __init__(self, table: TaskTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> TaskTable:
            return self.table

    class RowActivated(Message):
        """Enter or a double click on a row."""

        def __init__(self, table: TaskTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> TaskTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column] = (),
        *,
        show_header: bool = True,
        zebra_stripes: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._model = TableModel(columns)
        self._show_header = show_header
        self._zebra = zebra_stripes
        self._cursor_key: str | None = None
        # The row the user chose last. When a filter or removal moves the cursor away,
        # the cursor returns to it as soon as it is visible again.
        self._anchor_key: str | None = None
        self._cursor_index = 0
        self._strips: LRUCache[str, Strip] = LRUCache(self.STRIP_CACHE_SIZE)
        self._header_strip: Strip | None = None
        self._styles: dict[str, Style] = {}
        self._frame: tuple[Style, int, int, int] | None = None
        self._strip_base: Style | None = None
        # Cached strips are cropped to this (scroll_x, width) view, so a frame builds no new strips.
        self._strip_view: tuple[int, int] | None = None
        self._update_virtual_size()

    # -- public interface ----------------------------------------------------------

    @property
    def model(self) -> TableModel:
        return self._model

    @property
    def row_count(self) -> int:
        """All rows held, filtered or not."""
        return len(self._model)

    @property
    def visible_count(self) -> int:
        """Rows that pass the filter."""
        return len(self._model.visible)

    @property
    def visible_keys(self) -> Sequence[str]:
        """Keys of the rows shown, in display order (do not mutate)."""
        return self._model.visible

    @property
    def cursor_key(self) -> str | None:
        return self._cursor_key

    @property
    def cursor_row(self) -> int | None:
        """The cursor's index among the visible rows."""
        return None if self._cursor_key is None else self._cursor_index

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._model.columns

    @property
    def sort_column(self) -> str | None:
        return self._model.sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._model.sort_reverse

    @property
    def filter_text(self) -> str:
        return self._model.filter_text

    def get_row(self, key: str) -> Row | None:
        return self._model.get(key)

    def apply(self, changed: Mapping[str, Row], removed: Iterable[str] = ()) -> None:
        """Apply a batch: insert or replace rows by key, then drop `removed` keys.

        Re-sorts only if a row was added or removed or a sort value changed; redraws
        only the changed rows that are on screen unless the order changed.
        """
        removed = list(removed)
        if self._model.apply(changed, removed):  # a column grew: everything moves
            self._invalidate_all()
            self._sync(None)
            return
        strips = self._strips
        cached = strips.keys()
        for key in cached & changed.keys() if len(changed) > len(cached) // 4 else changed:
            strips.discard(key)
        for key in removed:
            strips.discard(key)
        self._sync(changed)

    def clear(self) -> None:
        """Remove every row (columns, sort and filter stay).

        The cursor's key is remembered: if the next batch brings that row back (a
        rebuild), the cursor returns to it.
        """
        self._model.clear()
        self._invalidate_all()
        self._sync(None)
        self.scroll_to(0, 0, animate=False)

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Replace the columns; rows' cells are matched to them by position."""
        self._model.set_columns(columns)
        self._invalidate_all()
        self._sync(None)

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        """Sort on a column's sort keys (None: insertion order); ties break on row key.

        Raises KeyError for a column key the table does not have.
        """
        self._model.sort_by(column_key, reverse)
        self._header_strip = None
        self._sync(None)
        self._scroll_to_cursor()
        self._show_column(column_key)

    def _show_column(self, column_key: str | None) -> None:
        """Scroll sideways so a column (the sorted one, with its arrow) is in view."""
        model = self._model
        keys = [c.key for c in model.columns]
        if column_key not in keys:
            return
        index = keys.index(column_key)
        left = 1 + sum(w + 1 for w in model.widths[:index])
        right = left + model.widths[index]
        view = self.scrollable_content_region.width
        if view <= 0:
            return
        if left < self.scroll_x or right > self.scroll_x + view:
            self.scroll_to(x=max(0, min(left, right - view)) if right - left <= view else left,
                           animate=False, immediate=True)

    def set_filter(self, text: str) -> None:
        """Filter rows: free words are case-insensitive substrings (all must match);
        `state:<prefix>` and `provider:<prefix>` tokens (several of one kind OR)."""
        if text == self._model.filter_text:
            return
        self._model.set_filter(text)
        self._sync(None)
        self._scroll_to_cursor()

    def move_cursor_to_key(self, key: str) -> bool:
        """Put the cursor on `key`'s row; False if no such visible row."""
        index = self._model.index_of(key)
        if index is None:
            return False
        self._move_cursor(index)
        return True

    # -- events --------------------------------------------------------------------

    def _on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()
