"""The session controller without a screen: every action over real HTTP against the simulator."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from tests.helpers.deck import deck_config, huawei_profile, smint_profile
from tui.core.engine import Engine
from tui.core.model import TaskRef
from tui.deck.board import Changes
from tui.deck.controller import Deck
from tui.simulator.process import SimulatorProcess
from tui.sources import build_sources


def wait(condition: Callable[[], Any], deck: Deck, timeout: float = 20.0, what: str = "") -> Changes:
    """Take engine batches until `condition()` holds; the last changes taken are returned."""
    deadline = time.monotonic() + timeout
    changes = Changes()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in time: {what}")
        time.sleep(0.05)
        changes = deck.take()
    return changes


@contextmanager
def running(deck: Deck) -> Iterator[threading.Thread]:
    deck.start()
    thread = threading.Thread(target=deck.run_engine, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        deck.stop()
        thread.join(10)


def polled(deck: Deck, key: str) -> bool:
    snapshot = deck.board.snapshots.get(key)
    return snapshot is not None and snapshot.fetched_at is not None


def two_lists(sim: SimulatorProcess, **lists_extra: Any) -> tuple[Deck, TaskRef, TaskRef]:
    first, second = sim.create_tasks("smint", count=2, wait=0, run=3600, outcome="succeed")
    a, b = TaskRef("acme", first["id"]), TaskRef("acme", second["id"])
    config = deck_config([smint_profile("acme", sim.base_url, interval=1)], {"A": [a], "B": [b]})
    return Deck(config, watchlist="A", **lists_extra), a, b


def test_deleting_a_list_stops_polling_its_tasks(sim_reset: SimulatorProcess) -> None:
    deck, a, b = two_lists(sim_reset)
    with running(deck):
        wait(lambda: polled(deck, a.key) and polled(deck, b.key), deck, what="both polled")
        outcome = deck.delete_list()
        assert outcome.reload and deck.board.active_name == "B"
        sim_reset.clear_log()
        # b keeps being polled (every second): after three of its reads, a would have been read too
        wait(lambda: len(sim_reset.requests(task_id=b.id)) >= 3, deck, what="three reads of b")
        assert sim_reset.requests(task_id=a.id) == []
        # and u brings the list back, polled again
        restored = deck.undo()
        assert restored.reload and deck.board.active_name == "A"
        assert [r.key for r in deck.config.watch.get("A").tasks] == [a.key]
        wait(lambda: len(sim_reset.requests(task_id=a.id)) >= 1, deck, what="a polled again")


def test_deleting_a_list_keeps_polling_tasks_another_list_watches(sim_reset: SimulatorProcess) -> None:
    deck, a, b = two_lists(sim_reset)
    deck.config.watch.add_tasks("B", [a])
    with running(deck):
        wait(lambda: polled(deck, a.key), deck, what="a polled")
        deck.delete_list()
        sim_reset.clear_log()
        wait(lambda: len(sim_reset.requests(task_id=a.id)) >= 2, deck, what="a still polled through B")


def test_deleting_a_list_unfollows_its_instances(sim_reset: SimulatorProcess) -> None:
    info = sim_reset.scenario_info()
    instance = next(i for i in info["instances"] if i.get("engine") == "kafka")["id"] \
        if isinstance(info.get("instances"), list) else None
    if instance is None:
        pytest.skip("the demo scenario lists no instances")
    config = deck_config([huawei_profile("dms", "huawei-dms", sim_reset.base_url, interval=3)],
                         {"Follow": [], "Other": []}, follows={"Follow": [("dms", instance)]})
    deck = Deck(config, watchlist="Follow")
    with running(deck):
        wait(lambda: any("/tasks" in e["path"] and e["path"].endswith("/tasks") for e in sim_reset.requests()),
             deck, what="the instance listed")
        deck.delete_list()
        sim_reset.clear_log()
        time_limit = time.monotonic() + 7  # two intervals of 3 s
        while time.monotonic() < time_limit:
            deck.take()
            time.sleep(0.2)
        assert not [e for e in sim_reset.requests() if e["path"].endswith(f"{instance}/tasks")]


def test_switching_lists_applies_each_lists_interval_override(sim_reset: SimulatorProcess) -> None:
    deck, a, b = two_lists(sim_reset)
    deck.config.ui.update("B", intervals={"acme": 7.0})
    assert deck.board.interval("acme") == 1.0  # A has no override: the profile's interval
    with running(deck):
        deck.switch("B")
        assert deck.board.interval("acme") == 7.0
        wait(lambda: (h := deck.board.health.get("acme")) is not None and h.interval == 7.0, deck,
             what="the engine polls acme every 7 s")
        deck.switch("A")
        wait(lambda: (h := deck.board.health.get("acme")) is not None and h.interval == 1.0, deck,
             what="back to the profile's 1 s")


def test_interval_steps_from_the_value_in_force_and_is_remembered_per_list(sim_reset: SimulatorProcess) -> None:
    deck, a, b = two_lists(sim_reset)
    outcomes = [deck.change_interval(a.key, +1) for _ in range(5)]
    assert deck.board.interval("acme") == 6.0
    assert [n.text for o in outcomes for n in o.notes][-1] == "acme: polling every 6 s"
    assert {n.key for o in outcomes for n in o.notes} == {"interval:acme"}  # one toast, replaced in place
    for _ in range(10):
        deck.change_interval(a.key, -1)
    assert deck.board.interval("acme") == 1.0  # never below the API's minimum
    assert deck.config.ui.get("A").intervals == {"acme": 1.0}


def test_add_remove_undo_follow_tell_the_engine(sim_reset: SimulatorProcess) -> None:
    deck, a, b = two_lists(sim_reset)
    new = sim_reset.create_tasks("smint", count=1, wait=0, run=3600, outcome="succeed")[0]
    ref = TaskRef("acme", new["id"], label="fresh")
    with running(deck):
        outcome = deck.add([ref])
        assert outcome.rows == {ref.key} and outcome.cursor == ref.key
        wait(lambda: polled(deck, ref.key), deck, what="the added task polled")
        removed = deck.remove(ref.key)
        assert removed.removed == {ref.key} and "fresh" in removed.notes[0].text
        sim_reset.clear_log()
        wait(lambda: len(sim_reset.requests(task_id=a.id)) >= 2, deck, what="a polled twice")
        assert sim_reset.requests(task_id=ref.id) == []
        back = deck.undo()
        assert back.rows == {ref.key}
        wait(lambda: len(sim_reset.requests(task_id=ref.id)) >= 1, deck, what="polled again after undo")


def test_create_rename_refused_names_and_pause(sim_reset: SimulatorProcess) -> None:
    deck, a, b = two_lists(sim_reset)
    assert deck.create_list("C").reload and deck.board.active_name == "C"
    refused = deck.rename_list("A")
    assert refused.error and deck.board.active_name == "C"
    assert deck.rename_list("D").error is None and deck.board.active_name == "D"
    assert deck.toggle_pause().notes and deck.paused and deck.engine.paused
    deck.toggle_pause()
    assert not deck.paused and not deck.engine.paused


class _Boom(Exception):
    pass


def test_an_engine_that_dies_is_reported_and_restarted(sim_reset: SimulatorProcess) -> None:
    deck_ok, a, b = two_lists(sim_reset)
    profiles = tuple(deck_ok.config.providers.providers.values())
    calls = {"n": 0}

    def factory() -> Mapping[str, Any]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise _Boom("the sources could not be built (token=s3cr3t-value)")
        return build_sources(profiles)

    deck = Deck(deck_ok.config, watchlist="A", sources_factory=factory, restart_every=0.2,
                engine_factory=lambda f, n: Engine(f, notify=n))
    deck.start()
    with pytest.raises(_Boom):
        deck.run_engine()
    outcome = deck.engine_stopped(_Boom("the sources could not be built (token=s3cr3t-value)"))
    failure = deck.engine_failure
    assert failure is not None and "_Boom" in failure.message
    assert outcome.notes and outcome.notes[0].severity == "error"
    assert deck.restart_delay() <= 0.2
    deck.restart_engine()
    with running(deck):
        wait(lambda: polled(deck, a.key), deck, what="polling after the restart")
    assert deck.engine_failure is None


def test_stopping_on_purpose_is_not_a_failure(sim_reset: SimulatorProcess) -> None:
    deck, a, b = two_lists(sim_reset)
    with running(deck):
        wait(lambda: polled(deck, a.key), deck, what="polled")
    assert deck.engine_stopped(None).notes == [] and deck.engine_failure is None


def test_listings_of_followed_instances_reach_the_board(sim_reset: SimulatorProcess) -> None:
    """A followed instance's listing comes through the engine: its tasks join the list, and an instance
    that cannot be listed is named in the sidebar's data with the reason."""
    info = sim_reset.scenario_info()
    instance = next(i["id"] for i in info["instances"] if i.get("engine") == "rocketmq")
    config = deck_config([huawei_profile("dms", "huawei-dms", sim_reset.base_url, interval=3)],
                         {"Follow": []}, follows={"Follow": [("dms", instance), ("dms", "no-such-instance")]})
    deck = Deck(config, watchlist="Follow")
    with running(deck):
        wait(lambda: ("dms", instance) in deck.board.listings and ("dms", "no-such-instance") in deck.board.listings
             and deck.board.active_refs(), deck, what="both instances listed")
    good, bad = deck.board.listings[("dms", instance)], deck.board.listings[("dms", "no-such-instance")]
    assert good.error is None and good.keys
    assert set(good.keys) <= {ref.key for ref in deck.board.active_refs()}
    assert bad.error is not None
    providers, _ = deck.board.sidebar()
    node = next(p for p in providers if p.name == "dms")
    assert node.listing_problems["no-such-instance"].startswith("not listed: ")
    assert instance not in node.listing_problems


