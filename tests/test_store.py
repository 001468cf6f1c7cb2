"""The history store (tui.core.store): what it keeps, how it prunes, and how it survives damage and kills."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui.core.model import Steps, TaskError, TaskRef, TaskSnapshot, TaskState
from tui.core.store import GONE, Store, memory_location
from tui.core.store_rows import CUT_MARK, RESULT_CAP

T0 = 1_790_000_000.0


def snap(ref: TaskRef, state: TaskState, at: float, **fields) -> TaskSnapshot:
    return TaskSnapshot(ref=ref, state=state, fetched_at=at, polled_at=at, **fields)


@pytest.fixture
def location(tmp_path: Path) -> str:
    return str(tmp_path / "state" / "history.sqlite3")


def test_keeps_the_last_good_snapshot_and_every_transition(location: str) -> None:
    store = Store.open(location)
    assert store.notice is None
    ref = TaskRef("acme", "t1", label="nightly export")
    store.record([snap(ref, TaskState.PENDING, T0), snap(ref, TaskState.RUNNING, T0 + 10, progress=5.0)])
    store.record([snap(ref, TaskState.RUNNING, T0 + 20, progress=50.0)])
    done = snap(ref, TaskState.SUCCEEDED, T0 + 70, raw_state="COMPLETED", progress=100.0, steps=Steps(3, 1, 4),
                title="Export", kind="export_api", summary="3 of 4 exported", created="c", updated="u",
                result={"url": "https://x/y", "n": [1, 2]})
    recorded = store.record([done])
    assert [(t.from_state, t.to_state) for t in recorded.transitions] == [("running", "succeeded")]
    # a failed poll carries old data: it changes nothing
    store.record([snap(ref, TaskState.SUCCEEDED, T0 + 80, error=TaskError("timeout"))])
    store.close()

    again = Store.open(location)
    remembered = again.load()[ref.key]
    assert remembered.remembered and remembered.ref == ref
    assert (remembered.state, remembered.raw_state, remembered.progress, remembered.steps) == (
        TaskState.SUCCEEDED, "COMPLETED", 100.0, Steps(3, 1, 4))
    assert (remembered.title, remembered.kind, remembered.summary, remembered.created, remembered.updated) == (
        "Export", "export_api", "3 of 4 exported", "c", "u")
    assert remembered.result == {"url": "https://x/y", "n": [1, 2]}
    assert remembered.fetched_at == T0 + 70 and remembered.error is None
    timeline = again.timeline(ref.key)
    assert [(t.from_state, t.to_state, t.at, t.duration) for t in timeline] == [
        (None, "pending", T0, None), ("pending", "running", T0 + 10, 10.0), ("running", "succeeded", T0 + 70, 60.0)]
    assert [t.to_state for t in again.transitions(since=T0 + 10)] == ["running", "succeeded"]


def test_gone_keeps_the_result_and_the_time_it_went(location: str) -> None:
    store = Store.open(location)
    ref = TaskRef("gw", "e1", instance="i1")
    store.record([snap(ref, TaskState.SUCCEEDED, T0, result="https://download/1")])
    gone = TaskSnapshot(ref=ref, error=TaskError("no such task", code="APIG.3093", status=404, gone=True),
                        polled_at=T0 + 3600)
    assert store.record([gone]).gone_since == {ref.key: T0 + 3600}
    assert store.record([gone]).gone_since == {ref.key: T0 + 3600}  # the first time counts
    remembered = store.load()[ref.key]
    assert remembered.gone and remembered.gone_since == T0 + 3600
    assert remembered.result == "https://download/1" and remembered.state is TaskState.SUCCEEDED
    assert [t.to_state for t in store.timeline(ref.key)] == ["succeeded", GONE]


def test_a_result_over_the_cap_is_cut_and_marked(location: str) -> None:
    store = Store.open(location)
    ref = TaskRef("acme", "big")
    store.record([snap(ref, TaskState.SUCCEEDED, T0, result={"doc": "x" * (RESULT_CAP + 10)})])
    result = store.load()[ref.key].result
    assert isinstance(result, str) and result.endswith(CUT_MARK)
    assert len(result) == RESULT_CAP + len(CUT_MARK)


def test_remembered_snapshots_write_nothing(location: str) -> None:
    store = Store.open(location)
    ref = TaskRef("acme", "t1")
    store.record([snap(ref, TaskState.RUNNING, T0)])
    remembered = store.load()[ref.key]
    assert store.record([remembered]).transitions == []
    assert store.counts() == (1, 1)


def test_a_corrupt_store_is_moved_aside_and_a_fresh_one_started(location: str) -> None:
    path = Path(location)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    store = Store.open(location)
    assert store.notice is not None and "moved to history.sqlite3.broken-" in store.notice
    assert store.persistent and store.counts() == (0, 0)
    aside = [p for p in path.parent.iterdir() if p.name.startswith("history.sqlite3.broken-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    store.record([snap(TaskRef("acme", "t"), TaskState.RUNNING, T0)])
    assert Store.open(location).counts() == (1, 1)


def test_a_damaged_page_is_found_and_moved_aside(location: str) -> None:
    store = Store.open(location)
    refs = [TaskRef("acme", f"t{i}") for i in range(400)]
    store.record([snap(ref, TaskState.SUCCEEDED, T0, summary="s" * 200) for ref in refs])
    store.close()
    os.remove(location + "-wal") if os.path.exists(location + "-wal") else None
    data = bytearray(Path(location).read_bytes())
    page = 4096
    for offset in range(2 * page, min(len(data), 6 * page)):  # scribble over pages after the header page
        data[offset] = 0xA5
    Path(location).write_bytes(bytes(data))
    reopened = Store.open(location)
    assert reopened.notice is not None and "moved to" in reopened.notice
    assert reopened.counts() == (0, 0)


def test_a_store_that_cannot_be_opened_becomes_a_memory_store(tmp_path: Path) -> None:
    blocked = tmp_path / "history.sqlite3"
    blocked.mkdir()  # a directory where the file should be
    store = Store.open(str(blocked))
    assert store.notice is not None and "remembers nothing" in store.notice
    assert not store.persistent
    store.record([snap(TaskRef("acme", "t"), TaskState.RUNNING, T0)])
    assert store.counts() == (1, 1)


def test_memory_store_is_shared_by_threads_and_leaves_no_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    location = memory_location()
    writer, reader = Store.open(location), Store.open(location)
    writer.record([snap(TaskRef("acme", "t"), TaskState.RUNNING, T0)])
    assert reader.counts() == (1, 1)
    assert list(tmp_path.iterdir()) == []


def test_prune_forgets_old_transitions_and_tasks_in_no_list(location: str) -> None:
    store = Store.open(location)
    kept, dropped = TaskRef("acme", "kept"), TaskRef("acme", "dropped")
    store.record([snap(kept, TaskState.PENDING, T0), snap(dropped, TaskState.PENDING, T0)])
    store.record([snap(kept, TaskState.RUNNING, T0 + 40 * 86400)])
    tasks, transitions = store.prune(keep={kept.key}, remember_days=30, now=T0 + 41 * 86400)
    assert (tasks, transitions) == (1, 2)
    assert set(store.load()) == {kept.key}
    assert [t.to_state for t in store.timeline(kept.key)] == ["running"]


def test_clear_forgets_everything_or_the_tasks_named(location: str) -> None:
    store = Store.open(location)
    a, b = TaskRef("acme", "a"), TaskRef("acme", "b")
    store.record([snap(a, TaskState.RUNNING, T0), snap(b, TaskState.RUNNING, T0)])
    assert store.clear([a.key]) == 1
    assert set(store.load()) == {b.key} and len(store.transitions()) == 1
    assert store.clear() == 1
    assert store.counts() == (0, 0)


# Size: 10,000 watched tasks over a simulated month. Each day a tenth of the list is replaced by new
# tasks, each new task goes pending -> running (three progress reads) -> succeeded with a result of
# ~600 bytes, and the dashboard prunes at start (tasks in no list, transitions over 30 days old).
SIZE_LIMIT = 32 * 1024 * 1024  # the file and its WAL


def test_store_stays_small_for_10000_tasks_over_a_month(location: str) -> None:
    rng = random.Random(7)
    store = Store.open(location)
    counter = iter(range(10**9))

    def new_ref() -> TaskRef:
        return TaskRef("acme", f"task-{next(counter):08d}", label="nightly export of the catalogue")

    def run(refs: list[TaskRef], day: float) -> None:
        for step, state in enumerate([TaskState.PENDING, TaskState.RUNNING, TaskState.RUNNING,
                                      TaskState.RUNNING, TaskState.SUCCEEDED]):
            at = day + step * 600
            result = {"url": f"https://cdn.example/{rng.getrandbits(64):x}.zip", "files": list(range(100))}
            store.record([snap(ref, state, at, progress=25.0 * step, title="Export", summary="export of 1,234 "
                               "assets", result=result if state is TaskState.SUCCEEDED else None) for ref in refs])

    watched = [new_ref() for _ in range(10_000)]
    run(watched, T0)
    sizes = []
    for day in range(1, 31):
        now = T0 + day * 86400
        replaced = rng.sample(range(len(watched)), 1_000)
        for index in replaced:
            watched[index] = new_ref()
        run([watched[i] for i in replaced], now)
        store.prune(keep={ref.key for ref in watched}, now=now)
        sizes.append(sum(os.path.getsize(location + s) for s in ("", "-wal") if os.path.exists(location + s)))
    assert store.counts()[0] == 10_000
    assert max(sizes) < SIZE_LIMIT, f"store grew to {max(sizes) / 1e6:.1f} MB"
    # steady once the first tasks age out: the last twenty days grew less than 5 %
    assert sizes[-1] <= sizes[9] * 1.05, [round(x / 1e6, 1) for x in sizes]


# Two processes: each writes its own tasks while the other does; nothing is lost, nothing fails.
WRITER = textwrap.dedent("""
    import sys
    from tui.core.model import TaskRef, TaskSnapshot, TaskState
    from tui.core.store import Store
    store = Store.open(sys.argv[1])
    assert store.notice is None, store.notice
    name = sys.argv[2]
    for batch in range(int(sys.argv[3])):
        refs = [TaskRef(name, f"{batch}-{i}") for i in range(20)]
        store.record([TaskSnapshot(ref=r, state=TaskState.RUNNING, fetched_at=1e9 + batch) for r in refs])
        store.load(keys=[refs[0].key])
        print(batch, flush=True)
    """)


def test_two_processes_share_the_store(location: str) -> None:
    Store.open(location).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, location, name, "150"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for name in ("one", "two")]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    store = Store.open(location)
    assert store.counts() == (2 * 150 * 20, 2 * 150 * 20)


# SIGKILL during heavy writes: the child prints a line once a batch has been committed, which is
# the moment a change may appear on screen (tui.core.recorder forwards only after the commit).
HEAVY = textwrap.dedent("""
    import sys
    from tui.core.model import TaskRef, TaskSnapshot, TaskState
    from tui.core.store import Store
    store = Store.open(sys.argv[1])
    print("notice", store.notice, flush=True)
    run = sys.argv[2]
    states = [TaskState.PENDING, TaskState.RUNNING, TaskState.SUCCEEDED]
    batch = 0
    while True:
        refs = [TaskRef("acme", f"{run}-{batch}-{i}") for i in range(50)]
        for step, state in enumerate(states):
            store.record([TaskSnapshot(ref=r, state=state, fetched_at=1e9 + step, progress=float(step),
                                       result={"blob": "x" * 2000}) for r in refs])
        print("committed", batch, flush=True)
        batch += 1
    """)


def test_sigkill_during_heavy_writes_loses_nothing_reported(location: str) -> None:
    rng = random.Random(3)
    reported: dict[int, int] = {}
    for run in range(20):
        proc = subprocess.Popen([sys.executable, "-c", HEAVY, location, str(run)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.strip() == "notice None", first + proc.stderr.read()
        stop_after = rng.randint(1, 12)
        last = -1
        while last < stop_after:
            line = proc.stdout.readline()
            assert line.startswith("committed"), line + proc.stderr.read()
            last = int(line.split()[1])
        os.kill(proc.pid, signal.SIGKILL)  # in the middle of the next batches
        proc.wait(30)
        reported[run] = last
    store = Store.open(location)
    assert store.notice is None
    transitions = store.transitions()
    seen = {(t.ref.id, t.to_state) for t in transitions}
    for run, last in reported.items():
        for batch in range(last + 1):
            for i in range(50):
                task = f"{run}-{batch}-{i}"
                assert {(task, "pending"), (task, "running"), (task, "succeeded")} <= seen, task


def test_a_read_gives_back_exactly_what_was_written(location: str) -> None:
    """The store is read as one JSON document made by SQLite; floats, text and NULLs survive it unchanged."""
    store = Store.open(location)
    odd = TaskRef("acme", "t/\"1\"\u2028", instance="i\\1", label="\x1b[31mred\x1b[0m \u00e9\U0001f600")
    plain = TaskRef("acme", "t2")
    first = snap(odd, TaskState.RUNNING, 1_764_470_000.1234567, progress=100 / 3, title="a\nb\tc", summary="\"q\"",
                 steps=Steps(1, 0, 3), raw_state="EXECUTING", result={"x": [1.5e-7, None, "\u0000"]})
    second = snap(plain, TaskState.PENDING, T0)
    store.record([first, second])
    store.close()
    loaded = Store.open(location).load()
    got = loaded[odd.key]
    assert got.ref == odd and got.fetched_at == first.fetched_at and got.progress == first.progress
    assert (got.title, got.summary, got.raw_state, got.steps) == (first.title, first.summary, "EXECUTING", Steps(1, 0, 3))
    assert got.result == {"x": [1.5e-7, None, "\u0000"]} and got.gone_since is None
    assert loaded[plain.key].progress is None and loaded[plain.key].steps is None
