"""Modal screens: add task, help, confirm, prompt, debug."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from tui.core.secrets import register_secret
from tui.screens.add_task import AddTaskRequest, AddTaskScreen, ProviderChoice, split_ids
from tui.screens.confirm import ConfirmScreen
from tui.screens.debug import DebugScreen
from tui.screens.help import HelpScreen
from tui.screens.prompt import PromptScreen
from tui.widgets.detail import DetailPane

UUID1 = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
UUID2 = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
PROVIDERS = [
    ProviderChoice("acme", "smint"),
    ProviderChoice("kafka-eu", "huawei-dms", True, ["inst-a", "inst-b"]),
    ProviderChoice("gateway", "huawei-apig", True, ["gw-1"]),
]


class Host(App[None]):
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
        Binding("slash", "noop", "Filter", id="app.filter"),
        Binding("r", "noop", "Refresh", id="app.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("host")
        yield DetailPane(id="detail")

    def action_noop(self) -> None:
        pass

    def open(self, screen: Screen[Any]) -> None:
        self.push_screen(screen, self.results.append)


def screen_text(app: App[Any]) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async def loop() -> None:
        while not condition():
            await pilot.pause(0.02)

    await asyncio.wait_for(loop(), timeout)


# -- add task -------------------------------------------------------------------


def test_split_ids() -> None:
    assert split_ids(f' {UUID1}, {UUID2}\n{UUID1};"x" ["y", \'z\']\t') == [UUID1, UUID2, "x", "y", "z"]
    assert split_ids("  \n ,, ") == []


async def test_add_smint_ids_validated_then_returned() -> None:
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open(AddTaskScreen(PROVIDERS, provider="acme"))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AddTaskScreen)
        assert screen.query_one("#add-instance-row").has_class("-hidden")
        assert screen.query_one("#add-follow", Checkbox).has_class("-hidden")
        # Focus starts in the ids box: paste many ids, one of them bad.
        assert isinstance(app.focused, TextArea)
        app.focused.text = f"{UUID1}, not-a-uuid\n{UUID2} {UUID1}"
        await pilot.click("#add-save")
        await pilot.pause()
        assert app.screen is screen and app.results == []
        error = screen.query_one("#add-error", Static)
        assert error.has_class("-shown")
        assert "'not-a-uuid' is not a UUID" in screen_text(app)
        screen.query_one("#add-ids", TextArea).text = f"{UUID1}, {UUID2}\n{UUID1}"
        label = screen.query_one("#add-label", Input)
        label.focus()
        await pilot.press(*"nightly", "enter")
        await pilot.pause()
        assert app.results == [AddTaskRequest("acme", None, [UUID1, UUID2], "nightly", False)]


async def test_add_dms_needs_instance_and_can_follow_it() -> None:
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open(AddTaskScreen(PROVIDERS, provider="kafka-eu"))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AddTaskScreen)
        assert not screen.query_one("#add-instance-row").has_class("-hidden")
        follow = screen.query_one("#add-follow", Checkbox)
        assert not follow.has_class("-hidden")
        await pilot.press("ctrl+s")
        assert "needs an instance" in screen_text(app)
        instance = screen.query_one("#add-instance", Input)
        instance.value = "bad/inst"
        await pilot.press("ctrl+s")
        assert "Instance id 'bad/inst' contains '/'" in screen_text(app)
        instance.value = "inst-a"
        await pilot.press("ctrl+s")
        assert "at least one task id" in screen_text(app)
        screen.query_one("#add-ids", TextArea).text = "bad/id 8abfa7b272adc5b40172b73130065ae7"
        await pilot.press("ctrl+s")
        assert "1 of 2 ids are not valid" in screen_text(app)
        screen.query_one("#add-ids", TextArea).text = ""
        follow.value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.results == [AddTaskRequest("kafka-eu", "inst-a", [], None, True)]


async def test_add_switching_provider_updates_fields_and_escape_cancels() -> None:
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open(AddTaskScreen(PROVIDERS))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AddTaskScreen)
        select = screen.query_one("#add-provider", Select)
        assert select.value == "acme"
        select.value = "gateway"
        await pilot.pause()
        assert not screen.query_one("#add-instance-row").has_class("-hidden")
        assert screen.query_one("#add-follow", Checkbox).has_class("-hidden")
        # A provider with a single known instance pre-fills it.
        assert screen.query_one("#add-instance", Input).value == "gw-1"
        screen.query_one("#add-ids", TextArea).text = "8abfa7b272adc5b40172b73130065ae7"
        assert screen.validate() == AddTaskRequest(
            "gateway", "gw-1", ["8abfa7b272adc5b40172b73130065ae7"], None, False
        )
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_add_without_providers_only_cancels() -> None:
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open(AddTaskScreen([]))
        await pilot.pause()
        assert "No providers are configured" in screen_text(app)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, AddTaskScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


# -- help -----------------------------------------------------------------------


async def test_help_lists_active_bindings_with_ids_and_closes() -> None:
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        app.set_keymap({"app.refresh": "f5"})
        app.set_focus(None)
        app.open(HelpScreen())
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        rows = {row.binding_id: row for row in screen.rows}
        assert {"app.quit", "app.filter", "app.refresh"} <= set(rows)
        assert rows["app.refresh"].keys == "f5"
        # The detail pane's keys are listed too (they work once it has focus).
        assert {"detail.toggle_raw", "detail.export", "detail.copy_id"} <= set(rows)
        assert "(when focused)" in rows["detail.export"].group
        text = screen_text(app)
        assert "detail.toggle_raw" in text and "app.filter" in text
        assert "state:failed" in text and "provider:name" in text
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_help_with_detail_focused_lists_its_keys_as_active() -> None:
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        app.query_one(DetailPane).focus_body()
        app.open(HelpScreen())
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        rows = {row.binding_id: row for row in screen.rows}
        assert rows["detail.export"].group == "Detail pane"
        assert rows["detail.export"].keys == "e"
        for key in ("escape",):
            await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_help_names_no_widgets_and_keeps_each_id_on_its_binding_s_line() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_focus(None)
        app.open(HelpScreen())
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        lines = screen_text(app).splitlines()
        assert not any("#detail" in line or "DetailPane" in line for line in lines), lines
        shown = [row for row in screen.rows if any(row.binding_id in line for line in lines)]
        assert shown
        for row in shown:
            mine = [line for line in lines if f" {row.binding_id}" in line]
            assert mine and f" {row.keys.split(' ')[0]} " in mine[0], (row, lines)


# -- confirm / prompt -----------------------------------------------------------


async def test_confirm_yes_no_escape_and_click() -> None:
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open(ConfirmScreen("Remove [b]3[/b] tasks?\x1b[2J", confirm_label="Remove"))
        await pilot.pause()
        text = screen_text(app)
        assert "Remove [b]3[/b] tasks?␛[2J" in text and "Remove" in text
        await pilot.press("enter")  # the confirm button has focus
        app.open(ConfirmScreen("Again?"))
        await pilot.press("n")
        app.open(ConfirmScreen("Again?"))
        await pilot.press("escape")
        app.open(ConfirmScreen("Again?"))
        await pilot.press("y")
        app.open(ConfirmScreen("Again?"))
        await pilot.pause()
        await pilot.click("#confirm-cancel")
        await pilot.pause()
        assert app.results == [True, False, False, True, False]


async def test_prompt_returns_text_or_none() -> None:
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open(PromptScreen("Rename list", value="Nightly", placeholder="name"))
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.value == "Nightly"
        await pilot.press("backspace", *"ies", "enter")
        app.open(PromptScreen("New list"))
        await pilot.press(*"x", "escape")
        app.open(PromptScreen("Path", value="/tmp/a.json"))
        await pilot.pause()
        await pilot.click("#prompt-ok")
        await pilot.pause()
        assert app.results == ["Nightlies", None, "/tmp/a.json"]


# -- debug ----------------------------------------------------------------------


async def test_debug_redacts_and_cleans() -> None:
    secret = "s3cr3t-token-value-XYZ"
    register_secret(secret)
    info = {
        "python": "3.11.7",
        "textual": "8.2.8",
        "config paths": {"config": "/home/u/.config/taskdeck", "state": "/home/u/.local/state/taskdeck"},
        "provider health": {"acme": "ok", "gw": f"auth failed: token {secret} rejected"},
        "recent errors": [
            f"HTTP 401 Authorization: Bearer {secret}",
            "title \x1b]2;PWNED\x07 [@click=app.quit]x[/]",
        ],
    }
    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        app.open(DebugScreen(info))
        await pilot.pause()
        text = screen_text(app)
        svg = app.export_screenshot()
        assert secret not in text and secret not in svg
        assert "3.11.7" in text and "8.2.8" in text and "/home/u/.config/taskdeck" in text
        assert "provider health" in text and "recent errors" in text
        assert "␛]2;PWNED␇ [@click=app.quit]x[/]" in text
        assert "\x1b" not in svg
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_the_key_bar_is_rebuilt_only_when_its_keys_change() -> None:
    """Textual's Footer rebuilt every key (and laid the screen out two or three times) on every
    bindings refresh; the key bar compares the keys it would show first."""
    from tests.helpers.deck import deck_config, smint_profile
    from tui.app import TaskdeckApp
    from tui.core.model import TaskRef
    from tui.widgets.footer import KeyBar

    app = TaskdeckApp(deck_config([smint_profile("acme", "http://127.0.0.1:9")], {"A": [TaskRef("acme", "t1")]}),
                      start_engine=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        rebuilds: list[int] = []
        original = bar.recompose

        async def counted() -> None:
            rebuilds.append(1)
            await original()

        bar.recompose = counted  # type: ignore[method-assign]
        before = [k.description for k in bar.query("FooterKey")]
        for _ in range(3):
            app.screen.refresh_bindings()  # nothing changed
            await pilot.pause()
        assert rebuilds == [] and [k.description for k in bar.query("FooterKey")] == before
        await pilot.press("slash")  # the filter box has the focus: other keys
        await pilot.pause()
        await pilot.pause()
        assert len(rebuilds) == 1
