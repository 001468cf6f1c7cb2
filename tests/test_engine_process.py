"""The engine in its own process (tui.core.engine_process) against the simulator.

Every wait is for a condition with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tui.core.config import ProviderConfig
from tui.core.engine import Batch, Engine
from tui.core.engine_commands import COMMANDS, EngineCommands, apply_command
from tui.core.engine_process import ENGINE_ENV, EngineProcess, EngineProcessError, create_engine, engine_kind
from tui.core.model import TaskRef, TaskState
from tui.core.store import memory_location
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess
from tui.sources import build_sources


def smint(sim: SimulatorProcess, interval: float = 1.0) -> ProviderConfig:
    return ProviderConfig(name="acme", kind="smint", base_url=f"{sim.base_url}/frontend/v1", interval=interval,
                          auth={"type": "bearer", "token": cred.SMINT_TOKEN})


def dms(sim: SimulatorProcess) -> ProviderConfig:
    return ProviderConfig(name="mq", kind="huawei-dms", base_url=sim.base_url, project_id=cred.PROJECT_ID,
                          interval=1.0, auth={"type": "token", "token": cred.HW_TOKEN})


class Collector:
    """Takes batches from an engine, as the dashboard does, and keeps everything."""

    def __init__(self, engine: EngineProcess) -> None:
        self.engine = engine
        self.batches: list[Batch] = []

    def until(self, predicate: Callable[[Collector], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            batch = self.engine.take()
            if batch:
                self.batches.append(batch)
            if predicate(self):
                return
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached in time")
            time.sleep(0.02)

    def latest(self, key: str):
        for batch in reversed(self.batches):
            if key in batch.snapshots:
                return batch.snapshots[key]
        return None

    def reads(self, key: str) -> int:
        return sum(1 for b in self.batches if key in b.snapshots)

    def discovered(self) -> list[TaskRef]:
        return [ref for b in self.batches for ref in b.discovered]

    def health(self, provider: str):
        for batch in reversed(self.batches):
            if provider in batch.health:
                return batch.health[provider]
        return None


@pytest.fixture
def start() -> Iterator[Callable[..., tuple[EngineProcess, Collector]]]:
    started: list[tuple[EngineProcess, threading.Thread]] = []

    def go(*profiles: ProviderConfig, before: Callable[[EngineProcess], None] | None = None,
           notify: Callable[[], None] = lambda: None) -> tuple[EngineProcess, Collector]:
        engine = EngineProcess(functools.partial(build_sources, list(profiles)), notify=notify)
        if before is not None:
            before(engine)
        thread = threading.Thread(target=engine.run, daemon=True)
        thread.start()
        started.append((engine, thread))
        assert engine.wait_ready(30)
        return engine, Collector(engine)

    yield go
    for engine, thread in started:
        engine.stop()
        thread.join(30)
        assert not thread.is_alive()
        assert engine.pid is None


def test_polls_tasks_until_they_finish_and_notifies(sim_reset: SimulatorProcess, start) -> None:
    created = sim_reset.create_tasks("smint", count=5, wait=0, run=0, outcome="succeed")
    refs = [TaskRef("acme", t["id"]) for t in created]
    notified = threading.Event()
    engine, got = start(smint(sim_reset), notify=notified.set)
    engine.add(refs)
    got.until(lambda c: all((s := c.latest(r.key)) is not None and s.state is TaskState.SUCCEEDED for r in refs))
    assert notified.is_set()
    assert got.health("acme") is not None and got.health("acme").requests >= 5
    # finished tasks are not polled again; a refresh polls one once more
    first = got.latest(refs[0].key)
    engine.refresh([refs[0].key])
    got.until(lambda c: c.latest(refs[0].key).polled_at != first.polled_at)
    assert all(got.reads(r.key) == 1 for r in refs[1:])


def test_commands_before_run_are_kept_and_pause_holds_polling(sim_reset: SimulatorProcess, start) -> None:
    created = sim_reset.create_tasks("smint", count=3, wait=0, run=0, outcome="succeed")
    refs = [TaskRef("acme", t["id"]) for t in created]

    def before(engine: EngineProcess) -> None:
        engine.pause()
        engine.add(refs)

    engine, got = start(smint(sim_reset), before=before)
    assert engine.paused
    engine.set_interval("acme", 7)  # answered by a health report: the child has applied what came before
    got.until(lambda c: (h := c.health("acme")) is not None and h.interval == 7)
    assert all(got.latest(r.key) is None for r in refs)
    assert [e for e in sim_reset.requests() if e["task_id"]] == []
    engine.resume()
    assert not engine.paused
    got.until(lambda c: all(c.latest(r.key) is not None for r in refs))


def test_remove_and_follow(sim_reset: SimulatorProcess, start) -> None:
    instance = "abcdefabcdefabcdefabcdefabcdef12"
    sim_reset.create_tasks("dms", count=2, instance=instance, engine="kafka")
    running = sim_reset.create_tasks("smint", count=1, wait=0, run=3600, outcome="succeed")
    ref = TaskRef("acme", running[0]["id"])
    engine, got = start(smint(sim_reset), dms(sim_reset))
    engine.add([ref])
    engine.follow("mq", instance)
    got.until(lambda c: len(c.discovered()) == 2 and c.reads(ref.key) >= 2)
    assert all(r.provider == "mq" and r.instance == instance for r in got.discovered())
    engine.unfollow("mq", instance)
    engine.remove([ref.key])
    engine.set_interval("acme", 9)  # a marker: everything before it has been applied
    got.until(lambda c: (h := c.health("acme")) is not None and h.interval == 9)
    seen = sim_reset.stats()["total_requests"]
    # nothing left to poll: the request count stays put while a new task is polled twice
    other = sim_reset.create_tasks("smint", count=1, wait=0, run=3600, outcome="succeed")
    marker = TaskRef("acme", other[0]["id"])
    engine.set_interval("acme", 1)
    engine.add([marker])
    got.until(lambda c: c.reads(marker.key) >= 2)
    polled = {e["task_id"] for e in sim_reset.requests(since=seen) if e["task_id"]}
    assert ref.id not in polled and polled <= {marker.id}


def test_stop_before_run_returns_at_once() -> None:
    engine = EngineProcess(functools.partial(build_sources, []))
    engine.stop()
    thread = threading.Thread(target=engine.run)
    thread.start()
    thread.join(10)
    assert not thread.is_alive() and engine.pid is None


def test_a_failing_factory_is_raised_from_run() -> None:
    engine = EngineProcess(functools.partial(int, "not a number"))  # type: ignore[arg-type]
    with pytest.raises(EngineProcessError, match="ValueError"):
        engine.run()
    assert engine.wait_ready(0)


def test_child_stops_when_the_ui_process_dies(sim_reset: SimulatorProcess) -> None:
    script = textwrap.dedent(f"""
        import functools, os, sys, threading
        from tui.core.config import ProviderConfig
        from tui.core.engine_process import EngineProcess
        from tui.sources import build_sources
        profile = ProviderConfig(name="acme", kind="smint", base_url={sim_reset.base_url + "/frontend/v1"!r})
        if __name__ == "__main__":
            engine = EngineProcess(functools.partial(build_sources, [profile]))
            threading.Thread(target=engine.run, daemon=True).start()
            engine.wait_ready(30)
            print(engine.pid, flush=True)
            os._exit(0)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    pid = int(out.stdout.split()[-1])
    deadline = time.monotonic() + 20
    while _alive(pid):
        assert time.monotonic() < deadline, "the engine process outlived its UI process"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_create_engine_picks_the_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    factory = functools.partial(build_sources, [])
    monkeypatch.delenv(ENGINE_ENV, raising=False)
    assert engine_kind() == "process"  # the default (README, Performance: why)
    assert isinstance(create_engine(factory), EngineProcess)
    monkeypatch.setenv(ENGINE_ENV, "thread")
    assert isinstance(create_engine(factory), Engine)
    monkeypatch.setenv(ENGINE_ENV, "process")
    assert isinstance(create_engine(factory), EngineProcess)
    # a factory that cannot reach another process keeps the engine in this one
    assert isinstance(create_engine(lambda: {}), Engine)
    assert isinstance(create_engine(factory, kind="thread"), Engine)
    # a store in memory (--demo) lives in this process: so does the engine that writes it
    assert isinstance(create_engine(factory, store=memory_location()), Engine)
    assert isinstance(create_engine(factory, store="/nonexistent/history.sqlite3"), EngineProcess)
    monkeypatch.setenv(ENGINE_ENV, "fibre")
    with pytest.raises(ValueError, match=ENGINE_ENV):
        create_engine(factory)
    with pytest.raises(TypeError, match="picklable"):
        EngineProcess(lambda: {})
    assert os.environ[ENGINE_ENV] == "fibre"


