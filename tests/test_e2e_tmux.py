"""End to end: `taskdeck --demo` in a real terminal (tmux, 160x50), driven with keys like a person."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    def __init__(self, socket: str, session: str) -> None:
        self.base = ["tmux", "-L", socket]
        self.session = session

    def run(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], check=True, capture_output=True, text=True, timeout=10).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)

    def wait(self, predicate: Callable[[str], bool], timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"screen never matched; last screen:\n{text}")
            time.sleep(0.1)

    def alive(self) -> bool:
        return subprocess.run([*self.base, "has-session", "-t", self.session], capture_output=True).returncode == 0


@pytest.fixture
def demo_in_tmux(tmp_path: Path) -> Iterator[tuple[Tmux, Path]]:
    config_dir = tmp_path / "config"
    state_dir = tmp_path / "state"
    tmux = Tmux(f"taskdeck-test-{uuid.uuid4().hex[:8]}", "demo")
    env = {"TASKDECK_CONFIG_DIR": str(config_dir), "TASKDECK_STATE_DIR": str(state_dir),
           "COLORTERM": "truecolor", "LANG": "C.UTF-8"}
    command = " ".join([f"{k}={v}" for k, v in env.items()] +
                       # COLUMNS/LINES from pytest would override the pane's real size (160x50).
                       [f"TERM=tmux-256color exec env -u COLUMNS -u LINES {sys.executable} -m tui --demo"])
    tmux.run("-f", "/dev/null", "new-session", "-d", "-s", "demo", "-x", "160", "-y", "50",
             "-c", os.getcwd(), command)
    tmux.run("set-option", "-t", "demo", "remain-on-exit", "on")
    try:
        yield tmux, tmp_path
    finally:
        subprocess.run([*tmux.base, "kill-server"], capture_output=True)


def test_demo_in_a_real_terminal(demo_in_tmux: tuple[Tmux, Path]) -> None:
    tmux, tmp = demo_in_tmux
    screen = tmux.wait(lambda s: "Demo" in s and "running" in s and "succeeded" in s)
    assert "Providers" in screen and "Watch lists" in screen
    assert "acme" in screen and "gateway" in screen and "dms-eu" in screen
    # The unreachable provider says so in the sidebar.
    tmux.wait(lambda s: "unreachable since" in s)

    # Move down with keys; the detail pane follows the cursor.
    tmux.keys("j", "j", "j")
    tmux.wait(lambda s: "Result" in s or "(no result yet)" in s)

    # Filter by state, then clear it: once a task has failed (the header counts it).
    tmux.wait(lambda s: "failed" in (s.splitlines() or [""])[0])
    tmux.keys("/")
    tmux.wait(lambda s: "filter: text" in s)  # the input is open and focused (its placeholder shows)
    tmux.keys("state:failed", literal=True)
    # Only failed rows stay (a succeeded row would show "✔ succeeded" in the state column).
    filtered = tmux.wait(lambda s: "filter: text" not in s and "state:failed" in s and "✔ succeeded  " not in s)
    assert "✖ failed" in filtered
    tmux.keys("Escape")
    tmux.wait(lambda s: "succeeded" in s and "state:failed" not in s)

    # Help, then quit with q.
    tmux.keys("?")
    tmux.wait(lambda s: "escape closes" in s and "table.cursor_up" in s)
    tmux.keys("Escape")
    # Wait for the help screen to close: an Escape followed at once by q would arrive as alt+q.
    tmux.wait(lambda s: "escape closes" not in s)
    tmux.keys("q")
    deadline = time.monotonic() + 30
    pressed_at = time.monotonic()
    while "Pane is dead" not in tmux.screen() and tmux.alive():
        assert time.monotonic() < deadline, "taskdeck did not quit on q"
        if time.monotonic() - pressed_at > 8 and "Providers" in tmux.screen():
            tmux.keys("q")  # a key sent while the screen was switching can be missed; press again
            pressed_at = time.monotonic()
        time.sleep(0.1)
    # --demo writes nothing to the user's config, nor to the state dir (its history store is in memory).
    assert not (tmp / "config").exists() or not any((tmp / "config").iterdir())
    assert not (tmp / "state").exists() or not any((tmp / "state").iterdir())
