"""End to end in a real terminal: from an empty config directory to a live dashboard following a DMS instance,
using only shell commands a new user would type — `provider add` (region, project looked up in IAM, the
Huawei SDK's credentials from the environment), `provider test`, `instances` (to pick the instance by name)
and `add --follow` — then `taskdeck` itself. No file is written by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.tmux import Tmux, have_tmux, taskdeck_command

from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")


def run_step(term: Tmux, step: int, command: str, timeout: float = 30.0) -> str:
    """Type a command at the shell prompt and return the screen once it finished (its exit status shown)."""
    term.send("clear", "Enter")
    term.wait_for(lambda s: f"STEP{step - 1} " not in s if step > 1 else True)
    term.send(f"{command}; echo STEP{step} rc=$?", literal=True)
    term.send("Enter")
    return term.wait_for(re.compile(rf"STEP{step} rc=\d+"), timeout=timeout)


def test_shell_to_live_dashboard(sim_reset: SimulatorProcess, tmp_path: Path) -> None:
    sim = sim_reset
    config, state = tmp_path / "config", tmp_path / "state"
    taskdeck = " ".join(taskdeck_command())
    env = {"TASKDECK_CONFIG_DIR": str(config), "TASKDECK_STATE_DIR": str(state), "HOME": str(tmp_path),
           "HUAWEICLOUD_SDK_AK": cred.ACCESS_KEY, "HUAWEICLOUD_SDK_SK": cred.SECRET_KEY, "PS1": "$ ",
           "TERM": "tmux-256color"}
    with Tmux(width=200, height=45) as term:
        term.start(["sh"], env=env, cwd=tmp_path)
        term.wait_for("$")

        screen = run_step(term, 1, f"{taskdeck} provider add kafka --kind huawei-dms --region {cred.REGION} "
                                   f"--base-url {sim.base_url} --iam-url {sim.base_url}")
        assert "STEP1 rc=0" in screen and f"project id {cred.PROJECT_ID} found in IAM" in screen

        screen = run_step(term, 2, f"{taskdeck} provider test kafka")
        assert "STEP2 rc=0" in screen and "reachable, credentials accepted" in screen

        screen = run_step(term, 3, f"{taskdeck} instances kafka")
        assert "STEP3 rc=0" in screen
        # Pick the instance by its name, as a person reads the listing.
        row = next(line for line in screen.splitlines() if "kafka-orders" in line and "RUNNING" in line)
        instance = row.split()[0]
        # A task that starts on that instance now and finishes a few seconds later.
        task = sim.create_tasks("dms", instance=instance, engine="kafka", name="onboardingCheck", wait=1, run=4,
                                outcome="succeed")[0]["id"]

        screen = run_step(term, 4, f"{taskdeck} add kafka --instance {instance} --follow")
        assert "STEP4 rc=0" in screen and "now follows every task of instance" in screen

        term.send("clear", "Enter")
        term.send(f"{taskdeck}; echo STEP5 rc=$?", literal=True)
        term.send("Enter")
        term.wait_for(lambda s: "Providers" in s and "onboardingCheck" in s, timeout=30)
        # Live: the followed instance's new task is seen to finish without any key pressed.
        term.wait_for(re.compile(r"onboardingCheck.*succeeded|succeeded.*onboardingCheck"), timeout=40)
        term.press_until("q", re.compile(r"STEP5 rc=0"), timeout=30, retry_after=8)

    assert task
    assert not list(tmp_path.glob("*.toml"))  # nothing written outside the config and state directories
    assert (config / "providers.toml").exists() and (config / "watchlists.toml").exists()


def press_then_wait(term: Tmux, key: str, shown: str) -> None:
    """Press a key and wait for its effect: a key that arrives in the same read as text typed right before or
    after it can be lost, as it would not be for a person typing."""
    term.send(key)
    term.wait_for(shown)


def type_then_wait(term: Tmux, text: str) -> None:
    term.send(text, literal=True)
    term.wait_for(text)


def test_welcome_panel_and_form_to_live_dashboard(sim_reset: SimulatorProcess, tmp_path: Path) -> None:
    """The same journey without a shell command: an empty config directory, the welcome panel, the setup
    form (preset to the Huawei SDK's credentials), the add dialog's instance list, a live row."""
    sim = sim_reset
    config = tmp_path / "config"
    kafka_orders = next(i["id"] for i in sim.scenario_info()["instances"] if i["name"] == "kafka-orders")
    sim.create_tasks("dms", instance=kafka_orders, engine="kafka", name="welcomeCheck", wait=2, run=4,
                     outcome="succeed")
    env = {"TASKDECK_CONFIG_DIR": str(config), "TASKDECK_STATE_DIR": str(tmp_path / "state"), "HOME": str(tmp_path),
           "HUAWEICLOUD_SDK_AK": cred.ACCESS_KEY, "HUAWEICLOUD_SDK_SK": cred.SECRET_KEY}
    with Tmux(width=160, height=50) as term:
        term.start(taskdeck_command(), env=env, cwd=tmp_path)
        term.wait_for(lambda s: "Welcome to taskdeck" in s and "Use your Huawei SDK credentials" in s)
        term.send("Right")  # from "Add a provider" to "Use your Huawei SDK credentials"
        term.send("Enter")
        term.wait_for("Name: how watch lists")
        type_then_wait(term, "kafka")
        press_then_wait(term, "Tab", "Kind: which API")  # DMS is preset
        press_then_wait(term, "Tab", "Region: e.g. eu-west-101")
        type_then_wait(term, cred.REGION)
        press_then_wait(term, "Tab", "Base URL: only to override")
        type_then_wait(term, sim.base_url)  # the simulator stands in for the region's endpoints
        press_then_wait(term, "Tab", "IAM URL: only to override")
        term.send(sim.base_url, literal=True)
        term.wait_for(lambda s: s.count(sim.base_url) == 2)
        term.send("C-s")
        term.wait_for(lambda s: "Welcome to taskdeck" not in s and "Provider kafka added" in s, timeout=30)
        assert cred.PROJECT_ID in (config / "providers.toml").read_text()

        term.press_until("a", "Add tasks")
        term.wait_for("3 of 3 instances", timeout=30)
        term.send("orders", literal=True)
        term.wait_for("1 of 3 instances")
        press_then_wait(term, "Enter", "enter picks it")  # into the list
        term.send("Enter")  # pick it
        term.wait_for("Instance: kafka-orders")
        press_then_wait(term, "Space", "Following kafka-orders")
        term.send("C-s")
        term.wait_for(lambda s: "Add tasks" not in s and "welcomeCheck" in s, timeout=30)
        term.wait_for(re.compile(r"welcomeCheck.*succeeded|succeeded.*welcomeCheck"), timeout=40)
        term.press_until("q", lambda s: term.dead(), timeout=30, retry_after=8)
    assert (config / "watchlists.toml").exists()
