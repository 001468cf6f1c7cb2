"""A read-only, scrollable, soft-wrapped view of many lines of (JSON) text.

A Line-API widget: only the visible lines are highlighted and rendered, one Strip
each, cached, so a 5,000-line / 200 KB view scrolls as cheaply as a short one.
Lines are shown literally (no markup is parsed); the caller must already have run
them through `tui.core.text.clean(..., multiline=True)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len, chop_cells
from rich.highlighter import JSONHighlighter
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.scrolling import set_virtual_size

__all__ = ["JsonView"]

_STRIP_CACHE_MAX = 2_000
_TEXT_CACHE_MAX = 256


# A long line is broken after one of these when one is in the second half of the row, so a URL or a
# long JSON string wraps at a readable place rather than in the middle of a word.
_BREAK_AFTER = " ,;/&?=-_.:)]}"


def wrap_points(line: str, width: int) -> list[tuple[int, int]]:
    """(start, end) of each row of an ASCII line wrapped to `width`."""
    rows: list[tuple[int, int]] = []
    start, n = 0, len(line)
    while n - start > width:
        end = start + width
        cut = max(line.rfind(c, start + width // 2, end) for c in _BREAK_AFTER)
        if cut >= start + width // 2:
            end = cut + 1
        rows.append((start, end))
        start = end
    rows.append((start, n))
    return rows


class JsonView(ScrollView, can_focus=True):
    """Lines of text, wrapped to the width, optionally JSON-highlighted."""

    DEFAULT_CSS = """
    JsonView {
        height: 1fr;
        overflow-y: scroll;
        overflow-x: hidden;
        background: $surface;
    }
    JsonView:focus {
        background-tint: $foreground 3%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Scroll down", show=False),
        Binding("k", "scroll_up", "Scroll up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
        Binding("space", "page_down", "Page down", show=False),
    ]

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._lines: list[str] = []
        self._highlight = False
        self._wrap_width = 0
        # Visual rows: (logical line index, start offset, end offset).
        self._rows: list[tuple[int, int, int]] = []
        self._strips: dict[int, Strip] = {}
        self._texts: dict[int, Text] = {}
        self._style: Style | None = None
        self._highlighter = JSONHighlighter()

    @property
    def lines(self) -> Sequence[str]:
        """The logical lines shown (before wrapping)."""
        return self._lines

    @property
    def row_count(self) -> int:
        """How many screen rows the wrapped text takes."""
        return len(self._rows)

    def set_lines(self, lines: Sequence[str], *, highlight: bool = True, keep_scroll: bool = False) -> None:
        """Replace the text. With keep_scroll the view stays where it was (as far as the new text allows)."""
        old_y = self.scroll_y
        self._lines = list(lines)
        self._highlight = highlight
        self._rewrap(force=True)
        if keep_scroll:
            self.set_scroll(None, min(old_y, self.max_scroll_y))
        else:
            self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def visible_text(self) -> list[str]:
        """The plain text of the rows currently on screen (for tests and copy)."""
        top = round(self.scroll_y)
        out = []
        for li, start, end in self._rows[top : top + self.scrollable_content_region.height]:
            out.append(self._lines[li][start:end])
        return out

    # -- layout ---------------------------------------------------------------

    def _content_width(self) -> int:
        return max(self.scrollable_content_region.width, 0)

    def on_resize(self) -> None:
        self._rewrap()

    def _rewrap(self, force: bool = False) -> None:
        width = self._content_width()
        if not force and width == self._wrap_width:
            return
        self._wrap_width = width
        self._strips.clear()
        self._texts.clear()
        rows: list[tuple[int, int, int]] = []
        append = rows.append
        for index, line in enumerate(self._lines):
            n = len(line)
            if width <= 0 or n <= width and (line.isascii() or cell_len(line) <= width):
                append((index, 0, n))
            elif line.isascii():
                for start, end in wrap_points(line, width):
                    append((index, start, end))
            else:
                start = 0
                for piece in chop_cells(line, width):
                    append((index, start, start + len(piece)))
                    start += len(piece)
        self._rows = rows
        set_virtual_size(self, Size(width, len(rows)))  # no layout of the screen per task shown

    # -- rendering ------------------------------------------------------------

    def _logical_text(self, index: int, style: Style) -> Text:
        text = self._texts.get(index)
        if text is None:
            text = Text(self._lines[index], style=style, no_wrap=True, end="")
            if self._highlight:
                self._highlighter.highlight(text)
            if len(self._texts) >= _TEXT_CACHE_MAX:
                self._texts.clear()
            self._texts[index] = text
        return text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        style = self.rich_style
        if style != self._style:
            self._style = style
            self._strips.clear()
            self._texts.clear()
        row = scroll_y + y
        if row >= len(self._rows) or row < 0:
            return Strip.blank(width, style)
        strip = self._strips.get(row)
        if strip is None:
            index, start, end = self._rows[row]
            text = self._logical_text(index, style)
            if start or end != len(text):
                text = text[start:end]
            strip = Strip(text.render(self.app.console), text.cell_len)
            if len(self._strips) >= _STRIP_CACHE_MAX:
                self._strips.clear()
            self._strips[row] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, style).apply_offsets(scroll_x, row)
