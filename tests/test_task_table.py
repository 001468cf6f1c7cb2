"""TaskTable and TableModel: keyed updates, cursor, sort, filter, mouse, keys, safety.

Behaviour only; no wall-clock assertions (bench/bench_table.py measures speed).
"""

from __future__ import annotations

import random
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult

from tui.core.text import clean
from tui.widgets.table_model import TableModel
from tui.widgets.table_rows import Column, Filter, Row, _clean, make_row, needs_clean, state_cell
from tui.widgets.task_table import TaskTable

SIZE = (160, 50)
COLUMNS = [
    Column("id", "ID", width=8),
    Column("name", "Name", max_width=30),
    Column("state", "State", width=14),
    Column("progress", "Progress", width=10, align="right"),
    Column("note", "Note", max_width=40, sortable=False),
]
STATES = ["running", "failed", "succeeded", "pending"]


def row(i: int, *, state: str | None = None, progress: int | None = None, name: str | None = None,
        note: str = "", provider: str = "smint", stale: bool = False) -> Row:
    state = state or STATES[i % len(STATES)]
    progress = i % 100 if progress is None else progress
    name = name or f"task {i:04d}"
    return make_row(
        [f"t{i:04d}", name, state_cell(state), f"{progress}%", note],
        sort_keys=(i, name, state, progress, note),
        state=state,
        provider=provider,
        stale=stale,
    )


def rows(n: int, start: int = 0, **kw: Any) -> dict[str, Row]:
    return {f"k{i}": row(i, **kw) for i in range(start, start + n)}


class TableApp(App[None]):
    def __init__(self, columns: list[Column] | None = None, **kw: Any) -> None:
        super().__init__()
        self.columns = COLUMNS if columns is None else columns
        self.kw = kw
        self.moved: list[str | None] = []
        self.activated: list[str] = []

    def compose(self) -> ComposeResult:
        yield TaskTable(self.columns, id="table", **self.kw)

    def on_mount(self) -> None:
        self.query_one(TaskTable).focus()

    def on_task_table_cursor_moved(self, message: TaskTable.CursorMoved) -> None:
        self.moved.append(message.key)

    def on_task_table_row_activated(self, message: TaskTable.RowActivated) -> None:
        self.activated.append(message.key)

    def quit_called(self) -> None:  # pragma: no cover - must never run
        raise AssertionError("action ran")


