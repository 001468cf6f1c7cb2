"""Benchmark the task table (tui/widgets/task_table.py) at 10,000 rows.

    /work/venv/bin/python bench/bench_table.py [--quick] [--json]

Everything runs headless inside `App.run_test(size=(160, 50))`. Times are
perf_counter wall times in ms; a figure is the median of several runs unless its
name says p95/max.

Definitions:
    call   the Python call(s) themselves (they block the event loop), UI-thread CPU time;
    frame  the screen update that follows (layout + render + compose), i.e. the
           `Screen._on_timer_update` call that displayed the first frame after the
           call, UI-thread CPU time (CPU time, not wall time, so that other processes
           on a shared machine do not skew the ratios);
    work   call + frame: what the change costs the UI loop;
    settle from the start of the call to the end of that frame (adds the wait for
           Textual's 60 Hz update timer, which is idle time, not cost).

Figures (see `run`): (a) rebuild = clear + apply all 10k rows on a full table;
(b) a poll cycle that changes 5 % of the rows (500; progress, state and message
change), measured three ways: sorted by id (rows keep their place), sorted by
progress (every changed row moves, so each cycle re-sorts), and re-sorting with
the building of Row objects (make_row + clean) counted on both sides; (c) Textual
DataTable add_rows of the same rows as a reference; (d) a filter keystroke over
10k rows; (e) key (cursor down) to frame latency idle and under ~1,000 row
updates/s applied in 4 flushes per second, and once more with the start-up heap
frozen (gc.freeze) to show how much of the tail is Python's full garbage collection.

`run(quick)` returns {"name": {"value", "unit", "baseline", "ratio", "target", "met"}}
for a top-level runner; `--json` prints that dict.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.text import Text  # noqa: E402
from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

from tui.widgets.table_rows import Column, Row, make_row, state_cell  # noqa: E402
from tui.widgets.task_table import TaskTable  # noqa: E402

N = 10_000
SIZE = (160, 50)
COLUMNS = [
    Column("id", "ID", max_width=12),
    Column("kind", "Kind", max_width=24),
    Column("provider", "Provider"),
    Column("state", "State", max_width=14),
    Column("progress", "Progress", align="right"),
    Column("updated", "Updated"),
    Column("elapsed", "Elapsed", align="right"),
    Column("message", "Message", max_width=60),
]
KINDS = ["export_api", "import_api", "bindInstancePublicIp", "createInstance", "render", "transcode"]
PROVIDERS = ["smint", "dms", "apig"]
STATES = ["pending", "running", "running", "running", "succeeded", "failed", "cancelled"]
WORDS = "upload asset chunk retry queue worker region node bucket video image archive done waiting".split()


Raw = tuple[str, list[str], str, tuple[Any, ...], bool]


def task_values(i: int, gen: int, rng: random.Random) -> Raw:
    """What a poll hands over for one task: (key, cell strings, state, sort keys, stale)."""
    state = rng.choice(STATES)
    progress = rng.randrange(101)
    elapsed = rng.randrange(1, 20_000)
    message = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 9)))
    kind, provider = KINDS[i % len(KINDS)], PROVIDERS[i % len(PROVIDERS)]
    cells = [
        f"{i:08x}",
        kind,
        provider,
        state,
        f"{progress}%",
        f"2026-07-01T{gen % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}",
        f"{elapsed // 3600}h{elapsed % 3600 // 60:02d}m",
        f"{message} #{gen}",
    ]
    return (f"k{i}", cells, state, (i, kind, provider, state, progress, gen, elapsed), rng.random() < 0.02)


def build_row(raw: Raw) -> Row:
    """The app's side: cells cleaned, a state cell with symbol + word."""
    _, cells, state, sort_keys, stale = raw
    return make_row(
        [*cells[:3], state_cell(state), *cells[4:]],
        sort_keys=sort_keys,
        state=state,
        provider=cells[2],
        stale=stale,
    )


def raw_values(keys: list[str], gen: int, seed: int) -> list[Raw]:
    rng = random.Random(seed)
    return [task_values(int(k[1:]), gen, rng) for k in keys]


def build_rows(raw: list[Raw]) -> dict[str, Row]:
    return {r[0]: build_row(r) for r in raw}


def make_rows(keys: list[str], gen: int, seed: int) -> dict[str, Row]:
    return build_rows(raw_values(keys, gen, seed))


# -- frame probe ----------------------------------------------------------------------


