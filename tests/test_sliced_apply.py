"""Engine results reach the table in slices: all of a batch, newest data, cursor kept, keys handled between.

Behaviour only; bench/bench_latency.py measures how long anything takes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual import events

from tests.helpers.deck import deck_config, smint_profile
from tui.app import TaskdeckApp
from tui.core.engine import Batch
from tui.core.model import TaskRef, TaskSnapshot, TaskState
from tui.screens.row_pacer import RowPacer
from tui.widgets.rows import COLUMNS
from tui.widgets.table_rows import Row
from tui.widgets.task_table import TaskTable

URL = "http://127.0.0.1:9"  # no engine runs: batches are handed over by FakeEngine
PROGRESS = [c.key for c in COLUMNS].index("progress")


class FakeEngine:
    """Gives the dashboard prepared batches; every other engine call does nothing."""

    paused = False

    def __init__(self) -> None:
        self.batches: list[Batch] = []

    def take(self) -> Batch:
        return self.batches.pop(0) if self.batches else Batch()

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def snap(ref: TaskRef, progress: float) -> TaskSnapshot:
    return TaskSnapshot(ref=ref, state=TaskState.RUNNING, progress=progress, fetched_at=1.0)


async def settle(app: TaskdeckApp, timeout: float = 30.0) -> None:
    """Wait (bounded) until no row is waiting for a slice."""
    screen = app.dashboard
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while screen.pacer or screen._slice_timer is not None:
        assert loop.time() < deadline, "the slices did not finish"
        await asyncio.sleep(0.01)


def test_pacer_takes_rows_on_screen_first_then_in_order_and_drops_what_has_no_row() -> None:
    pacer: RowPacer[str] = RowPacer(budget=60.0, max_rows=3)
    pacer.add(["a", "b", "c", "d", "e", "f"])
    pacer.add(["b"])  # already waiting: keeps its place
    assert pacer.take(["e", "x"], lambda k: k.upper()) == {"e": "E", "a": "A", "b": "B"}
    pacer.discard(["c"])
    assert pacer.take([], lambda k: None if k == "d" else k) == {"f": "f"}
    assert not pacer and pacer.take([], str) == {}


async def test_a_batch_larger_than_a_slice_is_applied_in_order_with_keys_handled_between() -> None:
    refs = [TaskRef("acme", f"t{i:04d}") for i in range(600)]
    app = TaskdeckApp(deck_config([smint_profile("acme", URL)], {"A": refs}), start_engine=False)
    app.gc_policy = None
    engine = FakeEngine()
    app.deck.supervisor.engine = engine  # type: ignore[assignment]
    async with app.run_test(size=(160, 50)) as pilot:
        screen, table = app.dashboard, app.table
        screen.pacer.max_rows = 40
        screen.pacer.budget = 60.0  # only max_rows ends a slice: the same slices on any machine
        table.sort_by("progress")
        engine.batches.append(Batch(snapshots={r.key: snap(r, i % 97) for i, r in enumerate(refs)}))
        screen._flush_engine()
        await settle(app)
        chosen = refs[300].key
        assert table.move_cursor_to_key(chosen)
        await pilot.pause()

        applied: list[list[str]] = []
        original_apply = table.apply

        def recording_apply(changed: Any, removed: Any = ()) -> None:
            applied.append(list(changed))
            original_apply(changed, removed)

        table.apply = recording_apply  # type: ignore[method-assign]
        handled: list[tuple[int, str | None]] = []  # (rows still waiting, the cursor's task) at the key
        original_down = table.action_cursor_down

        def down() -> None:
            original_down()
            handled.append((len(screen.pacer), table.cursor_key))

        table.action_cursor_down = down  # type: ignore[method-assign]

        # every task moves (its progress changes), the chosen one to the far end of the order
        newest = {r.key: snap(r, (i * 7) % 89 + 5) for i, r in enumerate(refs)}
        newest[chosen] = snap(refs[300], 99)
        engine.batches.append(Batch(snapshots=dict(newest)))
        top = int(table.scroll_offset.y)
        on_screen = set(table.visible_keys[top: top + table.size.height])
        slices = screen.slices
        screen._flush_engine()
        assert len(screen.pacer) == len(refs) - 40  # one slice now, the rest later
        app.post_message(events.Key("down", None))  # a key in the middle of the batch
        # and a newer batch for some tasks while the first is still being applied
        for r in refs[:50]:
            newest[r.key] = snap(r, 1)
        engine.batches.append(Batch(snapshots={r.key: newest[r.key] for r in refs[:50]}))
        screen._flush_engine()
        await settle(app)

        assert screen.slices - slices >= len(refs) // 40
        assert on_screen <= set(applied[0])  # what the user sees came first
        assert len(handled) == 1 and handled[0][0] > 0  # the key was handled before the batch ended
        cursor_task = handled[0][1]
        assert cursor_task is not None and table.cursor_key == cursor_task  # and the cursor stayed on it
        for key, snapshot in newest.items():  # every row holds its task's newest data
            row = table.get_row(key)
            assert isinstance(row, Row) and row.sort_keys[PROGRESS] == snapshot.progress, key
        assert [table.get_row(k).sort_keys[PROGRESS] for k in table.visible_keys] == \
            sorted(s.progress for s in newest.values())  # type: ignore[union-attr]


def record_applies(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The keys of each batch of rows the task table is given, in order."""
    applied: list[list[str]] = []
    original = TaskTable.apply

    def apply(self: TaskTable, changed: Any, removed: Any = ()) -> Any:
        if changed:
            applied.append(list(changed))
        return original(self, changed, removed)

    monkeypatch.setattr(TaskTable, "apply", apply)
    return applied


def long_list_app(count: int = 700) -> tuple[TaskdeckApp, list[str]]:
    """A dashboard on one list of `count` tasks that are never read (no engine runs)."""
    refs = [TaskRef("acme", f"t{i:04d}") for i in range(count)]
    app = TaskdeckApp(deck_config([smint_profile("acme", URL)], {"A": refs}), start_engine=False)
    app.gc_policy = None
    app.deck.supervisor.engine = FakeEngine()  # type: ignore[assignment]
    return app, [r.key for r in refs]


async def test_a_long_list_opens_with_its_first_screens_and_the_rest_follows_in_list_order(
        monkeypatch: pytest.MonkeyPatch) -> None:
    app, keys = long_list_app()
    applied = record_applies(monkeypatch)
    async with app.run_test(size=(160, 40)) as pilot:
        screen, table = app.dashboard, app.table
        await settle(app)
        await pilot.pause()
        # the first frame had two screens of rows (40 lines each), not all 700; the rest came in list order
        assert applied[0] == keys[:80] and len(applied) > 1
        assert [key for batch in applied for key in batch] == keys
        assert table.visible_keys == keys and screen.slices > 0
        assert table.cursor_key == keys[0] and int(table.scroll_offset.y) == 0


async def test_a_saved_selection_far_down_the_list_is_on_screen_from_the_start(
        monkeypatch: pytest.MonkeyPatch) -> None:
    app, keys = long_list_app()
    applied = record_applies(monkeypatch)
    app.deck.remember_view(sort=None, sort_reverse=False, filter="", selected=keys[500])
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app)
        await pilot.pause()
        assert applied[0] == keys[:540]  # down to the selected row and a screen past it
        assert [key for batch in applied for key in batch] == keys
        assert app.table.cursor_key == keys[500]
