"""A nudge when it matters: desktop notifications for finished tasks and providers going down or back.

Why two routes: the terminal's own notification escape (OSC 9, or OSC 777 on
terminals that speak it) travels with the output, so it also works over SSH;
the system's (`notify-send` on Linux, `osascript` on macOS) works with any
terminal on the local desktop. `[ui] notify` in providers.toml picks:
"auto" (default: the terminal's over SSH or when the system has none, else the
system's), "terminal", "system" or "off".

Why a burst becomes one note: a list of 500 exports finishing within a second
must not raise 500 notifications; `Burst` gathers events for a moment and
`compose` says "12 tasks finished: 11 succeeded, 1 failed".

Server strings are data: every text goes through `clean` (control characters,
ESC, BEL and the C1 string terminator become visible stand-ins) before it is
put into an escape sequence or a command line, so a hostile task name cannot end
the sequence early and write to the terminal. No textual/rich imports here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tui.core.text import clean

MODES = ("auto", "terminal", "system", "off")
DEFAULT_MODE = "auto"
BURST_WINDOW = 2.0  # seconds events gather before one notification goes out
TITLE_LIMIT = 60
BODY_LIMIT = 240
FINISHES = ("succeeded", "failed", "cancelled", "gone")

ESC, BEL = "\x1b", "\x07"


@dataclass(frozen=True, slots=True)
class Event:
    """Something worth a nudge: a task finished ("succeeded", "failed", "cancelled", "gone"),
    or a provider went "down" / came "back". `name` names the task or provider."""

    kind: str
    name: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Note:
    title: str
    body: str


def notify_mode(ui: Mapping[str, object]) -> tuple[str, str | None]:
    """`[ui] notify` from providers.toml: the mode, and a warning when the value is not one of MODES."""
    value = ui.get("notify", DEFAULT_MODE)
    if isinstance(value, bool):  # notify = false / true reads naturally too
        return ("auto" if value else "off"), None
    if isinstance(value, str) and value.strip().lower() in MODES:
        return value.strip().lower(), None
    shown = clean(repr(value), limit=40)
    return DEFAULT_MODE, (f"ui.notify: {shown} is not one of {', '.join(MODES)}; using \"{DEFAULT_MODE}\" "
                          f"— fix: notify = \"{DEFAULT_MODE}\"")


# --- composing ----------------------------------------------------------------------------------------------


def _line(text: str, limit: int) -> str:
    return clean(text, limit=limit)


def compose(events: Sequence[Event]) -> Note | None:
    """One note for a burst of events (None for none)."""
    if not events:
        return None
    finished = [e for e in events if e.kind in FINISHES]
    providers = [e for e in events if e.kind not in FINISHES]
    parts: list[str] = []
    title = "taskdeck"
    if len(finished) == 1:
        event = finished[0]
        title = f"taskdeck: task {event.kind}"
        parts.append(event.name + (f" — {event.detail}" if event.detail else ""))
    elif finished:
        counts = Counter(e.kind for e in finished)
        shown = ", ".join(f"{counts[kind]} {kind}" for kind in FINISHES if counts[kind])
        parts.append(f"{len(finished)} tasks finished: {shown}")
    for event in providers:
        if event.kind == "down":
            parts.append(f"provider {event.name} is down" + (f": {event.detail}" if event.detail else ""))
        else:
            parts.append(f"provider {event.name} answers again")
    if not finished:
        title = "taskdeck: provider " + ("down" if any(e.kind == "down" for e in providers) else "back")
    return Note(_line(title, TITLE_LIMIT), _line("; ".join(parts), BODY_LIMIT))


class Burst:
    """Gathers events for `window` seconds from the first one; the caller drives the clock."""

    def __init__(self, window: float = BURST_WINDOW) -> None:
        self.window = window
        self._events: list[Event] = []
        self._since: float | None = None

    def add(self, event: Event, now: float) -> None:
        if self._since is None:
            self._since = now
        self._events.append(event)

    def due(self, now: float) -> bool:
        return self._since is not None and now - self._since >= self.window

    def take(self) -> Note | None:
        events, self._events, self._since = self._events, [], None
        return compose(events)


# --- the terminal's route -----------------------------------------------------------------------------------


def osc9(note: Note) -> str:
    """iTerm2, WezTerm, kitty, Ghostty, Windows Terminal: ESC ] 9 ; text BEL.

    The text always starts with the title ("taskdeck…"), never with a digit, so
    ConEmu does not read it as one of its OSC 9 ; N commands.
    """
    text = _line(note.title, TITLE_LIMIT) + (": " + _line(note.body, BODY_LIMIT) if note.body else "")
    return f"{ESC}]9;{text}{BEL}"


def osc777(note: Note) -> str:
    """foot, urxvt, VTE terminals: ESC ] 777 ; notify ; title ; body BEL. The title cannot hold ';'."""
    title = _line(note.title, TITLE_LIMIT).replace(";", ",")
    return f"{ESC}]777;notify;{title};{_line(note.body, BODY_LIMIT)}{BEL}"


def tmux_wrap(sequence: str) -> str:
    """Inside tmux an escape must be passed through (DCS tmux; …, each ESC doubled) to reach the terminal."""
    return f"{ESC}Ptmux;" + sequence.replace(ESC, ESC + ESC) + f"{ESC}\\"


def terminal_sequence(note: Note, env: Mapping[str, str]) -> str:
    """The escape sequence for this terminal: OSC 777 where it is understood, else OSC 9; tmux-wrapped in tmux."""
    term = env.get("TERM", "")
    speaks_777 = bool(env.get("VTE_VERSION")) or term.startswith(("foot", "rxvt"))
    sequence = osc777(note) if speaks_777 else osc9(note)
    return tmux_wrap(sequence) if env.get("TMUX") else sequence


# --- the system's route -------------------------------------------------------------------------------------


def _argument(text: str) -> str:
    # An argument that starts with "-" would be read as an option.
    return " " + text if text.startswith("-") else text


def system_command(note: Note, *, env: Mapping[str, str], platform: str,
                   which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    """The command that shows `note` on this desktop, or None when there is none."""
    title, body = _argument(_line(note.title, TITLE_LIMIT)), _argument(_line(note.body, BODY_LIMIT))
    if platform == "darwin":
        tool = which("osascript")
        if tool is None:
            return None
        # The texts travel as arguments, never inside the script: nothing to quote, nothing to escape.
        return [tool, "-e", "on run argv", "-e", "display notification (item 2 of argv) with title (item 1 of argv)",
                "-e", "end run", title, body]
    if platform.startswith("linux") or platform.startswith("freebsd"):
        if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("DBUS_SESSION_BUS_ADDRESS")):
            return None
        tool = which("notify-send")
        if tool is None:
            return None
        return [tool, "--app-name=taskdeck", title, body]
    return None


def run_quietly(command: list[str]) -> None:
    try:
        subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=10, check=False, start_new_session=True)
    except (OSError, subprocess.SubprocessError):
        pass


class Notifier:
    """Sends notes by the configured route. `write` puts text on the user's terminal (None: no terminal)."""

    def __init__(self, mode: str = DEFAULT_MODE, *, write: Callable[[str], None] | None = None,
                 env: Mapping[str, str] | None = None, platform: str | None = None,
                 which: Callable[[str], str | None] = shutil.which,
                 run: Callable[[list[str]], None] | None = None) -> None:
        self.mode = mode if mode in MODES else DEFAULT_MODE
        self._write = write
        self._env = dict(os.environ if env is None else env)
        self._platform = sys.platform if platform is None else platform
        self._which = which
        self._run = run

    def route(self, note: Note) -> tuple[str, list[str] | None]:
        """("terminal" | "system" | "off", the system command when "system")."""
        if self.mode == "off":
            return "off", None
        command = None
        if self.mode != "terminal":
            command = system_command(note, env=self._env, platform=self._platform, which=self._which)
        over_ssh = bool(self._env.get("SSH_CONNECTION") or self._env.get("SSH_TTY"))
        if command is not None and (self.mode == "system" or not over_ssh):
            return "system", command
        return ("terminal", None) if self._write is not None else ("off", None)

    def send(self, note: Note | None) -> str:
        """Send `note`; returns the route taken. Never blocks on a child process, never raises."""
        if note is None:
            return "off"
        route, command = self.route(note)
        if route == "system" and command is not None:
            if self._run is not None:
                self._run(command)
            else:
                threading.Thread(target=run_quietly, args=(command,), name="taskdeck-notify", daemon=True).start()
        elif route == "terminal" and self._write is not None:
            try:
                self._write(terminal_sequence(note, self._env))
            except (OSError, ValueError):
                return "off"
        return route


def tty_writer() -> Callable[[str], None] | None:
    """A writer to the controlling terminal (even when stdout is a pipe), or None without one."""
    def write(text: str) -> None:
        with open("/dev/tty", "w", encoding="utf-8", errors="replace") as tty:
            tty.write(text)
            tty.flush()

    try:
        with open("/dev/tty", "w"):
            pass
    except OSError:
        return None
    return write
