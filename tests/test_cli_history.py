"""`taskdeck history`, and what `status` and `wait` leave in the history store, as real subprocesses
against the simulator; `wait --notify` through a stand-in `notify-send`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from pathlib import Path

import pytest
from test_cli_status import GATEWAY, RUN_TIMEOUT, Deck, make_deck

from tui.commands.history import period
from tui.commands.selection import Selection
from tui.commands.wait import Display
from tui.core.store import Store
from tui.simulator.process import SimulatorProcess


@pytest.fixture
def deck(tmp_path: Path, sim_reset: SimulatorProcess) -> Deck:
    return make_deck(tmp_path, sim_reset)


def history_file(deck: Deck) -> Path:
    return Path(deck.env["TASKDECK_STATE_DIR"]) / "history.sqlite3"


def test_wait_and_status_record_and_history_prints_the_changes(deck: Deck) -> None:
    slow = deck.apig(1, wait=0, run=3600, outcome="succeed")
    failed = deck.apig(1, wait=0, run=0, outcome="fail")
    nothing = deck.run("history")
    assert nothing.code == 0 and "nothing remembered yet" in nothing.err
    waiting = subprocess.Popen(deck.command("wait", "gw", "--instance", GATEWAY, *slow, *failed), env=deck.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + RUN_TIMEOUT
    while not (history_file(deck).exists()
               and {t.ref.id for t in Store.open(str(history_file(deck))).transitions()} >= {slow[0], failed[0]}):
        assert time.monotonic() < deadline and waiting.poll() is None, "wait recorded nothing"
        time.sleep(0.05)
    deck.sim.advance(7200)  # the slow export finishes while wait watches it
    assert waiting.wait(RUN_TIMEOUT) == 1
    assert deck.run("status", "gw", "--instance", GATEWAY, *failed).code == 0

    result = deck.run("history", "--json")
    assert result.code == 0, result.err
    records = result.records()
    by_task = {task: [(r["from"], r["to"]) for r in records if r["id"] == task] for task in slow + failed}
    assert by_task[failed[0]] == [(None, "failed")]  # status read it again: no new change
    steps = by_task[slow[0]]
    assert steps == [(None, "running"), ("running", "succeeded")]
    last = next(r for r in records if r["id"] == slow[0] and r["to"] == "succeeded")
    assert last["duration"] is not None and last["duration"] >= 0 and last["at"].endswith("Z")
    assert set(last) == {"event", "provider", "instance", "id", "label", "from", "to", "at", "at_epoch",
                         "duration"}

    text = deck.run("history", "--since", "1h")
    assert text.code == 0 and f"gw {GATEWAY}/{slow[0]}  {steps[-1][0]} → succeeded  after " in text.out

    # the same selection flags as status
    picked = deck.run("history", "gw", "--instance", GATEWAY, failed[0], "--json")
    assert [r["id"] for r in picked.records()] == failed
    deck.watchlists(f'[[watchlist]]\nname = "exports"\ntask = [{{ provider = "gw", instance = "{GATEWAY}", '
                    f'id = "{slow[0]}" }}]\n')
    listed = deck.run("history", "--watchlist", "exports", "--json")
    assert listed.code == 0, listed.err
    assert {r["id"] for r in listed.records()} == set(slow)
    assert deck.run("history", "--watchlist", "nope").code == 2
    assert deck.run("history", "--since", "yesterday").code == 2

    cleared = deck.run("history", "--clear", "--watchlist", "exports")
    assert cleared.code == 0 and "forgot 1 task(s)" in cleared.err
    assert {r["id"] for r in deck.run("history", "--json").records()} == set(failed)
    assert deck.run("history", "--clear").code == 0
    assert Store.open(str(history_file(deck))).counts() == (0, 0)


def test_wait_notify_sends_one_note_for_all_tasks(deck: Deck, tmp_path: Path) -> None:
    ids = deck.apig(3, wait=0, run=0, outcome="succeed") + deck.apig(1, wait=0, run=0, outcome="fail")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "notes.jsonl"
    tool = bin_dir / "notify-send"
    tool.write_text(f'#!/bin/sh\nexec "{os.environ.get("PYTHON", "python3")}" -c "import json,sys; '
                    f"open('{log}','a').write(json.dumps(sys.argv[1:])+chr(10))\" \"$@\"\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in deck.env.items() if not k.startswith("SSH_")}
    env.update(PATH=f"{bin_dir}:{env.get('PATH', '')}", DISPLAY=":0")
    result = deck.run("wait", "gw", "--instance", GATEWAY, *ids, "--notify", env=env)
    assert result.code == 1, result.err
    notes = [json.loads(line) for line in log.read_text().splitlines()]
    assert notes == [["--app-name=taskdeck", "taskdeck", "4 tasks finished: 3 succeeded, 1 failed"]]


def test_period() -> None:
    assert [period(t) for t in ("90s", "30m", "24h", "7d", "2w", "12", "all")] == [
        90, 1800, 86400, 7 * 86400, 14 * 86400, 12 * 3600, None]


def test_the_progress_bar_shows_the_eta() -> None:
    class Out:
        encoding = "utf-8"
        text = ""

        def write(self, s: str) -> None:
            self.text += s

        def flush(self) -> None:
            pass

    out = Out()
    display = Display(Selection(), as_json=False, out=out, bar=True)  # type: ignore[arg-type]
    display.draw_bar([], 2, eta=250)
    assert "0/2 finished" in out.text and "ETA ~4m" in out.text
    display.draw_bar([], 2, eta=None)
    assert out.text.count("ETA") == 1