def test_a_followed_list_adopts_tasks_another_list_already_watches(sim_reset: SimulatorProcess) -> None:
    instance = "c0ffeec0ffeec0ffeec0ffeec0ffee01"
    created = sim_reset.create_tasks("dms", count=2, instance=instance, engine="rocketmq", wait=0, run=3600)
    refs = [TaskRef("dms", t["id"], instance=instance) for t in created]
    config = deck_config([huawei_profile("dms", "huawei-dms", sim_reset.base_url, interval=1)],
                         {"All": refs, "Followed": [], "Later": []}, follows={"Followed": [("dms", instance)]})
    deck = Deck(config, watchlist="Followed")
    with running(deck):
        wait(lambda: len(deck.config.watch.get("Followed").tasks) == 2, deck, what="both tasks adopted")
        assert {r.key for r in deck.config.watch.get("Followed").tasks} == {r.key for r in refs}
        wait(lambda: all(deck.board.in_active(r.key) for r in refs), deck, what="rows of the followed list")
        # Following the same instance from a third list fills that one too.
        deck.switch("Later")
        deck.follow("dms", instance)
        wait(lambda: len(deck.config.watch.get("Later").tasks) == 2, deck, what="adopted by the third list")


def test_scheduled_jobs_of_a_followed_instance_show_on_its_sidebar_line(sim_reset: SimulatorProcess) -> None:
    info = sim_reset.scenario_info()
    instance = next(i["id"] for i in info["instances"] if i.get("name") == "kafka-orders")
    config = deck_config([huawei_profile("dms", "huawei-dms", sim_reset.base_url, interval=3)],
                         {"Follow": []}, follows={"Follow": [("dms", instance)]})
    deck = Deck(config, watchlist="Follow")
    with running(deck):
        wait(lambda: (listing := deck.board.listings.get(("dms", instance))) is not None and listing.scheduled
             and all(k in deck.board.snapshots for k in listing.scheduled), deck, what="scheduled jobs listed")
    listing = deck.board.listings[("dms", instance)]
    providers, _ = deck.board.sidebar()
    text = next(p for p in providers if p.name == "dms").scheduled[instance]
    assert text.startswith(f"{len(listing.scheduled)} scheduled, next ")
    # scheduled jobs are shown, never added to the watch list
    assert not set(listing.scheduled) & {ref.key for ref in deck.board.active_refs()}
