"""The setup form and the instance picker, driven with Pilot against the simulator over real HTTP: the form
writes providers.toml through the same code as `taskdeck provider add` (project looked up in IAM), refuses
bad answers with the message, and the add dialog lists instances by name, filterable, off the UI thread."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path
from typing import Any

import pytest
from test_screens import Host, screen_text, wait_for  # noqa: E402
from textual.widgets import Checkbox, Input, OptionList, Select, TextArea

from tui.core.profile_builder import ProfileAnswers
from tui.core.providers_config import load_providers
from tui.providers.probe import list_instances
from tui.providers.profile_setup import set_up_profile
from tui.screens.add_task import AddTaskRequest, AddTaskScreen, ProviderChoice
from tui.screens.provider_setup import ProviderSetupScreen
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess


@pytest.fixture
def sdk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", cred.ACCESS_KEY)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", cred.SECRET_KEY)


def runner(path: Path) -> Any:
    def run(answers: ProfileAnswers) -> Any:
        existing, _ = load_providers(path)
        return asyncio.run(set_up_profile(path, answers, existing))

    return run


async def fill(pilot: Any, screen: ProviderSetupScreen, **values: str) -> None:
    for field, value in values.items():
        screen.query_one(f"#setup-{field.replace('_', '-')}", Input).value = value
    await pilot.pause()


async def test_setup_form_writes_the_profile_with_the_project_from_iam(
        sim_reset: SimulatorProcess, tmp_path: Path, sdk_env: None) -> None:
    path = tmp_path / "providers.toml"
    app = Host()
    async with app.run_test(size=(120, 50)) as pilot:
        screen = ProviderSetupScreen(runner(path), credentials="sdk")
        app.open(screen)
        await pilot.pause()
        await fill(pilot, screen, name="kafka", region=cred.REGION, base_url=sim_reset.base_url,
                   iam_url=sim_reset.base_url)
        screen.action_submit()
        await wait_for(pilot, lambda: bool(app.results), timeout=20)
    result = app.results[0]
    assert result.config.project_id == cred.PROJECT_ID
    saved = tomllib.loads(path.read_text())["providers"]["kafka"]
    assert saved["auth"] == {"type": "aksk"} and saved["project_id"] == cred.PROJECT_ID


async def test_setup_form_shows_what_is_wrong_and_stays_open(sim_reset: SimulatorProcess, tmp_path: Path,
                                                           sdk_env: None) -> None:
    path = tmp_path / "providers.toml"
    app = Host()
    async with app.run_test(size=(120, 50)) as pilot:
        screen = ProviderSetupScreen(runner(path))
        app.open(screen)
        await pilot.pause()
        screen.action_submit()
        await pilot.pause()
        assert "Give the profile a name." in screen_text(app)
        await fill(pilot, screen, name="kafka", region="nowhere-1", base_url=sim_reset.base_url,
                   iam_url=sim_reset.base_url)
        screen.action_submit()
        await wait_for(pilot, lambda: "no project named 'nowhere-1'" in screen_text(app), timeout=20)
        assert not app.results and not path.exists()
        # Smint: the login choice shows its fields and the next step.
        screen.query_one("#setup-kind", Select).value = "smint"
        await pilot.pause()
        assert "taskdeck login NAME" in screen_text(app) and screen.credentials == "oidc"
        assert not screen.query_one("#setup-issuer", Input).parent.has_class("-hidden")  # type: ignore[union-attr]


async def test_add_dialog_lists_instances_by_name_and_filters(sim_reset: SimulatorProcess, tmp_path: Path,
                                                             sdk_env: None) -> None:
    path = tmp_path / "providers.toml"
    existing, _ = load_providers(path)
    await set_up_profile(path, ProfileAnswers("kafka", "huawei-dms", region=cred.REGION, base_url=sim_reset.base_url,
                                              iam_url=sim_reset.base_url), existing)
    providers, _ = load_providers(path)
    config = providers.providers["kafka"]
    calls: list[str] = []

    def lister(name: str) -> Any:
        calls.append(name)
        return asyncio.run(list_instances(config))

    app = Host()
    async with app.run_test(size=(120, 50)) as pilot:
        screen = AddTaskScreen([ProviderChoice("kafka", "huawei-dms", True)], list_instances=lister)
        app.open(screen)
        await pilot.pause()
        options = screen.query_one("#add-instances", OptionList)
        await wait_for(pilot, lambda: options.option_count == 3, timeout=20)
        assert "3 of 3 instances" in screen_text(app) and "rabbitmq-billing" in screen_text(app)
        field = screen.query_one("#add-instance", Input)
        field.focus()
        await pilot.press(*"orders")
        await wait_for(pilot, lambda: options.option_count == 1)
        await pilot.press("enter", "enter")  # into the list, pick the one left
        await pilot.pause()
        kafka_orders = next(i for i in sim_reset.scenario_info()["instances"] if i["name"] == "kafka-orders")["id"]
        assert field.value == kafka_orders
        screen.query_one("#add-follow", Checkbox).value = True
        screen.action_submit()
        await wait_for(pilot, lambda: bool(app.results))
    assert app.results == [AddTaskRequest("kafka", kafka_orders, [], None, True)]
    assert calls == ["kafka"]


async def test_add_dialog_says_when_instances_cannot_be_listed(sim_reset: SimulatorProcess) -> None:
    def lister(name: str) -> Any:
        raise RuntimeError("credentials refused: HTTP 401 APIG.0301")

    app = Host()
    async with app.run_test(size=(120, 50)) as pilot:
        screen = AddTaskScreen([ProviderChoice("gw", "huawei-apig", True)], list_instances=lister)
        app.open(screen)
        await wait_for(pilot, lambda: "Could not list the instances" in screen_text(app))
        screen.query_one("#add-instance", Input).value = "f" * 32  # pasting an id still works
        screen.query_one("#add-ids", TextArea).text = "a" * 32
        screen.action_submit()
        await wait_for(pilot, lambda: bool(app.results))
    assert app.results[0].instance == "f" * 32
