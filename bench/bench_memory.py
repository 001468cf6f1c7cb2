"""Memory of the real dashboard with 10,000 watched tasks, against the same app with none.

    /work/venv/bin/python bench/bench_memory.py [--quick] [--json]

Each measurement is a fresh process running `TaskdeckApp` headless (160x50) with an
in-memory config of N Smint tasks on the simulator (its own process on 127.0.0.1;
small results). The engine polls until every task has been read once and the
table shows it; then the process's RSS is read from /proc (plus the engine child's
with the process engine). Baseline: the same app, same engine, 0 tasks.
Cost per task = (RSS with 10k - RSS with 0) / 10k. The quick run measures the
thread engine only; the process engine's figures come with the full run.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import (  # noqa: E402
    Figures,
    create_running_tasks,
    fig,
    proc_rss_mb,
    run_child,
    simulator,
    smint_profile,
)

N_TASKS = 10_000
TARGET_MB = 200.0
SIZE = (160, 50)


async def _measure(base_url: str, ids: list[str], engine_kind: str, timeout: float) -> dict[str, Any]:
    from bench_latency import install_engine

    from tui.app import TaskdeckApp
    from tui.core.config import Config, WatchList
    from tui.core.model import TaskRef
    from tui.sources import build_sources

    profile = smint_profile(base_url, interval=10.0)
    config = Config.in_memory([profile], [WatchList(name="bench", tasks=[TaskRef("sim", i) for i in ids])])
    factory = functools.partial(build_sources, [profile])
    app = TaskdeckApp(config, sources_factory=factory)
    install_engine(app, engine_kind, factory)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        deadline = time.monotonic() + timeout
        read = 0
        while time.monotonic() < deadline:
            read = sum(1 for s in app.board.snapshots.values() if s.fetched_at is not None)
            if read >= len(ids):
                break
            await asyncio.sleep(0.25)
        await asyncio.sleep(1.5)  # a few more flushes and frames
        child = getattr(app.engine, "pid", None)
        result = {"rss_ui": proc_rss_mb(), "rss_engine": proc_rss_mb(child) if child else 0.0, "read": read,
                  "rows": app.table.row_count}
        app.engine.stop()
    return result


def child(args: argparse.Namespace) -> dict[str, Any]:
    with simulator() as sim:
        ids = create_running_tasks(sim, args.tasks) if args.tasks else []
        return asyncio.run(_measure(sim.base_url, ids, args.engine, timeout=60))


def run(quick: bool) -> Figures:
    from tui.core.engine_process import engine_kind

    out: Figures = {}
    for kind in (engine_kind(),) if quick else ("thread", "process"):  # quick: the default engine
        empty = run_child("bench_memory.py", ["--child", "--tasks", "0", "--engine", kind], timeout=300)
        full = run_child("bench_memory.py", ["--child", "--tasks", str(N_TASKS), "--engine", kind], timeout=300)
        total, base = full["rss_ui"] + full["rss_engine"], empty["rss_ui"] + empty["rss_engine"]
        per_task_kb = (total - base) * 1024 / N_TASKS
        where = "UI process + engine child" if kind == "process" else "one process"
        out[f"memory_10k_{kind}_rss"] = fig(total, "MB", f"<= {TARGET_MB:.0f} MB RSS, 10k tasks polled ({where})",
                                            total <= TARGET_MB and full["read"] >= N_TASKS, baseline=base)
        out[f"memory_{kind}_per_task"] = fig(per_task_kb, "kB", "info: (RSS 10k - RSS 0 tasks) / 10k", True)
        if kind == "process":
            out["memory_10k_process_ui_rss"] = fig(full["rss_ui"], "MB", "info: the UI process alone", True,
                                                   baseline=empty["rss_ui"])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tasks", type=int, default=N_TASKS, help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="thread", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args)))
        return 0
    print(json.dumps(run(args.quick), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
