"""From a snapshot to the cells a user reads: state, progress, title with summary or error."""

from __future__ import annotations

from tui.core.decode import decode_result
from tui.core.model import Steps, TaskError, TaskRef, TaskSnapshot, TaskState
from tui.core.summary import summarize
from tui.simulator import samples
from tui.widgets.rows import COLUMNS, INDETERMINATE, build_row, progress_text
from tui.widgets.table_rows import cell_text

REF = TaskRef("gw", "8abfa7b272adc5b40172b73130065ae7", instance="g")
TITLE = [c.key for c in COLUMNS].index("title")
STATE = [c.key for c in COLUMNS].index("state")


def cells(snapshot: TaskSnapshot) -> list[str]:
    return [cell_text(c) for c in build_row(snapshot, interval=5.0, now=1000.0).cells]


def test_an_import_with_failures_is_not_shown_as_a_clean_success() -> None:
    result = decode_result(samples.IMPORT_PARTIAL_RESULT)
    snap = TaskSnapshot(ref=REF, state=TaskState.SUCCEEDED, title="import APIs", kind="import_api", result=result,
                        summary=summarize("apig", "import_api", "succeeded", result), fetched_at=999.0)
    row = cells(snap)
    assert row[STATE] == "◐ partial"
    clean = decode_result(samples.IMPORT_SUCCESS_RESULT)
    assert cells(TaskSnapshot(ref=REF, state=TaskState.SUCCEEDED, result=clean, fetched_at=999.0))[STATE] == (
        "✔ succeeded")


def test_a_poll_error_takes_the_summary_s_place_in_the_title() -> None:
    snap = TaskSnapshot(ref=REF, state=TaskState.RUNNING, title="export APIs", summary="export_api running",
                        error=TaskError("connection refused", code="refused"), fetched_at=999.0)
    row = build_row(snap, interval=5.0, now=1000.0)
    text, style = row.cells[TITLE]
    assert text == "export APIs · ⚠ connection refused" and style == "task-table--error"


def test_the_title_does_not_repeat_the_task_name_or_the_steps() -> None:
    dms = TaskSnapshot(ref=REF, state=TaskState.SUCCEEDED, title="bindInstancePublicIp", kind="bindInstancePublicIp",
                       summary="bindInstancePublicIp · public_ip_address=100.93.2.18", fetched_at=999.0)
    assert cells(dms)[TITLE] == "bindInstancePublicIp · public_ip_address=100.93.2.18"
    smint = TaskSnapshot(ref=REF, state=TaskState.RUNNING, title="sync", steps=Steps(5, 0, 12), progress=40.0,
                         summary="5/12 steps, 0 failed", fetched_at=999.0)
    assert cells(smint)[TITLE] == "sync"


def test_progress_is_a_bar_only_for_a_real_percentage() -> None:
    def progress(state: TaskState, pct: float | None, steps: Steps | None = None) -> str:
        return progress_text(TaskSnapshot(ref=REF, state=state, progress=pct, steps=steps))

    assert progress(TaskState.RUNNING, None) == INDETERMINATE
    assert progress(TaskState.PENDING, 0.0) == ""
    assert progress(TaskState.FAILED, 40.0) == "██░░░░  40%"  # how far it got
    assert progress(TaskState.FAILED, None) == ""
    assert progress(TaskState.RUNNING, 40.0, Steps(3, 1, 10)) == "40% 3/10, 1 failed"
    assert "!" not in progress(TaskState.SUCCEEDED, 100.0, Steps(9, 3, 12))
    assert progress(TaskState.RUNNING, None, Steps(3, 0, 10)) == "3/10"


def test_the_title_takes_the_room_the_view_leaves() -> None:
    from tui.widgets.rows import TITLE_MAX, columns_for

    def title_width(view: int) -> int:
        return next(c.width for c in columns_for(view) if c.key == "title") or 0

    assert title_width(92) > 36  # 120 columns with the sidebar: wider than the old fixed 36
    assert title_width(60) == next(c.min_width for c in COLUMNS if c.key == "title")
    assert title_width(400) == TITLE_MAX


async def test_sorting_by_any_column_shows_its_arrow_even_at_80_columns() -> None:
    from tests.helpers.deck import deck_config, run_app, smint_profile
    from tui.app import TaskdeckApp

    refs = [TaskRef("acme", f"00000000-0000-4000-8000-{i:012d}", label=f"task {i}") for i in range(3)]
    app = TaskdeckApp(deck_config([smint_profile("acme", "http://127.0.0.1:9")], {"L": refs}), start_engine=False)
    async with run_app(app, size=(80, 24)) as pilot:
        await pilot.pause()
        seen = set()
        for _ in COLUMNS:
            await pilot.press("s")
            await pilot.pause()
            lines = ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]
            header = next(line for line in lines if "▲" in line or "▼" in line)
            seen.add(app.table.sort_column)
            assert "▲" in header, (app.table.sort_column, lines[:3])
        assert seen == {c.key for c in COLUMNS}
