"""Setting a scrolling widget's virtual size without laying out the whole screen.

`Widget.virtual_size` is a reactive declared with layout=True: every change lays out
and repaints the whole screen (~8 ms at 160x50, far more on a busy machine). A widget
whose own size does not depend on its content (a table, a text view, an input of
fixed width) only needs its scrollbars updated and itself redrawn. The task table,
the detail pane's text view and the filter box change their virtual size on nearly
every batch, cursor move or key.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget


def set_virtual_size(widget: Widget, size: Size) -> None:
    """`widget.virtual_size = size`, with a layout of the screen only if the widget's size follows it."""
    old = widget.virtual_size
    if old == size:
        return
    styles = widget.styles
    fits_content = (
        (styles.width is not None and styles.width.is_auto and old.width != size.width)
        or (styles.height is not None and styles.height.is_auto and old.height != size.height)
    )
    if fits_content or not widget.is_mounted or not widget.container_size:
        widget.virtual_size = size  # the reactive: the whole screen is laid out again
        return
    # update the scrollbars (one that appears or goes still triggers a layout) and redraw
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)
    widget.refresh()
