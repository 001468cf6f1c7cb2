"""A key typed into the filter over 10,000 rows, in the real app in a pseudo terminal, polling paused.

    /work/venv/bin/python bench/bench_filter.py [--quick] [--json]

`python -m tui` runs in a 160x50 pty exactly as in bench_startup.py (same config:
one Smint profile on the simulator, a 10,000-task watch list). Once every task has
been read (the header says "10000 running"), "p" pauses polling; when the "Polling
paused" notice has gone and the terminal is quiet, "/" opens the filter and keys are
typed one at a time. (Pausing at the first frame instead left the table in whatever
state polling had reached by then, from no task read to all of them, and so measured
different keys from run to run: with none read, "r" matched no row, and a key that
empties the table, or fills it again, is drawn in two frames, the detail pane ~30 ms
after the rows.)

A key is timed from writing it to the pty to the last byte of terminal output it
caused: output is read until the terminal has been quiet for QUIET seconds, and the
time of the last byte read is the end. That is what a person sees: the filtered
table fully drawn. (The input's cursor blinks every 0.5 s, and each key restarts
that timer, so a blink does not fall inside the window unless a key takes longer
than ~0.35 s.) Baseline: the same keys with an empty watch list.
"""

from __future__ import annotations

import os
import select
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_startup import quit_app, spawn_app, write_config  # noqa: E402
from common import Figures, create_running_tasks, fig, med, p95, simulator, standalone  # noqa: E402

N_TASKS = 10_000
TARGET_MS = 20.0
QUIET = 0.15  # s of silence that ends a key's output
PAUSE_NOTICE = 3.5  # s: the "Polling paused" notice times out after 3 s
BACKSPACE = b"\x7f"
# "run", three backspaces, "sim", three backspaces: from all rows down to some and back
KEYS = [b"r", b"u", b"n", BACKSPACE, BACKSPACE, BACKSPACE, b"s", b"i", b"m", BACKSPACE, BACKSPACE, BACKSPACE]


def _read_until(fd: int, marker: bytes, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    tail = b""
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError(f"no {marker!r} on screen within {timeout} s")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError("the app closed its terminal")
            tail = tail[-len(marker):] + chunk
            if marker in tail:
                return


def _quiet(fd: int, quiet: float, cap: float = 5.0) -> float | None:
    """Read until no output came for `quiet` s; the perf_counter time of the last byte (None: no output)."""
    last: float | None = None
    deadline = time.perf_counter() + cap
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            return last
        if not os.read(fd, 65536):
            raise RuntimeError("the app closed its terminal")
        last = time.perf_counter()
    return last


def type_keys(config_dir: Path, marker: bytes, presses: int, settled: bytes | None = None) -> list[float]:
    """Start the app, (wait for `settled` on screen,) pause polling, open the filter, type `presses` keys;
    ms per key."""
    pid, fd = spawn_app(config_dir)
    try:
        _read_until(fd, marker, 30.0)
        if settled is not None:  # every task read once: the same table state in every run
            _read_until(fd, settled, 120.0)
        os.write(fd, b"p")
        time.sleep(PAUSE_NOTICE)
        _quiet(fd, 0.3)
        os.write(fd, b"/")
        _quiet(fd, 0.3)
        times: list[float] = []
        for i in range(presses):
            key = KEYS[i % len(KEYS)]
            t0 = time.perf_counter()
            os.write(fd, key)
            end = _quiet(fd, QUIET)
            if end is None:
                raise RuntimeError(f"key {key!r} drew nothing")
            times.append((end - t0) * 1000)
        os.write(fd, b"\x1b")  # clear the filter and leave the input, so q quits
        _quiet(fd, 0.3)
        quit_app(pid, fd)
        return times
    finally:
        try:
            os.close(fd)
        except OSError:
            pass


def run(quick: bool) -> Figures:
    presses = 24 if quick else 60
    with simulator() as sim, tempfile.TemporaryDirectory() as tmp:
        ids = create_running_tasks(sim, N_TASKS)
        big, small = Path(tmp) / "big", Path(tmp) / "empty"
        big.mkdir()
        small.mkdir()
        write_config(big, sim.base_url, ids)
        write_config(small, sim.base_url, [])
        empty = type_keys(small, b"Progress", presses)
        full = type_keys(big, ids[0][:8].encode(), presses, settled=f"{N_TASKS} running".encode())
    value = p95(full)
    return {
        "filter_key_pty_10k_p95": fig(value, "ms", f"<= {TARGET_MS:.0f} ms p95, a key typed into the filter over 10k "
                                      "rows to its last byte on the terminal (real app in a pty, polling paused); "
                                      "baseline: empty watch list", value <= TARGET_MS, baseline=p95(empty)),
        "filter_key_pty_10k_p50": fig(med(full), "ms", "info: median of the same", True, baseline=med(empty)),
        "filter_key_pty_10k_max": fig(max(full), "ms", "info: slowest key of the same", True, baseline=max(empty)),
    }


def main(argv: list[str] | None = None) -> int:
    return standalone(run, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
