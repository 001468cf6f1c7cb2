"""The polling engine against the simulator: discipline under normal load and under faults."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable

import pytest

from tui.core.config import ProviderConfig
from tui.core.model import HealthStatus, Listing, ProviderHealth, TaskRef, TaskSnapshot, TaskState
from tui.core.poller import Poller
from tui.providers.base import Provider
from tui.providers.registry import create_provider
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

GATEWAY = "35bf992dc9e9c616612e7696a6cecc1b"


class Recorder:
    def __init__(self) -> None:
        self.snapshots: list[TaskSnapshot] = []
        self.latest: dict[str, TaskSnapshot] = {}
        self.healths: list[ProviderHealth] = []
        self.found: list[TaskRef] = []
        self.listings: list[Listing] = []

    def snapshot(self, snapshot: TaskSnapshot) -> None:
        self.snapshots.append(snapshot)
        self.latest[snapshot.ref.key] = snapshot

    def health(self, health: ProviderHealth) -> None:
        self.healths.append(health)

    def discovered(self, refs: list[TaskRef]) -> None:
        self.found.extend(refs)

    def listed(self, listing: Listing) -> None:
        self.listings.append(listing)


async def until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def apig(sim: SimulatorProcess, interval: float = 1.0, **extra) -> Provider:
    return create_provider(ProviderConfig(
        name="gw", kind="huawei-apig", base_url=sim.base_url, project_id=cred.PROJECT_ID, interval=interval,
        auth={"type": "token", "token": cred.HW_TOKEN}, **extra))


@pytest.fixture
async def running() -> AsyncIterator[Callable[..., tuple[Poller, Recorder]]]:
    started: list[tuple[Poller, asyncio.Task[None], dict[str, Provider]]] = []

    def start(sources: dict[str, Provider], refs: list[TaskRef]) -> tuple[Poller, Recorder]:
        recorder = Recorder()
        poller = Poller(sources, recorder)
        poller.add(refs)
        started.append((poller, asyncio.create_task(poller.run()), sources))
        return poller, recorder

    yield start
    for poller, task, sources in started:
        poller.stop()
        await asyncio.wait_for(task, 5)
        for source in sources.values():
            await source.aclose()


def new_apig_tasks(sim: SimulatorProcess, count: int, **plan) -> list[TaskRef]:
    created = sim.create_tasks("apig", count=count, instance=GATEWAY, **plan)
    return [TaskRef("gw", t["id"], instance=GATEWAY) for t in created]


def starts_by_task(sim: SimulatorProcess) -> dict[str, list[float]]:
    starts: dict[str, list[float]] = defaultdict(list)
    for entry in sim.requests():
        if entry.get("task_id"):
            starts[entry["task_id"]].append(entry["start"])
    return starts


async def test_polls_until_terminal_then_stops(sim_reset: SimulatorProcess, running) -> None:
    refs = new_apig_tasks(sim_reset, 3, wait=0, run=1.5, outcome="succeed")
    poller, rec = running({"gw": apig(sim_reset)}, refs)
    await until(lambda: all(rec.latest.get(r.key) and rec.latest[r.key].state is TaskState.SUCCEEDED
                            for r in refs))
    count = len(sim_reset.requests())
    assert poller.active_count == 0
    # Nothing left to poll: no request goes out over the next interval and a half.
    await asyncio.sleep(1.5)
    assert len(sim_reset.requests()) == count


async def test_interval_and_single_flight_hold_under_repeated_errors(sim_reset: SimulatorProcess, running) -> None:
    refs = new_apig_tasks(sim_reset, 20, wait=0, run=3600, outcome="never")
    sim_reset.add_fault("status", family="apig", status=500, body="html")
    sim_reset.add_fault("latency", family="apig", seconds=0.3)
    poller, rec = running({"gw": apig(sim_reset, interval=1.0)}, refs)
    await until(lambda: sum(1 for s in rec.snapshots if s.error) >= 40)
    poller.stop()
    starts = starts_by_task(sim_reset)
    assert len(starts) == 20
    for times in starts.values():
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert all(gap >= 0.99 for gap in gaps), gaps  # never faster than the interval, no backoff burst
    assert sim_reset.stats()["max_in_flight_per_task"] == 1
    error = rec.latest[refs[0].key].error
    assert error is not None and error.status == 500


async def test_retry_after_holds_the_provider(sim_reset: SimulatorProcess, running) -> None:
    refs = new_apig_tasks(sim_reset, 5, wait=0, run=3600, outcome="never")
    sim_reset.add_fault("status", family="apig", status=429, retry_after=3, count=1)
    poller, rec = running({"gw": apig(sim_reset, interval=1.0)}, refs)
    await until(lambda: any(s.error and s.error.status == 429 for s in rec.snapshots))
    limited_at = time.monotonic()
    await until(lambda: len([s for s in rec.snapshots if not s.error]) >= 5)
    log = sim_reset.requests()
    first_429 = next(e for e in log if e["status"] == 429)
    # Requests already on their way when the 429 arrived cannot be held back; allow them a moment.
    later = [e for e in log if e["start"] > first_429["end"] + 0.1]
    assert later and min(e["start"] for e in later) - first_429["end"] >= 2.9
    assert time.monotonic() - limited_at >= 2.5


async def test_unreachable_provider_is_probed_once_per_interval_and_recovers(sim_reset, running) -> None:
    refs = new_apig_tasks(sim_reset, 10, wait=0, run=3600, outcome="never")
    sim_reset.add_fault("reset", family="apig")
    poller, rec = running({"gw": apig(sim_reset, interval=1.0)}, refs)
    await until(lambda: any(h.status is HealthStatus.UNREACHABLE for h in rec.healths))
    # Every row of the provider shows why.
    await until(lambda: all(rec.latest.get(r.key) and rec.latest[r.key].error for r in refs))
    sim_reset.clear_log()
    await asyncio.sleep(3.2)
    probes = [e for e in sim_reset.requests() if e["family"] == "apig"]
    assert 1 <= len(probes) <= 5  # one probe per interval, not ten tasks per interval
    sim_reset.clear_faults()
    await until(lambda: rec.healths[-1].status is HealthStatus.OK)
    await until(lambda: all(rec.latest[r.key].error is None for r in refs))


async def test_gone_task_stops_polling(sim_reset: SimulatorProcess, running) -> None:
    ref = TaskRef("gw", "0" * 32, instance=GATEWAY)
    poller, rec = running({"gw": apig(sim_reset)}, [ref])
    await until(lambda: ref.key in rec.latest)
    assert rec.latest[ref.key].gone and poller.active_count == 0
    assert rec.healths[-1].status is HealthStatus.OK  # the server answered; only the task is missing


async def test_follow_instance_discovers_new_tasks(sim_reset: SimulatorProcess, running) -> None:
    instance = "abcdefabcdefabcdefabcdefabcdef12"
    sim_reset.create_tasks("dms", count=3, instance=instance, engine="kafka")
    dms = create_provider(ProviderConfig(name="mq", kind="huawei-dms", base_url=sim_reset.base_url,
                                         project_id=cred.PROJECT_ID, interval=1.0,
                                         auth={"type": "token", "token": cred.HW_TOKEN}))
    poller, rec = running({"mq": dms}, [])
    poller.follow("mq", instance)
    await until(lambda: len(rec.found) == 3)
    sim_reset.create_tasks("dms", count=2, instance=instance, engine="kafka")
    await until(lambda: len(rec.found) == 5)
    assert all(ref.instance == instance and ref.provider == "mq" for ref in rec.found)


async def test_follow_instance_reports_tasks_already_watched(sim_reset: SimulatorProcess, running) -> None:
    """A followed list shows every task of the instance, also those another list already polls."""
    instance = "abcdefabcdefabcdefabcdefabcdef34"
    created = sim_reset.create_tasks("dms", count=2, instance=instance, engine="rocketmq")
    watched = [TaskRef("mq", t["id"], instance=instance) for t in created]
    dms = create_provider(ProviderConfig(name="mq", kind="huawei-dms", base_url=sim_reset.base_url,
                                         project_id=cred.PROJECT_ID, interval=1.0,
                                         auth={"type": "token", "token": cred.HW_TOKEN}))
    poller, rec = running({"mq": dms}, watched)
    await until(lambda: all(ref.key in rec.latest for ref in watched))
    poller.follow("mq", instance)
    await until(lambda: len(rec.found) == 2)
    assert {ref.key for ref in rec.found} == {ref.key for ref in watched}
    # A second list following the same instance gets every task again.
    poller.follow("mq", instance)
    await until(lambda: len(rec.found) == 4)


async def test_read_all_once(sim_reset: SimulatorProcess) -> None:
    refs = new_apig_tasks(sim_reset, 8, wait=0, run=0, outcome="succeed") + [TaskRef("nope", "x")]
    provider = apig(sim_reset)
    poller = Poller({"gw": provider}, Recorder())
    try:
        snaps = await poller.read_all(refs)
    finally:
        await provider.aclose()
    assert [s.ref for s in snaps] == refs
    assert all(s.state is TaskState.SUCCEEDED for s in snaps[:-1])
    assert snaps[-1].error is not None and "no provider profile" in snaps[-1].error.message


async def test_a_listing_reaches_the_sink_before_its_tasks(sim_reset: SimulatorProcess, running) -> None:
    """Consumers (the dashboard, `wait`) learn of each listing, or why it failed, through the sink."""
    instance = "abcdefabcdefabcdefabcdefabcdef34"
    sim_reset.create_tasks("dms", count=2, instance=instance, engine="kafka")
    dms = create_provider(ProviderConfig(name="mq", kind="huawei-dms", base_url=sim_reset.base_url,
                                         project_id=cred.PROJECT_ID, interval=1.0,
                                         auth={"type": "token", "token": cred.HW_TOKEN}))
    poller, rec = running({"mq": dms, "gw": apig(sim_reset)}, [])
    snapshots_before: list[int] = []
    record = rec.listed
    rec.listed = lambda listing: (snapshots_before.append(len(rec.snapshots)), record(listing))  # type: ignore[method-assign]
    poller.follow("mq", instance)
    await until(lambda: len(rec.found) == 2)
    first = rec.listings[0]
    assert (first.provider, first.instance, first.error) == ("mq", instance, None)
    assert set(first.keys) == {ref.key for ref in rec.found}
    assert snapshots_before[0] == 0
    poller.follow("gw", GATEWAY)  # APIG cannot list an instance's tasks
    await until(lambda: any(listing.provider == "gw" for listing in rec.listings))
    failed = next(listing for listing in rec.listings if listing.provider == "gw")
    assert failed.keys == () and failed.error is not None and "cannot list" in failed.error.message
