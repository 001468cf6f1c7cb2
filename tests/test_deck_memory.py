"""The session's memory without a screen: seeding the board, what a recalled snapshot may replace,
and the desktop-notification burst while unfocused (tui.deck.memory, tui.deck.nudge, Board.apply)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.deck import deck_config, smint_profile
from tui.core.engine import Batch
from tui.core.model import HealthStatus, ProviderHealth, TaskError, TaskRef, TaskSnapshot, TaskState
from tui.core.notify import Notifier
from tui.core.store import Store
from tui.deck.board import Changes
from tui.deck.controller import Deck
from tui.deck.nudge import Nudger

REFS = [TaskRef("acme", f"t{i}", label=f"export {i}") for i in range(3)]
T0 = 1_790_000_000.0


def deck_with_store(tmp_path: Path, keep: list[TaskRef]) -> Deck:
    location = str(tmp_path / "history.sqlite3")
    store = Store.open(location)
    store.record([TaskSnapshot(ref=ref, state=TaskState.SUCCEEDED, fetched_at=T0, result={"n": i})
                  for i, ref in enumerate(REFS)])
    store.record([TaskSnapshot(ref=TaskRef("acme", "old"), state=TaskState.FAILED, fetched_at=T0)])
    store.close()
    config = deck_config([smint_profile("acme", "http://127.0.0.1:9")], {"Nightly": keep})
    return Deck(config, store=location)


def test_preload_seeds_the_board_and_prunes_tasks_in_no_list(tmp_path: Path) -> None:
    deck = deck_with_store(tmp_path, REFS[:2])
    assert deck.memory is not None
    deck.preload()
    assert deck.memory.loaded.wait(10)
    assert deck.seed_remembered() == {REFS[0].key, REFS[1].key}
    seeded = deck.board.snapshots[REFS[0].key]
    assert seeded.remembered and seeded.state is TaskState.SUCCEEDED and seeded.result == {"n": 0}
    assert deck.seed_remembered() == set()  # once
    # after the read (the first rows wait for that, not for this), the store forgot what no list
    # holds (REFS[2] and "old")
    assert deck.memory.tidied.wait(10)
    assert set(Store.open(deck.memory.location).load()) == {REFS[0].key, REFS[1].key}
    deck.memory.close()


def test_a_recalled_snapshot_never_replaces_what_is_known() -> None:
    config = deck_config([smint_profile("acme", "http://127.0.0.1:9")], {"Nightly": REFS})
    deck = Deck(config)
    ref = REFS[0]
    fresh = TaskSnapshot(ref=ref, state=TaskState.RUNNING, progress=60.0, fetched_at=T0 + 60, polled_at=T0 + 60)
    recalled = TaskSnapshot(ref=ref, state=TaskState.RUNNING, progress=10.0, fetched_at=T0, remembered=True)
    deck.board.apply(Batch(snapshots={ref.key: fresh}))
    changes = deck.board.apply(Batch(snapshots={ref.key: recalled}))  # a restarted engine recalls it
    assert deck.board.snapshots[ref.key] is fresh and not changes.active
    # a poll of a remembered task that failed is news (the error shows), even though its data is old
    failed = TaskSnapshot(ref=ref, state=TaskState.RUNNING, fetched_at=T0, polled_at=T0 + 90, remembered=True,
                          error=TaskError("unreachable"))
    deck.board.apply(Batch(snapshots={ref.key: failed}))
    assert deck.board.snapshots[ref.key] is failed


def test_nudger_sends_one_note_per_burst_and_only_unfocused() -> None:
    written: list[str] = []
    nudger = Nudger({}, write=written.append, notifier=Notifier("terminal", write=written.append, env={}))
    done = [TaskSnapshot(ref=r, state=TaskState.SUCCEEDED, fetched_at=T0) for r in REFS]
    nudger.observe(Changes(finished=done), T0)
    assert nudger.tick(T0 + 10) is None and written == []  # focused: the toasts are enough
    nudger.focused = False
    nudger.observe(Changes(finished=done[:2]), T0)
    nudger.observe(Changes(finished=done[2:], went_down=[ProviderHealth("acme", HealthStatus.UNREACHABLE)]), T0 + 1)
    assert nudger.tick(T0 + 1.5) is None
    assert nudger.tick(T0 + 2) == "terminal"
    assert written == ["\x1b]9;taskdeck: 3 tasks finished: 3 succeeded; provider acme is down: unreachable "
                       "since never, retrying every 5 s, last success never\x07"]
    assert nudger.tick(T0 + 10) is None


def test_the_engine_starts_once_the_store_is_tidied(tmp_path: Path, monkeypatch) -> None:
    """The first rows wait only for the read; the engine waits for the prune too, so that nothing it
    writes (a task found on a followed instance, in no list yet) is pruned away."""
    import threading

    deck = deck_with_store(tmp_path, REFS[:2])
    assert deck.memory is not None
    release = threading.Event()
    prune = Store.prune

    def slow_prune(self: Store, **kwargs):  # the memory thread has claimed the tidying and is at it
        assert release.wait(20)
        return prune(self, **kwargs)

    monkeypatch.setattr(Store, "prune", slow_prune)
    started = threading.Event()

    class Engine:
        def __getattr__(self, name: str):
            return lambda *args, **kwargs: None

        def run(self, should_stop=None) -> None:
            started.set()

    deck.supervisor._make = lambda factory, notify: Engine()  # type: ignore[assignment]
    deck.supervisor.renew()
    deck.preload()
    assert deck.memory.loaded.wait(10)  # the read is done: the first rows may be drawn
    runner = threading.Thread(target=deck.run_engine, daemon=True)
    runner.start()
    assert not started.wait(0.3)  # while the prune has not run, the engine has not started
    release.set()
    assert started.wait(10) and deck.memory.tidied.is_set()
    runner.join(10)
    deck.memory.close()


def test_a_read_started_early_is_shared_and_late_callers_are_told(tmp_path: Path, monkeypatch) -> None:
    """`taskdeck` starts reading the store before it imports the app; the app's own start then only
    adds its callback, and one that comes after the read is called at once. The store is read once."""
    import threading

    from tui.deck.memory import SessionMemory

    location = str(tmp_path / "history.sqlite3")
    Store.open(location).record([TaskSnapshot(ref=REFS[0], state=TaskState.SUCCEEDED, fetched_at=T0)])
    release, reads = threading.Event(), []
    load = Store.load

    def slow_load(self: Store, keys=None):
        reads.append(1)
        assert release.wait(20)
        return load(self, keys)

    monkeypatch.setattr(Store, "load", slow_load)
    memory = SessionMemory(location, {})
    first, second, third = threading.Event(), threading.Event(), threading.Event()
    keys = [REFS[0].key]
    memory.start(keys, first.set)
    memory.start(keys, second.set)  # while the read is under way
    assert not first.is_set() and not second.is_set()
    release.set()
    assert first.wait(10) and second.wait(10)
    memory.start(keys, third.set)  # after it
    assert third.is_set() and reads == [1]
    assert memory.take_remembered()[REFS[0].key].state is TaskState.SUCCEEDED
    assert memory.tidied.wait(10)
    memory.close()
