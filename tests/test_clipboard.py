"""Clipboard: native tool first, OSC 52 fallback, env override, size cap."""

from __future__ import annotations

import subprocess
import threading
from typing import Any

import pytest

from tui import clipboard
from tui.clipboard import OSC52_MAX_BYTES, ClipboardError, copy_text, native_commands


class FakeApp:
    def __init__(self) -> None:
        self.copied: list[str] = []
        self.via_thread = False
        self._thread_id = threading.get_ident()

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)

    def call_from_thread(self, callback: Any, *args: Any, **kwargs: Any) -> Any:
        self.via_thread = True
        return callback(*args, **kwargs)


@pytest.fixture
def tools(monkeypatch: Any) -> dict[str, Any]:
    """Pretend wl-copy/xclip/xsel/pbcopy/clip.exe are installed; record what runs."""
    state: dict[str, Any] = {
        "installed": {"wl-copy", "xclip", "xsel", "pbcopy", "clip.exe"},
        "runs": [],
        "fail": set(),
    }

    def which(name: str) -> str | None:
        return f"/usr/bin/{name}" if name in state["installed"] else None

    def run(argv: list[str], input: bytes, **kw: Any) -> subprocess.CompletedProcess[bytes]:
        assert kw.get("stdout") == subprocess.DEVNULL and kw.get("timeout")
        name = argv[0].rsplit("/", 1)[-1]
        state["runs"].append((name, input))
        return subprocess.CompletedProcess(argv, 1 if name in state["fail"] else 0)

    monkeypatch.setattr(clipboard.shutil, "which", which)
    monkeypatch.setattr(clipboard.subprocess, "run", run)
    return state


def test_native_order_and_env(tools: dict[str, Any]) -> None:
    assert [n for n, _ in native_commands({"WAYLAND_DISPLAY": "w", "DISPLAY": ":0"}, "linux")] == [
        "wl-copy",
        "xclip",
        "xsel",
    ]
    assert [n for n, _ in native_commands({}, "darwin")] == ["pbcopy"]
    assert [n for n, _ in native_commands({"WSL_DISTRO_NAME": "Ubuntu"}, "linux")] == ["clip.exe"]
    # A headless SSH session has no clipboard tool to use.
    assert {n for n, _ in native_commands({"SSH_TTY": "/dev/pts/1"}, "linux")} <= {"clip.exe"}


def test_auto_prefers_native(tools: dict[str, Any]) -> None:
    app = FakeApp()
    assert copy_text(app, "héllo", env={"DISPLAY": ":0"}) == "xclip"
    assert tools["runs"] == [("xclip", "héllo".encode())]
    assert app.copied == []


def test_auto_falls_back_to_next_tool_then_osc52(tools: dict[str, Any]) -> None:
    app = FakeApp()
    tools["fail"] = {"xclip"}
    assert copy_text(app, "x", env={"DISPLAY": ":0"}) == "xsel"
    tools["fail"] = {"xclip", "xsel"}
    assert copy_text(app, "x", env={"DISPLAY": ":0"}) == "OSC 52"
    assert app.copied == ["x"]


def test_no_tool_uses_osc52_on_the_ui_thread(tools: dict[str, Any]) -> None:
    app = FakeApp()
    assert copy_text(app, "abc", env={}) == "OSC 52"
    assert app.copied == ["abc"] and not app.via_thread


def test_osc52_from_a_worker_thread_goes_through_call_from_thread(tools: dict[str, Any]) -> None:
    app = FakeApp()
    out: list[str] = []
    t = threading.Thread(target=lambda: out.append(copy_text(app, "abc", env={})))
    t.start()
    t.join(10)
    assert out == ["OSC 52"] and app.via_thread and app.copied == ["abc"]


def test_env_osc52_skips_native(tools: dict[str, Any]) -> None:
    app = FakeApp()
    assert copy_text(app, "abc", env={"DISPLAY": ":0", "TASKDECK_CLIPBOARD": "osc52"}) == "OSC 52"
    assert tools["runs"] == []


def test_env_native_never_uses_osc52(tools: dict[str, Any]) -> None:
    app = FakeApp()
    with pytest.raises(ClipboardError, match="no clipboard tool"):
        copy_text(app, "abc", env={"TASKDECK_CLIPBOARD": "native"})
    tools["fail"] = {"xclip", "xsel"}
    with pytest.raises(ClipboardError, match="xclip failed"):
        copy_text(app, "abc", env={"TASKDECK_CLIPBOARD": "native", "DISPLAY": ":0"})
    assert app.copied == []


def test_osc52_size_cap_says_so(tools: dict[str, Any]) -> None:
    app = FakeApp()
    big = "x" * (OSC52_MAX_BYTES + 1)
    with pytest.raises(ClipboardError, match="too large.*OSC 52"):
        copy_text(app, big, env={})
    assert app.copied == []
    # A native tool has no such cap.
    assert copy_text(app, big, env={"WAYLAND_DISPLAY": "w"}) == "wl-copy"


def test_clip_exe_gets_utf16(tools: dict[str, Any]) -> None:
    app = FakeApp()
    assert copy_text(app, "é", env={"WSL_DISTRO_NAME": "Ubuntu"}) == "clip.exe"
    assert tools["runs"][-1] == ("clip.exe", b"\xff\xfe" + "é".encode("utf-16-le"))


def test_unknown_mode_means_auto(tools: dict[str, Any]) -> None:
    app = FakeApp()
    assert copy_text(app, "a", env={"TASKDECK_CLIPBOARD": "bogus", "DISPLAY": ":0"}) == "xclip"
