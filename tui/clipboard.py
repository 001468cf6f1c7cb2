"""Copy text to the system clipboard: a native tool first, OSC 52 as the fallback.

Textual's `App.copy_to_clipboard` only writes an OSC 52 sequence, which some terminals
(Apple Terminal, tmux without `set-clipboard`) drop silently. So a native tool is tried
first when one can reach a clipboard (wl-copy, xclip, xsel, pbcopy, clip.exe); OSC 52 is
the fallback, capped in size because terminals truncate or refuse large sequences.

`TASKDECK_CLIPBOARD=auto|native|osc52` picks the method (default `auto`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

__all__ = [
    "ENV_VAR",
    "OSC52_MAX_BYTES",
    "ClipboardError",
    "copy_in_background",
    "copy_text",
    "native_commands",
]

ENV_VAR = "TASKDECK_CLIPBOARD"
OSC52_MAX_BYTES = 100_000
NATIVE_TIMEOUT = 5.0


class ClipboardError(RuntimeError):
    """The text could not be copied; the message says why, in words fit for a toast."""


class ClipboardApp(Protocol):
    def copy_to_clipboard(self, text: str) -> None: ...

    def call_from_thread(self, callback: Any, *args: Any, **kwargs: Any) -> Any: ...


def _is_wsl(env: Mapping[str, str]) -> bool:
    if env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        return True
    try:
        return "microsoft" in os.uname().release.lower()
    except (AttributeError, OSError):
        return False


def native_commands(
    env: Mapping[str, str] | None = None, platform: str | None = None
) -> list[tuple[str, list[str]]]:
    """(name, argv) of the native copy tools that can reach a clipboard here, best first."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    candidates: list[tuple[str, list[str]]] = []
    if env.get("WAYLAND_DISPLAY"):
        candidates.append(("wl-copy", ["wl-copy"]))
    if env.get("DISPLAY"):
        candidates.append(("xclip", ["xclip", "-selection", "clipboard", "-in"]))
        candidates.append(("xsel", ["xsel", "--clipboard", "--input"]))
    if platform == "darwin":
        candidates.append(("pbcopy", ["pbcopy"]))
    if platform == "win32" or _is_wsl(env):
        candidates.append(("clip.exe", ["clip.exe"]))
    found: list[tuple[str, list[str]]] = []
    for name, argv in candidates:
        path = shutil.which(argv[0])
        if path:
            found.append((name, [path, *argv[1:]]))
    return found


def _run_native(name: str, argv: list[str], text: str) -> None:
    # clip.exe reads the console code page unless the input starts with a UTF-16 BOM.
    data = b"\xff\xfe" + text.encode("utf-16-le") if name == "clip.exe" else text.encode("utf-8")
    try:
        # No pipes for stdout/stderr: xclip and wl-copy leave a child behind that serves the
        # selection, and waiting for it to close a pipe would hang.
        proc = subprocess.run(
            argv,
            input=data,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=NATIVE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ClipboardError(f"{name} failed: {exc}") from exc
    if proc.returncode != 0:
        raise ClipboardError(f"{name} failed (exit status {proc.returncode})")


def _osc52(app: ClipboardApp, text: str) -> None:
    size = len(text.encode("utf-8"))
    if size > OSC52_MAX_BYTES:
        raise ClipboardError(
            f"too large for the terminal clipboard (OSC 52): {_size(size)} > {_size(OSC52_MAX_BYTES)};"
            " install wl-copy, xclip or xsel, or save it to a file instead"
        )
    if getattr(app, "_thread_id", None) == threading.get_ident():
        app.copy_to_clipboard(text)
    else:
        app.call_from_thread(app.copy_to_clipboard, text)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def copy_text(app: ClipboardApp, text: str, *, env: Mapping[str, str] | None = None) -> str:
    """Copy `text`; return how it was copied ("wl-copy", "xclip", ..., or "OSC 52").

    Blocks while a native tool runs (up to a few seconds): call it from a thread worker
    (see `copy_in_background`). Raises ClipboardError when nothing worked.
    """
    env = os.environ if env is None else env
    mode = (env.get(ENV_VAR) or "auto").strip().lower()
    if mode not in ("auto", "native", "osc52"):
        mode = "auto"
    problems: list[str] = []
    if mode in ("auto", "native"):
        tools = native_commands(env)
        for name, argv in tools:
            try:
                _run_native(name, argv, text)
                return name
            except ClipboardError as exc:
                problems.append(str(exc))
        if mode == "native":
            if not tools:
                raise ClipboardError(
                    f"no clipboard tool found ({ENV_VAR}=native): install wl-copy, xclip or xsel"
                )
            raise ClipboardError("; ".join(problems))
    try:
        _osc52(app, text)
    except ClipboardError as exc:
        problems.append(str(exc))
        raise ClipboardError("; ".join(problems)) from None
    return "OSC 52"


def copy_in_background(node: Any, text: str | Callable[[], str], what: str) -> None:
    """Copy from a thread worker started on `node` (App or Widget); toast the outcome.

    `text` may be a function, called in the thread (to format a large result off the UI).
    `what` names the thing copied ("task id", "result") and must be trusted text.
    """
    app = node.app

    def run() -> None:
        try:
            value = text() if callable(text) else text
            how = copy_text(app, value)
        except ClipboardError as exc:
            app.notify(f"Could not copy the {what}: {exc}", severity="error", markup=False)
            return
        app.notify(f"Copied the {what} ({_size(len(value.encode('utf-8')))}) with {how}", markup=False)

    node.run_worker(run, thread=True, group="clipboard", exit_on_error=False, name="copy")
