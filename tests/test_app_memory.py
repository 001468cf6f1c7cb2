"""The dashboard remembers (Pilot, against the simulator): rows open with their remembered state and
result, finished tasks are not fetched at start, a task the server forgot keeps its result, the detail
pane shows the timeline, and finishes seen while the terminal has no focus become one notification."""

from __future__ import annotations

import re
from pathlib import Path

from textual import events

from tests.helpers.deck import (
    deck_config,
    huawei_profile,
    row_text,
    run_app,
    smint_profile,
    wait_until,
)
from tui.app import TaskdeckApp
from tui.core.model import TaskRef, TaskState
from tui.core.notify import Notifier
from tui.simulator.process import SimulatorProcess

GATEWAY = "35bf992dc9e9c616612e7696a6cecc1b"  # an APIG gateway of the "demo" scenario
SIZE = (220, 50)


def finished_list(sim: SimulatorProcess) -> tuple[list[TaskRef], TaskRef]:
    exports = [TaskRef("gw", t["id"], instance=GATEWAY) for t in
               sim.create_tasks("apig", count=3, instance=GATEWAY, wait=0, run=0, outcome="succeed")]
    smint = [TaskRef("acme", t["id"], label=f"asset export {i}") for i, t in
             enumerate(sim.create_tasks("smint", count=4, wait=0, run=0, outcome="succeed"))]
    failed = TaskRef("acme", sim.create_tasks("smint", count=1, wait=0, run=0, outcome="fail")[0]["id"])
    return exports + smint + [failed], exports[0]


def app_for(sim: SimulatorProcess, refs: list[TaskRef], store: str, **kwargs) -> TaskdeckApp:
    config = deck_config([smint_profile("acme", sim.base_url, interval=1),
                          huawei_profile("gw", "huawei-apig", sim.base_url, interval=1)], {"Nightly": refs})
    return TaskdeckApp(config, store=store, **kwargs)


def detail_text(app: TaskdeckApp) -> str:
    header = app.screen.query_one("#detail-header").render().plain  # type: ignore[union-attr]
    return header + "\n" + "\n".join(app.detail.body.visible_text())


async def test_rows_open_remembered_and_finished_tasks_are_not_fetched(sim_reset: SimulatorProcess,
                                                                        tmp_path: Path) -> None:
    refs, export = finished_list(sim_reset)
    store = str(tmp_path / "state" / "history.sqlite3")
    first = app_for(sim_reset, refs, store)
    async with run_app(first, size=SIZE) as pilot:
        await wait_until(pilot, lambda: all((s := first.board.snapshots.get(r.key)) is not None and s.finished
                                            and not s.remembered for r in refs), what="every task read")
        seen = {r.key: first.board.snapshots[r.key] for r in refs}
        first.table.move_cursor_to_key(export.key)
        await wait_until(pilot, lambda: first.detail.snapshot is not None and not first.detail.busy)
        result_lines = first.detail.body.visible_text()[:8]
        assert "".join(result_lines).strip()

    # The simulator goes away: every request now fails (and is still logged).
    sim_reset.add_fault("reset")
    sim_reset.clear_log()
    second = app_for(sim_reset, refs, store)
    async with run_app(second, size=SIZE) as pilot:
        await wait_until(pilot, lambda: all("remembered · seen" in row_text(second, r.key) for r in refs),
                         what="every row remembered", show=lambda: [row_text(second, r.key) for r in refs])
        for ref in refs:
            shown = second.board.snapshots[ref.key]
            assert shown.remembered and shown.state is seen[ref.key].state
            assert shown.result == seen[ref.key].result and shown.summary == seen[ref.key].summary
            assert seen[ref.key].state.value in second.table.get_row(ref.key).state  # type: ignore[union-attr]
        assert sum(1 for r in refs if second.board.snapshots[r.key].state is TaskState.FAILED) == 1
        # the collector's policy took over once the remembered rows were on screen
        assert second.gc_policy is not None
        await wait_until(pilot, lambda: second.gc_policy is not None and second.gc_policy.installed)
        second.table.move_cursor_to_key(export.key)
        await wait_until(pilot, lambda: second.detail.snapshot is not None
                         and second.detail.snapshot.ref.key == export.key and not second.detail.busy)
        assert second.detail.body.visible_text()[:8] == result_lines
        await wait_until(pilot, lambda: "timeline" in detail_text(second), what="the timeline")
        text = detail_text(second)
        assert "remembered · seen" in text and "succeeded" in text.split("timeline", 1)[1]
        # r reads one task again: the only request of this start
        await pilot.press("r")
        await wait_until(pilot, lambda: second.board.snapshots[export.key].error is not None, what="a refresh")
        assert {e["task_id"] for e in sim_reset.requests() if e["task_id"]} == {export.id}
        assert second.board.snapshots[export.key].result == seen[export.key].result  # data kept


