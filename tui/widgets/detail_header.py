"""The detail pane's header: who the selected task is, its state, progress, times, timeline, download
URL and last poll error, as one `Content` of plain-text parts (server strings are never markup)."""

from __future__ import annotations

import time
from typing import Any

from textual.content import Content
from textual.widgets import Static

from tui.core.decode import download_url
from tui.core.display import look_of_word, shown_state
from tui.core.eta import eta_text
from tui.core.model import TaskSnapshot
from tui.core.recall import Stay, memory_note
from tui.core.text import clean, code_and_message, span
from tui.widgets.detail_text import fmt_epoch, fmt_server_time
from tui.widgets.states import theme_style

__all__ = ["HeaderStatic", "header_content", "update_static"]

MAX_STAYS = 12  # the newest states of a task's timeline shown
LABEL = "$text-muted"
BAR_WIDTH = 20


def header_content(
    s: TaskSnapshot | None, eta: float | None, timeline: tuple[str, list[Stay]] | None
) -> Content:
    """The header for snapshot `s`; `eta` its estimated seconds left, `timeline` (task key, remembered
    states) shown only when it is this task's."""
    if s is None:
        return Content("No task selected.")
    parts: list[str | tuple[str, str]] = []
    title = clean(s.title or s.ref.label or s.kind or s.ref.id, limit=300)
    parts += [(title, "bold"), "\n"]
    where = [("provider ", s.ref.provider)]
    if s.ref.instance:
        where.append(("instance ", s.ref.instance))
    where.append(("id ", s.ref.id))
    for i, (label, value) in enumerate(where):
        parts += [(("  " if i else "") + label, LABEL), clean(value, limit=200)]
    if s.kind and s.kind != s.title:
        parts += [("  kind ", LABEL), clean(s.kind, limit=100)]
    shown = shown_state(s)
    look = look_of_word(shown)
    parts += ["\n", ("state ", LABEL), (f"{look.symbol} {shown}", theme_style(look))]
    if s.raw_state:
        parts += [("  raw ", LABEL), clean(s.raw_state, limit=60)]
    note = memory_note(s, time.time())
    if note:
        parts += [(f"  {note}", "$warning" if s.gone else LABEL)]
    if s.progress is not None or s.steps is not None:
        parts += ["\n", ("progress ", LABEL)]
        if s.progress is not None:
            p = max(0.0, min(100.0, float(s.progress)))
            filled = round(p / 100 * BAR_WIDTH)
            parts += [("█" * filled, "$accent"), ("░" * (BAR_WIDTH - filled), LABEL), f" {p:.0f}%"]
        if s.steps is not None:
            st = s.steps
            parts += [f"  steps {st.done} done · {st.failed} failed · {st.total} total"]
        if eta is not None and not s.finished:
            parts += [("  ETA ", LABEL), eta_text(eta)]
    # Times the server did not give are left out, not shown as dashes.
    times = [("created ", fmt_server_time(s.created)), ("updated ", fmt_server_time(s.updated)),
             ("fetched ", fmt_epoch(s.fetched_at) if s.fetched_at else "")]
    shown_times = [(label, value) for label, value in times if value]
    if shown_times:
        parts.append("\n")
    for i, (label, value) in enumerate(shown_times):
        parts += [(("  " if i else "") + label, LABEL), value]
    if s.summary:
        parts += ["\n", clean(s.summary, limit=1000)]
    if timeline is not None and timeline[0] == s.ref.key and timeline[1]:
        parts += ["\n", ("timeline", LABEL)]
        for stay in timeline[1][-MAX_STAYS:]:
            look = look_of_word(stay.state)
            took = f"  {span(stay.duration)}" if stay.duration is not None else ""
            parts += ["\n  ", (fmt_epoch(stay.start), LABEL), "  ",
                      (f"{look.symbol} {clean(stay.state, limit=20)}", theme_style(look)), took]
    url = download_url(s.result)
    if url:
        parts += ["\n", ("download ", LABEL), (clean(url, limit=2000), "bold $accent underline")]
        parts += [("  o open · Y copy URL", LABEL)]
    if s.error is not None:
        e = s.error
        parts += ["\n", ("⚠ last poll failed: ", "$error bold")]
        if e.status is not None:
            parts += [(f"HTTP {e.status} ", "$error")]
        parts += [clean(code_and_message(e.code and e.code[:100], e.message), limit=1100)]
        if e.request_id:
            parts += [("  request id ", LABEL), clean(e.request_id, limit=120)]
        if e.gone:
            parts += [("  (the task no longer exists)", "$error")]
        elif s.fetched_at:
            parts += [(f"  (showing data from {fmt_epoch(s.fetched_at)})", LABEL)]
    return Content.assemble(*parts)


class HeaderStatic(Static):
    """The detail header's widget: as tall as the tallest header shown at this width, never shorter.

    Why: under load nearly every cursor move landed on a task whose header had another height (an
    ETA, a summary, an error line), and each change of height laid the whole screen out twice
    (Textual lays out again for every widget the first layout resized): most of a cursor key's
    ~50 ms p95 under load. Keeping the tallest height seen changes the layout only when a taller
    header comes along (or the width changes), and the result below stays in place as the cursor
    moves; a shorter header leaves blank lines under it. `max-height` still caps it.
    """

    def __init__(self, content: Content, *, id: str | None = None) -> None:
        super().__init__(content, id=id)
        self._tallest = 0  # lines of the tallest content shown at `_width`
        self._width = 0

    def show(self, content: Content) -> None:
        width = self.content_region.width
        if not self.is_mounted or width <= 0:
            self.update(content)
            return
        rules: Any = self.styles  # what Widget itself passes to get_height
        needed = content.get_height(rules, width)
        if width != self._width or needed > self._tallest:
            self._width, self._tallest = width, needed
            self.styles.height = needed + self.styles.gutter.height
            self.update(content, layout=True)
        else:
            self.update(content, layout=False)

    def on_resize(self) -> None:
        # another width wraps the text anew: fit the height to it (and start the tallest over)
        content = self.content
        if isinstance(content, Content) and self.content_region.width != self._width:
            self.show(content)


def update_static(widget: Static, content: Content) -> None:
    """`Static.update`, laying out the screen only when the widget's height changes: a layout of the
    whole screen costs more than the rest of a cursor key, and the header changes with every task."""
    width, height = widget.content_region.width, widget.content_region.height
    if widget.is_mounted and width > 0:
        rules: Any = widget.styles  # what Widget itself passes to get_height
        # compared with the height it has now (an empty Static may be 0 lines high), not the old text's
        widget.update(content, layout=content.get_height(rules, width) != height)
    else:
        widget.update(content)
