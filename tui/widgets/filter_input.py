"""The filter box: a Textual `Input` that costs one line's repaint per key, not a screen layout.

Why not a plain `Input`: on every change of its value, Input sets its `virtual_size`
(a reactive declared with layout=True) to the text's width, so each key lays out and
repaints the whole screen — at 160x50 with a 10k-row table that is most of a key's
cost. A fixed-size input's own size does not depend on its text, so here the
virtual size is updated without a layout, as `TaskTable` does for its rows.

It also calls `on_change(value)` synchronously from inside the key's handling, so the
table is filtered before the next frame and the echo of the key and the filtered rows
are painted together, instead of a frame apart behind the `Input.Changed` message
(which is still posted, as by any Input).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Size
from textual.widgets import Input

from tui.widgets.scrolling import set_virtual_size


class FilterInput(Input):
    """An `Input` for the filter; `on_change` is called with each new value as it happens."""

    def __init__(self, *, on_change: Callable[[str], None] | None = None, placeholder: str = "",
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, classes=classes)
        self.on_change = on_change

    def _watch_value(self, value: str) -> None:
        if not self.styles.auto_dimensions:
            # set before Input's own watcher runs, so its assignment changes nothing
            set_virtual_size(self, Size(self.content_width, 1))
        super()._watch_value(value)
        if self.on_change is not None:
            self.on_change(value)
