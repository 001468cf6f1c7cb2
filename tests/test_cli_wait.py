"""`taskdeck wait` as a real subprocess against the simulator: exit codes, lines, JSON, timeout, Ctrl+C."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from test_cli_status import GATEWAY, RUN_TIMEOUT, Deck, check_record, make_deck

from tui.simulator.process import SimulatorProcess


@pytest.fixture
def deck(tmp_path: Path, sim_reset: SimulatorProcess) -> Deck:
    return make_deck(tmp_path, sim_reset)


def changes(out: str) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in out.splitlines()]
    assert records and records[-1]["event"] == "summary"
    for record in records[:-1]:
        assert record["event"] == "change"
        check_record(record)
    return records[:-1]


def read_line(stream: Any, timeout: float) -> str:
    """The next line of a child's stdout, or a failure after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    buffer = b""
    fd = stream.fileno()
    while not buffer.endswith(b"\n"):
        left = deadline - time.monotonic()
        assert left > 0, f"no line within {timeout} s (got {buffer!r})"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 1)
            assert chunk, f"stdout closed (got {buffer!r})"
            buffer += chunk
    return buffer.decode()


# --- exit codes ------------------------------------------------------------------------------------------------------


def test_all_succeeded_exit_0_with_plain_lines(deck: Deck) -> None:
    ids = deck.apig(2, wait=0, run=1, outcome="succeed")
    result = deck.run("wait", "gw", "--instance", GATEWAY, *ids)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "\x1b" not in result.out and "\r" not in result.out  # not a terminal: no bar, no escapes
    for task_id in ids:
        mine = [line for line in lines if task_id in line]
        assert mine, result.out
        assert "succeeded" in mine[-1] and "test8" in mine[-1]
        assert len(mine) <= 3  # one line per change (pending, running, succeeded), not one per poll
    assert lines[-1].startswith("done in ") and lines[-1].endswith("2 succeeded")


@pytest.mark.parametrize(
    ("family", "outcome", "word"),
    [("apig", "fail", "failed"), ("dms", "cancel", "cancelled"), ("dms", "delete", "cancelled")],
)
def test_a_failed_or_cancelled_task_gives_exit_1(deck: Deck, family: str, outcome: str, word: str) -> None:
    provider, instance = ("gw", GATEWAY) if family == "apig" else ("dms", "kafka-wait")
    good = deck.sim.create_tasks(family, count=1, instance=instance, wait=0, run=1, outcome="succeed")
    bad = deck.sim.create_tasks(family, count=1, instance=instance, wait=0, run=1, outcome=outcome)
    ids = [good[0]["id"], bad[0]["id"]]
    result = deck.run("wait", provider, "--instance", instance, *ids, "--json")
    assert result.code == 1, result.err
    records = changes(result.out)
    last = {r["id"]: r for r in records}
    assert last[ids[0]]["state"] == "succeeded" and last[ids[1]]["state"] == word
    summary = json.loads(result.out.splitlines()[-1])
    assert summary["outcome"] == "failed" and summary["exit_code"] == 1
    assert summary["succeeded"] == 1 and summary[word] == 1 and summary["unfinished"] == 0


def test_a_task_that_is_gone_gives_exit_1(deck: Deck) -> None:
    ids = deck.apig(1, wait=0, run=0)
    result = deck.run("wait", "gw", "--instance", GATEWAY, ids[0], "f" * 32)
    assert result.code == 1
    gone = [line for line in result.out.splitlines() if "f" * 32 in line]
    assert len(gone) == 1 and "gone" in gone[0] and "HTTP 404" in gone[0]
    assert result.out.splitlines()[-1].endswith("1 succeeded, 1 gone")


def test_json_lines_follow_the_state_changes(deck: Deck) -> None:
    ids = deck.apig(1, wait=1, run=1, outcome="succeed")
    result = deck.run("wait", "gw", "--instance", GATEWAY, ids[0], "--json")
    assert result.code == 0, result.err
    records = changes(result.out)
    states = [r["state"] for r in records]
    assert states[-1] == "succeeded"
    assert states == sorted(set(states), key=states.index)  # each state once, in order
    assert set(states) <= {"pending", "running", "succeeded"}
    assert records[-1]["result"]["Comment"]["swagger"] == "2.0"
    summary = json.loads(result.out.splitlines()[-1])
    assert summary["event"] == "summary" and summary["outcome"] == "succeeded" and summary["exit_code"] == 0
    assert summary["tasks"] == 1 and summary["succeeded"] == 1


def test_followed_instance_waits_for_its_tasks(deck: Deck) -> None:
    created = deck.sim.create_tasks("dms", count=3, instance="kafka-follow", wait=0, run=2, outcome="succeed")
    result = deck.run("wait", "--follow-instance", "dms", "kafka-follow", "--json")
    assert result.code == 0, result.err
    records = changes(result.out)
    assert {r["id"] for r in records} == {t["id"] for t in created}
    assert {r["id"] for r in records if r["state"] == "succeeded"} == {t["id"] for t in created}


# --- polling rules ----------------------------------------------------------------------------------------------------


