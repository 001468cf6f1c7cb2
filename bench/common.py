"""Shared helpers for the benchmarks: figures, statistics, process probes, the simulator, child runs.

Every bench module exposes `run(quick: bool) -> dict[str, Figure]`; a figure is
`{"value", "unit", "baseline", "ratio", "target", "met"}` (see `fig`). Benchmarks
assert nothing: they measure a value and a baseline in the same run, side by side.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tui.core.config import ProviderConfig  # noqa: E402
from tui.simulator import credentials as cred  # noqa: E402
from tui.simulator.process import SimulatorProcess  # noqa: E402

Figure = dict[str, Any]
Figures = dict[str, Figure]

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def fig(value: float, unit: str, target: str, met: bool, baseline: float | None = None,
        ratio: float | None = None) -> Figure:
    """One figure. `ratio` defaults to value / baseline."""
    if ratio is None and baseline not in (None, 0):
        ratio = value / baseline  # type: ignore[operator]
    return {
        "value": round(float(value), 3),
        "unit": unit,
        "baseline": None if baseline is None else round(float(baseline), 3),
        "ratio": None if ratio is None else round(float(ratio), 4),
        "target": target,
        "met": bool(met),
    }


def med(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def p95(values: Sequence[float]) -> float:
    return pct(values, 0.95)


# -- processes ------------------------------------------------------------------------------


def proc_cpu_seconds(pid: int | str = "self") -> float:
    """User + system CPU time of a process (all its threads): /proc, or process_time() for this one."""
    if pid == "self" or pid == os.getpid():
        return time.process_time()
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def run_child(script: str, args: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> Any:
    """Run `python bench/<script> <args>` in a fresh process; its last stdout line is JSON."""
    cmd = [sys.executable, str(BENCH / script), *args]
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=REPO)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{script} {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


# -- the simulator ----------------------------------------------------------------------------


class _Simulator(SimulatorProcess):
    def __init__(self, nice: int) -> None:
        super().__init__(scenario="empty", seed=1)
        self._nice = nice

    def start(self) -> SimulatorProcess:
        started = super().start()
        if self._nice and self.proc is not None and hasattr(os, "setpriority"):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self.proc.pid, self._nice)
        return started


def simulator(nice: int = 0) -> SimulatorProcess:
    """The simulator as its own process on 127.0.0.1, with no tasks: use it as `with simulator() as sim:`.

    `nice` lowers its scheduling priority. The simulator stands in for a remote server, whose CPU is
    not the user's: at ~1,000 requests/s it needs over half a core, and on a 2-core machine it then
    competes with the very process whose responsiveness is measured. A benchmark of the UI under
    load runs it at nice 10, so it gets what taskdeck leaves; one of throughput (the poller) does not.
    """
    return _Simulator(nice)


def create_running_tasks(sim: SimulatorProcess, count: int, *, run: float = 10_000_000.0) -> list[str]:
    """`count` Smint tasks that never finish (outcome "never"); returns their ids."""
    ids: list[str] = []
    while len(ids) < count:
        chunk = min(5_000, count - len(ids))
        tasks = sim.create_tasks("smint", count=chunk, outcome="never", run=run, wait=0, steps=100,
                                 label="bench")
        ids.extend(t["id"] for t in tasks)
    return ids


def create_finished_tasks(sim: SimulatorProcess, count: int) -> list[str]:
    tasks = sim.create_tasks("smint", count=count, outcome="succeed", run=0, wait=0, ago=3600, steps=1,
                             label="done")
    return [t["id"] for t in tasks]


def smint_profile(base_url: str, *, name: str = "sim", interval: float = 1.0, concurrency: int = 16,
                  transport: str = "aiohttp") -> ProviderConfig:
    """A provider profile for the simulator's Smint API (static bearer token)."""
    return ProviderConfig(name=name, kind="smint", base_url=f"{base_url}/frontend/v1", interval=interval,
                          auth={"type": "bearer", "token": cred.SMINT_TOKEN}, concurrency=concurrency,
                          transport=transport)


def wait_until(predicate: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def standalone(run: Any, doc: str | None, argv: list[str] | None = None) -> int:
    """`python bench/bench_X.py [--quick] [--json]`: one module's figures as JSON (bench/run.py runs them all)."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.quick), indent=2))
    return 0
