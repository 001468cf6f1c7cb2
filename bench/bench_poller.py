"""Poller throughput against the simulator: the engine versus a bare asyncio loop on the same client.

    /work/venv/bin/python bench/bench_poller.py [--quick] [--json]

5,000 Smint tasks that never finish are polled at the API's minimum interval (1 s),
so demand (5,000 requests/s) exceeds what one Python client can send and every
variant runs flat out. Requests/s is counted by the simulator (its own process on
127.0.0.1), over a fixed window after a warm-up.

Variants, each in its own event loop, interleaved over the repetitions:
- engine: `tui.core.engine.Engine` (poller in its thread, providers' fetch + parse,
  health, coalescing), the main thread draining batches 4x/s like the dashboard;
- engine-process: `tui.core.engine_process.EngineProcess` (poller in a child process),
  at the bare loop's priority; and as information, with the child at nice CHILD_NICE
  as the dashboard starts it: on a saturated machine (the simulator takes one of two
  cores) background work then yields, which costs it throughput here;
- bare: `concurrency` asyncio tasks each looping `await client.get(path)` then
  `json.loads(body)` over the same ids, on the same `httpx.AsyncClient` as the
  provider builds it (`make_client`: same transport, limits, headers, auth);
- aiohttp: the same bare loop on `aiohttp.ClientSession` alone (the ceiling).
With the full run, the pair (engine, bare) also on httpx's own transport.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import Figures, create_running_tasks, fig, med, proc_cpu_seconds, simulator, smint_profile  # noqa: E402

from tui.core.config import ProviderConfig  # noqa: E402
from tui.core.engine_process import CHILD_NICE  # noqa: E402
from tui.core.model import TaskRef  # noqa: E402
from tui.providers.registry import create_provider  # noqa: E402
from tui.simulator import credentials as cred  # noqa: E402
from tui.simulator.process import SimulatorProcess  # noqa: E402
from tui.sources import build_sources  # noqa: E402

N_TASKS = 5_000
CONCURRENCY = 16
RATIO_TARGET = 0.8


class Window:
    """Requests counted by the simulator and client CPU over one measuring window."""

    def __init__(self, sim: SimulatorProcess, pids: Callable[[], list[int | str]]) -> None:
        self.sim, self.pids = sim, pids

    def __enter__(self) -> Window:
        self.r0 = self.sim.stats()["total_requests"]
        self.c0 = sum(proc_cpu_seconds(p) for p in self.pids())
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self.t0
        self.requests = self.sim.stats()["total_requests"] - self.r0
        self.cpu = sum(proc_cpu_seconds(p) for p in self.pids()) - self.c0

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu / max(1, self.requests)


def bare_httpx(sim: SimulatorProcess, ids: list[str], profile: ProviderConfig, warmup: float,
               seconds: float) -> Window:
    async def main() -> Window:
        provider = create_provider(profile)  # the provider's own client: same transport, limits, auth
        client = provider.client
        stop = False

        async def loop(start: int) -> None:
            i = start
            while not stop:
                response = await client.get(f"/backgroundTasks/{ids[i % len(ids)]}")
                json.loads(response.content)
                i += CONCURRENCY

        tasks = [asyncio.create_task(loop(j)) for j in range(CONCURRENCY)]
        await asyncio.sleep(warmup)
        with Window(sim, lambda: ["self"]) as window:
            await asyncio.sleep(seconds)
        stop = True
        await asyncio.gather(*tasks, return_exceptions=True)
        await provider.aclose()
        return window

    return asyncio.run(main())


def bare_aiohttp(sim: SimulatorProcess, ids: list[str], warmup: float, seconds: float) -> Window:
    import aiohttp

    async def main() -> Window:
        stop = False
        headers = {"Authorization": f"Bearer {cred.SMINT_TOKEN}", "Accept": "application/json"}
        connector = aiohttp.TCPConnector(limit=CONCURRENCY)
        async with aiohttp.ClientSession(f"{sim.base_url}/", connector=connector, headers=headers) as session:

            async def loop(start: int) -> None:
                i = start
                while not stop:
                    async with session.get(f"frontend/v1/backgroundTasks/{ids[i % len(ids)]}") as response:
                        json.loads(await response.read())
                    i += CONCURRENCY

            tasks = [asyncio.create_task(loop(j)) for j in range(CONCURRENCY)]
            await asyncio.sleep(warmup)
            with Window(sim, lambda: ["self"]) as window:
                await asyncio.sleep(seconds)
            stop = True
            await asyncio.gather(*tasks, return_exceptions=True)
        return window

    return asyncio.run(main())


def engine(sim: SimulatorProcess, ids: list[str], profile: ProviderConfig, warmup: float, seconds: float,
           kind: str = "thread", nice: int = 0) -> Window:
    from tui.core.engine_process import EngineProcess, create_engine

    factory = functools.partial(build_sources, [profile])
    eng = EngineProcess(factory, nice=nice) if kind == "process" else create_engine(factory, kind=kind)
    thread = threading.Thread(target=eng.run, name="engine", daemon=True)
    thread.start()
    eng.wait_ready(30)
    eng.add([TaskRef(profile.name, i) for i in ids])
    received = 0

    def drain(duration: float) -> None:  # the dashboard takes batches ~4x/s
        nonlocal received
        end = time.perf_counter() + duration
        while time.perf_counter() < end:
            time.sleep(0.25)
            received += len(eng.take().snapshots)

    def pids() -> list[int | str]:
        child = getattr(eng, "pid", None)
        return ["self"] if child is None else ["self", child]

    drain(warmup)
    with Window(sim, pids) as window:
        drain(seconds)
    eng.stop()
    thread.join(30)
    return window


def measure(quick: bool) -> dict[str, list[Window]]:
    reps, warmup, seconds = (2, 1.0, 3.0) if quick else (4, 2.0, 8.0)
    runs: dict[str, list[Window]] = {}
    with simulator() as sim:
        ids = create_running_tasks(sim, N_TASKS)
        profile = smint_profile(sim.base_url, name="bench", interval=1.0, concurrency=CONCURRENCY)
        for _ in range(reps):
            # interleaved, so slow drifts of a shared machine hit every variant alike
            runs.setdefault("bare", []).append(bare_httpx(sim, ids, profile, warmup, seconds))
            runs.setdefault("engine", []).append(engine(sim, ids, profile, warmup, seconds))
            runs.setdefault("engine_process", []).append(engine(sim, ids, profile, warmup, seconds, "process"))
            runs.setdefault("engine_process_nice", []).append(
                engine(sim, ids, profile, warmup, seconds, "process", nice=CHILD_NICE))
            runs.setdefault("aiohttp", []).append(bare_aiohttp(sim, ids, warmup, seconds))
        if not quick:  # httpx's own transport is slow (~300-500 req/s): information only, full run only
            httpx_profile = smint_profile(sim.base_url, name="bench", interval=1.0, concurrency=CONCURRENCY,
                                          transport="httpx")
            for _ in range(2):
                runs.setdefault("bare_httpx_transport", []).append(
                    bare_httpx(sim, ids, httpx_profile, warmup, seconds))
                runs.setdefault("engine_httpx_transport", []).append(
                    engine(sim, ids, httpx_profile, warmup, seconds))
    return runs


def run(quick: bool) -> Figures:
    runs = measure(quick)

    def rate(name: str) -> float:
        return med(w.rate for w in runs[name])

    def cpu(name: str) -> float:
        return med(w.cpu_ms_per_request for w in runs[name])

    bare, aio = rate("bare"), rate("aiohttp")
    out: Figures = {}
    for name, label in (("engine", "thread"), ("engine_process", "process")):
        value = rate(name)
        out[f"poller_{name}_req_per_s"] = fig(
            value, "req/s", f">= {RATIO_TARGET} x bare httpx loop, same client and transport ({label} engine)",
            value >= RATIO_TARGET * bare, baseline=bare)
        out[f"poller_{name}_cpu_per_req"] = fig(cpu(name), "ms", "info: client CPU per request (all processes)",
                                                True, baseline=cpu("bare"))
    niced = rate("engine_process_nice")
    out["poller_engine_process_nice_req_per_s"] = fig(
        niced, "req/s", f"info: process engine with its child at nice {CHILD_NICE}, as the dashboard starts it "
        "(background work yields to the UI and to everything else on a saturated machine)", True, baseline=bare)
    out["poller_bare_httpx_aiohttp_req_per_s"] = fig(bare, "req/s", "baseline: bare loop, httpx on httpx-aiohttp",
                                                     True, baseline=aio)
    out["poller_bare_aiohttp_req_per_s"] = fig(aio, "req/s", "info: ceiling, bare loop on aiohttp alone", True)
    if "bare_httpx_transport" in runs:
        hx_bare, hx_engine = rate("bare_httpx_transport"), rate("engine_httpx_transport")
        out["poller_engine_httpx_transport_req_per_s"] = fig(
            hx_engine, "req/s", f"info: engine on httpx's own transport (>= {RATIO_TARGET} x its bare loop)",
            True, baseline=hx_bare)
        out["poller_bare_httpx_transport_req_per_s"] = fig(
            hx_bare, "req/s", "info: bare loop on httpx's own transport", True, baseline=bare)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = run(args.quick)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