def test_polls_at_the_interval_and_honours_retry_after(deck: Deck) -> None:
    ids = deck.apig(1, wait=0, run=3, outcome="succeed")
    deck.sim.add_fault("status", task_id=ids[0], status=429, retry_after=2, count=1)
    deck.sim.clear_log()
    result = deck.run("wait", "gw", "--instance", GATEWAY, ids[0])
    assert result.code == 0, result.err
    log = deck.sim.requests(task_id=ids[0])
    starts = [r["start"] for r in log]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert log[0]["status"] == 429
    assert gaps[0] >= 1.9  # Retry-After: 2
    assert all(gap >= 0.9 for gap in gaps)  # interval = 1 s, never faster
    assert len(log) <= 8  # and no burst of retries


# --- timeout, Ctrl+C, usage ----------------------------------------------------------------------------------------


def test_timeout_gives_exit_124(deck: Deck) -> None:
    ids = deck.apig(1, wait=0, run=1, outcome="never")
    result = deck.run("wait", "gw", "--instance", GATEWAY, ids[0], "--timeout", "1.5", "--json")
    assert result.code == 124
    summary = json.loads(result.out.splitlines()[-1])
    assert summary["outcome"] == "timeout" and summary["exit_code"] == 124 and summary["unfinished"] == 1
    assert "timed out after 1.5 s; 1 of 1 task(s) not finished" in result.err
    assert ids[0] in result.err


def test_a_failure_seen_before_the_timeout_gives_exit_1(deck: Deck) -> None:
    bad = deck.apig(1, wait=0, run=0, outcome="fail")
    slow = deck.apig(1, wait=0, run=1, outcome="never")
    result = deck.run("wait", "gw", "--instance", GATEWAY, *bad, *slow, "--timeout", "4", "--json")
    assert result.code == 1, result.err
    summary = json.loads(result.out.splitlines()[-1])
    assert summary["outcome"] == "failed" and summary["exit_code"] == 1
    assert summary["failed"] == 1 and summary["unfinished"] == 1
    assert "timed out after 4 s; 1 of 2 task(s) not finished" in result.err and slow[0] in result.err


def test_fail_fast_stops_at_the_first_failure(deck: Deck) -> None:
    bad = deck.apig(1, wait=0, run=0, outcome="fail")
    slow = deck.apig(1, wait=0, run=1, outcome="never")
    result = deck.run("wait", "gw", "--instance", GATEWAY, *bad, *slow, "--fail-fast")
    assert result.code == 1, result.err
    assert "stopped at the first failure; 1 of 2 task(s) not finished" in result.err
    assert any(bad[0] in line and "failed" in line for line in result.out.splitlines())


def test_ctrl_c_stops_cleanly_with_exit_130(deck: Deck) -> None:
    ids = deck.apig(2, wait=0, run=1, outcome="never")
    proc = subprocess.Popen(deck.command("wait", "gw", "--instance", GATEWAY, *ids), env=deck.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        first = read_line(proc.stdout, RUN_TIMEOUT)
        assert first.split()[1] == "gw"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    message = err.decode()
    assert message.startswith("taskdeck wait: interrupted; 2 of 2 task(s) not finished")
    assert "Traceback" not in message and "KeyboardInterrupt" not in message
    assert b"done in" not in out


def test_a_secret_never_reaches_the_output_even_when_auth_fails(deck: Deck) -> None:
    secret = "td-secret-8e1b2c3d4f5a6b7c"
    ids = deck.apig(1, wait=0, run=0)
    body = json.dumps({"error_code": "APIG.1002", "error_msg": f"token {secret} refused"})
    deck.sim.add_fault("raw", family="apig", status=401, raw_body=body, content_type="application/json")
    env = {**deck.env, "TD_TEST_HW_TOKEN": secret}
    result = deck.run("wait", "gw", "--instance", GATEWAY, *ids, "--timeout", "1.5", env=env)
    assert result.code == 124
    assert secret not in result.out and secret not in result.err
    assert "401" in result.out and "auth failed" in result.err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["gw", "--instance", GATEWAY, "a" * 32, "--timeout", "-1"], "must be a positive number"),
        (["gw", "--instance", GATEWAY, "a" * 32, "--timeout", "soon"], "not a number of seconds"),
        (["--watchlist", "Nope"], "no watch list named 'Nope'"),
        (["gww", "--instance", GATEWAY, "a" * 32], "unknown provider 'gww'"),
    ],
)
def test_usage_errors_give_exit_2(deck: Deck, args: list[str], says: str) -> None:
    result = deck.run("wait", *args)
    assert result.code == 2
    assert says in result.err and "Traceback" not in result.err


# --- on a terminal ---------------------------------------------------------------------------------------------------


def test_progress_bar_on_a_terminal(deck: Deck) -> None:
    ids = deck.apig(1, wait=0, run=2, outcome="succeed")
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(deck.command("wait", "gw", "--instance", GATEWAY, ids[0]), env=deck.env,
                                stdout=follower, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        os.close(follower)
        output = b""
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], deadline - time.monotonic())
            try:
                chunk = os.read(leader, 4096) if ready else b""
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        assert proc.wait(timeout=RUN_TIMEOUT) == 0
    finally:
        os.close(leader)
    text = output.decode()
    assert "\r\x1b[K[" in text and "0/1 finished" in text  # the live bar
    assert "succeeded" in text and "done in" in text
    assert not text.rstrip("\r\n").endswith("finished")  # the bar is cleared at the end
