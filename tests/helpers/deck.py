"""Build taskdeck configurations that point at a simulator, and drive the dashboard with Pilot.

In memory (no files)::

    config = deck_config([smint_profile("acme", sim)], {"Main": [TaskRef("acme", task_id)]})
    app = TaskdeckApp(config)

On disk, for the real `taskdeck` command (see `write_config_dir`)::

    paths = write_config_dir(tmp_path, [smint_profile("acme", sim)], {"Main": [ref, ...]})
    env = {"TASKDECK_CONFIG_DIR": str(paths.config_dir), "TASKDECK_STATE_DIR": str(paths.state_dir)}
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import tomli_w

from tui.core.config import Config, ProviderConfig, WatchList
from tui.core.model import TaskRef
from tui.core.paths import Paths
from tui.core.providers_write import provider_table
from tui.core.watchlists import FollowedInstance, WatchlistsFile, dumps
from tui.simulator import credentials as cred

Lists = Mapping[str, Sequence[TaskRef]]

# -- provider profiles ------------------------------------------------------------------------------


def smint_profile(name: str, base_url: str, *, auth: Mapping[str, Any] | None = None, **settings: Any) -> ProviderConfig:
    """A Smint profile; `base_url` is the simulator's root (the /frontend/v1 suffix is added)."""
    return ProviderConfig(name=name, kind="smint", base_url=f"{base_url.rstrip('/')}/frontend/v1",
                          auth=dict(auth or {"type": "bearer", "token": cred.SMINT_TOKEN}), **settings)


def huawei_profile(name: str, kind: str, base_url: str, *, auth: Mapping[str, Any] | None = None,
                   **settings: Any) -> ProviderConfig:
    """A Huawei DMS ("huawei-dms") or APIG ("huawei-apig") profile with the simulator's project id."""
    return ProviderConfig(name=name, kind=kind, base_url=base_url.rstrip("/"), project_id=cred.PROJECT_ID,
                          auth=dict(auth or {"type": "token", "token": cred.HW_TOKEN}), **settings)


def deck_config(providers: Iterable[ProviderConfig], lists: Lists,
                follows: Mapping[str, Sequence[tuple[str, str]]] | None = None) -> Config:
    """An in-memory Config (nothing is ever written) for `TaskdeckApp(config, ...)`."""
    return Config.in_memory(list(providers), _watch_lists(lists, follows))


def _watch_lists(lists: Lists, follows: Mapping[str, Sequence[tuple[str, str]]] | None) -> list[WatchList]:
    names = list(lists) + [n for n in (follows or {}) if n not in lists]
    return [WatchList(name=name, tasks=list(lists.get(name, ())),
                      instances=[FollowedInstance(p, i) for p, i in (follows or {}).get(name, ())])
            for name in names]


# -- config directories for the real command ------------------------------------------------------------


def write_config_dir(root: Path, providers: Iterable[ProviderConfig], lists: Lists,
                     follows: Mapping[str, Sequence[tuple[str, str]]] | None = None) -> Paths:
    """Write providers.toml and watchlists.toml under root/config (mode 0600, so inline secrets are
    accepted), with root/state as the state dir. Point the app at them with `env_for(paths)`."""
    config_dir, state_dir = root / "config", root / "state"
    for directory in (config_dir, state_dir):
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
    paths = Paths(config_dir, state_dir, "TASKDECK_CONFIG_DIR", "TASKDECK_STATE_DIR")
    text = tomli_w.dumps({"providers": {p.name: provider_table(p) for p in providers}})
    _write_private(paths.providers, text)
    _write_private(paths.watchlists, dumps(WatchlistsFile(lists=_watch_lists(lists, follows))))
    return paths


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def env_for(paths: Paths) -> dict[str, str]:
    return {"TASKDECK_CONFIG_DIR": str(paths.config_dir), "TASKDECK_STATE_DIR": str(paths.state_dir)}


# -- Pilot ---------------------------------------------------------------------------------------------------


def screen_text(app: Any) -> str:
    """The composed screen as plain text (what a terminal would show, without colours)."""
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


