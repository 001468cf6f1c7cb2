"""Run every taskdeck benchmark and print each figure beside its baseline.

    python bench/run.py            # full run (several minutes)
    python bench/run.py --quick    # short run (about 3 minutes)
    python bench/run.py --json     # the same figures as one JSON object, nothing else on stdout
    python bench/run.py --only poller,table

Benchmarks assert nothing: each figure is measured beside a baseline taken in the
same run and given as a ratio, because this kind of machine is noisy (2 cores,
shared). A figure is {"value", "unit", "baseline", "ratio", "target", "met"};
"met" compares the value with the target written in "target". Progress goes to
stderr. Exit status 0 when every target is met, 1 otherwise.

Modules (each exposes `run(quick) -> dict`, and runs on its own too):
    table     bench_table.py    TaskTable at 10k rows: 5 % cycle vs rebuild, filter, key latency (in process)
    poller    bench_poller.py   engine vs bare asyncio loop on the same client, against the simulator
    latency   bench_latency.py  real app, 10k tasks, ~1,000 updates/s: key to frame, UI stalls, full GC pauses,
                                UI CPU (thread and process engine)
    filter    bench_filter.py   real app in a pty, 10k tasks, polling paused: a key typed into the filter to its
                                last byte on the terminal
    memory    bench_memory.py   real app RSS with 10k tasks vs 0
    idle      bench_idle.py     real app with 500 finished tasks: CPU share vs an empty Textual app
    startup   bench_startup.py  `python -m tui` in a pty to the first frame with rows, 10k tasks vs empty
    store     bench_store.py    history store: size at 10k tasks, requests at start (90 % finished), UI stall
    decode    bench_decode.py   a 5 MB Swagger export decoded vs two json.loads; a 20 MB string kept as is
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import fig, load_average  # noqa: E402

MODULES: dict[str, str] = {
    "table": "bench_table",
    "poller": "bench_poller",
    "latency": "bench_latency",
    "filter": "bench_filter",
    "memory": "bench_memory",
    "idle": "bench_idle",
    "startup": "bench_startup",
    "store": "bench_store",
    "decode": "bench_decode",
}


def _num(value: Any, width: int) -> str:
    if value is None:
        return "-".rjust(width)
    return f"{value:{width}.3g}" if abs(value) < 1000 else f"{value:{width}.0f}"


def print_table(figures: dict[str, dict[str, Any]], sections: dict[str, list[str]]) -> None:
    print(f"{'':5}{'figure':42}{'value':>9} {'unit':9}{'baseline':>9}{'ratio':>8}  target")
    for section, names in sections.items():
        print(f"--- {section}")
        for name in names:
            f = figures[name]
            mark = "ok" if f["met"] else "MISS"
            print(f"{mark:5}{name:42}{_num(f['value'], 9)} {f['unit']:9}{_num(f['baseline'], 9)}"
                  f"{_num(f['ratio'], 8)}  {f['target']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short run (about 3 minutes)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(MODULES)}")
    args = parser.parse_args(argv)
    chosen = [m.strip() for m in args.only.split(",") if m.strip()] or list(MODULES)
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    figures: dict[str, dict[str, Any]] = {}
    sections: dict[str, list[str]] = {}
    load_before = load_average()
    started = time.perf_counter()
    for name in chosen:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        module = importlib.import_module(MODULES[name])
        try:
            result = module.run(args.quick)
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            print(f"[bench] {name} failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            result = {f"{name}_failed": fig(float("nan"), "", f"the benchmark raised {type(exc).__name__}", False)}
        for key, value in result.items():
            if key == "machine_load_1min":
                continue  # reported once below
            figures[key] = value
            sections.setdefault(name, []).append(key)
        print(f"[bench] {name} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    cpus = os.cpu_count() or 1
    load = max(load_before, load_average())
    figures["machine_load_1min"] = fig(load, "runnable", f"info: {cpus} CPUs; wall-clock figures are inflated "
                                       "when this exceeds the CPU count", True)
    sections.setdefault("machine", []).append("machine_load_1min")
    print(f"[bench] all done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_table(figures, sections)
        missed = [name for name, f in figures.items() if not f["met"]]
        print(f"\n{len(figures) - len(missed)} of {len(figures)} figures meet their target"
              + (f"; missed: {', '.join(missed)}" if missed else ""))
    return 0 if all(f["met"] for f in figures.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
