"""The real `taskdeck`, in a real terminal (tmux), against a simulator full of hostile tasks:
escape sequences never reach the terminal (the pane title stays, the screen is not cleared),
nothing crashes, and quitting works.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers.deck import env_for, write_config_dir
from helpers.hostile import GATEWAY, TITLE_MARK, fill_hostile, hostile_profiles, nasty
from helpers.tmux import Tmux, have_tmux, taskdeck_command

from tui.core.model import TaskRef
from tui.simulator.process import SimulatorProcess

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")

# What a terminal would act on, in plain capture-pane output (tmux itself never puts these there).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# In capture-pane -e output, tmux writes SGR sequences (ESC [ ... m) for colours; anything else is foreign.
NOT_SGR = re.compile(r"\x1b(?!\[[0-9;:]*m)")


def test_tmux_sees_title_and_clear_sequences() -> None:
    """The check below can fail: a program that does print the sequences retitles and clears the pane."""
    with Tmux(width=80, height=10) as term:
        term.start(["sh", "-c", f"printf 'first line\\n'; printf '{TITLE_MARK}' >/dev/null; "
                                f"printf '\\033]2;{TITLE_MARK}\\007\\033[2J\\033[Hafter clear'; sleep 30"])
        screen = term.wait_for("after clear")
        assert TITLE_MARK in term.title()
        assert "first line" not in screen


def test_real_taskdeck_with_hostile_tasks(sim_reset: SimulatorProcess, tmp_path: Path) -> None:
    sim = sim_reset
    tasks = fill_hostile(sim, labels=True)
    erroring = TaskRef("gw", sim.create_tasks("apig", instance=GATEWAY, outcome="never")[0]["id"],
                       instance=GATEWAY, label=nasty("erroring"))
    sim.add_fault("raw", task_id=erroring.id, status=500, raw_body=json.dumps(
        {"error_code": nasty("code"), "error_msg": nasty("msg")}))
    refs = [*tasks.all, erroring]
    paths = write_config_dir(tmp_path, hostile_profiles(sim.base_url), {"Hostile": refs})
    with Tmux(width=200, height=50) as term:
        term.start(taskdeck_command(), env=env_for(paths), cwd=tmp_path)
        term.wait_for("taskdeck · Hostile")
        title = term.title()
        # Every row has been read: the unknown state shows verbatim, the error body as inert text.
        screen = term.wait_for(lambda s: "? rolling_b" in s and "<state>" in s and "✖ failed" in s, timeout=30)

        def check(screen: str) -> None:
            assert term.title() == title and TITLE_MARK not in term.title()
            lines = screen.splitlines()
            assert lines[0].lstrip().startswith("taskdeck · Hostile")  # not cleared, not scrolled away
            assert CONTROL.search(screen) is None
            coloured = term.capture(escapes=True)
            foreign = NOT_SGR.search(coloured)
            assert foreign is None, coloured[max(0, foreign.start() - 30):foreign.end() + 30]
            assert lines[-1].strip().startswith("⏎ Open") or "q Quit" in lines[-1]  # the footer is intact

        check(screen)
        assert "␛]2;PWNED-TITLE␇" in screen  # the sequence is there, as visible stand-ins
        # Walk every row (the detail pane shows each task's full text), raw view too.
        seen = []
        for _ in refs:
            term.send("Down")
            seen.append(term.capture())
            check(seen[-1])
            check(term.press_until("v", "Raw response body"))
            # A DMS task's result is its parameters.
            check(term.press_until("v", re.compile(r"(Result|Parameters) · v raw body")))
        assert any("last poll failed: HTTP 500" in screen and "<msg>" in screen for screen in seen)
        term.send("q")
        status = term.wait_exit()
        after = term.capture(history=True)  # what was printed after the app left the screen
        assert status == 0, after
        assert "Traceback" not in after and "Error" not in after, after
