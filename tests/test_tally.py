"""The board's kept counts (header and sidebar) equal a recount after any mix of batches and list edits."""

from __future__ import annotations

import random
from collections import Counter

from tests.helpers.deck import deck_config, huawei_profile, smint_profile
from tui.core.engine import Batch
from tui.core.model import Steps, TaskError, TaskRef, TaskSnapshot, TaskState
from tui.deck.board import Board

URL = "http://127.0.0.1:9"  # never contacted: no engine runs here
STATES = list(TaskState)


def recount(board: Board) -> tuple[Counter[str], int, int, dict[str, Counter[str]],
                                   dict[str, Counter[str]], dict[str, dict[str, Counter[str]]]]:
    """What the header and the sidebar showed before counts were kept: everything counted again."""
    active = board.active_refs()
    running = sum(1 for ref in active if (s := board.snapshots.get(ref.key)) is None or not s.finished)
    lists = {w.name: board.counts(w.tasks) for w in board.lists}
    refs = board.all_refs()
    providers = {name: board.counts([r for r in refs if r.provider == name])
                 for name in board.config.providers.providers}
    instances: dict[str, dict[str, Counter[str]]] = {}
    for name, config in board.config.providers.providers.items():
        if config.needs_instance:
            grouped: dict[str, list[TaskRef]] = {inst: [] for prov, inst in board.follows() if prov == name}
            for ref in refs:
                if ref.provider == name:
                    grouped.setdefault(ref.instance or "", []).append(ref)
            instances[name] = {inst: board.counts(group) for inst, group in sorted(grouped.items())}
    return board.counts(active), len(active), running, lists, providers, instances


def kept(board: Board) -> tuple[Counter[str], int, int, dict[str, Counter[str]],
                                dict[str, Counter[str]], dict[str, dict[str, Counter[str]]]]:
    counts, total = board.active_counts()
    providers, lists = board.sidebar()
    return (counts, total, board.running_in_active(), {n.name: n.counts for n in lists},
            {p.name: p.counts for p in providers},
            {p.name: dict(p.instances) for p in providers if p.name == "dms"})


def test_kept_counts_equal_a_recount_through_batches_and_list_edits() -> None:
    rng = random.Random(3)
    refs = [TaskRef("acme", f"s{i}") for i in range(60)] + \
           [TaskRef("dms", f"d{i}", instance=f"inst{i % 3}") for i in range(40)]
    config = deck_config([smint_profile("acme", URL), huawei_profile("dms", "huawei-dms", URL)],
                         {"A": refs[:50], "B": refs[30:90], "C": refs[80:]}, follows={"C": [("dms", "inst9")]})
    board = Board(config, "A")
    assert kept(board) == recount(board)
    for step in range(400):
        roll = rng.random()
        if roll < 0.7:
            batch = Batch()
            for ref in rng.sample(refs, rng.randrange(1, 15)):
                state = rng.choice(STATES)
                # a success with failed steps is shown (and counted) as partial
                steps = Steps(done=3, failed=rng.choice([0, 1]), total=3) if rng.random() < 0.3 else None
                gone = TaskError("no such task", status=404, gone=True) if rng.random() < 0.05 else None
                batch.snapshots[ref.key] = TaskSnapshot(
                    ref=ref, state=state, fetched_at=None if rng.random() < 0.1 else 1.0, error=gone, steps=steps)
            board.apply(batch)
        elif roll < 0.8:
            name = rng.choice(config.watch.names or ["A"])
            config.watch.add_tasks(name, rng.sample(refs, 3))
            board.refresh_active()
        elif roll < 0.88:
            name = rng.choice(config.watch.names or ["A"])
            watchlist = config.watch.get(name)
            if watchlist is not None and watchlist.tasks:
                config.watch.remove_task(name, rng.choice(watchlist.tasks))
                board.refresh_active()
        elif roll < 0.94:
            board.active_name = rng.choice(config.watch.names)
            board.refresh_active()
        elif roll < 0.97 and len(config.watch.names) > 1:
            config.watch.delete_list(rng.choice(config.watch.names))
            board.active_name = config.watch.names[0]
            board.refresh_active()
        else:
            config.watch.create_list(f"L{step}")
        if step % 3 == 0:
            assert kept(board) == recount(board), step
    assert kept(board) == recount(board)
    assert board.tally.rebuilds < 200  # batches alone never recount everything


def test_a_batch_moves_only_its_tasks_between_counts() -> None:
    refs = [TaskRef("acme", f"s{i}") for i in range(5)]
    config = deck_config([smint_profile("acme", URL)], {"A": refs})
    board = Board(config, "A")
    board.active_counts()
    rebuilds = board.tally.rebuilds
    board.apply(Batch(snapshots={r.key: TaskSnapshot(ref=r, state=TaskState.RUNNING, fetched_at=1.0) for r in refs}))
    board.apply(Batch(snapshots={refs[0].key: TaskSnapshot(ref=refs[0], state=TaskState.FAILED, fetched_at=2.0)}))
    counts, total = board.active_counts()
    assert counts == Counter({"running": 4, "failed": 1}) and total == 5
    assert board.running_in_active() == 4
    assert board.tally.rebuilds == rebuilds