def test_should_stop_ends_run(sim_reset: SimulatorProcess) -> None:
    engine = EngineProcess(functools.partial(build_sources, [smint(sim_reset)]))
    stop = threading.Event()
    thread = threading.Thread(target=engine.run, kwargs={"should_stop": stop.is_set}, daemon=True)
    thread.start()
    assert engine.wait_ready(30)
    assert engine.pid is not None
    stop.set()
    thread.join(30)
    assert not thread.is_alive() and engine.pid is None


def test_both_engines_share_one_command_set() -> None:
    """The control methods are written once (engine_commands); each engine only delivers them."""
    for cls in (Engine, EngineProcess):
        assert issubclass(cls, EngineCommands)
        for name in ("add", "remove", "follow", "unfollow", "refresh", "pause", "resume", "set_interval"):
            assert name in COMMANDS
            assert getattr(cls, name) is getattr(EngineCommands, name), (cls, name)

    calls: list[tuple[object, ...]] = []

    class Recording:
        def __getattr__(self, name: str) -> object:
            return lambda *args: calls.append((name, *args))

    apply_command(Recording(), ("set_interval", "p", 2.0))  # type: ignore[arg-type]
    assert calls == [("set_interval", "p", 2.0)]
    with pytest.raises(ValueError, match="unknown engine command"):
        apply_command(Recording(), ("__class__",))  # type: ignore[arg-type]


def test_commands_never_wait_for_a_child_that_reads_none_yet(tmp_path) -> None:
    """A caller (the UI thread) is never blocked by a full pipe: commands queue until the child reads."""
    from tests.helpers.late_sources import sources_after

    flag = tmp_path / "go"
    engine = EngineProcess(functools.partial(sources_after, str(flag), 20.0))
    thread = threading.Thread(target=engine.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while engine.pid is None:
        assert time.monotonic() < deadline, "the child did not start"
        time.sleep(0.01)
    refs = [TaskRef("acme", f"task-{i:06d}-" + "x" * 40) for i in range(20_000)]  # far more than a pipe holds
    for at in range(0, len(refs), 1000):
        engine.add(refs[at:at + 1000])
    flag.touch()  # only now does the child get to read
    assert engine.wait_ready(30)
    engine.stop()
    thread.join(30)
    assert not thread.is_alive() and engine.error is None