def screen_text(table: TaskTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def column_x(table: TaskTable, key: str) -> int:
    """Screen x of the first cell of a column (one leading space, one space between)."""
    x = 1
    for column, width in zip(table.columns, table.model.widths, strict=True):
        if column.key == key:
            return x
        x += width + 1
    raise KeyError(key)


# -- model (no textual) -------------------------------------------------------------


def test_filter_parse() -> None:
    f = Filter.parse("Upload  state:Failed state:run provider:DMS  x")
    assert f.terms == ("upload", "x")
    assert f.states == ("failed", "run")
    assert f.providers == ("dms",)
    assert not Filter.parse("   ")
    assert Filter.parse("state:").states == ()


def test_filter_narrows() -> None:
    parse = Filter.parse
    assert parse("run").narrows(parse("ru"))
    assert parse("ru x").narrows(parse("ru"))
    assert parse("upload").narrows(parse(""))
    assert parse("state:fail").narrows(parse("state:f"))
    assert parse("state:failed state:run").narrows(parse("state:f state:r"))
    assert parse("provider:dms x").narrows(parse("x"))
    assert not parse("ru").narrows(parse("run"))
    assert not parse("").narrows(parse("x"))
    assert not parse("abc").narrows(parse("abd"))
    assert not parse("x").narrows(parse("state:f"))
    assert not parse("state:f").narrows(parse("state:fa"))
    assert not parse("state:f state:r").narrows(parse("state:f"))


def test_model_filter_typed_and_erased_under_updates_matches_a_full_scan() -> None:
    """Narrowing the previous result and reusing kept results give what a scan of every row gives."""
    rng = random.Random(11)
    words = ["alpha", "beta", "gamma", "delta", "al", "ph", "et"]
    model = TableModel(COLUMNS)
    model.sort_by("progress")
    current: dict[str, Row] = {}
    typed = ["a", "al", "alp", "alph", "alpha", "alph", "al", "a", "", "e", "et", "eta", "et a", "et al",
             "state:f", "state:fa", "state:fail", "state:f", "g state:r", "", "provider:s", "provider:sm"]
    progress: dict[str, int] = {}

    def update() -> None:
        changed = {}
        for _ in range(rng.randrange(1, 6)):
            i = rng.randrange(200)
            key = f"k{i}"
            # mostly keep the sort value, so the order stays and only matches change
            p = progress[key] if key in progress and rng.random() < 0.8 else rng.randrange(5)
            progress[key] = p
            changed[key] = row(i, progress=p, name=" ".join(rng.sample(words, 2)), state=rng.choice(STATES),
                               provider=rng.choice(["smint", "dms"]))
        removed = rng.sample(sorted(current), min(len(current), rng.randrange(0, 3))) if rng.random() < 0.2 else []
        current.update(changed)
        for key in removed:
            current.pop(key, None)
            progress.pop(key, None)
        model.apply(changed, removed)

    for step in range(600):
        if rng.random() < 0.3:
            update()
        text = typed[step % len(typed)]
        model.set_filter(text)
        if rng.random() < 0.3:  # a batch arrives between the key and the next frame
            update()
        if rng.random() < 0.7:  # sometimes two filters are set before anything reads the result
            f = Filter.parse(text)

            def passes(r: Row, f: Filter = f) -> bool:
                hay = r.search_text.lower()
                return (all(t in hay for t in f.terms)
                        and (not f.states or r.state.lower().startswith(f.states))
                        and (not f.providers or r.provider.lower().startswith(f.providers)))

            expected = [k for k in sorted(current, key=lambda k: (current[k].sort_keys[3], k)) if passes(current[k])]
            assert list(model.visible) == expected, (step, text)
            assert all(model.matches(k) == (k in expected) for k in current)


def test_model_incremental_sort_matches_full_sort() -> None:
    rng = random.Random(5)
    model = TableModel(COLUMNS)
    model.sort_by("progress")
    current: dict[str, Row] = {}
    for step in range(40):
        changed = {}
        for _ in range(rng.randrange(1, 60)):
            i = rng.randrange(300)
            changed[f"k{i}"] = row(i, progress=rng.randrange(10))
        removed = rng.sample(sorted(current), min(len(current), rng.randrange(0, 5)))
        current.update(changed)
        for key in removed:
            current.pop(key, None)
        model.apply(changed, removed)
        if step % 7 == 0:
            model.sort_by("progress", reverse=not model.sort_reverse)
        expected = sorted(current, key=lambda k: (current[k].sort_keys[3], k), reverse=model.sort_reverse)
        assert list(model.visible) == expected


def test_model_merge_of_moved_rows_matches_full_sort_both_ways_with_none() -> None:
    # small batches over many rows take the incremental merge, not a full sort
    rng = random.Random(11)
    model = TableModel([Column("v", "V"), Column("w", "W")])
    current: dict[str, Any] = {}

    def value() -> Any:
        return None if rng.random() < 0.1 else rng.randrange(50)

    model.apply({f"r{i}": Row(cells=("", ""), sort_keys=(current.setdefault(f"r{i}", value()), 0))
                 for i in range(2000)})
    for step in range(30):
        if step % 10 == 0:
            model.sort_by("v", reverse=step % 20 == 10)
        changed = {}
        for i in rng.sample(range(2200), 60):
            current[f"r{i}"] = v = value()
            changed[f"r{i}"] = Row(cells=("", ""), sort_keys=(v, step))
        removed = rng.sample(sorted(current), 3)
        for key in removed:
            current.pop(key)
        model.apply(changed, removed)
        present = [k for k in current if current[k] is not None]
        expected = sorted(present, key=lambda k: (current[k], k), reverse=model.sort_reverse)
        expected += sorted(k for k in current if current[k] is None)  # None last, ties on the key
        if model.sort_reverse:
            expected[len(present):] = sorted(expected[len(present):], reverse=True)
        assert list(model.visible) == expected


def test_model_batch_without_sort_change_does_not_resort() -> None:
    model = TableModel(COLUMNS)
    model.sort_by("progress")
    model.apply(rows(100))
    model.refresh()
    generation = model.generation
    model.apply({"k5": row(5, note="new note"), "k6": row(6, name="renamed")})
    assert not model.refresh()
    assert model.generation == generation
    model.apply({"k5": row(5, progress=99)})
    assert model.refresh()
    assert model.generation == generation + 1


def test_model_none_sorts_last_both_ways_and_mixed_types() -> None:
    model = TableModel([Column("v", "V")])
    model.apply({
        "a": Row(cells=("1",), sort_keys=(1,)),
        "b": Row(cells=("-",), sort_keys=(None,)),
        "c": Row(cells=("3",), sort_keys=(3,)),
    })
    model.sort_by("v")
    assert list(model.visible) == ["a", "c", "b"]
    model.sort_by("v", reverse=True)
    assert list(model.visible) == ["c", "a", "b"]
    model.apply({"d": Row(cells=("x",), sort_keys=("x",))})  # int vs str: compared as text
    assert sorted(model.visible) == ["a", "b", "c", "d"]


def test_model_ties_break_on_key() -> None:
    model = TableModel(COLUMNS)
    model.apply({k: row(1, progress=5) for k in ["k3", "k1", "k2"]})
    model.sort_by("progress")
    assert list(model.visible) == ["k1", "k2", "k3"]


def test_model_widths_fit_sample_and_cap() -> None:
    model = TableModel(COLUMNS)
    model.apply({"a": row(1, name="x" * 100)})
    widths = dict(zip([c.key for c in COLUMNS], model.widths, strict=True))
    assert widths["name"] == 30  # max_width
    assert widths["id"] == 8  # fixed
    model.clear()
    model.apply({"a": row(1, name="short")})
    assert model.widths[1] == max(len("Name") + 2, len("short"))


def test_make_row_cleans_and_fast_path_matches_clean() -> None:
    r = make_row(["a\x1b]2;PWN\x07b", ("x\ny", "bold"), Text("t\x9bu")], state="fail\x1bed")
    assert "\x1b" not in r.cells[0] and "\x07" not in r.cells[0]
    assert r.cells[1] == ("x\u2424y", "bold")
    assert "\x9b" not in r.cells[2]
    assert "\x1b" not in r.state and "\x1b" not in r.search_text



def test_fast_path_is_a_superset_of_clean() -> None:
    """Every code point that clean() changes is caught by the fast-path check."""
    codes = list(range(0x10000)) + list(range(0x10000, 0x110000, 97))
    codes += [0x110BD, 0x110CD, 0x13430, 0x1BCA0, 0x1D173, 0xE0001, 0xE0020, 0xE007F]
    missed = [hex(c) for c in codes if clean(f"a{chr(c)}b") != f"a{chr(c)}b" and not needs_clean(chr(c))]
    assert missed == []
    assert _clean("plain text ✔") == "plain text ✔"


def test_state_cell_has_symbol_and_word() -> None:
    text, style = state_cell("failed")
    assert text == "✖ failed" and style == "task-table--state-failed"
    text, style = state_cell("weird")
    assert "weird" in text and style == ""


# -- widget ----------------------------------------------------------------------------


async def test_insert_update_remove() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(5))
        await pilot.pause()
        assert table.row_count == 5
        assert list(table.visible_keys) == [f"k{i}" for i in range(5)]
        assert table.cursor_key == "k0"
        assert app.moved == ["k0"]
        assert "task 0002" in screen_text(table)[3]

        table.apply({"k2": row(2, name="renamed two")})
        await pilot.pause()
        assert "renamed two" in screen_text(table)[3]
        assert table.row_count == 5

        table.apply({}, removed=["k1", "k3", "nope"])
        await pilot.pause()
        assert list(table.visible_keys) == ["k0", "k2", "k4"]
        assert table.get_row("k1") is None

        table.clear()
        await pilot.pause()
        assert table.row_count == 0 and table.cursor_key is None
        assert app.moved[-1] is None


