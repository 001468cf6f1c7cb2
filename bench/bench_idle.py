"""Idle cost of the real dashboard: 500 watched tasks, all finished, nothing to do.

    /work/venv/bin/python bench/bench_idle.py [--quick] [--json]

A fresh process runs `TaskdeckApp` headless (160x50) with 500 Smint tasks that
finished long ago, on the simulator (its own process on 127.0.0.1). The engine
reads each task once, sees a terminal state and stops polling it. Once the app has
settled (every task read, no flush for 2 s), the process's CPU time (all threads,
from /proc) is measured over 30 s (10 s with --quick) and given as a share of one
core, with the thread engine and with the process engine (CPU of the UI process
and its engine child). Baseline: an empty Textual `App` idling headless in a
process of its own, run alongside. The simulator's request count over the window
shows whether anything was still polled.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import (  # noqa: E402
    BENCH,
    REPO,
    Figures,
    create_finished_tasks,
    fig,
    proc_cpu_seconds,
    simulator,
    smint_profile,
)

N_TASKS = 500
TARGET = 0.01  # of one core
SIZE = (160, 50)


async def _app_idle(base_url: str, ids: list[str], seconds: float, engine_kind: str,
                    requests: Callable[[], int]) -> dict[str, Any]:
    from bench_latency import install_engine

    from tui.app import TaskdeckApp
    from tui.core.config import Config, WatchList
    from tui.core.model import TaskRef
    from tui.sources import build_sources

    profile = smint_profile(base_url, interval=2.0)
    config = Config.in_memory([profile], [WatchList(name="bench", tasks=[TaskRef("sim", i) for i in ids])])
    factory = functools.partial(build_sources, [profile])
    app = TaskdeckApp(config, sources_factory=factory)
    install_engine(app, engine_kind, factory)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        deadline = time.monotonic() + 60
        last_flushes, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            done = sum(1 for s in app.board.snapshots.values() if s.finished)
            if app.flushes != last_flushes:
                last_flushes, quiet_since = app.flushes, time.monotonic()
            if done >= len(ids) and time.monotonic() - quiet_since >= 2.0:
                break
            await asyncio.sleep(0.1)
        child = getattr(app.engine, "pid", None)
        pids: list[int | str] = ["self"] + ([child] if child else [])
        c0 = sum(proc_cpu_seconds(p) for p in pids)
        f0 = app.flushes
        r0 = requests()
        t0 = time.perf_counter()
        await asyncio.sleep(seconds)
        elapsed = time.perf_counter() - t0
        cpu = sum(proc_cpu_seconds(p) for p in pids) - c0
        result = {"cpu_share": cpu / elapsed, "flushes": app.flushes - f0, "finished": done,
                  "requests": requests() - r0}
        app.engine.stop()
    return result


async def _empty_idle(seconds: float) -> dict[str, Any]:
    from textual.app import App

    app: App[None] = App()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await asyncio.sleep(1.0)
        c0 = proc_cpu_seconds()
        t0 = time.perf_counter()
        await asyncio.sleep(seconds)
        return {"cpu_share": (proc_cpu_seconds() - c0) / (time.perf_counter() - t0)}


def child(args: argparse.Namespace) -> dict[str, Any]:
    if args.empty:
        return asyncio.run(_empty_idle(args.seconds))
    with simulator() as sim:
        ids = create_finished_tasks(sim, N_TASKS)
        return asyncio.run(_app_idle(sim.base_url, ids, args.seconds, args.engine,
                                     lambda: int(sim.stats()["total_requests"])))


def _spawn(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(BENCH / "bench_idle.py"), "--child", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


def _result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=300)
    lines = out.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"bench_idle child failed ({proc.returncode}):\n{err[-3000:]}")
    return dict(json.loads(lines[-1]))


def run(quick: bool) -> Figures:
    seconds = 10.0 if quick else 30.0
    # All three idle side by side: idle processes do not disturb each other's CPU time.
    baseline = _spawn(["--empty", "--seconds", str(seconds + 15)])
    thread = _spawn(["--seconds", str(seconds), "--engine", "thread"])
    process = _spawn(["--seconds", str(seconds), "--engine", "process"])
    app, app_process, base = _result(thread), _result(process), _result(baseline)
    out: Figures = {}
    for name, res in (("thread", app), ("process", app_process)):
        value = res["cpu_share"] * 1000  # CPU milliseconds per second; 10 ms/s is 1 % of one core
        out[f"idle_500_finished_cpu_{name}"] = fig(
            value, "ms/s", f"<= {TARGET * 1000:.0f} ms CPU per s (1 % of one core) over {seconds:.0f} s, 500 "
            f"finished tasks ({name} engine); baseline: empty Textual app", res["cpu_share"] <= TARGET,
            baseline=base["cpu_share"] * 1000)
        out[f"idle_{name}_requests"] = fig(res["requests"], "requests", f"0: nothing polled while idle ({name} engine)",
                                           res["requests"] == 0 and res["finished"] >= N_TASKS)
    out["idle_flushes"] = fig(app["flushes"], "flushes", "info: UI flushes while idle (thread engine)", True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--empty", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="thread", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=30.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args)))
        return 0
    print(json.dumps(run(args.quick), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
