"""The dashboard with Textual's Pilot, polling the simulator over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from tui.app import TaskdeckApp
from tui.core.config import Config
from tui.core.model import HealthStatus, TaskState
from tui.demo import DEMO_LIST, closed_port, demo_lists, demo_providers
from tui.screens.add_task import AddTaskScreen
from tui.screens.help import HelpScreen
from tui.simulator.process import SimulatorProcess
from tui.widgets.sidebar import NodeRef

APIG_EXPORT = "d6e8834b6f0f4711a2fa5345e5b60833"
SIZE = (160, 50)


def demo_config(sim: SimulatorProcess) -> Config:
    return Config.in_memory(demo_providers(sim.base_url, closed_port()), demo_lists(sim.scenario_info()))


async def wait_for(pilot: Pilot, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


def key_of(app: TaskdeckApp, task_id: str) -> str:
    return next(ref.key for ref in app.board.active_refs() if ref.id == task_id)


def polled(app: TaskdeckApp) -> int:
    return sum(1 for s in app.board.snapshots.values() if s.fetched_at is not None)


async def test_rows_fill_in_and_sidebar_counts_follow_state_changes(sim_reset: SimulatorProcess) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        total = len(app.board.active_refs())
        assert app.table.row_count == total
        await wait_for(pilot, lambda: polled(app) >= total - 2)  # the two "legacy" tasks never answer
        before = app.board.counts(app.board.active_refs())
        sim_reset.advance(24 * 3600)  # everything that can finish, finishes
        await pilot.press("R")
        await wait_for(pilot, lambda: app.board.counts(app.board.active_refs())["running"]
                       < before["running"])
        after = app.board.counts(app.board.active_refs())
        assert after["succeeded"] > before["succeeded"]
        providers, lists = app.board.sidebar()
        demo_node = next(n for n in lists if n.name == DEMO_LIST)
        assert demo_node.counts == after
        # The row of a finished task shows its new state.
        finished = next(s for s in app.board.snapshots.values()
                        if s.state is TaskState.SUCCEEDED and app.board.in_active(s.ref.key))
        row = app.table.get_row(finished.ref.key)
        assert row is not None and row.state == "succeeded"


async def test_finished_tasks_and_provider_outage_are_notified(sim_reset: SimulatorProcess) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.board.health.get("legacy") is not None
                       and app.board.health["legacy"].status is HealthStatus.UNREACHABLE)
        await wait_for(pilot, lambda: any(n.title == "Provider down" for n in app._notifications))
        await wait_for(pilot, lambda: polled(app) > 40)
        sim_reset.advance(24 * 3600)
        await pilot.press("R")
        # Finishes are told at most once every 30 s (tidings.SLOT): look in the log, allow a slot.
        await wait_for(pilot, lambda: any(n.title in ("Task finished", "Tasks finished")
                                          for n in app.notification_log), timeout=45)
        legacy = app.board.health["legacy"]
        from tui.widgets.sidebar import health_text

        assert health_text(legacy).startswith("unreachable since ")
        assert "retrying every 5 s" in health_text(legacy)
        # The legacy rows say why, the others keep working.
        legacy_row = next(r for r in app.board.active_refs() if r.provider == "legacy")
        assert "connection refused" in app.table.get_row(legacy_row.key).search_text.lower()


async def test_filter_and_sort_keep_the_cursor_on_its_task(sim_reset: SimulatorProcess) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: polled(app) > 40)
        export = key_of(app, APIG_EXPORT)
        assert app.table.move_cursor_to_key(export)
        await pilot.press("s", "s", "S")
        assert app.table.cursor_key == export
        await pilot.press("slash", *"state:failed")
        await wait_for(pilot, lambda: app.table.filter_text == "state:failed")
        visible = list(app.table.visible_keys)
        assert visible and all(app.board.snapshots[k].state is TaskState.FAILED for k in visible)
        await pilot.press("escape")
        assert app.table.filter_text == ""
        assert app.table.visible_count == app.table.row_count


async def test_detail_pane_shows_the_decoded_swagger_export(sim_reset: SimulatorProcess) -> None:
    sim_reset.advance(24 * 3600)
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        export = key_of(app, APIG_EXPORT)
        await wait_for(pilot, lambda: export in app.board.snapshots
                       and app.board.snapshots[export].fetched_at is not None)
        app.table.move_cursor_to_key(export)
        await wait_for(pilot, lambda: app.detail.snapshot is not None and app.detail.snapshot.ref.key == export)
        await wait_for(pilot, lambda: not app.detail.busy)
        text = "\n".join(app.detail.body.visible_text()) if hasattr(app.detail.body, "visible_text") else ""
        assert '"swagger": "2.0"' in text  # a structure, not an escaped string
        assert "test8" in app.screen.query_one("#detail-header").render().plain  # type: ignore[union-attr]


async def test_pause_shows_a_mark_and_stops_polling(sim_reset: SimulatorProcess) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.flushes > 0)
        await pilot.press("p")
        assert app.engine.paused
        header = app.query_one("#deck-header").render()
        assert "PAUSED" in str(header)
        sim_reset.clear_log()
        flushes = app.flushes
        await pilot.pause(3.5)  # longer than the shortest interval: nothing may be polled
        assert [e for e in sim_reset.requests() if e["task_id"]] == []
        assert app.flushes <= flushes + 1
        await pilot.press("p")
        assert not app.engine.paused
        await wait_for(pilot, lambda: any(e["task_id"] for e in sim_reset.requests()))


async def test_markup_in_server_strings_is_shown_literally_and_clicking_runs_nothing(sim_reset) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: any("[" in (s.kind or "") + s.title for s in app.board.snapshots.values()))
        snap = next(s for s in app.board.snapshots.values() if "[" in (s.kind or "") + s.title)
        app.table.move_cursor_to_key(snap.ref.key)
        await pilot.pause(0.2)
        row_text = app.table.get_row(snap.ref.key).search_text
        assert "[" in row_text  # the brackets survive: not parsed as markup
        await pilot.click("#tasks", offset=(40, (app.table.cursor_row or 0) + 1))
        await pilot.pause(0.2)
        assert app.is_running
        screen = app.export_screenshot()
        assert "\x1b" not in screen


async def test_add_form_adds_tasks_and_remove_can_be_undone(sim_reset: SimulatorProcess) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    created = sim_reset.create_tasks("smint", count=2, wait=0, run=1, outcome="succeed")
    async with app.run_test(size=SIZE) as pilot:
        before = app.table.row_count
        await pilot.press("a")
        assert isinstance(app.screen, AddTaskScreen)
        form = app.screen
        form.query_one("#add-provider", Select).value = "acme"
        form.query_one("#add-ids", TextArea).text = "\n".join(t["id"] for t in created)
        form.query_one("#add-label", Input).value = "new"
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, AddTaskScreen), str(form.query_one("#add-error").render())
        await wait_for(pilot, lambda: app.table.row_count == before + 2)
        keys = [ref.key for ref in app.board.active_refs() if ref.id in {t["id"] for t in created}]
        await wait_for(pilot, lambda: all(k in app.board.snapshots for k in keys))
        assert len(app.config.watch.get(DEMO_LIST).tasks) == before + 2
        app.table.move_cursor_to_key(keys[0])
        await pilot.press("d")
        assert app.table.row_count == before + 1
        assert keys[0] not in {r.key for r in app.config.watch.get(DEMO_LIST).tasks}
        await pilot.press("u")
        assert app.table.row_count == before + 2


async def test_lists_switch_with_keys_and_sidebar(sim_reset: SimulatorProcess) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        names = app.config.watch.names
        await pilot.press("right_square_bracket")
        assert app.board.active_name == names[1]
        assert app.table.row_count == len(app.config.watch.get(names[1]).tasks)
        await pilot.press("1")
        assert app.board.active_name == names[0]
        app.sidebar.post_message(app.sidebar.NodeSelected(app.sidebar._node_of[NodeRef("list", names[1])]))
        await wait_for(pilot, lambda: app.board.active_name == names[1])


async def test_help_and_debug_screens(sim_reset: SimulatorProcess) -> None:
    app = TaskdeckApp(demo_config(sim_reset), demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("f12")
        text = app.export_screenshot()
        assert "sim-secret" not in text and "SIMSECRETKEY" not in text
        assert "Providers" in text


async def test_the_demo_shows_a_finished_tasks_timeline(sim_reset: SimulatorProcess) -> None:
    """--demo keeps its store in memory, in this process: the engine that writes it runs here too, so the
    detail pane's timeline has the transitions the engine recorded."""
    from tui.core.engine_process import EngineProcess
    from tui.core.store import memory_location

    app = TaskdeckApp(demo_config(sim_reset), demo=True, store=memory_location())
    async with app.run_test(size=SIZE) as pilot:
        assert not isinstance(app.engine, EngineProcess)
        await wait_for(pilot, lambda: polled(app) > 40)
        sim_reset.advance(24 * 3600)
        await pilot.press("R")
        export = key_of(app, APIG_EXPORT)
        await wait_for(pilot, lambda: (s := app.board.snapshots.get(export)) is not None and s.finished)
        assert app.table.move_cursor_to_key(export)

        def timeline() -> str:
            header = app.screen.query_one("#detail-header").render().plain  # type: ignore[attr-defined]
            return header.split("timeline", 1)[1] if "timeline" in header else ""

        await wait_for(pilot, lambda: "succeeded" in timeline() or "failed" in timeline())