async def test_rebuild_restores_cursor_and_scrolls_to_it() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(300))
        table.move_cursor_to_key("k250")
        table.clear()
        table.apply(rows(300))
        await pilot.pause()
        assert table.cursor_key == "k250"
        assert table.scroll_y <= 250 < table.scroll_y + table.size.height - 1
        table.clear()
        table.apply(rows(10, start=1000))  # a different list: top row
        assert table.cursor_key == "k1000"


async def test_header_sort_indicator_and_sort_keeps_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(30))
        table.move_cursor_to_key("k7")
        table.sort_by("progress", reverse=True)
        await pilot.pause()
        header = screen_text(table)[0]
        assert "Progress ▼" in header
        assert table.cursor_key == "k7"
        assert list(table.visible_keys)[:3] == ["k29", "k28", "k27"]
        assert table.cursor_row == list(table.visible_keys).index("k7")
        table.sort_by("progress")
        await pilot.pause()
        assert "Progress ▲" in screen_text(table)[0]
        assert table.cursor_key == "k7"


async def test_cursor_follows_key_across_updates_inserts_and_resorts() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.sort_by("progress")
        table.apply(rows(20))
        assert table.move_cursor_to_key("k10")
        # inserts above the cursor row
        table.apply({f"n{i}": row(100 + i, progress=0) for i in range(5)})
        assert table.cursor_key == "k10"
        # the cursor row changes its sort value and moves
        table.apply({"k10": row(10, progress=99)})
        await pilot.pause()
        assert table.cursor_key == "k10"
        assert table.cursor_row == table.visible_count - 1
        assert list(table.visible_keys)[table.cursor_row] == "k10"  # type: ignore[index]
        assert app.moved.count("k10") == 1  # moving with its row is not a cursor move


