"""Ids a URL would rewrite are refused everywhere, and an answer about another task is never shown as
the requested one (issue 11, problem 2: id "." was sent as GET …/tasks and showed the first task)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.config import ProviderConfig
from tui.core.model import TaskRef
from tui.core.problems import ERROR
from tui.core.providers_config import parse_providers
from tui.core.taskids import HUAWEI_APIG, HUAWEI_DMS, SMINT, check_instance, check_task_id, is_url_safe
from tui.core.watchlists import parse_watchlists
from tui.providers.errors import ProviderError
from tui.providers.registry import create_provider
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

UNSAFE = [".", "..", "a/b", "a?b", "a#b", "a%2Fb", "50%", "a b", " a", "a\tb", "a\x00b", "a\x7fb", "a\u2028b"]
HEX = "8abfa7b272adc5b40172b73130065ae7"


@pytest.mark.parametrize("value", UNSAFE)
def test_ids_a_url_would_change_are_refused(value: str) -> None:
    assert not is_url_safe(value)
    for kind in (SMINT, HUAWEI_DMS, HUAWEI_APIG):
        assert check_task_id(kind, value) is not None
    assert check_instance(HUAWEI_DMS, value) is not None


def test_dot_ids_say_why() -> None:
    assert "path step" in (check_task_id(HUAWEI_DMS, ".") or "")
    assert "path step" in (check_task_id(HUAWEI_APIG, "..") or "")
    assert check_task_id(HUAWEI_DMS, "...") is None and check_task_id(HUAWEI_DMS, "a.b") is None
    assert is_url_safe(HEX) and is_url_safe("cd613e30-d8f1-4adf-91b7-584a2265b1f5")


@pytest.mark.parametrize("task_id", [".", "..", "a/b", "a%20b"])
def test_add_refuses_them_with_exit_2(task_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "providers.toml").write_text(
        '[providers.k]\nkind = "huawei-dms"\nbase_url = "https://dms.example"\nproject_id = "p"\n')
    assert main(["add", "k", "--instance", "i1", task_id]) == 2
    assert "nothing was added" in capsys.readouterr().err
    assert not (tmp_path / "watchlists.toml").exists()


PROVIDERS, _ = parse_providers('[providers.k]\nkind = "huawei-dms"\nbase_url = "https://dms.example"\n'
                               'project_id = "p"\n')


def test_watch_list_entry_becomes_a_problem_while_the_others_load() -> None:
    text = f"""\
[[watchlist]]
name = "N"

[[watchlist.task]]
provider = "k"
instance = "i1"
id = "{HEX}"

[[watchlist.task]]
provider = "k"
instance = "i1"
id = ".."

[[watchlist.task]]
provider = "k"
instance = "a/b"
id = "{HEX}"

[[watchlist.instance]]
provider = "k"
instance = "."

[[watchlist.instance]]
provider = "k"
instance = "i2"
"""
    doc, problems = parse_watchlists(text, Path("watchlists.toml"), PROVIDERS)
    [watchlist] = doc.lists
    assert [t.id for t in watchlist.tasks] == [HEX]
    assert [i.instance for i in watchlist.instances] == ["i2"]
    errors = {p.key: p for p in problems if p.severity == ERROR}
    assert errors["watchlist[0].task[1].id"].line == 12
    assert errors["watchlist[0].task[2].instance"].line == 16
    assert errors["watchlist[0].instance[0].instance"].line == 21
    shown = str(errors["watchlist[0].task[1].id"])
    assert shown.startswith("watchlists.toml:12:") and "path step" in shown and "not loaded" in shown


def _dms(sim: SimulatorProcess) -> ProviderConfig:
    return ProviderConfig(name="k", kind="huawei-dms", base_url=sim.base_url, project_id=cred.PROJECT_ID,
                          auth={"type": "token", "token": cred.HW_TOKEN})


async def _fetch(sim: SimulatorProcess, ref: TaskRef) -> ProviderError:
    provider = create_provider(_dms(sim))
    try:
        with pytest.raises(ProviderError) as caught:
            await provider.fetch(ref)
        return caught.value
    finally:
        await provider.aclose()


def test_unsafe_ids_are_never_sent(sim_reset: SimulatorProcess) -> None:
    instance = next(i["id"] for i in sim_reset.scenario_info()["instances"] if i.get("engine") == "kafka")
    sim_reset.clear_log()
    for task_id in (".", "..", "a/b"):
        error = asyncio.run(_fetch(sim_reset, TaskRef("k", task_id, instance)))
        assert error.code == "bad-id"
    assert sim_reset.requests() == []


def test_an_answer_about_another_task_is_an_error(sim_reset: SimulatorProcess) -> None:
    info = sim_reset.scenario_info()
    instance = next(i["id"] for i in info["instances"] if i.get("engine") == "kafka")
    other = next(t["id"] for t in info["tasks"] if t.get("instance") == instance)
    wanted = "0123456789abcdef0123456789abcdef"
    body = {"task_count": "1", "tasks": [{"id": other, "name": "bindInstancePublicIp", "status": "SUCCESS",
                                          "params": "{}", "created_at": "", "updated_at": ""}]}
    sim_reset.add_fault("raw", task_id=wanted, status=200, raw_body=json.dumps(body), count=1)
    error = asyncio.run(_fetch(sim_reset, TaskRef("k", wanted, instance)))
    assert error.code == "other-task" and "the server answered for another task" in error.message
    assert error.request_id  # the simulator names every response; support needs it most here


async def test_add_form_says_why_a_dot_id_is_refused() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Input, Static, TextArea

    from tui.screens.add_task import AddTaskScreen, ProviderChoice

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("host")

    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        screen = AddTaskScreen([ProviderChoice("kafka-eu", "huawei-dms", True, ["inst-a"])], provider="kafka-eu")
        app.push_screen(screen)
        await pilot.pause()
        screen.query_one("#add-instance", Input).value = ".."
        assert "path step" in str(screen.validate())
        screen.query_one("#add-instance", Input).value = "inst-a"
        screen.query_one("#add-ids", TextArea).text = f". {HEX}"
        problem = str(screen.validate())
        assert "1 of 2 ids are not valid" in problem and "'.' is a path step" in problem
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen  # not added
