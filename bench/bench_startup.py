"""Start-up as a user sees it: from `taskdeck` to the first painted table of a 10,000-task watch list.

    /work/venv/bin/python bench/bench_startup.py [--quick] [--json]

`python -m tui` (what the `taskdeck` console script runs) is spawned in a pseudo
terminal of 160x50 (TERM=xterm-256color) with TASKDECK_CONFIG_DIR and
TASKDECK_STATE_DIR pointing at a temporary directory that holds providers.toml
(one Smint profile on the simulator, a process of its own on 127.0.0.1) and
watchlists.toml. The clock stops when the terminal output first contains the id
of the first task in the list, i.e. the first frame that shows table rows; then
"q" quits the app. Baseline: the same with an empty watch list, timed to the first
frame that shows the table's header.

`--profile` instead prints where the start-up time goes (cProfile of the app's
start in this process, headless, until the first frame).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tomli_w  # noqa: E402
from common import REPO, Figures, create_finished_tasks, create_running_tasks, fig, med, simulator  # noqa: E402

from tui.simulator import credentials as cred  # noqa: E402

N_TASKS = 10_000
COLS, ROWS = 160, 50
TARGET_S = 1.5
TOKEN_ENV = "TASKDECK_BENCH_TOKEN"
APP_DIR = REPO  # where `python -m tui` runs; --app-dir measures another checkout


def write_config(directory: Path, base_url: str, ids: list[str]) -> None:
    providers = {"providers": {"sim": {
        "kind": "smint", "base_url": f"{base_url}/frontend/v1", "interval": 10,
        "auth": {"type": "bearer", "token_env": TOKEN_ENV}}}}
    (directory / "providers.toml").write_text(tomli_w.dumps(providers))
    lists = {"version": 1, "watchlist": [{"name": "bench", "task": [{"provider": "sim", "id": i} for i in ids]}]}
    (directory / "watchlists.toml").write_text(tomli_w.dumps(lists))


def spawn_app(config_dir: Path, extra_env: dict[str, str] | None = None) -> tuple[int, int]:
    """Start `python -m tui` in a pseudo terminal of COLS x ROWS; returns (pid, the pty's fd)."""
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8",
           "TASKDECK_CONFIG_DIR": str(config_dir), "TASKDECK_STATE_DIR": str(config_dir / "state"),
           TOKEN_ENV: cred.SMINT_TOKEN, "COLUMNS": str(COLS), "LINES": str(ROWS), **(extra_env or {})}
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the app
        try:
            os.chdir(APP_DIR)
            os.execve(sys.executable, [sys.executable, "-m", "tui"], env)
        finally:
            os._exit(127)
    import fcntl

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    return pid, fd


def time_first_paint(config_dir: Path, marker: bytes, timeout: float = 30.0,
                     extra_env: dict[str, str] | None = None) -> float:
    """Seconds from spawning `python -m tui` in a pty to `marker` appearing in its output."""
    t0 = time.perf_counter()
    pid, fd = spawn_app(config_dir, extra_env)
    try:
        buf = b""
        found: float | None = None
        deadline = t0 + timeout
        while found is None:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no {marker!r} on screen within {timeout} s")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                raise RuntimeError("the app exited before painting: " + buf[-2000:].decode(errors="replace")) from None
            if not chunk:
                raise RuntimeError("the app closed its terminal before painting")
            buf = buf[-len(marker):] + chunk
            if marker in buf:
                found = time.perf_counter() - t0
        quit_app(pid, fd)
        return found
    finally:
        try:
            os.close(fd)
        except OSError:
            pass


QUIT_TIMES: list[float] = []  # seconds from "q" to the app's exit


def quit_app(pid: int, fd: int) -> None:
    """Press q and read the terminal until the app has exited (killed after 10 s)."""
    os.write(fd, b"q")
    _drain_until_exit(pid, fd, 10.0)


def _drain_until_exit(pid: int, fd: int, timeout: float) -> None:
    t0 = time.monotonic()
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            QUIT_TIMES.append(time.monotonic() - t0)
            return
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)


