"""DetailPane: structure of decoded results, raw toggle, scroll keeping, safety, big results, save/copy/open."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding

import tui.clipboard
from tests.helpers.deck import record_layouts
from tui.core.decode import decode_result
from tui.core.model import Steps, TaskError, TaskRef, TaskSnapshot, TaskState
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen
from tui.widgets.detail import MAX_LINES, DetailPane

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "pets", "version": "1"},
    "paths": {"/pets": {"get": {"summary": "list pets"}}, "/pets/{id}": {"delete": {"summary": "remove"}}},
}
FILE_NAME = "test8-RELEASE-all-2023-07-11-19:54:22"


def apig_export(
    doc: dict[str, Any] = SWAGGER, task_id: str = "d6e8834b6f0f4711a2fa5345e5b60833"
) -> TaskSnapshot:
    task_result = json.dumps(
        {"FileName": FILE_NAME, "FileType": ".json", "Comment": json.dumps(doc, indent="\t")}
    )
    body = json.dumps(
        {"task_id": task_id, "task_status": "succeed", "task_type": "export_api", "task_result": task_result}
    )
    return TaskSnapshot(
        ref=TaskRef("gateway", task_id, "inst-1"),
        state=TaskState.SUCCEEDED,
        raw_state="succeed",
        title="export_api",
        kind="export_api",
        result_raw=task_result,
        result=decode_result(task_result),
        summary="Exported pets",
        raw_body=body,
        fetched_at=1_700_000_000.0,
    )


def smint(result: Any, task_id: str = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", **kw: Any) -> TaskSnapshot:
    raw = result if isinstance(result, str) else json.dumps(result)
    return TaskSnapshot(
        ref=TaskRef("acme", task_id),
        state=TaskState.RUNNING,
        raw_state="in_progress",
        progress=40,
        steps=Steps(2, 1, 5),
        title="download",
        result_raw=raw,
        result=decode_result(raw),
        raw_body=json.dumps({"uuid": task_id, "state": "in_progress", "result_string": raw}),
        **kw,
    )


class DetailApp(App[None]):
    BINDINGS = [Binding("ctrl+t", "tick", "Tick")]

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0

    def compose(self) -> ComposeResult:
        yield DetailPane(id="detail")

    def action_tick(self) -> None:
        self.ticks += 1


def screen_text(app: App[Any]) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""

    async def loop() -> None:
        while not condition():
            await pilot.pause(0.02)

    await asyncio.wait_for(loop(), timeout)


async def test_apig_export_shows_swagger_as_structure() -> None:
    app = DetailApp()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(apig_export())
        await pilot.pause()
        lines = [line.strip() for line in pane.body.lines]
        assert '"swagger": "2.0",' in lines
        assert '"/pets": {' in lines
        assert '"Comment": {' in lines
        assert not any('\\"swagger' in line for line in lines)
        text = screen_text(app)
        assert '"swagger": "2.0"' in text
        assert "state ✔ succeeded" in text and "raw succeed" in text
        assert "provider gateway" in text and "instance inst-1" in text


async def test_raw_toggle_shows_response_body_and_back() -> None:
    app = DetailApp()
    snap = apig_export()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(snap)
        pane.focus_body()
        await pilot.press("v")
        assert pane.raw
        # Laid out (pretty-printed), with the same content as the body the server sent.
        assert len(pane.body.lines) > 1
        assert json.loads("\n".join(pane.body.lines)) == json.loads(snap.raw_body)
        assert "Raw response body" in screen_text(app)
        await pilot.press("v")
        assert not pane.raw
        assert any(line.strip() == '"swagger": "2.0",' for line in pane.body.lines)


async def test_same_task_update_keeps_scroll_new_task_resets() -> None:
    app = DetailApp()
    result = {"items": [{"n": i, "name": f"item {i}"} for i in range(200)]}
    snap = smint(result)
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(snap)
        await pilot.pause()
        pane.body.scroll_to(y=120, animate=False, immediate=True)
        await pilot.pause()
        assert pane.body.scroll_y == 120
        # Newer snapshot of the same task: new progress, same result.
        pane.show(replace(snap, progress=80, summary="80% done"))
        await pilot.pause()
        assert pane.body.scroll_y == 120
        assert "80% done" in screen_text(app)
        # Same task, changed result: rebuilt in place.
        result2 = {"items": [{"n": i, "name": f"item {i}", "ok": True} for i in range(200)]}
        pane.show(smint(result2))
        await pilot.pause()
        assert any('"ok": true' in line for line in pane.body.lines)
        assert pane.body.scroll_y == 120
        # A failed poll keeps the data and shows the error.
        pane.show(replace(smint(result2), error=TaskError("timed out", code="Timeout", status=504)))
        await pilot.pause()
        assert pane.body.scroll_y == 120
        assert "HTTP 504 Timeout: timed out" in screen_text(app)
        # With the server's request id, which support asks for.
        pane.show(replace(smint(result2), error=TaskError("timed out", code="Timeout", status=504,
                                                          request_id="5c8e0f1a2b3c4d5e")))
        await pilot.pause()
        assert "HTTP 504 Timeout: timed out  request id 5c8e0f1a2b3c4d5e" in screen_text(app)
        # Another task: back to the top.
        pane.show(smint(result, task_id="11111111-2222-3333-4444-555555555555"))
        await pilot.pause()
        assert pane.body.scroll_y == 0


async def test_markup_in_server_strings_is_shown_literally() -> None:
    evil = "[@click=app.quit]x[/]"
    app = DetailApp()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(replace(smint({"name": evil, "bad": "[/"}), title=evil, summary="[/"))
        await pilot.pause()
        text = screen_text(app)
        assert evil in text.splitlines()[0]
        assert f'"name": "{evil}"' in text
        # Clicking the would-be link does nothing: the app keeps running.
        await pilot.click(DetailPane, offset=(2, 0))
        await pilot.pause()
        assert app.is_running
        assert app.return_value is None


async def test_control_characters_never_reach_the_screen() -> None:
    nasty = "\x1b]2;PWNED\x07\x1b[2J\x9b31m\x00\u202e"
    snap = replace(
        smint({"msg": nasty, nasty: 1}),
        title=f"title {nasty}",
        summary=f"sum {nasty}",
        raw_state=nasty,
        error=TaskError(f"err {nasty}", code=nasty, status=500),
        raw_body=f"body {nasty}\nline2",
    )
    app = DetailApp()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(snap)
        await pilot.pause()
        for raw in (False, True):
            if raw:
                pane.focus_body()
                await pilot.press("v")
            text = screen_text(app)
            svg = app.export_screenshot()
            for bad in ("\x1b", "\x07", "\x9b", "\x00", "\u202e"):
                assert bad not in text
                assert bad not in svg
            assert "␛]2;PWNED␇" in text
            strips = [pane.body.render_line(y) for y in range(pane.body.size.height)]
            assert not any("\x1b" in seg.text for strip in strips for seg in strip)


async def test_big_result_is_truncated_off_the_ui_thread() -> None:
    big = {"rows": [{"id": i, "name": f"row number {i}", "tags": ["a", "b", "c"]} for i in range(60_000)]}
    snap = smint(big)
    assert len(snap.result_raw or "") > 3_000_000
    app = DetailApp()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(snap)
        # show() returned before the text was formatted: the work happens in a thread.
        assert pane.busy
        await pilot.press("ctrl+t")
        assert app.ticks == 1
        await wait_for(pilot, lambda: not pane.busy)
        assert 0 < len(pane.body.lines) <= MAX_LINES
        text = screen_text(app)
        assert "large" in text and "Press e to save all" in text
        assert "MB" in text
        # Scrolling to the end of a truncated view works and the app still answers keys.
        pane.focus_body()
        await pilot.press("G")
        assert pane.body.scroll_y == pane.body.max_scroll_y > 0
        await pilot.press("ctrl+t")
        assert app.ticks == 2


async def test_export_writes_swagger_named_after_file_name(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path / "..")
    monkeypatch.setattr("tui.widgets.detail.downloads_dir", lambda: tmp_path)
    app = DetailApp()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(apig_export())
        pane.focus_body()
        await pilot.press("e")
        assert isinstance(app.screen, PromptScreen)
        # The downloads directory, and a name without ':' (Windows refuses it).
        target = tmp_path / "test8-RELEASE-all-2023-07-11-19-54-22.json"
        assert app.screen.value == str(target)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: target.exists() and any("Saved" in n.message for n in app._notifications)
        )
        assert any(n.message.endswith(f"to {target}") for n in app._notifications)
        assert json.loads(target.read_text()) == SWAGGER

        # Saving again asks before replacing; "no" leaves the file alone.
        target.write_text("keep me")
        await pilot.press("e")
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert target.read_text() == "keep me"
        # ... and "yes" replaces it.
        await pilot.press("e")
        await pilot.press("enter")
        await pilot.press("y")
        await wait_for(pilot, lambda: target.read_text() != "keep me")
        assert json.loads(target.read_text()) == SWAGGER


async def test_export_of_a_plain_result_is_named_after_the_task(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr("tui.widgets.detail.downloads_dir", lambda: tmp_path)
    snap = smint({"assetDataObjects": [1, 2]})
    app = DetailApp()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(snap)
        pane.focus_body()
        await pilot.press("e", "enter")
        target = tmp_path / f"{snap.ref.id}.json"
        await wait_for(pilot, target.exists)
        await wait_for(pilot, lambda: bool(app._notifications))
        assert json.loads(target.read_text()) == {"assetDataObjects": [1, 2]}


@pytest.fixture
def copied(monkeypatch: Any) -> list[str]:
    out: list[str] = []

    def fake_copy(app: Any, text: str, **_: Any) -> str:
        out.append(text)
        return "test"

    monkeypatch.setattr(tui.clipboard, "copy_text", fake_copy)
    return out


async def test_copy_result_and_url_and_open(copied: list[str], monkeypatch: Any) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    url = "https://dl.example.com/x.zip?sig=abc"
    snap = smint({"assetDownloadUrl": {"url": url}})
    app = DetailApp()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(snap)
        pane.focus_body()
        await pilot.pause()
        assert url in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: len(copied) == 1)
        assert json.loads(copied[0]) == {"assetDownloadUrl": {"url": url}}
        await pilot.press("Y")
        await wait_for(pilot, lambda: len(copied) == 2)
        assert copied[1] == url
        await pilot.press("o")
        await wait_for(pilot, lambda: bool(opened))
        assert opened == [url]
        # Without a URL, Y copies the task id and o only says so.
        pane.show(smint({"a": 1}, task_id="11111111-2222-3333-4444-555555555555"))
        await pilot.press("Y")
        await wait_for(pilot, lambda: len(copied) == 3)
        assert copied[2] == "11111111-2222-3333-4444-555555555555"
        await pilot.press("o")
        await pilot.pause()
        assert opened == [url]
        assert any("no download URL" in n.message for n in app._notifications)


async def test_non_http_url_is_not_opened(monkeypatch: Any) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    app = DetailApp()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(smint({"assetDownloadUrl": {"url": "file:///etc/passwd"}}))
        pane.focus_body()
        await pilot.press("o")
        await pilot.pause()
        assert opened == []


async def test_empty_pane_and_bindings_have_ids() -> None:
    app = DetailApp()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        await pilot.pause()
        assert "No task selected" in screen_text(app)
        ids = {b.id for b in DetailPane.BINDINGS if isinstance(b, Binding)}
        assert ids == {
            "detail.toggle_raw",
            "detail.export",
            "detail.open_url",
            "detail.copy_result",
            "detail.copy_id",
        }
        pane.show(smint({"a": 1}))
        pane.show(None)
        await pilot.pause()
        assert "No task selected" in screen_text(app)


def test_downloads_dir_is_proposed_when_it_exists(tmp_path: Path, monkeypatch: Any) -> None:
    import platformdirs

    from tui.core.paths import downloads_dir

    monkeypatch.setattr(platformdirs, "user_downloads_path", lambda: tmp_path)
    assert downloads_dir() == tmp_path
    monkeypatch.setattr(platformdirs, "user_downloads_path", lambda: tmp_path / "missing")
    monkeypatch.setenv("HOME", str(tmp_path / "home-missing"))
    assert downloads_dir() == Path.cwd()


async def test_header_hides_unknown_times_and_uses_one_date_format() -> None:
    from dataclasses import replace as _replace

    from tui.widgets.detail import fmt_server_time

    assert fmt_server_time("1700000000000") == fmt_server_time("1700000000") == time.strftime(
        "%Y-%m-%d %H:%M:%S", time.localtime(1_700_000_000))
    assert fmt_server_time("2023-11-14T22:13:20.000Z") == fmt_server_time("1700000000")
    assert fmt_server_time("next tuesday") == "next tuesday"
    app = DetailApp()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(apig_export())
        await pilot.pause()
        text = screen_text(app)
        assert "created" not in text and "updated" not in text and "–" not in text
        assert "fetched " + fmt_server_time("1700000000") in text
        pane.show(_replace(apig_export(), created="2023-11-14T22:13:20Z"))
        await pilot.pause()
        assert "created " + fmt_server_time("1700000000") in screen_text(app)


async def test_raw_body_is_pretty_printed_and_long_strings_wrap_at_a_readable_place() -> None:
    url = "https://dl.example.com/exports/" + "/".join(f"segment{i:02d}" for i in range(30)) + "?sig=abc"
    snap = smint({"assetDownloadUrl": {"url": url}})
    app = DetailApp()
    async with app.run_test(size=(100, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(snap)
        await pilot.pause()
        # Each wrapped row of the long URL ends at a separator, not inside a word.
        rows = [r for r in pane.body.visible_text() if "segment" in r]
        assert len(rows) > 1
        assert all(r.rstrip().endswith(("/", "?", ",", '"', "=")) for r in rows[:-1]), rows
        pane.focus_body()
        await pilot.press("v")
        assert pane.raw and len(pane.body.lines) > 1
        assert json.loads("\n".join(pane.body.lines)) == json.loads(snap.raw_body)


async def test_another_task_with_a_header_of_the_same_height_asks_for_no_layout() -> None:
    """A layout of the whole screen costs more than the rest of a cursor key: only a header whose
    height changes asks for one."""
    app = DetailApp()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(smint({"a": 1}, task_id="11111111-1111-1111-1111-111111111111"))
        await wait_for(pilot, lambda: "11111111" in screen_text(app))
        header = pane.query_one("#detail-header")
        height = header.size.height
        layouts = record_layouts(header)
        pane.show(smint({"a": 1}, task_id="22222222-2222-2222-2222-222222222222"))
        await wait_for(pilot, lambda: "22222222" in screen_text(app))
        assert layouts and not any(layouts) and header.size.height == height
        pane.show(replace(smint({"a": 1}, task_id="33333333-3333-3333-3333-333333333333"), title="long " * 80))
        await wait_for(pilot, lambda: "33333333" in screen_text(app) and header.size.height > height)
        assert layouts[-1]  # a header that needs more lines asked for a layout, and got its lines


async def test_a_body_of_another_length_asks_for_no_layout_and_still_scrolls() -> None:
    app = DetailApp()
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(DetailPane)
        body = pane.body
        body.set_lines([f"line {i}" for i in range(5)])
        await pilot.pause()
        layouts = record_layouts(body)
        body.set_lines([f"line {i}" for i in range(200)])
        await pilot.pause()
        assert layouts and not any(layouts)
        assert body.max_scroll_y > 0 and body.row_count == 200
        body.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert "line 199" in body.visible_text()


async def test_a_task_never_read_yet_is_named_in_the_detail_pane_not_called_unselected() -> None:
    from tests.helpers.deck import deck_config, smint_profile
    from tui.app import TaskdeckApp
    from tui.core.model import TaskRef

    refs = [TaskRef("acme", f"t{i:03d}", label="nightly export") for i in range(3)]
    app = TaskdeckApp(deck_config([smint_profile("acme", "http://127.0.0.1:9")], {"A": refs}), start_engine=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert app.table.cursor_key == refs[0].key
        assert app.detail.snapshot is not None and app.detail.snapshot.ref == refs[0]
        text = screen_text(app)
        assert "No task selected" not in text and "t000" in text and "(no result yet)" in text
        await pilot.press("down")
        await pilot.pause()
        assert app.detail.snapshot is not None and app.detail.snapshot.ref == refs[1]


async def test_the_detail_header_keeps_its_height_as_the_cursor_moves() -> None:
    """A shorter header leaves blank lines instead of shrinking: the result below stays in place, and a
    cursor move lays nothing out (a layout of the screen cost most of a key under load)."""
    from tests.helpers.deck import deck_config, smint_profile
    from tui.app import TaskdeckApp
    from tui.core.engine import Batch
    from tui.core.model import TaskError, TaskRef, TaskSnapshot, TaskState

    refs = [TaskRef("acme", f"t{i}") for i in range(3)]
    app = TaskdeckApp(deck_config([smint_profile("acme", "http://127.0.0.1:9")], {"A": refs}), start_engine=False)
    async with app.run_test(size=(160, 50)) as pilot:
        plain = TaskSnapshot(ref=refs[0], state=TaskState.RUNNING, fetched_at=1.0)
        tall = TaskSnapshot(ref=refs[1], state=TaskState.FAILED, fetched_at=1.0, summary="3 of 4 exported",
                            error=TaskError("the export failed on asset 4 of 4", code="E42"))
        app.deck.board.apply(Batch(snapshots={refs[0].key: plain, refs[1].key: tall}))
        header = app.screen.query_one("#detail-header")
        body = app.detail.body
        app.table.move_cursor_to_key(refs[0].key)
        await pilot.pause()
        short_height = header.size.height
        app.table.move_cursor_to_key(refs[1].key)
        await pilot.pause()
        tall_height, body_top = header.size.height, body.region.y
        assert tall_height > short_height  # a taller header makes room
        app.table.move_cursor_to_key(refs[0].key)
        await pilot.pause()
        assert header.size.height == tall_height and body.region.y == body_top  # and keeps it
        assert "t0" in screen_text(app) and "E42" not in screen_text(app)


async def test_the_detail_header_fits_its_text_again_when_the_pane_changes_width() -> None:
    from tests.helpers.deck import deck_config, smint_profile
    from tui.app import TaskdeckApp
    from tui.core.engine import Batch
    from tui.core.model import TaskError, TaskRef, TaskSnapshot, TaskState

    ref = TaskRef("acme", "t0", label="a nightly export of every asset in the archive, with renditions")
    app = TaskdeckApp(deck_config([smint_profile("acme", "http://127.0.0.1:9")], {"A": [ref]}), start_engine=False)
    async with app.run_test(size=(190, 50)) as pilot:
        failed = TaskSnapshot(ref=ref, state=TaskState.FAILED, fetched_at=1.0, summary="3 of 4 exported; " * 4,
                              error=TaskError("the export failed on asset 4 of 4: " + "no rendition; " * 6))
        app.deck.board.apply(Batch(snapshots={ref.key: failed}))
        app.detail.show(failed)
        await pilot.pause()
        header = app.screen.query_one("#detail-header")

        def fits() -> bool:
            needed = header.content.get_height(header.styles, header.content_region.width)
            return header.content_region.height >= needed

        assert fits()
        wide = header.content_region.width
        await pilot.resize_terminal(125, 50)  # narrower: the same text wraps onto more lines
        await pilot.pause()
        await pilot.pause()
        assert header.content_region.width < wide and fits()
