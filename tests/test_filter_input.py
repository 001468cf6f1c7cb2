"""FilterInput: the filter box reports each value at once and does not lay out the screen per key."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Static

from tui.widgets.filter_input import FilterInput


class FilterApp(App[None]):
    CSS = "#box { width: 20; height: 3; }"

    def __init__(self, plain: bool = False) -> None:
        super().__init__()
        self.plain = plain
        self.events: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        if self.plain:
            yield Input(id="box")
        else:
            yield FilterInput(id="box", on_change=lambda value: self.events.append(("now", value)))
        yield Static("below")

    @on(Input.Changed, "#box")
    def _changed(self, event: Input.Changed) -> None:
        self.events.append(("message", event.value))


def _count_layouts(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    calls = [0]
    original = Screen._refresh_layout

    def counting(self: Screen, *args: object, **kwargs: object) -> None:
        calls[0] += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    return calls


async def test_each_value_is_reported_at_once_then_as_a_message() -> None:
    app = FilterApp()
    async with app.run_test() as pilot:
        app.query_one("#box").focus()
        await pilot.press("r", "u", "n", "backspace")
        await pilot.pause()
        values = ["r", "ru", "run", "ru"]
        assert [v for kind, v in app.events if kind == "now"] == values
        assert [v for kind, v in app.events if kind == "message"] == values
        for value in values:  # the direct call comes before the message for the same value
            assert app.events.index(("now", value)) < app.events.index(("message", value))


async def test_typing_does_not_lay_out_the_screen(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for plain, expect_layouts in ((True, True), (False, False)):
        app = FilterApp(plain=plain)
        async with app.run_test() as pilot:
            app.query_one("#box").focus()
            await pilot.pause()
            calls = _count_layouts(monkeypatch)
            await pilot.press(*"abcdef")
            await pilot.pause()
            assert app.query_one("#box", Input).value == "abcdef"
            # a plain Input lays out the screen on each key (what FilterInput avoids); the probe works
            assert (calls[0] > 0) is expect_layouts, (plain, calls[0])
            monkeypatch.undo()


async def test_long_text_scrolls_as_a_plain_input_does() -> None:
    seen: list[tuple[float, int]] = []
    for plain in (True, False):
        app = FilterApp(plain=plain)
        async with app.run_test() as pilot:
            box = app.query_one("#box", Input)
            box.focus()
            await pilot.press(*("x" * 60))
            await pilot.pause()
            assert box.value == "x" * 60
            assert box.scroll_x > 0
            seen.append((box.scroll_x, box.cursor_screen_offset.x))
            await pilot.press("home")
            await pilot.pause()
            assert box.scroll_x == 0
            seen.append((box.scroll_x, box.cursor_screen_offset.x))
    assert seen[:2] == seen[2:]