async def test_a_task_the_server_forgot_keeps_its_result(sim_reset: SimulatorProcess, tmp_path: Path) -> None:
    refs, export = finished_list(sim_reset)
    store = str(tmp_path / "history.sqlite3")
    first = app_for(sim_reset, refs, store)
    async with run_app(first, size=SIZE) as pilot:
        await wait_until(pilot, lambda: all((s := first.board.snapshots.get(r.key)) is not None and s.finished
                                            for r in refs))
        result = first.board.snapshots[export.key].result
    sim_reset.reset()  # the server forgets every task
    second = app_for(sim_reset, refs, store)
    async with run_app(second, size=SIZE) as pilot:
        await wait_until(pilot, lambda: export.key in second.board.snapshots)
        second.table.move_cursor_to_key(export.key)
        await pilot.press("r")
        await wait_until(pilot, lambda: "gone from the server since" in row_text(second, export.key),
                         show=lambda: row_text(second, export.key))
        gone = second.board.snapshots[export.key]
        assert gone.gone and gone.result == result
        await wait_until(pilot, lambda: "gone from the server since" in detail_text(second))


async def test_finishes_while_unfocused_become_one_notification(sim_reset: SimulatorProcess,
                                                                 tmp_path: Path) -> None:
    early = [TaskRef("acme", t["id"]) for t in sim_reset.create_tasks("smint", count=2, wait=0, run=5,
                                                                        outcome="succeed")]
    late = [TaskRef("acme", t["id"]) for t in sim_reset.create_tasks("smint", count=3, wait=0, run=1000,
                                                                       outcome="succeed")]
    app = app_for(sim_reset, early + late, str(tmp_path / "history.sqlite3"))
    written: list[str] = []
    assert app.deck.nudger is not None
    nudger = app.deck.nudger
    nudger.notifier = Notifier("terminal", write=written.append, env={"TERM": "xterm-256color"})
    async with run_app(app, size=SIZE) as pilot:
        await wait_until(pilot, lambda: all(r.key in app.board.snapshots for r in early + late))
        sim_reset.advance(10)  # the early ones finish while the terminal has focus: toasts only
        await wait_until(pilot, lambda: all(app.board.snapshots[r.key].finished for r in early))
        app.post_message(events.AppBlur())
        await wait_until(pilot, lambda: not nudger.focused)
        sim_reset.advance(2000)
        await wait_until(pilot, lambda: all(app.board.snapshots[r.key].finished for r in late))
        await wait_until(pilot, lambda: not nudger.burst.due(1e18) and bool(written), what="the notification")
        app.post_message(events.AppFocus())
        await wait_until(pilot, lambda: nudger.focused)
    text = "".join(written)
    assert all(w.startswith("\x1b]9;taskdeck") and w.endswith("\x07") for w in written)
    counted = sum(int(m) for m in re.findall(r"(\d+) tasks finished: ", text)) + text.count("task succeeded: ")
    assert counted == 3, written  # the three that finished unfocused, none of the early two
    if len(written) == 1:
        assert written[0] == "\x1b]9;taskdeck: 3 tasks finished: 3 succeeded\x07"