async def test_removing_cursor_row_moves_to_neighbour() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(10))
        table.move_cursor_to_key("k4")
        table.apply({}, removed=["k4"])
        await pilot.pause()
        assert table.cursor_key == "k5"
        table.move_cursor_to_key("k9")
        table.apply({}, removed=["k9"])
        assert table.cursor_key == "k8"
        await pilot.pause()
        assert app.moved[-2:] == ["k9", "k8"]


async def test_keys_move_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(200))
        await pilot.pause()
        await pilot.press("down", "j", "j")
        assert table.cursor_key == "k3"
        await pilot.press("up", "k")
        assert table.cursor_key == "k1"
        await pilot.press("G")
        assert table.cursor_key == "k199"
        # scrolled so the cursor is on screen
        page = table.size.height - 1
        assert table.scroll_y <= 199 < table.scroll_y + page
        assert "t0199" in screen_text(table)[199 - int(table.scroll_y) + 1]
        await pilot.press("g")
        assert table.cursor_key == "k0" and table.scroll_y == 0
        await pilot.press("pagedown")
        assert table.cursor_row == page
        await pilot.press("pageup")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_key == "k199"
        await pilot.press("home")
        assert table.cursor_key == "k0"
        await pilot.press("enter")
        await pilot.pause()
        assert app.activated == ["k0"]


async def test_s_cycles_sortable_columns_and_S_reverses() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(10))
        await pilot.pause()
        seen = []
        for _ in range(5):
            await pilot.press("s")
            seen.append(table.sort_column)
        assert seen == ["id", "name", "state", "progress", "id"]  # "note" is not sortable
        await pilot.press("S")
        assert table.sort_column == "id" and table.sort_reverse
        await pilot.press("S")
        assert not table.sort_reverse


async def test_every_active_binding_has_an_id_and_a_keymap_remaps_it() -> None:
    ids = {b.id for b in TaskTable.BINDINGS if not isinstance(b, tuple)}  # type: ignore[union-attr]
    assert len(ids) == len(TaskTable.BINDINGS)
    assert {"table.sort_next", "table.sort_reverse", "table.cursor_down", "table.activate"} <= ids
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        for key, binding in table._bindings:
            assert binding.id and binding.id.startswith("table."), (key, binding)
        app.set_keymap({"table.cursor_down": "n"})
        table.apply(rows(5))
        await pilot.pause()
        await pilot.press("n", "n")
        assert table.cursor_key == "k2"


async def test_click_header_sorts_then_reverses() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(10))
        await pilot.pause()
        x = column_x(table, "name")
        assert await pilot.click(TaskTable, offset=(x + 1, 0))
        assert table.sort_column == "name" and not table.sort_reverse
        await pilot.click(TaskTable, offset=(x + 1, 0))
        assert table.sort_column == "name" and table.sort_reverse
        assert "Name ▼" in screen_text(table)[0]
        await pilot.click(TaskTable, offset=(column_x(table, "note") + 1, 0))
        assert table.sort_column == "name"  # not sortable: no change