class FrameProbe:
    """Records (start, end) of every screen update that displayed a frame."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, float]] = []
        self.cpu: list[float] = []  # UI-thread CPU seconds of each frame in `frames`
        self._displays = 0
        self._saved: list[tuple[type, str, Any]] = []

    def install(self) -> None:
        probe = self
        orig_update = Screen._on_timer_update
        orig_display = App._display

        def on_timer_update(screen: Screen) -> None:
            t0 = time.perf_counter()
            c0 = time.thread_time()
            before = probe._displays
            orig_update(screen)
            if probe._displays != before:
                probe.cpu.append(time.thread_time() - c0)
                probe.frames.append((t0, time.perf_counter()))

        def display(app: App, screen: Screen, renderable: Any) -> None:
            if renderable is not None:
                probe._displays += 1
            orig_display(app, screen, renderable)

        self._saved = [(Screen, "_on_timer_update", orig_update), (App, "_display", orig_display)]
        setattr(Screen, "_on_timer_update", on_timer_update)  # noqa: B010
        setattr(App, "_display", display)  # noqa: B010

    def uninstall(self) -> None:
        for cls, name, value in self._saved:
            setattr(cls, name, value)
        self._saved = []

    async def frame_after(self, t: float, timeout: float = 30.0) -> tuple[float, float, float]:
        """(start, end, cpu seconds) of the first frame that started at or after `t`."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            found = None
            for i in range(len(self.frames) - 1, -1, -1):
                if self.frames[i][0] < t:
                    break
                found = i
            if found is not None:
                start, end = self.frames[found]
                return start, end, self.cpu[found]
            await asyncio.sleep(0.0005)
        raise TimeoutError("no frame")


PROBE = FrameProbe()


class BenchTable(TaskTable):
    moved_at: float | None = None

    def action_cursor_down(self) -> None:
        super().action_cursor_down()
        self.moved_at = time.perf_counter()


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield BenchTable(COLUMNS, id="table")


class DataTableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable(id="dt", cursor_type="row")


async def quiet(seconds: float = 0.15) -> None:
    await asyncio.sleep(seconds)


async def timed(fn: Callable[[], object], maybe_no_frame: bool = False) -> tuple[float, float, float]:
    """(call, frame, settle) in ms for a change made by `fn`.

    call and frame are UI-thread CPU time (robust on a shared machine); settle is wall
    time. With `maybe_no_frame`, a change that draws nothing (no visible row touched)
    counts as frame 0 and settle = call once no frame came within 0.5 s.
    """
    t0 = time.perf_counter()
    c0 = time.thread_time()
    fn()
    c1 = time.thread_time()
    t1 = time.perf_counter()
    try:
        _, f1, frame_cpu = await PROBE.frame_after(t1, timeout=0.5 if maybe_no_frame else 30.0)
    except TimeoutError:
        if not maybe_no_frame:
            raise
        return (c1 - c0) * 1000, 0.0, (t1 - t0) * 1000
    return (c1 - c0) * 1000, frame_cpu * 1000, (f1 - t0) * 1000


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fig(value: float, unit: str, target: str, met: bool, baseline: float | None = None) -> dict[str, Any]:
    ratio = None if baseline in (None, 0) else value / baseline  # type: ignore[operator]
    return {
        "value": round(value, 3),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": None if ratio is None else round(ratio, 4),
        "target": target,
        "met": bool(met),
    }


# -- parts ----------------------------------------------------------------------------


