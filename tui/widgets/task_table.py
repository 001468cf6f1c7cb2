"""A virtualised task table: a Line-API `ScrollView` that draws only visible rows.

Why not DataTable: at 10k rows one `update_cell` re-renders the whole table and
loading rows freezes the UI for seconds (see the project's Textual notes). Here
each row is rendered once into a `Strip` and cached by row key; a changed row
drops only its own strip, and a frame costs about one cache lookup per visible line.

Data lives in `TableModel` (table_model.py: rows, sort, filter, no textual). This
widget adds the cursor, the header, keys, mouse and drawing.

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

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.display import PARTIAL_WORD
from tui.core.model import TaskState
from tui.core.text import clean
from tui.widgets.scrolling import set_virtual_size
from tui.widgets.states import state_class_css
from tui.widgets.table_model import TableModel
from tui.widgets.table_rows import Cell, Column, Row, needs_clean

__all__ = ["Column", "Row", "TaskTable"]

_STATE_CLASSES = (*(state.value for state in TaskState), PARTIAL_WORD)


def _safe(text: str) -> str:
    """The draw-time last line of defence: clean again only if something looks unsafe."""
    return clean(text) if needs_clean(text) else text


def _view(strip: Strip, scroll_x: int, width: int, pad: Style) -> Strip:
    """The part of a row's strip in a view `width` cells wide from `scroll_x`, padded with `pad`.

    What `Strip.crop_extend` gives, without its cache: when nothing needs cutting,
    crop_extend caches the strip in itself, a reference cycle that only Python's full
    garbage collection can free, for every row drawn.
    """
    return strip.extend_cell_length(scroll_x + width, pad).crop(scroll_x, scroll_x + width)


class TaskTable(ScrollView, can_focus=True, inherit_bindings=False):
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

    # -- drawing -------------------------------------------------------------------

    def _invalidate_all(self) -> None:
        self._strips.clear()
        self._header_strip = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._invalidate_all()

    def _component(self, name: str, full: bool = False) -> Style:
        """A component class's style: only what it sets, or (`full`) blended onto the
        table's background, which resolves colours with alpha such as the cursor's."""
        cache_key = f"{name}/full" if full else name
        style = self._styles.get(cache_key)
        if style is None:
            style = self.get_component_rich_style(name, partial=not full, default=Style())
            self._styles[cache_key] = style
        return style

    def _style(self, name: str) -> Style:
        """A trusted style: a component class name or a Rich style string."""
        style = self._styles.get(name)
        if style is None:
            if name.startswith("task-table--"):
                return self._component(name)
            try:
                style = Style.parse(name)
            except StyleSyntaxError:
                style = Style()
            self._styles[name] = style
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        # `rich_style` walks the ancestors: look it up once per frame, not per line
        base = self.rich_style
        if base != self._strip_base:
            self._invalidate_all()
            self._strip_base = base
        # likewise `size` and `scroll_offset`, which are computed properties
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        self._check_view(scroll_x, width)
        self._frame = (base, width, scroll_x, scroll_y)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def no_match_text(self) -> str:
        """What the table says when its filter hides every row (so an empty table is not a mystery)."""
        return f"No task matches '{clean(self.filter_text, limit=60)}' — Esc clears"

    def render_line(self, y: int) -> Strip:
        if self._frame is not None:
            base, width, scroll_x, scroll_y = self._frame
        else:
            base, width = self.rich_style, self.size.width
            scroll_x, scroll_y = self.scroll_offset
            self._check_view(scroll_x, width)
        if self._show_header:
            if y == 0:
                return self._render_header(scroll_x, width)
            y -= 1
        index = scroll_y + y
        visible = self._model.visible
        if index >= len(visible):
            if index == 0 and self.filter_text and len(self._model):
                return Strip([Segment(" " + self.no_match_text(), base)]).crop(0, width).extend_cell_length(width, base)
            return Strip.blank(width, base)
        key = visible[index]
        strip = self._strips.get(key)
        if strip is None:
            row = self._model.get(key)
            strip = self._render_row(row, base) if row is not None else Strip.blank(width, base)
            strip = _view(strip, scroll_x, width, base)
            self._strips[key] = strip
        if key == self._cursor_key:
            cursor = self._component("task-table--cursor", full=True)
            strip = Strip(Segment.apply_style(strip, post_style=cursor), width)
        elif self._zebra and index % 2:
            zebra = Style(bgcolor=self._component("task-table--zebra", full=True).bgcolor)
            strip = Strip(Segment.apply_style(strip, post_style=zebra), width)
        return strip

    def _check_view(self, scroll_x: int, width: int) -> None:
        """Drop the cached strips when the horizontal view they were cropped to changes."""
        view = (scroll_x, width)
        if view != self._strip_view:
            self._invalidate_all()
            self._strip_view = view

    def _render_header(self, scroll_x: int, view_width: int) -> Strip:
        if self._header_strip is not None:
            return self._header_strip
        model = self._model
        base = self._component("task-table--header", full=True)
        sorted_style = base + self._component("task-table--header-sorted")
        segments = [Segment(" ", base)]
        for column, width in zip(model.columns, model.widths, strict=False):
            label = _safe(column.label)
            style = base
            if column.key == model.sort_column:
                # the indicator always shows; a long label gives way to it
                arrow = "▼" if model.sort_reverse else "▲"
                if cell_len(label) + 2 > width and width > 2:
                    label = self._fit(label, width - 2, "left", base, base)[0].text.rstrip()
                label = f"{label} {arrow}"
                style = sorted_style
            segments.extend(self._fit(label, width, column.align, style, base))
            segments.append(Segment(" ", base))
        strip = Strip(segments, 1 + sum(w + 1 for w in model.widths)).simplify()
        strip = _view(strip, scroll_x, view_width, base)
        self._header_strip = strip
        return strip

    def _render_row(self, row: Row, base: Style) -> Strip:
        model = self._model
        stale = self._component("task-table--stale") if row.stale else None
        segments = [Segment(" ", base)]
        cells = row.cells
        n = len(cells)
        for i, (column, width) in enumerate(zip(model.columns, model.widths, strict=False)):
            cell: Cell = cells[i] if i < n else ""
            if isinstance(cell, str):
                segments.extend(self._fit(_safe(cell), width, column.align, base, base))
            elif isinstance(cell, tuple):
                text, style_name = cell
                style = base + self._style(style_name) if style_name else base
                segments.extend(self._fit(_safe(str(text)), width, column.align, style, base))
            elif isinstance(cell, Text):
                segments.extend(self._fit_text(cell, width, column.align, base))
            else:
                segments.extend(self._fit(_safe(str(cell)), width, column.align, base, base))
            segments.append(Segment(" ", base))
        if stale is not None:
            segments = list(Segment.apply_style(segments, post_style=stale))
        return Strip(segments, 1 + sum(w + 1 for w in model.widths)).simplify()

    @staticmethod
    def _fit(text: str, width: int, align: str, style: Style, pad_style: Style) -> list[Segment]:
        length = cell_len(text)
        if length > width:
            text = set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
            length = width
        pad = width - length
        if not pad:
            return [Segment(text, style)]
        if align == "right":
            return [Segment(" " * pad, pad_style), Segment(text, style)]
        if align == "center":
            left = pad // 2
            return [Segment(" " * left, pad_style), Segment(text, style), Segment(" " * (pad - left), pad_style)]
        return [Segment(text, style), Segment(" " * pad, pad_style)]

    def _fit_text(self, cell: Text, width: int, align: str, base: Style) -> list[Segment]:
        text = cell.copy() if not needs_clean(cell.plain) else Text(clean(cell.plain), style=cell.style)
        text.truncate(width, overflow="ellipsis")
        if width - text.cell_len > 0:
            text.align("right" if align == "right" else "center" if align == "center" else "left", width)
        return list(Segment.apply_style(text.render(self.app.console), base))

    # -- events --------------------------------------------------------------------

    def _on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()
