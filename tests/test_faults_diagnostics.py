"""Diagnostics after failures: the --log-file debug log says what happened (and nothing secret),
and F12 / the palette's "app: debug" show versions, config paths, provider health and recent
errors, secrets redacted."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import textual
from helpers.deck import (
    env_for,
    huawei_profile,
    run_app,
    screen_text,
    smint_profile,
    until,
    wait_until,
    write_config_dir,
)
from helpers.engine import run_poller
from textual.command import CommandPalette

from tui.app import TaskdeckApp
from tui.core.config import load_config
from tui.core.model import HealthStatus, TaskRef
from tui.core.paths import resolve_paths
from tui.demo import closed_port
from tui.logfile import setup_log_file
from tui.providers.base import loggable_url
from tui.providers.registry import create_provider
from tui.screens.debug import DebugScreen
from tui.simulator.process import SimulatorProcess

GATEWAY = "35bf992dc9e9c616612e7696a6cecc1b"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "debug.log"
    handler = setup_log_file(str(path))
    touched = ("taskdeck", "httpx", "httpcore", "aiohttp")
    try:
        yield path
    finally:
        for name in touched:
            logging.getLogger(name).removeHandler(handler)
            logging.getLogger(name).setLevel(logging.NOTSET)
        handler.close()


def test_loggable_url_hides_credentials_in_urls() -> None:
    url = "https://user:pw@api.example/v2/x?limit=5&access_token=abc&X-Sig=1&sessionId=9&offset=3"
    assert loggable_url(url) == "https://api.example/v2/x?limit=5&access_token=***&X-Sig=***&sessionId=***&offset=3"


async def test_log_file_records_requests_failures_and_health(sim_reset: SimulatorProcess, log_file: Path) -> None:
    sim = sim_reset
    token = "tok-" + secrets.token_hex(12)
    ids = [t["id"] for t in sim.create_tasks("apig", count=3, instance=GATEWAY, outcome="never")]
    sim.add_fault("status", task_id=ids[0], status=500, body="html")
    sim.add_fault("status", task_id=ids[1], status=429, retry_after=1, count=1)
    gw = create_provider(huawei_profile("gw", "huawei-apig", sim.base_url, interval=1.0))
    dead = create_provider(smint_profile("dead", f"http://127.0.0.1:{closed_port()}", interval=1.0,
                                         auth={"type": "bearer", "token": token}))
    refs = [TaskRef("gw", i, instance=GATEWAY) for i in ids] + [TaskRef("dead", "x")]
    async with run_poller({"gw": gw, "dead": dead}, refs) as (_, rec):
        await until(lambda: rec.status("dead") is HealthStatus.UNREACHABLE)
        await until(lambda: len([s for s in rec.snapshots if s.ref.id == ids[2] and s.error is None]) >= 2)
        await until(lambda: any(s.ref.id == ids[0] and s.error for s in rec.snapshots)
                    and any(s.ref.id == ids[1] and s.error for s in rec.snapshots))
    text = log_file.read_text()
    assert re.search(rf"gw: GET {re.escape(sim.base_url)}/v2/\S+/async-tasks/{ids[2]} -> 200, \d+ bytes, \d+ ms", text)
    assert "HTTP 500 server error: 500 Internal Server Error" in text
    assert "the server asked to wait 1 s (Retry-After)" in text
    assert "dead: idle -> unreachable: connect" in text or "dead: idle -> unreachable: refused" in text
    assert "dead: GET http://127.0.0.1:" in text and "failed after" in text
    assert token not in text


async def test_debug_screen_from_f12_and_palette(sim_reset: SimulatorProcess, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    sim = sim_reset
    token = "tok-" + secrets.token_hex(16)
    monkeypatch.setenv("TD_DIAG_TOKEN", token)
    task = sim.create_tasks("smint", outcome="never")[0]["id"]
    paths = write_config_dir(tmp_path, [
        smint_profile("acme", sim.base_url, interval=30, auth={"type": "bearer", "token_env": "TD_DIAG_TOKEN"}),
        smint_profile("dead", f"http://127.0.0.1:{closed_port()}", interval=30),
    ], {"Main": [TaskRef("acme", task), TaskRef("dead", task)]})
    for key, value in env_for(paths).items():
        monkeypatch.setenv(key, value)
    config = load_config(resolve_paths())
    app = TaskdeckApp(config)
    try:
        async with run_app(app, size=(160, 50)) as pilot:
            await wait_until(pilot, lambda: {h.status for h in app.board.health.values()}
                             == {HealthStatus.AUTH_FAILED, HealthStatus.UNREACHABLE}, what="both providers down")
            app.engine.pause()
            for open_it in ("f12", "ctrl+p", "colon"):
                if open_it == "f12":
                    await pilot.press("f12")
                else:
                    await pilot.press(open_it)
                    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
                    await pilot.press(*"app: debug")
                    await pilot.pause(0.5)
                    await pilot.press("enter")
                await wait_until(pilot, lambda: isinstance(app.screen, DebugScreen), what=f"the debug screen ({open_it})",
                                 show=lambda: (app.screen, app.focused, screen_text(app)[-400:]))
                await pilot.pause()
                text = screen_text(app)
                assert f"textual  {textual.__version__}" in text.replace("   ", "  ") or textual.__version__ in text
                assert str(paths.providers) in text and str(paths.watchlists) in text
                assert re.search(r"acme\s+authentication failed since \d\d:\d\d:\d\d, retrying every 30 s", text)
                assert re.search(r"dead\s+unreachable since \d\d:\d\d:\d\d", text)
                assert "acme: HTTP 401" in text and "dead: " in text and "connection refused" in text
                assert token not in text and token not in str(app.debug_info())
                await pilot.press("escape")
                await wait_until(pilot, lambda: not isinstance(app.screen, DebugScreen))
    finally:
        config.close()