async def wait_until(pilot: Any, condition: Callable[[], Any], timeout: float = 15.0, what: str = "",
                     show: Callable[[], Any] | None = None) -> None:
    """Let the app run until `condition()` is true; AssertionError after `timeout` seconds
    (with `show()` in the message, to tell what was there instead)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            seen = f"; found {show()!r}" if show is not None else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what or condition}{seen}")
        await pilot.pause(0.05)


async def until(condition: Callable[[], Any], timeout: float = 15.0, what: str = "") -> None:
    """The same without an app: poll `condition()` on the running loop."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what or condition}")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def run_app(app: Any, size: tuple[int, int] = (200, 50), **kwargs: Any) -> AsyncIterator[Any]:
    """`app.run_test(...)` that always stops the app's engine thread, even when the test fails
    (a running engine thread would keep the test process from exiting)."""
    try:
        async with app.run_test(size=size, **kwargs) as pilot:
            try:
                yield pilot
            finally:
                app.engine.stop()
    finally:
        app.engine.stop()


def record_notifications(app: Any) -> list[tuple[str, str, str]]:
    """Record every `app.notify(...)` as (severity, title, message), toasts shown or not."""
    from textual.notifications import Notify

    seen: list[tuple[str, str, str]] = []
    original = app.post_message

    def post_message(message: Any) -> bool:
        # app.notify and the toaster's notes updated in place both arrive as a Notify message.
        if isinstance(message, Notify):
            n = message.notification
            seen.append((n.severity, n.title, n.message))
        return bool(original(message))

    app.post_message = post_message
    return seen


def row_text(app: Any, key: str) -> str:
    """The plain text of a task's row in the table ("" if it has none)."""
    from tui.widgets.table_rows import cell_text

    row = app.table.get_row(key)
    return " | ".join(cell_text(c) for c in row.cells) if row is not None else ""


async def wait_rows(pilot: Any, app: Any, keys: Iterable[str], text: str, timeout: float = 15.0) -> None:
    """Wait until the row of every key contains `text`."""
    keys = list(keys)
    await wait_until(pilot, lambda: all(text in row_text(app, k) for k in keys), timeout,
                     what=f"{text!r} on {len(keys)} row(s)",
                     show=lambda: [row_text(app, k) for k in keys if text not in row_text(app, k)])


def sidebar_text(app: Any) -> str:
    """Every sidebar label, one per line."""
    lines: list[str] = []

    def walk(node: Any) -> None:
        lines.append(node.label.plain)
        for child in node.children:
            walk(child)

    walk(app.sidebar.root)
    return "\n".join(lines)


class Heartbeat:
    """How long the event loop goes without running: a task wakes every `period` seconds and records
    the longest gap between wake-ups (minus the period). Use it inside a running app (Pilot test):
    the app's UI runs on the same loop, so a long gap is a frozen UI. `stalls` lists gaps longer
    than `report` seconds as (seconds since start, gap). Call `stop()` at the end."""

    def __init__(self, period: float = 0.005, report: float = 0.05) -> None:
        self.period = period
        self.report = report
        self.longest = 0.0
        self.ticks = 0
        self.stalls: list[tuple[float, float]] = []
        self._start = self._last = time.perf_counter()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            now = time.perf_counter()
            gap = now - self._last - self.period
            if gap > self.report:
                self.stalls.append((round(self._last - self._start, 3), round(gap, 3)))
            self.longest = max(self.longest, gap)
            self._last = now
            self.ticks += 1

    def reset(self) -> None:
        self.longest, self.ticks, self.stalls = 0.0, 0, []
        self._start = self._last = time.perf_counter()

    def stop(self) -> None:
        self._task.cancel()


def record_layouts(widget: Any) -> list[bool]:
    """From now on, whether each `widget.refresh(...)` asked for a layout of the screen."""
    layouts: list[bool] = []
    original = widget.refresh

    def refresh(*regions: Any, **kwargs: Any) -> Any:
        layouts.append(bool(kwargs.get("layout")))
        return original(*regions, **kwargs)

    widget.refresh = refresh
    return layouts
