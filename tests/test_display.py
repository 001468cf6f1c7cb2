"""One look per state: tui.core.display is the only place a state's symbol, colour and order are written."""

from __future__ import annotations

from collections import Counter

from tests.helpers.deck import record_layouts
from tui.core.decode import decode_result
from tui.core.display import (
    BY_ATTENTION,
    COLOURS,
    COUNT_ORDER,
    HEALTH_LOOKS,
    OTHER,
    PARTIAL,
    PARTIAL_LOOK,
    SHOWN_STATES,
    STATE_LOOKS,
    look_of_word,
    shown_rank,
    shown_state,
)
from tui.core.model import HealthStatus, Steps, TaskRef, TaskSnapshot, TaskState
from tui.simulator import samples
from tui.widgets.states import (
    STATE_ORDER,
    STATE_STYLE,
    STATE_SYMBOL,
    STATE_THEME_STYLE,
    rich_style,
    theme_style,
)
from tui.widgets.table_rows import state_cell
from tui.widgets.task_table import TaskTable


def test_every_state_and_health_has_one_distinct_look() -> None:
    assert set(STATE_LOOKS) == set(TaskState)
    assert set(HEALTH_LOOKS) == set(HealthStatus)
    assert len({look.symbol for look in STATE_LOOKS.values()}) == len(TaskState)
    assert all(look.colour in COLOURS for look in (*STATE_LOOKS.values(), *HEALTH_LOOKS.values()))
    assert sorted(look.rank for look in STATE_LOOKS.values()) == list(range(len(TaskState)))
    assert BY_ATTENTION[0] is TaskState.FAILED and BY_ATTENTION[-1] is TaskState.SUCCEEDED
    assert set(COUNT_ORDER) == set(TaskState)


def test_table_detail_sidebar_and_header_styles_come_from_the_same_colour() -> None:
    css = TaskTable.DEFAULT_CSS
    for state, look in STATE_LOOKS.items():
        assert STATE_SYMBOL[state] == look.symbol
        assert STATE_ORDER[state] == look.rank
        assert STATE_THEME_STYLE[state] == theme_style(look) and f"$text-{look.colour}" in STATE_THEME_STYLE[state]
        assert STATE_STYLE[state] == rich_style(look)
        rule = next(line for line in css.splitlines() if f".task-table--state-{state.value} " in line)
        assert f"color: $text-{look.colour};" in rule
        assert ("bold" in rule) == look.bold
        text, style = state_cell(state.value)
        assert text == f"{look.symbol} {state.value}" and style == f"task-table--state-{state.value}"


def test_a_word_that_is_no_state_is_shown_uncoloured() -> None:
    assert look_of_word("FAILED") is STATE_LOOKS[TaskState.FAILED]
    assert look_of_word("queued") is OTHER
    assert state_cell("queued") == (f"{OTHER.symbol} queued", "")


def test_a_success_with_failed_parts_has_its_own_look() -> None:
    ref = TaskRef("gw", "t", instance="g")
    partial = TaskSnapshot(ref=ref, state=TaskState.SUCCEEDED, result=decode_result(samples.IMPORT_PARTIAL_RESULT))
    clean = TaskSnapshot(ref=ref, state=TaskState.SUCCEEDED, result=decode_result(samples.IMPORT_SUCCESS_RESULT))
    steps = TaskSnapshot(ref=ref, state=TaskState.SUCCEEDED, steps=Steps(3, 1, 4))
    assert shown_state(partial) == shown_state(steps) == PARTIAL
    assert shown_state(clean) == "succeeded"
    assert shown_state(TaskSnapshot(ref=ref, state=TaskState.FAILED, steps=Steps(3, 1, 4))) == "failed"
    assert PARTIAL_LOOK.symbol not in {look.symbol for look in STATE_LOOKS.values()}
    assert PARTIAL_LOOK.colour != STATE_LOOKS[TaskState.SUCCEEDED].colour
    assert look_of_word(PARTIAL) is PARTIAL_LOOK and PARTIAL in SHOWN_STATES
    assert shown_rank(STATE_LOOKS[TaskState.CANCELLED].symbol) > 0  # any word has a rank
    assert shown_rank("cancelled") < shown_rank(PARTIAL) < shown_rank("succeeded")
    text, style = state_cell(PARTIAL)
    assert text == f"{PARTIAL_LOOK.symbol} partial" and style == "task-table--state-partial"
    rule = next(line for line in TaskTable.DEFAULT_CSS.splitlines() if ".task-table--state-partial " in line)
    assert f"color: $text-{PARTIAL_LOOK.colour};" in rule


async def test_a_partial_success_is_counted_as_such_in_header_and_sidebar() -> None:
    from textual.app import App, ComposeResult

    from tests.helpers.deck import deck_config, huawei_profile
    from tui.deck.board import Board
    from tui.widgets.header import DeckHeader
    from tui.widgets.sidebar import counts_text

    refs = [TaskRef("gw", f"{i:032x}", instance="g") for i in range(3)]
    board = Board(deck_config([huawei_profile("gw", "huawei-apig", "http://127.0.0.1:9")], {"L": refs}), "L")
    partial = decode_result(samples.IMPORT_PARTIAL_RESULT)
    clean = decode_result(samples.IMPORT_SUCCESS_RESULT)
    for ref, result in zip(refs, (partial, clean, clean), strict=True):
        board.snapshots[ref.key] = TaskSnapshot(ref=ref, state=TaskState.SUCCEEDED, result=result, fetched_at=1.0)
    counts = board.counts(refs)
    assert counts == {PARTIAL: 1, "succeeded": 2}
    assert counts_text(counts).plain == f" {STATE_LOOKS[TaskState.SUCCEEDED].symbol}2 {PARTIAL_LOOK.symbol}1"

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield DeckHeader(id="header")

    app = Host()
    async with app.run_test(size=(120, 5)) as pilot:
        app.query_one(DeckHeader).show("L", counts, 3, False)
        await pilot.pause()
        text = str(app.query_one(DeckHeader).render())
        assert f"{PARTIAL_LOOK.symbol} 1 partial" in text and "2 succeeded" in text


async def test_new_counts_in_the_header_ask_for_no_layout_of_the_screen() -> None:
    """The header is one line whatever it says; counts change with nearly every batch."""
    from textual.app import App, ComposeResult

    from tui.widgets.header import DeckHeader

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield DeckHeader(id="header")

    app = Host()
    async with app.run_test(size=(120, 5)) as pilot:
        header = app.query_one(DeckHeader)
        layouts = record_layouts(header)
        for n in range(1, 4):
            header.show("L", Counter({"running": n}), 3, False)
            await pilot.pause()
            assert f"{n} running" in str(header.render())
        assert layouts and not any(layouts)
