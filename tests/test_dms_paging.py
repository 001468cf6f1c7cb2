"""DMS task lists that cannot be cut short silently (issue 11, problem 1).

A server that honours `start` and ignores `offset` (the SDK's name versus the current docs') made
`taskdeck status --follow-instance` list 50 of 120 tasks and exit 0. Now pages are read until the ids
seen reach `task_count`, the other parameter name is tried when a page brings nothing new, and what
is still missing is said: "listed 50 of 120", in JSON `warnings`, exit 3.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_cli_status import Deck, make_deck

from tui.core.config import ProviderConfig
from tui.core.model import (
    HealthStatus,
    Listing,
    PartialListing,
    ProviderHealth,
    TaskListing,
    TaskRef,
    TaskSnapshot,
)
from tui.core.poller import Poller
from tui.core.since import begin_time, since_problem
from tui.core.watchlists import FollowedInstance, dumps, parse_watchlists
from tui.deck.health import health_text
from tui.providers.registry import create_provider
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

BIG = "feedfacefeedfacefeedfacefeedface"
COUNT = 120


@pytest.fixture
def deck(tmp_path: Path, sim_reset: SimulatorProcess) -> Deck:
    return make_deck(tmp_path, sim_reset)


def dms_config(sim: SimulatorProcess) -> ProviderConfig:
    return ProviderConfig(name="dms", kind="huawei-dms", base_url=sim.base_url, project_id=cred.PROJECT_ID,
                          auth={"type": "token", "token": cred.HW_TOKEN})


def big_instance(sim: SimulatorProcess, paging: str, **plan: Any) -> None:
    sim.create_tasks("dms", count=COUNT, instance=BIG, engine="kafka", **plan)
    sim.set_instance(family="dms", id=BIG, paging=paging)


async def list_twice(sim: SimulatorProcess, first_param: str = "offset") -> tuple[TaskListing, TaskListing, Any]:
    provider = create_provider(dms_config(sim))
    provider.paging_param = first_param  # type: ignore[attr-defined]
    try:
        first = await provider.list_tasks(BIG)  # type: ignore[attr-defined]
        sim.clear_log()
        second = await provider.list_tasks(BIG)  # type: ignore[attr-defined]
        return first, second, provider
    finally:
        await provider.aclose()


@pytest.mark.parametrize(("paging", "first_param", "works"), [
    ("offset", "offset", "offset"),
    ("start", "offset", "start"),    # offset is ignored: the first page again, then start is tried
    ("both", "offset", "offset"),
    ("strict", "start", "offset"),   # start is refused with 400, then offset is tried
])
def test_every_paging_mode_lists_everything(sim_reset: SimulatorProcess, paging: str, first_param: str,
                                             works: str) -> None:
    big_instance(sim_reset, paging)
    first, second, provider = asyncio.run(list_twice(sim_reset, first_param))
    for listing in (first, second):
        assert listing.partial is None
        assert len(listing) == COUNT and len({s.ref.id for s in listing}) == COUNT
    # The name that works is remembered: the next listing pages straight away (3 pages of 50).
    assert provider.paging_param == works
    assert len([r for r in sim_reset.requests(family="dms") if r["path"].endswith("/tasks")]) == 3


def _first_page_forever(sim: SimulatorProcess) -> None:
    """A server that honours neither name: every page is the first one."""
    url = f"{sim.base_url}/v2/{cred.PROJECT_ID}/instances/{BIG}/tasks"
    page = httpx.get(url, params={"limit": 50}, headers={"X-Auth-Token": cred.HW_TOKEN}).json()
    assert page["task_count"] == str(COUNT) and len(page["tasks"]) == 50
    sim.add_fault("raw", path=f"/instances/{BIG}/tasks", family="dms", status=200, raw_body=json.dumps(page))


def test_a_listing_still_short_says_so(sim_reset: SimulatorProcess) -> None:
    big_instance(sim_reset, "both")
    _first_page_forever(sim_reset)
    first, second, provider = asyncio.run(list_twice(sim_reset))
    assert first.partial == PartialListing("dms", BIG, 50, COUNT)
    assert first.partial.short == "listed 50 of 120"
    assert len(first) == 50
    assert provider.paging_param == "offset"  # neither name worked: the first stays
    assert second.partial == first.partial


def test_status_follow_instance_pages_a_start_only_server(deck: Deck) -> None:
    """The exact case of the issue: 120 tasks, a server that ignores `offset`; was 50 and exit 0."""
    big_instance(deck.sim, "start")
    result = deck.run("status", "--follow-instance", "dms", BIG, "--json")
    assert result.code == 0, result.err
    records = result.records()
    assert len(records) == COUNT and all(r["warnings"] == [] for r in records)


def test_status_and_wait_report_a_partial_listing_with_exit_3(deck: Deck) -> None:
    big_instance(deck.sim, "both", wait=0, run=0, outcome="succeed")
    _first_page_forever(deck.sim)
    status = deck.run("status", "--follow-instance", "dms", BIG, "--json")
    assert status.code == 3
    records = status.records()
    assert len(records) == 50
    expected = {"kind": "partial-listing", "provider": "dms", "instance": BIG, "listed": 50, "total": COUNT}
    for record in records:
        [warning] = record["warnings"]
        assert {k: warning[k] for k in expected} == expected and "listed 50 of 120" in warning["message"]
    assert "listed 50 of 120" in status.err

    table = deck.run("status", "--follow-instance", "dms", BIG)
    assert table.code == 3 and "listed 50 of 120" in table.err

    waited = deck.run("wait", "--follow-instance", "dms", BIG, "--json", "--timeout", "50")
    assert waited.code == 3, waited.err
    lines = waited.records()
    summary = lines[-1]
    assert summary["event"] == "summary" and summary["outcome"] == "succeeded" and summary["exit_code"] == 3
    assert [w["listed"] for w in summary["warnings"]] == [50]
    assert all(line["warnings"] for line in lines[:-1])
    assert "listed 50 of 120" in waited.err


# --- since: a followed instance with years of history ----------------------------------------------------------


def test_since_values() -> None:
    now = datetime(2026, 11, 29, 12, 30, 5, tzinfo=UTC).timestamp()
    assert begin_time("7d", now) == "20261122123005"
    assert begin_time("12h", now) == "20261129003005"
    assert begin_time("2026-11-01", now) == "20261101000000"
    assert begin_time("2026-11-01T08:00:00+02:00", now) == "20261101060000"
    assert begin_time(None, now) is None
    for bad in ("7 days", "yesterday", "", 7):
        assert since_problem(bad) is not None
    assert since_problem("2w") is None


def test_since_is_a_key_of_the_followed_instance(tmp_path: Path) -> None:
    text = ('[[watchlist]]\nname = "N"\n\n[[watchlist.instance]]\nprovider = "dms"\ninstance = "i1"\n'
            'since = "7d"\n\n[[watchlist.instance]]\nprovider = "dms"\ninstance = "i2"\nsince = "last week"\n')
    doc, problems = parse_watchlists(text, Path("watchlists.toml"), None)
    assert [(i.instance, i.since) for i in doc.lists[0].instances] == [("i1", "7d"), ("i2", None)]
    [problem] = problems
    assert problem.key == "watchlist[0].instance[1].since" and problem.line == 12 and problem.is_error
    assert FollowedInstance("dms", "i1", "7d") == FollowedInstance("dms", "i1")  # not part of the identity
    again, _ = parse_watchlists(dumps(doc), None, None)
    assert again.lists[0].instances[0].since == "7d"
    assert 'since = "7d"' in dumps(doc)


def test_since_lists_only_recent_tasks(deck: Deck) -> None:
    deck.sim.create_tasks("dms", count=4, instance=BIG, engine="kafka", ago=30 * 86400)
    recent = {t["id"] for t in deck.sim.create_tasks("dms", count=3, instance=BIG, engine="kafka", ago=3600)}
    deck.watchlists(f'[[watchlist]]\nname = "N"\n\n[[watchlist.instance]]\nprovider = "dms"\ninstance = "{BIG}"\n'
                    'since = "7d"\n')
    result = deck.run("status", "--json")
    assert result.code == 0, result.err
    assert {r["id"] for r in result.records()} == recent


# --- the poller carries it to the dashboard: ProviderHealth.partial ------------------------------------------


class _Lister:
    name = "dms"
    interval = 60.0
    min_interval = 1.0

    def __init__(self) -> None:
        self.partial: PartialListing | None = PartialListing("dms", "i1", 50, 120)
        self.calls: list[dict[str, Any]] = []

    async def fetch(self, ref: TaskRef) -> TaskSnapshot:
        raise AssertionError("a followed instance is listed, not fetched")

    async def list_tasks(self, instance: str, **options: Any) -> TaskListing:
        self.calls.append({"instance": instance, **options})
        return TaskListing((TaskSnapshot(ref=TaskRef("dms", "t1", instance)),), self.partial)


class _Sink:
    def __init__(self) -> None:
        self.healths: list[ProviderHealth] = []
        self.listings: list[Listing] = []

    def listed(self, listing: Listing) -> None:
        self.listings.append(listing)

    def snapshot(self, snapshot: TaskSnapshot) -> None:
        pass

    def health(self, health: ProviderHealth) -> None:
        self.healths.append(health)

    def discovered(self, refs: list[TaskRef]) -> None:
        pass


async def test_poller_reports_partial_listings_in_provider_health() -> None:
    source, sink = _Lister(), _Sink()
    poller = Poller({"dms": source}, sink)
    run = asyncio.create_task(poller.run())
    try:
        poller.follow("dms", "i1", "7d")

        async def until(condition: Any) -> None:
            while not condition():
                await asyncio.sleep(0.01)

        await asyncio.wait_for(until(lambda: sink.healths and sink.healths[-1].partial), 5)
        health = sink.healths[-1]
        assert health.status is HealthStatus.OK and health.partial == (source.partial,)
        assert sink.listings[0].partial == source.partial and sink.listings[0].keys == ("dms/i1/t1",)
        assert "i1: listed 50 of 120 tasks; ok" == health_text(health)
        assert len(source.calls[0]["begin_time"]) == 14  # since = "7d" became begin_time
        poller.unfollow("dms", "i1")
        await asyncio.wait_for(until(lambda: not sink.healths[-1].partial), 5)
    finally:
        poller.stop()
        await asyncio.wait_for(run, 5)


def test_the_dashboard_sidebar_says_listed_50_of_120(sim_reset: SimulatorProcess) -> None:
    """Through the engine: the Listing of the followed instance carries it to the sidebar's instance
    line, and the provider's health (sidebar health line, F12) says it too."""
    from test_deck import running, wait

    from tests.helpers.deck import deck_config, huawei_profile
    from tui.deck.controller import Deck as DashboardDeck

    big_instance(sim_reset, "both")
    _first_page_forever(sim_reset)
    config = deck_config([huawei_profile("dms", "huawei-dms", sim_reset.base_url, interval=3)],
                         {"Follow": []}, follows={"Follow": [("dms", BIG)]})
    deck = DashboardDeck(config, watchlist="Follow")
    with running(deck):
        wait(lambda: ("dms", BIG) in deck.board.listings and deck.board.health.get("dms") is not None
             and deck.board.health["dms"].partial, deck, what="the instance listed")
    providers, _ = deck.board.sidebar()
    node = next(p for p in providers if p.name == "dms")
    assert node.listing_problems[BIG] == "listed 50 of 120"
    assert f"{BIG}: listed 50 of 120 tasks" in health_text(deck.board.health["dms"])
    assert len(deck.board.active_refs()) == 50


def test_the_store_keeps_since_when_following(tmp_path: Path) -> None:
    """A list restored by undo follows its instances again with their `since`, and saves it."""
    from tui.core.watchstore import WatchStore

    path = tmp_path / "watchlists.toml"
    store = WatchStore(path, autosave=False)
    store.create_list("N")
    store.follow_instance("N", "dms", "i1", "7d")
    store.save()
    [followed] = WatchStore.open(path).lists[0].instances
    assert (followed.instance, followed.since) == ("i1", "7d")
