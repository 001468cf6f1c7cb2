"""Toasts: finishes coalesced into one, at most two on screen, none over a dialog, all of them in a log."""

from __future__ import annotations

from typing import Any

from textual.widgets._toast import Toast

from tests.helpers.deck import deck_config, run_app, smint_profile, wait_until
from tui.app import TaskdeckApp
from tui.core.model import TaskRef, TaskSnapshot, TaskState
from tui.deck.board import Board, Changes
from tui.deck.tidings import SLOT, Tidings
from tui.screens.help import HelpScreen
from tui.screens.notification_log import NotificationLogScreen

REFS = [TaskRef("acme", f"00000000-0000-4000-8000-{i:012d}", label=f"task {i}") for i in range(4)]


def board() -> Board:
    return Board(deck_config([smint_profile("acme", "http://127.0.0.1:9")], {"L": REFS}), "L")


def finished(i: int, state: TaskState) -> TaskSnapshot:
    return TaskSnapshot(ref=REFS[i], state=state, title=f"task {i}", fetched_at=1.0)


def test_finishes_are_told_at_most_once_a_slot_and_together() -> None:
    tidings, b = Tidings(), board()
    first = tidings.announce(Changes(finished=[finished(0, TaskState.SUCCEEDED)]), b, now=100.0)
    assert [n.text for n in first] == ["task 0: succeeded"]
    held = tidings.announce(Changes(finished=[finished(1, TaskState.SUCCEEDED),
                                              finished(2, TaskState.FAILED)]), b, now=102.0)
    assert held == [] and tidings.due(100.0 + SLOT - 1) is None
    held = tidings.announce(Changes(finished=[finished(3, TaskState.SUCCEEDED)]), b, now=110.0)
    together = tidings.due(100.0 + SLOT)
    assert together is not None and together.text == "3 tasks finished: 2 succeeded, 1 failed"
    assert together.severity == "error" and together.title == "Tasks finished"
    assert tidings.due(200.0) is None  # nothing left


def toasts(app: Any) -> list[Toast]:
    return list(app.screen.query(Toast))


async def test_at_most_two_toasts_none_over_a_dialog_and_a_log_of_all() -> None:
    app = TaskdeckApp(deck_config([smint_profile("acme", "http://127.0.0.1:9")], {"L": REFS}), start_engine=False)
    async with run_app(app, size=(120, 40), notifications=True) as pilot:
        for i in range(4):
            app.notify(f"note {i}", timeout=30)
        await wait_until(pilot, lambda: len(app.notification_log) == 4, what="four notes logged")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["note 2", "note 3"]
        await wait_until(pilot, lambda: len(toasts(app)) == 2, what="two toasts drawn")
        # A dialog opens: no toast over it, not even a new one.
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help open")
        app.notify("while the dialog is open", timeout=30)
        await wait_until(pilot, lambda: len(app.notification_log) == 5, what="logged")
        for _ in range(3):
            await pilot.pause()
        assert toasts(app) == []
        # Closed: the current toasts come back.
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen) and len(toasts(app)) == 2,
                         what="toasts back")
        # The log: palette "app: notifications", newest first.
        await app.run_action("notifications")
        await wait_until(pilot, lambda: isinstance(app.screen, NotificationLogScreen)
                         and bool(app.screen.query("#log-text")), what="log open")
        text = str(app.screen.query_one("#log-text").render())
        assert text.index("while the dialog is open") < text.index("note 3") < text.index("note 0")
