"""The engine remembers: results are committed before the UI sees them, and finished tasks are not
fetched again at the next start (thread and process engines, against the simulator)."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui.core.config import ProviderConfig
from tui.core.engine import Batch
from tui.core.engine_process import create_engine
from tui.core.model import Listing, ProviderHealth, TaskRef, TaskSnapshot, TaskState
from tui.core.recorder import Recorder
from tui.core.store import Store
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess
from tui.sources import build_sources


class Inner:
    """The UI's sink; checks, for each snapshot it gets, that the store already has it."""

    def __init__(self, location: str) -> None:
        self.reader = Store.open(location)
        self.items: list[tuple[str, object]] = []
        self.unsaved: list[str] = []

    def snapshot(self, snapshot: TaskSnapshot) -> None:
        stored = self.reader.load(keys=[snapshot.ref.key]).get(snapshot.ref.key)
        if stored is None or stored.state is not snapshot.state:
            self.unsaved.append(snapshot.ref.key)
        self.items.append(("snapshot", snapshot.ref.id))

    def health(self, health: ProviderHealth) -> None:
        self.items.append(("health", health.provider))

    def discovered(self, refs: list[TaskRef]) -> None:
        self.items.append(("discovered", len(refs)))

    def listed(self, listing: Listing) -> None:
        self.items.append(("listed", listing.instance))


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def test_results_reach_the_ui_after_they_are_committed_and_in_order(tmp_path: Path) -> None:
    location = str(tmp_path / "history.sqlite3")
    inner = Inner(location)
    recorder = Recorder.open(location, inner)
    expected = []
    for i in range(300):
        ref = TaskRef("acme", f"t{i}")
        recorder.snapshot(TaskSnapshot(ref=ref, state=TaskState.RUNNING, fetched_at=1e9))
        expected.append(("snapshot", f"t{i}"))
        if i % 100 == 0:
            recorder.health(ProviderHealth(provider="acme"))
            expected.append(("health", "acme"))
    recorder.discovered([TaskRef("acme", "x")])
    expected.append(("discovered", 1))
    recorder.close()
    assert inner.items == expected
    assert inner.unsaved == []


# --- against the simulator -----------------------------------------------------------------------------


def smint(sim: SimulatorProcess) -> ProviderConfig:
    return ProviderConfig(name="acme", kind="smint", base_url=f"{sim.base_url}/frontend/v1", interval=1.0,
                          auth={"type": "bearer", "token": cred.SMINT_TOKEN})


class Session:
    """One engine run, taking batches as the dashboard does."""

    def __init__(self, sim: SimulatorProcess, location: str, kind: str) -> None:
        self.engine = create_engine(functools.partial(build_sources, [smint(sim)]), kind=kind, store=location)
        self.latest: dict[str, TaskSnapshot] = {}
        self.first: dict[str, TaskSnapshot] = {}
        self.thread = threading.Thread(target=self.engine.run, daemon=True)
        self.thread.start()
        assert self.engine.wait_ready(30)

    def take(self) -> None:
        batch: Batch = self.engine.take()
        for key, snapshot in batch.snapshots.items():
            self.first.setdefault(key, snapshot)
            self.latest[key] = snapshot

    def until(self, predicate: Callable[[Session], bool], timeout: float = 30.0) -> None:
        def check() -> bool:
            self.take()
            return predicate(self)
        wait_for(check, timeout)

    def stop(self) -> None:
        self.engine.stop()
        self.thread.join(30)
        assert not self.thread.is_alive()


@pytest.fixture
def sessions() -> Iterator[list[Session]]:
    started: list[Session] = []
    yield started
    for session in started:
        if session.thread.is_alive():
            session.stop()


@pytest.mark.parametrize("kind", ["thread", "process"])
def test_finished_tasks_are_remembered_and_not_fetched_at_the_next_start(
        sim_reset: SimulatorProcess, tmp_path: Path, sessions: list[Session], kind: str) -> None:
    location = str(tmp_path / "history.sqlite3")
    done = [TaskRef("acme", t["id"]) for t in sim_reset.create_tasks("smint", count=9, wait=0, run=0,
                                                                     outcome="succeed")]
    failed = [TaskRef("acme", t["id"]) for t in sim_reset.create_tasks("smint", count=1, wait=0, run=0,
                                                                       outcome="fail")]
    long = TaskRef("acme", sim_reset.create_tasks("smint", count=1, wait=0, run=3600, outcome="succeed")[0]["id"])
    refs = done + failed + [long]

    first = Session(sim_reset, location, kind)
    sessions.append(first)
    first.engine.add(refs)
    first.until(lambda s: all(s.latest.get(r.key) is not None and s.latest[r.key].finished for r in done + failed)
                and s.latest.get(long.key) is not None)
    before = {r.key: first.latest[r.key] for r in done + failed}
    first.stop()

    sim_reset.clear_log()
    second = Session(sim_reset, location, kind)
    sessions.append(second)
    second.engine.add(refs)
    # the running task is read again; that read went out after the remembered rows were shown
    second.until(lambda s: s.latest.get(long.key) is not None and not s.latest[long.key].remembered)
    for ref in done + failed:
        shown = second.first[ref.key]
        assert shown.remembered and shown.state is before[ref.key].state
        assert shown.result == before[ref.key].result and shown.summary == before[ref.key].summary
    polled = {e["task_id"] for e in sim_reset.requests() if e["task_id"]}
    assert polled == {long.id}

    # `r` on a remembered task reads it again; once the server has forgotten it, the result stays
    sim_reset.reset()
    sim_reset.clear_log()
    second.engine.refresh([done[0].key])
    second.until(lambda s: s.latest[done[0].key].gone)
    gone = second.latest[done[0].key]
    assert gone.result == before[done[0].key].result and gone.gone_since is not None
    second.stop()
    remembered = Store.open(location).load()[done[0].key]
    assert remembered.gone and remembered.gone_since == gone.gone_since
    assert remembered.result == before[done[0].key].result
