"""Dialogs are safe: deleting a list asks with Cancel focused and can be undone; a refused name stays in
the dialog with the reason under the field."""

from __future__ import annotations

from textual.widgets import Button, Input, Static

from tests.helpers.deck import deck_config, run_app, smint_profile, wait_until
from tui.app import TaskdeckApp
from tui.core.model import TaskRef
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt import PromptScreen

A = TaskRef("acme", "00000000-0000-4000-8000-000000000001", label="one")
B = TaskRef("acme", "00000000-0000-4000-8000-000000000002", label="two")


def app() -> TaskdeckApp:
    return TaskdeckApp(deck_config([smint_profile("acme", "http://127.0.0.1:9")], {"A": [A], "B": [B]}),
                       watchlist="A", start_engine=False)


async def test_delete_list_focuses_cancel_and_u_brings_the_list_back() -> None:
    deck_app = app()
    async with run_app(deck_app, size=(120, 40)) as pilot:
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(deck_app.screen, ConfirmScreen), what="confirm open")
        await pilot.pause()
        focused = deck_app.screen.focused
        assert isinstance(focused, Button) and focused.id == "confirm-cancel"
        await pilot.press("enter")  # Enter on the opened dialog cancels
        await wait_until(pilot, lambda: not isinstance(deck_app.screen, ConfirmScreen), what="closed")
        assert deck_app.deck.list_names == ["A", "B"]
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(deck_app.screen, ConfirmScreen), what="confirm open")
        await pilot.press("y")
        await wait_until(pilot, lambda: deck_app.deck.list_names == ["B"], what="A deleted")
        await pilot.press("u")
        await wait_until(pilot, lambda: set(deck_app.deck.list_names) == {"A", "B"}
                         and deck_app.deck.board.active_name == "A", what="A restored")
        assert [r.key for r in deck_app.deck.config.watch.get("A").tasks] == [A.key]


async def test_renaming_to_an_existing_name_keeps_the_dialog_open_with_the_reason() -> None:
    deck_app = app()
    async with run_app(deck_app, size=(120, 40)) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(deck_app.screen, PromptScreen)
                         and bool(deck_app.screen.query("#prompt-input")), what="prompt open")
        deck_app.screen.query_one("#prompt-input", Input).value = "B"
        await pilot.press("enter")
        await pilot.pause()
        screen = deck_app.screen
        assert isinstance(screen, PromptScreen)
        error = screen.query_one("#prompt-error", Static)
        assert error.display and "B" in str(error.render())
        assert deck_app.deck.list_names == ["A", "B"]
        # A free name is taken and the dialog closes.
        screen.query_one("#prompt-input", Input).value = "Nightly"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(deck_app.screen, PromptScreen), what="closed")
        assert set(deck_app.deck.list_names) == {"Nightly", "B"}
        assert deck_app.deck.board.active_name == "Nightly"


async def test_a_filter_without_match_says_so_and_the_header_counts_what_it_shows() -> None:
    from tests.helpers.deck import record_notifications
    from tui.widgets.header import DeckHeader

    deck_app = app()
    notes = record_notifications(deck_app)
    async with run_app(deck_app, size=(120, 40)) as pilot:
        await pilot.press("slash")
        for key in "state:bogus":
            await pilot.press(key)
        await wait_until(pilot, lambda: deck_app.table.visible_count == 0, what="filtered")
        await pilot.pause()
        lines = "\n".join("".join(s.text for s in strip) for strip in deck_app.screen._compositor.render_strips())
        assert "No task matches 'state:bogus' — Esc clears" in lines
        assert "0 of 1 task" in str(deck_app.screen.query_one(DeckHeader).render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: deck_app.table.visible_count == 1, what="filter cleared")
        assert "of 1" not in str(deck_app.screen.query_one(DeckHeader).render())
        # Removing a task names it by its title, not its id.
        deck_app.table.focus()
        await pilot.press("d")
        await wait_until(pilot, lambda: any("Removed one" in m for _, _, m in notes), what="remove toast")


async def test_a_dms_task_s_params_are_called_parameters_in_the_detail_pane() -> None:
    from tests.helpers.deck import huawei_profile
    from tui.core.model import TaskSnapshot, TaskState

    ref = TaskRef("mq", "8abfa7b272adc5b40172b73130065ae7", instance="i" * 32)
    config = deck_config([huawei_profile("mq", "huawei-dms", "http://127.0.0.1:9"),
                          smint_profile("acme", "http://127.0.0.1:9")], {"L": [ref, A]})
    deck_app = TaskdeckApp(config, watchlist="L", start_engine=False)
    async with run_app(deck_app, size=(120, 40)) as pilot:
        deck_app.deck.board.snapshots[ref.key] = TaskSnapshot(
            ref=ref, state=TaskState.SUCCEEDED, kind="bindInstancePublicIp", result={"public_ip_address": "1.2.3.4"},
            fetched_at=1.0)
        deck_app.detail.show(deck_app.deck.board.snapshots[ref.key])
        await pilot.pause()
        note = str(deck_app.detail.query_one("#detail-note", Static).render())
        assert note.startswith("Parameters · ") and "Result" not in note
        deck_app.detail.show(TaskSnapshot(ref=A, state=TaskState.RUNNING, fetched_at=1.0))
        await pilot.pause()
        assert str(deck_app.detail.query_one("#detail-note", Static).render()).startswith("Result · ")