async def rebuild_vs_cycle(
    table: TaskTable, keys: list[str], full: dict[str, Row], reps: int, cycles: int, end_to_end: bool
) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """(rebuild runs, cycle runs) as (call, frame, settle) ms.

    With `end_to_end`, building the Row objects from the polled values (make_row,
    clean, state_cell) is part of the call; generating the values never is.
    """
    raw_full = raw_values(keys, 0, seed=1)

    def rebuild_table() -> None:
        table.clear()
        table.apply(build_rows(raw_full) if end_to_end else full)

    rebuild: list[tuple[float, float, float]] = []
    for _ in range(reps):
        rebuild.append(await timed(rebuild_table))
        await quiet()
    rng = random.Random(7)
    runs: list[tuple[float, float, float]] = []
    for gen in range(1, cycles + 1):
        raw = raw_values(rng.sample(keys, len(keys) // 20), gen, seed=gen)
        if end_to_end:
            runs.append(await timed(lambda raw=raw: table.apply(build_rows(raw)), True))  # type: ignore[misc]
        else:
            batch = build_rows(raw)
            runs.append(await timed(lambda batch=batch: table.apply(batch), True))  # type: ignore[misc]
        await quiet()
    return rebuild, runs


def work(run: tuple[float, float, float]) -> float:
    return run[0] + run[1]


def cycle_figures(
    out: dict[str, dict[str, Any]], name: str, rebuild: list[tuple[float, float, float]],
    cycles: list[tuple[float, float, float]], note: str,
) -> None:
    rb, cy = med([work(r) for r in rebuild]), med([work(r) for r in cycles])
    out[f"rebuild_10k{name}_work"] = fig(rb, "ms", f"reference: clear + apply 10k rows ({note})", True)
    out[f"cycle_5pct{name}_work"] = fig(cy, "ms", f"<= 0.1 x rebuild and <= 50 ms ({note})",
                                        cy <= 0.1 * rb and cy <= 50, baseline=rb)
    out[f"cycle_5pct{name}_call"] = fig(med([r[0] for r in cycles]), "ms", "info: apply() alone", True,
                                        baseline=med([r[0] for r in rebuild]))
    out[f"cycle_5pct{name}_frame"] = fig(med([r[1] for r in cycles]), "ms", "info: the frame after", True,
                                         baseline=med([r[1] for r in rebuild]))
    settle = med([r[2] for r in cycles])
    out[f"cycle_5pct{name}_settle"] = fig(settle, "ms", "<= 50 ms wall, incl. wait for the update timer",
                                          settle <= 50, baseline=med([r[2] for r in rebuild]))


async def bench_table(quick: bool, out: dict[str, dict[str, Any]]) -> None:
    keys = [f"k{i}" for i in range(N)]
    full = make_rows(keys, 0, seed=1)
    reps, ncycles = (3, 6) if quick else (5, 12)
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(BenchTable)
        table.sort_by("progress")
        table.focus()
        await pilot.pause()
        await quiet()

        # first paint of 10k rows into the empty, mounted table
        _, _, first_paint = await timed(lambda: table.apply(full))
        await quiet()

        # (a) rebuild vs (b) 5 % cycle, sorted on a column the poll does not change
        table.sort_by("id")
        await quiet()
        rebuild, cycles = await rebuild_vs_cycle(table, keys, full, reps, ncycles, end_to_end=False)
        cycle_figures(out, "", rebuild, cycles, "sorted by id: changed rows keep their place")
        # ... sorted on progress, which every changed row changes: each cycle re-sorts
        table.sort_by("progress")
        await quiet()
        rebuild, cycles = await rebuild_vs_cycle(table, keys, full, reps, ncycles, end_to_end=False)
        cycle_figures(out, "_resort", rebuild, cycles, "sorted by progress: every changed row moves")
        # ... and the same including building the Row objects (make_row + clean)
        rebuild, cycles = await rebuild_vs_cycle(table, keys, full, reps, ncycles, end_to_end=True)
        cycle_figures(out, "_resort_e2e", rebuild, cycles, "re-sorting, Row building included")
        table.clear()
        table.apply(full)
        await quiet()
        rss = rss_mb()

        # (d) filter keystrokes over 10k rows
        filters: list[tuple[float, float, float]] = []
        typed = ["f", "fa", "fai", "fail", "failed", "faile", "", "state:failed", "state:run state:pend",
                 "upload provider:smint", "retry state:failed provider:dms", ""]
        for text in typed[: 8 if quick else len(typed)]:
            filters.append(await timed(lambda text=text: table.set_filter(text)))  # type: ignore[misc]
            await quiet(0.05)

        # (e) key to frame, idle then under load
        async def presses(count: int) -> list[float]:
            result: list[float] = []
            press_rng = random.Random(3)
            driver = app._driver
            assert driver is not None
            for _ in range(count):
                await asyncio.sleep(press_rng.uniform(0.12, 0.3))
                table.moved_at = None
                t0 = time.perf_counter()
                driver.send_message(events.Key("down", None))
                while table.moved_at is None:
                    await asyncio.sleep(0.0005)
                _, end, _ = await PROBE.frame_after(table.moved_at)
                result.append((end - t0) * 1000)
            return result

        count = 10 if quick else 25
        idle = await presses(count)

        applied = 0
        stop = False

        async def load() -> None:
            nonlocal applied
            load_rng = random.Random(11)
            gen = 1000
            per = 250  # 4 flushes/s x 250 = 1,000 updates/s, rows built in the flush
            next_t = time.perf_counter()
            while not stop:
                next_t += 0.25
                await asyncio.sleep(max(0.0, next_t - time.perf_counter()))
                gen += 1
                table.apply(make_rows(load_rng.sample(keys, per), gen, seed=gen))
                applied += per

        task = asyncio.create_task(load())
        await asyncio.sleep(0.6)
        t_load = time.perf_counter()
        applied = 0
        loaded = await presses(count)
        rate = applied / (time.perf_counter() - t_load)
        # the same with the start-up heap frozen, so full collections skip it (an app-level option)
        gc.collect()
        gc.freeze()
        try:
            frozen = await presses(count)
        finally:
            gc.unfreeze()
        stop = True
        await task

    out["first_paint_10k"] = fig(first_paint, "ms", "<= 250 ms wall (apply to first frame)", first_paint <= 250)
    f_work = max(work(r) for r in filters)
    out["filter_keystroke_10k_work_max"] = fig(f_work, "ms", "< 100 ms (set_filter + frame CPU, worst key)",
                                               f_work < 100)
    f_settle = max(r[2] for r in filters)
    out["filter_keystroke_10k_settle_max"] = fig(f_settle, "ms", "< 100 ms wall, set_filter to frame, worst key",
                                                 f_settle < 100)
    out["filter_keystroke_10k_call_med"] = fig(med([r[0] for r in filters]), "ms", "info: set_filter() CPU", True)
    idle50, idle95 = med(idle), p95(idle)
    out["key_to_frame_idle_p50"] = fig(idle50, "ms", "info", True)
    out["key_to_frame_idle_p95"] = fig(idle95, "ms", "info", True)
    out["key_to_frame_load_p50"] = fig(med(loaded), "ms", "info: under load", True, baseline=idle50)
    out["key_to_frame_load_p95"] = fig(p95(loaded), "ms", "< 100 ms under ~1,000 updates/s",
                                       p95(loaded) < 100, baseline=idle95)
    out["key_to_frame_load_gc_frozen_p95"] = fig(p95(frozen), "ms", "info: same load after gc.freeze()", True,
                                                 baseline=p95(loaded))
    out["load_updates_per_s"] = fig(rate, "updates/s", ">= 900 achieved (target 1,000)", rate >= 900)
    out["rss_10k_mb"] = fig(rss, "MB", "<= 150 MB process RSS with 10k rows", rss <= 150)


async def bench_first_paint(n: int) -> float:
    rows = make_rows([f"k{i}" for i in range(n)], 0, seed=1)
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(BenchTable)
        table.sort_by("progress")
        await pilot.pause()
        await quiet()
        _, _, settle = await timed(lambda: table.apply(rows))
    return settle


async def bench_datatable(n: int) -> float:
    rows = make_rows([f"k{i}" for i in range(n)], 0, seed=1)
    cells = [[Text(c if isinstance(c, str) else c[0]) for c in row.cells] for row in rows.values()]
    app = DataTableApp()
    async with app.run_test(size=SIZE) as pilot:
        dt: DataTable[Any] = app.query_one(DataTable)
        for column in COLUMNS:
            dt.add_column(column.label, key=column.key)
        await pilot.pause()
        await quiet()
        t0 = time.perf_counter()
        dt.add_rows(cells)
        while True:
            await asyncio.sleep(0.001)
            if not dt._require_update_dimensions and not dt._new_rows:
                break
        _, end, _ = await PROBE.frame_after(time.perf_counter())
    return (end - t0) * 1000


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


async def _run(quick: bool) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    load_before = load_average()
    PROBE.install()
    try:
        await bench_table(quick, out)
        dt_n = 2_000 if quick else N
        dt_settle = await bench_datatable(dt_n)
        ours = out["first_paint_10k"]["value"] if dt_n == N else await bench_first_paint(dt_n)
        label = f"{dt_n // 1000}k"
        out[f"datatable_add_rows_{label}"] = fig(dt_settle, "ms", "reference (baseline for the decision)", True)
        out[f"first_paint_{label}_vs_datatable"] = fig(ours, "ms", "<= 0.1 x DataTable add_rows settle",
                                                       ours <= 0.1 * dt_settle, baseline=dt_settle)
    finally:
        PROBE.uninstall()
    cpus = os.cpu_count() or 1
    load = max(load_before, load_average())
    out["machine_load_1min"] = fig(load, "runnable", f"info: wall figures are unreliable above {cpus} (CPUs)",
                                   True)
    return out


def run(quick: bool) -> dict[str, dict[str, Any]]:
    """Run the table benchmark; returns figures keyed by name."""
    return asyncio.run(_run(quick))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, DataTable at 2k rows")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = run(args.quick)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for name, f in figures.items():
            ratio = "" if f["ratio"] is None else f"  ratio {f['ratio']:.3f}"
            base = "" if f["baseline"] is None else f"  (baseline {f['baseline']:.1f})"
            mark = "ok  " if f["met"] else "MISS"
            print(f"{mark} {name:34} {f['value']:10.2f} {f['unit']:9}{base}{ratio}  target: {f['target']}")
    load = figures["machine_load_1min"]["value"]
    if load >= (os.cpu_count() or 1):
        print(f"warning: load average {load:.1f} on {os.cpu_count()} CPUs; wall-clock figures are inflated",
              file=sys.stderr)
    return 0 if all(f["met"] for f in figures.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