async def test_mouse_selects_and_double_click_activates() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(10))
        await pilot.pause()
        await pilot.click(TaskTable, offset=(3, 4))  # line 4 = row index 3
        assert table.cursor_key == "k3"
        await pilot.double_click(TaskTable, offset=(3, 6))
        await pilot.pause()
        assert table.cursor_key == "k5"
        assert app.activated == ["k5"]
        await pilot.click(TaskTable, offset=(3, 30))  # below the last row: nothing
        assert table.cursor_key == "k5"


async def test_filter_text_state_and_provider() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        data = rows(40)
        data["k1"] = row(1, name="Upload Archive", provider="dms")
        table.apply(data)
        await pilot.pause()
        table.set_filter("upload")
        assert list(table.visible_keys) == ["k1"]
        table.set_filter("UPLOAD archive")
        assert list(table.visible_keys) == ["k1"]
        table.set_filter("upload nothing")
        assert table.visible_count == 0
        assert table.cursor_key is None
        table.set_filter("state:failed")
        assert table.visible_count == 10
        assert all(table.get_row(k).state == "failed" for k in table.visible_keys)  # type: ignore[union-attr]
        table.set_filter("state:failed state:pend")
        assert table.visible_count == 20
        table.set_filter("provider:dms")
        assert list(table.visible_keys) == ["k1"]
        table.set_filter("task 003 state:run")
        assert set(table.visible_keys) == {"k32", "k36"}
        table.set_filter("")
        assert table.visible_count == 40 and table.row_count == 40
        await pilot.pause()


async def test_filter_hiding_cursor_moves_to_nearest_visible() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(20))
        table.move_cursor_to_key("k6")  # "succeeded"
        table.set_filter("state:failed")  # k1, k5, k9, ...: k6 is hidden
        assert table.cursor_key == "k5"  # one row away (k7 after it is hidden too)
        await pilot.pause()
        # updates that make a row match bring it in without moving the cursor
        table.apply({"k2": row(2, state="failed")})
        assert "k2" in table.visible_keys and table.cursor_key == "k5"
        # the cursor row stops matching: nearest visible row
        table.apply({"k5": row(5, state="running")})
        assert table.cursor_key in ("k2", "k9")


async def test_cursor_returns_to_the_chosen_row_when_the_filter_lets_it_back() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(20))
        await pilot.pause()
        await pilot.press("j", "j", "j", "j", "j", "j")  # k6, "succeeded"
        table.set_filter("state:failed")
        assert table.cursor_key == "k5"
        table.set_filter("")
        assert table.cursor_key == "k6"
        table.set_filter("no such task")
        assert table.cursor_key is None
        table.set_filter("task")
        assert table.cursor_key == "k6"
        # a key press makes the new row the chosen one
        table.set_filter("state:failed")
        await pilot.press("j")
        assert table.cursor_key == "k9"
        table.set_filter("")
        assert table.cursor_key == "k9"


async def test_markup_is_shown_literally_and_clicking_it_runs_nothing() -> None:
    payloads = ["[@click=app.quit]x[/]", "[bold red]loud[/]", "[/]", "[link=https://evil]y[/link]",
                "[$accent]", "list[int] [x]"]
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply({f"m{i}": row(i, name=p, note=p) for i, p in enumerate(payloads)})
        await pilot.pause()
        lines = screen_text(table)
        for i, payload in enumerate(payloads):
            assert payload in lines[i + 1]
        # click right on the markup text, twice, and on the note column
        x = column_x(table, "name")
        await pilot.click(TaskTable, offset=(x + 2, 1))
        await pilot.double_click(TaskTable, offset=(x + 2, 1))
        await pilot.click(TaskTable, offset=(column_x(table, "note") + 2, 1))
        await pilot.pause()
        assert app.is_running
        assert table.cursor_key == "m0"
        for y in range(1, len(payloads) + 1):
            for segment in table.render_line(y):
                assert not (segment.style and segment.style.meta), "no actions or links in cells"


async def test_control_characters_replaced_even_in_unclean_rows() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        nasty = "a\x1b]2;PWNED\x07b\x1b[2Jc\x00\x7f\x9b\u202e"
        table.apply({
            "clean": row(1, name=nasty),
            # a row built without make_row: the table still cleans it when drawing
            "raw": Row(cells=("t2", nasty, (nasty, "bold"), Text(nasty), nasty)),
        })
        await pilot.pause()
        for y in (1, 2):
            text = table.render_line(y).text
            assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text), repr(text)
            assert "\u202e" not in text
            assert "␛]2;PWNED␇b" in text
        svg = app.export_screenshot()
        assert "\x1b" not in svg


