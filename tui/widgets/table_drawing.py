"""How the task table draws: each row rendered once into a cached `Strip`, header, styles (a mixin of TaskTable).

Cells are drawn as plain segments, never parsed as markup; a cell that still holds a
control character when drawn is cleaned again.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.text import clean
from tui.widgets.table_model import TableModel
from tui.widgets.table_rows import Cell, Row, needs_clean


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


class TableDrawing(ScrollView):
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

    @property
    def filter_text(self) -> str:
        raise NotImplementedError

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
