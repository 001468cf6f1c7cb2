"""The dashboard's layout at the common terminal sizes (Pilot, polling the simulator)."""

from __future__ import annotations

import pytest
from textual.widgets._toast import Toast

from tests.test_app import demo_config, wait_for
from tui.app import TaskdeckApp
from tui.deck.outcome import Note
from tui.simulator.process import SimulatorProcess


def column_span(app: TaskdeckApp, key: str) -> tuple[int, int]:
    """Where a column lies inside the table, in cells (start, width)."""
    table = app.table
    pos = 1
    for column, width in zip(table._model.columns, table._model.widths, strict=False):
        if column.key == key:
            return pos, width
        pos += width + 1
    raise KeyError(key)


async def test_80x24_table_first_sidebar_folds_detail_opens_on_enter(sim_reset: SimulatorProcess) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.flushes > 0)
        assert not app.sidebar.display or app.sidebar.region.width == 0
        assert app.detail.region.width == 0  # the detail waits for Enter
        table = app.table
        assert table.region.width >= 78
        # state, title (>= 30 characters), progress and age are on screen without scrolling
        for key in ("state", "title", "progress", "age"):
            start, width = column_span(app, key)
            assert start + width <= table.region.width, key
        assert column_span(app, "title")[1] >= 30
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.detail.region.height > 0)
        assert app.detail.region.height >= 20  # the whole height under the header
        assert app.table.region.height == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.table.region.height > 0)
        assert app.detail.region.width == 0
        await pilot.press("b")
        await wait_for(pilot, lambda: app.sidebar.region.width > 0)
        await pilot.press("b")
        await wait_for(pilot, lambda: app.sidebar.region.width == 0)


@pytest.mark.parametrize(("size", "beside"), [((120, 40), False), ((200, 60), True)])
async def test_wider_terminals_show_sidebar_table_and_detail(sim_reset: SimulatorProcess,
                                                             size: tuple[int, int], beside: bool) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.flushes > 0)
        sidebar, table, detail = app.sidebar.region, app.table.region, app.detail.region
        assert sidebar.width > 0 and table.x >= sidebar.right
        if beside:
            assert detail.x >= table.right and detail.height == table.height
        else:
            assert detail.y >= table.bottom and detail.width == table.width
        await pilot.press("z")  # the detail pane takes the whole screen, Escape gives it back
        await wait_for(pilot, lambda: app.detail.region.width == size[0])
        assert app.table.region.height == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.table.region.height > 0)


@pytest.mark.parametrize("row", ["top", "bottom"])
async def test_toasts_never_cover_the_cursor_row(sim_reset: SimulatorProcess, row: str) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.flushes > 0)
        table = app.table
        if row == "bottom":
            for _ in range(min(table.row_count, table.region.height) - 2):
                await pilot.press("down")
        dashboard = app.dashboard
        for n in range(2):
            dashboard.toaster.show(Note(f"note {n}\nsecond line\nthird line", title="Hello"))
        await wait_for(pilot, lambda: len(app.screen.query(Toast)) >= 2)
        await pilot.pause(0.1)
        cursor_y = table.region.y + 1 + (table.cursor_row or 0) - int(table.scroll_offset.y)
        assert (cursor_y >= 12) == (row == "bottom")  # the cursor really is in that half of the screen
        for toast in app.screen.query(Toast):
            region = toast.region
            assert not (region.y <= cursor_y < region.bottom), (row, region, cursor_y)
