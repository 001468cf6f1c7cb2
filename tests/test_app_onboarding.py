"""First run in the dashboard, with Pilot against the simulator: an empty config shows the welcome panel;
the setup form (opened from it, preset to the Huawei SDK's credentials) writes the profile; the add dialog
lists the instances by name; following one fills the table live — no file edited by hand."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, OptionList

from tui.app import TaskdeckApp
from tui.core.config import load_config
from tui.core.paths import resolve_paths
from tui.screens.add_task import AddTaskScreen
from tui.screens.provider_setup import ProviderSetupScreen
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess
from tui.widgets.welcome import WelcomePanel

SIZE = (160, 50)


async def wait_for(pilot: Pilot, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


@pytest.fixture
def empty_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", cred.ACCESS_KEY)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", cred.SECRET_KEY)
    return tmp_path / "config"


async def test_welcome_setup_form_and_picked_instance_lead_to_a_live_table(
        sim_reset: SimulatorProcess, empty_config: Path) -> None:
    sim = sim_reset
    kafka_orders = next(i["id"] for i in sim.scenario_info()["instances"] if i["name"] == "kafka-orders")
    sim.create_tasks("dms", instance=kafka_orders, engine="kafka", name="firstRunCheck", wait=0, run=2,
                     outcome="succeed")
    app = TaskdeckApp(load_config(resolve_paths()))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        welcome = app.dashboard.query_one("#welcome", WelcomePanel)
        assert welcome.display and not app.dashboard.query_one("#panes").display
        sdk = welcome.query_one("#welcome-sdk", Button)
        await wait_for(pilot, lambda: not sdk.has_class("-hidden"))  # HUAWEICLOUD_SDK_AK was found
        await pilot.pause()
        await pilot.click("#welcome-sdk")
        await wait_for(pilot, lambda: isinstance(app.screen, ProviderSetupScreen))
        form = app.screen
        assert isinstance(form, ProviderSetupScreen) and form.credentials == "sdk"
        for field, value in (("name", "kafka"), ("region", cred.REGION), ("base-url", sim.base_url),
                             ("iam-url", sim.base_url)):
            form.query_one(f"#setup-{field}", Input).value = value
        await pilot.click("#setup-save")
        await wait_for(pilot, lambda: not isinstance(app.screen, ProviderSetupScreen))
        assert not welcome.display and app.dashboard.query_one("#panes").display
        saved = tomllib.loads((empty_config / "providers.toml").read_text())["providers"]["kafka"]
        assert saved["project_id"] == cred.PROJECT_ID and saved["auth"] == {"type": "aksk"}

        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddTaskScreen))
        dialog = app.screen
        options = dialog.query_one("#add-instances", OptionList)
        await wait_for(pilot, lambda: options.option_count == 3)
        dialog.query_one("#add-instance", Input).focus()
        await pilot.press(*"orders")
        await wait_for(pilot, lambda: options.option_count == 1)
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: dialog.query_one("#add-instance", Input).value == kafka_orders)
        assert dialog.focused is dialog.query_one("#add-follow", Checkbox)  # picking moved on to "follow"
        await pilot.press("space", "ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, AddTaskScreen))
        # The followed instance's tasks arrive from the new engine, and the new one finishes live.
        await wait_for(pilot, lambda: any(s.title == "firstRunCheck" and s.state.value == "succeeded"
                                          for s in app.board.snapshots.values()), timeout=30)
        assert ("kafka", kafka_orders) in set(app.board.follows())
        # F12 says where the new profile's credentials come from (never their value).
        await wait_for(pilot, lambda: "kafka" in app.credential_sources)
        shown = app.debug_info()["Credentials"]["kafka"]
        assert "Huawei SDK: environment (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK)" in shown
        assert cred.SECRET_KEY not in shown and cred.ACCESS_KEY not in shown


async def test_add_with_no_profile_opens_the_setup_form_and_demo_writes_nothing(
        sim_reset: SimulatorProcess, empty_config: Path) -> None:
    app = TaskdeckApp(load_config(resolve_paths()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ProviderSetupScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ProviderSetupScreen))
        assert app.dashboard.query_one("#welcome", WelcomePanel).display
    assert not (empty_config / "providers.toml").exists()


async def test_a_broken_providers_file_is_not_taken_for_an_empty_one(empty_config: Path) -> None:
    empty_config.mkdir(parents=True)
    (empty_config / "providers.toml").write_text("[providers.kafka\n")
    app = TaskdeckApp(load_config(resolve_paths()), start_engine=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.dashboard.query_one("#welcome", WelcomePanel).display
        assert app.dashboard.query_one("#panes").display


async def test_a_refused_login_says_log_in_again_in_the_sidebar(sim_reset: SimulatorProcess,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKDECK_ENGINE", "thread")  # the in-memory keyring lives in this process
    import httpx
    import keyring
    from helpers.login import MemoryKeyring

    from tui.core.config import Config, ProviderConfig, WatchList
    from tui.core.model import TaskRef
    from tui.deck.health import health_text
    from tui.providers.keyring_store import store_refresh_token

    sim = sim_reset
    task = sim.create_tasks("smint", outcome="never")[0]["id"]
    profile = ProviderConfig(name="acme", kind="smint", base_url=f"{sim.base_url}/frontend/v1", interval=1,
                             auth={"type": "oidc", "issuer": sim.base_url, "client_id": cred.SMINT_CLIENT_ID})
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        store_refresh_token("acme", "sim-rt-never-issued")  # the identity server does not know it: refused
        app = TaskdeckApp(Config.in_memory([profile], [WatchList(name="Main", tasks=[TaskRef("acme", task)])]))
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: "log in again: taskdeck login acme" in health_text(
                app.board.health.get("acme")))
            await pilot.pause(0.3)
            shown = "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())
            assert "log in again" in shown  # first on the provider's health line, before the narrow cut
        assert httpx.URL(sim.base_url).host  # the simulator was the identity server
    finally:
        keyring.set_keyring(previous)
