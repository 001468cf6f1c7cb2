"""GcPolicy: what it freezes, when it collects everything, and that it gives the collector back."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from tui.core import gcpolicy
from tui.core.gcpolicy import GcPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def policy() -> Iterator[tuple[GcPolicy, Clock]]:
    clock = Clock()
    before = gc.get_threshold()
    p = GcPolicy(clock=clock)
    try:
        yield p, clock
    finally:
        p.uninstall()
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_after_load_freezes_and_full_collections_freeze_their_survivors(policy: tuple[GcPolicy, Clock]) -> None:
    p, _ = policy
    p.after_load()
    assert p.installed and gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] >= gcpolicy.YOUNG_THRESHOLD
    frozen = gc.get_freeze_count()
    survivors = [[i] for i in range(1000)]  # long-lived objects made after the load
    gc.collect()  # a full collection, as the collector would run it
    assert p.refreezes == 1 and gc.get_freeze_count() >= frozen + len(survivors)


def test_maintain_frees_cycles_that_died_while_frozen(policy: tuple[GcPolicy, Clock]) -> None:
    p, _ = policy
    cycle = Cycle()
    ref = weakref.ref(cycle)
    p.after_load()  # the cycle is alive now, so it is frozen
    del cycle
    gc.collect()
    assert ref() is not None  # frozen garbage waits...
    p.maintain()
    assert ref() is None  # ...until everything is collected
    assert gc.get_freeze_count() > 0 and p.maintenance_ms


def test_tick_collects_everything_only_when_due_and_nobody_types(policy: tuple[GcPolicy, Clock]) -> None:
    p, clock = policy
    assert not p.tick()  # not installed yet
    p.after_load()
    clock.now += gcpolicy.MAINTAIN_EVERY - 1
    assert not p.tick()  # not due
    clock.now += 2
    p.input_seen()
    assert not p.tick()  # due, but a key was just pressed
    clock.now += gcpolicy.IDLE
    assert p.tick()  # due and idle
    assert not p.tick()
    clock.now += gcpolicy.OVERDUE
    p.input_seen()
    assert p.tick()  # long overdue: runs even while keys keep coming


def test_the_start_up_hold_ends_with_the_first_load(policy: tuple[GcPolicy, Clock]) -> None:
    p, _ = policy
    gcpolicy.hold()
    try:
        assert not gc.isenabled()  # start-up: no automatic collection
        p.after_load()
        assert gc.isenabled()
    finally:
        gc.enable()
    gcpolicy.hold()
    p.uninstall()  # an app that stops before its first rows gives the collector back all the same
    assert gc.isenabled()