def remember_finished(directory: Path, ids: list[str]) -> None:
    """A history store in the config's state dir that remembers every task as succeeded an hour ago."""
    from tui.core.model import TaskRef, TaskSnapshot, TaskState
    from tui.core.store import Store

    store = Store.open(str(directory / "state" / "history.sqlite3"))
    seen = time.time() - 3600
    for start in range(0, len(ids), 1000):
        store.record([TaskSnapshot(ref=TaskRef("sim", i), state=TaskState.SUCCEEDED, progress=100.0,
                                   summary="export of 30 assets", result={"url": f"https://cdn.example/{i}.zip"},
                                   fetched_at=seen) for i in ids[start:start + 1000]])
    store.close()


def run(quick: bool) -> Figures:
    reps = 2 if quick else 5
    full: list[float] = []
    empty: list[float] = []
    remembered: list[float] = []
    with simulator() as sim, tempfile.TemporaryDirectory() as tmp:
        ids = create_running_tasks(sim, N_TASKS)
        big, small, known = Path(tmp) / "big", Path(tmp) / "empty", Path(tmp) / "remembered"
        big.mkdir()
        small.mkdir()
        known.mkdir()
        write_config(big, sim.base_url, ids)
        write_config(small, sim.base_url, [])
        finished = create_finished_tasks(sim, N_TASKS)
        write_config(known, sim.base_url, finished)
        remember_finished(known, finished)
        first_row = ids[0][:8].encode()
        header = b"Progress"
        time_first_paint(small, header)  # warm the file system cache and .pyc files
        for _ in range(reps):
            empty.append(time_first_paint(small, header))
            full.append(time_first_paint(big, first_row))
            # the first frame with a remembered state on screen (a succeeded row: "✔")
            remembered.append(time_first_paint(known, "✔".encode()))
    value, base = med(full), med(empty)
    known_value = med(remembered)
    return {
        "startup_10k_remembered_rows": fig(known_value, "s", f"<= {TARGET_S} s and no slower than the 10k start: "
                                           "spawn to the first frame with remembered states (10k finished tasks "
                                           "in the history store)", known_value <= max(TARGET_S, value * 1.1),
                                           baseline=value),
        "startup_10k_first_rows": fig(value, "s", f"<= {TARGET_S} s from spawn to the first frame with rows "
                                      "(10k-task watch list, real pty)", value <= TARGET_S, baseline=base),
        "startup_empty_first_paint": fig(base, "s", "baseline: same, empty watch list, first frame with the "
                                         "table header", True),
        "startup_10k_cost": fig(value - base, "s", "info: what 10k tasks add to the start-up", True),
        "quit_time_max": fig(max(QUIT_TIMES, default=float("nan")), "s",
                             "info: slowest exit after pressing q (10 s means it had to be killed)", True),
    }


def profile_startup(n: int) -> None:
    """Where the start-up of the dashboard goes, headless in this process (cProfile)."""
    import asyncio
    import cProfile
    import pstats

    with simulator() as sim, tempfile.TemporaryDirectory() as tmp:
        ids = create_running_tasks(sim, n) if n else []
        write_config(Path(tmp), sim.base_url, ids)
        os.environ.update({"TASKDECK_CONFIG_DIR": tmp, "TASKDECK_STATE_DIR": tmp, TOKEN_ENV: cred.SMINT_TOKEN})
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        profiler.enable()
        from tui.app import TaskdeckApp
        from tui.core.config import load_config

        config = load_config()
        app = TaskdeckApp(config)

        async def main() -> None:
            async with app.run_test(size=(COLS, ROWS)) as pilot:
                await pilot.pause()
                profiler.disable()
                print(f"headless start to first settled frame: {time.perf_counter() - t0:.2f} s")
                app.engine.stop()

        asyncio.run(main())
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", action="store_true", help="profile a headless start instead")
    parser.add_argument("--app-dir", type=Path, default=REPO, help="run `python -m tui` from this checkout")
    args = parser.parse_args(argv)
    global APP_DIR
    APP_DIR = args.app_dir.resolve()
    if args.profile:
        profile_startup(N_TASKS)
        return 0
    figures: dict[str, Any] = run(args.quick)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
