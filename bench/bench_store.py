"""The history store: its size, what it saves at start, and what its writes cost the UI thread.

    python bench/bench_store.py [--quick] [--json]

- store_size_10k: the file (and its WAL) after 10,000 finished tasks, each with a result of ~700 bytes
  as the simulator's Smint exports have, and three state changes each.
- start_requests_90pct_finished: requests sent at start for a list that is 90 % finished, with the store
  (the engine as the dashboard runs it, thread kind) beside the same start without one (today's
  behaviour: every task read again), counted until every running task has been read.
- ui_stall_store_writes: delays over 16 ms of a 4 ms timer on this process's event loop (the UI thread's
  stand-in) while the engine side writes 1,000 updates/s to the store, beside the same feed with no store
  (a shared 2-core machine stalls now and then by itself; the store must not add to it).
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import (  # noqa: E402
    Figures,
    create_finished_tasks,
    create_running_tasks,
    fig,
    simulator,
    smint_profile,
    standalone,
)

from tui.core.engine import Engine, _CollectingSink  # noqa: E402
from tui.core.model import TaskRef, TaskSnapshot, TaskState  # noqa: E402
from tui.core.recorder import Recorder  # noqa: E402
from tui.core.store import Store  # noqa: E402
from tui.sources import build_sources  # noqa: E402

SIZE_TARGET_MB = 32.0
STALL_TARGET_MS = 16.0
RESULT = {"url": "https://cdn.example.com/exports/2026/11/29/catalogue-export-0001.zip",
          "files": [f"asset-{i:04d}.jpg" for i in range(30)], "bytes": 123456789}


def store_size(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        location = str(Path(tmp) / "history.sqlite3")
        store = Store.open(location)
        refs = [TaskRef("sim", f"{i:08d}-0000-4000-8000-000000000000", label="bench") for i in range(n)]
        t0 = 1_790_000_000.0
        for step, state in enumerate((TaskState.PENDING, TaskState.RUNNING, TaskState.SUCCEEDED)):
            for start in range(0, n, 1000):
                store.record([TaskSnapshot(ref=r, state=state, progress=50.0 * step, fetched_at=t0 + step * 60,
                                           title="export", summary="export of 30 assets",
                                           result=RESULT if state is TaskState.SUCCEEDED else None)
                              for r in refs[start:start + 1000]])
        store.close()
        return sum(os.path.getsize(location + s) for s in ("", "-wal") if os.path.exists(location + s)) / 1e6


def _take_until(engine: Engine, keys: set[str], timeout: float = 120.0) -> None:
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while not keys <= seen:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(keys - seen)} tasks not read in time")
        batch = engine.take()
        seen.update(k for k, s in batch.snapshots.items() if not s.remembered)
        time.sleep(0.02)


def _start(sim: Any, store: str | None) -> tuple[Engine, threading.Thread]:
    engine = Engine(functools.partial(build_sources, [smint_profile(sim.base_url, interval=30, concurrency=32)]),
                    store=store)
    thread = threading.Thread(target=engine.run, daemon=True)
    thread.start()
    engine.wait_ready(30)
    return engine, thread


def _stop(engine: Engine, thread: threading.Thread) -> None:
    engine.stop()
    thread.join(30)


def start_requests(n: int) -> tuple[int, int]:
    """(requests with the store, requests without) at start for a list of n tasks, 90 % finished."""
    with simulator() as sim, tempfile.TemporaryDirectory() as tmp:
        finished = create_finished_tasks(sim, n - n // 10)
        running = create_running_tasks(sim, n // 10)
        refs = [TaskRef("sim", i) for i in finished + running]
        keys = {r.key for r in refs}
        running_keys = {TaskRef("sim", i).key for i in running}
        location = str(Path(tmp) / "history.sqlite3")

        engine, thread = _start(sim, location)  # an earlier run that saw them all
        engine.add(refs)
        _take_until(engine, keys)
        _stop(engine, thread)

        def requests() -> int:
            return sum(1 for e in sim.requests() if e["task_id"])

        sim.clear_log()
        engine, thread = _start(sim, None)  # today: nothing remembered
        engine.add(refs)
        _take_until(engine, keys)
        _stop(engine, thread)
        without = requests()

        sim.clear_log()
        engine, thread = _start(sim, location)
        engine.add(refs)
        _take_until(engine, running_keys)
        _stop(engine, thread)
        return requests(), without


async def _stall(feed: Any, seconds: float) -> list[float]:
    """Delays (ms) of a 4 ms timer while `feed` runs in another thread."""
    stop = threading.Event()
    feeder = threading.Thread(target=feed, args=(stop,), daemon=True)
    delays: list[float] = []
    feeder.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        await asyncio.sleep(0.004)
        delays.append((time.perf_counter() - t0 - 0.004) * 1000)
    stop.set()
    feeder.join(10)
    return delays


def ui_stall(seconds: float, rate: int = 1000) -> tuple[list[float], list[float], int]:
    """(timer delays in ms with the store, the same without, snapshots written)."""
    written = [0]

    def feeder(sink: Any) -> Any:
        def feed(stop: threading.Event) -> None:
            refs = [TaskRef("sim", f"task-{i}") for i in range(10_000)]
            i = 0
            t0 = time.perf_counter()
            while not stop.is_set():
                due = t0 + i / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                ref = refs[i % len(refs)]
                state = TaskState.SUCCEEDED if i % 7 == 0 else TaskState.RUNNING
                sink.snapshot(TaskSnapshot(ref=ref, state=state, progress=float(i % 100), fetched_at=time.time(),
                                           summary="export of 30 assets",
                                           result=RESULT if state is TaskState.SUCCEEDED else None))
                i += 1
            written[0] = i
        return feed

    with tempfile.TemporaryDirectory() as tmp:
        inner = _CollectingSink(lambda: None)
        recorder = Recorder(Store.open(str(Path(tmp) / "history.sqlite3")), inner)
        with_store = asyncio.run(_stall(feeder(recorder), seconds))
        recorder.close()
    plain = asyncio.run(_stall(feeder(_CollectingSink(lambda: None)), seconds))
    return with_store, plain, written[0]


def run(quick: bool) -> Figures:
    size = store_size(10_000)
    with_store, without = start_requests(1_000 if quick else 10_000)
    delays, base_delays, written = ui_stall(5.0 if quick else 15.0)
    over, base_over = (sum(1 for d in ds if d > STALL_TARGET_MS) for ds in (delays, base_delays))
    ratio = with_store / without if without else float("nan")
    return {
        "store_size_10k": fig(size, "MB", f"<= {SIZE_TARGET_MB:g} MB for 10,000 finished tasks with results",
                              size <= SIZE_TARGET_MB),
        "start_requests_90pct_finished": fig(with_store, "requests", "<= 0.1 x the start without a store "
                                             "(list 90 % finished)", ratio <= 0.1, baseline=without),
        "ui_stall_store_writes": fig(over, "stalls", f"no event-loop stall over {STALL_TARGET_MS:g} ms caused by "
                                     f"~1,000 store updates/s ({written} written): no more than the same feed "
                                     "without a store (this machine's own noise)", over <= base_over,
                                     baseline=base_over),
        "ui_stall_store_writes_max": fig(max(delays), "ms", "info: longest timer delay with the store "
                                         "(baseline: without)", True, baseline=max(base_delays)),
    }


def main(argv: list[str] | None = None) -> int:
    return standalone(run, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
