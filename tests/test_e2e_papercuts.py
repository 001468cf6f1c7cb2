"""End to end at 120x40: `taskdeck --demo` in tmux, checked as a newcomer walked it (issue 16).

The followed RocketMQ list shows the instance's tasks (they are also in the Demo list); a failing row's
error is readable without moving the cursor; no toast is drawn over an open dialog.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers.tmux import Tmux, taskdeck_command

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def header(screen: str) -> str:
    return screen.splitlines()[0] if screen else ""


def test_demo_at_120x40_followed_list_errors_in_place_and_no_toast_over_a_dialog(tmp_path: Path) -> None:
    env = {"TASKDECK_CONFIG_DIR": str(tmp_path / "config"), "TASKDECK_STATE_DIR": str(tmp_path / "state")}
    with Tmux(width=120, height=40) as term:
        term.start(taskdeck_command("--demo"), env=env)
        screen = term.wait_for(lambda s: "Demo" in header(s) and "running" in s, timeout=30)

        # The unreachable demo provider is announced: a toast. A dialog opened now hides it.
        term.wait_for("Provider down", timeout=30)
        term.send("?")
        screen = term.wait_for("Keys  (escape closes)")
        assert "Provider down" not in screen and "unreachable since" not in screen.split("Keys")[1], screen
        term.send("Escape")
        term.wait_for(lambda s: "Keys  (escape closes)" not in s)

        # A failing row's error, in place: the failed Smint task's reason is on its row, the cursor
        # still on the first row.
        screen = term.wait_for(re.compile(r"✖ failed +failed import · import_failed: CSV row 7"), timeout=30)
        first_row = screen.splitlines()[2]
        assert "failed import" not in first_row

        # The followed RocketMQ instance: its list shows the instance's tasks, though Demo watches them too.
        term.send("3")
        screen = term.wait_for(lambda s: "RocketMQ (followed)" in header(s)
                               and re.search(r"RocketMQ \(followed\)\s+[1-9]\d* tasks?", header(s)) is not None,
                               timeout=30)
        assert "0 tasks" not in header(screen)
        assert re.search(r"(restartInstance|createInstance)", screen), screen

        term.send("q")
        assert term.wait_exit(timeout=20) == 0
