"""A machine whose clock is off the server's: the provider's health says so, an APIG.0303 error carries
the hint, in `status --json` (`error.hint`) and in the dashboard's sidebar. The simulator runs with a
skewed clock (its Date header and its AK/SK signature check both use it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from email.utils import formatdate
from pathlib import Path

import pytest
from helpers.deck import deck_config, huawei_profile, run_app, sidebar_text, wait_until, write_config_dir

from tui.core.config import ProviderConfig
from tui.core.model import TaskRef
from tui.providers.base import Provider
from tui.providers.clock import expired_signature_hint, skew_from_date, skew_hint
from tui.providers.errors import ProviderError
from tui.providers.registry import create_provider
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

INSTANCE = "d" * 32
AKSK = {"type": "aksk", "access_key": cred.ACCESS_KEY, "secret_key": cred.SECRET_KEY}
BEHIND_17 = "your clock is 17 min behind the server's; AK/SK signatures fail past 15 min"
# 17 min and 20 s: far from the rounding boundary whatever the latency and the Date header's 1 s steps.
SKEW_17 = 17 * 60 + 20


def test_skew_from_the_date_header() -> None:
    assert skew_from_date(formatdate(1_000_000 + 600, usegmt=True), 1_000_000) == 600
    assert skew_from_date("not a date", 1_000_000) is None
    assert skew_from_date(None, 1_000_000) is None


def test_skew_hint_wording() -> None:
    assert skew_hint(SKEW_17) == BEHIND_17
    assert skew_hint(-8 * 60) == "your clock is 8 min ahead of the server's; AK/SK signatures fail past 15 min"
    assert skew_hint(3 * 3600) == "your clock is 3 h behind the server's; AK/SK signatures fail past 15 min"
    assert skew_hint(4 * 60) is None and skew_hint(None) is None
    # Without a measured skew, an expired signature still says what to check.
    assert "clock" in expired_signature_hint(None) and "15 min" in expired_signature_hint(None)


@pytest.fixture
async def make() -> AsyncIterator[Callable[[ProviderConfig], Provider]]:
    made: list[Provider] = []

    def build(config: ProviderConfig) -> Provider:
        made.append(create_provider(config, env={}))
        return made[-1]

    yield build
    for provider in made:
        await provider.aclose()


def dms_task(sim: SimulatorProcess) -> str:
    return sim.create_tasks("dms", instance=INSTANCE, engine="kafka", outcome="never")[0]["id"]


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_expired_signature_carries_the_clock_hint(make, transport: str, sim_reset: SimulatorProcess) -> None:
    task = dms_task(sim_reset)
    provider = make(huawei_profile("kafka", "huawei-dms", sim_reset.base_url, auth=AKSK, transport=transport))
    assert (await provider.fetch(TaskRef("kafka", task, instance=INSTANCE))).error is None
    assert provider.health_hint is None  # the clocks agree

    sim_reset.set_clock_skew(SKEW_17)
    with pytest.raises(ProviderError) as caught:
        await provider.fetch(TaskRef("kafka", task, instance=INSTANCE))
    assert caught.value.code == "APIG.0303" and caught.value.auth
    assert caught.value.to_task_error().hint == BEHIND_17
    assert provider.health_hint == BEHIND_17


async def test_a_skew_below_the_limit_is_reported_while_requests_succeed(make, sim_reset: SimulatorProcess) -> None:
    task = dms_task(sim_reset)
    sim_reset.set_clock_skew(-(8 * 60 + 20))
    provider = make(huawei_profile("kafka", "huawei-dms", sim_reset.base_url, auth=AKSK))
    assert (await provider.fetch(TaskRef("kafka", task, instance=INSTANCE))).error is None
    assert provider.health_hint == "your clock is 8 min ahead of the server's; AK/SK signatures fail past 15 min"


def test_status_json_shows_error_hint(tmp_path: Path, sim_reset: SimulatorProcess) -> None:
    task = dms_task(sim_reset)
    sim_reset.set_clock_skew(SKEW_17)
    paths = write_config_dir(tmp_path, [huawei_profile("kafka", "huawei-dms", sim_reset.base_url, auth=AKSK)], {})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKDECK_", "XDG_"))}
    env.update(TASKDECK_CONFIG_DIR=str(paths.config_dir), TASKDECK_STATE_DIR=str(paths.state_dir))
    result = subprocess.run([sys.executable, "-m", "tui", "status", "kafka", "--instance", INSTANCE, task, "--json"],
                            env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 3, result.stderr
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "APIG.0303" and error["status"] == 401
    assert error["hint"] == BEHIND_17


async def test_sidebar_shows_the_clock_hint(sim_reset: SimulatorProcess) -> None:
    from tui.app import TaskdeckApp

    task = dms_task(sim_reset)
    sim_reset.set_clock_skew(SKEW_17)
    profile = huawei_profile("kafka", "huawei-dms", sim_reset.base_url, auth=AKSK, interval=1)
    app = TaskdeckApp(deck_config([profile], {"All": [TaskRef("kafka", task, instance=INSTANCE)]}))
    async with run_app(app) as pilot:
        # The sidebar wraps the health text over its lines; what they say, joined again:
        await wait_until(pilot, lambda: BEHIND_17 in " ".join(sidebar_text(app).splitlines()),
                         what="the clock hint in the sidebar",
                         show=lambda: sidebar_text(app))
        # Once the clock is right again, the hint goes away by itself.
        sim_reset.set_clock_skew(0)
        await wait_until(pilot, lambda: "your clock" not in sidebar_text(app), timeout=20,
                         what="the hint to go", show=lambda: sidebar_text(app))
