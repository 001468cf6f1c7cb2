"""Notifications (tui.core.notify): exact escape sequences, no way out for a hostile name, routes, bursts."""

from __future__ import annotations

import re

import pytest

from tui.core.notify import (
    Burst,
    Event,
    Note,
    Notifier,
    compose,
    notify_mode,
    osc9,
    osc777,
    system_command,
    terminal_sequence,
    tmux_wrap,
)

NOTE = Note("taskdeck: task succeeded", 'acme 42 "nightly export"')


def test_exact_terminal_sequences() -> None:
    assert osc9(NOTE) == '\x1b]9;taskdeck: task succeeded: acme 42 "nightly export"\x07'
    assert osc777(NOTE) == '\x1b]777;notify;taskdeck: task succeeded;acme 42 "nightly export"\x07'
    assert tmux_wrap("\x1b]9;hi\x07") == "\x1bPtmux;\x1b\x1b]9;hi\x07\x1b\\"
    assert terminal_sequence(NOTE, {"TERM": "xterm-256color"}) == osc9(NOTE)
    assert terminal_sequence(NOTE, {"TERM": "foot"}) == osc777(NOTE)
    assert terminal_sequence(NOTE, {"VTE_VERSION": "7600"}) == osc777(NOTE)
    assert terminal_sequence(NOTE, {"TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0"}) == tmux_wrap(
        osc9(NOTE))
    assert osc777(Note("a;b", "c;d")) == "\x1b]777;notify;a,b;c;d\x07"


HOSTILE = [
    "evil\x07\x1b]0;pwned\x07",       # BEL ends OSC 9 early, then retitles the window
    "evil\x1b\\\x1b[2J",             # ST, then clear the screen
    "evil\x9c\x9b2J",                # C1 ST and CSI
    "evil\n\x1b]777;notify;x;y\x07",  # a second notification
    "\u202eevil\u2066",              # bidi overrides
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_task_name_cannot_break_out(name: str) -> None:
    note = compose([Event("succeeded", name, detail=name)])
    assert note is not None
    for sequence in (osc9(note), osc777(note), terminal_sequence(note, {"TMUX": "1"})):
        body = sequence.removeprefix("\x1bPtmux;").removesuffix("\x1b\\")
        body = body.replace("\x1b\x1b", "\x1b")
        # exactly one OSC introducer and one terminator, at the ends; nothing else controls the terminal
        assert body.startswith(("\x1b]9;", "\x1b]777;notify;")) and body.endswith("\x07")
        inner = body[len("\x1b]"):-1]
        assert not re.search(r"[\x00-\x1f\x7f-\x9f]", inner), repr(inner)
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", inner)
    assert osc777(note).count(";") == osc777(Note(note.title, "x")).count(";") + note.body.count(";")


def test_a_burst_of_finishes_is_one_note() -> None:
    burst = Burst(window=2.0)
    for i in range(11):
        burst.add(Event("succeeded", f"task {i}"), now=100.0 + i * 0.1)
    burst.add(Event("failed", "task 11"), now=101.5)
    assert not burst.due(101.9)
    assert burst.due(102.0)
    note = burst.take()
    assert note == Note("taskdeck", "12 tasks finished: 11 succeeded, 1 failed")
    assert burst.take() is None and not burst.due(1e9)


def test_single_events_and_providers() -> None:
    assert compose([Event("failed", "acme 42", "quota exceeded")]) == Note("taskdeck: task failed",
                                                                          "acme 42 — quota exceeded")
    assert compose([Event("down", "acme", "unreachable")]) == Note("taskdeck: provider down",
                                                                   "provider acme is down: unreachable")
    assert compose([Event("back", "acme")]) == Note("taskdeck: provider back", "provider acme answers again")
    assert compose([]) is None


def test_system_commands_carry_texts_as_arguments() -> None:
    def which(name: str) -> str:
        return f"/usr/bin/{name}"

    hostile = Note('taskdeck", "x"', '-rf "; do shell script "id"')
    linux = system_command(hostile, env={"DISPLAY": ":0"}, platform="linux", which=which)
    assert linux == ["/usr/bin/notify-send", "--app-name=taskdeck", 'taskdeck", "x"', ' -rf "; do shell script "id"']
    mac = system_command(hostile, env={}, platform="darwin", which=which)
    assert mac is not None and mac[-2:] == ['taskdeck", "x"', ' -rf "; do shell script "id"']
    assert all("id" not in part for part in mac[:-2])
    assert system_command(hostile, env={}, platform="linux", which=which) is None  # no desktop session
    assert system_command(hostile, env={"DISPLAY": ":0"}, platform="linux", which=lambda _: None) is None


def test_routes() -> None:
    written: list[str] = []
    ran: list[list[str]] = []

    def notifier(mode: str, env: dict[str, str], tool: bool = True) -> Notifier:
        return Notifier(mode, write=written.append, env=env, platform="linux",
                        which=(lambda n: f"/usr/bin/{n}") if tool else (lambda n: None), run=ran.append)

    desktop = {"DISPLAY": ":0"}
    assert notifier("auto", desktop).send(NOTE) == "system" and ran and not written
    assert notifier("auto", {**desktop, "SSH_CONNECTION": "1 2 3 4"}).send(NOTE) == "terminal"
    assert written == [osc9(NOTE)]
    assert notifier("auto", desktop, tool=False).send(NOTE) == "terminal"
    assert notifier("terminal", desktop).send(NOTE) == "terminal"
    assert notifier("system", {**desktop, "SSH_TTY": "/dev/pts/1"}).send(NOTE) == "system"
    assert notifier("off", desktop).send(NOTE) == "off"
    assert Notifier("terminal", write=None, env={}).send(NOTE) == "off"


def test_notify_mode_setting() -> None:
    assert notify_mode({}) == ("auto", None)
    assert notify_mode({"notify": "System"}) == ("system", None)
    assert notify_mode({"notify": False}) == ("off", None)
    mode, warning = notify_mode({"notify": "loud"})
    assert mode == "auto" and warning is not None and "auto, terminal, system, off" in warning


def test_providers_toml_reports_bad_memory_settings_with_their_line() -> None:
    from pathlib import Path

    from tui.core.providers_config import parse_providers

    text = '[ui]\nbell = true\nnotify = "loud"\nremember_days = 0\n'
    parsed, problems = parse_providers(text, Path("/cfg/providers.toml"))
    assert parsed.ui == {"bell": True}
    assert [p.describe() for p in problems] == [
        "warning: /cfg/providers.toml:3: ui.notify: 'loud' is not one of auto, terminal, system, off — write it "
        'like notify = "auto"',
        "warning: /cfg/providers.toml:4: ui.remember_days: 0 is not a number of days from 1 to 3650 — write it "
        "like remember_days = 30"]
    parsed, problems = parse_providers('[ui]\nnotify = "terminal"\nremember_days = 7\n', None)
    assert parsed.ui == {"notify": "terminal", "remember_days": 7} and problems == []
