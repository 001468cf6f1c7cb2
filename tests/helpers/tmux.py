"""Drive a real terminal program in tmux, as a person would (see the project's Textual notes, §4).

    with Tmux(width=160, height=50) as term:
        term.start(["taskdeck"], env={"TASKDECK_CONFIG_DIR": ...}, stderr=tmp_path / "stderr.txt")
        term.wait_for("taskdeck ·")               # a string, a regex or a predicate over the screen
        term.send("down", "down")                  # tmux key names: Down Enter Escape C-p F12 ...
        term.send("some text", literal=True)
        screen = term.capture()                    # plain text; capture(escapes=True) keeps colours
        term.title()                               # the pane title (changed by OSC 0/2 sequences)
        term.send("q"); term.wait_exit()           # -> exit status
        term.capture(history=True)                 # what is left after it quit: crash output too

Textual draws on standard error, so do not redirect a Textual program's stderr (`start(stderr=...)`
is for other programs); read what it printed on exit from the pane, with `capture(history=True)`.

Each Tmux uses a private server socket (-L) and no user configuration, so it never touches a
user's tmux. Panes stay after their program exits (remain-on-exit), to read the last screen and
the exit status. Skip tests with `pytest.mark.skipif(not have_tmux(), ...)`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

CONFIG = """\
set -g remain-on-exit on
set -g status off
set -g default-terminal tmux-256color
set -g history-limit 2000
"""
Condition = str | re.Pattern[str] | Callable[[str], bool]


def have_tmux() -> bool:
    return shutil.which("tmux") is not None


def taskdeck_command(*args: str) -> list[str]:
    """The installed `taskdeck` console script next to this Python, else `python -m tui`."""
    script = Path(sys.executable).with_name("taskdeck")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "tui", *args]


class TmuxError(AssertionError):
    pass


class Tmux:
    def __init__(self, width: int = 160, height: int = 50, session: str = "main") -> None:
        self.width, self.height, self.session = width, height, session
        self.socket = f"taskdeck-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._dir = tempfile.TemporaryDirectory(prefix="tmux-test-")
        self._config = Path(self._dir.name) / "tmux.conf"
        self._config.write_text(CONFIG)
        self._status = Path(self._dir.name) / "exit-status"
        self.started = False

    # -- low level -----------------------------------------------------------------------------------

    def tmux(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, "-f", str(self._config), *args],
                                capture_output=True, text=True, timeout=20, check=False)
        if check and result.returncode != 0:
            raise TmuxError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    @property
    def target(self) -> str:
        return f"{self.session}:0.0"

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self, argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | Path | None = None,
              stderr: str | Path | None = None) -> None:
        """Run `argv` in a new session of width x height, with `env` added to the environment and
        standard error sent to the file `stderr` if given (not for Textual programs: they draw on it)."""
        # COLUMNS/LINES from the test process (pytest may set them) would override the pane's real size.
        command = "env -u COLUMNS -u LINES " + " ".join(shlex.quote(a) for a in argv)
        if stderr is not None:
            command += f" 2>{shlex.quote(str(stderr))}"
        if cwd is not None:
            command = f"cd {shlex.quote(str(cwd))} && {command}"
        # The shell records the exit status: tmux now and then leaves an exited program unreaped
        # (a zombie), and then never marks the pane dead.
        command += f"; echo $? > {shlex.quote(str(self._status))}"
        env_args: list[str] = []
        for key, value in {"LANG": "C.UTF-8", "COLORTERM": "truecolor", **(env or {})}.items():
            env_args += ["-e", f"{key}={value}"]
        self.tmux("new-session", "-d", "-s", self.session, "-x", str(self.width), "-y", str(self.height),
                  *env_args, "sh", "-c", command)
        self.started = True

    def close(self) -> None:
        if self.started:
            self.tmux("kill-server", check=False)
            self.started = False
        self._dir.cleanup()

    def __enter__(self) -> Tmux:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- looking ---------------------------------------------------------------------------------------

    def capture(self, escapes: bool = False, history: bool = False) -> str:
        """The visible screen; with `escapes`, the SGR colour sequences tmux keeps for each cell;
        with `history`, the scrollback above it too (what a program printed after it left the
        alternate screen, e.g. a traceback)."""
        args = ["capture-pane", "-p", "-t", self.target]
        if escapes:
            args.append("-e")
        if history:
            args += ["-S", "-"]
        return self.tmux(*args)

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", self.target, "#{pane_title}").rstrip("\n")

    def dead(self) -> bool:
        """Has the program exited?"""
        return self.exit_status() is not None

    def exit_status(self) -> int | None:
        """The program's exit status (128 + N if signal N ended it); None while it runs."""
        try:
            text = self._status.read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text else None

    def wait_for(self, condition: Condition, timeout: float = 20.0, interval: float = 0.05) -> str:
        """Poll the screen until `condition` holds; return that screen. TmuxError after `timeout`."""
        test = _matcher(condition)
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if test(screen):
                return screen
            if self.dead():
                break
            time.sleep(interval)
        status = f" (the program exited with {self.exit_status()})" if self.dead() else ""
        size = self.tmux("display-message", "-p", "-t", self.target, "#{window_width}x#{window_height}").strip()
        raise TmuxError(f"screen ({size}) never matched {condition!r}{status}; last screen:\n{screen}")

    def wait_exit(self, timeout: float = 20.0) -> int | None:
        deadline = time.monotonic() + timeout
        while not self.dead():
            if time.monotonic() > deadline:
                raise TmuxError(f"the program did not exit within {timeout} s; screen:\n{self.capture()}")
            time.sleep(0.05)
        return self.exit_status()

    # -- typing ------------------------------------------------------------------------------------------

    def send(self, *keys: str, literal: bool = False) -> None:
        """tmux key names (Down, Enter, Escape, C-p, F12, q ...), or text with `literal`."""
        args = ["send-keys", "-t", self.target]
        if literal:
            args.append("-l")
        self.tmux(*args, *keys)


    def press_until(self, key: str, condition: Condition, timeout: float = 20.0, retry_after: float = 4.0) -> str:
        """Send `key` until the screen matches `condition` (a key sent again if nothing happened
        within `retry_after` s: now and then a key sent this way is not seen by the app)."""
        deadline = time.monotonic() + timeout
        while True:
            self.send(key)
            try:
                return self.wait_for(condition, timeout=min(retry_after, max(0.1, deadline - time.monotonic())))
            except TmuxError:
                if time.monotonic() >= deadline or self.dead():
                    raise


def _matcher(condition: Condition) -> Callable[[str], bool]:
    if isinstance(condition, str):
        return lambda screen: condition in screen
    if isinstance(condition, re.Pattern):
        return lambda screen: condition.search(screen) is not None
    return condition