async def test_stale_rows_and_state_cells_styled_by_component_class() -> None:
    app = TableApp(zebra_stripes=True)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply({"a": row(1, state="failed"), "b": row(2, stale=True), "c": row(3)})
        await pilot.pause()
        stale_line = table.render_line(2)
        assert all(s.style is not None and s.style.dim for s in stale_line if s.text.strip())
        fresh_line = table.render_line(3)
        assert not any(s.style is not None and s.style.dim for s in fresh_line if s.text.strip())
        cursor_style = table.get_component_rich_style("task-table--cursor")
        first = table.render_line(1)
        assert cursor_style.bgcolor is not None
        assert all(s.style is not None and s.style.bgcolor == cursor_style.bgcolor for s in first)
        assert "✖ failed" in first.text  # readable without colour


async def test_columns_fit_and_truncate_with_ellipsis() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.apply({"a": row(1, name="n" * 80), "b": row(2, name="漢字のタスク")})
        await pilot.pause()
        assert table.model.widths[1] == 30
        assert "n" * 29 + "…" in screen_text(table)[1]
        assert "漢字のタスク" in screen_text(table)[2]
        table.set_columns([Column("id", "ID"), Column("name", "Name", width=5)])
        await pilot.pause()
        assert "nnnn…" in screen_text(table)[1]
        assert "Progress" not in screen_text(table)[0]
        table.sort_by("name", reverse=True)
        await pilot.pause()
        assert "Na… ▼" in screen_text(table)[0]  # the indicator shows even when the label is cut


async def test_ten_thousand_rows_load_and_navigate() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(TaskTable)
        table.sort_by("progress")
        table.apply(rows(10_000))
        await pilot.pause()
        assert table.row_count == 10_000
        assert len(screen_text(table)) == table.size.height
        await pilot.press("G")
        assert table.cursor_key == table.visible_keys[-1]
        table.set_filter("state:failed")
        await pilot.pause()
        assert table.visible_count == 2_500
        assert table.cursor_key in table.visible_keys
        # a 5 % poll cycle keeps the cursor on its task
        key = table.cursor_key
        table.apply({f"k{i}": row(i, progress=(i * 7) % 100) for i in range(0, 10_000, 20)})
        await pilot.pause()
        assert table.cursor_key == key
        app.export_screenshot()


async def test_horizontal_scroll_keeps_header_and_rows_aligned() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(TaskTable)
        table.apply({"a": row(1, name="n" * 20, note="the note")})
        await pilot.pause()
        assert table.virtual_size.width > table.size.width
        await pilot.press("right", "right", "right", "right")
        assert table.scroll_x == 4
        header, first = screen_text(table)[:2]
        assert header.index("State") == first.index("✖ failed")
        x = column_x(table, "state") - int(table.scroll_x)
        await pilot.click(TaskTable, offset=(x + 1, 0))
        assert table.sort_column == "state"


def test_row_view_matches_crop_extend_and_leaves_no_reference_cycle() -> None:
    import gc

    from rich.segment import Segment
    from rich.style import Style
    from textual.strip import Strip

    from tui.widgets.table_drawing import _view

    pad = Style(bgcolor="red")
    for length in (10, 30, 45):
        for scroll_x, width in ((0, 30), (5, 30), (0, 10), (40, 10), (0, 50)):
            strip = Strip([Segment("ab" * 20, Style(bold=True))], 40).crop(0, length)
            want = strip.crop_extend(scroll_x, scroll_x + width, pad)
            got = _view(Strip([Segment("ab" * 20, Style(bold=True))], 40).crop(0, length), scroll_x, width, pad)
            assert got.cell_length == want.cell_length == width
            assert list(got) == list(want)
    gc.collect()
    gc.disable()
    try:
        strip = Strip([Segment("x" * 30)], 30)
        view = _view(strip, 0, 30, pad)
        del strip, view
        assert gc.collect() == 0  # crop_extend would have left the strip in a cycle with its own cache
    finally:
        gc.enable()
